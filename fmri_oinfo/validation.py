"""Validate region time series and sets once, at the public boundary.

Everything downstream of these checks trusts its inputs: a finite float64
matrix of shape (T, N) with named, non-constant columns whose squares cannot
overflow, and sets as integer index arrays bucketed by order.  Sets are
checked with array operations, not member by member: an integer array of
shape (G, k) or a list of G tuples of one order costs a few numpy calls
whatever G.

Sets whose regions are exact functions of each other (a region that is the
sum of others, a copy) are explained set by set, in words naming the regions
(:func:`dependent_sets`): only the few that a closed form found singular, or
the sets of an FMMI fit, which cannot give an infinite TC
(:func:`check_independent_sets`).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

#: Relative standard deviation below which a region counts as constant.
CONSTANT_TOLERANCE = 1e-10

#: Columns whose largest magnitude lies outside [1 / SAFE_SCALE, SAFE_SCALE] are
#: rescaled by a power of two (exact, and no information measure changes): a
#: covariance of values near 1e300 overflows to inf, of values near 1e-300 to 0.
SAFE_SCALE = 2.0**200

#: Variance of a standardised region left unexplained by other regions below
#: which it counts as an exact linear combination of them (R^2 above
#: 1 - 1e-10, beyond any measurement; rounding leaves about 1e-16): the total
#: correlation of a set holding them is infinite.  The closed-form
#: log-determinants (:func:`fmri_oinfo.estimators.gaussian.batched_logdet`)
#: and :func:`linear_dependence` use this one threshold.
SINGULAR_RESIDUAL_VARIANCE = 1e-10

#: Relative size below which a regression coefficient counts as zero when
#: naming the regions that an exactly dependent region combines.
_NEGLIGIBLE_COEFFICIENT = 1e-6

#: Sets by order: ``{k: (positions (G_k,), members (G_k, k))}``, positions in input order.
SetBuckets = dict[int, tuple[np.ndarray, np.ndarray]]


def _safe_scale(values: np.ndarray) -> np.ndarray:
    """Rescale columns of extreme magnitude by a power of two, in place; returns ``values``."""
    scale = np.abs(values).max(axis=0) if values.size else np.zeros(values.shape[1])  # (N,)
    extreme = (scale > SAFE_SCALE) | ((scale > 0) & (scale < 1.0 / SAFE_SCALE))
    if extreme.any():
        _, exponent = np.frexp(scale[extreme])
        values[:, extreme] = np.ldexp(values[:, extreme], -exponent)
    return values


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
        A copy; a column of extreme magnitude (beyond 2**200 or below 2**-200)
        is multiplied by a power of two, which is exact and changes no
        information measure, so that its variance cannot overflow.
    names : list of str, length N

    Raises
    ------
    ValueError
        When the input is complex or not 2-D, has non-finite values or
        constant columns, or repeats a column name.
    """
    if isinstance(data, pd.DataFrame):
        names = [str(c) for c in data.columns]
        complex_columns = [n for n, dtype in zip(names, data.dtypes) if dtype.kind == "c"]
        if complex_columns:
            raise ValueError(
                f"{source}: regions {complex_columns[:10]} hold complex numbers; region time series are real. "
                "Give the real part, the magnitude or the phase as real columns."
            )
        try:
            values = data.to_numpy(dtype=np.float64, copy=True)
        except (TypeError, ValueError) as err:
            raise ValueError(f"{source}: every column must be numeric ({err}).") from None
    else:
        if np.iscomplexobj(data):
            raise ValueError(
                f"{source} holds complex numbers; region time series are real. Give the real part, the "
                "magnitude or the phase as a real array."
            )
        values = np.array(data, dtype=np.float64)
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
    values = _safe_scale(values)
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


def _shown(row: np.ndarray | Sequence) -> tuple:
    return tuple(v.item() if isinstance(v, np.generic) else v for v in row)


def _as_index_array(sets: Any) -> np.ndarray | None:
    """Sets as one array (G, k) when they are integers of one order, else None."""
    if isinstance(sets, np.ndarray):
        array = sets
    else:
        try:
            array = np.asarray(sets)
        except ValueError:  # ragged: several orders
            return None
    if array.ndim == 2 and array.dtype.kind in "iu" and array.dtype != np.bool_:
        if isinstance(sets, Sequence):
            _refuse_booleans(sets, array)
        return array.astype(np.int64, copy=False)
    if array.ndim == 2 and array.dtype.kind == "b":
        raise ValueError("sets is an array of booleans; give region indices (integers) or names.")
    return None


