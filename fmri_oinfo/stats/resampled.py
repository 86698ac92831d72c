"""Evaluate one estimator on many resampled datasets at once.

Surrogates and bootstrap resamples are just more datasets.  Rather than one
estimator call per dataset, ``R`` datasets of ``M`` regions are laid side by
side as one (T, R * M) table and every set is repeated with its members
offset to each copy, so one call scores all sets on all ``R`` datasets.
This is exact for estimators whose estimate of a set depends only on that
set's columns (the Gaussian ones, and the FMMI engine, which models one set
at a time).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from fmri_oinfo.api import estimate_oinfo

#: An O-information estimator: ``(data (T, M), sets of column indices) -> table``
#: with at least an ``o_info`` column, one row per set in input order (the
#: signature and output of :func:`fmri_oinfo.estimate_oinfo`).
OInfoEstimator = Callable[[np.ndarray, Sequence[Sequence[int]]], pd.DataFrame]


def resolve_estimator(estimator: str | OInfoEstimator, seed: int, options: dict[str, Any]) -> OInfoEstimator:
    """Turn an estimator name or callable into an :data:`OInfoEstimator`.

    A name is passed to :func:`fmri_oinfo.estimate_oinfo` with ``seed`` and
    ``options``; a callable is used as it is (``options`` must then be empty).
    """
    if callable(estimator):
        if options:
            raise ValueError(
                f"estimator options {sorted(options)} were given with a callable estimator; "
                "bind them into the callable instead."
            )
        return estimator
    if not isinstance(estimator, str):
        raise ValueError(f"estimator={estimator!r} must be an estimator name or a callable.")
    return partial(estimate_oinfo, estimator=estimator, seed=seed, **options)


def checked_o_info(table: pd.DataFrame, n_sets: int) -> np.ndarray:
    """The ``o_info`` column of an estimator's table, checked to have ``n_sets`` rows."""
    if "o_info" not in table.columns or len(table) != n_sets:
        raise ValueError(
            f"the estimator returned {len(table)} rows with columns {list(table.columns)}; "
            f"one row per set ({n_sets}) with an 'o_info' column is needed."
        )
    return table["o_info"].to_numpy(dtype=float)


def stacked_o_info(
    estimate: OInfoEstimator,
    datasets: Iterable[np.ndarray],
    sets: Sequence[np.ndarray],
    max_columns: int = 256,
) -> np.ndarray:
    """O-information of every set on every dataset.

    Parameters
    ----------
    estimate : OInfoEstimator
    datasets : iterable of numpy.ndarray, each shape (T, M)
        All with the same shape (a generator is consumed lazily).
    sets : sequence of numpy.ndarray of int
        Column indices into a dataset; orders may differ.
    max_columns : int, default=256
        At most this many columns per estimator call (at least one dataset).

    Returns
    -------
    numpy.ndarray, shape (n_datasets, G)
    """
    results: list[np.ndarray] = []
    pending: list[np.ndarray] = []

    def flush() -> None:
        n_columns = pending[0].shape[1]
        stacked = np.concatenate(pending, axis=1)  # (T, R * M)
        shifted = [g + r * n_columns for r in range(len(pending)) for g in sets]
        o_info = checked_o_info(estimate(stacked, shifted), len(shifted))
        results.append(o_info.reshape(len(pending), len(sets)))  # (R, G)
        pending.clear()

    for dataset in datasets:
        pending.append(dataset)
        if (len(pending) + 1) * dataset.shape[1] > max_columns:
            flush()
    if pending:
        flush()
    if not results:
        return np.empty((0, len(sets)))
    return np.concatenate(results, axis=0)
