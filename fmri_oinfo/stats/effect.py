"""Effect size and the interval a label rests on.

**Effect size.**  ``o_info_ratio = o_info / s_info``.  The O-information is
the total correlation (TC) less the dual total correlation (DTC) and the
S-information their sum, both non-negative, so the ratio lies in [-1, 1]
whatever the units; for ``n`` regions ``DTC / (n - 1) <= TC <= (n - 1) DTC``
(Rosas et al. 2019), so ``|ratio| <= (n - 2) / n``: at most 1/3 for a
triplet, 1/2 for a 4-set.  It says how much of what the regions share is
redundancy (> 0) or synergy (< 0): an O of 0.002 nats among strongly
correlated regions is a ratio near 0.

**The label's interval.**  The surrogate test asks whether the regions are
more than independent; a label also claims a sign.  The sign is tested by a
normal interval ``o_info +- z * o_info_se`` at the label's level: after
Benjamini-Hochberg selects ``R`` of ``m`` sets at FDR ``alpha``, the
false-coverage-adjusted level ``1 - R alpha / m`` (Benjamini & Yekutieli
2005), so the intervals beside the labelled sets are jointly as strict as
their labels.  A set is labelled only when this interval excludes 0 on its
sign's side (:func:`fmri_oinfo.stats.labels.label_sets`).
"""

from __future__ import annotations

import numpy as np
from scipy.stats import norm


def effect_ratio(o_info: np.ndarray, s_info: np.ndarray) -> np.ndarray:
    """O-information as a share of the S-information, in [-1, 1].

    Parameters
    ----------
    o_info, s_info : array of float, shape (G,)

    Returns
    -------
    numpy.ndarray of float, shape (G,)
        NaN where ``s_info`` is not positive or either value is not finite.
    """
    o_info, s_info = np.asarray(o_info, dtype=float), np.asarray(s_info, dtype=float)
    ratio = np.full(o_info.shape, np.nan)
    usable = np.isfinite(o_info) & np.isfinite(s_info) & (s_info > 0)
    ratio[usable] = np.clip(o_info[usable] / s_info[usable], -1.0, 1.0)  # estimates may stray past +-1 by rounding
    return ratio


def label_level(n_selected: int, n_tested: int, alpha: float) -> float:
    """Coverage of the label's interval: ``1 - R alpha / m`` (at least ``1 - alpha``'s strictness).

    Parameters
    ----------
    n_selected : int
        Sets the FDR step selects (``R``; 1 is used when none is, the level a
        single selected set would get).
    n_tested : int
        Sets tested (``m``).
    alpha : float
        FDR level.

    Returns
    -------
    float
    """
    if n_tested < 1:
        raise ValueError(f"n_tested={n_tested}: at least one tested set is needed.")
    return 1.0 - max(int(n_selected), 1) * alpha / n_tested


def label_interval(o_info: np.ndarray, se: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Two-sided normal interval ``o_info +- z_{(1 + level) / 2} se``.

    Parameters
    ----------
    o_info, se : array of float, shape (G,)
        NaN ``se`` gives a NaN interval.
    level : float
        Coverage in (0, 1).

    Returns
    -------
    low, high : numpy.ndarray of float, shape (G,)
    """
    if not 0 < level < 1:
        raise ValueError(f"level={level} must lie in (0, 1).")
    o_info, se = np.asarray(o_info, dtype=float), np.asarray(se, dtype=float)
    half = norm.ppf(0.5 + level / 2.0) * se
    return o_info - half, o_info + half
