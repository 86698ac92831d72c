"""The public entry points: O-information of many sets of regions.

:func:`estimate_oinfo` scores given sets (a list of tuples of names or
indices, or an integer array of shape (G, k)), or every set of one order
(``sets="all"``); :func:`iter_oinfo` streams every set of one order in
batches with bounded memory.  Validation and table building are array
operations, so the public call costs about what the estimator costs.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import pandas as pd

from fmri_oinfo.enumeration import iter_combinations, n_combinations
from fmri_oinfo.exceptions import DependentRegionsWarning
from fmri_oinfo.measures import SCALAR_QUANTITIES, subset_plan, unit_factor
from fmri_oinfo.validation import (
    SHOWN_DEPENDENT_SETS,
    SetBuckets,
    check_independent_sets,
    check_timeseries,
    dependence_message,
    dependent_sets,
    index_sets,
)
from fmri_oinfo.variables import Variables, check_variable_sets, check_variables

#: Rows per batch of :func:`iter_oinfo` (and of ``sets="all"``): bounds memory.
STREAM_BATCH = 262_144


def _set_column(names: list[str], buckets: SetBuckets, n_sets: int) -> np.ndarray:
    """Tuples of member names, one per set in input order, built column-wise (no Python loop per set)."""
    labels = np.asarray(names, dtype=object)
    column = np.empty(n_sets, dtype=object)
    for positions, members in buckets.values():
        named = labels[members]  # (G_k, k)
        column[positions] = list(zip(*(named[:, j] for j in range(named.shape[1]))))
    return column


def _warn_dependent(column: np.ndarray, bad: np.ndarray, estimator: str, values: np.ndarray,
                    names: list[str], variables: Variables | None = None, stacklevel: int = 5) -> None:
    """Warn that the sets at ``bad`` have no finite O-information, saying which region is a function of which.

    ``variables``: the sets' members are these variables (their columns are explained).
    ``stacklevel``: that of the public function's caller (5: estimate_oinfo's, through the table it builds).
    """
    index_of = {name: j for j, name in enumerate(names if variables is None else variables.names)}
    first = np.flatnonzero(bad)[:SHOWN_DEPENDENT_SETS]  # explaining every one of C(N, k) sets would cost a search
    members = [np.array([index_of[name] for name in column[i]]) for i in first]
    if variables is not None:
        members = [variables.union(m) for m in members]
    lines = dependent_sets(values, names, members)
    message = dependence_message(lines or [f"set {tuple(column[i])}" for i in first], int(bad.sum()))
    warnings.warn(f"{estimator} estimator: {message} Their tc is inf and their o_info is not finite.",
                  DependentRegionsWarning, stacklevel=stacklevel)


#: Quantities whose non-Gaussian excess the result table carries (S-information is TC + DTC).
EXCESS_QUANTITIES = ("tc", "dtc", "o_info")


def _score(model: Any, members: np.ndarray, order: int, gradient: bool, factor: float,
           rows: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Measures of one bucket of sets: the scalar quantities, and ``o_info_se``, the non-Gaussian excess
    (``tc_excess``, ``dtc_excess``, ``o_info_excess`` and their ``_se``) and ``gradient`` when present.

    ``rows`` (only for a model that ``answers_on_rows``): the fitted time points the measures describe.
    """
    plan = subset_plan(order, gradient=gradient)
    result = model.measures(members, plan) if rows is None else model.measures(members, plan, rows=rows)
    n_scalar = len(SCALAR_QUANTITIES)
    out = {name: result.values[:, k] * factor for k, name in enumerate(SCALAR_QUANTITIES)}
    if result.standard_error is not None:
        out["o_info_se"] = result.standard_error[:, plan.quantity_names.index("o_info")] * factor
    if result.excess is not None:
        for name in EXCESS_QUANTITIES:
            k = plan.quantity_names.index(name)
            out[f"{name}_excess"] = result.excess[:, k] * factor
            out[f"{name}_excess_se"] = result.excess_error[:, k] * factor
    if gradient:
        out["gradient"] = result.values[:, n_scalar:] * factor  # (G, k)
    return out


