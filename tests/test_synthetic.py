"""Ground-truth systems: samplers agree with their closed forms."""

import numpy as np
import pytest
from scipy.stats import multivariate_t

from fmri_oinfo.synthetic import (
    GroundTruthSystem,
    HeteroscedasticSystem,
    MixtureSystem,
    MultiplicativeSystem,
    random_correlation,
    redundant_block,
    student_t_entropy,
    sum_triplet,
    synergistic_block,
)


def test_math_note_reference_values():
    # The math note: Student-t nu=3, five variables, r=0.3
    t5 = GroundTruthSystem(redundant_block(5, 0.3), nu=3)
    m = t5.measures(np.arange(5)[None])
    assert m["o_info"][0] == pytest.approx(0.212, abs=5e-4)
    assert m["tc"][0] == pytest.approx(0.612, abs=5e-4)
    assert t5.tc([0, 1, 2, 3]) == pytest.approx(0.410, abs=5e-4)
    # The strongly synergistic triplet X3 = X1 + X2 + 0.1 e
    s = GroundTruthSystem(sum_triplet()).measures(np.arange(3)[None])
    assert s["o_info"][0] == pytest.approx(-1.96, abs=5e-3)
    assert s["tc"][0] == pytest.approx(2.64, abs=2e-2)


def test_student_t_entropy_matches_scipy():
    for nu, d in [(3, 1), (4, 3), (5, 6)]:
        want = multivariate_t(loc=np.zeros(d), shape=np.eye(d), df=nu).entropy()
        assert student_t_entropy(nu, d) == pytest.approx(want, abs=1e-10)


def test_gaussian_sample_covariance_matches_scale():
    system = GroundTruthSystem(synergistic_block(4, 0.5), dims=2)
    x = system.sample(40_000, seed=1)
    assert x.shape == (40_000, 8)
    want = np.kron(system.scale, np.eye(2))
    np.testing.assert_allclose(np.cov(x, rowvar=False), want, atol=0.03)


def test_block_tc_is_dims_times_scalar_for_gaussian():
    one = GroundTruthSystem(redundant_block(3, 0.4))
    five = GroundTruthSystem(redundant_block(3, 0.4), dims=5)
    assert five.tc([0, 1, 2]) == pytest.approx(5 * one.tc([0, 1, 2]))


def test_transforms_keep_ranks():
    base = GroundTruthSystem(redundant_block(3, 0.5)).sample(500, seed=3)
    for name in ("half-cube", "normal-cdf", "exp"):
        x = GroundTruthSystem(redundant_block(3, 0.5), transform=name).sample(500, seed=3)
        np.testing.assert_array_equal(np.argsort(x, axis=0), np.argsort(base, axis=0))


def test_invalid_systems_are_refused():
    with pytest.raises(np.linalg.LinAlgError):
        GroundTruthSystem(np.array([[1.0, 2.0], [2.0, 1.0]]))
    with pytest.raises(ValueError, match="transform"):
        GroundTruthSystem(np.eye(3), transform="square")
    with pytest.raises(ValueError, match="k >= 3"):
        synergistic_block(2, 0.3)


@pytest.mark.parametrize(
    "system",
    [
        GroundTruthSystem(synergistic_block(4, 0.5), dims=2),
        GroundTruthSystem(redundant_block(4, 0.3), nu=3, transform="exp"),
    ],
    ids=["gaussian-d2", "student-t"],
)
def test_pointwise_measures_average_to_the_closed_forms(system):
    pointwise = system.pointwise_measures(200_000, seed=2)
    exact = system.measures(np.arange(4)[None])
    for name in ("tc", "o_info"):
        standard_error = pointwise[name].std() / np.sqrt(pointwise[name].size)
        # four standard errors of the Monte-Carlo mean
        assert abs(pointwise[name].mean() - exact[name][0]) < 4 * standard_error


def test_oracle_sd_is_zero_without_dependence_and_shrinks_with_samples():
    assert GroundTruthSystem(np.eye(3)).oracle_sd(1000) == pytest.approx(0.0, abs=1e-12)
    t3 = GroundTruthSystem(redundant_block(3, 0.3), nu=3)
    assert t3.oracle_sd(400, n_draws=50_000) == pytest.approx(2 * t3.oracle_sd(1600, n_draws=50_000))
    pair = GroundTruthSystem(np.array([[1.0, 0.75], [0.75, 1.0]]))
    assert pair.pointwise_tc(100_000, seed=4).mean() == pytest.approx(-0.5 * np.log(1 - 0.75**2), abs=0.01)
    assert pair.oracle_sd(10_000, "tc") > 0
    with pytest.raises(ValueError, match="quantity"):
        t3.oracle_sd(100, quantity="entropy")


