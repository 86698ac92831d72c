"""Standard errors of means of autocorrelated rows."""

import numpy as np

from fmri_oinfo.engine.uncertainty import long_run_variance


def ar1(rho, n, n_series, seed):
    rng = np.random.default_rng(seed)
    e = rng.standard_normal((n_series, n))
    x = np.empty_like(e)
    x[:, 0] = e[:, 0] / np.sqrt(1 - rho**2)
    for t in range(1, n):
        x[:, t] = rho * x[:, t - 1] + e[:, t]
    return x


def test_independent_rows_give_the_plain_variance_of_the_mean():
    x = np.random.default_rng(0).standard_normal((200, 2000))
    np.testing.assert_allclose(long_run_variance(x).mean(), 1 / 2000, rtol=0.05)


def test_autocorrelated_rows_give_the_long_run_variance():
    rho, n = 0.6, 2000
    x = ar1(rho, n, 300, seed=1)
    truth = 1 / (1 - rho) ** 2 / n  # spectral density at 0 of a unit-innovation AR(1)
    got = long_run_variance(x)
    assert abs(np.median(got) / truth - 1) < 0.15
    # the naive variance would be 4x too small
    assert np.median(got) > 3 * x.var(axis=1).mean() / n


def test_empirical_coverage_of_95_percent_intervals():
    rho, n = 0.5, 1200
    x = ar1(rho, n, 1000, seed=2)
    se = np.sqrt(long_run_variance(x))
    covered = np.abs(x.mean(axis=1)) <= 1.96 * se
    assert 0.90 <= covered.mean() <= 0.98


def test_constant_series_has_zero_variance():
    assert long_run_variance(np.ones((1, 50)))[0] == 0.0
