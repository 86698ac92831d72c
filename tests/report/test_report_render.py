"""Render the report and read it back with html.parser."""

from __future__ import annotations

import dataclasses
import html
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest

from fmri_oinfo.report import ReportContext, render_report, render_report_html
from fmri_oinfo.report.example import example_context
from fmri_oinfo.report.figures import null_panel_rows, null_values_by_row
from fmri_oinfo.report.render import SUBJECT_SECTIONS, report_environment


class PageReader(HTMLParser):
    """Collect what the tests check: links, ids, scripts, iframes, images and table cells."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.references: list[tuple[str, str, str]] = []
        self.ids: list[str] = []
        self.scripts: list[str] = []
        self.srcdocs: list[str] = []
        self.images: list[str] = []
        self.tables: dict[str, list[list[str]]] = {}
        self._table: str | None = None
        self._in_body = False
        self._cell: list[str] | None = None
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name in ("src", "href"):
            if attributes.get(name) is not None:
                self.references.append((tag, name, attributes[name]))
        if "id" in attributes:
            self.ids.append(attributes["id"])
        if tag == "script":
            self._in_script = True
            self.scripts.append("")
        if tag == "iframe":
            self.srcdocs.append(attributes.get("srcdoc") or "")
        if tag == "img":
            self.images.append(attributes.get("src") or "")
        if tag == "table":
            self._table = attributes.get("id")
            if self._table:
                self.tables[self._table] = []
        if tag == "tbody":
            self._in_body = True
        if tag == "tr" and self._table and self._in_body:
            self.tables[self._table].append([])
        if tag == "td" and self._table and self._in_body:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False
        if tag == "td" and self._cell is not None:
            self.tables[self._table][-1].append("".join(self._cell).strip())
            self._cell = None
        if tag == "tbody":
            self._in_body = False
        if tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data
        elif self._cell is not None:
            self._cell.append(data)


def read(document: str) -> PageReader:
    reader = PageReader()
    reader.feed(document)
    reader.close()
    return reader


@pytest.fixture(scope="module")
def page(rendered_report) -> tuple[str, PageReader]:
    document = rendered_report.read_text(encoding="utf-8")
    return document, read(document)


def _section(document: str, anchor: str) -> str:
    start = document.index(f'<section id="{anchor}">')
    return document[start:document.index("</section>", start)]


def test_report_loads_nothing_from_the_network(page):
    document, reader = page
    outside = [r for r in reader.references if not r[2].startswith(("#", "data:"))]
    assert sorted(outside) == [("a", "href", "sub-example_oinfo.tsv"), ("a", "href", "sub-example_regions.tsv"),
                               ("a", "href", "sub-example_report_references.bib")]  # links beside the report
    assert reader.srcdocs == []  # light 3-D views: no iframe, no plotly
    assert all(src.startswith(("data:image/png;base64,", "data:image/jpeg;base64,")) for src in reader.images)
    # set glass brains x4, region maps x2, connectomes x2, atlas overlay, tSNR, carpet (FD and DVARS above it),
    # correlation, orders, nulls; no surface (a sphere atlas)
    assert len(reader.images) == 14
    code = [script for script in reader.scripts if "function" in script]
    assert len(code) == 2 and "table.sortable" in code[1] and "convexHull" in code[0]
    assert 'id="view-redundancy-data"' in document and 'id="brain-outline"' in document


def test_report_has_every_section_findings_first(page):
    document, reader = page
    for anchor, _heading in SUBJECT_SECTIONS:
        assert anchor in reader.ids
    assert {"redundant-sets", "synergistic-sets", "region-scores", "atlas-regions"} <= set(reader.ids)
    navigation = [r[2] for r in reader.references if r[0] == "a" and r[2].startswith("#") and r[2][1:] in
                  {a for a, _ in SUBJECT_SECTIONS}]
    assert navigation[:len(SUBJECT_SECTIONS)] == [f"#{anchor}" for anchor, _ in SUBJECT_SECTIONS]
    positions = [document.index(f'<section id="{anchor}">') for anchor, _ in SUBJECT_SECTIONS]
    assert positions == sorted(positions) and SUBJECT_SECTIONS[0][0] == "findings"
    parameters = _section(document, "parameters")
    assert parameters.count("<details>") == 3 and "<details open" not in parameters  # collapsed


def test_user_strings_are_escaped(page, hostile_name):
    document, reader = page
    assert hostile_name not in document
    assert "<b>bold</b>" not in document
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;R_SMA" in document
    assert "sub-01_&lt;b&gt;bold&lt;/b&gt;.nii.gz" in document
    assert "\\u003cscript\\u003ealert('x')\\u003c/script\\u003eR_SMA" in document  # inside the view's JSON
    # The name reads back as text, not markup, in the region table.
    assert any(hostile_name in row[0] for row in reader.tables["atlas-regions"])


def test_summary_sentence_states_the_counts_of_the_table(page):
    document, _ = page
    findings = _section(document, "findings")
    assert ("4 sets labelled (2 redundant, 2 synergistic) of 7 tested, after per-set (pre-specified sets) and "
            "split-sample (data-chosen sets) testing at FDR 5 %; 220 sets screened.") in findings
    # one card per labelled set (at most 3 per kind), in the table's ranking, with anatomy and MNI coordinates
    assert findings.count('<div class="card ') == 4
    assert findings.index("Redundant set #1") < findings.index("Redundant set #2")
    assert "(-8, -52, 28)" in findings and "left hemisphere" in findings
    assert "a set within the Default network" in findings
    assert "chosen on one block of volumes, tested on another block the choice never saw" in findings
    assert "Carried by R_M1, L_SMA (grey: not a carrier)" in findings  # carriers in member order


def test_set_tables_follow_the_table_ranking(page, hostile_name):
    _, reader = page
    redundant = reader.tables["redundant-sets"]
    synergistic = reader.tables["synergistic-sets"]
    assert [row[1].split()[0] for row in redundant] == ["L_PCC", "L_V1"]
    assert [float(row[2]) for row in redundant] == [0.42, 0.31]
    assert [row[1].split()[0] for row in synergistic] == ["L_M1", "R_M1"]
    assert "R_V4 Visual, right hemisphere (30, -78, -12)" in " ".join(synergistic[0][1].split())
    assert [float(row[2]) for row in synergistic] == [-0.27, -0.18]
    low, high = (float(v) for v in redundant[0][3].strip("[]").split(","))
    assert low == pytest.approx(0.42 - 1.96 * 0.03, abs=5e-4)
    assert high == pytest.approx(0.42 + 1.96 * 0.03, abs=5e-4)
    assert [row[4] for row in redundant] == ["0.002", "0.003"]
    assert [row[5] for row in synergistic] == ["synergistic", "synergistic"]
    assert [row[7] for row in synergistic] == ["screen S", "beamscreen S"]  # short tags
    assert [row[8] for row in synergistic] == ["split-sample", "split-sample"]
    assert [row[10] for row in synergistic] == ["0.001", "0.003"]  # p irreducible
    # a p-value held at the smallest reportable one is printed as a bound, never as a smaller number
    assert [row[9].replace("\xa0", " ") for row in redundant] == ["< 0.0005", "0.001"]


def test_quality_control_and_methods(page):
    document, _ = page
    quality = " ".join(_section(document, "quality").split())
    for text in ("run-1", "57, 58, 140", "3 of 200", "1.5 %", "L_Amygdala",
                 "fewer than 50% of voxels inside the brain mask", "simple (motion 6 + wm_csf, high-pass)",
                 "11 of 12 regions lie entirely inside the brain mask; 1 partly outside (lowest: R_V4 82 %)",
                 "drawn over the brain mask", "Temporal SNR per region", "the censoring threshold 0.5 mm",
                 "Region correlation matrix"):
        assert text in quality, text
    methods = " ".join(_section(document, "methods").split())
    for text in ("Rosas FE", "Abraham A", "Benjamini Y", "Kriegeskorte N", "Made-up regions for the example report.",
                 "band-pass filtered (0.01-0.1 Hz)", "3 of 200 volumes (1.5 %) were censored (framewise "
                 "displacement above 0.5 mm)", "200 circular time-shift surrogates", "220 sets were scored while choosing candidate sets"):
        assert text in methods, text
    assert "Example warning: 1 region was dropped (L_Amygdala)." in _section(document, "warnings")
    assert "statistics.surrogates" in _section(document, "parameters") and "torch" in document


def _text_only(context: ReportContext, **changes) -> ReportContext:
    """The context without what draws figures (coordinates, images, time series, nulls): tests of text."""
    regions = context.regions.assign(x=np.nan, y=np.nan, z=np.nan)
    return dataclasses.replace(context, regions=regions, label_image=None, timeseries=None, mask_image=None,
                               null_distributions=None, interactive=False, extraction=None, **changes)


def test_mean_gradient_column_only_with_gradients():
    full = _text_only(example_context(label_image=False, interactive=False))
    maps_section = _section(render_report_html(full), "maps")
    assert "Mean gradient" in maps_section
    assert "<th>Anatomy</th>" not in maps_section  # the example has no anatomy
    results = full.results.drop(columns="o_info_gradient")
    results.attrs = dict(full.results.attrs)
    assert "Mean gradient" not in _section(render_report_html(dataclasses.replace(full, results=results)), "maps")


def test_region_scores_table_shows_anatomy_when_the_regions_have_it():
    full = _text_only(example_context(label_image=False, interactive=False))
    regions = full.regions.assign(anatomy=[f"gyrus of {name}" for name in full.regions["name"]])
    document = render_report_html(dataclasses.replace(full, regions=regions))
    assert "<th>Anatomy</th>" in _section(document, "maps")  # without it: test_mean_gradient_column_only_...
    rows = read(document).tables["region-scores"]
    assert rows and all(row[2] == f"gyrus of {row[0]}" for row in rows)  # region, network, anatomy, numbers


def test_a_card_lists_six_of_its_family_and_counts_the_rest():
    """A family of 9 labelled sets: its card names 6 others and counts 2 (the group report's rule, one macro)."""
    full = _text_only(example_context(label_image=False, interactive=False))
    names = full.regions["name"].tolist()
    others = [tuple(names[k:k + 3]) for k in range(1, 9)]  # not the head (L_PCC, R_PCC, L_mPFC)
    results = pd.concat([full.results, pd.DataFrame([full.results.iloc[0]] * 8)], ignore_index=True)
    results["set"] = list(full.results["set"]) + others
    results["family"] = [1, 2, 3, 4, 0, 0, 0] + [1] * 8
    results["family_role"] = ["head"] * 4 + [""] * 3 + ["within"] * 8
    results.attrs = dict(full.results.attrs)
    findings = " ".join(_section(render_report_html(dataclasses.replace(full, results=results)), "findings").split())
    listed = "; ".join(", ".join(g) for g in others[:6])
    assert f"(family 1: labelled subsets or supersets), 8 more sets: {listed}; and 2 more (the tables' Finding column)." \
        in findings
    assert ", ".join(others[6]) not in findings


def test_minimal_report_without_optional_inputs(tmp_path):
    full = example_context(label_image=False, interactive=False)
    context = ReportContext(subject="sub-02", results=full.results, regions=full.regions,
                            atlas="power2011", parameters={}, interactive=False)
    path = render_report(context, tmp_path / "sub-02_report.html")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sub-02_report.html", "sub-02_report_references.bib"]
    document = path.read_text(encoding="utf-8")
    reader = read(document)
    assert reader.srcdocs == []
    # set glass brains x4, glass brain markers x2, connectomes x2, orders; no surfaces, QC or nulls
    assert len(reader.images) == 9
    for note in ("No time series, framewise displacement or images were given", "No null distributions were given.",
                 "No parameters were recorded.", "maps are drawn as markers", "No volume was censored.",
                 "No region was dropped.", "No output file was listed.", "No warning was recorded."):
        assert note in document, note


def test_older_result_table_without_the_inference_columns():
    document = render_report_html(_text_only(example_context(label_image=False, interactive=False, contract=False)))
    assert ("4 sets labelled (2 redundant, 2 synergistic) of 7 tested, after surrogate testing at FDR 5 %."
            in _section(document, "findings"))  # alpha from the parameters, no screening count
    header = _section(document, "sets")
    assert "p irred." not in header and "<th>Test</th>" not in header


def test_report_without_labelled_sets_says_why_and_draws_no_empty_figure(tmp_path):
    full = example_context(label_image=True, interactive=True)
    results = full.results.assign(label="n.s.")
    results.attrs = dict(full.results.attrs)
    document = render_report_html(dataclasses.replace(full, results=results))
    findings = _section(document, "findings")
    assert "No set labelled of 7 tested" in findings
    assert "No set reached q &lt; 0.05: the smallest q-value was 0.002, of set L_PCC, R_PCC, L_mPFC." in findings
    assert "No set is labelled redundant." in _section(document, "sets")
    assert "Brain maps are not drawn: no set is labelled" in _section(document, "maps")
    assert "Connectome figures and 3-D views are not drawn: no set is labelled" in _section(document, "graphs")
    for anchor in ("findings", "maps", "graphs"):
        assert "<img" not in _section(document, anchor) and "<canvas" not in _section(document, anchor)
    assert 'id="brain-outline"' not in document  # no view: no outline, no view script
    assert _section(document, "statistics").count("<img") == 2  # orders and nulls still drawn


def test_unreachable_design_is_said_before_any_table():
    full = _text_only(example_context(label_image=False, interactive=False))
    results = full.results.assign(label="n.s.")
    results.attrs = {**full.results.attrs, "reachable": False,
                     "reachability_note": "7 sets with 19 surrogates: the smallest q is 0.35, above alpha 0.05."}
    document = render_report_html(dataclasses.replace(full, results=results))
    findings = _section(document, "findings")
    assert "This design cannot label a set:</b> 7 sets with 19 surrogates" in findings
    assert "7 sets with 19 surrogates: the smallest q is 0.35, above alpha 0.05." in findings
    assert document.index("7 sets with 19 surrogates") < document.index("<table")


def test_a_lone_set_limit_is_never_said_as_cannot_label_beside_findings():
    """The HCP report said 'This design cannot label a set ... a lone set's q >= 0.192' beside 177 findings."""
    full = _text_only(example_context(label_image=False, interactive=False))
    limit = "7 sets with 19 surrogates: a lone strong set's q-value is at least 0.7 >= alpha = 0.05"
    old = full.results.copy()  # a table written when 'reachable' was about a lone set, with labelled sets
    old.attrs = {**full.results.attrs, "reachable": False, "reachability_note": limit}
    findings = _section(render_report_html(dataclasses.replace(full, results=old)), "findings")
    assert "cannot label" not in findings and limit not in findings
    none = full.results.assign(label="n.s.")  # a reachable design's limit explains why nothing was labelled
    none.attrs = {**full.results.attrs, "reachable": True, "reachability_note": limit}
    findings = html.unescape(" ".join(_section(render_report_html(dataclasses.replace(full, results=none)),
                                               "findings").split()))
    assert "cannot label" not in findings
    assert f"the smallest q-value was 0.002, of set L_PCC, R_PCC, L_mPFC. {limit}" in findings


def test_render_report_rejects_bad_path_and_context(tmp_path):
    context = example_context(label_image=False, interactive=False)
    with pytest.raises(ValueError, match="must end with .html"):
        render_report(context, tmp_path / "report.txt")
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ValueError, match="top_n=0; a positive integer"):
        dataclasses.replace(context, top_n=0)
    with pytest.raises(ValueError, match="results is a list"):
        dataclasses.replace(context, results=[])
    with pytest.raises(ValueError, match="warnings is a str"):
        dataclasses.replace(context, warnings="one warning")
    with pytest.raises(ValueError, match="extraction is a list"):
        dataclasses.replace(context, extraction=[])


