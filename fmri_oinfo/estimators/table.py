"""The typed answer of an estimator: :class:`MeasureTable`, and how sets are named and checked in it.

Every estimator of :mod:`fmri_oinfo.estimators.oinfo` returns its measures of
many sets as one :class:`MeasureTable` (values, standard errors, units, the
estimator's name); :meth:`MeasureTable.to_frame` is the table of
:func:`fmri_oinfo.estimate_oinfo`.  The set column is built column-wise (no
Python loop per set), so ``sets="all"`` of millions of sets stays cheap.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from fmri_oinfo.estimators.base import MeasureEstimate
from fmri_oinfo.exceptions import DependentRegionsWarning
from fmri_oinfo.measures import SCALAR_QUANTITIES, SubsetPlan
from fmri_oinfo.validation import SHOWN_DEPENDENT_SETS, SetBuckets, dependence_message, dependent_sets
from fmri_oinfo.variables import Variables

#: Quantities whose non-Gaussian excess the table carries (S-information is TC + DTC).
EXCESS_QUANTITIES = ("tc", "dtc", "o_info")

#: Optional columns, in table order, after the scalar quantities.
OPTIONAL_COLUMNS = ("o_info_se", *(f"{q}_excess{se}" for q in EXCESS_QUANTITIES for se in ("", "_se")))


def set_names(names: list[str], buckets: SetBuckets, n_sets: int) -> np.ndarray:
    """Tuples of member names, one per set in input order, built column-wise (no Python loop per set).

    Parameters
    ----------
    names : list of str
        Region (or variable) names, in column order.
    buckets : dict of int to (positions, members)
        Sets by order (:func:`fmri_oinfo.validation.index_sets`).
    n_sets : int

    Returns
    -------
    numpy.ndarray of object, shape (n_sets,)
    """
    labels = np.asarray(names, dtype=object)
    column = np.empty(n_sets, dtype=object)
    for positions, members in buckets.values():
        named = labels[members]  # (G_k, k)
        column[positions] = list(zip(*(named[:, j] for j in range(named.shape[1]))))
    return column


def warn_dependent_sets(column: np.ndarray, bad: np.ndarray, estimator: str, values: np.ndarray,
                        names: list[str], variables: Variables | None = None, stacklevel: int = 2) -> None:
    """Warn that the sets at ``bad`` have no finite O-information, saying which region is a function of which.

    Parameters
    ----------
    column : numpy.ndarray of object
        The sets as tuples of names (:func:`set_names`).
    bad : numpy.ndarray of bool
        Which sets to explain.
    estimator : str
        Named in the message.
    values : numpy.ndarray, shape (T, N)
        The fitted values.
    names : list of str
        Region names.
    variables : Variables or None
        The sets' members are these variables (their columns are explained).
    stacklevel : int, default=2
        That of the public function's caller.
    """
    index_of = {name: j for j, name in enumerate(names if variables is None else variables.names)}
    first = np.flatnonzero(bad)[:SHOWN_DEPENDENT_SETS]  # explaining every one of C(N, k) sets would cost a search
    members = [np.array([index_of[name] for name in column[i]]) for i in first]
    if variables is not None:
        members = [variables.union(m) for m in members]
    lines = dependent_sets(values, names, members)
    message = dependence_message(lines or [f"set {tuple(column[i])}" for i in first], int(bad.sum()))
    warnings.warn(f"{estimator} estimator: {message} Their tc is inf and their o_info is not finite.",
                  DependentRegionsWarning, stacklevel=stacklevel + 1)


def bucket_columns(result: MeasureEstimate, plan: SubsetPlan, factor: float) -> dict[str, np.ndarray]:
    """The table's columns of one bucket of sets from a core's :class:`MeasureEstimate`, in ``factor`` units.

    The scalar quantities, and ``o_info_se``, the non-Gaussian excess
    (``tc_excess``, ``dtc_excess``, ``o_info_excess`` and their ``_se``) and
    ``gradient`` (G, k) when the core gives them.
    """
    out = {name: result.values[:, k] * factor for k, name in enumerate(SCALAR_QUANTITIES)}
    if result.standard_error is not None:
        out["o_info_se"] = result.standard_error[:, plan.quantity_names.index("o_info")] * factor
    if result.excess is not None:
        for name in EXCESS_QUANTITIES:
            k = plan.quantity_names.index(name)
            out[f"{name}_excess"] = result.excess[:, k] * factor
            out[f"{name}_excess_se"] = result.excess_error[:, k] * factor
    if plan.gradient:
        out["gradient"] = result.values[:, len(SCALAR_QUANTITIES):] * factor  # (G, k)
    return out


def gradient_tuples(gradient: np.ndarray) -> np.ndarray:
    """Rows of a (G, k) gradient as an object column of tuples."""
    rows = np.empty(gradient.shape[0], dtype=object)
    rows[:] = [tuple(row) for row in gradient.tolist()]
    return rows


@dataclass(frozen=True)
class MeasureTable:
    """Measures of many sets from one fitted estimator.

    Attributes
    ----------
    sets : numpy.ndarray of object, shape (G,)
        Each set as a tuple of region (or variable) names.
    order : numpy.ndarray of int64, shape (G,)
    columns : dict of str to numpy.ndarray
        ``tc``, ``dtc``, ``o_info``, ``s_info`` (G,), and where the estimator
        has them ``o_info_se``, the excess columns (``tc_excess``, ...,
        ``o_info_excess_se``) and ``gradient`` (an object column of tuples).
    units : {"nats", "bits"}
    estimator : str
        The estimator's name (``"gaussian"``, ``"gaussian-copula"``, ``"fmmi"``).
    attrs : dict
        Extra table attributes (``variables``).
    """

    sets: np.ndarray
    order: np.ndarray
    columns: dict[str, np.ndarray]
    units: str
    estimator: str
    attrs: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.sets)

    @property
    def values(self) -> np.ndarray:
        """TC, DTC, O- and S-information, shape (G, 4), in :data:`fmri_oinfo.measures.SCALAR_QUANTITIES` order."""
        return np.column_stack([self.columns[name] for name in SCALAR_QUANTITIES])

    @property
    def o_info(self) -> np.ndarray:
        """O-information of each set, (G,)."""
        return self.columns["o_info"]

    @property
    def standard_error(self) -> np.ndarray | None:
        """Standard error of ``o_info`` (G,), or None for estimators without one."""
        return self.columns.get("o_info_se")

    def to_frame(self) -> pd.DataFrame:
        """The table of :func:`fmri_oinfo.estimate_oinfo`: ``set``, ``order``, the quantities, then the optional
        columns; ``attrs`` ``units`` and ``estimator``."""
        table = pd.DataFrame({"set": self.sets, "order": self.order,
                              **{n: self.columns[n] for n in SCALAR_QUANTITIES}},
                             copy=False)  # the columns are fresh arrays: no copy (memory of sets="all")
        for name in OPTIONAL_COLUMNS:
            if name in self.columns:
                table[name] = self.columns[name]
        if "gradient" in self.columns:
            table["o_info_gradient"] = self.columns["gradient"]
        table.attrs.update(units=self.units, estimator=self.estimator, **self.attrs)
        return table
