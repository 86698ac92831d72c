"""A Gaussian vector autoregressive process with its exact dynamic information measures.

``x_t = A x_{t-1} + e_t`` with ``e_t ~ N(0, Q)`` independent over time.  The
stationary covariance ``S`` solves the discrete Lyapunov equation
``S = A S A' + Q``; the lagged covariances are ``cov(x_{t+l}, x_t) = A^l S``.
Every conditional MI of the present of one region given lagged values is then
``1/2 log`` of a ratio of residual variances (linear regressions on the exact
covariance), which gives the exact transfer entropy and dynamic O-information
of :func:`fmri_oinfo.dynamic_oinfo` by a route independent of its estimators
(no total correlations, no log-determinants).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

#: Volumes drawn and dropped before a sample so that it starts from the stationary law.
BURN_IN = 500


@dataclass(frozen=True)
class VARProcess:
    """``x_t = coefficients @ x_{t-1} + e_t``, ``e_t ~ N(0, noise)``.

    Parameters
    ----------
    coefficients : numpy.ndarray, shape (N, N)
        Spectral radius below 1 (stationary).
    noise : numpy.ndarray, shape (N, N)
        Innovation covariance, positive definite.
    """

    coefficients: np.ndarray
    noise: np.ndarray

    def __post_init__(self) -> None:
        radius = np.abs(np.linalg.eigvals(self.coefficients)).max()
        if radius >= 1.0:
            raise ValueError(f"coefficients have spectral radius {radius:.3f}; a stationary process needs < 1.")

    @property
    def n_regions(self) -> int:
        """Number of regions N."""
        return self.coefficients.shape[0]

    def stationary_covariance(self) -> np.ndarray:
        """``S`` solving ``S = A S A' + Q``, as ``vec(S) = (I - A kron A)^-1 vec(Q)``; shape (N, N)."""
        a, n = self.coefficients, self.n_regions
        s = np.linalg.solve(np.eye(n * n) - np.kron(a, a), self.noise.reshape(-1)).reshape(n, n)
        return (s + s.T) / 2

    def lagged_covariance(self, lag: int) -> np.ndarray:
        """Covariance of ``(x_t, x_{t-1}, ..., x_{t-lag})``, shape (N (lag + 1), N (lag + 1)).

        Block ``(a, b)`` is ``cov(x_{t-a}, x_{t-b}) = A^(b-a) S`` for ``b >= a``.
        """
        n, s = self.n_regions, self.stationary_covariance()
        power = [np.linalg.matrix_power(self.coefficients, d) @ s for d in range(lag + 1)]  # cov(x_{t+d}, x_t)
        out = np.empty((n * (lag + 1),) * 2)
        for a in range(lag + 1):
            for b in range(lag + 1):
                out[a * n : (a + 1) * n, b * n : (b + 1) * n] = power[b - a] if b >= a else power[a - b].T
        return out

    def sample(self, n_samples: int, seed: int = 0) -> np.ndarray:
        """``n_samples`` consecutive volumes (T, N) after :data:`BURN_IN` dropped ones."""
        rng = np.random.default_rng(seed)
        shocks = rng.multivariate_normal(np.zeros(self.n_regions), self.noise, size=n_samples + BURN_IN)
        x = np.zeros_like(shocks)
        for t in range(1, len(x)):
            x[t] = self.coefficients @ x[t - 1] + shocks[t]
        return x[BURN_IN:]

    def dynamic_measures(self, members: Sequence[int], target: int, lag: int = 1) -> tuple[float, float]:
        """Exact transfer entropy ``I(y; X | y0)`` and dynamic O-information into ``target`` from the other members.

        Parameters
        ----------
        members : sequence of int
            The set (``target`` among them).
        target : int
        lag : int, default=1
            Lags ``1 .. lag`` of the target (``y0``) and of the drivers (``X``).

        Returns
        -------
        (float, float)
            In nats: ``I(y; X | y0)`` and ``(1 - n) I(y; X | y0) + sum_j I(y; X_-j | y0)``.
        """
        return dynamic_measures_from_covariance(self.lagged_covariance(lag), self.n_regions, members, target, lag)


def dynamic_measures_from_covariance(cov: np.ndarray, n_regions: int, members: Sequence[int], target: int,
                                     lag: int) -> tuple[float, float]:
    """Transfer entropy and dynamic O-information from the covariance of ``(x_t, x_{t-1}, ..., x_{t-lag})``.

    Parameters
    ----------
    cov : numpy.ndarray, shape (N (lag + 1), N (lag + 1))
        Column ``l N + r``: region ``r`` at lag ``l`` (the layout of
        :meth:`VARProcess.lagged_covariance`; a sample covariance of the
        lagged volumes gives the Gaussian plug-in values).
    n_regions, members, target, lag
        As for :meth:`VARProcess.dynamic_measures`.

    Returns
    -------
    (float, float)
        ``I(y; X | y0)`` and the dynamic O-information, in nats.
    """
    drivers = [m for m in members if m != target]

    def past(regions: Sequence[int]) -> list[int]:
        return [step * n_regions + r for r in regions for step in range(1, lag + 1)]

    def cmi(given: Sequence[int]) -> float:
        return 0.5 * np.log(_residual_variance(cov, target, past([target]))
                            / _residual_variance(cov, target, past([target, *given])))

    whole = cmi(drivers)
    return whole, (1 - len(drivers)) * whole + sum(cmi([d for d in drivers if d != j]) for j in drivers)


def _residual_variance(cov: np.ndarray, y: int, given: Sequence[int]) -> float:
    """Variance of column ``y`` left after its linear regression on the columns ``given``."""
    given = list(given)
    coef = np.linalg.solve(cov[np.ix_(given, given)], cov[given, y])
    return float(cov[y, y] - cov[y, given] @ coef)
