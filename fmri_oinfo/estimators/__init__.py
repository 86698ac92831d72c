"""Total-correlation estimators, selected by name."""

from __future__ import annotations

from typing import Any

from fmri_oinfo.estimators.base import TCEstimate
from fmri_oinfo.estimators.gaussian import GaussianEstimator

ESTIMATORS = ("gaussian", "gaussian-copula", "fmmi")


def make_estimator(name: str, device: str = "auto", seed: int = 0, **options: Any):
    """Build the estimator called ``name``.

    Parameters
    ----------
    name : {"gaussian", "gaussian-copula", "fmmi"}
    device : str, default="auto"
    seed : int, default=0
        Used by stochastic estimators (FMMI).
    **options
        Passed to the estimator's constructor.

    Returns
    -------
    An object with ``fit(data)`` and ``total_correlations(groups, plan)``.
    """
    if name == "gaussian":
        return GaussianEstimator(copula=False, device=device, **options)
    if name == "gaussian-copula":
        return GaussianEstimator(copula=True, device=device, **options)
    if name == "fmmi":
        from fmri_oinfo.engine.estimator import FMMIEstimator

        return FMMIEstimator(device=device, seed=seed, **options)
    raise ValueError(f"estimator={name!r} is not known; use one of {list(ESTIMATORS)}.")


__all__ = ["ESTIMATORS", "GaussianEstimator", "TCEstimate", "make_estimator"]
