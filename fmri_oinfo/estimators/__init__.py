"""O-information estimators behind one protocol, selected by name.

Every estimator follows :class:`fmri_oinfo.estimators.base.Estimator`:
``fit(data, sets=None, gradient=False)`` learns from one subject's region time
series and ``measures(sets, plan)`` returns every quantity of sets of one
order.  The closed-form Gaussian estimators answer any set; FMMI trains one
conditional flow model per call on the pairs the sets need.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fmri_oinfo.estimators.base import Estimator, MeasureEstimate, TCEstimate
from fmri_oinfo.estimators.gaussian import GaussianEstimator


def _fmmi(device: str, seed: int, **options: Any) -> Estimator:
    from fmri_oinfo.estimators.fmmi import FMMIEstimator

    return FMMIEstimator(device=device, seed=seed, **options)


#: Estimator factories by name: ``(device, seed, **options) -> Estimator``.
REGISTRY: dict[str, Callable[..., Estimator]] = {
    "gaussian": lambda device, seed, **options: GaussianEstimator(copula=False, device=device, **options),
    "gaussian-copula": lambda device, seed, **options: GaussianEstimator(copula=True, device=device, **options),
    "fmmi": _fmmi,
}

ESTIMATORS = tuple(REGISTRY)


def make_estimator(name: str, device: str = "auto", seed: int = 0, **options: Any) -> Estimator:
    """Build the estimator called ``name``.

    Parameters
    ----------
    name : {"gaussian", "gaussian-copula", "fmmi"}
    device : str, default="auto"
    seed : int, default=0
        Used by stochastic estimators (FMMI).
    **options
        Passed to the estimator's constructor.
    """
    if name not in REGISTRY:
        raise ValueError(f"estimator={name!r} is not known; use one of {list(ESTIMATORS)}.")
    return REGISTRY[name](device, seed, **options)


__all__ = ["ESTIMATORS", "Estimator", "GaussianEstimator", "MeasureEstimate", "TCEstimate", "make_estimator"]
