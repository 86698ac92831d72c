"""Validate region time series and sets once, at the public boundary.

Everything downstream of these checks trusts its inputs: a finite float64
matrix of shape (T, N) with named, non-constant columns, and sets as integer
index arrays bucketed by order.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

#: Relative standard deviation below which a region counts as constant.
CONSTANT_TOLERANCE = 1e-10


def check_timeseries(data: np.ndarray | pd.DataFrame, source: str = "data") -> tuple[np.ndarray, list[str]]:
    """Return region time series as a float64 array and their names.

    Parameters
    ----------
    data : array of shape (T, N) or pandas.DataFrame
        Time points in rows, regions in columns.  DataFrame columns name the
        regions; array columns are named ``"0", "1", ...``.
    source : str, default="data"
        What to call the input in error messages (a file name, say).

    Returns
    -------
    values : numpy.ndarray of float64, shape (T, N)
    names : list of str, length N

    Raises
    ------
    ValueError
        When the input is not 2-D, has non-finite values or constant columns.
    """
    if isinstance(data, pd.DataFrame):
        names = [str(c) for c in data.columns]
        try:
            values = data.to_numpy(dtype=np.float64)
        except (TypeError, ValueError) as err:
            raise ValueError(f"{source}: every column must be numeric ({err}).") from None
    else:
        values = np.asarray(data, dtype=np.float64)
        names = [str(i) for i in range(values.shape[1])] if values.ndim == 2 else []
    if values.ndim != 2:
        raise ValueError(
            f"{source} has shape {values.shape}; a 2-D array (time points, regions) is needed."
        )
    if len(set(names)) != len(names):
        dup = sorted({n for n in names if names.count(n) > 1})
        raise ValueError(f"{source}: duplicate region names {dup}; give every column a unique name.")
    bad = ~np.isfinite(values)
    if bad.any():
        cols = [names[j] for j in np.flatnonzero(bad.any(axis=0))]
        raise ValueError(
            f"{source} has {int(bad.sum())} NaN/inf values in regions {cols[:10]}"
            f"{' ...' if len(cols) > 10 else ''}; drop or interpolate them before estimating."
        )
    scale = np.abs(values).max(axis=0) + 1e-300
    constant = values.std(axis=0) <= CONSTANT_TOLERANCE * scale
    if values.shape[0] < 2:
        constant[:] = True
    if constant.any():
        cols = [names[j] for j in np.flatnonzero(constant)]
        raise ValueError(
            f"{source}: regions {cols[:10]} are constant over time and carry no information; "
            "drop them (extraction does this and reports them)."
        )
    return values, names


def _close_matches(name: str, names: Sequence[str]) -> str:
    near = difflib.get_close_matches(name, names, n=3)
    return f" Close matches: {near}." if near else ""


def check_sets(
    sets: Iterable[Sequence[int | str]], names: Sequence[str], n_samples: int
) -> list[np.ndarray]:
    """Turn sets of region indices or names into validated index rows.

    Parameters
    ----------
    sets : iterable of sequences of int or str
        Each set lists its members by column index or region name.
    names : sequence of str
        Region names, in column order.
    n_samples : int
        Number of time points; a set of order k needs at least k + 2.

    Returns
    -------
    list of numpy.ndarray of int64
        One row of member indices per set, in input order.
    """
    index_of = {name: j for j, name in enumerate(names)}
    rows: list[np.ndarray] = []
    for g, region_set in enumerate(sets):
        members = list(region_set)
        idx = []
        for m in members:
            if isinstance(m, (int, np.integer)) and not isinstance(m, bool):
                if not 0 <= int(m) < len(names):
                    raise ValueError(
                        f"set {g} {tuple(members)}: index {m} is out of range for {len(names)} regions."
                    )
                idx.append(int(m))
            elif isinstance(m, str):
                if m not in index_of:
                    raise ValueError(
                        f"set {g} {tuple(members)}: unknown region {m!r}.{_close_matches(m, names)}"
                    )
                idx.append(index_of[m])
            else:
                raise ValueError(f"set {g}: member {m!r} is neither a column index nor a region name.")
        if len(set(idx)) != len(idx):
            raise ValueError(f"set {g} {tuple(members)} lists a member twice; members must be distinct.")
        if len(idx) < 3:
            raise ValueError(f"set {g} {tuple(members)} has {len(idx)} members; O-information needs 3 or more.")
        if n_samples < len(idx) + 2:
            raise ValueError(
                f"set {g} has order {len(idx)} but the data have only {n_samples} time points; "
                f"at least {len(idx) + 2} are needed."
            )
        rows.append(np.asarray(idx, dtype=np.int64))
    if not rows:
        raise ValueError("sets is empty; give at least one set of 3 or more regions.")
    return rows


def bucket_by_order(rows: Sequence[np.ndarray]) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Stack set rows of equal order.

    Returns
    -------
    dict of int to (positions, members)
        ``positions`` (G,) are the sets' input positions; ``members`` (G, k).
    """
    orders = np.array([len(r) for r in rows])
    buckets = {}
    for k in np.unique(orders):
        pos = np.flatnonzero(orders == k)
        buckets[int(k)] = (pos, np.stack([rows[p] for p in pos]))
    return buckets