def _table(column: np.ndarray, orders: np.ndarray, measures: dict[str, np.ndarray], units: str,
           estimator: str, data: tuple[np.ndarray, list[str]]) -> pd.DataFrame:
    """The result table; a set without a finite O-information (``data``: the fitted values and names) warns."""
    table = pd.DataFrame({"set": column, "order": orders, **{n: measures[n] for n in SCALAR_QUANTITIES}},
                         copy=False)  # the columns are fresh arrays: no copy (memory of sets="all")
    for name in ("o_info_se", *(f"{q}_excess{se}" for q in EXCESS_QUANTITIES for se in ("", "_se"))):
        if name in measures:
            table[name] = measures[name]
    if "gradient" in measures:
        table["o_info_gradient"] = measures["gradient"]
    bad = ~np.isfinite(table["o_info"].to_numpy())
    if bad.any():
        _warn_dependent(column, bad, estimator, *data)
    table.attrs["units"] = units
    table.attrs["estimator"] = estimator
    return table


def _fit(values: np.ndarray, names: list[str], estimator: str, device: str, seed: int, options: dict[str, Any],
         sets: list[np.ndarray] | None, gradient: bool, variables: Variables | None = None):
    """The estimator, fitted on validated ``values`` for ``sets`` (one (G_k, k) array per order; None: any set).

    ``variables``: the sets' members are these variables of several columns.
    """
    from fmri_oinfo.estimators import make_estimator  # torch loads only when estimating

    return _fitted(make_estimator(estimator, device=device, seed=seed, **options), values, names, sets, gradient,
                   variables)


def _fitted(model: Any, values: np.ndarray, names: list[str], sets: list[np.ndarray] | None, gradient: bool,
            variables: Variables | None = None):
    """``model`` fitted; one that cannot score exactly dependent regions has its sets checked first."""
    if getattr(model, "refuses_dependent_sets", False):
        columns = sets if variables is None or sets is None else \
            [variables.union(row)[None, :] for block in sets for row in block]
        check_independent_sets(values, names, columns)
    if variables is None:
        return model.fit(values, sets=sets, gradient=gradient)
    return model.fit(values, sets=sets, gradient=gradient, variables=variables)


