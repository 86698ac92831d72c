"""What every total-correlation estimator returns."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class TCEstimate:
    """Total correlations of the planned subsets of a batch of groups.

    Attributes
    ----------
    tc : numpy.ndarray, shape (G, n_subsets)
        TC of each subset of each group, in nats, columns as in the plan.
    measure_se : numpy.ndarray or None, shape (G, n_quantities)
        Standard error of each quantity of ``plan.quantity_names`` (nats), for
        estimators that have one.
    """

    tc: np.ndarray
    measure_se: np.ndarray | None = None
