"""Linear-process surrogates keep every spectrum and cross-spectrum and destroy higher-order structure."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import lfilter

from fmri_oinfo.stats.linear_surrogates import iaaft_surrogates, linear_surrogates, shared_phase_surrogates


def _coupled_ar(n_time: int, seed: int) -> np.ndarray:
    """Three AR(1) regions, the third lagging and mixing the first two; a multiplicative fourth."""
    rng = np.random.default_rng(seed)
    x = lfilter([1.0], [1.0, -0.7], rng.standard_normal((n_time, 3)), axis=0)
    x[1:, 2] = 0.6 * x[:-1, 0] - 0.4 * x[:-1, 1] + 0.5 * x[1:, 2]
    product = x[:, 0] * x[:, 1] + 0.3 * rng.standard_normal(n_time)
    return np.column_stack([x, product])


def _circular_cross_covariance(x: np.ndarray, lag: int) -> np.ndarray:
    centred = x - x.mean(axis=0)
    return centred.T @ np.roll(centred, lag, axis=0) / len(x)


def test_shared_phases_keep_every_lagged_cross_covariance_and_lose_the_product() -> None:
    x = _coupled_ar(512, seed=0)
    surrogates = shared_phase_surrogates(x, 20, np.random.default_rng(1))
    assert surrogates.shape == (20, 512, 4)
    for lag in (0, 1, 3, 17):
        for s in surrogates:
            np.testing.assert_allclose(_circular_cross_covariance(s, lag), _circular_cross_covariance(x, lag),
                                       atol=1e-10)
    # the product's dependence on its factors is not linear: its square follows theirs in the data only
    data_link = np.corrcoef(x[:, 3] ** 2, (x[:, 0] * x[:, 1]) ** 2)[0, 1]
    surrogate_link = np.mean([np.corrcoef(s[:, 3] ** 2, (s[:, 0] * s[:, 1]) ** 2)[0, 1] for s in surrogates])
    assert data_link > 0.5 and abs(surrogate_link) < 0.15


def test_shared_phases_are_not_the_data_and_differ_between_surrogates() -> None:
    x = _coupled_ar(256, seed=2)
    first, second = shared_phase_surrogates(x, 2, np.random.default_rng(3))
    assert np.abs(first - x).max() > 0.5 and np.abs(first - second).max() > 0.5


def test_iaaft_keeps_each_distribution_exactly_and_the_cross_covariances_closely() -> None:
    rng = np.random.default_rng(4)
    x = _coupled_ar(512, seed=4)
    x[:, 1] = np.exp(x[:, 1] / 2)  # a skewed region: its values must survive exactly
    surrogates = iaaft_surrogates(x, 8, rng)
    np.testing.assert_array_equal(np.sort(surrogates, axis=1), np.broadcast_to(np.sort(x, axis=0), surrogates.shape))
    for lag in (0, 1, 2):
        target = _circular_cross_covariance(x, lag)
        scale = np.sqrt(np.outer(np.diag(target), np.diag(target)))
        mean = np.mean([_circular_cross_covariance(s, lag) for s in surrogates], axis=0)
        assert np.abs(mean - target).max() / scale.max() < 0.05
    data_link = np.corrcoef(x[:, 3] ** 2, (x[:, 0] * x[:, 1]) ** 2)[0, 1]
    surrogate_link = np.mean([np.corrcoef(s[:, 3] ** 2, (s[:, 0] * s[:, 1]) ** 2)[0, 1] for s in surrogates])
    assert surrogate_link < data_link / 2


def test_unknown_kind_names_the_valid_ones() -> None:
    with pytest.raises(ValueError, match="shared-phase"):
        linear_surrogates(np.zeros((10, 2)), 1, "circular", np.random.default_rng(0))
