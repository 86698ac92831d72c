"""Surrogates keep each region's autocorrelation and break dependence between regions."""

import numpy as np
import pytest
from scipy.signal import lfilter

from fmri_oinfo.stats import circular_shift_surrogates, make_surrogates, phase_randomized_surrogates


@pytest.fixture(scope="module")
def coupled():
    """Two AR(1) regions (phi = 0.7) with correlation about 0.8, T = 512."""
    rng = np.random.default_rng(0)
    common = rng.standard_normal(512)
    x = np.stack([common + 0.5 * rng.standard_normal(512), common + 0.5 * rng.standard_normal(512)], axis=1)
    return lfilter([1.0], [1.0, -0.7], x, axis=0)


def _circular_autocovariance(x):
    f = np.fft.rfft(x - x.mean(axis=0), axis=0)
    return np.fft.irfft(np.abs(f) ** 2, n=x.shape[0], axis=0)


def test_circular_shifts_are_rotations_keeping_autocovariance(coupled):
    surrogates = circular_shift_surrogates(coupled, 20, np.random.default_rng(1))
    assert surrogates.shape == (20, 512, 2)
    for s in surrogates:
        for j in range(2):
            shift = int(np.flatnonzero(np.isclose(s[:, j], coupled[0, j]))[0])
            np.testing.assert_array_equal(s[:, j], np.roll(coupled[:, j], shift))
        np.testing.assert_allclose(_circular_autocovariance(s), _circular_autocovariance(coupled), atol=1e-8)


def test_phase_surrogates_keep_amplitude_spectrum_and_mean(coupled):
    surrogates = phase_randomized_surrogates(coupled + 3.0, 20, np.random.default_rng(2))
    assert surrogates.shape == (20, 512, 2)
    amplitude = np.abs(np.fft.rfft(coupled + 3.0, axis=0))
    for s in surrogates:
        np.testing.assert_allclose(np.abs(np.fft.rfft(s, axis=0)), amplitude, rtol=1e-9, atol=1e-9)
        np.testing.assert_allclose(s.mean(axis=0), coupled.mean(axis=0) + 3.0, atol=1e-12)


@pytest.mark.parametrize("kind", ["circular", "phase"])
def test_surrogates_break_the_coupling(coupled, kind):
    surrogates = make_surrogates(coupled, 200, kind, np.random.default_rng(3))
    corr = np.array([np.corrcoef(s.T)[0, 1] for s in surrogates])
    assert np.corrcoef(coupled.T)[0, 1] > 0.7
    # Independent AR(1) pairs: sd of r is about sqrt((1 + phi^2) / (1 - phi^2) / T) = 0.08.
    assert abs(corr.mean()) < 0.03
    assert 0.04 < corr.std() < 0.13


def test_unknown_surrogate_kind():
    with pytest.raises(ValueError, match="surrogate='shuffle' is not known"):
        make_surrogates(np.zeros((10, 2)), 1, "shuffle", np.random.default_rng(0))