def _refuse_booleans(sets: Any, array: np.ndarray) -> None:
    """Refuse ``True``/``False`` members, which numpy reads as the indices 1 and 0.

    Only the entries equal to 0 or 1 are looked at, so the cost grows with the
    sets that hold region 0 or 1, not with every member of every set.
    """
    for row, col in np.argwhere((array == 0) | (array == 1)):
        member = sets[row][col]
        if isinstance(member, (bool, np.bool_)):
            raise _boolean_member_error(int(row), sets[row], member)


def _boolean_member_error(g: int, members: Any, member: bool | np.bool_) -> ValueError:
    return ValueError(f"set {g} {_shown(members)}: member {member!r} is a boolean, which would be read as region "
                      f"{int(member)}; give region indices (integers) or names.")


def _member_indices(members: Any, g: int, names: Sequence[str], index_of: dict[str, int]) -> list[int]:
    """Indices of one set's members (the slow path: mixed names and indices, several orders)."""
    if isinstance(members, str) or not isinstance(members, Iterable):
        raise ValueError(
            f"set {g} is {members!r}, not a sequence of members: a set lists its regions, for example "
            f"('A', 'B', 'C') or (0, 1, 2), and a single set is written [('A', 'B', 'C')]."
        )
    members = list(members)
    idx = []
    for m in members:
        if isinstance(m, (bool, np.bool_)):
            raise _boolean_member_error(g, members, m)
        if isinstance(m, (int, np.integer)):
            if not 0 <= int(m) < len(names):
                raise ValueError(
                    f"set {g} {_shown(members)}: index {m} is out of range for {len(names)} regions."
                )
            idx.append(int(m))
        elif isinstance(m, str):
            if m not in index_of:
                raise ValueError(f"set {g} {_shown(members)}: unknown region {m!r}.{_close_matches(m, names)}")
            idx.append(index_of[m])
        else:
            raise ValueError(f"set {g}: member {m!r} is neither a column index nor a region name.")
    return idx


def _check_rows(members: np.ndarray, positions: np.ndarray, n_regions: int, n_samples: int,
                shown: Callable[[int], tuple]) -> None:
    """Vectorised checks of sets of one order: range, distinct members, order, enough time points."""
    k = members.shape[1]
    out = (members < 0) | (members >= n_regions)  # (G, k)
    if out.any():
        row, col = np.argwhere(out)[0]
        raise ValueError(
            f"set {positions[row]} {shown(row)}: index {members[row, col]} is out of range for "
            f"{n_regions} regions."
        )
    ordered = np.sort(members, axis=1)  # (G, k)
    repeated = (ordered[:, 1:] == ordered[:, :-1]).any(axis=1)  # (G,)
    if repeated.any():
        row = int(np.flatnonzero(repeated)[0])
        raise ValueError(f"set {positions[row]} {shown(row)} lists a member twice; members must be distinct.")
    if k < 3:
        raise ValueError(f"set {positions[0]} {shown(0)} has {k} members; O-information needs 3 or more.")
    if n_samples < k + 2:
        raise ValueError(
            f"set {positions[0]} has order {k} but the data have only {n_samples} time points; "
            f"at least {k + 2} are needed."
        )


