"""Fixtures of the pipeline tests: the demo subject and a small, fast configuration."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest

from fmri_oinfo.demo import make_demo_dataset
from fmri_oinfo.pipeline import load_config, run_subject

#: Small settings: Gaussian estimator, few surrogates, no interactive views.
SMALL = dict(
    candidates__top_k=5, candidates__n_control=3, candidates__search_methods=["greedy", "partial"],
    candidates__search_keep=3, statistics__n_surrogates=99, statistics__n_bootstrap=10,
    outputs__interactive=False, outputs__top_n=10,
)


@pytest.fixture(scope="session")
def demo_root(tmp_path_factory) -> Path:
    """A one-subject demo dataset (derivatives root with ground_truth.json)."""
    return make_demo_dataset(tmp_path_factory.mktemp("demo") / "data", n_subjects=1)


@pytest.fixture(scope="session")
def ground_truth(demo_root) -> dict:
    return json.loads((demo_root / "ground_truth.json").read_text())


@pytest.fixture(scope="session")
def small_config():
    return load_config("fast", **SMALL)


@pytest.fixture(scope="session")
def demo_run(demo_root, small_config, tmp_path_factory):
    """The pipeline run once on the demo subject with the small configuration."""
    out = tmp_path_factory.mktemp("out") / "sub-01"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        outputs = run_subject(demo_root / "sub-01", small_config, out)
    return outputs
