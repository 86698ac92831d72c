"""Surrogate p-values that can go below ``1 / (1 + n_surrogates)``: a generalised Pareto tail.

With ``R`` surrogates the empirical p-value is at least ``1 / (1 + R)``, so
after Benjamini-Hochberg over ``m`` sets nothing can be significant once
``m / (1 + R) >= alpha``.  Following Knijnenburg et al. (2009), *Fewer
permutations, more accurate P-values*, Bioinformatics 25(12): i161-i168:

1. when at least :data:`MIN_EXCEEDANCES` surrogates reach the observed
   statistic, the empirical p-value ``(1 + M) / (1 + R)`` is used;
2. otherwise a generalised Pareto distribution (GPD) is fitted by maximum
   likelihood to the ``N_exc`` largest surrogate values above a threshold
   ``t`` (midway between the ``N_exc``-th and ``N_exc + 1``-th largest),
   starting at ``N_exc = min(250, R // 4)``; while a Kolmogorov-Smirnov test
   rejects the fit at :data:`GOF_LEVEL`, ``N_exc`` shrinks by 10 (down to
   :data:`MIN_TAIL`).  The p-value is ``N_exc / R * P_GPD(X > x - t)``.

All statistics are upper-tailed: a larger value is more extreme.  With fewer
than ``4 * MIN_TAIL`` surrogates no tail can be fitted and the empirical
p-value is used.  A fitted shape below 0 (a tail with an upper end) is
replaced by 0, the exponential tail: a bounded fit would call any value past
its end impossible (p = 0), and on the short test blocks of fMRI runs, where a
one-member shift null has only about ``T`` distinct values, that end falls
inside the null's real range (measured on the demo: a member whose 176
possible shifts gave p = 1/177 got 0 from the bounded fit, 0.005 from the
exponential one).

**The smallest reportable p-value.**  A fitted tail is an extrapolation; it is
trusted only down to ``1 / (EXTRAPOLATION_FACTOR * (1 + R))`` with ``R`` the
statistic's finite surrogates (:func:`smallest_reportable_p`).  A tail
p-value below that is replaced by the bound and marked ``"bound"`` in the
method: the table holds the bound and says that the p-value lies below it,
and the report prints ``< bound``.  :data:`EXTRAPOLATION_FACTOR` comes from
``benchmarks/tail_calibration.py`` (tail p-values of AR(1) nulls against
nulls of 200 times more surrogates: down to ``f = 20`` times below
``1 / (1 + R)`` the share of fits more than 5 times too small stays at or
below 0.13, and 10 is half the deepest factor measured; table in
``benchmarks/README.md``).
"""

from __future__ import annotations

import functools

import numpy as np
from scipy import optimize
from scipy import stats as scipy_stats

#: Tail approximations by name: ``gpd`` (Knijnenburg et al. 2009) or ``empirical`` only.
TAILS: tuple[str, ...] = ("gpd", "empirical")

#: Surrogates at or beyond the observed value needed to trust the empirical p-value.
MIN_EXCEEDANCES = 10
#: Largest tail fitted (the starting ``N_exc``).
MAX_TAIL = 250
#: ``N_exc`` shrinks by this while the fit is rejected.
TAIL_STEP = 10
#: Smallest tail fitted; a smaller null uses the empirical p-value.
MIN_TAIL = 20
#: Level of the Kolmogorov-Smirnov goodness-of-fit test of the tail.
GOF_LEVEL = 0.05
#: A fitted tail is trusted down to ``1 / (EXTRAPOLATION_FACTOR * (1 + R))`` (benchmarks/tail_calibration.py).
EXTRAPOLATION_FACTOR = 10.0

#: ``method`` of a p-value held at :func:`smallest_reportable_p`: the fitted tail put it lower.
BOUND = "bound"


def empirical_p_values(observed: np.ndarray, null: np.ndarray) -> np.ndarray:
    """Upper-tail surrogate p-values ``(1 + #{null >= observed}) / (1 + R)``.

    Parameters
    ----------
    observed : numpy.ndarray, shape (G,)
    null : numpy.ndarray, shape (R, G)
        NaN surrogate values are left out of their column's count.

    Returns
    -------
    numpy.ndarray, shape (G,)
        NaN where ``observed`` is NaN.
    """
    valid = ~np.isnan(null)  # (R, G)
    exceed = (valid & (null >= observed[None, :])).sum(axis=0)  # (G,)
    p = (1.0 + exceed) / (1.0 + valid.sum(axis=0))
    return np.where(np.isnan(observed), np.nan, p)