def estimate_oinfo(
    data: np.ndarray | pd.DataFrame,
    sets: Any,
    estimator: str = "gaussian",
    units: str = "nats",
    device: str = "auto",
    seed: int = 0,
    gradient: bool = False,
    order: int | None = None,
    variables: dict[str, Sequence[int | str]] | None = None,
    **options: Any,
) -> pd.DataFrame:
    """Estimate TC, DTC, O-information and S-information of sets of regions.

    Parameters
    ----------
    data : array of shape (T, N) or pandas.DataFrame
        Region time series, time points in rows.  DataFrame columns name the
        regions.
    sets : array of int of shape (G, k), sequence of sequences of int or str, or "all"
        Each set lists at least 3 distinct regions, by column index or name;
        orders may be mixed.  An integer array (or a list of tuples of one
        order) is validated with array operations.  ``"all"``: every set of
        ``order`` regions (C(N, order) rows; see :func:`iter_oinfo` to stream
        them with bounded memory).
    estimator : {"gaussian", "gaussian-copula", "fmmi"}, default="gaussian"
        ``gaussian``: closed form on the sample correlation; ``gaussian-copula``:
        the same after a rank transform to normal scores (THOI/HOI);
        ``fmmi``: the flow-matching engine (any distribution).
    units : {"nats", "bits"}, default="nats"
    device : {"auto", "cpu", "cuda"}, default="auto"
    seed : int, default=0
        Seed of stochastic estimators; equal seeds give equal numbers on CPU.
    gradient : bool, default=False
        Add ``o_info_gradient``: ``Omega(X) - Omega(X_-i)`` per member.
    order : int or None
        With ``sets="all"``: the order of the sets.
    variables : dict of str to sequence of int or str, optional
        Variables made of several columns, for example a network as its
        regions: ``{"DMN": ["PCC", "mPFC", "AG"], "VIS": [7, 8]}`` (columns
        by index or name, at least one per variable, no column in two
        variables).  The sets then list variables, by name or by position in
        this mapping, and each measure treats a variable as one multivariate
        signal: ``TC(S) = 1/2 (sum_i log det R_ii - log det R_SS)`` for the
        Gaussian estimators (``R_ii`` a variable's own correlation block),
        and for FMMI the same quantities as sums of one-column conditional
        MIs (the chain rule over each variable's columns).  The dependence
        among a variable's own columns counts for nothing.  Variables of one
        column each give the scalar answer.
    **options
        Estimator options (for example ``bias_correction=True`` for the Gaussian
        estimators, or engine settings for FMMI).

    Returns
    -------
    pandas.DataFrame
        One row per set, in input order (lexicographic for ``"all"``), with
        columns ``set`` (tuple of region names), ``order``, ``tc``, ``dtc``,
        ``o_info``, ``s_info``, and ``o_info_se`` for estimators that have one
        (FMMI: the sampling error of the mean of its cross-fitted per-row
        values, autocorrelation taken into account, plus the spread between
        independently trained replicates and a learning shortfall of a tenth
        of what the network added to the Gaussian answer);
        for FMMI also ``tc_excess``, ``dtc_excess``, ``o_info_excess`` and
        their ``_se``: each quantity minus its Gaussian part (on the whole
        run, exactly the Gaussian-copula closed form): what the correlation
        matrix, i.e. functional connectivity, does not explain, 0 for a
        linear Gaussian process;
        and ``o_info_gradient`` (tuple, one value per member) when requested.
        Positive ``o_info``: redundancy dominates; negative: synergy.  A set
        whose regions are exact functions of each other (a region that is the
        sum of others, a duplicate) has ``tc = inf`` and an ``o_info`` that is
        not finite (``-inf`` or NaN: TC and DTC are both infinite).
        With ``variables``, ``set`` holds variable names, ``order`` counts
        variables, and ``attrs["variables"]`` maps each name to its columns.

    Raises
    ------
    ValueError
        For non-finite, complex or constant data, too few time points, sets
        with duplicate, unknown, boolean or out-of-range members, unknown
        options, and, with FMMI (which cannot give an infinite TC), for sets
        whose regions are exact functions of each other.  With ``variables``:
        overlapping or empty variables, unknown columns, a variable whose
        columns are linearly dependent, and sets spanning as many columns as
        there are time points.

    Warns
    -----
    fmri_oinfo.exceptions.DependentRegionsWarning
        A RuntimeWarning, for sets whose regions are exact functions of each
        other, saying which region is a function of which.

    Examples
    --------
    >>> import numpy as np
    >>> from fmri_oinfo import estimate_oinfo
    >>> x = np.random.default_rng(0).standard_normal((500, 6))
    >>> estimate_oinfo(x, [(0, 1, 2), (0, 1, 2, 3)])[["order", "o_info"]].shape
    (2, 2)
    >>> len(estimate_oinfo(x, "all", order=3))  # every triplet: C(6, 3)
    20
    >>> blocks = {"A": [0, 1], "B": [2, 3], "C": [4], "D": [5]}
    >>> estimate_oinfo(x, [("A", "B", "C"), ("A", "B", "C", "D")], variables=blocks)["set"].tolist()
    [('A', 'B', 'C'), ('A', 'B', 'C', 'D')]
    """
    unit_factor(units)  # an unknown unit fails before any fitting
    if variables is not None:
        return _estimate_variables(data, sets, variables, order, estimator, units, device, seed, gradient, options)
    if isinstance(sets, str):
        if sets != "all" or order is None:
            raise ValueError(f"sets={sets!r}: give sets, or sets='all' with order=k for every set of k regions.")
        return _every_set(data, order, estimator, units, device, seed, gradient, options)
    if order is not None:
        raise ValueError(f"order={order} is for sets='all'; the sets given fix their own orders.")
    values, names = check_timeseries(data)
    n_sets, buckets = index_sets(sets, names, values.shape[0])
    model = _fit(values, names, estimator, device, seed, options, [members for _, members in buckets.values()],
                 gradient)
    return _scored_table(model, values, names, n_sets, buckets, gradient, units, estimator)


