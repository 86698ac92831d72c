"""Evaluate one estimator on many resampled datasets at once.

Surrogates and bootstrap resamples are just more datasets.  Rather than one
estimator fit per dataset, ``R`` datasets of ``M`` regions are laid side by
side as one (T, R * M) table and every set is repeated with its members
offset to each copy, so one fit scores all sets on all ``R`` datasets.
This is exact for estimators whose estimate of a set depends only on that
set's columns (the Gaussian ones, and the FMMI engine, which models one set
at a time).  The estimators' own ``null`` and ``resample``
(:mod:`fmri_oinfo.estimators.oinfo`) go through here when they have no
shortcut.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import numpy as np

#: ``(data (T, C), sets of column indices) -> o_info (G,)``: an estimator fitted on ``data``, its answer.
StackedEstimate = Callable[[np.ndarray, Sequence[np.ndarray]], np.ndarray]


def stacked_o_info(
    estimate: StackedEstimate,
    datasets: Iterable[np.ndarray],
    sets: Sequence[np.ndarray],
    max_columns: int = 256,
) -> np.ndarray:
    """O-information of every set on every dataset.

    Parameters
    ----------
    estimate : StackedEstimate
    datasets : iterable of numpy.ndarray, each shape (T, M)
        All with the same shape (a generator is consumed lazily).
    sets : sequence of numpy.ndarray of int
        Column indices into a dataset; orders may differ.
    max_columns : int, default=256
        At most this many columns per estimator call (at least one dataset).

    Returns
    -------
    numpy.ndarray, shape (n_datasets, G)

    Raises
    ------
    ValueError
        When the estimate does not give one value per set.
    """
    results: list[np.ndarray] = []
    pending: list[np.ndarray] = []

    def flush() -> None:
        n_columns = pending[0].shape[1]
        stacked = np.concatenate(pending, axis=1)  # (T, R * M)
        shifted = [g + r * n_columns for r in range(len(pending)) for g in sets]
        o_info = np.asarray(estimate(stacked, shifted), dtype=float)
        if o_info.shape != (len(shifted),):
            raise ValueError(f"the estimator gave {o_info.shape} values for {len(shifted)} sets; one per set is "
                             "needed.")
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
