"""Benjamini-Hochberg false discovery rate control (scipy's, with a NaN mask)."""

from __future__ import annotations

import numpy as np
from scipy.stats import false_discovery_control


def benjamini_hochberg(p_values: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (q-values).

    ``q_(i) = min_{j >= i} min(1, m p_(j) / j)`` over the sorted p-values
    (:func:`scipy.stats.false_discovery_control`); rejecting ``q < alpha``
    controls the false discovery rate at ``alpha`` for independent or
    positively dependent tests.  NaN p-values stay NaN and do not count in
    ``m``.

    Parameters
    ----------
    p_values : array of float, shape (m,)

    Returns
    -------
    numpy.ndarray, shape (m,)
    """
    p = np.asarray(p_values, dtype=float)
    if p.ndim != 1:
        raise ValueError(f"p_values has shape {p.shape}; a 1-D array is needed.")
    finite = ~np.isnan(p)
    if ((p[finite] < 0) | (p[finite] > 1)).any():
        raise ValueError("p_values must lie in [0, 1].")
    q = np.full_like(p, np.nan)
    if finite.any():
        q[finite] = false_discovery_control(p[finite], method="bh")
    return q
