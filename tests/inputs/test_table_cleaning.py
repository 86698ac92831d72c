"""Signs of an uncleaned region table, and cleaning a table as nilearn cleans extracted series."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fmri_oinfo.inputs.table_cleaning import clean_region_table, uncleaned_signs

T_R = 2.0


def _band_limited(n_volumes: int, n_regions: int, rng: np.random.Generator) -> np.ndarray:
    """Independent series with power only in 0.01-0.08 Hz at TR 2 s (what cleaning keeps)."""
    frequencies = np.fft.rfftfreq(n_volumes, T_R)  # (F,)
    spectrum = rng.standard_normal((frequencies.size, n_regions)) + 1j * rng.standard_normal((frequencies.size, n_regions))
    spectrum[(frequencies < 0.01) | (frequencies > 0.08)] = 0.0
    return np.fft.irfft(spectrum, n=n_volumes, axis=0)  # (T, N)


@pytest.fixture(scope="module")
def clean() -> pd.DataFrame:
    values = _band_limited(400, 12, np.random.default_rng(0))
    return pd.DataFrame(values / values.std(axis=0), columns=[f"R{j}" for j in range(12)])


def test_a_clean_table_shows_no_sign(clean):
    assert uncleaned_signs(clean) == []


def test_each_kind_of_uncleaned_table_is_named(clean):
    rng = np.random.default_rng(1)
    shared = _band_limited(len(clean), 1, rng)[:, 0]
    shared /= shared.std()
    global_signal = clean + 1.5 * shared[:, None]  # every region carries one shared signal
    (sign,) = uncleaned_signs(global_signal)
    assert "global signal" in sign and "100 % of region pairs" in sign
    time = np.linspace(-1, 1, len(clean))
    drifting = clean + 2.0 * time[:, None] * rng.uniform(0.5, 1.5, clean.shape[1])  # upward drifts
    signs = uncleaned_signs(drifting - drifting.mean())
    assert any("linear trend" in s for s in signs)
    raw = clean * 50 + 10000  # scanner intensities, never demeaned
    assert any("raw intensities" in s for s in uncleaned_signs(raw))


def test_cleaning_removes_drift_and_out_of_band_power_and_standardises(clean):
    rng = np.random.default_rng(2)
    time = np.arange(len(clean)) * T_R
    fast = np.sin(2 * np.pi * 0.2 * time)  # 0.2 Hz: above the 0.1 Hz low-pass
    dirty = clean + 0.01 * time[:, None] + 0.8 * fast[:, None] * rng.uniform(0.5, 1, clean.shape[1]) + 300.0
    before = dirty.copy()
    cleaned = clean_region_table(dirty, T_R)
    pd.testing.assert_frame_equal(dirty, before)  # the input is not changed
    assert list(cleaned.columns) == list(clean.columns) and cleaned.shape == clean.shape
    np.testing.assert_allclose(cleaned.mean(), 0.0, atol=1e-10)
    np.testing.assert_allclose(cleaned.std(ddof=1), 1.0, rtol=1e-10)  # zscore_sample
    assert uncleaned_signs(dirty) and uncleaned_signs(cleaned) == []
    # the band-pass keeps the in-band signal: each cleaned region correlates with its clean original
    agreement = [np.corrcoef(cleaned[c], clean[c])[0, 1] for c in clean.columns]
    assert min(agreement) > 0.95, agreement
    frequencies = np.fft.rfftfreq(len(clean), T_R)
    power = np.abs(np.fft.rfft(cleaned.to_numpy(), axis=0)) ** 2
    assert power[frequencies > 0.15].sum() < 0.01 * power.sum()


def test_cleaning_needs_the_repetition_time(clean):
    for t_r in (None, 0.0):
        with pytest.raises(ValueError, match="repetition time.*--t-r"):
            clean_region_table(clean, t_r)
    with pytest.raises(ValueError, match="Nyquist"):
        clean_region_table(clean, 6.0, low_pass=0.1)  # Nyquist of TR 6 s is 0.083 Hz
