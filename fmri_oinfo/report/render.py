"""Render the self-contained HTML report with jinja2.

Templates live in ``fmri_oinfo/report/templates``: ``base.html`` (page, style,
navigation, the small table-sorting script; blocks ``title``, ``header`` and
``content``), ``macros.html`` (figure, key-value table, set table, note) and
``subject.html`` (the subject report, which includes ``timecourse.html``, the
"Over time" section, and ``contrast_findings.html``, the task contrasts in the
findings: :mod:`fmri_oinfo.report.timecourse`).  A group report can extend
``base.html`` and import ``macros.html`` through :func:`render_template`.

Autoescaping is on: region names, file names and parameters from the user
are escaped.  Figures are embedded as base64 PNG (JPEG for noise-like QC
images), light 3-D views as JSON drawn by the page's own script
(``templates/view3d.js``), full nilearn views as ``iframe srcdoc``; the page
loads nothing from the network.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd

from fmri_oinfo import maps
from fmri_oinfo.atomic import write_text_atomically
from fmri_oinfo.inputs.table_cleaning import uncleaned_signs
from fmri_oinfo.report import glossary, sections
from fmri_oinfo.report.context import ReportContext
from fmri_oinfo.report.methods import methods_paragraph, resolved_values
from fmri_oinfo.report.timecourse import timecourse_section
from fmri_oinfo.report.networks import network_section

logger = logging.getLogger(__name__)

TEMPLATE_DIR = Path(__file__).parent / "templates"

#: Sections of the subject report: (anchor id, heading), in page order: findings first, parameters last.
SUBJECT_SECTIONS: tuple[tuple[str, str], ...] = (
    ("findings", "Findings"),
    ("sets", "Labelled sets"),
    ("maps", "Where in the brain"),
    ("graphs", "Graphs"),
    ("quality", "Quality control"),
    ("statistics", "Statistics"),
    ("methods", "Methods"),
    ("files", "Output files"),
    ("warnings", "Warnings"),
    ("parameters", "Parameters and provenance"),
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


def references_path(report: str | os.PathLike) -> Path:
    """The BibTeX file of a report's methods references: ``<report stem>_references.bib`` beside it."""
    report = Path(report)
    return report.with_name(f"{report.stem}_references.bib")


def parameter_rows(parameters: Mapping[str, Any], used: Mapping[str, str]) -> list[tuple[str, str, str]]:
    """``(dotted.key, configured value, value used)`` rows; the used value where the setting was worked out."""
    return [(key, value, used.get(key, "")) for key, value in flatten_parameters(parameters)]


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
    regions = maps.check_regions(context.regions, require_coordinates=False)
    if "anatomy" in context.regions.columns:
        regions["anatomy"] = context.regions["anatomy"].to_numpy()
    placed = maps.has_coordinates(regions)
    results = maps.check_results(context.results, regions["name"].tolist())
    results.attrs = dict(context.results.attrs)
    scores = maps.region_scores(context.results, context.regions)
    findings = sections.findings_section(context, results, regions, placed)
    versions = context.versions()
    timecourse = subject_timecourse(context, regions)
    return {
        "title": context.title or f"O-information report: {context.subject}",
        "subject": context.subject,
        "sections": page_sections(timecourse["present"], context.networks is not None),
        "timecourse": timecourse,
        "networks": network_section(context.networks, regions, context.label_image, context.top_n),
        "findings": findings,
        "sets": described_sets(sections.sets_section(context, results, regions)),
        "maps": sections.maps_section(context, scores, placed, findings["n_labelled"]),
        "graphs": sections.graphs_section(context, placed, findings["n_labelled"]),
        "quality": sections.quality_section(context, regions),
        "statistics": sections.statistics_section(context, results),
        "methods": methods_paragraph(results, context.parameters, context.extraction, versions, len(regions),
                                     len(context.timeseries) if context.timeseries is not None else None,
                                     regions=context.regions),
        "table_warning": table_warning(context),
        "files": [{"what": str(what), "href": str(href)} for what, href in context.output_files],
        "warnings": [str(w) for w in context.warnings],
        "atlas": {
            "name": context.atlas,
            "n_regions": len(regions),
            "networks": regions.groupby("network", sort=True).size().to_dict(),
            "regions": regions.astype(object).where(regions.notna(), None).to_dict(orient="records"),
            "has_image": context.label_image is not None,
            "has_coordinates": placed,
            "has_anatomy": "anatomy" in regions.columns,
            "no_coordinates_reason": context.no_coordinates_reason,
        },
        "parameters": parameter_rows(context.parameters,
                                     resolved_values(context.parameters, results.attrs, context.extraction)),
        "versions": versions,
    }


