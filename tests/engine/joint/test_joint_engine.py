"""Small-budget checks of the whole engine (CPU): each asserts numbers."""

import numpy as np
import pytest

from fmri_oinfo import estimate_mi, estimate_oinfo
from fmri_oinfo.engine import FMMIConfig
from fmri_oinfo.synthetic import GroundTruthSystem, redundant_block, synergistic_block

FAST = dict(steps=150, min_steps=50, width=32, depth=2, batch_size=256, eval_samples=400, quadrature_nodes=8, eval_every=50)


@pytest.fixture(scope="module")
def gaussian_system():
    return GroundTruthSystem.from_blocks([redundant_block(3, 0.6), synergistic_block(3, 0.6)])


@pytest.fixture(scope="module")
def gaussian_data(gaussian_system):
    return gaussian_system.sample(4000, seed=0)


def test_mi_of_independent_variables_is_near_zero():
    rng = np.random.default_rng(0)
    mi, se = estimate_mi(rng.standard_normal(3000), rng.standard_normal(3000), device="cpu", **FAST)
    assert abs(mi) < 0.01
    assert 0 <= se < 0.01


def test_mi_of_correlated_gaussian_blocks():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((5000, 2))
    y = 0.6 * x + 0.8 * rng.standard_normal((5000, 2))
    truth = -2 * 0.5 * np.log(1 - 0.36)  # two independent pairs with rho = 0.6
    corr = np.corrcoef(np.c_[x, y], rowvar=False)
    plug_in = 0.5 * (np.linalg.slogdet(corr[:2, :2])[1] + np.linalg.slogdet(corr[2:, 2:])[1]) - 0.5 * np.linalg.slogdet(corr)[1]
    mi, se = estimate_mi(x, y, device="cpu", **FAST)
    assert mi == pytest.approx(plug_in, abs=0.01)  # Gaussian data: the network adds ~nothing
    assert mi == pytest.approx(truth, rel=0.1)  # sampling error of T = 5000 rows


def test_oinfo_of_gaussian_system_close_to_truth(gaussian_system, gaussian_data):
    groups = [(0, 1, 2), (3, 4, 5), (0, 3, 4)]
    table = estimate_oinfo(gaussian_data, groups, estimator="fmmi", device="cpu", **FAST)
    truth = gaussian_system.measures(np.array(groups))
    np.testing.assert_allclose(table["o_info"], truth["o_info"], atol=0.03)
    np.testing.assert_allclose(table["tc"], truth["tc"], rtol=0.06, atol=0.01)
    assert (table["o_info_se"] >= 0).all() and (table["o_info_se"] < 0.02).all()


def test_batched_and_looped_training_agree(gaussian_data):
    groups = [(0, 1, 2), (3, 4, 5), (1, 2, 4)]
    batched = estimate_oinfo(gaussian_data, groups, estimator="fmmi", device="cpu", groups_per_batch=3, **FAST)
    looped = estimate_oinfo(gaussian_data, groups, estimator="fmmi", device="cpu", groups_per_batch=1, **FAST)
    tolerance = 4 * np.hypot(batched["o_info_se"], looped["o_info_se"]) + 0.01
    assert (np.abs(batched["o_info"] - looped["o_info"]) <= tolerance).all()


def test_fixed_seed_gives_identical_numbers(gaussian_data):
    run = lambda seed: estimate_oinfo(  # noqa: E731
        gaussian_data, [(0, 1, 2)], estimator="fmmi", device="cpu", seed=seed, **FAST
    )["o_info"][0]
    assert run(3) == run(3)


def test_exact_and_hutchinson_divergence_agree():
    """On paths that move several coordinates (one-coordinate paths make them equal)."""
    system = GroundTruthSystem(redundant_block(4, 0.5), nu=4)
    x = system.sample(3000, seed=2)
    options = dict(FAST, decomposition="subsets")
    exact = estimate_oinfo(x, [(0, 1, 2, 3)], estimator="fmmi", device="cpu", divergence="exact", **options)
    hutch = estimate_oinfo(
        x, [(0, 1, 2, 3)], estimator="fmmi", device="cpu", divergence="hutchinson", hutchinson_probes=4, **options
    )
    diff = abs(exact["o_info"][0] - hutch["o_info"][0])
    assert diff <= 4 * np.hypot(exact["o_info_se"][0], hutch["o_info_se"][0]) + 1e-3


@pytest.mark.parametrize(
    "options, message",
    [
        (dict(no_such=1), "unknown FMMI option"),
        (dict(source="gaussian"), "needs marginals='copula'"),
        (dict(target="stable"), "needs source='gaussian'"),
        (dict(divergence="approx"), "divergence='approx'"),
        (dict(holdout=1.5), "holdout"),
        (dict(steps=0), "steps=0"),
    ],
)
def test_bad_options_are_value_errors(options, message):
    with pytest.raises(ValueError, match=message):
        FMMIConfig.from_options(**options)


def test_bad_mi_input():
    with pytest.raises(ValueError, match="paired"):
        estimate_mi(np.zeros((20, 1)) + np.arange(20)[:, None], np.arange(19.0))
    with pytest.raises(ValueError, match="NaN"):
        estimate_mi(np.full(20, np.nan), np.arange(20.0))
