"""O-information estimators behind one protocol, selected by name.

Every estimator follows :class:`fmri_oinfo.estimators.base.Estimator`:
``fit(data, sets=None, gradient=False)`` learns from one subject's region time
series and ``measures(sets, plan)`` returns every quantity of sets of one
order.  The closed-form Gaussian estimators answer any set; FMMI trains one
conditional flow model per call on the pairs the sets need.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from inspect import signature
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


def estimator_options(name: str) -> tuple[str, ...]:
    """The options (``**options`` of :func:`make_estimator`) that the estimator called ``name`` takes, sorted."""
    if name == "fmmi":
        from fmri_oinfo.engine.subject_config import SubjectFlowConfig

        return tuple(sorted(["progress", *(field.name for field in fields(SubjectFlowConfig))]))
    return tuple(sorted(set(signature(GaussianEstimator).parameters) - {"copula", "device"}))


def make_estimator(name: str, device: str = "auto", seed: int = 0, **options: Any) -> Estimator:
    """Build the estimator called ``name``.

    Parameters
    ----------
    name : {"gaussian", "gaussian-copula", "fmmi"}
    device : str, default="auto"
    seed : int, default=0
        Used by stochastic estimators (FMMI).
    **options
        Passed to the estimator's constructor (see :func:`estimator_options`).

    Raises
    ------
    ValueError
        For an unknown name, or an option the estimator does not take (listing
        the valid ones).
    """
    if name not in REGISTRY:
        raise ValueError(f"estimator={name!r} is not known; use one of {list(ESTIMATORS)}.")
    unknown = sorted(set(options) - set(estimator_options(name)))
    if unknown:
        raise ValueError(f"estimator={name!r} has no option(s) {unknown}; its options are "
                         f"{list(estimator_options(name))}.")
    return REGISTRY[name](device, seed, **options)


__all__ = ["ESTIMATORS", "Estimator", "GaussianEstimator", "MeasureEstimate", "TCEstimate", "estimator_options",
           "make_estimator"]
