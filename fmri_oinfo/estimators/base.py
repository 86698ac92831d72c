"""What the computing cores (:mod:`~fmri_oinfo.estimators.gaussian`, :mod:`~fmri_oinfo.estimators.fmmi`) return."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


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
