"""Rank-based normalisation of each variable to standard normal scores."""

from __future__ import annotations

import numpy as np
from scipy.special import ndtri
from scipy.stats import rankdata


def normal_scores(x: np.ndarray) -> np.ndarray:
    """Map each column to N(0, 1) scores through its ranks (the Gaussian copula).

    Parameters
    ----------
    x : array of shape (T, N)

    Returns
    -------
    numpy.ndarray, shape (T, N)
        ``ndtri(rank / (T + 1))`` per column, ties averaged.  Every information
        quantity is invariant under this per-variable monotone map.
    """
    x = np.asarray(x, dtype=np.float64)
    ranks = rankdata(x, axis=0)  # (T, N)
    return ndtri(ranks / (x.shape[0] + 1))
