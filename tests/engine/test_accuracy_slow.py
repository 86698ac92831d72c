"""Full-budget accuracy runs (minutes on CPU): `pytest -m slow tests/engine`.

CI skips them (the `slow` marker); benchmarks/engine_accuracy.py prints the
same systems with every baseline.  Tolerances are against the in-sample
oracle (the mean of the true pointwise measure over the same rows).
"""

import numpy as np
import pytest

from fmri_oinfo import estimate_mi, estimate_oinfo
from fmri_oinfo.synthetic import (
    GroundTruthSystem,
    MultiplicativeSystem,
    redundant_block,
    sum_triplet,
    synergistic_block,
)

pytestmark = pytest.mark.slow


def test_seed_walkthrough_bivariate_gaussian():
    """The FMMI walkthrough: bivariate Gaussian, true MI 0.8304 nats, 30,000 samples."""
    rho = np.sqrt(1 - np.exp(-2 * 0.8304))
    system = GroundTruthSystem(np.array([[1.0, rho], [rho, 1.0]]))
    xy = system.sample(30_000, seed=0)
    mi, se = estimate_mi(xy[:, 0], xy[:, 1], device="cpu")
    assert mi == pytest.approx(system.pointwise_mi(xy, [0], [1]).mean(), abs=max(0.02 * 0.8304, 3 * se))
    assert 0 < se < 0.02


@pytest.mark.parametrize("block", [redundant_block(5, 0.5), synergistic_block(4, 0.7), sum_triplet()])
def test_gaussian_systems_within_five_percent(block):
    system = GroundTruthSystem(block)
    n = block.shape[0]
    x = system.sample(10_000, seed=1)
    table = estimate_oinfo(x, [tuple(range(n))], estimator="fmmi", device="cpu")
    oracle = system.in_sample_measures(x, np.arange(n)[None])["o_info"][0]
    assert table["o_info"][0] == pytest.approx(oracle, abs=max(0.05 * abs(oracle), 0.02))


def test_multiplicative_synergy_at_fmri_length():
    """x3 = x1 x2 + 0.3 e at T = 1,200: right sign, within 10 % of the in-sample oracle."""
    system = MultiplicativeSystem(0.3)
    x = system.sample(1200, seed=0)
    table = estimate_oinfo(x, [(0, 1, 2)], estimator="fmmi", device="cpu")
    oracle = system.in_sample_measures(x, np.arange(3)[None])["o_info"][0]
    assert table["o_info"][0] == pytest.approx(oracle, rel=0.10)
    assert abs(table["o_info"][0] - oracle) < 1.96 * table["o_info_se"][0] + 0.02


def test_heavy_tailed_redundancy_at_fmri_length():
    """Student-t nu = 3, five variables at r = 0.3 (O = 0.212; the copula sees half of it)."""
    system = GroundTruthSystem(redundant_block(5, 0.3), nu=3)
    x = system.sample(1200, seed=1)
    table = estimate_oinfo(x, [tuple(range(5))], estimator="fmmi", device="cpu")
    oracle = system.in_sample_measures(x, np.arange(5)[None])["o_info"][0]
    assert table["o_info"][0] == pytest.approx(oracle, rel=0.15)
