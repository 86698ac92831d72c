"""Surrogate nulls of candidate sets, and of each member alone, with one estimator.

Two nulls per set ``S`` on a block of volumes:

``set_null``
    O-information of ``S`` when every region is shifted (or
    phase-randomised) on its own: regions independent, autocorrelation kept.
``member_null``
    O-information of ``S`` when member ``i`` alone is shifted and the other
    members keep their joint time course: the null of "member ``i`` is
    independent of the others" (:mod:`fmri_oinfo.stats.irreducible`).

Both use the estimator that scored the data, through its own ``null``
(:meth:`fmri_oinfo.estimators.oinfo.OInfoEstimator.null`).  The closed-form estimators
with circular shifts go through lagged correlations
(:mod:`fmri_oinfo.stats.closed_form`, exact and cheap); any other estimator or
surrogate kind re-estimates stacked surrogate datasets
(:func:`fmri_oinfo.stats.resampled.stacked_o_info`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

from fmri_oinfo.stats.closed_form import LaggedCorrelations, o_info_of_correlations
from fmri_oinfo.stats.resampled import StackedEstimate, stacked_o_info
from fmri_oinfo.stats.surrogates import (
    circular_shifts,
    distinct_circular_shifts,
    make_surrogates,
    member_surrogates,
)
from fmri_oinfo.validation import bucket_by_order

#: Surrogates generated (or gathered) per chunk.
CHUNK = 64


def _stream(values: np.ndarray, n_surrogates: int, kind: str, rng: np.random.Generator) -> Iterator[np.ndarray]:
    for start in range(0, n_surrogates, CHUNK):
        yield from make_surrogates(values, min(CHUNK, n_surrogates - start), kind, rng)


def set_null(
    values: np.ndarray,
    sets: Sequence[np.ndarray],
    estimate: StackedEstimate,
    copula: bool | None,
    n_surrogates: int,
    surrogate: str,
    rng: np.random.Generator,
    max_columns: int = 256,
) -> np.ndarray:
    """O-information of every set on surrogates of independent regions.

    Parameters
    ----------
    values : numpy.ndarray, shape (T, M)
    sets : sequence of numpy.ndarray of int
        Member columns.
    estimate : StackedEstimate
        Used when ``copula`` is None.
    copula : bool or None
        The estimator's lagged-correlation route (the closed forms with circular shifts: whether on
        normal scores), or None (refit on stacked datasets).
    n_surrogates : int
    surrogate : {"circular", "phase"}
    rng : numpy.random.Generator
    max_columns : int, default=256

    Returns
    -------
    numpy.ndarray, shape (n_surrogates, G)
    """
    if copula is None:
        return stacked_o_info(estimate, _stream(values, n_surrogates, surrogate, rng), sets, max_columns)
    lagged = LaggedCorrelations(values, sets, copula)
    n_time, n_regions = values.shape
    out = np.empty((n_surrogates, len(sets)))
    buckets = bucket_by_order(list(sets)).values()
    for start in range(0, n_surrogates, CHUNK):
        shifts = circular_shifts(n_time, (min(CHUNK, n_surrogates - start), n_regions), rng)  # (R, M)
        for positions, members in buckets:
            corr = lagged.correlations(members, shifts)  # (R, G_k, k, k)
            k = members.shape[1]
            out[start : start + shifts.shape[0], positions] = o_info_of_correlations(
                corr.reshape(-1, k, k)).reshape(shifts.shape[0], -1)
    return out


def _member_datasets(values: np.ndarray, column: int, shifts: np.ndarray, surrogate: str,
                     rng: np.random.Generator) -> np.ndarray:
    """Copies of ``values`` with ``column`` shifted by each of ``shifts`` (or phase-randomised), (S, T, M)."""
    if surrogate == "phase":
        return member_surrogates(values, column, shifts.size, "phase", rng)
    n_time = values.shape[0]
    out = np.repeat(values[None, :, :], shifts.size, axis=0)  # (S, T, M)
    rows = (np.arange(n_time)[None, :] + shifts[:, None]) % n_time  # (S, T)
    out[:, :, column] = values[rows, column]
    return out


def member_null(
    values: np.ndarray,
    sets: Sequence[np.ndarray],
    estimate: StackedEstimate,
    copula: bool | None,
    n_surrogates: int,
    surrogate: str,
    rng: np.random.Generator,
    min_shift: int = 0,
    max_columns: int = 256,
) -> np.ndarray:
    """O-information of every set when one member at a time is made independent of the others.

    Parameters
    ----------
    values, sets, estimate, copula, n_surrogates, surrogate, rng, max_columns
        As for :func:`set_null`.
    min_shift : int, default=0
        Circular shifts of the member lie in ``[min_shift, T - min_shift]``
        (the autocorrelation length keeps it away from its own alignment).

    Returns
    -------
    numpy.ndarray, shape (R, G, K)
        ``[r, g, i]``: set ``g`` with its member at position ``i`` replaced by
        surrogate ``r``; ``K`` is the largest order, NaN beyond a set's order.
        With circular shifts and at most ``n_surrogates`` distinct shifts in
        ``[min_shift, T - min_shift]``, every shift is used once (an exact
        test, ``R`` = their number); otherwise ``R = n_surrogates`` random
        ones.  Both routes use the same shifts, so they give the same numbers
        for the same estimator.
    """
    n_time = values.shape[0]
    width = max(len(g) for g in sets)
    every = distinct_circular_shifts(n_time, min_shift)
    if surrogate == "circular" and every.size <= n_surrogates:
        n_surrogates = every.size
    else:
        every = None
    out = np.full((n_surrogates, len(sets), width), np.nan)
    lagged = None if copula is None else LaggedCorrelations(values, sets, copula)
    for positions, members in bucket_by_order(list(sets)).values():
        n_sets, k = members.shape
        for member in range(k):
            for start in range(0, n_surrogates, CHUNK):
                size = min(CHUNK, n_surrogates - start)
                if every is None:
                    drawn = circular_shifts(n_time, (size, n_sets), rng, min_shift)  # (R, G_k)
                else:
                    drawn = np.repeat(every[start : start + size, None], n_sets, axis=1)  # (R, G_k)
                if lagged is not None:
                    shifts = np.zeros((size, n_sets, k), dtype=np.int64)  # (R, G_k, k)
                    shifts[:, :, member] = drawn
                    corr = lagged.correlations(members, shifts)  # (R, G_k, k, k)
                    out[start : start + size, positions, member] = o_info_of_correlations(
                        corr.reshape(-1, k, k)).reshape(size, n_sets)
                    continue
                for g, position in enumerate(positions):
                    datasets = _member_datasets(values[:, members[g]], member, drawn[:, g], surrogate, rng)  # (R, T, k)
                    out[start : start + size, position, member] = stacked_o_info(
                        estimate, iter(datasets), [np.arange(k)], max_columns)[:, 0]
    return out
