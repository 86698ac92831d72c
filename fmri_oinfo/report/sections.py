"""Template variables of each section of the subject report, figures drawn and embedded.

One function per section; :func:`fmri_oinfo.report.render.report_variables`
calls them in page order.  A figure that cannot be drawn becomes a short
error note (:func:`embedded`); a figure with nothing to show is not drawn,
and the section says why in one sentence.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from fmri_oinfo import graphs, maps
from fmri_oinfo.report import figures, qc
from fmri_oinfo.report.context import ReportContext
from fmri_oinfo.report.findings import (
    FAMILY_SHOWN,
    KINDS,
    beyond_fc_summary,
    family_heads,
    labelled_sets,
    set_rows,
    summary_sentence,
)

logger = logging.getLogger(__name__)

#: Labelled sets per kind shown as cards, each with its own glass brain, in the findings.
FINDINGS_PER_KIND = 3


def embedded(title: str, draw: Callable[[], Any], caption: str = "", image_format: str = "png",
             dpi: int = 100) -> dict[str, str]:
    """Draw one figure into a data URI; on failure keep a note instead of the image."""
    try:
        uri = figures.figure_to_data_uri(draw(), dpi=dpi, image_format=image_format)
        return {"title": title, "uri": uri, "caption": caption, "error": ""}
    except Exception as error:  # a broken figure must not lose the whole report
        logger.warning("Figure %r could not be drawn: %s", title, error)
        return {"title": title, "uri": "", "caption": caption, "error": f"{type(error).__name__}: {error}"}


def json_for_script(value: Any) -> str:
    """JSON that is safe inside ``<script type="application/json">`` (no ``<``, ``>``, ``&``)."""
    text = json.dumps(value, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def parameter_alpha(parameters: Mapping[str, Any]) -> float | None:
    """``statistics.alpha`` of the run's parameters, when recorded."""
    statistics = parameters.get("statistics")
    alpha = statistics.get("alpha") if isinstance(statistics, Mapping) else None
    return float(alpha) if isinstance(alpha, (int, float)) and not isinstance(alpha, bool) else None


def where_columns(regions: pd.DataFrame, placed: bool) -> dict[str, bool]:
    """Which member details the region table has: ``network``, ``anatomy``, ``coordinates``."""
    return {"network": bool((regions["network"].astype(str) != "").any()),
            "anatomy": placed or "anatomy" in regions.columns, "coordinates": placed}


def findings_section(context: ReportContext, results: pd.DataFrame, regions: pd.DataFrame,
                     placed: bool) -> dict[str, Any]:
    """The summary sentence and a card per top labelled set, with a small glass brain of its members."""
    summary = summary_sentence(results, alpha=parameter_alpha(context.parameters))
    cards = []
    for label, kind in KINDS:
        for row in set_rows(family_heads(results, label, FINDINGS_PER_KIND), regions, results):
            members = pd.DataFrame(row["members"])
            row["figure"] = embedded(
                f"{label} set {row['rank']}",
                lambda m=members, k=kind: figures.mark_sides(maps.plot_set_members(m, maps.KIND_COLORS[k])), dpi=80,
            ) if placed else None
            row["kind"] = kind
            cards.append(row)
    attrs = results.attrs
    return {**summary, "cards": cards, "where": where_columns(regions, placed), "family_shown": FAMILY_SHOWN,
            "alpha": attrs.get("alpha", parameter_alpha(context.parameters)),
            "error_rate": attrs.get("error_rate") or "FDR", "estimator": attrs.get("estimator", ""),
            # tables written before 'reachable' meant "some set can be labelled" said False beside labelled sets
            "reachability_note": "" if attrs.get("reachable", True) or summary["n_labelled"]
            else str(attrs.get("reachability_note", "")),
            "units": attrs.get("units", "nats"), "n_warnings": len(context.warnings),
            "label_ci_level": attrs.get("label_ci_level"), "min_effect": attrs.get("min_effect"),
            "has_label_interval": "label_ci_low" in results.columns and bool(results["label_ci_low"].notna().any()),
            "beyond_fc": beyond_fc_section(context, results, regions, placed)}


