"""Network strategy: sets within one atlas network and sets spanning networks."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

import numpy as np
import pandas as pd

from fmri_oinfo.candidates.exhaustive import check_cap, check_order
from fmri_oinfo.candidates.table import candidate_table, empty_candidates
from fmri_oinfo.enumeration import iter_combinations, n_combinations

#: The two kinds of network sets.
NETWORK_MODES: tuple[str, ...] = ("within", "spanning")


def check_regions(regions: pd.DataFrame, names: Sequence[str]) -> list[str]:
    """Return the ``network`` label of each region, checked against ``names``.

    Raises
    ------
    ValueError
        When the table lacks ``name``/``network`` columns or its names differ
        from the data's columns.
    """
    missing = [c for c in ("name", "network") if c not in regions.columns]
    if missing:
        raise ValueError(
            f"regions table lacks columns {missing} (has {list(regions.columns)}); "
            "pass the atlas' region metadata table with 'name' and 'network'."
        )
    table_names = [str(n) for n in regions["name"]]
    if table_names != list(names):
        extra = sorted(set(table_names) - set(names))[:5]
        lost = sorted(set(names) - set(table_names))[:5]
        raise ValueError(
            f"regions table names do not match the data columns (only in table: {extra}, "
            f"only in data: {lost}); pass the metadata table of these time series, same order."
        )
    return ["" if pd.isna(n) else str(n) for n in regions["network"]]


def _spanning_count(sizes: Sequence[int], order: int) -> int:
    """Number of sets of ``order`` regions from ``order`` distinct networks."""
    # Elementary symmetric polynomial e_order(sizes), by dynamic programming.
    e = [1] + [0] * order
    for size in sizes:
        for j in range(order, 0, -1):
            e[j] += e[j - 1] * size
    return e[order]


def _spanning_sets(members: list[np.ndarray], order: int) -> list[np.ndarray]:
    """Every set of one region from each of ``order`` distinct networks."""
    out = []
    for nets in combinations(range(len(members)), order):
        grids = np.meshgrid(*[members[n] for n in nets], indexing="ij")
        out.append(np.stack([g.ravel() for g in grids], axis=1))  # (prod sizes, order)
    return out


def network_candidates(
    names: Sequence[str],
    regions: pd.DataFrame,
    orders: Sequence[int],
    modes: Sequence[str] = NETWORK_MODES,
    max_sets: int = 1_000_000,
) -> pd.DataFrame:
    """Sets of regions defined by the atlas' network labels.

    ``within``: every k-subset of the regions of one network, chosen by
    ``"network:<label>"``.  ``spanning``: every set of k regions from k
    distinct networks (one region per network), chosen by
    ``"network:spanning"``.  Regions with an empty label belong to no network
    and are left out.

    Parameters
    ----------
    names : sequence of str
        Region names in column order of the data.
    regions : pandas.DataFrame
        Region metadata table with columns ``name`` and ``network``, one row
        per region in the same order as ``names``.
    orders : sequence of int
    modes : sequence of {"within", "spanning"}
    max_sets : int, default=1000000
        Refuse (ValueError, with the count) above this number of sets.

    Returns
    -------
    pandas.DataFrame
        Candidate table.
    """
    unknown = sorted(set(modes) - set(NETWORK_MODES))
    if unknown:
        raise ValueError(f"network modes {unknown} are not known; use {list(NETWORK_MODES)}.")
    labels = check_regions(regions, names)
    networks = sorted({label for label in labels if label})
    if not networks:
        raise ValueError(
            "regions table has no network labels (the 'network' column is empty); "
            "use an atlas with networks or another strategy."
        )
    members = [np.flatnonzero(np.asarray(labels) == net) for net in networks]
    for order in orders:
        check_order(order, len(names))
    total = 0
    if "within" in modes:
        total += sum(n_combinations(len(m), k) for m in members for k in orders)
    if "spanning" in modes:
        total += sum(_spanning_count([len(m) for m in members], k) for k in orders)
    check_cap(
        total,
        max_sets,
        f"network sets ({list(modes)}) over {len(networks)} networks at orders {list(orders)}",
        "raise max_sets, lower the orders, or choose one mode",
    )

    tables = []
    for order in orders:
        if "within" in modes:
            for net, idx in zip(networks, members):
                if len(idx) < order:
                    continue
                for batch in iter_combinations(len(idx), order):
                    tables.append(candidate_table(idx[batch], names, f"network:{net}"))
        if "spanning" in modes and len(networks) >= order:
            for sets in _spanning_sets(members, order):
                tables.append(candidate_table(sets, names, "network:spanning"))
    return pd.concat(tables, ignore_index=True) if tables else empty_candidates()
