"""Ensembles of independently trained fields: averaging and standard errors."""

import numpy as np
import pytest
import torch

from fmri_oinfo.engine.joint.config import JointConfig
from fmri_oinfo.engine.joint.core import fmmi_subset_tc
from fmri_oinfo.engine.joint.estimation import PathEstimate
from fmri_oinfo.measures import subset_plan
from fmri_oinfo.synthetic import GroundTruthSystem, redundant_block

FAST = dict(steps=200, min_steps=200, width=32, depth=2, batch_size=256, eval_samples=400, quadrature_nodes=8, eval_every=50)


def flat_estimate(n_groups: int, n_members: int, seed: int = 0) -> PathEstimate:
    """A (G * E)-group estimate as the engine returns it before folding members."""
    rng = np.random.default_rng(seed)
    contributions = torch.as_tensor(rng.standard_normal((n_groups * n_members, 50, 2)))
    gaussian = torch.as_tensor(np.repeat(rng.standard_normal((n_groups, 2)), n_members, axis=0))
    value = gaussian + contributions.mean(dim=1)
    return PathEstimate(members=value[:, None], gaussian=gaussian, contributions=contributions)


def test_average_members_folds_consecutive_groups():
    flat = flat_estimate(n_groups=2, n_members=3)
    folded = flat.average_members(3)
    assert folded.members.shape == (2, 3, 2)
    np.testing.assert_allclose(folded.members.numpy(), flat.value.numpy().reshape(2, 3, 2))
    np.testing.assert_allclose(folded.value.numpy(), flat.value.numpy().reshape(2, 3, 2).mean(axis=1))
    np.testing.assert_allclose(folded.gaussian.numpy(), flat.gaussian.numpy()[::3])
    # the folded contributions still average to the residual part of the value
    np.testing.assert_allclose(folded.contributions.mean(dim=1).numpy(), (folded.value - folded.gaussian).numpy())
    assert flat.average_members(1) is flat


def test_standard_error_adds_the_spread_between_members():
    folded = flat_estimate(n_groups=2, n_members=4, seed=1).average_members(4)
    weights = np.array([[1.0, 1.0], [1.0, -1.0]])  # (K, Q): a sum and a difference
    per_row = folded.contributions.numpy() @ weights  # (G, M, Q)
    monte_carlo = per_row.var(axis=1, ddof=1) / per_row.shape[1]
    between = (folded.members.numpy() @ weights).var(axis=1, ddof=1) / 4
    np.testing.assert_allclose(folded.standard_error(weights), np.sqrt(monte_carlo + between))
    single = flat_estimate(n_groups=2, n_members=1, seed=1)
    np.testing.assert_allclose(
        single.standard_error(weights),
        np.sqrt((single.contributions.numpy() @ weights).var(axis=1, ddof=1) / 50),
    )


@pytest.fixture(scope="module")
def heavy_tailed():
    return GroundTruthSystem(redundant_block(3, 0.5), nu=3).sample(3000, seed=0)


def test_ensemble_members_are_trained_independently():
    """3 variables x 3 coordinates (Student-t), a budget at which members learn.

    Held-out selection keeps only gains beyond noise, so at a budget where no
    member learns every member is the Gaussian part and they cannot differ.
    """
    x = GroundTruthSystem(redundant_block(3, 0.2), dims=3, nu=3).sample(3000, seed=0)
    plan = subset_plan(3)
    config = JointConfig.from_options(ensemble=3, **dict(FAST, batch_size=512, time_power=1.0, steps=400,
                                                         min_steps=400))
    estimate, _ = fmmi_subset_tc(x[None], np.repeat(np.arange(3), 3), plan.masks, config, torch.device("cpu"))
    members = estimate.members.numpy()[0]  # (E, S)
    assert members.shape == (3, plan.n_subsets)
    np.testing.assert_allclose(estimate.value.numpy()[0], members.mean(axis=0))
    # own initial weights and draws: the members' estimates differ (a member may
    # also keep the zero residual, i.e. the Gaussian part)
    assert np.ptp(members, axis=0).max() > 1e-3


def joint_o_info(x: np.ndarray, seed: int = 0, **options) -> tuple[float, float]:
    plan = subset_plan(3)
    estimate, _ = fmmi_subset_tc(
        x[None], np.arange(3), plan.masks, JointConfig.from_options(**options), torch.device("cpu"), seed=seed,
        weights=plan.weights,
    )
    return float(estimate.value[0].numpy() @ plan.weights[:, 2]), float(estimate.standard_error(plan.weights)[0, 2])


def test_ensemble_standard_error_covers_training_spread(heavy_tailed):
    single = joint_o_info(heavy_tailed, ensemble=1, **FAST)
    ensemble = joint_o_info(heavy_tailed, ensemble=3, **FAST)
    # the Monte-Carlo error alone is not what a new seed would change
    assert ensemble[1] > single[1]
    other_seeds = [joint_o_info(heavy_tailed, seed=s, ensemble=1, **FAST)[0] for s in (1, 2)]
    # the ensemble mean sits within a few standard errors of other single seeds' estimates
    single_spread = np.sqrt(3) * ensemble[1]
    assert all(abs(v - ensemble[0]) < 4 * single_spread for v in other_seeds)
