"""Render the report and read it back with html.parser."""

from __future__ import annotations

import dataclasses
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest

from fmri_oinfo.report import ReportContext, render_report, render_report_html
from fmri_oinfo.report.example import example_context
from fmri_oinfo.report.figures import null_values_by_row
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


def test_report_loads_nothing_from_the_network(page):
    document, reader = page
    outside = [r for r in reader.references if not r[2].startswith(("#", "data:"))]
    assert outside == []
    assert reader.srcdocs and len(reader.srcdocs) == 2
    for srcdoc in reader.srcdocs:
        inner = read(srcdoc)
        assert [r for r in inner.references if not r[2].startswith(("#", "data:"))] == []
        assert inner.scripts, "the interactive view carries its JavaScript inline"
    assert all(src.startswith("data:image/png;base64,") for src in reader.images)
    # glass brain x2, surfaces x2, connectomes x2, carpet, FD, orders, nulls
    assert len(reader.images) == 10
    assert len(reader.scripts) == 1 and "table.sortable" in reader.scripts[0]


def test_report_has_every_section(page):
    _, reader = page
    for anchor, _heading in SUBJECT_SECTIONS:
        assert anchor in reader.ids
    assert {"redundant-sets", "synergistic-sets", "region-scores", "atlas-regions"} <= set(reader.ids)
    navigation = [r[2] for r in reader.references if r[0] == "a"]
    assert navigation == [f"#{anchor}" for anchor, _ in SUBJECT_SECTIONS]


def test_user_strings_are_escaped(page, hostile_name):
    document, reader = page
    assert hostile_name not in document
    assert "<b>bold</b>" not in document
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;R_SMA" in document
    assert "sub-01_&lt;b&gt;bold&lt;/b&gt;.nii.gz" in document
    for srcdoc in reader.srcdocs:
        assert "<script>alert" not in srcdoc
    # The name reads back as text, not markup, in the region table.
    assert any(hostile_name in row[0] for row in reader.tables["atlas-regions"])


def test_set_tables_rank_the_strongest_sets_first(page, hostile_name):
    _, reader = page
    redundant = reader.tables["redundant-sets"]
    synergistic = reader.tables["synergistic-sets"]
    assert [row[1] for row in redundant] == ["L_PCC, R_PCC, L_mPFC", "L_V1, R_V1, L_V4, R_V4"]
    assert [float(row[5]) for row in redundant] == [0.42, 0.31]
    assert [row[1] for row in synergistic] == ["L_M1, R_V4, L_mPFC", f"R_M1, L_SMA, {hostile_name}, L_V1"]
    assert [float(row[5]) for row in synergistic] == [-0.27, -0.18]
    ci = redundant[0][7]
    low, high = (float(v) for v in ci.strip("[]").split(","))
    assert low == pytest.approx(0.42 - 1.96 * 0.03, abs=5e-4)
    assert high == pytest.approx(0.42 + 1.96 * 0.03, abs=5e-4)
    assert [row[9] for row in redundant] == ["0.002", "0.003"]
    assert [row[10] for row in synergistic] == ["synergistic", "synergistic"]


def test_report_lists_parameters_versions_and_quality(page):
    document, _ = page
    for text in ("statistics.surrogates", "surrogate_kind", "nilearn", "torch", "run-1", "57, 58, 140",
                 "L_Amygdala", "fewer than 50% of voxels inside the brain mask",
                 "simple (motion 6 + wm_csf, high-pass)", "example-spheres-8mm"):
        assert text in document, text


def test_minimal_report_without_optional_inputs(tmp_path):
    full = example_context(label_image=False, interactive=False)
    context = ReportContext(subject="sub-02", results=full.results, regions=full.regions,
                            atlas="power2011", parameters={}, interactive=False)
    path = render_report(context, tmp_path / "sub-02_report.html")
    assert [p.name for p in tmp_path.iterdir()] == ["sub-02_report.html"]
    document = path.read_text(encoding="utf-8")
    reader = read(document)
    assert reader.srcdocs == []
    # glass brain markers x2, connectomes x2, orders; no surfaces, QC or nulls
    assert len(reader.images) == 5
    for note in ("No time series or framewise displacement were given.", "No null distributions were given.",
                 "No parameters were recorded.", "maps are drawn as markers", "No volume was censored.",
                 "No region was dropped."):
        assert note in document


def test_report_without_significant_sets_says_so(tmp_path):
    full = example_context(label_image=False, interactive=True)
    results = full.results.assign(label="n.s.")
    document = render_report_html(dataclasses.replace(full, results=results, null_distributions=None))
    assert "No set is significantly redundant." in document
    assert "No set is significantly synergistic." in document
    assert read(document).srcdocs == []  # no edges: no interactive views


def test_render_report_rejects_bad_path_and_context(tmp_path):
    context = example_context(label_image=False, interactive=False)
    with pytest.raises(ValueError, match="must end with .html"):
        render_report(context, tmp_path / "report.txt")
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ValueError, match="top_n=0; a positive integer"):
        dataclasses.replace(context, top_n=0)
    with pytest.raises(ValueError, match="results is a list"):
        dataclasses.replace(context, results=[])


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


def _section(document: str, anchor: str) -> str:
    start = document.index(f'<section id="{anchor}">')
    return document[start:document.index("</section>", start)]


def test_report_without_coordinates_keeps_tables_qc_orders_and_nulls(tmp_path):
    full = example_context(label_image=False, interactive=True)
    regions = full.regions.assign(x=np.nan, y=np.nan, z=np.nan)
    context = dataclasses.replace(full, regions=regions, no_coordinates_reason="the input was a region table")
    path = render_report(context, tmp_path / "sub-01_report.html")
    document = path.read_text(encoding="utf-8")
    reader = read(document)
    assert [r for r in reader.references if not r[2].startswith(("#", "data:"))] == []
    assert reader.srcdocs == []  # no 3-D views
    for anchor, _heading in SUBJECT_SECTIONS:
        assert anchor in reader.ids
    # carpet, FD, orders, nulls; no glass brain, surface or connectome
    assert len(reader.images) == 4
    assert [len(_section(document, a).split("<img")) - 1 for a in ("quality", "maps", "graphs", "orders", "nulls")] \
        == [2, 0, 0, 1, 1]
    assert "Brain maps are not drawn: no coordinates: the input was a region table." in _section(document, "maps")
    assert ("Connectome figures and 3-D views are not drawn: no coordinates: the input was a region table."
            in _section(document, "graphs"))
    assert "The regions have no MNI coordinates (the input was a region table)" in _section(document, "atlas")
    assert len(reader.tables["region-scores"]) == len(regions)
    assert [row[0] for row in reader.tables["redundant-sets"][:1]] == ["1"]
    # missing coordinates show as dashes, not "nan"
    assert {tuple(row[2:5]) for row in reader.tables["atlas-regions"]} == {("\u2013", "\u2013", "\u2013")}
