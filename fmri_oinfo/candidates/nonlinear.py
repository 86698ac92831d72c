"""Candidates that correlations cannot see: triplets ranked by third-order moment dependence.

The Gaussian screen ranks triplets by an O-information that is a function of
their correlations, so a set such as ``x3 = x1 x2 + noise`` (every pair
uncorrelated) is never proposed and FMMI never scores it.  This screen ranks
every triplet by two statistics that are 0 for every Gaussian process (with
any correlations: odd moments of jointly Gaussian variables vanish) and large
when one member's value or spread depends on the others beyond linearity:

- **interaction**: ``|corr(z_k, z_i z_j)|``, the correlation of one member
  with the product of the other two (multiplicative coupling);
- **heteroscedasticity**: ``|corr(r_{k|i}^2, z_j)|``, the correlation of the
  squared residual of ``k`` after its linear regression on ``i`` with the
  third member (a spread that follows another region).

``z`` are the regions' normal scores (the Gaussian copula's margins), so the
screen looks beyond the copula, as the non-Gaussian excess does; a triplet's
score is the largest statistic over the roles its members can take.  Each
statistic of ``T`` volumes has a null spread of about ``1 / sqrt(T)``.  As
for the other data-driven strategies, the pipeline runs it on the selection
block and tests its sets on the other volumes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fmri_oinfo.candidates.table import candidate_table
from fmri_oinfo.engine.marginals import normal_scores
from fmri_oinfo.enumeration import combinations_in_range, n_combinations

#: Tag of the sets this screen chooses (``chosen_by``).
NONLINEAR_TAG = "nonlinear"

#: Regions per chunk of the (T, chunk, N) products: bounds memory at T * chunk * N floats.
_CHUNK = 32


def _standardise(values: np.ndarray, axis: int = 0) -> np.ndarray:
    centred = values - values.mean(axis=axis, keepdims=True)
    scale = centred.std(axis=axis, keepdims=True)
    return centred / np.where(scale > 0, scale, 1.0)


def interaction_scores(z: np.ndarray) -> np.ndarray:
    """``|corr(z_k, z_i z_j)|`` for every ``(i, j, k)``, shape (N, N, N).

    Parameters
    ----------
    z : numpy.ndarray, shape (T, N)
        Standardised normal scores.
    """
    n_time, n = z.shape
    scores = np.empty((n, n, n), dtype=np.float32)
    for start in range(0, n, _CHUNK):
        products = _standardise(z[:, start:start + _CHUNK, None] * z[:, None, :])  # (T, c, N)
        scores[start:start + _CHUNK] = np.abs(np.einsum("tij,tk->ijk", products, z, optimize=True)) / n_time
    return scores


def heteroscedasticity_scores(z: np.ndarray) -> np.ndarray:
    """``|corr(r_{k|i}^2, z_j)|`` for every ``(k, i, j)``, shape (N, N, N).

    ``r_{k|i} = z_k - rho_ki z_i`` is the residual of ``k`` after its linear
    regression on ``i``.
    """
    n_time, n = z.shape
    rho = z.T @ z / n_time  # (N, N)
    scores = np.empty((n, n, n), dtype=np.float32)
    for start in range(0, n, _CHUNK):
        stop = min(start + _CHUNK, n)
        residuals = z[:, start:stop, None] - rho[None, start:stop, :] * z[:, None, :]  # (T, c, N): k in chunk, i
        spread = _standardise(residuals**2)
        scores[start:stop] = np.abs(np.einsum("tki,tj->kij", spread, z, optimize=True)) / n_time
    return scores


def triplet_scores(data: np.ndarray) -> np.ndarray:
    """The screen's score of every triplet: the largest statistic over its members' roles, shape (N, N, N).

    Symmetric in its three indices; entries with a repeated index are 0.
    """
    z = _standardise(normal_scores(np.asarray(data, dtype=float)))
    statistic = interaction_scores(z)  # (a, b, c): c against the product of a and b
    np.maximum(statistic, heteroscedasticity_scores(z), out=statistic)  # (a, b, c): spread of a given b against c
    # a triplet's score is the largest statistic over every assignment of its members to the roles
    best = statistic.copy()
    for order in ((0, 2, 1), (1, 0, 2), (1, 2, 0), (2, 0, 1), (2, 1, 0)):
        np.maximum(best, statistic.transpose(order), out=best)
    index = np.arange(best.shape[0])
    best[index, index, :] = 0.0
    best[index, :, index] = 0.0
    best[:, index, index] = 0.0
    return best


def nonlinear_candidates(data: pd.DataFrame, top_k: int) -> pd.DataFrame:
    """The ``top_k`` triplets with the strongest third-order dependence.

    Parameters
    ----------
    data : pandas.DataFrame, shape (T, N)
        Region time series (columns name the regions).
    top_k : int
        Triplets kept.

    Returns
    -------
    pandas.DataFrame
        A candidate table (``set``, ``order``, ``chosen_by = "nonlinear"``).
    """
    if top_k < 1:
        raise ValueError(f"top_k={top_k} must be at least 1.")
    names = [str(c) for c in data.columns]
    if len(names) < 3:
        raise ValueError("the nonlinear screen needs at least 3 regions.")
    scores = triplet_scores(data.to_numpy(float))
    triplets = combinations_in_range(len(names), 3, 0, n_combinations(len(names), 3))  # (C, 3), ascending
    values = scores[triplets[:, 0], triplets[:, 1], triplets[:, 2]]
    keep = np.argsort(-values, kind="stable")[:top_k]
    return candidate_table(triplets[keep], names, NONLINEAR_TAG)
