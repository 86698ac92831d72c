"""Region tables given by the user: signs that they were not cleaned, and cleaning them as nilearn would.

A region table enters the pipeline as it is (fmri-oinfo extracted nothing).
Series that were never cleaned carry what every region shares (the global
signal: nearly all correlations positive and large) and slow drifts, and both
inflate redundancy between every set of regions.  :func:`uncleaned_signs`
names such signs, for the report's warning; :func:`clean_region_table` is the
option that cleans the table with :func:`nilearn.signal.clean`, the function
nilearn's maskers apply to extracted series (detrend, band-pass, standardise),
which needs the repetition time.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Mean correlation between regions above which, with :data:`POSITIVE_SHARE` of the pairs positive, a table is
#: said to carry a global signal (cleaned resting-state series sit near 0.1-0.2 without global signal regression).
GLOBAL_MEAN_CORRELATION = 0.3

#: Share of region pairs with a positive correlation that, with a mean above :data:`GLOBAL_MEAN_CORRELATION`,
#: marks a global signal.
POSITIVE_SHARE = 0.9

#: Median share of a region's variance explained by a straight line in time above which the table drifts
#: (0 after linear detrending; a few percent by chance for slow band-limited signals).
DRIFT_SHARE = 0.2

#: Median |mean| / SD of the regions above which the series are raw intensities (never even demeaned).
RAW_MEAN_RATIO = 10.0

#: The standardisations of ``[extraction] standardize`` and what nilearn calls them.
STANDARDIZE = {"zscore_sample": "zscore_sample", "zscore": "zscore", "none": False}


def uncleaned_signs(table: pd.DataFrame) -> list[str]:
    """Signs that a region table was not cleaned, each in one sentence (empty when none is seen).

    Parameters
    ----------
    table : pandas.DataFrame
        Shape (T, N): time in rows, one column per region, as analysed.

    Returns
    -------
    list of str
        Any of: a global signal (mean correlation between regions at least
        :data:`GLOBAL_MEAN_CORRELATION` with at least :data:`POSITIVE_SHARE`
        of the pairs positive), slow drifts (median variance share of a linear
        trend at least :data:`DRIFT_SHARE`), raw intensities (median |mean| /
        SD at least :data:`RAW_MEAN_RATIO`).
    """
    values = table.to_numpy(dtype=float)  # (T, N)
    n_volumes, n_regions = values.shape
    signs = []
    correlation = np.corrcoef(values, rowvar=False)  # (N, N)
    pairs = correlation[np.triu_indices(n_regions, k=1)]
    mean, positive = float(np.mean(pairs)), float(np.mean(pairs > 0))
    if mean >= GLOBAL_MEAN_CORRELATION and positive >= POSITIVE_SHARE:
        signs.append(f"{100 * positive:.0f} % of region pairs are positively correlated (mean r = {mean:.2f}): a "
                     "global signal shared by every region, which makes every set look redundant")
    time = np.arange(n_volumes, dtype=float) - (n_volumes - 1) / 2.0  # (T,)
    centred = values - values.mean(axis=0)  # (T, N)
    slope = time @ centred / (time @ time)  # (N,)
    trend_share = (slope**2 * (time @ time)) / np.maximum((centred**2).sum(axis=0), np.finfo(float).tiny)
    drift = float(np.median(trend_share))
    if drift >= DRIFT_SHARE:
        signs.append(f"a linear trend explains a median {100 * drift:.0f} % of each region's variance: slow drifts "
                     "that were not removed")
    ratio = float(np.median(np.abs(values.mean(axis=0)) / np.maximum(values.std(axis=0), np.finfo(float).tiny)))
    if ratio >= RAW_MEAN_RATIO:
        signs.append(f"the regions' means are a median {ratio:.0f} times their standard deviation: raw intensities, "
                     "not cleaned series")
    return signs


def clean_region_table(table: pd.DataFrame, t_r: float | None, detrend: bool = True,
                       high_pass: float | None = 0.01, low_pass: float | None = 0.1,
                       standardize: str = "zscore_sample") -> pd.DataFrame:
    """Clean a region table the way nilearn cleans the series its maskers extract.

    Parameters
    ----------
    table : pandas.DataFrame
        Shape (T, N): time in rows, one column per region.
    t_r : float or None
        Repetition time in seconds; required (the band-pass is defined in Hz).
    detrend : bool, default=True
        Remove a linear trend.
    high_pass, low_pass : float or None, default=0.01, 0.1
        Butterworth cut-offs in Hz (None or 0: none).
    standardize : {"zscore_sample", "zscore", "none"}, default="zscore_sample"

    Returns
    -------
    pandas.DataFrame
        The cleaned table, same shape, index and columns; ``table`` is not changed.

    Raises
    ------
    ValueError
        Without a positive ``t_r``; with a cut-off at or above the Nyquist
        frequency ``1 / (2 t_r)``; with an unknown ``standardize``.
    """
    from nilearn.signal import clean

    if not t_r or t_r <= 0:
        raise ValueError("cleaning a region table needs its repetition time: give --t-r SECONDS (or inputs.t_r in "
                         "the configuration); the band-pass cut-offs are in Hz.")
    if standardize not in STANDARDIZE:
        raise ValueError(f"standardize={standardize!r}: use one of {list(STANDARDIZE)}.")
    nyquist = 1.0 / (2.0 * float(t_r))
    for name, cutoff in (("high_pass", high_pass), ("low_pass", low_pass)):
        if cutoff and cutoff >= nyquist:
            raise ValueError(f"extraction.{name} = {cutoff:g} Hz is at or above the Nyquist frequency {nyquist:g} Hz "
                             f"of TR {t_r:g} s; lower it or set it to 0 (none).")
    cleaned = clean(table.to_numpy(dtype=float), detrend=detrend, standardize=STANDARDIZE[standardize],
                    high_pass=high_pass or None, low_pass=low_pass or None, t_r=float(t_r))
    return pd.DataFrame(cleaned, index=table.index, columns=table.columns)