def index_sets(sets: Any, names: Sequence[str], n_samples: int) -> tuple[int, SetBuckets]:
    """Validate sets of region indices or names, bucketed by order.

    Parameters
    ----------
    sets : array of int, shape (G, k), or sequence of sequences of int or str
        Each set lists its members by column index or region name.  An
        integer array, or a list of tuples of integers (or of names) of one
        order, is checked with array operations; sets of several orders or
        mixing names and indices are read set by set.
    names : sequence of str
        Region names, in column order.
    n_samples : int
        Number of time points; a set of order k needs at least k + 2.

    Returns
    -------
    n_sets : int
    buckets : dict of int to (positions, members)
        Per order k: the sets' input positions (G_k,) and member indices (G_k, k).

    Raises
    ------
    ValueError
        Naming the first bad set: out-of-range index, unknown name (with close
        matches), boolean member, a set given as one string, repeated member,
        fewer than 3 members, too few time points, or no set at all (also for
        ``sets=None``).
    """
    if isinstance(sets, str):
        raise ValueError(f"sets={sets!r}: give a list of sets (tuples of names or indices) or an array (G, k).")
    if not isinstance(sets, Iterable):
        raise ValueError(
            f"sets={sets!r}: give a list of sets (tuples of names or indices), an integer array (G, k), "
            "or sets='all' with order=k for every set of k regions."
        )
    array = _as_index_array(sets)
    if array is None and not isinstance(sets, np.ndarray):
        sets = sets if isinstance(sets, Sequence) else list(sets)
        first = sets[0] if sets else None
        if isinstance(first, Sequence) and not isinstance(first, str) and all(isinstance(m, str) for m in first):
            labels = np.asarray(sets, dtype=object) if len({len(s) for s in sets}) == 1 else None
            if labels is not None and labels.ndim == 2:
                found = pd.Index(list(names)).get_indexer(labels.ravel()).reshape(labels.shape)  # (G, k)
                if (found >= 0).all():
                    array = found.astype(np.int64)
    if array is not None:
        if array.shape[0] == 0:
            raise ValueError("sets is empty; give at least one set of 3 or more regions.")
        positions = np.arange(array.shape[0])
        original = sets
        _check_rows(array, positions, len(names), n_samples,
                    lambda row: _shown(original[row]) if not isinstance(original, np.ndarray) else _shown(array[row]))
        return array.shape[0], {array.shape[1]: (positions, array)}
    index_of = {name: j for j, name in enumerate(names)}
    rows = [_member_indices(s, g, names, index_of) for g, s in enumerate(sets)]
    if not rows:
        raise ValueError("sets is empty; give at least one set of 3 or more regions.")
    buckets = bucket_by_order(rows)
    for positions, members in buckets.values():
        _check_rows(members, positions, len(names), n_samples, lambda row, p=positions: _shown(sets[p[row]]))
    return len(rows), buckets


def bucket_by_order(rows: Sequence[Sequence[int]]) -> SetBuckets:
    """Sets of member indices stacked by order: ``{k: (positions (G_k,), members (G_k, k))}``."""
    lengths = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
    buckets: SetBuckets = {}
    for k in np.unique(lengths):
        positions = np.flatnonzero(lengths == k)
        buckets[int(k)] = (positions, np.array([rows[p] for p in positions], dtype=np.int64).reshape(-1, int(k)))
    return buckets


def check_sets(sets: Any, names: Sequence[str], n_samples: int) -> list[np.ndarray]:
    """Validated sets as one row of member indices per set, in input order (see :func:`index_sets`)."""
    n_sets, buckets = index_sets(sets, names, n_samples)
    rows: list[np.ndarray] = [np.empty(0, dtype=np.int64)] * n_sets
    for positions, members in buckets.values():
        for p, row in zip(positions, members):
            rows[p] = row
    return rows


def linear_dependence(columns: np.ndarray) -> tuple[int, np.ndarray] | None:
    """The first column that is an exact linear combination of the columns before it.

    Gram-Schmidt in column order: the residual variance of column ``j`` given
    columns ``0 .. j-1`` is the ``j``-th pivot of the Cholesky factor of their
    correlation matrix, the quantity the closed-form estimators test against
    :data:`SINGULAR_RESIDUAL_VARIANCE`.

    Parameters
    ----------
    columns : numpy.ndarray, shape (T, k)
        Non-constant columns.

    Returns
    -------
    (j, used) or None
        ``j``: position of the dependent column; ``used``: positions (before
        ``j``) of the columns it combines, with a non-negligible coefficient.
        None when every column keeps a residual variance above the threshold.
    """
    z = columns - columns.mean(axis=0)
    z = z / np.linalg.norm(z, axis=0)  # unit columns: squared residual norm = residual variance
    basis = np.empty((z.shape[0], 0))  # (T, j) orthonormal basis of the columns before j
    for j in range(z.shape[1]):
        residual = z[:, j] - basis @ (basis.T @ z[:, j])
        residual -= basis @ (basis.T @ residual)  # twice is enough (Kahan-Parlett)
        if residual @ residual < SINGULAR_RESIDUAL_VARIANCE:
            coef = np.linalg.lstsq(z[:, :j], z[:, j], rcond=None)[0]  # (j,)
            return j, np.flatnonzero(np.abs(coef) > _NEGLIGIBLE_COEFFICIENT * np.abs(coef).max())
        basis = np.column_stack([basis, residual / np.linalg.norm(residual)])
    return None


