"""A region table that looks uncleaned gets a prominent warning above the findings; a clean one none."""

from __future__ import annotations

import dataclasses

import numpy as np

from fmri_oinfo.report import render_report_html
from fmri_oinfo.report.example import example_context
from fmri_oinfo.report.render import table_warning


def _table_context(shared: float, cleaned: bool = False):
    """The example as a region-table run (no coordinates), every region carrying ``shared`` x a common signal."""
    context = example_context(label_image=False, interactive=False)
    rng = np.random.default_rng(0)
    series = context.timeseries + shared * rng.standard_normal(len(context.timeseries))[:, None]
    extraction = {"t_r": 2.0, "atlas": None, "source_files": ["sub-01_timeseries.tsv"], "runs": []}
    if cleaned:
        extraction["cleaning"] = {"detrend": True, "high_pass": 0.01, "low_pass": 0.1, "standardize": "zscore_sample"}
    regions = context.regions.assign(x=np.nan, y=np.nan, z=np.nan)
    return dataclasses.replace(context, timeseries=series, extraction=extraction, censored_volumes={},
                               regions=regions, no_coordinates_reason="the input was a region table")


def test_uncleaned_table_warning_comes_before_the_findings():
    document = render_report_html(_table_context(shared=2.0))
    warning = document.index('id="uncleaned-warning"')
    assert warning < document.index('<section id="findings">')
    text = document[warning:document.index("</div>", warning)]
    assert "looks uncleaned" in text and "global signal" in text and "--clean-table --t-r" in text


def test_which_runs_are_warned_about():
    assert table_warning(_table_context(shared=0.0)) is None  # a clean-looking table
    cleaned = table_warning(_table_context(shared=2.0, cleaned=True))
    assert cleaned["cleaned"] and any("global signal" in sign for sign in cleaned["signs"])
    extracted = example_context(label_image=False, interactive=False)  # series fmri-oinfo extracted: not judged
    assert table_warning(dataclasses.replace(extracted, timeseries=_table_context(shared=2.0).timeseries)) is None