def test_null_distributions_long_table_and_shape_check():
    results = example_context(label_image=False, interactive=False).results
    long = pd.DataFrame({"set": [results.loc[0, "set"]] * 3 + [results.loc[2, "set"]] * 2,
                         "o_info_null": [0.1, -0.1, 0.0, 0.2, 0.3]})
    by_row = null_values_by_row(results, long)
    assert sorted(by_row) == [0, 2]
    np.testing.assert_allclose(by_row[2], [0.2, 0.3], atol=0)
    with pytest.raises(ValueError, match=r"shape \(3, 10\); an array of shape \(n_sets=7"):
        null_values_by_row(results, np.zeros((3, 10)))
    with pytest.raises(ValueError, match=r"lacks columns \['o_info_null'\]"):
        null_values_by_row(results, long.rename(columns={"o_info_null": "value"}))


def test_null_panels_show_the_strongest_and_the_borderline_sets():
    results = example_context(label_image=False, interactive=False).results
    # ranking: 2 redundant, 2 synergistic (q 0.002-0.005), then n.s. with q 0.55, 0.7, 0.6
    # the first redundant and synergistic sets, then by nearness of q to alpha on a log scale: 0.005, 0.55, 0.003
    assert null_panel_rows(results, range(7), 4, 0.05) == [0, 2, 3, 4]
    assert null_panel_rows(results, range(7), 5, 0.05) == [0, 2, 3, 4, 6]  # q = 0.6 before 0.003
    assert null_panel_rows(results, [4, 5, 6], 2, 0.05) == [4, 6]  # q 0.55 and 0.6 are nearer 0.05 than 0.7