def _dependence_note(values: np.ndarray, members: np.ndarray, names: Sequence[str]) -> str | None:
    """Which member of a set is an exact function of which others, in words, or None.

    A linear relation among the values is looked for first, then among their
    ranks' normal scores (a monotone relation, which makes the total
    correlation infinite for every estimator and singular for the copula).
    """
    found = linear_dependence(values[:, members])
    through_ranks = found is None
    if through_ranks:
        from fmri_oinfo.engine.marginals import normal_scores  # scipy; only when explaining a failure

        found = linear_dependence(normal_scores(values[:, members]))
    if found is None:
        return None
    j, used = found
    target, sources = repr(names[members[j]]), ", ".join(repr(names[members[i]]) for i in used)
    if through_ranks:
        return (f"{target} is a monotone function of {sources}" if len(used) == 1
                else f"the ranks of {target} are a linear combination of those of {sources}")
    return f"{target} is a copy (up to scale) of {sources}" if len(used) == 1 else \
        f"{target} is a linear combination of {sources}"


def dependent_sets(values: np.ndarray, names: Sequence[str], sets: Sequence[np.ndarray]) -> list[str]:
    """Sets holding regions that are exact (linear or monotone) functions of each other, explained.

    Parameters
    ----------
    values : numpy.ndarray, shape (T, N)
        Validated time series (:func:`check_timeseries`).
    names : sequence of str
    sets : sequence of numpy.ndarray of int
        Member indices of each set to look at.

    Returns
    -------
    list of str
        One line per dependent set, e.g. ``set ('A', 'B', 'C'): 'C' is a
        linear combination of 'A', 'B'``, in the order of ``sets``.
    """
    lines = []
    for members in sets:
        note = _dependence_note(values, np.asarray(members), names)
        if note is not None:
            lines.append(f"set {tuple(names[m] for m in members)}: {note}")
    return lines


#: Sets a message about exactly dependent regions explains (the rest are counted).
SHOWN_DEPENDENT_SETS = 3


def dependence_message(lines: Sequence[str], n_sets: int | None = None) -> str:
    """What to tell about ``n_sets`` sets of exactly dependent regions (default: ``len(lines)``).

    ``lines`` from :func:`dependent_sets`; the first :data:`SHOWN_DEPENDENT_SETS` are shown.
    """
    n_sets = len(lines) if n_sets is None else n_sets
    shown = lines[:SHOWN_DEPENDENT_SETS]
    more = f"; and {n_sets - len(shown)} more" if n_sets > len(shown) else ""
    return (
        f"{n_sets} set(s) hold regions that are exact functions of each other ({'; '.join(shown)}{more}): "
        "their total correlation is infinite and their O-information undefined. Drop or merge duplicated or "
        "derived regions (for example a region that is the sum of others)."
    )


def _copied_pairs(values: np.ndarray) -> list[np.ndarray]:
    """Pairs of regions (2,) whose values, or whose ranks, are exact linear functions of each other."""
    from fmri_oinfo.engine.marginals import normal_scores  # scipy; this check precedes an FMMI fit only

    copied = np.zeros((values.shape[1],) * 2, dtype=bool)
    for columns in (values, normal_scores(values)):
        correlation = np.corrcoef(columns, rowvar=False)  # (N, N)
        copied |= 1.0 - correlation**2 < SINGULAR_RESIDUAL_VARIANCE
    return list(np.argwhere(np.triu(copied, k=1)))


def check_independent_sets(values: np.ndarray, names: Sequence[str], sets: Sequence[np.ndarray] | None) -> None:
    """Refuse sets whose regions are exact functions of each other, for estimators that cannot give inf.

    Parameters
    ----------
    values : numpy.ndarray, shape (T, N)
    names : sequence of str
    sets : sequence of numpy.ndarray of int, or None
        Each array (G_k, k) holds sets of one order.  None: any set may be
        asked, so pairs of regions are checked: a copy (up to scale, or up to
        a monotone map) breaks every set that holds both.  A relation among
        more regions (one that is the sum of many) is then not refused, as
        the sets drawn may never hold all of them.

    Raises
    ------
    ValueError
        With :func:`dependence_message`.
    """
    rows = _copied_pairs(values) if sets is None else [row for block in sets for row in np.asarray(block)]
    lines = dependent_sets(values, names, rows)
    if lines:
        raise ValueError(dependence_message(lines) + " This estimator cannot score such a set.")
