"""Batched Gaussian and Gaussian-copula estimators against closed forms."""

import numpy as np
import pytest
import torch

from fmri_oinfo.estimators.gaussian import GaussianEstimator, batched_logdet, logdet_bias, tc_bias
from fmri_oinfo.measures import measures_from_tc, subset_plan
from fmri_oinfo.synthetic import GroundTruthSystem, redundant_block, sum_triplet, synergistic_block


@pytest.fixture(scope="module")
def mixed_system():
    return GroundTruthSystem.from_blocks([redundant_block(4, 0.6), synergistic_block(4, 0.5), sum_triplet()])


def test_population_correlation_gives_exact_tc(mixed_system):
    """Fitted on the exact correlation, the estimator is the closed form to 1e-10."""
    est = GaussianEstimator(device="cpu").fit(np.random.default_rng(0).standard_normal((20, 11)))  # shapes only
    est.correlation_ = torch.as_tensor(mixed_system.scale)
    groups = np.array([[0, 1, 2, 3], [4, 5, 6, 7], [0, 4, 8, 10], [8, 9, 10, 1]])
    plan = subset_plan(4, gradient=True)
    got = est.total_correlations(groups, plan).tc
    np.testing.assert_allclose(got, mixed_system.subset_tc(groups, plan), atol=1e-10)


@pytest.mark.parametrize("copula", [False, True])
def test_sample_estimate_close_to_truth(mixed_system, copula):
    x = mixed_system.sample(20_000, seed=0)
    groups = np.array([[0, 1, 2], [4, 5, 6], [8, 9, 10], [0, 5, 9]])
    plan = subset_plan(3)
    est = GaussianEstimator(copula=copula, device="cpu").fit(x)
    got = measures_from_tc(est.total_correlations(groups, plan).tc, plan)["o_info"]
    want = mixed_system.measures(groups)["o_info"]
    # the copula's rank step blurs the near-deterministic sum triplet (known, ~10 % at T=1200)
    np.testing.assert_allclose(got, want, atol=0.05 if copula else 0.02)


def test_copula_is_invariant_to_marginal_transforms():
    base = GroundTruthSystem(synergistic_block(5, 0.6))
    groups = np.array([[0, 1, 2, 3, 4], [0, 1, 2, 3, 4]])[:1]
    plan = subset_plan(5, gradient=True)
    values = []
    for transform in (None, "half-cube", "normal-cdf", "exp"):
        x = GroundTruthSystem(base.scale, transform=transform).sample(3000, seed=7)
        values.append(GaussianEstimator(copula=True, device="cpu").fit(x).total_correlations(groups, plan).tc)
    for v in values[1:]:
        np.testing.assert_allclose(v, values[0], atol=1e-12)


def test_copula_is_biased_on_student_t():
    """R = I Student-t: TC > 0 but the copula sees (almost) nothing."""
    system = GroundTruthSystem(np.eye(4), nu=3)
    x = system.sample(20_000, seed=2)
    plan = subset_plan(4)
    tc = GaussianEstimator(copula=True, device="cpu").fit(x).total_correlations(np.arange(4)[None], plan).tc
    assert system.tc(np.arange(4)) > 0.15
    assert abs(tc[0, 0]) < 0.01


def test_bias_correction_removes_small_sample_bias():
    """Independent Gaussians: the plug-in TC is biased upwards; the corrected one is centred on 0."""
    rng = np.random.default_rng(0)
    plan = subset_plan(5)
    raw, corrected = [], []
    for _ in range(300):
        x = rng.standard_normal((60, 5))
        raw.append(GaussianEstimator(device="cpu").fit(x).total_correlations(np.arange(5)[None], plan).tc[0, 0])
        corrected.append(
            GaussianEstimator(bias_correction=True, device="cpu").fit(x).total_correlations(np.arange(5)[None], plan).tc[0, 0]
        )
    # the plug-in bias of 5 variables at T=60 is about 0.09 nats
    assert np.mean(raw) == pytest.approx(tc_bias(5, 60), rel=0.15)
    assert abs(np.mean(corrected)) < 0.01


def test_logdet_bias_matches_monte_carlo():
    rng = np.random.default_rng(1)
    draws = [np.linalg.slogdet(np.cov(rng.standard_normal((30, 3)), rowvar=False))[1] for _ in range(4000)]
    assert np.mean(draws) == pytest.approx(logdet_bias(3, 30), abs=0.02)


def test_singular_group_gives_infinite_tc():
    eye = torch.eye(3, dtype=torch.float64)
    singular = torch.ones(3, 3, dtype=torch.float64)
    out = batched_logdet(torch.stack([eye, singular]))
    assert out[0] == 0.0 and out[1] == -torch.inf


@pytest.mark.parametrize("order, gradient", [(3, False), (4, False), (5, False), (3, True)])
def test_a_region_that_is_the_sum_of_two_others_has_infinite_tc(order, gradient):
    """Rounding leaves such a correlation matrix a determinant of about 1e-15, which gave a finite TC of about
    17 nats (and an O-information of -17) on every route: closed-form determinants, precision identities."""
    x = np.random.default_rng(0).standard_normal((300, order + 1))
    x[:, 2] = x[:, 0] + x[:, 1]
    estimator = GaussianEstimator(device="cpu").fit(x)
    sets = np.array([list(range(order)), [0, 1, *range(3, order + 1)]])  # with and without region 2
    plan = subset_plan(order, gradient=gradient)
    tc = estimator.total_correlations(sets, plan).tc
    assert tc[0, 0] == np.inf and np.isfinite(tc[1]).all()
    values = estimator.measures(sets, plan).values
    assert values[0, 0] == np.inf and not np.isfinite(values[0, 2]) and np.isfinite(values[1]).all()


def test_exhaustive_stream_matches_batch_call(mixed_system):
    x = mixed_system.sample(1000, seed=4)
    est = GaussianEstimator(device="cpu", batch_size=37).fit(x)
    plan = subset_plan(3)
    groups, o_info = [], []
    for batch, measures in est.iter_exhaustive(plan):
        groups.append(batch)
        o_info.append(measures["o_info"])
    groups = np.concatenate(groups)
    assert len(groups) == 165
    direct = measures_from_tc(est.total_correlations(groups, plan).tc, plan)["o_info"]
    np.testing.assert_allclose(np.concatenate(o_info), direct, atol=1e-12)
