"""O-information estimators.

The contract (:mod:`fmri_oinfo.estimators.oinfo`): :class:`GaussianOInfo`,
:class:`CopulaOInfo` and :class:`FMMIOInfo` are objects with explicit
parameters (``get_params``/``set_params``, :func:`clone`), ``fit(X,
sets=None, variables=None)``, ``measures(sets, rows=None)`` returning a
:class:`MeasureTable`, and their own ``null`` and ``resample``; the closed
forms also answer arrays of column indices (``total_correlations``,
``iter_exhaustive``: the candidate screens, searches and
:mod:`fmri_oinfo.dynamic`).  Everything outside this package uses only these;
:func:`estimator_from_name` builds one from the name a user gives
(:data:`ESTIMATORS`).

Below them, private to the package, are the computing cores on validated
arrays: the batched closed form (:mod:`fmri_oinfo.estimators.gaussian`) and
the FMMI engine adapter (:mod:`fmri_oinfo.estimators.fmmi`).
"""

from __future__ import annotations

from fmri_oinfo.estimators.oinfo import (
    ESTIMATOR_CLASSES,
    ESTIMATORS,
    CopulaOInfo,
    FMMIOInfo,
    GaussianOInfo,
    OInfoEstimator,
    estimator_from_name,
)
from fmri_oinfo.estimators.params import clone
from fmri_oinfo.estimators.table import MeasureTable

__all__ = ["ESTIMATORS", "ESTIMATOR_CLASSES", "CopulaOInfo", "FMMIOInfo", "GaussianOInfo", "MeasureTable",
           "OInfoEstimator", "clone", "estimator_from_name"]