def beyond_fc_section(context: ReportContext, results: pd.DataFrame, regions: pd.DataFrame,
                      placed: bool) -> dict[str, Any] | None:
    """The beyond-FC subsection of the findings: the summary of :func:`beyond_fc_summary`, region maps and
    region graphs of the sets labelled beyond functional connectivity (each beyond-FC family once), or why none
    are shown.  None when the table has no excess (no FMMI)."""
    summary = beyond_fc_summary(results)
    if summary is None:
        return None
    items: list[dict[str, str]] = []
    skipped = ""
    if not summary["n_beyond"]:
        skipped = ("no beyond-FC map or graph was written: no set is labelled beyond functional connectivity, so "
                   "every region's beyond-FC score is zero")
    elif not (placed or context.label_image is not None):
        skipped = (f"beyond-FC brain maps and graph figures are not drawn, for want of coordinates: "
                   f"{context.no_coordinates_reason}; the beyond-FC graphs are in the GraphML files (Output files)")
    else:
        scores = maps.beyond_fc_scores(results, regions)
        hypergraph = graphs.build_beyond_fc_hypergraph(results, regions)
        for kind in ("synergy", "redundancy"):
            column = f"{kind}_beyond_fc"
            if not (scores[f"n_{column}"] > 0).any():
                continue
            items.append(embedded(
                f"Region {kind} beyond FC",
                lambda kind=kind, column=column: maps.plot_region_map(
                    scores, kind, context.label_image, column=column,
                    title=f"Region {kind} beyond FC (|excess| of its families, each once)",
                    colorbar_label=f"{kind} beyond FC (nats)"),
                f"|excess| (nats; FMMI's O-information less its Gaussian-copula part) of the sets labelled "
                f"{maps.BEYOND_FC_LABELS[kind]} that contain each region: each family (nested sets with that label) "
                "counts once, by its largest |excess| among its sets holding the region; families add"
                + ("" if context.label_image is not None else "; regions drawn as markers") + ".",
            ))
            graph = graphs.project_beyond_fc_graph(hypergraph, kind)
            if placed and graph.number_of_edges():
                items.append(embedded(
                    f"{kind.capitalize()} beyond FC graph",
                    lambda g=graph: graphs.plot_connectome_figure(g),
                    f"Regions of the sets labelled {maps.BEYOND_FC_LABELS[kind]}. Edge colour and width: |excess| "
                    "(nats) of the beyond-FC families holding both regions, each family once; node size: region "
                    "score; colour: network.",
                ))
    return {**summary, "figures": items, "skipped": skipped}


def sets_section(context: ReportContext, results: pd.DataFrame, regions: pd.DataFrame) -> dict[str, Any]:
    """Rows of the tables of labelled redundant and synergistic sets, and which columns they have."""
    tables = {}
    for label, _kind in KINDS:
        labelled = labelled_sets(results, label)
        tables[label] = {"rows": set_rows(labelled.head(context.top_n), regions, results), "total": len(labelled)}
    columns = set(results.columns)
    label_ci = {"label_ci_low", "label_ci_high"} <= columns and bool(results["label_ci_low"].notna().any())
    return {
        "tables": tables, "top_n": context.top_n, "where": where_columns(regions, maps.has_coordinates(regions)),
        "has_ci": label_ci or ({"ci_low", "ci_high"} <= columns and bool(results["ci_low"].notna().any())),
        "label_ci": label_ci, "label_ci_level": results.attrs.get("label_ci_level"),
        "has_ratio": "o_info_ratio" in columns,
        "has_family": "family" in columns,
        "has_se": "o_info_se" in columns and bool(results["o_info_se"].notna().any()),
        "has_inference": "inference" in columns,
        "has_irreducible": "p_irreducible" in columns,
        "has_carriers": "carriers" in columns,
        "has_fmmi": "o_info_fmmi" in columns,
        "ci_level": results.attrs.get("ci_level", 0.95),
    }


def maps_section(context: ReportContext, scores: pd.DataFrame, placed: bool, n_labelled: int) -> dict[str, Any]:
    """Glass-brain maps of the region scores (labelled sets only) and the table of scored regions."""
    items = []
    drawable = placed or context.label_image is not None
    skipped = ""
    if not drawable:
        skipped = f"brain maps are not drawn: no coordinates: {context.no_coordinates_reason}"
    elif not n_labelled:
        skipped = "brain maps are not drawn: no set is labelled, so every region score is zero"
    for kind in ("redundancy", "synergy") if drawable else ():
        if not (scores[kind] > 0).any():
            continue
        items.append(embedded(
            f"Region {kind}",
            lambda kind=kind: maps.plot_region_map(scores, kind, context.label_image),
            f"|O-information| (nats) of the labelled {maps.KIND_LABELS[kind]} findings containing each region: "
            "each family of nested sets counts once (its largest |O| among its sets holding the region), "
            "families add"
            + ("" if context.label_image is not None else "; regions drawn as markers") + ".",
        ))
    surface = context.label_image is not None and context.atlas_kind() != "spheres"
    for kind in ("redundancy", "synergy") if surface else ():
        if not (scores[kind] > 0).any():
            continue
        items.append(embedded(
            f"Region {kind} on the cortical surface",
            lambda kind=kind: maps.plot_surface_map(context.label_image, scores[kind].to_numpy(), kind),
            "Projection on fsaverage5; regions that do not reach the cortex are not visible here.",
        ))
    involved = scores[(scores["n_redundant"] > 0) | (scores["n_synergistic"] > 0)]
    ranked = involved.sort_values("net_o_info", key=np.abs, ascending=False)
    has_gradient = bool(scores["mean_gradient"].notna().any())
    return {"figures": items, "scores": ranked.to_dict(orient="records"), "has_gradient": has_gradient,
            "has_anatomy": "anatomy" in scores.columns, "skipped": skipped, "sphere_note": bool(items) and context.label_image is not None and not surface,
            "n_regions": len(scores)}


