"""The generalised Pareto tail: p-values below 1/(1 + R) that agree with a much larger null."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import lfilter
from scipy.stats import genpareto

from fmri_oinfo.stats import LaggedCorrelations, circular_shifts, o_info_of_correlations, surrogate_p_values
from fmri_oinfo.stats.tail import BOUND, EXTRAPOLATION_FACTOR, fit_gpd, fit_tail, smallest_reportable_p


@pytest.fixture(scope="module")
def surrogate_null() -> np.ndarray:
    """|O| of a triplet of independent AR(1) regions over 50,000 circular-shift surrogates."""
    rng = np.random.default_rng(0)
    values = lfilter([1.0], [1.0, -0.6], rng.standard_normal((600, 3)), axis=0)
    lagged = LaggedCorrelations(values, [np.arange(3)], copula=False)
    shifts = circular_shifts(600, (50_000, 3), rng)
    corr = lagged.correlations(np.arange(3)[None, :], shifts)[:, 0]  # (R, 3, 3)
    return np.abs(o_info_of_correlations(corr))


@pytest.mark.parametrize("target", [1e-3, 3e-4, 1e-4])
def test_gpd_tail_of_999_surrogates_matches_a_50000_surrogate_null(surrogate_null, target):
    """Beyond the reach of 999 surrogates, the fitted tail is right on average.

    Over 25 disjoint nulls of 999 surrogates, the median tail p-value of the
    value at the ``1 - target`` quantile of 50,000 surrogates lies within a
    factor 2 of that null's own p-value (one fit can be off by a factor of
    about 5 either way at 1e-4: the price of extrapolating tenfold).
    """
    observed = np.quantile(surrogate_null, 1.0 - target)
    reference = (1 + (surrogate_null >= observed).sum()) / (1 + surrogate_null.size)
    nulls = surrogate_null[: 25 * 999].reshape(25, 999).T  # (999, 25): 25 nulls, one per column
    p, method = surrogate_p_values(np.full(25, observed), nulls, tail="gpd")
    assert np.isin(method, ("gpd", BOUND)).mean() >= 0.8  # at 1e-4 (the bound) some fits went lower
    assert (p >= smallest_reportable_p(999, "gpd")).all()
    assert reference / 2 <= np.median(p) <= reference * 2, (np.median(p), reference)


def test_empirical_p_where_enough_surrogates_exceed(surrogate_null):
    null = surrogate_null[:999, None]
    observed = np.array([np.quantile(null, 0.95)])
    p_gpd, method = surrogate_p_values(observed, null, tail="gpd")
    p_empirical, _ = surrogate_p_values(observed, null, tail="empirical")
    assert method[0] == "empirical" and p_gpd[0] == p_empirical[0]


def test_the_tail_reaches_below_one_over_r_down_to_the_bound_and_the_empirical_p_does_not(surrogate_null):
    """The piece that makes fast.toml (499 surrogates, ~100 sets) able to label a strong set, within the bound."""
    null = surrogate_null[:499, None]
    beyond = np.array([np.quantile(surrogate_null, 1 - 5e-4)])  # about 1 / (4 (1 + R)): inside the bound
    assert surrogate_p_values(beyond, null, tail="empirical")[0][0] >= 1 / 500
    p, method = surrogate_p_values(beyond, null, tail="gpd")
    assert method[0] == "gpd" and smallest_reportable_p(499, "gpd") < p[0] < 1 / 500
    assert smallest_reportable_p(499, "gpd") == pytest.approx(1 / (EXTRAPOLATION_FACTOR * 500))
    assert smallest_reportable_p(499, "empirical") == pytest.approx(1 / 500)
    assert smallest_reportable_p(60, "gpd") == pytest.approx(1 / 61)  # too few surrogates for a tail


def test_p_values_beyond_the_bound_are_held_at_it_and_marked():
    """A set far beyond its null is reported at the bound, as a bound, never lower (was down to 1e-16)."""
    rng = np.random.default_rng(3)
    null = np.abs(rng.standard_normal((999, 3)))  # (R, G)
    observed = np.array([100.0, 1e6, 0.5])  # two far beyond the null, one inside it
    p, method = surrogate_p_values(observed, null, tail="gpd")
    bound = smallest_reportable_p(999, "gpd")
    assert bound == pytest.approx(1e-4)
    assert list(method) == [BOUND, BOUND, "empirical"]
    assert p[0] == p[1] == bound and p[2] > bound
    assert (p >= bound).all()


def test_the_bound_counts_only_finite_surrogates():
    rng = np.random.default_rng(4)
    null = np.abs(rng.standard_normal((999, 1)))
    null[:499] = np.nan  # 500 finite surrogates
    p, method = surrogate_p_values(np.array([50.0]), null, tail="gpd")
    assert method[0] == BOUND and p[0] == pytest.approx(smallest_reportable_p(500, "gpd"))


def test_a_null_with_repeated_values_is_fitted_between_distinct_values():
    """A one-member shift null repeats values (at most T distinct shifts): the threshold avoids ties."""
    rng = np.random.default_rng(1)
    null = np.repeat(rng.gamma(2.0, size=300), 3)  # every value three times
    shape, scale, threshold, n_tail = fit_tail(null)
    assert (np.sort(null)[::-1][:n_tail] > threshold).all() and scale > 0


def test_too_few_surrogates_for_a_tail_fall_back_to_the_empirical_p():
    null = np.random.default_rng(2).standard_normal((50, 1))
    p, method = surrogate_p_values(np.array([10.0]), null, tail="gpd")
    assert method[0] == "empirical" and p[0] == pytest.approx(1 / 51)


@pytest.mark.parametrize("true_shape", [-0.3, 0.0, 0.25, 0.7])
def test_gpd_fit_is_the_maximum_likelihood_with_a_shape_of_at_least_zero(true_shape):
    rng = np.random.default_rng(5)
    for n in (20, 125):
        excess = genpareto.rvs(true_shape, scale=1.5, size=n, random_state=rng)
        shape, scale = fit_gpd(excess)
        assert shape >= 0.0 and scale > 0.0
        fitted = genpareto.logpdf(excess, shape, 0.0, scale).sum()
        # no shape >= 0 does better: a grid of shapes, each with a grid of scales around the data's mean
        shapes = np.linspace(0.0, 2.0, 201)[None, :, None]
        scales = excess.mean() * np.logspace(-1.5, 1.5, 201)[None, None, :]
        grid = genpareto.logpdf(excess[:, None, None], shapes, 0.0, scales).sum(axis=0)
        assert fitted >= np.nanmax(grid) - 1e-6
    excess = genpareto.rvs(true_shape, scale=1.5, size=2_000, random_state=rng)
    shape, scale = fit_gpd(excess)
    if true_shape >= 0:  # the fit recovers the generating tail from 2,000 excesses
        assert shape == pytest.approx(true_shape, abs=0.08) and scale == pytest.approx(1.5, rel=0.1)
    else:  # a bounded tail is replaced by the exponential of the same mean
        assert shape == 0.0 and scale == pytest.approx(excess.mean())
