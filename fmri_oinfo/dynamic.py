"""Dynamic O-information (Stramaglia et al. 2021): redundancy and synergy of the information flowing into a region.

For a set of regions and one member ``y`` as target, the *drivers* ``X = (x_1,
..., x_n)`` are the other ``n`` members at lags ``1 .. L`` and ``y0`` is the
target's own past at lags ``1 .. L``.  The dynamic O-information is

    dO(y; X) = (1 - n) I(y; X | y0) + sum_j I(y; X_-j | y0),

the change of O-information when ``y`` joins its drivers (Rosas' recursion,
:mod:`fmri_oinfo.engine.cmi_plan`), conditioned on the target's past so that
what ``y`` carries over from its own history does not count.  Positive:
the drivers' information about the target's next value is redundant; negative:
synergistic (the sign convention of :func:`fmri_oinfo.estimate_oinfo`).
``I(y; X | y0)`` is the multivariate transfer entropy from the drivers into
the target.

Both estimators work on the *lagged embedding*: one column per region and lag
``0 .. L`` over the rows ``L .. T-1``.

- ``gaussian`` / ``gaussian-copula``: closed form from the embedding's
  correlation, ``I(y; X_S | y0) = TC(y, y0, X_S) - TC(y0, X_S) - TC(y, y0) +
  TC(y0)``, batched over every (set, target) by the fitted estimator
  (:meth:`fmri_oinfo.estimators.GaussianOInfo.total_correlations`);
- ``fmmi``: the FMMI subject model fitted on the embedding
  (:meth:`fmri_oinfo.estimators.FMMIOInfo.subject_model`), each
  ``I(y; X_S | y0) = I(y; X_S, y0) - I(y; y0)`` a difference of its pairs
  (one moving column given others), the whole combination read from the
  per-row values at once
  (:meth:`fmri_oinfo.engine.subject.SubjectFlowModel.combinations`), so that its
  standard error sees how the terms co-vary from row to row.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from fmri_oinfo.estimators.oinfo import FMMIOInfo, GaussianOInfo, estimator_from_name
from fmri_oinfo.estimators.table import set_names as _set_column
from fmri_oinfo.exceptions import DependentRegionsWarning
from fmri_oinfo.measures import SubsetPlan, combine_tc, unit_factor
from fmri_oinfo.validation import SetBuckets, check_independent_sets, check_timeseries, index_sets

#: Quantities per (set, target), in column order.
DYNAMIC_QUANTITIES = ("transfer_entropy", "d_o_info")


def lagged_embedding(values: np.ndarray, names: list[str], regions: np.ndarray, lag: int
                     ) -> tuple[np.ndarray, list[str]]:
    """Columns of ``regions`` at lags ``0 .. lag`` over the rows ``lag .. T-1``.

    Parameters
    ----------
    values : numpy.ndarray, shape (T, N)
    names : list of str
    regions : numpy.ndarray of int, shape (M,)
        Distinct region indices.
    lag : int

    Returns
    -------
    embedding : numpy.ndarray, shape (T - lag, M * (lag + 1))
        Column ``r * (lag + 1) + l`` holds region ``regions[r]`` at lag ``l``.
    columns : list of str
        ``name`` at lag 0, ``name[t-l]`` at lag ``l``.
    """
    t = values.shape[0]
    shifted = np.stack([values[lag - l : t - l, regions] for l in range(lag + 1)], axis=2)  # (T-L, M, L+1)
    columns = [names[r] if l == 0 else f"{names[r]}[t-{l}]" for r in regions for l in range(lag + 1)]
    return shifted.reshape(t - lag, -1), columns


def _target_groups(members: np.ndarray, regions: np.ndarray, lag: int) -> np.ndarray:
    """Embedding columns of every (set, target), shape (G * k, 1 + k * lag).

    Row ``g * k + i`` takes member ``i`` of set ``g`` as target: its present,
    its lags ``1 .. L``, then each other member's lags ``1 .. L`` in set order.
    """
    g, k = members.shape
    first = np.searchsorted(regions, members) * (lag + 1)  # (G, k): column of each member at lag 0
    lags = np.arange(1, lag + 1)
    rows = []
    for i in range(k):
        drivers = [j for j in range(k) if j != i]
        past = first[:, drivers][:, :, None] + lags  # (G, n, L)
        rows.append(np.concatenate([first[:, [i]], first[:, [i]] + lags, past.reshape(g, -1)], axis=1))
    return np.stack(rows, axis=1).reshape(g * k, -1)


def dynamic_plan(order: int, lag: int) -> SubsetPlan:
    """Subsets of a (set, target) group (:func:`_target_groups`) whose TCs give its dynamic quantities.

    Returns
    -------
    SubsetPlan
        Over the ``1 + order * lag`` columns of a group; ``weights`` map the
        subsets' TCs to :data:`DYNAMIC_QUANTITIES`.
    """
    n = order - 1
    width = 1 + order * lag
    y0 = np.zeros(width, dtype=bool)
    y0[1 : 1 + lag] = True
    target = np.zeros(width, dtype=bool)
    target[0] = True
    driver = np.zeros((n, width), dtype=bool)  # (n, width): each driver's lag columns
    for j in range(n):
        driver[j, 1 + lag * (j + 1) : 1 + lag * (j + 2)] = True
    # I(y; X_S | y0) = TC(y, y0, X_S) - TC(y0, X_S) - TC(y, y0) + TC(y0), for S = all drivers, then each leave-one-out
    driver_sets = [driver.any(axis=0)] + [driver[np.arange(n) != j].any(axis=0) for j in range(n)]
    masks = [y0, target | y0]
    for given in driver_sets:
        masks += [target | y0 | given, y0 | given]
    masks = np.stack(masks)  # (2 + 2 (n + 1), width)
    cmi = np.zeros((len(masks), n + 1))  # TCs -> I(y; X | y0), I(y; X_-j | y0)
    cmi[0, :], cmi[1, :] = 1.0, -1.0
    for s in range(n + 1):
        cmi[2 + 2 * s, s], cmi[3 + 2 * s, s] = 1.0, -1.0
    combine = np.zeros((n + 1, len(DYNAMIC_QUANTITIES)))  # CMIs -> quantities
    combine[0] = [1.0, 1.0 - n]
    combine[1:, 1] = 1.0
    return SubsetPlan(order=width, gradient=False, masks=masks, weights=cmi @ combine)


def dynamic_terms(group: np.ndarray, lag: int) -> list[dict[tuple[int, tuple[int, ...]], float]]:
    """:data:`DYNAMIC_QUANTITIES` of one (set, target) group as signed sums of pairs ``I(y; F)``.

    ``I(y; X_S | y0) = I(y; X_S, y0) - I(y; y0)``, so ``dO = (1 - n) I(y; X, y0)
    + sum_j I(y; X_-j, y0) - I(y; y0)``.
    """
    y, y0 = int(group[0]), [int(c) for c in group[1 : 1 + lag]]
    drivers = np.asarray(group[1 + lag :]).reshape(-1, lag)  # (n, L)
    n = drivers.shape[0]

    def given(without: int | None = None) -> tuple[int, tuple[int, ...]]:
        past = [int(c) for j in range(n) if j != without for c in drivers[j]]
        return y, tuple(sorted(y0 + past))

    own = (y, tuple(sorted(y0)))
    dynamic: dict[tuple[int, tuple[int, ...]], float] = {given(): 1.0 - n, own: -1.0}
    for j in range(n):
        dynamic[given(j)] = dynamic.get(given(j), 0.0) + 1.0
    return [{given(): 1.0, own: -1.0}, dynamic]


def _check_lag(lag: Any, n_samples: int, buckets: SetBuckets) -> int:
    if isinstance(lag, bool) or not isinstance(lag, (int, np.integer)) or lag < 1:
        raise ValueError(f"lag={lag!r}: give a whole number of volumes, 1 or more (1: the previous volume).")
    order = max(buckets)
    needed = order * int(lag) + 3  # the largest group's columns (1 + k L) and 2 more rows
    if n_samples - lag < needed:
        raise ValueError(
            f"lag={lag} leaves {n_samples - lag} of the {n_samples} time points, and sets of order {order} need "
            f"at least {needed} (the target and every member's {lag} past values, plus 2); give a smaller lag "
            "or longer time series."
        )
    return int(lag)


def _gaussian(embedding: np.ndarray, groups: dict[int, np.ndarray], lag: int, estimator: GaussianOInfo
              ) -> dict[int, tuple[np.ndarray, None]]:
    model = estimator.fit(embedding)
    out = {}
    for k, columns in groups.items():
        plan = dynamic_plan(k, lag)
        out[k] = (combine_tc(model.total_correlations(columns, plan), plan.weights), None)  # (G k, 2)
    return out


def _fmmi(embedding: np.ndarray, columns: list[str], groups: dict[int, np.ndarray], lag: int, estimator: FMMIOInfo
          ) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    check_independent_sets(embedding, columns, list(groups.values()))
    terms = {k: [dynamic_terms(row, lag) for row in block] for k, block in groups.items()}
    pairs = list(dict.fromkeys(pair for block in terms.values() for combos in block for c in combos for pair in c))
    # Every pair trained with equal weight: weighting them by the combinations' coefficients (fit(combinations=),
    # as variables do) was measured worse on the multiplicative system (benchmarks/README.md, dynamic_var.py).
    model = estimator.subject_model().fit(embedding, pairs=pairs)
    out = {}
    for k, block in terms.items():
        answer = model.combinations(block)
        out[k] = (answer.estimate.reshape(-1, 2), answer.se.reshape(-1, 2))  # (G k, 2) each
    return out


def dynamic_oinfo(
    data: np.ndarray | pd.DataFrame,
    sets: Any,
    lag: int = 1,
    estimator: str = "gaussian",
    units: str = "nats",
    device: str = "auto",
    seed: int = 0,
    **options: Any,
) -> pd.DataFrame:
    """Dynamic O-information of sets of regions, every member in turn as target (Stramaglia et al. 2021).

    For target ``y`` of a set and its ``n`` other members ``X`` (the drivers),
    ``dO = (1 - n) I(y; X | y0) + sum_j I(y; X_-j | y0)``, with ``y`` the
    target's value at each volume, ``y0`` its values at the ``lag`` volumes
    before, and ``X`` the drivers' values at those volumes.

    Parameters
    ----------
    data : array of shape (T, N) or pandas.DataFrame
        Region time series, volumes in rows, in time order.
    sets : array of int of shape (G, k), or sequence of sequences of int or str
        As for :func:`fmri_oinfo.estimate_oinfo` (3 or more members each; not
        ``"all"``).
    lag : int, default=1
        Past volumes of the target and of every driver that the measure uses
        (lags ``1 .. lag``).
    estimator : {"gaussian", "gaussian-copula", "fmmi"}, default="gaussian"
        ``gaussian``: closed form from the correlation of the lagged embedding
        (every region at lags ``0 .. lag``); ``gaussian-copula``: the same on
        the embedding's normal scores; ``fmmi``: the flow-matching subject
        model fitted on the embedding (any distribution), with standard errors.
    units : {"nats", "bits"}, default="nats"
    device : {"auto", "cpu", "cuda"}, default="auto"
    seed : int, default=0
        Seed of FMMI; equal seeds give equal numbers on CPU.
    **options
        Estimator options (``bias_correction=True`` for the Gaussian
        estimators; subject model settings such as ``steps`` for FMMI).

    Returns
    -------
    pandas.DataFrame
        One row per set and target (sets in input order, targets in the
        set's order): ``set`` (tuple of region names), ``order``, ``target``
        (region name), ``lag``, ``transfer_entropy`` (``I(y; X | y0)``, the
        information the drivers' past adds about the target's next value) and
        ``d_o_info`` (positive: the drivers' information about the target is
        redundant; negative: synergistic); with FMMI also
        ``transfer_entropy_se`` and ``d_o_info_se`` (sampling error of the
        mean of the cross-fitted per-row values, autocorrelation-aware, plus
        the spread between replicates and the learning shortfall, as for
        :func:`fmri_oinfo.estimate_oinfo`).  Both are computed on the volumes
        ``lag .. T-1``.  ``attrs`` holds ``units``, ``estimator`` and ``lag``.

    Raises
    ------
    ValueError
        As :func:`fmri_oinfo.estimate_oinfo` for the data, sets, estimator,
        units and options; for a ``lag`` that is not a whole number of 1 or
        more, or that leaves too few volumes; with FMMI, for a target, its
        past and its drivers' past that are exact functions of each other.

    Warns
    -----
    fmri_oinfo.exceptions.DependentRegionsWarning
        Gaussian estimators, for (set, target) rows whose lagged columns are
        exact linear functions of each other (their value is not finite).

    Examples
    --------
    >>> import numpy as np
    >>> from fmri_oinfo import dynamic_oinfo
    >>> x = np.random.default_rng(0).standard_normal((500, 4))
    >>> table = dynamic_oinfo(x, [(0, 1, 2)])
    >>> table[["target", "d_o_info"]].shape  # one row per member as target
    (3, 2)
    """
    factor = unit_factor(units)  # an unknown unit fails before any fitting
    model = estimator_from_name(estimator, device=device, seed=seed, **options)  # the name and options, checked once
    if isinstance(sets, str):
        raise ValueError(f"sets={sets!r}: give a list of sets (tuples of names or indices) or an array (G, k).")
    values, names = check_timeseries(data)
    n_sets, buckets = index_sets(sets, names, values.shape[0])
    lag = _check_lag(lag, values.shape[0], buckets)
    regions = np.unique(np.concatenate([members.ravel() for _, members in buckets.values()]))
    embedding, columns = lagged_embedding(values, names, regions, lag)
    groups = {k: _target_groups(members, regions, lag) for k, (_, members) in buckets.items()}
    if isinstance(model, FMMIOInfo):
        results = _fmmi(embedding, columns, groups, lag, model)
    else:
        results = _gaussian(embedding, groups, lag, model)
    return _table(names, n_sets, buckets, results, factor, lag, units, estimator)


def _table(names: list[str], n_sets: int, buckets: SetBuckets, results: dict[int, tuple[np.ndarray, Any]],
           factor: float, lag: int, units: str, estimator: str) -> pd.DataFrame:
    """One row per (set, target), sets in input order and targets in set order."""
    set_names = _set_column(names, buckets, n_sets)
    labels = np.asarray(names, dtype=object)
    position, member, order, target, value, error = [], [], [], [], [], []
    for k, (positions, members) in buckets.items():
        position.append(np.repeat(positions, k))
        member.append(np.tile(np.arange(k), len(positions)))
        order.append(np.full(len(positions) * k, k))
        target.append(labels[members].ravel())
        value.append(results[k][0])
        error.append(results[k][1])
    sort = np.lexsort((np.concatenate(member), np.concatenate(position)))
    table = pd.DataFrame({
        "set": set_names[np.concatenate(position)[sort]],
        "order": np.concatenate(order)[sort],
        "target": np.concatenate(target)[sort],
        "lag": np.full(len(sort), lag),
    })
    value = np.concatenate(value)[sort] * factor  # (rows, 2)
    se = None if error[0] is None else np.concatenate(error)[sort] * factor
    for q, name in enumerate(DYNAMIC_QUANTITIES):
        table[name] = value[:, q]
        if se is not None:
            table[f"{name}_se"] = se[:, q]
    bad = ~np.isfinite(table["d_o_info"].to_numpy())
    if bad.any():
        shown = [f"set {table['set'][i]} with target {table['target'][i]!r}" for i in np.flatnonzero(bad)[:3]]
        warnings.warn(
            f"{estimator} estimator: {int(bad.sum())} (set, target) row(s) ({'; '.join(shown)}) have a target, "
            "a past or drivers' past that are exact linear functions of each other: their dynamic O-information "
            "is not finite. Drop or merge duplicated or derived regions.",
            DependentRegionsWarning, stacklevel=3,
        )
    table.attrs.update(units=units, estimator=estimator, lag=lag)
    return table
