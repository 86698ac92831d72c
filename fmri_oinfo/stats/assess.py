"""Which candidate sets are real: surrogate p-values, FDR and bootstrap intervals.

For each set, the observed O-information is compared with its distribution
over surrogate datasets in which every region keeps its autocorrelation but
regions are independent (:mod:`fmri_oinfo.stats.surrogates`).  The test is
two-sided on ``|O|``::

    p = (1 + #{s : |O_s| >= |O_obs|}) / (1 + n_surrogates)

which is a valid p-value (never 0).  Benjamini-Hochberg q-values are taken
across all sets, and a set is labelled by the sign of its O-information when
``q < alpha``.  Confidence intervals are percentile intervals over
moving-block bootstrap resamples of time points.  Observed, surrogate and
bootstrap values all come from the same estimator.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np
import pandas as pd

from fmri_oinfo.stats.bootstrap import default_block_length, moving_block_indices
from fmri_oinfo.stats.fdr import benjamini_hochberg
from fmri_oinfo.stats.resampled import OInfoEstimator, checked_o_info, resolve_estimator, stacked_o_info
from fmri_oinfo.stats.surrogates import SURROGATES, make_surrogates
from fmri_oinfo.validation import check_sets, check_timeseries

logger = logging.getLogger(__name__)

#: Columns of the result table, in order.
RESULT_COLUMNS: tuple[str, ...] = (
    "set", "order", "chosen_by", "o_info", "o_info_se", "tc", "dtc", "s_info",
    "ci_low", "ci_high", "p_value", "q_value", "label",
)

#: Bootstrap resamples needed for ``o_info_se`` to be their standard deviation.
MIN_BOOTSTRAP_FOR_SE = 2

#: Surrogates generated per chunk (bounds memory at chunk * T * M floats).
_CHUNK = 64


def _candidate_sets(candidates: pd.DataFrame | Iterable[Sequence[int | str]]) -> tuple[list, list[str]]:
    if isinstance(candidates, pd.DataFrame):
        if "set" not in candidates.columns:
            raise ValueError(
                f"candidates has columns {list(candidates.columns)}; a 'set' column "
                "(tuples of region names) is needed, as returned by choose_candidates."
            )
        sets = list(candidates["set"])
        if "chosen_by" in candidates.columns:
            reasons = [str(r) for r in candidates["chosen_by"]]
        else:
            reasons = ["user"] * len(sets)
        return sets, reasons
    sets = [tuple(g) for g in candidates]
    return sets, ["user"] * len(sets)


def _surrogate_stream(
    values: np.ndarray, n_surrogates: int, kind: str, rng: np.random.Generator
) -> Iterator[np.ndarray]:
    for start in range(0, n_surrogates, _CHUNK):
        yield from make_surrogates(values, min(_CHUNK, n_surrogates - start), kind, rng)


def _bootstrap_stream(
    values: np.ndarray, n_bootstrap: int, block_length: int, rng: np.random.Generator
) -> Iterator[np.ndarray]:
    for start in range(0, n_bootstrap, _CHUNK):
        rows = moving_block_indices(values.shape[0], min(_CHUNK, n_bootstrap - start), block_length, rng)
        yield from (values[r] for r in rows)


def _check_arguments(
    n_surrogates: int, surrogate: str, n_bootstrap: int, alpha: float, ci_level: float
) -> None:
    if n_surrogates < 1:
        raise ValueError(f"n_surrogates={n_surrogates}: at least 1 surrogate is needed (999 is typical).")
    if surrogate not in SURROGATES:
        raise ValueError(f"surrogate={surrogate!r} is not known; use one of {list(SURROGATES)}.")
    if n_bootstrap < 0:
        raise ValueError(f"n_bootstrap={n_bootstrap} must be 0 (no intervals) or more.")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha={alpha} must lie in (0, 1).")
    if not 0 < ci_level < 1:
        raise ValueError(f"ci_level={ci_level} must lie in (0, 1).")


def surrogate_p_values(observed: np.ndarray, null: np.ndarray) -> np.ndarray:
    """Two-sided surrogate p-values on ``|O|``.

    Parameters
    ----------
    observed : numpy.ndarray, shape (G,)
    null : numpy.ndarray, shape (n_surrogates, G)

    Returns
    -------
    numpy.ndarray, shape (G,)
        ``(1 + #{|null| >= |observed|}) / (1 + n_surrogates)``.
    """
    exceed = (np.abs(null) >= np.abs(observed)[None, :]).sum(axis=0)  # (G,)
    return (1.0 + exceed) / (1.0 + null.shape[0])


def significance_labels(o_info: np.ndarray, q_values: np.ndarray, alpha: float) -> np.ndarray:
    """``"redundant"`` / ``"synergistic"`` where ``q < alpha`` (by the sign of O), else ``"n.s."``."""
    labels = np.where(o_info > 0, "redundant", "synergistic").astype(object)
    labels[~(q_values < alpha)] = "n.s."
    return labels


def assess_sets(
    data: np.ndarray | pd.DataFrame,
    candidates: pd.DataFrame | Iterable[Sequence[int | str]],
    estimator: str | OInfoEstimator = "gaussian",
    n_surrogates: int = 999,
    surrogate: str = "circular",
    n_bootstrap: int = 200,
    block_length: int | None = None,
    alpha: float = 0.05,
    ci_level: float = 0.95,
    seed: int | np.random.Generator = 0,
    max_columns: int = 256,
    return_null: bool = False,
    **estimator_options: Any,
) -> pd.DataFrame | tuple[pd.DataFrame, np.ndarray]:
    """Estimate, test and bound the O-information of candidate sets.

    Parameters
    ----------
    data : array of shape (T, N) or pandas.DataFrame
        Region time series, time points in rows; DataFrame columns name the
        regions.
    candidates : pandas.DataFrame or iterable of sets
        A candidate table (``set``, ``order``, ``chosen_by``), or sets of
        region names or column indices (then ``chosen_by="user"``).
    estimator : str or callable, default="gaussian"
        A name for :func:`fmri_oinfo.estimate_oinfo` (``"gaussian"``,
        ``"gaussian-copula"``, ``"fmmi"``), or a callable ``(data (T, M),
        sets) -> DataFrame`` with at least ``o_info`` (and optionally
        ``tc``, ``dtc``, ``s_info``, ``o_info_se``) per set.  The same
        estimator scores the data, the surrogates and the bootstrap resamples.
    n_surrogates : int, default=999
        Surrogate datasets for the null; the smallest p-value is
        ``1 / (1 + n_surrogates)``.
    surrogate : {"circular", "phase"}, default="circular"
        Per-region circular time shifts, or per-region phase randomisation.
    n_bootstrap : int, default=200
        Moving-block bootstrap resamples; 0 leaves ``ci_low``/``ci_high`` NaN.
    block_length : int or None, default=None
        Bootstrap block length in time points; None uses
        :func:`~fmri_oinfo.stats.bootstrap.default_block_length`
        (``round(T ** (1/3))``).
    alpha : float, default=0.05
        FDR level for the labels.
    ci_level : float, default=0.95
        Coverage of the percentile bootstrap interval.
    seed : int or numpy.random.Generator, default=0
        Seeds surrogates, resamples and (as an int) the estimator.
    max_columns : int, default=256
        Columns per estimator call when resampled datasets are stacked.
    return_null : bool, default=False
        Also return the surrogate O-information values behind the p-values
        (e.g. for :class:`fmri_oinfo.report.ReportContext`'s
        ``null_distributions``).
    **estimator_options
        Passed to :func:`fmri_oinfo.estimate_oinfo` with a named estimator.

    Returns
    -------
    pandas.DataFrame
        One row per candidate, in input order, with columns ``set`` (tuple
        of names), ``order``, ``chosen_by``, ``o_info``, ``o_info_se``, ``tc``,
        ``dtc``, ``s_info``, ``ci_low``, ``ci_high``, ``p_value``, ``q_value``,
        ``label``.  ``o_info_se`` is the bootstrap standard deviation when
        ``n_bootstrap >= 2``, else the estimator's own standard error (or NaN).
        Values in the estimator's units (nats by default).
    null : numpy.ndarray of shape (n_sets, n_surrogates)
        Only with ``return_null=True``: row ``i`` holds the surrogate
        O-information values of row ``i`` of the table, in the same units.

    Raises
    ------
    ValueError
        For invalid data, sets, estimator or arguments.
    """
    _check_arguments(n_surrogates, surrogate, n_bootstrap, alpha, ci_level)
    values, names = check_timeseries(data)
    sets, reasons = _candidate_sets(candidates)
    rows = check_sets(sets, names, values.shape[0])
    used = np.unique(np.concatenate(rows))  # (M,) regions in any candidate
    local = [np.searchsorted(used, r) for r in rows]  # member positions among ``used``
    sub = values[:, used]  # (T, M)
    rng = np.random.default_rng(seed)
    estimator_seed = seed if isinstance(seed, (int, np.integer)) else int(rng.integers(2**31))
    estimate = resolve_estimator(estimator, estimator_seed, estimator_options)

    observed = estimate(sub, local)
    o_info = checked_o_info(observed, len(local))
    if len(local) / (1.0 + n_surrogates) > alpha:
        logger.warning(
            "%d sets with %d surrogates: a single significant set needs q = %d/%d > alpha=%g; "
            "use more surrogates.", len(local), n_surrogates, len(local), n_surrogates + 1, alpha,
        )
    null = stacked_o_info(estimate, _surrogate_stream(sub, n_surrogates, surrogate, rng), local, max_columns)
    p_values = surrogate_p_values(o_info, null)
    q_values = benjamini_hochberg(p_values)

    ci_low = ci_high = np.full(len(local), np.nan)
    se = observed["o_info_se"].to_numpy(float) if "o_info_se" in observed else np.full(len(local), np.nan)
    length = default_block_length(values.shape[0]) if block_length is None else block_length
    if n_bootstrap > 0:
        boot = stacked_o_info(estimate, _bootstrap_stream(sub, n_bootstrap, length, rng), local, max_columns)
        tail = 100.0 * (1.0 - ci_level) / 2.0
        ci_low, ci_high = np.percentile(boot, [tail, 100.0 - tail], axis=0)
        if n_bootstrap >= MIN_BOOTSTRAP_FOR_SE:
            se = boot.std(axis=0, ddof=1)

    table = pd.DataFrame(
        {
            "set": pd.Series([tuple(names[j] for j in r) for r in rows], dtype=object),
            "order": [len(r) for r in rows],
            "chosen_by": reasons,
            "o_info": o_info,
            "o_info_se": se,
            **{c: observed[c].to_numpy(float) if c in observed else np.nan for c in ("tc", "dtc", "s_info")},
            "ci_low": ci_low,
            "ci_high": ci_high,
            "p_value": p_values,
            "q_value": q_values,
            "label": significance_labels(o_info, q_values, alpha),
        },
        columns=list(RESULT_COLUMNS),
    )
    table.attrs.update(
        estimator=estimator if isinstance(estimator, str) else getattr(estimator, "__name__", "callable"),
        surrogate=surrogate, n_surrogates=n_surrogates, n_bootstrap=n_bootstrap,
        block_length=length, alpha=alpha, ci_level=ci_level,
    )
    if return_null:
        return table, np.ascontiguousarray(null.T)  # (G, n_surrogates)
    return table