def graphs_section(context: ReportContext, placed: bool, n_labelled: int) -> dict[str, Any]:
    """Connectome figures and 3-D views of the region graphs, labelled regions only."""
    hypergraph = graphs.build_hypergraph(context.results, context.regions)
    items, views = [], []
    skipped = ""
    if not placed:
        skipped = f"connectome figures and 3-D views are not drawn: no coordinates: {context.no_coordinates_reason}"
    elif not n_labelled:
        skipped = "connectome figures and 3-D views are not drawn: no set is labelled"
    for kind in ("redundancy", "synergy") if placed and n_labelled else ():
        region_graph = graphs.project_region_graph(hypergraph, kind)
        if not region_graph.number_of_edges():
            continue
        items.append(embedded(
            f"{kind.capitalize()} graph",
            lambda g=region_graph: graphs.plot_connectome_figure(g),
            f"Regions of the labelled {maps.KIND_LABELS[kind]} sets. Edge colour and width: |O-information| (nats) "
            "of the labelled findings holding both regions, each family of nested sets once (its largest |O| among "
            "its sets holding both), findings added; node size: region score; colour: network.",
        ))
        if not context.interactive:
            continue
        title = f"{kind.capitalize()} graph, interactive 3-D view"
        try:
            if context.full_views:
                views.append({"title": title, "html": graphs.view_connectome_html(region_graph), "data": "",
                              "error": ""})
            else:
                data = graphs.light_view(region_graph)
                views.append({"title": title, "html": "", "data": json_for_script(data), "legend": data["legend"],
                              "colorbar": data["colorbar"], "vmax": data["vmax"], "error": "",
                              "id": f"view-{kind}", "n_nodes": len(data["nodes"])})
        except Exception as error:  # keep the report when the view fails
            logger.warning("Interactive %s view could not be built: %s", kind, error)
            views.append({"title": title, "html": "", "data": "", "error": f"{type(error).__name__}: {error}"})
    n_sets = sum(1 for _, d in hypergraph.nodes(data=True) if d["kind"] == "set")
    light = any(view.get("data") for view in views)
    return {"figures": items, "views": views, "n_set_nodes": n_sets, "skipped": skipped,
            "outline": json_for_script(graphs.brain_outline()) if light else ""}


def _coverage_summary(regions: pd.DataFrame, region_qc: Mapping[str, Any]) -> dict[str, Any] | None:
    coverage = {name: (region_qc.get(name) or {}).get("coverage") for name in regions["name"]}
    known = {name: float(value) for name, value in coverage.items() if value is not None}
    if not known:
        return None
    partial = sorted((value, name) for name, value in known.items() if value < 0.999)
    return {"n_regions": len(known), "n_partial": len(partial),
            "partial": [{"name": name, "coverage": value} for value, name in partial]}


