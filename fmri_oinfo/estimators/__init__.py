"""O-information estimators.

The contract (:mod:`fmri_oinfo.estimators.oinfo`): :class:`GaussianOInfo`,
:class:`CopulaOInfo` and :class:`FMMIOInfo` are objects with explicit
parameters (``get_params``/``set_params``, :func:`clone`), ``fit(X,
sets=None)``, ``measures(sets, rows=None)`` returning a
:class:`MeasureTable`, and their own ``null`` and ``resample``.  The
statistics, the API and the commands use only these.

Below them are the computing cores, on validated arrays
(:class:`fmri_oinfo.estimators.base.Estimator`: ``fit(values, sets, gradient,
variables)`` and ``measures(sets, plan)`` of one order): the batched closed
form :class:`GaussianEstimator` (also the screen's and searches' kernel) and
the FMMI engine adapter (:mod:`fmri_oinfo.estimators.fmmi`).
:func:`make_estimator` builds a core by name for array-level callers
(:mod:`fmri_oinfo.dynamic`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from inspect import signature
from typing import Any

from fmri_oinfo.estimators.base import Estimator, MeasureEstimate, TCEstimate
from fmri_oinfo.estimators.gaussian import GaussianEstimator
from fmri_oinfo.estimators.oinfo import (
    ESTIMATOR_CLASSES,
    CopulaOInfo,
    FMMIOInfo,
    GaussianOInfo,
    OInfoEstimator,
    estimator_from_name,
)
from fmri_oinfo.estimators.params import clone
from fmri_oinfo.estimators.table import MeasureTable


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


__all__ = ["ESTIMATORS", "ESTIMATOR_CLASSES", "CopulaOInfo", "Estimator", "FMMIOInfo", "GaussianEstimator",
           "GaussianOInfo", "MeasureEstimate", "MeasureTable", "OInfoEstimator", "TCEstimate", "clone",
           "estimator_from_name", "estimator_options", "make_estimator"]