def _estimate_variables(data: np.ndarray | pd.DataFrame, sets: Any, variables: Any, order: int | None,
                        estimator: str, units: str, device: str, seed: int, gradient: bool,
                        options: dict[str, Any]) -> pd.DataFrame:
    """:func:`estimate_oinfo` of sets of variables made of several columns (``sets="all"``: every ``order``-set)."""
    values, names = check_timeseries(data)
    blocks = check_variables(variables, names, values)
    if isinstance(sets, str):
        n_variables = len(blocks.names)
        if sets != "all" or isinstance(order, bool) or not isinstance(order, (int, np.integer)) \
                or not 3 <= order <= n_variables:
            raise ValueError(f"sets={sets!r}, order={order!r}: give sets, or sets='all' with an order from 3 to "
                             f"the number of variables ({n_variables}).")
        sets = np.concatenate(list(iter_combinations(n_variables, int(order), STREAM_BATCH)))
    elif order is not None:
        raise ValueError(f"order={order} is for sets='all'; the sets given fix their own orders.")
    n_sets, buckets = index_sets(sets, blocks.names, values.shape[0])
    for _, members in buckets.values():
        check_variable_sets(blocks, members, values.shape[0])
    model = _fit(values, names, estimator, device, seed, options, [members for _, members in buckets.values()],
                 gradient, blocks)
    table = _scored_table(model, values, names, n_sets, buckets, gradient, units, estimator, variables=blocks)
    table.attrs["variables"] = {name: tuple(names[c] for c in cols) for name, cols in zip(blocks.names,
                                                                                           blocks.columns)}
    return table


def _scored_table(model: Any, values: np.ndarray, names: list[str], n_sets: int, buckets: SetBuckets, gradient: bool,
                  units: str, estimator: str, rows: np.ndarray | None = None,
                  variables: Variables | None = None) -> pd.DataFrame:
    """The result table of ``n_sets`` sets (``buckets`` by order) from a model fitted on ``values``, in input order.

    ``variables``: the sets' members are these variables (the ``set`` column names them).
    """
    factor = unit_factor(units)
    columns: dict[str, np.ndarray] = {}
    orders = np.empty(n_sets, dtype=np.int64)
    gradients = np.empty(n_sets, dtype=object) if gradient else None
    for k, (positions, members) in buckets.items():
        orders[positions] = k
        scored = _score(model, members, k, gradient, factor, rows)
        for name, column in scored.items():
            if name == "gradient":
                gradients[positions] = [tuple(row) for row in column.tolist()]
            else:
                columns.setdefault(name, np.full(n_sets, np.nan))[positions] = column
    if gradients is not None:
        columns["gradient"] = gradients
    labels = names if variables is None else variables.names
    return _table(_set_column(labels, buckets, n_sets), orders, columns, units, estimator, (values, names, variables))


def estimate_oinfo_on_rows(
    data: np.ndarray | pd.DataFrame,
    blocks: Sequence[tuple[Any, np.ndarray | None]],
    estimator: str = "gaussian",
    units: str = "nats",
    device: str = "auto",
    seed: int = 0,
    gradient: bool = False,
    **options: Any,
) -> list[pd.DataFrame]:
    """Estimate several lists of sets, each on its own time points of one run.

    A sample split tests some sets on the whole run and others on its test
    block; this describes each list on its own rows.  FMMI fits **one**
    subject model on every time point for the sets of every block and
    averages each set's cross-fitted per-row values over its block's rows
    (:meth:`fmri_oinfo.engine.subject.SubjectFlowModel.oinfo`); the other
    estimators estimate each block on its rows alone.

    Parameters
    ----------
    data : array of shape (T, N) or pandas.DataFrame
    blocks : sequence of (sets, rows)
        ``sets`` as for :func:`estimate_oinfo` (a list of sets, not
        ``"all"``); ``rows``: increasing integer time points, or None for
        every one.
    estimator, units, device, seed, gradient, **options
        As for :func:`estimate_oinfo`.

    Returns
    -------
    list of pandas.DataFrame
        One table per block, with :func:`estimate_oinfo`'s columns.
    """
    from fmri_oinfo.estimators import make_estimator  # torch loads only when estimating

    model = make_estimator(estimator, device=device, seed=seed, **options)
    if not getattr(model, "answers_on_rows", False):  # each block on its own rows (estimate_oinfo validates them)
        return [estimate_oinfo(data if rows is None else _take_rows(data, rows), sets, estimator=estimator,
                               units=units, device=device, seed=seed, gradient=gradient, **options)
                for sets, rows in blocks]
    values, names = check_timeseries(data)
    indexed = [index_sets(sets, names, values.shape[0]) for sets, _ in blocks]
    every_set = [members for _, buckets in indexed for _, members in buckets.values()]
    _fitted(model, values, names, every_set, gradient)
    return [_scored_table(model, values, names, n_sets, buckets, gradient, units, estimator, rows)
            for (n_sets, buckets), (_, rows) in zip(indexed, blocks)]


