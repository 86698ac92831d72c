"""Render the self-contained HTML report with jinja2.

Templates live in ``fmri_oinfo/report/templates``: ``base.html`` (page, style,
navigation, the small table-sorting script; blocks ``title``, ``header`` and
``content``), ``macros.html`` (figure, key-value table, set table, note) and
``subject.html`` (the subject report).  A group report can extend
``base.html`` and import ``macros.html`` through :func:`render_template`.

Autoescaping is on: region names, file names and parameters from the user
are escaped.  Figures are embedded as base64 PNG, interactive views as
``iframe srcdoc``; the page loads nothing from the network.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import jinja2
import numpy as np
import pandas as pd

from fmri_oinfo import graphs, maps
from fmri_oinfo.atomic import write_text_atomically
from fmri_oinfo.report import figures
from fmri_oinfo.report.context import ReportContext

logger = logging.getLogger(__name__)

TEMPLATE_DIR = Path(__file__).parent / "templates"

#: Sections of the subject report: (anchor id, heading), in page order.
SUBJECT_SECTIONS: tuple[tuple[str, str], ...] = (
    ("summary", "Summary"),
    ("quality", "Inputs and quality control"),
    ("atlas", "Atlas"),
    ("method", "Method and parameters"),
    ("sets", "Top redundant and synergistic sets"),
    ("maps", "Redundancy and synergy maps"),
    ("graphs", "Graphs"),
    ("orders", "O-information by order"),
    ("nulls", "Null distributions"),
)


def report_environment() -> jinja2.Environment:
    """The jinja2 environment over the packaged templates (autoescape on, strict undefined)."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_template(name: str, **variables: Any) -> str:
    """Render one packaged template (e.g. a group report extending ``base.html``).

    Parameters
    ----------
    name : str
        Template file name in ``fmri_oinfo/report/templates``.
    **variables
        Template variables.

    Returns
    -------
    str
        The HTML document.
    """
    return report_environment().get_template(name).render(**variables)


