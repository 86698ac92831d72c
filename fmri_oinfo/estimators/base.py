"""What every estimator offers and returns."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from fmri_oinfo.measures import SubsetPlan
from fmri_oinfo.variables import Variables


@dataclass(frozen=True)
class TCEstimate:
    """Total correlations of the planned subsets of a batch of sets.

    Attributes
    ----------
    tc : numpy.ndarray, shape (G, n_subsets)
        TC of each subset of each group, in nats, columns as in the plan.
    """

    tc: np.ndarray


@dataclass(frozen=True)
class MeasureEstimate:
    """Every quantity of a batch of sets of one order.

    Attributes
    ----------
    values : numpy.ndarray, shape (G, Q)
        Columns as :attr:`fmri_oinfo.measures.SubsetPlan.quantity_names` (nats).
    standard_error : numpy.ndarray or None, shape (G, Q)
        For estimators that have one.
    excess, excess_error : numpy.ndarray or None, shape (G, Q)
        For estimators beyond the Gaussian (FMMI): each quantity minus the
        Gaussian closed form of the same rows, the part that the correlation
        matrix does not explain, and its standard error.
    """

    values: np.ndarray
    standard_error: np.ndarray | None = None
    excess: np.ndarray | None = None
    excess_error: np.ndarray | None = None


class Estimator(Protocol):
    """An O-information estimator: ``fit`` learns from one subject, ``measures`` answers sets."""

    def fit(
        self, data: np.ndarray, sets: Sequence[np.ndarray] | None = None, gradient: bool = False,
        variables: Variables | None = None,
    ) -> "Estimator":
        """Learn from validated region time series (T, N).

        ``sets``: every set that will be asked, as integer arrays (G_k, k),
        one per order; None when any set may be asked.  ``variables``: the
        sets' members are these variables of several columns
        (:class:`fmri_oinfo.variables.Variables`), not single columns.
        """

    def measures(self, sets: np.ndarray, plan: SubsetPlan) -> MeasureEstimate:
        """Quantities of sets (G, k) of one order, in ``plan.quantity_names`` order."""

    def local_measures(self, sets: np.ndarray) -> np.ndarray:
        """TC, DTC, O- and S-information of sets (G, k) at every fitted time point, (T, G, 4), averaging to
        :meth:`measures`."""
