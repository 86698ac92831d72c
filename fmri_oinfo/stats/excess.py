"""The test of FMMI's non-Gaussian excess: structure beyond functional connectivity.

The excess of a set (FMMI's O-information less its Gaussian part on the same
volumes, :meth:`fmri_oinfo.engine.subject.SubjectFlowModel.oinfo`) is 0 for
every linear Gaussian process, whatever its spectra and cross-spectra, and for
every monotone transform of one (the Gaussian part is that of the rank
transform).  Its standard error is the autocorrelation-robust (Newey-West)
spread of the cross-fitted per-volume gains over the Gaussian part, plus the
spread between independently trained replicates and the learning shortfall.
The test studentises the excess beyond a margin (below) against the
standard normal: a comparison of cross-fitted per-row log-density
gains with autocorrelation-robust variance in the manner of Diebold & Mariano
(1995) and Giacomini & White (2006).  It replaces refitting FMMI on each
surrogate (minutes per fit on a CPU) and its calibration is measured, not
assumed: ``benchmarks/excess_null.py`` scores it on real HCP subjects after
multivariate phase randomisation and IAAFT
(:mod:`fmri_oinfo.stats.linear_surrogates`, the nulls that keep every
spectrum and cross-spectrum) and on Gaussian autoregressions with a real
correlation matrix.

**The margin.**  The standard error covers the sampling spread of the
per-volume gains, not the engine's systematic error, and that error is not 0
where there is nothing to find: at the default budget (T = 1,200) a linear
Gaussian synergy of O = -0.55 read an excess of -0.030 (z = -7), a set of
independent regions sharing one member with a multiplicative core -0.016
(z = -4.4), and sets missing a member of a non-Gaussian core up to +0.043
(``benchmarks/engine_padded.py``).  The test therefore asks whether the excess
exceeds a margin, ``m = max(MIN_EXCESS, RELATIVE_EXCESS * |Gaussian part|)``
(0.05 nats, or a tenth of the O-information that correlations explain), in
the direction of its sign: ``z = (|excess| - m) / excess_se``, one-sided.
An excess inside the margin is never labelled, however small its SE.

A normal tail is not checked far below what those nulls reach, so p-values
stop at :data:`SMALLEST_EXCESS_P` (held at it, and marked).  Where the
network never beat the Gaussian answer on held-out volumes the excess is 0 by
construction and its SE is undefined: p = 1, no evidence.  Labels are
``synergy beyond FC`` (excess < 0) and ``redundancy beyond FC`` (excess > 0),
by Benjamini-Hochberg over every set with an excess, at the run's ``alpha``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats as scipy_stats

from fmri_oinfo.stats.fdr import benjamini_hochberg

#: Smallest p-value of the excess test reported: a normal tail is not trusted further.
SMALLEST_EXCESS_P = 1e-4

#: Smallest excess (nats) the test looks beyond: the engine's measured error where the excess is 0.
MIN_EXCESS = 0.05
#: Share of the Gaussian part's size the test looks beyond (the error grows with the dependence).
RELATIVE_EXCESS = 0.1

#: Labels of a significant excess, by its sign.
SYNERGY_BEYOND_FC = "synergy beyond FC"
REDUNDANCY_BEYOND_FC = "redundancy beyond FC"


def excess_tests(
    excess: np.ndarray, excess_se: np.ndarray, gaussian_part: np.ndarray, alpha: float
) -> pd.DataFrame:
    """p, q and label of the non-Gaussian excess of every set.

    Parameters
    ----------
    excess, excess_se : array of float, shape (G,)
        FMMI's excess and its standard error per set; ``excess`` NaN where
        the set has none (no FMMI estimate); ``excess_se`` NaN where the
        network never beat the Gaussian answer (then p = 1).
    gaussian_part : array of float, shape (G,)
        The O-information that correlations explain (FMMI's estimate less
        its excess): sets the margin.
    alpha : float
        False discovery rate of the labels.

    Returns
    -------
    pandas.DataFrame
        ``excess_margin`` (nats), ``excess_p`` (one-sided, that ``|excess|``
        exceeds the margin; at least :data:`SMALLEST_EXCESS_P`),
        ``excess_p_is_bound`` (the p-value was below the floor and holds
        it), ``excess_q`` (Benjamini-Hochberg over the sets with an excess)
        and ``excess_label`` (``""`` when not significant), one row per set.
    """
    excess = np.asarray(excess, dtype=float)
    excess_se = np.asarray(excess_se, dtype=float)
    gaussian_part = np.asarray(gaussian_part, dtype=float)
    if not excess.shape == excess_se.shape == gaussian_part.shape or excess.ndim != 1:
        raise ValueError("excess, excess_se and gaussian_part must be 1-D arrays of the same length "
                         "(one value per set).")
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha={alpha} must lie in (0, 1).")
    tested = np.isfinite(excess)
    learnt = tested & np.isfinite(excess_se) & (excess_se > 0)
    p = np.where(tested, 1.0, np.nan)
    margin = np.maximum(MIN_EXCESS, RELATIVE_EXCESS * np.abs(np.nan_to_num(gaussian_part)))
    z = np.divide(np.abs(excess) - margin, excess_se, out=np.zeros_like(excess), where=learnt)
    p[learnt] = scipy_stats.norm.sf(z[learnt])
    is_bound = learnt & (p < SMALLEST_EXCESS_P)
    p[is_bound] = SMALLEST_EXCESS_P
    q = np.full_like(p, np.nan)
    if tested.any():
        q[tested] = benjamini_hochberg(p[tested])
    significant = tested & (q < alpha)
    label = np.where(significant & (excess < 0), SYNERGY_BEYOND_FC,
                     np.where(significant & (excess > 0), REDUNDANCY_BEYOND_FC, ""))
    return pd.DataFrame({
        "excess_margin": np.where(tested, margin, np.nan), "excess_p": p, "excess_p_is_bound": is_bound,
        "excess_q": q, "excess_label": label,
    })
