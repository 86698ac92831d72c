"""Full-budget accuracy runs (minutes on CPU): `pytest -m slow tests/engine`.

CI skips them (the `slow` marker); the same systems with more rows are in
benchmarks/engine_accuracy.py.
"""

import numpy as np
import pytest

from fmri_oinfo import estimate_mi, estimate_oinfo
from fmri_oinfo.synthetic import GroundTruthSystem, redundant_block, sum_triplet, synergistic_block

pytestmark = pytest.mark.slow


def test_seed_walkthrough_bivariate_gaussian():
    """The FMMI walkthrough: bivariate Gaussian, true MI 0.8304 nats, 30,000 samples."""
    rho = np.sqrt(1 - np.exp(-2 * 0.8304))
    system = GroundTruthSystem(np.array([[1.0, rho], [rho, 1.0]]))
    xy = system.sample(30_000, seed=0)
    mi, se = estimate_mi(xy[:, 0], xy[:, 1], device="cpu")
    assert mi == pytest.approx(0.8304, rel=0.02)
    assert se < 0.01


def test_two_dimensional_mi_seed_spread():
    """rho = 0.75, 10k samples: error <= 2 %, seed-to-seed sd <= 0.01 nats."""
    truth = -0.5 * np.log(1 - 0.75**2)
    system = GroundTruthSystem(np.array([[1.0, 0.75], [0.75, 1.0]]))
    estimates = [estimate_mi(*system.sample(10_000, seed=s).T, device="cpu", seed=s)[0] for s in range(4)]
    assert np.mean(estimates) == pytest.approx(truth, rel=0.02)
    assert np.std(estimates) <= 0.01


@pytest.mark.parametrize(
    "block",
    [redundant_block(5, 0.5), synergistic_block(5, 0.7), redundant_block(3, 0.7), synergistic_block(3, 0.7)],
)
def test_gaussian_systems_within_five_percent(block):
    system = GroundTruthSystem(block)
    n = block.shape[0]
    x = system.sample(10_000, seed=1)
    table = estimate_oinfo(x, [tuple(range(n))], estimator="fmmi", device="cpu")
    truth = system.measures(np.arange(n)[None])["o_info"][0]
    assert table["o_info"][0] == pytest.approx(truth, abs=max(0.05 * abs(truth), 0.02))


def test_strongly_synergistic_triplet_at_fmri_length():
    """X3 = X1 + X2 + 0.1 e at T = 1200: |bias| < 5 % (the copula is ~10 % off)."""
    system = GroundTruthSystem(sum_triplet())
    estimates = [
        estimate_oinfo(system.sample(1200, seed=s), [(0, 1, 2)], estimator="fmmi", device="cpu", seed=s)["o_info"][0]
        for s in range(5)
    ]
    truth = system.measures(np.arange(3)[None])["o_info"][0]
    assert abs(np.mean(estimates) - truth) < 0.05 * abs(truth)
