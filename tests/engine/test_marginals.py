"""The per-variable maps towards normal marginals: monotone, and Gaussian where they should be."""

import numpy as np
import pytest
from scipy.stats import kurtosis

from fmri_oinfo.engine.marginals import (
    MARGINALS,
    fit_tail_parameter,
    gaussianize,
    heavy_tail_inverse,
    normalise_marginals,
)


def test_heavy_tail_inverse_undoes_the_lambert_w_model():
    z = np.linspace(-4, 4, 81)
    for delta in (0.0, 0.1, 0.5, 2.0):
        y = z * np.exp(delta * z**2 / 2)
        np.testing.assert_allclose(heavy_tail_inverse(y, delta), z, atol=1e-10)


def test_student_t_column_becomes_normal_and_keeps_its_order():
    rng = np.random.default_rng(0)
    column = rng.standard_t(3, size=10_000)
    assert kurtosis(column) > 3  # heavy tails to start with
    z = gaussianize(column)
    z = (z - z.mean()) / z.std()
    assert abs(kurtosis(z)) < 0.05
    # tail quantiles near a standard normal's (the z-scored t_3 has 5.9 at 0.1 %);
    # the map is parametric, so only approximately normal: tolerance 0.2 and 0.3
    quantiles = np.percentile(z, [0.1, 1, 99, 99.9])
    assert np.all(np.abs(quantiles - [-3.09, -2.33, 2.33, 3.09]) < [0.3, 0.2, 0.2, 0.3])
    np.testing.assert_array_equal(np.argsort(z, kind="stable"), np.argsort(column, kind="stable"))


def test_gaussian_columns_are_not_bent_by_sampling_noise():
    rng = np.random.default_rng(1)
    deltas = [fit_tail_parameter(rng.standard_normal(1200)) for _ in range(50)]
    # the kurtosis test at p = 0.001: at most an occasional column is bent
    assert sum(d > 0 for d in deltas) <= 2


@pytest.mark.parametrize("marginals", MARGINALS)
def test_every_map_is_monotone_and_standardises(marginals):
    rng = np.random.default_rng(2)
    samples = np.stack([rng.standard_t(4, size=(500, 3)), rng.exponential(size=(500, 3))])  # (G=2, T, D)
    out = normalise_marginals(samples, marginals)
    assert out.shape == samples.shape
    np.testing.assert_allclose(out.mean(axis=1), 0.0, atol=1e-10)
    np.testing.assert_allclose(out.std(axis=1), 1.0, atol=1e-10)
    for g in range(2):
        for d in range(3):
            np.testing.assert_array_equal(
                np.argsort(out[g, :, d], kind="stable"), np.argsort(samples[g, :, d], kind="stable")
            )
