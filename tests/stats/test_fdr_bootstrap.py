"""Benjamini-Hochberg q-values and moving-block bootstrap indices."""

import numpy as np
import pytest
from scipy.stats import false_discovery_control

from fmri_oinfo.stats import benjamini_hochberg, default_block_length, moving_block_indices


def test_bh_by_hand():
    q = benjamini_hochberg(np.array([0.01, 0.04, 0.03, 0.2]))
    np.testing.assert_allclose(q, [0.04, 0.04 * 4 / 3, 0.04 * 4 / 3, 0.2], rtol=1e-12)


def test_bh_matches_scipy_and_ignores_nan():
    p = np.random.default_rng(0).uniform(size=200) ** 3
    np.testing.assert_allclose(benjamini_hochberg(p), false_discovery_control(p), rtol=1e-12)
    with_nan = np.concatenate([p[:50], [np.nan]])
    q = benjamini_hochberg(with_nan)
    assert np.isnan(q[-1])
    np.testing.assert_allclose(q[:50], false_discovery_control(p[:50]), rtol=1e-12)


def test_bh_rejects_bad_p_values():
    with pytest.raises(ValueError, match=r"must lie in \[0, 1\]"):
        benjamini_hochberg(np.array([0.5, 1.5]))


def test_default_block_length_is_cube_root_of_t():
    assert [default_block_length(t) for t in (1, 100, 1000, 1200)] == [1, 5, 10, 11]


def test_moving_blocks_are_runs_of_consecutive_time_points():
    rows = moving_block_indices(103, 50, 10, np.random.default_rng(0))
    assert rows.shape == (50, 103)
    assert rows.min() >= 0 and rows.max() <= 102
    steps = np.diff(rows.reshape(50, -1), axis=1)
    inside = np.ones(102, dtype=bool)
    inside[9::10] = False  # a new block starts every 10 time points
    assert (steps[:, inside] == 1).all()
    starts = rows[:, ::10]
    assert starts.max() <= 93  # a block never runs past the end


def test_block_length_is_checked():
    with pytest.raises(ValueError, match="block_length=0 must lie between 1 and the 50 time points"):
        moving_block_indices(50, 1, 0, np.random.default_rng(0))
