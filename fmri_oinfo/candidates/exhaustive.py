"""Exhaustive strategy: every k-subset of the regions, for the given orders."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
import pandas as pd

from fmri_oinfo.candidates.table import candidate_table
from fmri_oinfo.enumeration import iter_combinations, n_combinations


def check_order(order: int, n_regions: int, argument: str = "orders") -> None:
    """Raise ValueError unless ``3 <= order <= n_regions``."""
    if not 3 <= order <= n_regions:
        raise ValueError(
            f"{argument}: order {order} is impossible with {n_regions} regions; "
            f"use orders between 3 and {n_regions}."
        )


def check_cap(count: int, max_sets: int, what: str, fix: str) -> None:
    """Refuse ``count`` sets above ``max_sets`` with a message naming both."""
    if count > max_sets:
        raise ValueError(
            f"{what} gives {count:,} sets, above max_sets={max_sets:,}; {fix}."
        )


def iter_exhaustive_batches(
    n_regions: int, orders: Sequence[int], batch_size: int = 262_144
) -> Iterator[np.ndarray]:
    """Stream all k-subsets for each order as index batches of shape (<= batch_size, k)."""
    for order in orders:
        check_order(order, n_regions)
        yield from iter_combinations(n_regions, order, batch_size)


def exhaustive_candidates(
    names: Sequence[str],
    orders: Sequence[int],
    max_sets: int = 1_000_000,
    batch_size: int = 262_144,
) -> pd.DataFrame:
    """All k-subsets of the regions for every order in ``orders``.

    Parameters
    ----------
    names : sequence of str
        Region names in column order.
    orders : sequence of int
        Set sizes, each at least 3.
    max_sets : int, default=1000000
        Refuse (ValueError, with the count) when the total number of sets is
        larger; use :func:`iter_exhaustive_batches` to stream instead, or the
        ``screen`` strategy.
    batch_size : int, default=262144
        Sets per enumerated batch.

    Returns
    -------
    pandas.DataFrame
        Candidate table with ``chosen_by="exhaustive"``.
    """
    n_regions = len(names)
    for order in orders:
        check_order(order, n_regions)
    total = sum(n_combinations(n_regions, k) for k in orders)
    check_cap(
        total,
        max_sets,
        f"exhaustive over {n_regions} regions at orders {list(orders)}",
        "raise max_sets, lower the orders, or use the 'screen' or 'search' strategies",
    )
    tables = [
        candidate_table(batch, names, "exhaustive")
        for batch in iter_exhaustive_batches(n_regions, orders, batch_size)
    ]
    return pd.concat(tables, ignore_index=True)  # distinct by construction
