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


#: The smallest run of a region table: every triplet of 5 regions, Gaussian copula, 19 surrogates, no bootstrap.
TINY = dict(
    candidates__strategies=["exhaustive"], candidates__orders=[3], estimation__estimator="gaussian-copula",
    estimation__fmmi_column=False, estimation__device="cpu", statistics__n_surrogates=19,
    statistics__n_bootstrap=0, outputs__interactive=False,
)


@pytest.fixture(scope="session")
def tiny_config():
    return load_config("fast", **TINY)


@pytest.fixture()
def table_subject(tmp_path) -> Path:
    """A subject folder ``sub-01/`` holding one region table (5 regions, 120 volumes)."""
    import numpy as np
    import pandas as pd

    folder = tmp_path / "sub-01"
    folder.mkdir()
    values = np.random.default_rng(0).standard_normal((120, 5))
    values[:, 2] += values[:, 0] + values[:, 1]
    pd.DataFrame(values, columns=list("ABCDE")).to_csv(folder / "sub-01_timeseries.tsv", sep="\t", index=False)
    return folder
