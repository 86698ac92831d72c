"""Small-budget checks of the joint engine (CPU): each asserts numbers."""

import numpy as np
import pytest
import torch

from fmri_oinfo import estimate_mi
from fmri_oinfo.engine.joint.config import JointConfig
from fmri_oinfo.engine.joint.core import fmmi_subset_tc
from fmri_oinfo.engine.joint.data import prepare_groups
from fmri_oinfo.engine.joint.estimation import estimate_paths, use_exact_divergence
from fmri_oinfo.engine.joint.paths import flow_paths
from fmri_oinfo.engine.joint.training import train_residuals
from fmri_oinfo.measures import subset_plan
from fmri_oinfo.synthetic import GroundTruthSystem, redundant_block, synergistic_block

FAST = dict(steps=150, min_steps=50, width=32, depth=2, batch_size=256, eval_samples=400, quadrature_nodes=8, eval_every=50)


def joint_o_info(x: np.ndarray, n: int, dims: int = 1, seed: int = 0, **options) -> tuple[float, float]:
    """O-information of all ``n`` variables (``dims`` columns each) and its standard error."""
    plan = subset_plan(n)
    estimate, _ = fmmi_subset_tc(
        x[None], np.repeat(np.arange(n), dims), plan.masks, JointConfig.from_options(**options),
        torch.device("cpu"), seed=seed, weights=plan.weights,
    )
    return float(estimate.value[0].numpy() @ plan.weights[:, 2]), float(estimate.standard_error(plan.weights)[0, 2])


@pytest.fixture(scope="module")
def gaussian_system():
    return GroundTruthSystem.from_blocks([redundant_block(3, 0.6), synergistic_block(3, 0.6)])


def test_joint_mi_of_correlated_gaussian_blocks():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((5000, 2))
    y = 0.6 * x + 0.8 * rng.standard_normal((5000, 2))
    truth = -2 * 0.5 * np.log(1 - 0.36)  # two independent pairs with rho = 0.6
    corr = np.corrcoef(np.c_[x, y], rowvar=False)
    plug_in = 0.5 * (np.linalg.slogdet(corr[:2, :2])[1] + np.linalg.slogdet(corr[2:, 2:])[1]) - 0.5 * np.linalg.slogdet(corr)[1]
    mi, se = estimate_mi(x, y, method="joint", device="cpu", **FAST)
    assert mi == pytest.approx(plug_in, abs=0.01)  # Gaussian data: the network adds ~nothing
    assert mi == pytest.approx(truth, rel=0.1)  # sampling error of T = 5000 rows
    assert se >= 0


def test_standard_error_carries_the_rows_sampling_error():
    """On Gaussian data the residual adds ~nothing; the SE is still the rows' sampling error, never ~0.

    The pointwise MI of Gaussian pairs with correlations rho_i has variance
    sum rho_i^2, so the mean over the M = 400 rows scored has SE sqrt(0.72 / 400).
    """
    rng = np.random.default_rng(2)
    x = rng.standard_normal((5000, 2))
    y = 0.6 * x + 0.8 * rng.standard_normal((5000, 2))
    _, se = estimate_mi(x, y, method="joint", device="cpu", **FAST)
    assert se == pytest.approx(np.sqrt(0.72 / FAST["eval_samples"]), rel=0.3)


def test_multidimensional_variables_of_a_gaussian_system(gaussian_system):
    system = GroundTruthSystem(synergistic_block(3, 0.6), dims=3)
    x = system.sample(4000, seed=0)
    o_info, _ = joint_o_info(x, 3, dims=3, **FAST)
    assert o_info == pytest.approx(system.measures(np.arange(3)[None])["o_info"][0], abs=0.05)


def test_fixed_seed_gives_identical_numbers(gaussian_system):
    x = gaussian_system.sample(2000, seed=0)[:, :3]
    assert joint_o_info(x, 3, seed=3, **FAST) == joint_o_info(x, 3, seed=3, **FAST)


def test_the_divergence_switch_uses_hutchinson_above_exact_max_dims():
    config = JointConfig(exact_max_dims=12)
    assert use_exact_divergence(config, 12) and not use_exact_divergence(config, 13)
    assert use_exact_divergence(JointConfig(divergence="exact"), 40)
    assert not use_exact_divergence(JointConfig(divergence="hutchinson"), 1)


def test_exact_and_hutchinson_divergence_agree_on_a_trained_field():
    """Paths moving up to 9 coordinates, one trained non-zero residual field: the two divergences give one answer.

    The field is trained on Student-t data until it beats the zero residual on
    held-out rows (else both divergences would be of the zero field and agree
    trivially), and it must move every path's estimate.
    """
    x = GroundTruthSystem(redundant_block(3, 0.2), dims=3, nu=3).sample(3000, seed=2)
    coord_var = np.repeat(np.arange(3), 3)
    budget = dict(FAST, steps=300, min_steps=300, width=64, batch_size=512, eval_batch_size=2048,
                  decomposition="subsets", ensemble=1)
    exact_config = JointConfig.from_options(**dict(budget, divergence="exact"))
    hutch_config = JointConfig.from_options(**dict(budget, divergence="hutchinson", hutchinson_probes=8))
    generator = torch.Generator().manual_seed(0)
    data = prepare_groups(x[None], coord_var, exact_config, generator, torch.device("cpu"))
    paths = flow_paths(subset_plan(3).masks, data.coord_var, None, "subsets")
    params, history = train_residuals(data, paths, exact_config, generator)
    assert history["learnt"] == [True]
    exact = estimate_paths(params, data, paths, exact_config, torch.Generator().manual_seed(1))
    hutch = estimate_paths(params, data, paths, hutch_config, torch.Generator().manual_seed(1))
    assert (exact.value - exact.gaussian).abs().min() > 0.02  # the trained field moves every estimate
    per_row = (hutch.contributions - exact.contributions).double()[0]  # (M, paths): same rows and draws, probes differ
    z = per_row.mean(0) / (per_row.std(0) / np.sqrt(per_row.shape[0]) + 1e-12)
    assert (z.abs() < 4).all()
    np.testing.assert_allclose(hutch.value.numpy(), exact.value.numpy(), atol=0.05)


@pytest.mark.parametrize(
    "options, message",
    [
        (dict(no_such=1), "unknown joint FMMI option"),
        (dict(source="gaussian"), "needs marginals='copula'"),
        (dict(decomposition="peel"), "decomposition='peel'"),
        (dict(divergence="approx"), "divergence='approx'"),
        (dict(holdout=1.5), "holdout"),
        (dict(steps=0), "steps=0"),
    ],
)
def test_bad_options_are_value_errors(options, message):
    with pytest.raises(ValueError, match=message):
        JointConfig.from_options(**options)


def test_bad_mi_input():
    with pytest.raises(ValueError, match="paired"):
        estimate_mi(np.zeros((30, 1)) + np.arange(30)[:, None], np.arange(29.0))
    with pytest.raises(ValueError, match="NaN"):
        estimate_mi(np.full(30, np.nan), np.arange(30.0))
    with pytest.raises(ValueError, match="method"):
        estimate_mi(np.arange(30.0), np.arange(30.0) ** 2, method="kde")