def test_base_template_serves_a_group_report():
    template = report_environment().from_string(
        '{% extends "base.html" %}{% import "macros.html" as m %}'
        '{% block content %}<section id="cohort">{{ m.key_values(rows, "Subject", "Report") }}</section>'
        '{% endblock %}'
    )
    document = template.render(title="Cohort <1>", generated="now", sections=[("cohort", "Cohort")],
                               rows=[("sub-01", "sub-01_report.html")])
    reader = read(document)
    assert "cohort" in reader.ids
    assert "<title>Cohort &lt;1&gt;</title>" in document
    assert "sub-01_report.html" in document


def test_report_without_coordinates_keeps_tables_qc_and_statistics(tmp_path):
    full = example_context(label_image=False, interactive=True)
    regions = full.regions.assign(x=np.nan, y=np.nan, z=np.nan, network="")
    extraction = {"t_r": 2.0, "atlas": None, "source_files": ["sub-01_timeseries.tsv"], "runs": []}
    context = dataclasses.replace(full, regions=regions, no_coordinates_reason="the input was a region table",
                                  extraction=extraction, censored_volumes={}, dropped_regions={})
    path = render_report(context, tmp_path / "sub-01_report.html")
    document = path.read_text(encoding="utf-8")
    reader = read(document)
    assert [r for r in reader.references if not r[2].startswith(("#", "data:", "sub-example"))] == [
        ("a", "href", "sub-01_report_references.bib")]  # the BibTeX file beside the report
    assert reader.srcdocs == [] and "<canvas" not in document  # no 3-D views
    for anchor, _heading in SUBJECT_SECTIONS:
        assert anchor in reader.ids
    # carpet and correlation (no FD, tSNR or atlas for a table), orders, nulls; no brain
    assert [_section(document, a).count("<img") for a in ("findings", "quality", "maps", "graphs", "statistics")] \
        == [0, 2, 0, 0, 2]
    assert "Brain maps are not drawn: no coordinates: the input was a region table." in _section(document, "maps")
    assert ("Connectome figures and 3-D views are not drawn: no coordinates: the input was a region table."
            in _section(document, "graphs"))
    assert "Input: a region table (no extraction by fmri-oinfo)." in _section(document, "quality")
    assert "were read from sub-01_timeseries.tsv; fmri-oinfo did not extract or clean them" in document
    assert len(reader.tables["region-scores"]) == 10  # the regions of labelled sets
    assert [row[0] for row in reader.tables["redundant-sets"][:1]] == ["1"]
    assert reader.tables["redundant-sets"][0][1] == "L_PCC, R_PCC, L_mPFC"  # names only: no location to show
    assert "MNI x, y, z" not in _section(document, "findings")


def test_example_report_size(page):
    document, _ = page
    assert len(document.encode("utf-8")) < 1_000_000  # measured 0.5 MB with both 3-D views


def test_full_views_are_an_option():
    context = example_context(label_image=False, interactive=True)
    document = render_report_html(dataclasses.replace(context, full_views=True, timeseries=None, extraction=None,
                                                      null_distributions=None))
    reader = read(document)
    assert len(reader.srcdocs) == 2 and all(len(doc) > 1_000_000 for doc in reader.srcdocs)  # plotly + mesh
    assert 'id="brain-outline"' not in document and "<canvas" not in document
    for srcdoc in reader.srcdocs:
        assert [r for r in read(srcdoc).references if not r[2].startswith(("#", "data:"))] == []
