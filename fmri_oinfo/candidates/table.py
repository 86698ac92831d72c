"""The tidy candidate-set table every strategy returns, and its union.

Columns: ``set`` (tuple of region names, in ascending column order),
``order`` (int) and ``chosen_by`` (why the set was chosen, e.g.
``"exhaustive"``, ``"network:Default"``, ``"screen:synergy"``,
``"search:beam"``, ``"user"``).  Several reasons for one set are joined with
``";"`` by :func:`merge_candidates`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

#: Columns of a candidate table, in order.
CANDIDATE_COLUMNS: tuple[str, ...] = ("set", "order", "chosen_by")


def candidate_table(
    sets: np.ndarray | Sequence[Sequence[int]],
    names: Sequence[str],
    chosen_by: str | Sequence[str],
) -> pd.DataFrame:
    """Build a candidate table from sets of region indices.

    Parameters
    ----------
    sets : array of int, shape (G, k), or sequence of index sequences
        Member indices into ``names``; orders may differ between sets.
    names : sequence of str
        Region names in column order.
    chosen_by : str or sequence of str
        One reason for all sets, or one per set.

    Returns
    -------
    pandas.DataFrame
        Columns ``set``, ``order``, ``chosen_by``; members sorted by index.
    """
    rows = [tuple(sorted(int(i) for i in g)) for g in sets]
    reasons = [chosen_by] * len(rows) if isinstance(chosen_by, str) else list(chosen_by)
    if len(reasons) != len(rows):
        raise ValueError(f"chosen_by has {len(reasons)} entries for {len(rows)} sets.")
    return pd.DataFrame(
        {
            "set": pd.Series([tuple(names[i] for i in r) for r in rows], dtype=object),
            "order": pd.Series([len(r) for r in rows], dtype=np.int64),
            "chosen_by": pd.Series(reasons, dtype=object),
        }
    )


def empty_candidates() -> pd.DataFrame:
    """A candidate table with no rows and the right column types."""
    return candidate_table([], [], "")


def merge_candidates(tables: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """Union of candidate tables, one row per distinct set.

    Sets are compared as sets of region names (member order is ignored).  A
    set chosen for several reasons keeps all of them, in first-seen order,
    joined with ``";"``.

    Parameters
    ----------
    tables : iterable of pandas.DataFrame
        Candidate tables (extra columns are dropped).

    Returns
    -------
    pandas.DataFrame
        Columns ``set``, ``order``, ``chosen_by``, in first-seen order.
    """
    reasons: dict[frozenset[str], list[str]] = {}
    first_set: dict[frozenset[str], tuple[str, ...]] = {}
    for table in tables:
        for region_set, why in zip(table["set"], table["chosen_by"]):
            key = frozenset(region_set)
            if key not in reasons:
                reasons[key] = []
                first_set[key] = tuple(region_set)
            for reason in str(why).split(";"):
                if reason and reason not in reasons[key]:
                    reasons[key].append(reason)
    if not reasons:
        return empty_candidates()
    sets = list(first_set.values())
    return pd.DataFrame(
        {
            "set": pd.Series(sets, dtype=object),
            "order": pd.Series([len(g) for g in sets], dtype=np.int64),
            "chosen_by": pd.Series([";".join(r) for r in reasons.values()], dtype=object),
        }
    )