def quality_section(context: ReportContext, regions: pd.DataFrame) -> dict[str, Any]:
    """QC figures and tables: atlas overlay, coverage, tSNR, FD, carpet, correlation, censoring, dropped."""
    extraction = context.extraction or {}
    region_qc = extraction.get("region_qc") or {}
    runs = context.runs()
    networks = None
    if context.timeseries is not None and list(map(str, context.timeseries.columns)) == regions["name"].tolist():
        networks = regions["network"].tolist() if (regions["network"] != "").any() else None
    threshold = (extraction.get("cleaning") or {}).get("fd_threshold")
    items = []
    if context.label_image is not None and (context.mean_image is not None or context.mask_image is not None):
        background = "the mean EPI" if context.mean_image is not None else "the brain mask"
        items.append(embedded(
            "Atlas over the data",
            lambda: qc.atlas_overlay_figure(context.label_image, context.mean_image, context.mask_image,
                                            f"Atlas regions over {background}"),
            f"Each colour is one region of the atlas, drawn over {background}"
            + (" with the brain mask outlined in yellow" if context.mean_image is not None
               and context.mask_image is not None else "") + ": check that the regions sit in the brain.",
        ))
    tsnr = [(region_qc.get(name) or {}).get("tsnr") for name in regions["name"]]
    if any(v is not None for v in tsnr):
        items.append(embedded(
            "Temporal SNR per region", lambda: qc.tsnr_figure(regions, tsnr),
            "Mean over standard deviation of each region's raw (uncleaned, linearly detrended) signal; low "
            "values flag regions with signal loss or little brain tissue.",
        ))
    fd = {run["name"]: run["framewise_displacement"] for run in runs if run["framewise_displacement"] is not None}
    table_input = bool(extraction) and extraction.get("atlas") is None
    signals = "signal as given" if table_input else "cleaned signal"
    kept = sum(r["n_volumes"] - len(r["censored_volumes"]) for r in runs)
    aligned = runs if context.timeseries is not None and runs and kept == len(context.timeseries) else None
    # FD of every acquired volume, when each run has it: drawn above the carpet, on its time axis
    carpet_fd = ([v for r in runs for v in r["framewise_displacement"]]
                 if aligned and len(fd) == len(runs)
                 and all(len(r["framewise_displacement"]) == r["n_volumes"] for r in runs) else None)
    if fd and carpet_fd is None:
        items.append(embedded(
            "Framewise displacement",
            lambda: qc.framewise_displacement_figure(fd, {r["name"]: r["censored_volumes"] for r in runs},
                                                     threshold, context.t_r),
            "Head motion between consecutive volumes (from the confounds table)"
            + (f"; dashed line: the censoring threshold {threshold:g} mm" if threshold else "")
            + ("; censored volumes in magenta" if any(r["censored_volumes"] for r in runs) else "")
            + ("; runs separated by black lines" if len(fd) > 1 else "") + ".",
        ))
    if context.timeseries is not None:
        items.append(embedded(
            "Carpet plot with framewise displacement and DVARS" if carpet_fd else "Carpet plot with DVARS",
            lambda: qc.carpet_figure(context.timeseries, networks, aligned, context.t_r, carpet_fd, threshold),
            ("Top: framewise displacement (head motion between volumes, from the confounds table"
             + (f"; dashed: the censoring threshold {threshold:g} mm" if threshold else "") + "); " if carpet_fd
             else "Top: ")
            + "DVARS of the region signals (root mean square over regions of the change from the previous "
            "volume, in standard deviations), on the carpet's time axis. "
            f"Carpet: each row is one region's {signals} (z-scored)"
            + (", grouped by network (colour strip)" if networks is not None else "")
            + ("; censored volumes in magenta, where they were acquired"
               if aligned and any(r["censored_volumes"] for r in runs) else "") + ".",
            image_format="jpeg",
        ))
        items.append(embedded(
            "Region correlation matrix",
            lambda: qc.correlation_figure(context.timeseries, networks),
            f"Pearson correlation of each region's {signals}"
            + (", regions grouped by network" if networks is not None else "") + ".",
            image_format="jpeg",
        ))
    censored = []
    for run in runs:
        total = run["n_volumes"]
        count = len(run["censored_volumes"])
        censored.append({"run": run["name"], "count": count, "total": total,
                         "share": 100.0 * count / total if total else 0.0,
                         "volumes": ", ".join(map(str, run["censored_volumes"]))})
    if not runs:
        censored = [{"run": run, "count": len(v), "total": None, "share": None, "volumes": ", ".join(map(str, v))}
                    for run, v in context.censored_by_run().items()]
    return {
        "figures": items,
        "motion": qc.motion_summary(fd, threshold) if fd else [],
        "coverage": _coverage_summary(regions, region_qc),
        "censored": censored,
        "dropped": context.dropped_list(),
        "n_volumes": len(context.timeseries) if context.timeseries is not None else None,
        "source_files": [str(f) for f in context.source_files],
        "confound_strategy": context.confound_strategy,
        "t_r": context.t_r,
        "table_input": table_input,
    }


def statistics_section(context: ReportContext, results: pd.DataFrame) -> dict[str, Any]:
    """O-information by order and the null distributions of the strongest and borderline sets."""
    alpha = results.attrs.get("alpha", parameter_alpha(context.parameters))
    nulls: dict[str, Any] = {"figure": None, "n_sets": 0, "n_surrogates": 0}
    if context.null_distributions is not None and len(results):
        by_row = figures.null_values_by_row(results, context.null_distributions)
        nulls["n_sets"] = len(by_row)
        nulls["n_surrogates"] = int(np.median([v.size for v in by_row.values()])) if by_row else 0
        if by_row:
            nulls["figure"] = embedded(
                "Null distributions",
                lambda: figures.null_distribution_figure(results, context.null_distributions, alpha=alpha),
                "Surrogate O-information (grey) and the observed value (line) of the strongest labelled sets and "
                "of the borderline sets, whose q-value lies nearest to the label level; #: rank in the set tables.",
            )
    orders = None
    if len(results):
        orders = embedded("O-information by order", lambda: figures.oinfo_by_order_figure(results),
                          "Every tested set; colour gives its label.")
    return {"orders": orders, "nulls": nulls}