def flatten_parameters(parameters: Mapping[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    """Flatten nested parameters into ``(dotted.key, value)`` rows for display."""
    rows: list[tuple[str, str]] = []
    for key, value in parameters.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            rows.extend(flatten_parameters(value, prefix=f"{name}."))
        else:
            rows.append((name, str(value)))
    return rows


def _embedded(title: str, draw: Callable[[], Any], caption: str = "") -> dict[str, str]:
    """Draw one figure into a data URI; on failure keep a note instead of the image."""
    try:
        return {"title": title, "uri": figures.figure_to_data_uri(draw()), "caption": caption, "error": ""}
    except Exception as error:  # a broken figure must not lose the whole report
        logger.warning("Figure %r could not be drawn: %s", title, error)
        return {"title": title, "uri": "", "caption": caption, "error": f"{type(error).__name__}: {error}"}


def _set_rows(table: pd.DataFrame, regions: pd.DataFrame) -> list[dict[str, Any]]:
    network = dict(zip(regions["name"], regions["network"]))
    rows = []
    for rank, record in enumerate(table.to_dict(orient="records"), start=1):
        members = list(record["set"])
        rows.append({
            "rank": rank,
            "members": members,
            "networks": sorted({network.get(m, "") for m in members} - {""}),
            "order": int(record.get("order", len(members))),
            "chosen_by": str(record.get("chosen_by", "")),
            **{c: float(record[c]) if c in record and pd.notna(record[c]) else None
               for c in ("o_info", "o_info_se", "ci_low", "ci_high", "p_value", "q_value")},
            "label": record["label"],
        })
    return rows


def top_sets(results: pd.DataFrame, label: str, top_n: int) -> pd.DataFrame:
    """The ``top_n`` sets with ``label``: most positive first for redundant, most negative for synergistic."""
    subset = results[results["label"] == label]
    return subset.sort_values("o_info", ascending=(label == "synergistic")).head(top_n)


def _summary(context: ReportContext, results: pd.DataFrame) -> dict[str, Any]:
    counts = results.groupby(["order", "label"]).size().unstack(fill_value=0)
    by_order = [
        {"order": int(order), **{label: int(counts.loc[order].get(label, 0))
                                 for label in ("redundant", "synergistic", "n.s.")}}
        for order in counts.index
    ]
    return {
        "n_regions": len(context.regions),
        "n_sets": len(results),
        "n_redundant": int((results["label"] == "redundant").sum()),
        "n_synergistic": int((results["label"] == "synergistic").sum()),
        "by_order": by_order,
        "chosen_by": sorted(results["chosen_by"].astype(str).unique()) if "chosen_by" in results else [],
    }


def _quality(context: ReportContext) -> dict[str, Any]:
    censored = context.censored_by_run()
    all_censored = sorted({v for volumes in censored.values() for v in volumes})
    items = []
    if context.timeseries is not None:
        networks = None
        if list(map(str, context.timeseries.columns)) == context.regions["name"].tolist():
            networks = context.regions["network"].tolist()
        items.append(_embedded(
            "Carpet plot",
            lambda: figures.carpet_figure(context.timeseries, networks, all_censored, context.t_r),
            "Each row is one region's time series (z-scored), grouped by network; censored volumes in orange.",
        ))
    if context.framewise_displacement is not None:
        items.append(_embedded(
            "Framewise displacement",
            lambda: figures.framewise_displacement_figure(context.framewise_displacement, all_censored, context.t_r),
            "Head motion between consecutive volumes; censored volumes in orange.",
        ))
    n_volumes = len(context.timeseries) if context.timeseries is not None else None
    return {
        "figures": items,
        "censored": [{"run": run, "count": len(v), "volumes": ", ".join(map(str, v))} for run, v in censored.items()],
        "dropped": context.dropped_list(),
        "n_volumes": n_volumes,
        "source_files": [str(f) for f in context.source_files],
        "confound_strategy": context.confound_strategy,
        "t_r": context.t_r,
    }


def _maps(context: ReportContext, scores: pd.DataFrame, placed: bool) -> dict[str, Any]:
    items = []
    drawable = placed or context.label_image is not None
    for kind in ("redundancy", "synergy") if drawable else ():
        items.append(_embedded(
            f"Region {kind}",
            lambda kind=kind: maps.plot_region_map(scores, kind, context.label_image),
            f"Sum of |O-information| (nats) of the significant {maps.KIND_LABELS[kind]} sets containing "
            "each region" + ("" if context.label_image is not None else "; regions drawn as markers") + ".",
        ))
    if context.label_image is not None:
        for kind in ("redundancy", "synergy"):
            items.append(_embedded(
                f"Region {kind} on the cortical surface",
                lambda kind=kind: maps.plot_surface_map(context.label_image, scores[kind].to_numpy(), kind),
                "Projection on fsaverage5; regions that do not reach the cortex are not visible here.",
            ))
    top = scores.sort_values("net_o_info", key=np.abs, ascending=False)
    columns = ["name", "network", "redundancy", "synergy", "net_o_info", "n_redundant", "n_synergistic",
               "mean_gradient"]
    return {"figures": items, "scores": top.loc[:, columns].to_dict(orient="records"),
            "skipped": "" if drawable else f"no coordinates: {context.no_coordinates_reason}"}


def _graphs(context: ReportContext, placed: bool) -> dict[str, Any]:
    hypergraph = graphs.build_hypergraph(context.results, context.regions)
    items, views = [], []
    for kind in ("redundancy", "synergy") if placed else ():
        region_graph = graphs.project_region_graph(hypergraph, kind)
        items.append(_embedded(
            f"{kind.capitalize()} graph",
            lambda g=region_graph: graphs.plot_connectome_figure(g),
            f"Edge weight: summed |O-information| (nats) of the significant {maps.KIND_LABELS[kind]} sets "
            "sharing both regions; node size: region score; colour: network.",
        ))
        if context.interactive and region_graph.number_of_edges():
            try:
                views.append({"title": f"{kind.capitalize()} graph, interactive 3-D view",
                              "html": graphs.view_connectome_html(region_graph), "error": ""})
            except Exception as error:  # keep the report when the view fails
                logger.warning("Interactive %s view could not be built: %s", kind, error)
                views.append({"title": f"{kind.capitalize()} graph, interactive 3-D view", "html": "",
                              "error": f"{type(error).__name__}: {error}"})
    n_sets = sum(1 for _, d in hypergraph.nodes(data=True) if d["kind"] == "set")
    return {"figures": items, "views": views, "n_set_nodes": n_sets,
            "skipped": "" if placed else f"no coordinates: {context.no_coordinates_reason}"}


def report_variables(context: ReportContext) -> dict[str, Any]:
    """Template variables of the subject report, figures drawn and embedded.

    Parameters
    ----------
    context : ReportContext

    Returns
    -------
    dict
        Variables for ``subject.html``.
    """
    scores = maps.region_scores(context.results, context.regions)
    regions = maps.check_regions(context.regions, require_coordinates=False)
    placed = maps.has_coordinates(regions)
    results = maps.check_results(context.results, regions["name"].tolist())
    nulls: dict[str, Any] = {"figure": None, "n_sets": 0, "n_surrogates": 0}
    if context.null_distributions is not None:
        by_row = figures.null_values_by_row(results, context.null_distributions)
        nulls["n_sets"] = len(by_row)
        nulls["n_surrogates"] = int(np.median([v.size for v in by_row.values()])) if by_row else 0
        nulls["figure"] = _embedded(
            "Null distributions",
            lambda: figures.null_distribution_figure(results, context.null_distributions),
            "Surrogate O-information (grey) against the observed value of the most redundant and most "
            "synergistic sets" + (" (o_info_test: the value of the null's estimator)."
                                  if "o_info_test" in results.columns else "."),
        )
    return {
        "title": context.title or f"O-information report: {context.subject}",
        "subject": context.subject,
        "generated": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "sections": SUBJECT_SECTIONS,
        "summary": _summary(context, results),
        "quality": _quality(context),
        "atlas": {
            "name": context.atlas,
            "n_regions": len(regions),
            "networks": regions.groupby("network", sort=True).size().to_dict(),
            "regions": regions.astype(object).where(regions.notna(), None).to_dict(orient="records"),
            "has_image": context.label_image is not None,
            "has_coordinates": placed,
            "no_coordinates_reason": context.no_coordinates_reason,
        },
        "parameters": flatten_parameters(context.parameters),
        "versions": context.versions(),
        "redundant": _set_rows(top_sets(results, "redundant", context.top_n), regions),
        "synergistic": _set_rows(top_sets(results, "synergistic", context.top_n), regions),
        "top_n": context.top_n,
        "maps": _maps(context, scores, placed),
        "graphs": _graphs(context, placed),
        "orders": _embedded("O-information by order", lambda: figures.oinfo_by_order_figure(results),
                            "Every tested set; colour gives the label after FDR correction."),
        "nulls": nulls,
    }


def render_report_html(context: ReportContext) -> str:
    """Render the subject report as one HTML string (see :func:`render_report`)."""
    return render_template("subject.html", **report_variables(context))


def render_report(context: ReportContext, path: str | os.PathLike) -> Path:
    """Write the self-contained HTML report of one subject atomically.

    Parameters
    ----------
    context : ReportContext
        Results, regions, atlas, QC inputs and parameters.
    path : str or path-like
        Output file, ending with ``.html``.

    Returns
    -------
    pathlib.Path
        ``path``; nothing is written when rendering fails.
    """
    if not str(path).endswith(".html"):
        raise ValueError(f"path={str(path)!r} must end with .html.")
    document = render_report_html(context)
    written = write_text_atomically(path, document)
    logger.info("Wrote report %s (%.1f MB).", written, len(document.encode("utf-8")) / 1e6)
    return written
