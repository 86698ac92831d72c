"""Open reports in headless Chromium at 1,000 and 1,400 px: no script errors, the key columns of the set
tables inside the window without horizontal scrolling, the findings in the first screen, 3-D views drawn.

A measuring script is added to a copy of the report (never to the report itself); it writes what it
measured into the page, which Chromium dumps.  Skipped where Chromium is not installed (Debian:
``apt-get install chromium``).
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import warnings
from pathlib import Path

import pytest

from fmri_oinfo.report.render import SUBJECT_SECTIONS

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")

#: Headers of the set tables that must be visible without scrolling sideways (start of their text).
KEY_COLUMNS = ("Set", "O (nats)", "95% interval", "q", "Label")

#: Height of the window: the first screen of a laptop (the page gets what the browser leaves of it).
SCREEN_HEIGHT = 900

_ERRORS = """<script>window.__errors = [];
window.addEventListener("error", function (event) { window.__errors.push(String(event.message)); });</script>"""

_MEASURE = """<script>window.addEventListener("load", function () {
  var out = {width: window.innerWidth, height: window.innerHeight, errors: window.__errors,
             page_width: document.documentElement.scrollWidth, tables: {}, canvases: []};
  var lead = document.querySelector("#findings .lead");
  out.lead_bottom = lead ? lead.getBoundingClientRect().bottom : null;
  var card = document.querySelector("#findings .card");
  out.card_top = card ? card.getBoundingClientRect().top : null;
  ["redundant-sets", "synergistic-sets"].forEach(function (id) {
    var table = document.getElementById(id);
    if (!table) { return; }
    var box = table.parentElement.getBoundingClientRect();
    out.tables[id] = {box_right: box.right, columns: Array.prototype.map.call(
      table.querySelectorAll("thead th"), function (th) {
        var r = th.getBoundingClientRect();
        return {text: th.textContent.trim(), left: r.left, right: r.right};
      })};
  });
  document.querySelectorAll("div.view3d canvas").forEach(function (canvas) {
    var pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data, drawn = 0;
    for (var i = 0; i < pixels.length; i += 4) { if (pixels[i] < 200 || pixels[i + 2] < 200) { drawn++; } }
    out.canvases.push(drawn);
  });
  var pre = document.createElement("pre");
  pre.id = "measurements";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});</script>"""


def open_in_chromium(report: Path, width: int, folder: Path) -> tuple[dict, str, str]:
    """Load a measuring copy of ``report`` at ``width`` px; returns (measurements, DOM, Chromium's log)."""
    document = report.read_text(encoding="utf-8")
    document = document.replace("<head>", "<head>" + _ERRORS, 1).replace("</body>", _MEASURE + "</body>", 1)
    copy = folder / f"measure-{width}-{report.name}"
    copy.write_text(document, encoding="utf-8")
    completed = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={folder / f'profile-{width}'}", "--enable-logging=stderr", "--v=0",
         "--hide-scrollbars", f"--window-size={width},{SCREEN_HEIGHT}", "--virtual-time-budget=10000",
         "--dump-dom", copy.as_uri()],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    found = re.search(r'<pre id="measurements">(.*?)</pre>', completed.stdout, re.S)
    assert found, "the measuring script did not run"
    return json.loads(html.unescape(found.group(1))), completed.stdout, completed.stderr


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory) -> Path:
    """The demo subject through the pipeline (fast configuration, 3-D views on)."""
    from fmri_oinfo.demo import make_demo_dataset
    from fmri_oinfo.pipeline import load_config, run_subject

    root = make_demo_dataset(tmp_path_factory.mktemp("demo") / "data", n_subjects=1)
    config = load_config("fast")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        outputs = run_subject(root / "sub-01", config, tmp_path_factory.mktemp("out") / "sub-01")
    return outputs.report


def _check_layout(measured: dict, width: int) -> None:
    fold = measured["height"]
    assert measured["width"] == width and 600 < fold <= SCREEN_HEIGHT
    assert measured["errors"] == []
    assert measured["page_width"] <= width  # nothing makes the page scroll sideways
    assert measured["lead_bottom"] is not None and measured["lead_bottom"] < fold  # the summary sentence
    assert measured["card_top"] is not None and measured["card_top"] < fold  # the first labelled set
    assert measured["tables"], "no set table"
    for table in measured["tables"].values():
        visible = min(table["box_right"], width)
        columns = {c["text"]: c for c in table["columns"]}
        for key in KEY_COLUMNS:
            (column,) = [c for text, c in columns.items() if text.startswith(key)] or [None]
            if key == "95% interval" and column is None:  # tables without intervals show no such column
                continue
            assert column is not None, (key, list(columns))
        for column in table["columns"]:  # every column, the last (O FMMI) included, without scrolling sideways
            assert column["right"] <= visible + 1, (column, visible)


@pytest.mark.parametrize("width", [1000, 1400])
def test_demo_report_fits_the_window_and_shows_findings_first(demo_report, tmp_path, width):
    measured, dom, log = open_in_chromium(demo_report, width, tmp_path)
    _check_layout(measured, width)
    console = [line for line in log.splitlines() if ":CONSOLE" in line]
    assert [line for line in console if "Uncaught" in line or "Failed to load resource" in line] == []
    for anchor, heading in SUBJECT_SECTIONS:
        assert f'id="{anchor}"' in dom and heading in dom
    assert len(measured["canvases"]) == 2 and min(measured["canvases"]) > 2000  # both 3-D views drew


def test_widest_set_table_fits_at_1000_px(hostile_context, tmp_path):
    """Every optional column at once (interval, test, p irreducible, O FMMI): still no sideways scrolling."""
    import dataclasses

    from fmri_oinfo.report import render_report

    results = hostile_context.results.copy()
    results["o_info_fmmi"] = results["o_info"] * 1.01
    results.attrs = dict(hostile_context.results.attrs)
    regions = hostile_context.regions.copy()
    regions["anatomy"] = "left inferior frontal gyrus, pars triangularis"  # the longest Desikan-Killiany name
    report = render_report(dataclasses.replace(hostile_context, results=results, regions=regions,
                                               interactive=False), tmp_path / "wide_report.html")
    measured, dom, _ = open_in_chromium(report, 1000, tmp_path)
    headers = [c["text"] for table in measured["tables"].values() for c in table["columns"]]
    assert any(text.replace("\xa0", " ") == "O FMMI" for text in headers), headers[6:]
    _check_layout(measured, 1000)


def test_example_report_with_a_hostile_name_runs_no_injected_script(rendered_report, tmp_path):
    measured, dom, _ = open_in_chromium(rendered_report, 1000, tmp_path)
    _check_layout(measured, 1000)
    assert len(measured["canvases"]) == 2 and min(measured["canvases"]) > 2000
    assert "<script>alert" not in dom  # the name is text everywhere, never an element