def _take_rows(data: np.ndarray | pd.DataFrame, rows: np.ndarray) -> np.ndarray | pd.DataFrame:
    return data.iloc[rows] if isinstance(data, pd.DataFrame) else np.asarray(data)[rows]


def _stream(data: np.ndarray | pd.DataFrame, order: int, estimator: str, device: str, seed: int,
            gradient: bool, factor: float, batch_size: int, options: dict[str, Any]):
    """``(values, names, total, batches)``: every set of ``order`` regions scored batch by batch (members, measures)."""
    values, names = check_timeseries(data)
    n_regions = values.shape[1]
    if n_regions < 3:
        raise ValueError(f"O-information needs at least 3 regions and the data have {n_regions}.")
    if isinstance(order, bool) or not isinstance(order, (int, np.integer)) or not 3 <= order <= n_regions:
        raise ValueError(f"order={order!r}: give an integer from 3 to the number of regions ({n_regions}).")
    if values.shape[0] < order + 2:
        raise ValueError(f"order {order} needs at least {order + 2} time points; the data have {values.shape[0]}.")
    if batch_size < 1:
        raise ValueError(f"batch_size={batch_size}; give a positive number of sets per batch.")
    model = _fit(values, names, estimator, device, seed, options, None, gradient)
    batches = ((members, _score(model, members, int(order), gradient, factor))
               for members in iter_combinations(n_regions, int(order), batch_size))
    return values, names, n_combinations(n_regions, int(order)), batches


def _gradient_rows(gradient: np.ndarray) -> np.ndarray:
    rows = np.empty(gradient.shape[0], dtype=object)
    rows[:] = [tuple(row) for row in gradient.tolist()]
    return rows


def _every_set(data, order, estimator, units, device, seed, gradient, options) -> pd.DataFrame:
    """``estimate_oinfo(data, "all", order=k)``: one table, filled batch by batch (no per-batch tables to join)."""
    values, names, total, batches = _stream(data, order, estimator, device, seed, gradient, unit_factor(units),
                                            STREAM_BATCH, options)
    column = np.empty(total, dtype=object)
    columns: dict[str, np.ndarray] = {}
    start = 0
    for members, scored in batches:
        stop = start + members.shape[0]
        column[start:stop] = _set_column(names, {int(order): (np.arange(members.shape[0]), members)},
                                         members.shape[0])
        for name, measure in scored.items():
            if name not in columns:
                columns[name] = np.empty(total, dtype=object if name == "gradient" else np.float64)
            columns[name][start:stop] = _gradient_rows(measure) if name == "gradient" else measure
        start = stop
    return _table(column, np.full(total, order, dtype=np.int64), columns, units, estimator, (values, names))


def iter_oinfo(
    data: np.ndarray | pd.DataFrame,
    order: int,
    estimator: str = "gaussian",
    units: str = "nats",
    device: str = "auto",
    seed: int = 0,
    gradient: bool = False,
    batch_size: int = STREAM_BATCH,
    **options: Any,
) -> Iterator[pd.DataFrame]:
    """Stream the measures of every set of ``order`` regions, in lexicographic order.

    Memory is bounded by ``batch_size`` rows whatever C(N, order): the
    sets are enumerated as index arrays, a batch at a time.
    FMMI, not told the sets in advance, trains its subject model on random
    conditioning sets of up to ``max_order - 1`` regions.

    Parameters
    ----------
    data : array of shape (T, N) or pandas.DataFrame
    order : int
        Regions per set (3 or more).
    estimator, units, device, seed, gradient, **options
        As for :func:`estimate_oinfo`.
    batch_size : int, default=262144
        Sets per yielded table.

    Yields
    ------
    pandas.DataFrame
        The columns of :func:`estimate_oinfo`, ``batch_size`` rows at most.
    """
    values, names, _, batches = _stream(data, order, estimator, device, seed, gradient, unit_factor(units),
                                        batch_size, options)
    for members, scored in batches:
        n = members.shape[0]
        if gradient:
            scored["gradient"] = _gradient_rows(scored["gradient"])
        yield _table(_set_column(names, {int(order): (np.arange(n), members)}, n), np.full(n, order, dtype=np.int64),
                     scored, units, estimator, (values, names))