#: Grid of ``theta * mean(excess)`` searched for the GPD likelihood's maximum before it is refined.
_THETA_GRID = np.concatenate([[0.0], np.logspace(-4.0, 4.0, 161)])


def _profile_log_likelihood(excess: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """GPD log-likelihood per excess, maximised over the scale at each ``theta = shape / scale >= 0``.

    With ``k(theta) = mean(log(1 + theta x))`` the maximising shape is ``k``
    and the scale ``k / theta`` (Grimshaw 1993), and the log-likelihood per
    point is ``-(log(k / theta) + k + 1)``; at ``theta = 0`` it is the
    exponential's, ``-(log(mean x) + 1)``.
    """
    theta = np.atleast_1d(theta)
    positive = theta > 0
    k = np.log1p(np.outer(theta, excess)).mean(axis=1)  # (len(theta),)
    safe_theta = np.where(positive, theta, 1.0)
    scale = np.where(positive, k / safe_theta, excess.mean())
    shape = np.where(positive, k, 0.0)
    return -(np.log(scale) + shape + 1.0)


def fit_gpd(excess: np.ndarray) -> tuple[float, float]:
    """Maximum-likelihood generalised Pareto tail (location 0) with a shape of at least 0.

    The likelihood is profiled in ``theta = shape / scale`` (Grimshaw 1993),
    searched on a log grid and refined by bounded Brent minimisation, so one
    fit costs well under a millisecond (``scipy.stats.genpareto.fit`` took
    about 10 ms and dominated the statistics' time).  A negative shape (a
    tail with an upper end) is not searched: the exponential tail
    (``shape = 0``, ``scale = mean``) takes its place, as the module
    docstring explains.

    Parameters
    ----------
    excess : numpy.ndarray, shape (n,)
        Positive exceedances over the threshold, not all equal.

    Returns
    -------
    (shape, scale) : tuple of float
    """
    mean = float(excess.mean())
    grid = _THETA_GRID / mean
    profile = _profile_log_likelihood(excess, grid)
    best = int(np.argmax(profile))
    if best > 0:
        low, high = grid[best - 1], grid[min(best + 1, grid.size - 1)]
        refined = optimize.minimize_scalar(lambda theta: -_profile_log_likelihood(excess, theta)[0],
                                           bounds=(low, high), method="bounded", options={"xatol": 1e-10 / mean})
        theta = float(refined.x) if -refined.fun >= profile[best] else float(grid[best])
        k = float(np.log1p(theta * excess).mean())
        return k, k / theta
    return 0.0, mean


@functools.lru_cache(maxsize=None)
def _ks_critical_distance(n: int) -> float:
    """Kolmogorov-Smirnov distance of ``n`` points rejected at :data:`GOF_LEVEL` (exact distribution)."""
    return float(scipy_stats.kstwo.isf(GOF_LEVEL, n))


def _gpd_fit_accepted(excess: np.ndarray, shape: float, scale: float) -> bool:
    """Whether a Kolmogorov-Smirnov test at :data:`GOF_LEVEL` accepts a GPD fit to its own excesses."""
    n = excess.size
    cdf = scipy_stats.genpareto.cdf(np.sort(excess), shape, loc=0.0, scale=scale)
    ranks = np.arange(1, n + 1) / n
    distance = max(float(np.max(ranks - cdf)), float(np.max(cdf - (ranks - 1.0 / n))))
    return distance <= _ks_critical_distance(n)


def fit_tail(null: np.ndarray) -> tuple[float, float, float, int] | None:
    """Fit a generalised Pareto tail to one surrogate null.

    Parameters
    ----------
    null : numpy.ndarray, shape (R,)
        Finite surrogate values.

    Returns
    -------
    (shape, scale, threshold, n_exceedances) or None
        None when ``R < 4 * MIN_TAIL`` or the tail is degenerate (all values tied).
    """
    values = np.sort(null)[::-1]  # (R,) largest first
    n_tail = min(MAX_TAIL, values.size // 4)
    fitted = None
    while n_tail >= MIN_TAIL:
        while n_tail >= MIN_TAIL and values[n_tail - 1] == values[n_tail]:
            n_tail -= 1  # the threshold must fall between two distinct values (a shift null repeats values)
        if n_tail < MIN_TAIL:
            break
        threshold = 0.5 * (values[n_tail - 1] + values[n_tail])
        excess = values[:n_tail] - threshold  # (n_tail,) all > 0
        if np.ptp(excess) == 0:
            break
        shape, scale = fit_gpd(excess)
        fitted = (float(shape), float(scale), float(threshold), int(n_tail))
        if _gpd_fit_accepted(excess, shape, scale):
            return fitted
        n_tail -= TAIL_STEP
    return fitted


def smallest_reportable_p(n_surrogates: int, tail: str) -> float:
    """The smallest p-value a design reports: the bound below which a p-value is only known to be smaller.

    Parameters
    ----------
    n_surrogates : int
        Finite surrogate values of the statistic's null (``R``).
    tail : {"gpd", "empirical"}

    Returns
    -------
    float
        ``1 / (EXTRAPOLATION_FACTOR * (1 + R))`` when a tail can be fitted
        (``tail="gpd"`` and ``R >= 4 * MIN_TAIL``), else ``1 / (1 + R)``,
        the smallest empirical p-value.
    """
    if tail == "gpd" and n_surrogates >= 4 * MIN_TAIL:
        return 1.0 / (EXTRAPOLATION_FACTOR * (1.0 + n_surrogates))
    return 1.0 / (1.0 + n_surrogates)


def tail_p_value(observed: float, null: np.ndarray) -> tuple[float, str]:
    """GPD tail p-value of one upper-tailed statistic, at least the smallest reportable p-value.

    Returns
    -------
    p : float
    method : {"gpd", "bound", "empirical"}
        ``empirical`` when no tail could be fitted; ``bound`` when the tail
        p-value was below :func:`smallest_reportable_p` and ``p`` is that
        bound.
    """
    finite = null[np.isfinite(null)]
    fitted = fit_tail(finite) if finite.size >= 4 * MIN_TAIL else None
    if fitted is None:
        return float((1.0 + (finite >= observed).sum()) / (1.0 + finite.size)), "empirical"
    shape, scale, threshold, n_tail = fitted
    survival = scipy_stats.genpareto.sf(observed - threshold, shape, loc=0.0, scale=scale)
    bound = smallest_reportable_p(finite.size, "gpd")
    p = n_tail / finite.size * survival
    return (float(p), "gpd") if p >= bound else (bound, BOUND)


def surrogate_p_values(observed: np.ndarray, null: np.ndarray, tail: str = "gpd") -> tuple[np.ndarray, np.ndarray]:
    """Upper-tail p-values of many statistics against their surrogate nulls.

    Parameters
    ----------
    observed : array of float, shape (G,)
    null : array of float, shape (R, G)
    tail : {"gpd", "empirical"}, default="gpd"
        ``gpd``: the empirical p-value where at least :data:`MIN_EXCEEDANCES`
        surrogates reach the observed value, else the generalised Pareto tail
        down to :func:`smallest_reportable_p`; ``empirical``: always
        ``(1 + M) / (1 + R)``.

    Returns
    -------
    p : numpy.ndarray, shape (G,)
        NaN where ``observed`` is NaN.
    method : numpy.ndarray of str, shape (G,)
        ``"empirical"``, ``"gpd"`` or ``"bound"`` (the p-value is the smallest
        reportable one and the statistic's lies below it) per statistic
        (``""`` where NaN).
    """
    if tail not in TAILS:
        raise ValueError(f"tail={tail!r} is not known; use one of {list(TAILS)}.")
    observed = np.asarray(observed, dtype=float)
    null = np.asarray(null, dtype=float)
    p = empirical_p_values(observed, null)
    method = np.where(np.isnan(observed), "", "empirical").astype(object)
    if tail == "gpd":
        exceed = (null >= observed[None, :]).sum(axis=0)  # (G,)
        for column in np.flatnonzero(~np.isnan(observed) & (exceed < MIN_EXCEEDANCES)):
            p[column], method[column] = tail_p_value(observed[column], null[:, column])
    return p, method
