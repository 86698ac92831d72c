"""The tidy candidate-set table every strategy returns, and its union.

Columns: ``group`` (tuple of region names, in ascending column order),
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
CANDIDATE_COLUMNS: tuple[str, ...] = ("group", "order", "chosen_by")


def candidate_table(
    groups: np.ndarray | Sequence[Sequence[int]],
    names: Sequence[str],
    chosen_by: str | Sequence[str],
) -> pd.DataFrame:
    """Build a candidate table from groups of region indices.

    Parameters
    ----------
    groups : array of int, shape (G, k), or sequence of index sequences
        Member indices into ``names``; orders may differ between groups.
    names : sequence of str
        Region names in column order.
    chosen_by : str or sequence of str
        One reason for all groups, or one per group.

    Returns
    -------
    pandas.DataFrame
        Columns ``group``, ``order``, ``chosen_by``; members sorted by index.
    """
    rows = [tuple(sorted(int(i) for i in g)) for g in groups]
    reasons = [chosen_by] * len(rows) if isinstance(chosen_by, str) else list(chosen_by)
    if len(reasons) != len(rows):
        raise ValueError(f"chosen_by has {len(reasons)} entries for {len(rows)} groups.")
    return pd.DataFrame(
        {
            "group": pd.Series([tuple(names[i] for i in r) for r in rows], dtype=object),
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
        Columns ``group``, ``order``, ``chosen_by``, in first-seen order.
    """
    reasons: dict[frozenset[str], list[str]] = {}
    first_group: dict[frozenset[str], tuple[str, ...]] = {}
    for table in tables:
        for group, why in zip(table["group"], table["chosen_by"]):
            key = frozenset(group)
            if key not in reasons:
                reasons[key] = []
                first_group[key] = tuple(group)
            for reason in str(why).split(";"):
                if reason and reason not in reasons[key]:
                    reasons[key].append(reason)
    if not reasons:
        return empty_candidates()
    groups = list(first_group.values())
    return pd.DataFrame(
        {
            "group": pd.Series(groups, dtype=object),
            "order": pd.Series([len(g) for g in groups], dtype=np.int64),
            "chosen_by": pd.Series([";".join(r) for r in reasons.values()], dtype=object),
        }
    )
