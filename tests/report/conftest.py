"""Fixtures for the report tests: a synthetic context with a hostile region name."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("MPLCONFIGDIR", tempfile.mkdtemp(prefix="mplconfig-"))
os.environ.setdefault("MPLBACKEND", "Agg")

import dataclasses  # noqa: E402

import pytest  # noqa: E402

from fmri_oinfo.report import render_report  # noqa: E402
from fmri_oinfo.report.example import example_context  # noqa: E402

#: A region name that would run as script if it were not escaped.
HOSTILE_NAME = "<script>alert('x')</script>R_SMA"


@pytest.fixture(scope="session")
def hostile_name() -> str:
    """The hostile region name used in :func:`hostile_context`."""
    return HOSTILE_NAME


@pytest.fixture(scope="session")
def hostile_context():
    """Example context whose last region (R_SMA, in a labelled synergistic set and an n.s. set) is hostile."""
    context = example_context(seed=1)
    regions = context.regions.copy()
    regions.loc[regions["name"] == "R_SMA", "name"] = HOSTILE_NAME
    results = context.results.copy()
    results["set"] = [tuple(HOSTILE_NAME if m == "R_SMA" else m for m in g) for g in results["set"]]
    results.loc[3, "set"] = ("R_M1", "L_SMA", HOSTILE_NAME, "L_V1")
    results.attrs = dict(context.results.attrs)
    timeseries = context.timeseries.rename(columns={"R_SMA": HOSTILE_NAME})
    extraction = dict(context.extraction)
    extraction["region_qc"] = {HOSTILE_NAME if name == "R_SMA" else name: qc
                               for name, qc in extraction["region_qc"].items()}
    return dataclasses.replace(
        context, regions=regions, results=results, timeseries=timeseries, extraction=extraction,
        source_files=("sub-01_<b>bold</b>.nii.gz",),
    )


@pytest.fixture(scope="session")
def rendered_report(hostile_context, tmp_path_factory):
    """The hostile example rendered once (with interactive views) for every test that reads it."""
    path = tmp_path_factory.mktemp("report") / "sub-example_report.html"
    return render_report(hostile_context, path)
