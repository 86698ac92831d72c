"""Moving-block bootstrap of time points."""

from __future__ import annotations

import numpy as np


def default_block_length(n_time: int) -> int:
    """``round(T ** (1/3))``, at least 1: the usual rate for block bootstraps.

    For T = 1,200 volumes this is 11 volumes (about 8 s at TR = 0.72 s, 22 s at
    TR = 2 s), longer than the haemodynamic autocorrelation of most regions.
    """
    return max(1, int(round(n_time ** (1.0 / 3.0))))


def moving_block_indices(
    n_time: int, n_resamples: int, block_length: int, rng: np.random.Generator
) -> np.ndarray:
    """Time indices of moving-block bootstrap resamples.

    Each resample concatenates ``ceil(T / L)`` blocks of ``L`` consecutive time
    points whose starts are uniform over ``[0, T - L]``, truncated to ``T``.

    Parameters
    ----------
    n_time : int
    n_resamples : int
    block_length : int
        ``L``, between 1 and ``n_time``.
    rng : numpy.random.Generator

    Returns
    -------
    numpy.ndarray of int64, shape (n_resamples, n_time)
    """
    if not 1 <= block_length <= n_time:
        raise ValueError(f"block_length={block_length} must lie between 1 and the {n_time} time points.")
    n_blocks = -(-n_time // block_length)
    starts = rng.integers(0, n_time - block_length + 1, size=(n_resamples, n_blocks, 1))  # (B, nb, 1)
    rows = starts + np.arange(block_length)  # (B, nb, L)
    return rows.reshape(n_resamples, -1)[:, :n_time]
