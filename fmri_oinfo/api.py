"""The public entry points: O-information of many sets of regions.

:func:`estimate_oinfo` scores given sets (a list of tuples of names or
indices, or an integer array of shape (G, k)), or every set of one order
(``sets="all"``); :func:`iter_oinfo` streams every set of one order in
batches with bounded memory.  Validation and table building are array
operations, so the public call costs about what the estimator costs.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import pandas as pd

from fmri_oinfo.enumeration import iter_combinations, n_combinations
from fmri_oinfo.estimators.oinfo import OInfoEstimator, estimator_from_name
from fmri_oinfo.estimators.table import MeasureTable, warn_dependent_sets
from fmri_oinfo.measures import unit_factor
from fmri_oinfo.validation import check_timeseries
from fmri_oinfo.variables import check_variables

#: Rows per batch of :func:`iter_oinfo` (and of ``sets="all"``): bounds memory.
STREAM_BATCH = 262_144


def _estimator(estimator: str, units: str, device: str, seed: int, gradient: bool,
               options: dict[str, Any]) -> OInfoEstimator:
    """The estimator object behind a name (an unknown unit fails before any fitting)."""
    unit_factor(units)
    return estimator_from_name(estimator, device=device, seed=seed, units=units, gradient=gradient, **options)


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
    model = _estimator(estimator, units, device, seed, gradient, options)
    if variables is not None:
        return _estimate_variables(model, data, sets, variables, order)
    if isinstance(sets, str):
        if sets != "all" or order is None:
            raise ValueError(f"sets={sets!r}: give sets, or sets='all' with order=k for every set of k regions.")
        return _every_set(model, data, order)
    if order is not None:
        raise ValueError(f"order={order} is for sets='all'; the sets given fix their own orders.")
    return model.fit(data, sets).measures(sets).to_frame()


def _estimate_variables(model: OInfoEstimator, data: np.ndarray | pd.DataFrame, sets: Any, variables: Any,
                        order: int | None) -> pd.DataFrame:
    """:func:`estimate_oinfo` of sets of variables made of several columns (``sets="all"``: every ``order``-set)."""
    if isinstance(sets, str):
        values, names = check_timeseries(data)
        n_variables = len(check_variables(variables, names, values).names)
        if sets != "all" or isinstance(order, bool) or not isinstance(order, (int, np.integer)) \
                or not 3 <= order <= n_variables:
            raise ValueError(f"sets={sets!r}, order={order!r}: give sets, or sets='all' with an order from 3 to "
                             f"the number of variables ({n_variables}).")
        sets = np.concatenate(list(iter_combinations(n_variables, int(order), STREAM_BATCH)))
    elif order is not None:
        raise ValueError(f"order={order} is for sets='all'; the sets given fix their own orders.")
    return model.fit(data, sets, variables=variables).measures(sets).to_frame()


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
    block; this describes each list on its own rows.  The estimator is
    fitted once for the sets of every block and asked
    ``measures(sets, rows=...)``: FMMI averages each set's cross-fitted
    per-row values of its one subject model over the block's rows
    (:meth:`fmri_oinfo.engine.subject.SubjectFlowModel.oinfo`); the closed
    forms are computed on the block's rows alone.

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
    model = _estimator(estimator, units, device, seed, gradient, options)
    every_set = [tuple(member for member in one) for sets, _ in blocks for one in sets]
    model.fit(data, every_set)
    return [model.measures(sets, rows=rows).to_frame() for sets, rows in blocks]


def _stream(model: OInfoEstimator, data: np.ndarray | pd.DataFrame, order: int, batch_size: int,
            warn: bool = True) -> tuple[OInfoEstimator, int]:
    """``model`` fitted for any set (checked for ``order`` and ``batch_size``), and the number of sets."""
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
    return model.fit(data), n_combinations(n_regions, int(order))


def _every_set(model: OInfoEstimator, data: np.ndarray | pd.DataFrame, order: int) -> pd.DataFrame:
    """``estimate_oinfo(data, "all", order=k)``: one table from the batches, one warning for every bad set."""
    fitted, total = _stream(model, data, order, STREAM_BATCH)
    batches = list(fitted.iter_measures(int(order), STREAM_BATCH, warn=False))
    columns = {name: np.concatenate([b.columns[name] for b in batches]) for name in batches[0].columns}
    table = MeasureTable(sets=np.concatenate([b.sets for b in batches]), order=np.full(total, order, np.int64),
                         columns=columns, units=fitted.units, estimator=fitted.name)
    bad = ~np.isfinite(columns["o_info"])
    if bad.any():
        warn_dependent_sets(table.sets, bad, fitted.name, fitted.values_, fitted.names_, stacklevel=3)
    return table.to_frame()


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
    model = _estimator(estimator, units, device, seed, gradient, options)
    fitted, _ = _stream(model, data, order, batch_size)
    for batch in fitted.iter_measures(int(order), batch_size):
        yield batch.to_frame()