def page_sections(time_resolved: bool, networks: bool = False) -> tuple[tuple[str, str], ...]:
    """:data:`SUBJECT_SECTIONS`, with "Networks as variables" (when the run analysed networks) and then
    "Over time" (when it has local values) after the graphs."""
    extra = ((("networks", "Networks as variables"),) if networks else ()) + \
        ((("over-time", "Over time"),) if time_resolved else ())
    at = [anchor for anchor, _ in SUBJECT_SECTIONS].index("graphs") + 1
    return SUBJECT_SECTIONS[:at] + extra + SUBJECT_SECTIONS[at:]


def subject_timecourse(context: ReportContext, regions: pd.DataFrame) -> dict[str, Any]:
    """The "Over time" section's variables (:func:`timecourse_section`) from the context's QC inputs."""
    runs = context.runs()
    networks = None
    if context.timeseries is not None and list(map(str, context.timeseries.columns)) == regions["name"].tolist():
        networks = regions["network"].tolist() if (regions["network"] != "").any() else None
    fd = ([v for r in runs for v in r["framewise_displacement"]]
          if runs and all(r["framewise_displacement"] is not None for r in runs) else None)
    threshold = ((context.extraction or {}).get("cleaning") or {}).get("fd_threshold")
    return timecourse_section(context.time_resolved, context.results, context.timeseries, runs, context.t_r,
                              fd, threshold, networks, regions, context.label_image)


def table_warning(context: ReportContext) -> dict[str, Any] | None:
    """Signs that a region table given as input was not cleaned (:func:`uncleaned_signs` of the series
    analysed), and whether fmri-oinfo's own cleaning ran; None for extracted series or a clean-looking table."""
    extraction = context.extraction or {}
    if context.timeseries is None or not extraction or extraction.get("atlas") is not None:
        return None
    signs = uncleaned_signs(context.timeseries)
    return {"signs": signs, "cleaned": bool(extraction.get("cleaning"))} if signs else None


def described_sets(sets: dict[str, Any]) -> dict[str, Any]:
    """The set tables' variables with each column's meaning (``meanings``, the headings' tooltips) and the
    legend under the tables (``legend``: the columns shown, then the tags of the rows shown)."""
    columns = glossary.set_table_columns(sets)
    tags = [tag for table in sets["tables"].values() for row in table["rows"] for tag in row["tags"]]
    words = glossary.meanings(sets["has_irreducible"])
    return {**sets, "meanings": words, "legend": glossary.legend(columns, tags, words)}


def view_script() -> str:
    """The light 3-D views' script (``templates/view3d.js``), inlined in pages that have such views."""
    return (TEMPLATE_DIR / "view3d.js").read_text(encoding="utf-8")


def _page(context: ReportContext, references_file: str) -> tuple[str, dict[str, Any]]:
    """The subject page and its variables; ``references_file`` (a BibTeX file name) is linked when not empty."""
    variables = report_variables(context)
    variables["view_script"] = view_script() if variables["graphs"]["outline"] else ""
    variables["references_file"] = references_file if variables["methods"]["references"] else ""
    return render_template("subject.html", **variables), variables


def render_report_html(context: ReportContext) -> str:
    """Render the subject report as one HTML string (see :func:`render_report`)."""
    return _page(context, "")[0]


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
        ``path``; nothing is written when rendering fails.  The methods' references are written beside
        it as BibTeX (:func:`references_path`).
    """
    if not str(path).endswith(".html"):
        raise ValueError(f"path={str(path)!r} must end with .html.")
    document, variables = _page(context, references_path(path).name)
    if variables["references_file"]:
        write_text_atomically(references_path(path), variables["methods"]["bibtex"])
    written = write_text_atomically(path, document)
    logger.info("Wrote report %s (%.1f MB).", written, len(document.encode("utf-8")) / 1e6)
    return written
