"""Stream all k-subsets of N variables in index batches with bounded memory.

Combinations are produced in lexicographic order by *unranking*: a batch is a
range of ranks turned into rows of indices with vectorised searches, so no
Python tuple is ever built and memory is ``O(batch_size * k)``.

A contiguous range of ranks is cheaper than arbitrary ranks: in lexicographic
order the k-subsets sharing a (k-1)-prefix ``p`` are consecutive and end in
``p[-1] + 1, ..., n - 1``, so :func:`iter_combinations` unranks only the
prefixes (about ``n / k`` times fewer rows) and repeats each one over its
last elements.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np

_INT64_MAX = np.iinfo(np.int64).max


def n_combinations(n: int, k: int) -> int:
    """Number of k-subsets of ``n`` items (``math.comb``, exact)."""
    return math.comb(n, k)


def _binomial_table(n: int, i: int) -> np.ndarray:
    """``C(c, i)`` for ``c = 0 .. n - 1`` as int64, shape (n,)."""
    values = [math.comb(c, i) for c in range(n)]
    if values and values[-1] > _INT64_MAX:
        raise ValueError(f"C({n - 1}, {i}) overflows 64-bit ranks; enumerate fewer variables.")
    return np.asarray(values, dtype=np.int64)


def unrank_combinations(n: int, k: int, ranks: np.ndarray) -> np.ndarray:
    """Return the k-subsets of ``range(n)`` with the given lexicographic ranks.

    Parameters
    ----------
    n, k : int
        Universe size and subset size (``1 <= k <= n``).
    ranks : array of int, shape (B,)
        Lexicographic ranks in ``[0, C(n, k))``.

    Returns
    -------
    numpy.ndarray of int64, shape (B, k)
        Each row sorted ascending.
    """
    if not 1 <= k <= n:
        raise ValueError(f"k={k} must be between 1 and n={n}.")
    total = math.comb(n, k)
    ranks = np.asarray(ranks, dtype=np.int64)
    if ranks.size and (ranks.min() < 0 or ranks.max() >= total):
        raise ValueError(f"ranks must lie in [0, {total}).")
    # The lexicographic rank r of c equals C(n,k)-1 minus the co-lexicographic
    # rank of the mirrored subset n-1-c; unrank that greedily, largest first.
    remaining = (total - 1) - ranks  # (B,)
    mirrored = np.empty((ranks.size, k), dtype=np.int64)  # (B, k)
    for position in range(k, 0, -1):
        table = _binomial_table(n, position)  # (n,)
        c = np.searchsorted(table, remaining, side="right") - 1  # (B,)
        mirrored[:, position - 1] = c
        remaining = remaining - table[c]
    return (n - 1 - mirrored)[:, ::-1].copy()


def rank_combination(n: int, combination: np.ndarray) -> int:
    """Lexicographic rank of one sorted k-subset of ``range(n)`` (inverse of unranking)."""
    k = len(combination)
    colex = sum(math.comb(n - 1 - int(c), k - i) for i, c in enumerate(combination))
    return math.comb(n, k) - 1 - colex


def combinations_in_range(n: int, k: int, start: int, stop: int) -> np.ndarray:
    """The k-subsets of ``range(n)`` with lexicographic ranks ``start <= r < stop``.

    Same rows as ``unrank_combinations(n, k, np.arange(start, stop))``, built
    from the (k-1)-prefixes of the range.

    Parameters
    ----------
    n, k : int
        Universe size and subset size (``1 <= k <= n``).
    start, stop : int
        Rank range, ``0 <= start < stop <= C(n, k)``.

    Returns
    -------
    numpy.ndarray of int64, shape (stop - start, k)
    """
    if k == 1:
        return np.arange(start, stop, dtype=np.int64)[:, None]
    # Prefixes are the (k-1)-subsets of range(n - 1), in the same order.
    bounds = unrank_combinations(n, k, np.array([start, stop - 1]))  # (2, k)
    first, last = (rank_combination(n - 1, row[:-1]) for row in bounds)
    prefixes = unrank_combinations(n - 1, k - 1, np.arange(first, last + 1, dtype=np.int64))  # (P, k-1)
    counts = (n - 1) - prefixes[:, -1]  # (P,) subsets per prefix
    rows = np.repeat(prefixes, counts, axis=0)  # (L, k-1)
    block_start = np.repeat(np.cumsum(counts) - counts - prefixes[:, -1] - 1, counts)  # (L,)
    tail = np.arange(rows.shape[0], dtype=np.int64) - block_start  # (L,) last element
    skip = int(bounds[0, -1] - prefixes[0, -1] - 1)  # rows of the first prefix before start
    out = np.empty((stop - start, k), dtype=np.int64)
    out[:, :-1] = rows[skip : skip + stop - start]
    out[:, -1] = tail[skip : skip + stop - start]
    return out


def iter_combinations(n: int, k: int, batch_size: int = 262_144) -> Iterator[np.ndarray]:
    """Yield all k-subsets of ``range(n)`` in lexicographic order, in batches.

    Parameters
    ----------
    n, k : int
        Universe size and subset size.
    batch_size : int, default=262144
        Maximum rows per batch.

    Yields
    ------
    numpy.ndarray of int64, shape (<= batch_size, k)
    """
    if batch_size < 1:
        raise ValueError(f"batch_size={batch_size} must be positive.")
    total = math.comb(n, k)
    for start in range(0, total, batch_size):
        stop = min(start + batch_size, total)
        yield combinations_in_range(n, k, start, stop)