def test_multiplicative_system_closed_form_and_pointwise_truth():
    system = MultiplicativeSystem(noise=0.3)
    exact = system.measures(np.arange(3)[None])
    assert exact["o_info"][0] == pytest.approx(-0.683, abs=1e-3)  # the engine issue's system
    # p(x3) is a density: it integrates to 1
    v, w = np.polynomial.legendre.leggauss(400)
    span = np.arcsinh(60 / 0.3)
    x3 = 0.3 * np.sinh(v * span)
    assert np.sum(w * span * 0.3 * np.cosh(v * span) * np.exp(system.log_p3(x3))) == pytest.approx(1.0, abs=1e-9)
    pointwise = system.pointwise_measures(50_000, seed=1)
    for name in ("tc", "o_info"):
        standard_error = pointwise[name].std() / np.sqrt(pointwise[name].size)
        assert abs(pointwise[name].mean() - exact[name][0]) < 4 * standard_error
    # no pair is correlated: a Gaussian estimator sees nothing
    assert np.abs(np.corrcoef(system.sample(100_000, seed=2).T)[np.triu_indices(3, 1)]).max() < 0.02


def test_heteroscedastic_system_closed_form_and_pointwise_truth():
    system = HeteroscedasticSystem(scale=0.5)
    exact = system.measures(np.arange(3)[None])
    assert exact["o_info"][0] == pytest.approx(-0.106, abs=1e-3)  # synergy carried by the noise level alone
    pointwise = system.pointwise_measures(50_000, seed=1)
    for name in ("tc", "o_info"):
        standard_error = pointwise[name].std() / np.sqrt(pointwise[name].size)
        assert abs(pointwise[name].mean() - exact[name][0]) < 4 * standard_error
    # each pair's TC from its pointwise log ratios agrees with its closed form
    x = system.sample(50_000, seed=2)
    for pair in ([0, 2], [1, 2]):
        mask = np.zeros((1, 3), dtype=bool)
        mask[0, pair] = True
        rows = system.pointwise_subset_tc(x, mask)[:, 0]
        assert abs(rows.mean() - system.tc(np.array(pair))) < 4 * rows.std() / np.sqrt(rows.size)
    # x2 is uncorrelated with the others: the Gaussian part sees only x1 and x3
    assert abs(np.corrcoef(x.T)[0, 1]) < 0.02 and abs(np.corrcoef(x.T)[1, 2]) < 0.02


def test_mixture_with_opposite_correlations_has_normal_uncorrelated_marginals():
    system = MixtureSystem(synergistic_block(3, 0.7), flip=(1, -1, 1))
    x = system.sample(100_000, seed=0)
    assert np.abs(np.corrcoef(x.T)[np.triu_indices(3, 1)]).max() < 0.015
    np.testing.assert_allclose(x.std(axis=0), 1.0, atol=0.01)
    measures = system.in_sample_measures(x, np.arange(3)[None])
    assert measures["o_info"][0] < -0.15 and measures["tc"][0] > 0.25
    with pytest.raises(ValueError, match="flip"):
        MixtureSystem(np.eye(3), flip=(1, -1))


def test_in_sample_oracle_of_a_transformed_gaussian_approaches_the_closed_form():
    system = GroundTruthSystem(redundant_block(4, 0.5), transform=("exp", "cube", None, "half-cube"))
    x = system.sample(100_000, seed=3)
    assert np.all(x[:, 0] > 0)  # the exp transform is there
    oracle = system.in_sample_measures(x, [(0, 1, 2), (0, 1, 2, 3)])
    exact = [system.measures(np.array([g]))["o_info"][0] for g in ([0, 1, 2], [0, 1, 2, 3])]
    np.testing.assert_allclose(oracle["o_info"], exact, atol=0.005)
    with pytest.raises(ValueError, match="one per variable"):
        GroundTruthSystem(np.eye(3), transform=("exp", None))


def test_random_correlation_has_mixed_signs():
    corr = random_correlation(6, seed=0, strength=1.5)
    np.linalg.cholesky(corr)
    np.testing.assert_allclose(np.diag(corr), 1.0)
    off = corr[np.triu_indices(6, 1)]
    assert (off > 0.05).any() and (off < -0.05).any()


def test_pointwise_mi_averages_to_the_closed_form():
    pair = GroundTruthSystem(np.array([[1.0, 0.6], [0.6, 1.0]]), nu=4)
    x = pair.sample(100_000, seed=5)
    assert pair.pointwise_mi(x, [0], [1]).mean() == pytest.approx(pair.tc([0, 1]), abs=0.005)
