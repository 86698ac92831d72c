"""The FMMI computing core of :class:`~fmri_oinfo.estimators.oinfo.FMMIOInfo`: one subject model per fit."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from fmri_oinfo.engine.cmi_plan import Combination
from fmri_oinfo.engine.subject import SubjectFlowModel
from fmri_oinfo.engine.variable_plan import variable_set_terms
from fmri_oinfo.estimators.base import MeasureEstimate
from fmri_oinfo.exceptions import check_is_fitted
from fmri_oinfo.measures import SCALAR_QUANTITIES, SubsetPlan
from fmri_oinfo.variables import Variables


class FMMIEstimator:
    """Flow-matching (FMMI) estimator: one conditional flow model per subject.

    ``fit`` trains a :class:`fmri_oinfo.engine.subject.SubjectFlowModel` once on
    the pairs that all the given sets need; ``measures`` then reads every set
    from it.

    Parameters
    ----------
    device : str, default="auto"
    seed : int, default=0
    progress : bool, default=False
        Progress bar over training steps.
    **options
        Fields of :class:`fmri_oinfo.engine.subject_config.SubjectFlowConfig`.

    Attributes
    ----------
    model_ : SubjectFlowModel
    """

    def __init__(self, device: str = "auto", seed: int = 0, progress: bool = False, **options: Any) -> None:
        self.device = device
        self.seed = seed
        self.progress = progress
        self.options = options

    def fit(
        self, data: np.ndarray, sets: Sequence[np.ndarray] | None = None, gradient: bool = False,
        variables: Variables | None = None,
    ) -> "FMMIEstimator":
        """Train the subject model on the (T, N) time series for ``sets``, one (G_k, k) array per order.

        Without sets, it trains on random conditioning sets (any set may be asked).
        With ``variables`` (:class:`fmri_oinfo.variables.Variables`) the sets'
        members are variables of several columns, each moved one column at a
        time (:mod:`fmri_oinfo.engine.variable_plan`).
        """
        model = SubjectFlowModel(device=self.device, seed=self.seed, progress=self.progress, **self.options)
        rows = None if sets is None else [row for block in sets for row in np.asarray(block)]
        self.variables_ = variables
        if variables is None:
            self.model_ = model.fit(data, sets=rows, gradient=gradient)
        else:
            self.model_ = model.fit(data, combinations=None if rows is None else self._terms(rows, gradient))
        return self

    def _terms(self, sets: Sequence[np.ndarray], gradient: bool) -> list[list[Combination]]:
        return [variable_set_terms(members, self.variables_.columns, gradient) for members in sets]

    def _variable_measures(self, sets: np.ndarray, plan: SubsetPlan, rows: np.ndarray | None) -> MeasureEstimate:
        """:meth:`measures` of sets of variables: their pairs combined row by row, (G, Q) each."""
        answer = self.model_.combinations(self._terms(list(sets), plan.gradient), rows)
        n_sets, n_scalar = len(sets), len(SCALAR_QUANTITIES)
        values = answer.estimate.reshape(n_sets, -1)  # (G, Q): every group has the same quantities
        excess = answer.excess.reshape(n_sets, -1)[:, :n_scalar]
        excess_se = answer.excess_se.reshape(n_sets, -1)[:, :n_scalar]
        return MeasureEstimate(values=values, standard_error=answer.se.reshape(n_sets, -1), excess=excess,
                               excess_error=excess_se)

    def measures(self, sets: np.ndarray, plan: SubsetPlan, rows: np.ndarray | None = None) -> MeasureEstimate:
        """Quantities of sets (G, k) of one order, in ``plan.quantity_names`` order, with standard errors.

        ``rows``: the fitted time points to average over (default: every one).
        """
        check_is_fitted(self, "model_")
        if self.variables_ is not None:
            return self._variable_measures(sets, plan, rows)
        answer = self.model_.oinfo(sets, gradient=plan.gradient, rows=rows)
        names = ("tc", "dtc", "o_info", "s_info")
        values = np.column_stack([answer[name] for name in names])  # (G, 4)
        se = np.column_stack([answer[f"{name}_se"] for name in names])
        excess = np.column_stack([answer[f"{name}_excess"] for name in names])  # (G, 4)
        excess_se = np.column_stack([answer[f"{name}_excess_se"] for name in names])
        if plan.gradient:
            values = np.hstack([values, np.stack(answer["o_info_gradient"])])
            se = np.hstack([se, np.stack(answer["o_info_gradient_se"])])
        return MeasureEstimate(values=values, standard_error=se, excess=excess, excess_error=excess_se)

    def local_measures(self, sets: np.ndarray) -> np.ndarray:
        """TC, DTC, O-information and S-information of each set (G, k) at every fitted row, shape (T, G, 4).

        The cross-fitted per-row values that :meth:`measures` averages
        (:meth:`fmri_oinfo.engine.subject.SubjectFlowModel.local_measures`),
        in :data:`fmri_oinfo.measures.SCALAR_QUANTITIES` order.
        """
        check_is_fitted(self, "model_")
        if self.variables_ is not None:
            raise ValueError("local values are computed for scalar regions; this estimator was fitted with "
                             "variables of several columns.  Fit it without `variables`.")
        local = self.model_.local_measures(sets)
        return np.stack([local[name] for name in SCALAR_QUANTITIES], axis=-1)  # (T, G, 4)
