"""Task-free summary of local O-information: how often, and for how long, a set is synergistic.

For each set, the share of volumes whose local O-information is negative
(synergy dominates at that volume) and the mean duration, in volumes, of the
runs of consecutive such volumes (episodes).  Each is tested against the
null of independent regions with each region's own autocorrelation: the
regions are replaced by surrogates (:mod:`fmri_oinfo.stats.surrogates`), the
local values recomputed with the same estimator and options, and the
upper-tail p-value is ``(1 + #{null >= observed}) / (1 + R)``
(:func:`fmri_oinfo.stats.tail.empirical_p_values`), with Benjamini-Hochberg
q-values over the sets.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from fmri_oinfo.local import local_oinfo
from fmri_oinfo.stats.fdr import benjamini_hochberg
from fmri_oinfo.stats.surrogates import make_surrogates
from fmri_oinfo.stats.tail import empirical_p_values
from fmri_oinfo.validation import check_timeseries

#: Columns of :func:`synergy_episodes`' table.
EPISODE_COLUMNS: tuple[str, ...] = (
    "set", "synergy_share", "share_null", "share_p", "share_q",
    "mean_duration", "duration_null", "duration_p", "duration_q",
)


def episode_statistics(local_values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Share of negative volumes and mean length of runs of negative volumes, per column.

    Parameters
    ----------
    local_values : numpy.ndarray, shape (..., T, G)

    Returns
    -------
    share : numpy.ndarray, shape (..., G)
        Fraction of volumes with a negative value; NaN for a column with a
        non-finite value.
    mean_duration : numpy.ndarray, shape (..., G)
        Negative volumes divided by the number of runs of consecutive negative
        volumes; NaN where there is none or a value is non-finite.
    """
    values = np.asarray(local_values, dtype=float)
    negative = values < 0  # (..., T, G)
    starts = negative.copy()
    starts[..., 1:, :] &= ~negative[..., :-1, :]  # a run starts where the previous volume was not negative
    n_negative = negative.sum(axis=-2).astype(float)  # (..., G)
    n_runs = starts.sum(axis=-2).astype(float)
    finite = np.isfinite(values).all(axis=-2)
    share = np.where(finite, n_negative / values.shape[-2], np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        duration = np.where(finite & (n_runs > 0), n_negative / n_runs, np.nan)
    return share, duration


def synergy_episodes(
    data: np.ndarray | pd.DataFrame,
    sets: Any,
    estimator: str = "gaussian",
    n_surrogates: int = 199,
    surrogate: str = "circular",
    seed: int = 0,
    **options: Any,
) -> pd.DataFrame:
    """Share of synergistic volumes and mean episode duration per set, against surrogates.

    Parameters
    ----------
    data : array of shape (T, N) or pandas.DataFrame
        Region time series, volumes in rows.
    sets : as for :func:`fmri_oinfo.local_oinfo`
    estimator : {"gaussian", "gaussian-copula", "fmmi"}, default="gaussian"
        Used for the observed and every surrogate's local values (FMMI refits
        its model on each surrogate: slow).
    n_surrogates : int, default=199
    surrogate : {"circular", "phase"}, default="circular"
        Each region rotated by its own random shift, or phase-randomised.
    seed : int, default=0
        Seeds the surrogates and the estimator.
    **options
        Estimator options, as for :func:`fmri_oinfo.local_oinfo`.

    Returns
    -------
    pandas.DataFrame
        :data:`EPISODE_COLUMNS`, one row per set: ``synergy_share`` (fraction
        of volumes with negative local O-information) and ``mean_duration``
        (volumes per episode), their surrogate means (``share_null``,
        ``duration_null``), upper-tail p-values (more, or longer, synergy than
        independent regions give) and q-values over the sets.
    """
    if n_surrogates < 1:
        raise ValueError(f"n_surrogates={n_surrogates}; give 1 or more (199 or more for p-values below 0.005).")
    values, names = check_timeseries(data)
    observed = local_oinfo(data, sets, estimator=estimator, seed=seed, **options)["o_info"]
    share, duration = episode_statistics(observed.to_numpy())  # (G,)
    rng = np.random.default_rng(seed)
    surrogates = make_surrogates(values, n_surrogates, surrogate, rng)  # (R, T, N)
    null = np.stack([
        local_oinfo(pd.DataFrame(s, columns=names), sets, estimator=estimator, seed=seed, **options)["o_info"]
        .to_numpy() for s in surrogates
    ])  # (R, T, G)
    null_share, null_duration = episode_statistics(null)  # (R, G)
    share_p = empirical_p_values(share, null_share)
    duration_p = empirical_p_values(duration, null_duration)
    with warnings.catch_warnings():  # a set without any finite surrogate value: its null mean is NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        return pd.DataFrame({
            "set": list(observed.columns),
            "synergy_share": share, "share_null": np.nanmean(null_share, axis=0),
            "share_p": share_p, "share_q": benjamini_hochberg(share_p),
            "mean_duration": duration, "duration_null": np.nanmean(null_duration, axis=0),
            "duration_p": duration_p, "duration_q": benjamini_hochberg(duration_p),
        })
