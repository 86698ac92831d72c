"""Benjamini-Hochberg false discovery rate control."""

from __future__ import annotations

import numpy as np


def benjamini_hochberg(p_values: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (q-values).

    ``q_(i) = min_{j >= i} min(1, m p_(j) / j)`` over the sorted p-values;
    rejecting ``q < alpha`` controls the false discovery rate at ``alpha`` for
    independent or positively dependent tests.  NaN p-values stay NaN and do
    not count in ``m``.

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
    m = int(finite.sum())
    if m == 0:
        return q
    order = np.argsort(p[finite], kind="stable")
    ranked = p[finite][order] * m / np.arange(1, m + 1)  # (m,)
    adjusted = np.minimum.accumulate(ranked[::-1])[::-1].clip(max=1.0)
    out = np.empty(m)
    out[order] = adjusted
    q[finite] = out
    return q
