"""Standard errors of means of autocorrelated per-row values.

fMRI rows are autocorrelated, so the variance of a mean over T rows is not
``var / T``.  :func:`long_run_variance` is the Newey-West (Bartlett kernel)
estimate with Andrews' (1991) AR(1) plug-in bandwidth, chosen per series:
the lag-1 autocorrelation ``rho`` gives ``alpha = 4 rho^2 / ((1 - rho)^2 (1 + rho)^2)``
and the bandwidth ``1.1447 (alpha T)^(1/3)``.  Independent rows get bandwidth 0
(the plain variance).
"""

from __future__ import annotations

import numpy as np

#: The lag-1 autocorrelation used for the bandwidth is capped here (a unit root has no finite bandwidth).
MAX_RHO = 0.97


def bartlett_bandwidth(series: np.ndarray) -> np.ndarray:
    """Andrews' AR(1) plug-in bandwidth per series: (R, T) -> (R,) lags (float)."""
    centred = series - series.mean(axis=1, keepdims=True)
    denom = (centred[:, :-1] ** 2).sum(axis=1)
    rho = np.where(denom > 0, (centred[:, 1:] * centred[:, :-1]).sum(axis=1) / np.maximum(denom, 1e-300), 0.0)
    rho = np.clip(rho, -MAX_RHO, MAX_RHO)
    alpha = 4 * rho**2 / ((1 - rho) ** 2 * (1 + rho) ** 2)
    t = series.shape[1]
    return np.minimum(1.1447 * (alpha * t) ** (1.0 / 3.0), t / 4)


def long_run_variance(series: np.ndarray) -> np.ndarray:
    """Variance of the mean of each series (rows in time order).

    Parameters
    ----------
    series : numpy.ndarray, shape (R, T)

    Returns
    -------
    numpy.ndarray, shape (R,)
        Newey-West estimate of ``var(mean)``: ``(gamma_0 + 2 sum_j w_j gamma_j) / T``
        with Bartlett weights ``w_j = 1 - j / (L + 1)``; never negative.
    """
    series = np.atleast_2d(np.asarray(series, dtype=np.float64))
    r, t = series.shape
    centred = series - series.mean(axis=1, keepdims=True)
    bandwidth = bartlett_bandwidth(series)  # (R,)
    total = (centred**2).sum(axis=1) / t  # gamma_0, (R,)
    for lag in range(1, int(np.ceil(bandwidth.max())) + 1):
        weight = np.clip(1.0 - lag / (bandwidth + 1.0), 0.0, None)  # (R,)
        gamma = (centred[:, lag:] * centred[:, :-lag]).sum(axis=1) / t
        total = total + 2.0 * weight * gamma
    return np.maximum(total, 0.0) / t
