"""The group HTML report: ``templates/group.html`` extends the subject report's ``base.html``.

On the subject report's principles: findings first (what the group tests
found, and before any table why nothing can be significant when the design
cannot reach it), then the cohort and its subjects (each linked to its own
report), the group and between-cohort tables, maps and graphs drawn from
labelled sets only on colour scales shared by maps of a kind (with a floor
below which nothing is drawn; difference maps named by their direction), a
methods paragraph, links to the group files, warnings, and the parameters
that applied, collapsed.  Nested labelled sets are one finding (the tables'
``family`` column): findings are counted and listed once, named by the
family's head set with its other sets beside it, and maps and graphs count
each family once (:mod:`fmri_oinfo.maps`).  Counts, labels and directions are read from the
group tables and their ``attrs``, never recomputed.  Figures are embedded;
the page loads nothing from the network.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import jinja2
import numpy as np
import pandas as pd

from fmri_oinfo import graphs, maps
from fmri_oinfo.atomic import write_text_atomically
from fmri_oinfo.group.outputs import label_image, subject_table
from fmri_oinfo.group.run import GroupStudyResult
from fmri_oinfo.inputs.table_cleaning import uncleaned_signs
from fmri_oinfo.report import glossary, package_versions
from fmri_oinfo.report.findings import FAMILY_SHOWN, chosen_by_tags, count_findings
from fmri_oinfo.report.methods import REFERENCES
from fmri_oinfo.report.render import TEMPLATE_DIR, flatten_parameters
from fmri_oinfo.report.sections import embedded

logger = logging.getLogger(__name__)

#: Sections of the group report: (anchor id, heading), in page order.
GROUP_SECTIONS: tuple[tuple[str, str], ...] = (
    ("findings", "Findings"),
    ("cohort", "Cohort"),
    ("subjects", "Subjects and QC"),
    ("failures", "Failures"),
    ("results", "Group O-information"),
    ("difference", "Between-cohort comparison"),
    ("maps", "Group maps"),
    ("graphs", "Group graphs"),
    ("methods", "Methods"),
    ("files", "Output files"),
    ("warnings", "Warnings"),
    ("parameters", "Parameters"),
)

#: Rows of each group table.
TOP_ROWS = 25

#: Findings listed per group table (families of nested labelled sets, named by their head).
TOP_FINDINGS = 10

#: Region scores (summed |O-information|, nats) at or below this are not drawn on group maps.
MAP_FLOOR_NATS = 0.01

#: The colour scale of a kind reaches at least this many floors, so a few tiny sets are not drawn at full colour.
MIN_SCALE_FLOORS = 10


def group_environment() -> jinja2.Environment:
    """jinja2 environment over the group templates, then the report templates (autoescape on)."""
    return jinja2.Environment(
        loader=jinja2.ChoiceLoader([
            jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
            jinja2.FileSystemLoader(TEMPLATE_DIR),
        ]),
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
    )


def _clean(record: dict[str, Any]) -> dict[str, Any]:
    """NaN and missing values as None (shown as a dash)."""
    return {k: (None if v is None or (isinstance(v, float) and not np.isfinite(v)) else v) for k, v in record.items()}


def _records(table: pd.DataFrame) -> list[dict[str, Any]]:
    return [{**_clean(r), "members": list(r["set"]), "tags": chosen_by_tags(r.get("chosen_by", ""))}
            for r in table.to_dict(orient="records")]


def direction_texts(difference: pd.DataFrame) -> pd.Series:
    """Each row's direction in words: the table's ``direction`` column, else its label in cohort names.

    ``"higher in A"`` becomes ``"<A> > <B>"`` (higher O-information in A:
    more redundant or less synergistic); n.s. rows are ``""``.
    """
    a, b = difference.attrs.get("cohort_a", "A"), difference.attrs.get("cohort_b", "B")
    significant = difference["label"].astype(str) != "n.s."
    if "direction" in difference.columns:
        words = difference["direction"].fillna("").astype(str)
    else:
        words = difference["label"].map({"higher in A": f"{a} > {b}", "higher in B": f"{b} > {a}"}).fillna("")
    return words.where(significant, "")


def _reachability(table: pd.DataFrame | None, alpha: float) -> str:
    """Why a group table cannot label anything (attrs), or the smallest q when nothing was labelled."""
    if table is None or not len(table):
        return ""
    if table.attrs.get("reachable") is False:
        return str(table.attrs.get("reachability_note") or "this design cannot reach significance.")
    if (table["label"].astype(str) != "n.s.").any():
        return ""
    q = pd.to_numeric(table["q_value"], errors="coerce")
    note = str(table.attrs.get("reachability_note") or "")  # a reachable design's lone-set limit
    return (f"no set reached q < {alpha:g}; the smallest q-value was {q.min():.3g}." + (f" {note}" if note else "")
            if q.notna().any() else "")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def family_findings(table: pd.DataFrame, chosen: np.ndarray, top_n: int = TOP_FINDINGS) -> list[dict[str, Any]]:
    """The findings among the ``chosen`` rows: one per family, named by its head set, its other sets listed.

    Parameters
    ----------
    table : pandas.DataFrame
        Group result table or between-cohort table (``set``, ``q_value`` and,
        when it has them, ``family`` and ``family_role``).
    chosen : numpy.ndarray of bool, shape (G,)
        The labelled rows of one kind (a label, or a direction).
    top_n : int
        Findings kept, in the order of the family numbers (ranking of each
        family's best set); tables without families: every chosen row, by q.

    Returns
    -------
    list of dict
        The head row's columns (``members``: its regions) and ``family_sets``:
        the family's other sets, as lists of names.
    """
    chosen = np.asarray(chosen, dtype=bool)
    if "family_role" in table.columns:
        heads = table[chosen & (table["family_role"] == "head").to_numpy()].sort_values("family", kind="stable")
        family = pd.to_numeric(table["family"], errors="coerce").fillna(0).to_numpy(dtype=int)
    else:
        heads = table[chosen].sort_values("q_value", kind="stable")
        family = np.zeros(len(table), dtype=int)
    findings = []
    for position, record in zip(heads.index, _records(heads.head(top_n))):
        row = table.index.get_loc(position)
        others = np.flatnonzero((family == family[row]) & (family > 0))
        record["family_sets"] = [[str(m) for m in table["set"].iloc[k]] for k in others if k != row]
        findings.append(record)
    return findings


def mark_extreme(findings: list[dict[str, Any]], table: pd.DataFrame, row: Any, what: str, column: str,
                 name: str) -> str | None:
    """Mark the listed finding that holds ``table``'s row ``row`` (the largest |O|, the smallest q) as such.

    The finding named by that set gets ``extreme = what``; a finding holding it
    as one of its other sets gets ``what`` with the set and its value, so the
    set is not listed a second time.  When no listed finding holds it (beyond
    the findings shown), the set with its value and q is returned as one line.
    """
    members = [str(m) for m in table.at[row, "set"]]
    value = f"{name} = {table.at[row, column]:.3g} nats"
    for finding in findings:
        if [str(m) for m in finding["members"]] == members:
            finding["extreme"] = what
            return None
        if members in finding["family_sets"]:
            finding["extreme"] = f"{what}: {', '.join(members)}, {value}"
            return None
    return f"{', '.join(members)} ({value}, q = {table.at[row, 'q_value']:.2g})"


def _findings(result: GroupStudyResult) -> dict[str, Any]:
    alpha = result.config.alpha
    sentences: list[str] = []
    notes: list[str] = []
    strongest: list[str] = []
    listed: list[dict[str, Any]] = []
    table = result.results
    if table is not None:
        n_red = int((table["label"] == "redundant").sum())
        n_syn = int((table["label"] == "synergistic").sum())
        found = {label: count_findings(table, label) for label in ("redundant", "synergistic")}
        test = table.attrs.get("test", "surrogate test" if result.config.pool else "group test")
        head = (f"{n_red + n_syn} set{'s' if n_red + n_syn != 1 else ''} labelled ({n_red} redundant, "
                f"{n_syn} synergistic)" if n_red + n_syn else "No set labelled")
        if sum(found.values()) < n_red + n_syn:
            head = (f"{_plural(sum(found.values()), 'finding')} ({found['redundant']} redundant, "
                    f"{found['synergistic']} synergistic) from {n_red + n_syn} labelled sets")
        sentences.append(f"Group {'pooled estimate' if result.config.pool else 'mean'}: {head} of "
                         f"{len(table):,} tested ({test}, FDR {100 * alpha:g} %), {len(result.succeeded)} subjects."
                         + (" A labelled set and its labelled subsets or supersets are one finding."
                            if sum(found.values()) < n_red + n_syn else ""))
        note = _reachability(table, alpha)
        if note:
            notes.append(f"Group {'pooled estimate' if result.config.pool else 'mean'}: {note}")
        for label in ("redundant", "synergistic"):
            chosen = (table["label"] == label).to_numpy()
            found_here = family_findings(table, chosen)
            if chosen.any():
                best = table.loc[chosen, "o_info"].abs().idxmax()
                line = mark_extreme(found_here, table, best, f"largest |O| of the {label} sets", "o_info", "O")
                strongest += [f"most {label}: {line}"] if line else []
            listed += [{**f, "kind": label, "what": label, "value": f.get("o_info"), "value_name": "O"}
                       for f in found_here]
    difference = result.difference
    if difference is not None:
        a, b = difference.attrs["cohort_a"], difference.attrs["cohort_b"]
        directions = direction_texts(difference)
        counts = directions[directions != ""].value_counts()
        families = {text: count_findings(difference.assign(label=np.where(directions == text, "chosen", "n.s.")),
                                         "chosen") for text in counts.index}
        detail = "; ".join(f"{n} {text}" if n == families[text] else
                           f"{_plural(families[text], 'finding')} {text} ({_plural(int(n), 'set')})"
                           for text, n in counts.items())
        sentences.append(f"Between cohorts ({a}, {b}): {int(counts.sum())} of {len(difference):,} sets differ "
                         f"(FDR {100 * alpha:g} %)" + (f": {detail}." if detail else ".")
                         + (" A set and its differing subsets or supersets in the same direction are one finding."
                            if sum(families.values()) < counts.sum() else ""))
        clearest = difference.loc[directions != ""].sort_values("q_value").index[0] if counts.sum() else None
        for text in counts.index:
            found_here = family_findings(difference, (directions == text).to_numpy())
            if clearest is not None and directions[clearest] == text:
                line = mark_extreme(found_here, difference, clearest, "smallest q of the differences", "difference",
                                    "difference")
                strongest += [f"clearest difference ({text}): {line}"] if line else []
            listed += [{**f, "kind": "synergistic" if text.endswith("synergy") else "redundant", "what": text,
                        "value": f.get("difference"), "value_name": "difference"}
                       for f in found_here]
        note = _reachability(difference, alpha)
        if note:
            notes.append(f"Between cohorts: {note}")
    return {"sentences": sentences, "notes": notes, "strongest": strongest, "listed": listed}


def _results_section(result: GroupStudyResult) -> dict[str, Any]:
    table = result.results
    if table is None:
        return {"available": False, "description": "No group result."}
    if result.config.pool:
        table = table.assign(n_subjects=len(result.succeeded), cohen_d=np.nan, hedges_g=np.nan)
    redundant = table[table["label"] == "redundant"].sort_values("o_info", ascending=False)
    synergistic = table[table["label"] == "synergistic"].sort_values("o_info")
    description = ("Pooled O-information per set, surrogate test." if result.config.pool else
                   "Mean over subjects of each set's O-information, "
                   f"{table.attrs.get('test', 'group test')}.")
    return {
        "available": True, "description": description, "n_sets": len(table),
        "n_redundant": len(redundant), "n_synergistic": len(synergistic),
        "n_redundant_findings": count_findings(table, "redundant"),
        "n_synergistic_findings": count_findings(table, "synergistic"),
        "redundant": _records(redundant.head(TOP_ROWS)), "synergistic": _records(synergistic.head(TOP_ROWS)),
        "has_effects": not result.config.pool, "has_irreducible": "p_irreducible" in table.columns,
        "has_family": "family" in table.columns,
    }


def _difference_section(result: GroupStudyResult) -> dict[str, Any] | None:
    table = result.difference
    if table is None:
        return None
    cohort_a, cohort_b = table.attrs["cohort_a"], table.attrs["cohort_b"]
    shown = table.assign(direction_text=direction_texts(table)).sort_values(["q_value", "p_value"])
    rows = _records(shown.head(TOP_ROWS * 2))
    return {
        "cohort_a": cohort_a, "cohort_b": cohort_b, "rows": rows, "n_sets": len(table),
        "n_significant": int((table["label"] != "n.s.").sum()), "has_irreducible": "p_irreducible" in table.columns,
        "has_family": "family" in table.columns,
        "description": f"Difference {cohort_a} \u2212 {cohort_b} of O-information (nats): positive means more "
                       f"redundant (or less synergistic) in {cohort_a}; "
                       f"{table.attrs.get('test', 'permutation test')}"
                       + (f", {table.attrs['n_permutations']} permutations" if table.attrs.get("n_permutations")
                          else "") + ".",
    }


def _scale(values: Sequence[np.ndarray]) -> float:
    """Top of a colour scale shared by maps of one kind, at least MIN_SCALE_FLOORS floors."""
    top = max((float(np.nanmax(v)) for v in values if v.size and np.isfinite(v).any()), default=0.0)
    return max(top, MIN_SCALE_FLOORS * MAP_FLOOR_NATS)


def _direction_tables(result: GroupStudyResult) -> list[tuple[str, str, pd.DataFrame]]:
    """``(direction, kind, table)`` per significant direction of the difference: the sets of that
    direction labelled as the kind's sets with ``|o_info| = |difference|`` (for scores and graphs)."""
    difference = result.difference
    if difference is None:
        return []
    directions = direction_texts(difference)
    tables = []
    for text in [t for t in dict.fromkeys(directions) if t]:
        if "direction" in difference.columns:
            kind = "synergy" if "synergy" in text else "redundancy"
        else:  # older tables: A > B is higher O-information (warm colours), B > A lower (cool)
            kind = "redundancy" if text.startswith(f"{difference.attrs['cohort_a']} >") else "synergy"
        chosen = (directions == text).to_numpy()
        sign = 1.0 if kind == "redundancy" else -1.0
        columns = ["set", "order", "chosen_by", "p_value", "q_value", "family", "family_role"]
        table = difference.loc[:, [c for c in columns if c in difference.columns]].copy()
        table["o_info"] = sign * np.abs(difference["difference"].to_numpy(float))
        table["label"] = np.where(chosen, maps.KIND_LABELS[kind], "n.s.")
        tables.append((text, kind, table))
    return tables


def _figures(result: GroupStudyResult) -> tuple[list[dict[str, str]], list[dict[str, str]], list[str]]:
    """Map and graph figures, and one sentence per map that is not drawn, saying why."""
    if result.results is None:
        return [], [], ["Group maps are not drawn: there is no group result."]
    if not maps.has_coordinates(result.regions):
        return [], [], ["Group maps are not drawn: the regions have no MNI coordinates (tables without a sidecar)."]
    image = label_image(result)
    name = "Group pooled estimate" if result.config.pool else "Group mean"
    drawn: list[tuple[str, str, pd.DataFrame, str]] = [
        (f"{name}: {kind}", kind, result.results, f"{kind} (nats)") for kind in ("redundancy", "synergy")]
    drawn += [(f"Difference: {text}", kind, table, "summed |difference| (nats)")
              for text, kind, table in _direction_tables(result)]
    scores = [maps.region_scores(table, result.regions) for _, _, table, _ in drawn]
    scales = {kind: _scale([s[k].to_numpy(float) for (_, k, _, _), s in zip(drawn, scores) if k == kind])
              for kind in ("redundancy", "synergy")}
    map_items, graph_items, notes = [], [], []
    for (title, kind, table, label), score in zip(drawn, scores):
        n_sets = int((table["label"] == maps.KIND_LABELS[kind]).sum())
        n_found = count_findings(table, maps.KIND_LABELS[kind])
        if not (score[kind] > MAP_FLOOR_NATS).any():
            if n_sets:
                notes.append(f"{title}: {n_sets} labelled set{'s' if n_sets != 1 else ''}, but no region reaches "
                             f"{MAP_FLOOR_NATS:g} nats: not drawn.")
            continue
        what = "|difference| of O-information" if title.startswith("Difference") else "|O-information|"
        map_items.append(embedded(
            title, lambda s=score, k=kind, t=title, c=label: maps.plot_region_map(
                s, k, image, title=t, vmax=scales[k], floor=MAP_FLOOR_NATS, colorbar_label=c),
            f"Summed {what} (nats) of the {n_sets} labelled sets containing each region, each of the "
            f"{_plural(n_found, 'finding')} (families of nested labelled sets) counted once, by the largest of its "
            "sets holding the region; scale shared by the "
            f"{kind} maps of this report (0 to {scales[kind]:.3g}); regions at or below {MAP_FLOOR_NATS:g} nats "
            "are not drawn.",
        ))
        region_graph = graphs.project_region_graph(graphs.build_hypergraph(table, result.regions), kind)
        if region_graph.number_of_edges():
            graph_items.append(embedded(
                f"{title} graph", lambda g=region_graph, t=title: graphs.plot_connectome_figure(g, title=t),
                f"Regions of the labelled sets; edge weight: {what} (nats) of the sets sharing both regions, "
                "each finding (a family of nested labelled sets) once, by the largest of its sets holding both, "
                "and findings add.",
            ))
    return map_items, graph_items, notes


def uncleaned_tables(result: GroupStudyResult) -> dict[str, Any] | None:
    """The subjects whose region table, as analysed, looks uncleaned (:func:`uncleaned_signs`); None when none does.

    Only for studies of region tables: each subject's analysed series is read
    from its output folder (``<label>_timeseries.tsv``), so tables cleaned with
    ``--clean-table`` are judged after cleaning.  Returns ``subjects`` (labels),
    ``n_checked`` and ``sign`` (the first subject's first sign, as an example).
    """
    if not result.study.subjects or not all(s.kind == "table" for s in result.study.subjects):
        return None
    flagged, signs, checked = [], [], 0
    for row in subject_table(result).itertuples(index=False):
        path = Path(str(row.folder)) / f"{row.subject}_timeseries.tsv"
        if row.status == "failed" or not path.is_file():
            continue
        checked += 1
        found = uncleaned_signs(pd.read_csv(path, sep="\t"))
        if found:
            flagged.append(str(row.subject))
            signs.append(found[0])
    return {"subjects": flagged, "n_checked": checked, "sign": signs[0]} if flagged else None


def _subject_rows(result: GroupStudyResult, report_path: Path) -> list[dict[str, Any]]:
    rows = [_clean(r) for r in subject_table(result).to_dict(orient="records")]
    for row in rows:
        if row["report"]:
            target = Path(row["folder"]) / row["report"]
            row["report"] = Path(os.path.relpath(target, report_path.parent)).as_posix()
    return rows


def applied_parameters(result: GroupStudyResult) -> list[tuple[str, str]]:
    """The settings that applied to this study, flattened: the ``[group]`` table with the cohort column
    actually used, and the pipeline sections that ran (no extraction or input selection for table inputs,
    no engine options for a closed-form estimator, no pooling settings without ``--pool``)."""
    document = result.config.to_dict()
    group = dict(document.pop("group"))
    group["cohort_column"] = result.study.cohort_column or ""
    if not result.config.pool:
        group.pop("n_surrogates", None)
    group.pop("cluster", None)
    if all(s.kind == "table" for s in result.study.subjects):
        document.pop("extraction", None)
        document.pop("inputs", None)
    estimation = document.get("estimation")
    if isinstance(estimation, Mapping) and estimation.get("estimator") != "fmmi":
        document["estimation"] = {k: v for k, v in estimation.items() if k != "fmmi"}
    return flatten_parameters({"group": group, **document})


def _methods(result: GroupStudyResult, versions: Mapping[str, str]) -> dict[str, Any]:
    references = [REFERENCES["rosas2019"]]
    config = result.config
    cited = "[1]"
    text = [f"Each of {len(result.succeeded)} subjects was run through the single-subject fmri-oinfo pipeline on a "
            f"common list of {len(result.sets):,} candidate sets ({config.candidate_source} of the subjects' "
            f"candidates), and the O-information {cited} of every set was estimated with the {config.estimator} "
            "estimator."]
    if config.pool:
        text.append("The subjects' z-scored time series were concatenated and O-information was estimated once on "
                    "the pooled data and tested with surrogates (fixed effects: the inference concerns these "
                    "subjects).")
    if result.results is not None:
        text.append(f"Group test: {result.results.attrs.get('test', 'group test')}"
                    + (f" ({result.results.attrs['n_permutations']} permutations)"
                       if result.results.attrs.get("n_permutations") else "") + ".")
    if result.difference is not None:
        attrs = result.difference.attrs
        text.append(f"Between cohorts ({attrs['cohort_a']} vs {attrs['cohort_b']}, from the "
                    f"\u201c{result.study.cohort_column}\u201d column): {attrs.get('test', 'permutation test')}"
                    + (f" ({attrs['n_permutations']} permutations)" if attrs.get("n_permutations") else "") + ".")
    references.append(REFERENCES["benjamini1995"])
    text.append(f"q-values are Benjamini-Hochberg [2] across sets; sets with q < {config.alpha:g} are labelled.")
    software = [f"{name} {versions[name]}" for name in ("fmri-oinfo", "python", "numpy", "scipy", "nilearn",
                                                        "dask") if versions.get(name)]
    text.append("Software: " + ", ".join(software) + ".")
    return {"text": " ".join(text), "references": references}


def _files(result: GroupStudyResult, report_path: Path, files: Mapping[str, Path] | None) -> list[dict[str, str]]:
    if files is None:
        folder = result.out_dir / "group"
        paths = sorted(p for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []
    else:
        paths = sorted(Path(p) for p in files.values())
    return [{"href": Path(os.path.relpath(p, report_path.parent)).as_posix(), "what": p.name}
            for p in paths if p.resolve() != report_path.resolve()]


def group_report_html(result: GroupStudyResult, report_path: str | os.PathLike,
                      files: Mapping[str, Path] | None = None, warnings: Sequence[str] = ()) -> str:
    """The group report as one HTML string (links are relative to ``report_path``).

    Parameters
    ----------
    result : GroupStudyResult
    report_path : str or path-like
    files : mapping of str to pathlib.Path or None
        Group output files to link; those in ``<out>/group/`` when None.
    warnings : sequence of str
        Warnings of the study, shown with its notes.
    """
    report_path = Path(report_path)
    subjects = _subject_rows(result, report_path)
    used = set(result.succeeded)
    cohorts = []
    for name in result.study.cohorts:
        members = [s.label for s in result.study.subjects if s.cohort == name]
        cohorts.append((name, len(members), sum(m in used for m in members)))
    map_items, graph_items, map_notes = _figures(result)
    versions = package_versions()
    tables = all(s.kind == "table" for s in result.study.subjects)
    variables = {
        "title": f"O-information group report: {result.study.root.name}",
        "sections": GROUP_SECTIONS,
        "findings": _findings(result),
        "cohort": {
            "n_subjects": len(result.study.subjects), "n_used": len(used),
            "n_cached": sum(r["status"] == "cached" for r in subjects), "n_failed": len(result.failures),
            "n_sets": len(result.sets), "candidate_source": result.config.candidate_source,
            "mode": "pooled (fixed effects)" if result.config.pool else "per-subject estimation, group statistics",
            "estimator": result.config.estimator, "seconds": result.seconds,
            "cohorts": cohorts, "cohort_column": result.study.cohort_column or "",
            "atlas": "" if tables else result.config.pipeline.extraction.atlas,
            "inputs": "region tables" if tables else "images", "tables": tables,
        },
        "notes": list(result.notes),
        "uncleaned": uncleaned_tables(result),
        "warnings": [str(w) for w in warnings],
        "failures": [{"subject": o.subject, "step": o.step, "error": o.error} for o in result.failures],
        "subjects": subjects,
        "results": _results_section(result),
        "difference": _difference_section(result),
        "maps": map_items,
        "graph_figures": graph_items,
        "graph_note": ("No group graph is drawn: the regions have no MNI coordinates (tables without a sidecar)."
                       if not maps.has_coordinates(result.regions) else
                       "No group graph is drawn: no labelled set was drawn on a map."),
        "family_shown": FAMILY_SHOWN,
        "top_findings": TOP_FINDINGS,
        "map_notes": map_notes,
        "alpha": result.config.alpha,
        "ci_label": f"{100 * (1 - result.config.alpha):g}% CI",
        "meanings": {**glossary.GROUP_COLUMNS, "set": glossary.meaning("set"), "finding": glossary.meaning("finding")},
        "methods": _methods(result, versions),
        "files": _files(result, report_path, files),
        "parameters": applied_parameters(result),
        "versions": versions,
    }
    return group_environment().get_template("group.html").render(**variables)


def write_group_report(result: GroupStudyResult, path: str | os.PathLike | None = None,
                       files: Mapping[str, Path] | None = None, warnings: Sequence[str] | None = None) -> Path:
    """Write the group report atomically (default ``<out>/group/group_report.html``).

    ``files`` (group outputs to link; the group folder's files when None) and
    ``warnings`` (shown in the report) are optional.
    """
    path = Path(path) if path is not None else result.out_dir / "group" / "group_report.html"
    if path.suffix != ".html":
        raise ValueError(f"path={str(path)!r} must end with .html.")
    document = group_report_html(result, path, files, list(warnings or []))
    written = write_text_atomically(path, document)
    logger.info("wrote the group report %s (%.1f MB)", written, len(document.encode("utf-8")) / 1e6)
    return written
