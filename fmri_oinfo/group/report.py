"""The group HTML report: ``templates/group.html`` extends the subject report's ``base.html``.

Sections: cohort (subjects, cohorts, cache use), failures with their errors,
subjects with QC and links to their own reports, group O-information tables,
the between-cohort comparison, group maps, group graphs, method and
parameters.  Figures are embedded as base64 PNG; the page loads nothing from
the network.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import jinja2
import numpy as np
import pandas as pd

from fmri_oinfo import graphs, maps
from fmri_oinfo.atomic import write_text_atomically
from fmri_oinfo.group.outputs import label_image, subject_table
from fmri_oinfo.group.run import GroupStudyResult
from fmri_oinfo.group.statistics import difference_as_results
from fmri_oinfo.report import package_versions
from fmri_oinfo.report.figures import figure_to_data_uri
from fmri_oinfo.report.render import TEMPLATE_DIR, flatten_parameters

logger = logging.getLogger(__name__)

#: Sections of the group report: (anchor id, heading), in page order.
GROUP_SECTIONS: tuple[tuple[str, str], ...] = (
    ("cohort", "Cohort"),
    ("failures", "Failures"),
    ("subjects", "Subjects and QC"),
    ("results", "Group O-information"),
    ("difference", "Between-cohort comparison"),
    ("maps", "Group maps"),
    ("graphs", "Group graphs"),
    ("method", "Method and parameters"),
)

_METHOD = {
    False: ("Each subject was run through the single-subject pipeline (fmri_oinfo.pipeline) on the common "
            "candidate list, and its O-information of every set was estimated on its own time series. Group mean: sign-flip permutation test against zero. Between cohorts: permutation of "
            "cohort labels, statistic mean A - mean B. Both two-sided, Benjamini-Hochberg FDR across sets; "
            "effect sizes are Cohen's d and Hedges' g; intervals are t intervals."),
    True: ("The subjects' time series were z-scored per subject and concatenated (pooled), and O-information was "
           "estimated once on the pooled data and tested with surrogates (fixed effects: the inference concerns "
           "these subjects). Each subject was also run through the single-subject pipeline on the same sets "
           "(its own report). Between cohorts: permutation of subject labels, re-pooling each permuted cohort."),
}

_TOP = 25


def group_environment() -> jinja2.Environment:
    """jinja2 environment over the group templates, then the report templates (autoescape on)."""
    return jinja2.Environment(
        loader=jinja2.ChoiceLoader([
            jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
            jinja2.FileSystemLoader(TEMPLATE_DIR),
        ]),
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
    )


def _embed(title: str, draw: Callable[[], Any], caption: str) -> dict[str, str]:
    try:
        return {"title": title, "uri": figure_to_data_uri(draw()), "caption": caption, "error": ""}
    except Exception as error:  # a broken figure must not lose the report
        logger.warning("group figure %r could not be drawn: %s", title, error)
        return {"title": title, "uri": "", "caption": caption, "error": f"{type(error).__name__}: {error}"}


def _clean(record: dict[str, Any]) -> dict[str, Any]:
    """NaN and missing values as None (shown as a dash)."""
    return {k: (None if v is None or (isinstance(v, float) and not np.isfinite(v)) else v) for k, v in record.items()}


def _records(table: pd.DataFrame) -> list[dict[str, Any]]:
    return [{**_clean(r), "members": list(r["set"])} for r in table.to_dict(orient="records")]


def _results_section(result: GroupStudyResult) -> dict[str, Any]:
    table = result.results
    if table is None:
        return {"available": False, "description": "No group result."}
    if result.config.pool:
        table = table.assign(n_subjects=len(result.succeeded), cohen_d=np.nan, hedges_g=np.nan)
    redundant = table[table["label"] == "redundant"].sort_values("o_info", ascending=False).head(_TOP)
    synergistic = table[table["label"] == "synergistic"].sort_values("o_info").head(_TOP)
    description = ("Pooled O-information per set, surrogate test." if result.config.pool else
                   "Mean over subjects of each set's O-information; sign-flip permutation test against zero.")
    return {
        "available": True, "description": description, "n_sets": len(table),
        "n_redundant": int((table["label"] == "redundant").sum()),
        "n_synergistic": int((table["label"] == "synergistic").sum()),
        "redundant": _records(redundant), "synergistic": _records(synergistic),
    }


def _difference_section(result: GroupStudyResult) -> dict[str, Any] | None:
    table = result.difference
    if table is None:
        return None
    cohort_a, cohort_b = table.attrs["cohort_a"], table.attrs["cohort_b"]
    shown = table.sort_values(["q_value", "p_value"]).head(_TOP * 2)
    rows = _records(shown)
    names = {"higher in A": f"higher in {cohort_a}", "higher in B": f"higher in {cohort_b}", "n.s.": "n.s."}
    for row in rows:
        row["label_text"] = names[row["label"]]
    return {
        "cohort_a": cohort_a, "cohort_b": cohort_b, "rows": rows, "n_sets": len(table),
        "n_significant": int((table["label"] != "n.s.").sum()),
        "description": f"Difference {cohort_a} - {cohort_b} of O-information (nats): positive means more redundant "
                       f"(or less synergistic) in {cohort_a}. {table.attrs.get('test', '')}, "
                       f"{table.attrs.get('n_permutations', '')} permutations.",
    }


def _figures(result: GroupStudyResult) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    if result.results is None:
        return [], []
    try:
        maps.check_regions(result.regions)
    except ValueError:
        return [], []
    image = label_image(result)
    tables = [("Group mean", result.results)]
    if result.difference is not None:
        a, b = result.difference.attrs["cohort_a"], result.difference.attrs["cohort_b"]
        tables.append((f"Difference {a} - {b}", difference_as_results(result.difference)))
    map_items, graph_items = [], []
    for name, table in tables:
        scores = maps.region_scores(table, result.regions)
        hypergraph = graphs.build_hypergraph(table, result.regions)
        for kind in ("redundancy", "synergy"):
            map_items.append(_embed(
                f"{name}: region {kind}", lambda s=scores, k=kind: maps.plot_region_map(s, k, image),
                f"Sum of |O-information| (nats) of the significant {maps.KIND_LABELS[kind]} sets containing each "
                "region" + ("" if name == "Group mean" else
                            f" (redundancy: sets higher in {a}; synergy: sets higher in {b})") + ".",
            ))
            graph_items.append(_embed(
                f"{name}: {kind} graph",
                lambda h=hypergraph, k=kind: graphs.plot_connectome_figure(graphs.project_region_graph(h, k)),
                "Edge weight: summed |O-information| (nats) of significant sets sharing both regions.",
            ))
    return map_items, graph_items


def _subject_rows(result: GroupStudyResult, report_path: Path) -> list[dict[str, Any]]:
    rows = [_clean(r) for r in subject_table(result).to_dict(orient="records")]
    for row in rows:
        if row["report"]:
            target = Path(row["folder"]) / row["report"]
            row["report"] = os.path.relpath(target, report_path.parent)
    return rows


def group_report_html(result: GroupStudyResult, report_path: str | os.PathLike) -> str:
    """The group report as one HTML string (links are relative to ``report_path``)."""
    report_path = Path(report_path)
    subjects = _subject_rows(result, report_path)
    used = set(result.succeeded)
    cohorts = []
    for name in result.study.cohorts:
        members = [s.label for s in result.study.subjects if s.cohort == name]
        cohorts.append((name, len(members), sum(m in used for m in members)))
    map_items, graph_items = _figures(result)
    variables = {
        "title": f"O-information group report: {result.study.root.name}",
        "generated": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "sections": GROUP_SECTIONS,
        "cohort": {
            "n_subjects": len(result.study.subjects), "n_used": len(used),
            "n_cached": sum(r["status"] == "cached" for r in subjects), "n_failed": len(result.failures),
            "n_sets": len(result.sets), "candidate_source": result.config.candidate_source,
            "mode": "pooled (fixed effects)" if result.config.pool else "per-subject estimation, group statistics",
            "estimator": result.config.estimator, "seconds": result.seconds,
            "cohorts": cohorts, "cohort_column": result.study.cohort_column,
        },
        "notes": list(result.notes),
        "failures": [{"subject": o.subject, "step": o.step, "error": o.error} for o in result.failures],
        "subjects": subjects,
        "results": _results_section(result),
        "difference": _difference_section(result),
        "maps": map_items,
        "graph_figures": graph_items,
        "alpha": result.config.alpha,
        "ci_label": f"{100 * (1 - result.config.alpha):g}% CI",
        "method": _METHOD[result.config.pool],
        "parameters": flatten_parameters(result.config.to_dict()),
        "versions": package_versions(),
    }
    return group_environment().get_template("group.html").render(**variables)


def write_group_report(result: GroupStudyResult, path: str | os.PathLike | None = None) -> Path:
    """Write the group report atomically (default ``<out>/group/group_report.html``)."""
    path = Path(path) if path is not None else result.out_dir / "group" / "group_report.html"
    if path.suffix != ".html":
        raise ValueError(f"path={str(path)!r} must end with .html.")
    document = group_report_html(result, path)
    written = write_text_atomically(path, document)
    logger.info("wrote the group report %s (%.1f MB)", written, len(document.encode("utf-8")) / 1e6)
    return written
