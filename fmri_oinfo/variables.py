"""Variables made of several columns (a network as one multivariate variable).

``estimate_oinfo(data, sets, variables={"A": [0, 1, 2], "B": [3, 4], ...})``
groups columns into named variables; the sets then list variables, and every
measure treats each variable as one multivariate signal (its columns'
dependence among themselves counts for nothing).  This module validates the
mapping; the estimators read it as :class:`Variables`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from fmri_oinfo.validation import _close_matches, linear_dependence


@dataclass(frozen=True)
class Variables:
    """Named, disjoint groups of columns.

    Attributes
    ----------
    names : list of str
        Variable names, in the order of the mapping given (a set's integer
        member ``i`` is ``names[i]``).
    columns : list of numpy.ndarray of int64
        Column indices of each variable, sorted.
    """

    names: list[str]
    columns: list[np.ndarray]

    @property
    def sizes(self) -> np.ndarray:
        """Columns per variable, shape (V,)."""
        return np.array([len(c) for c in self.columns], dtype=np.int64)

    def table(self) -> tuple[np.ndarray, np.ndarray]:
        """Columns padded to the widest variable, (V, d_max) (padding 0), and which entries are real (V, d_max)."""
        width = int(self.sizes.max())
        padded = np.zeros((len(self.columns), width), dtype=np.int64)
        valid = np.zeros((len(self.columns), width), dtype=bool)
        for v, cols in enumerate(self.columns):
            padded[v, : len(cols)] = cols
            valid[v, : len(cols)] = True
        return padded, valid

    def union(self, members: Sequence[int]) -> np.ndarray:
        """Every column of the variables ``members`` (indices), in member order."""
        return np.concatenate([self.columns[int(m)] for m in members])


def check_variables(variables: Any, column_names: Sequence[str], values: np.ndarray) -> Variables:
    """Validate a mapping of variable names to columns.

    Parameters
    ----------
    variables : mapping of str to sequence of int or str
        Each variable's columns, by index or column name, at least one each;
        no column in two variables.  Columns in no variable are ignored.
    column_names : sequence of str
        Names of the data's columns, in order.
    values : numpy.ndarray, shape (T, N)
        The validated data (:func:`fmri_oinfo.validation.check_timeseries`).

    Returns
    -------
    Variables

    Raises
    ------
    ValueError
        For a mapping that is not one, an empty variable, an unknown column
        name, an out-of-range or boolean index, a column listed twice (in one
        variable or in two), and a variable whose columns are exact linear
        functions of each other (its own entropy is then minus infinity).
    """
    if not isinstance(variables, Mapping) or not variables:
        raise ValueError(f"variables={variables!r}: give a non-empty mapping of variable names to their columns, "
                         "for example {'A': [0, 1, 2], 'B': [3, 4]}.")
    index_of = {name: j for j, name in enumerate(column_names)}
    names, columns, owner = [], [], {}
    for name, members in variables.items():
        name = str(name)
        if isinstance(members, (str, int, np.integer)):
            members = [members]  # one column
        members = list(members)
        if not members:
            raise ValueError(f"variable {name!r} has no columns; give at least one column per variable.")
        idx = []
        for m in members:
            if isinstance(m, (bool, np.bool_)) or not isinstance(m, (str, int, np.integer)):
                raise ValueError(f"variable {name!r}: column {m!r} is neither a column index nor a column name.")
            if isinstance(m, str):
                if m not in index_of:
                    raise ValueError(f"variable {name!r}: unknown column {m!r}.{_close_matches(m, column_names)}")
                m = index_of[m]
            if not 0 <= int(m) < len(column_names):
                raise ValueError(f"variable {name!r}: column index {m} is out of range for {len(column_names)} "
                                 "columns.")
            m = int(m)
            if m in owner:
                where = "twice" if owner[m] == name else f"in {owner[m]!r} too"
                raise ValueError(f"column {column_names[m]!r} is listed {where} (variable {name!r}); variables must "
                                 "not overlap: give each column to one variable.")
            owner[m] = name
            idx.append(m)
        names.append(name)
        columns.append(np.array(sorted(idx), dtype=np.int64))
    for name, cols in zip(names, columns):
        found = linear_dependence(values[:, cols]) if len(cols) > 1 else None
        if found is not None:
            raise ValueError(f"variable {name!r}: column {column_names[cols[found[0]]]!r} is an exact linear "
                             "combination of its other columns; drop it (it adds nothing to the variable).")
    return Variables(names=names, columns=columns)


def check_variable_sets(variables: Variables, members: np.ndarray, n_samples: int) -> None:
    """Refuse sets (G, k) of variable indices whose columns outnumber the time points.

    A correlation matrix of ``D`` columns needs more than ``D + 1`` time points
    to be invertible.
    """
    width = variables.sizes[members].sum(axis=1)  # (G,)
    if (width + 2 > n_samples).any():
        g = int(np.argmax(width))
        raise ValueError(f"set {tuple(variables.names[m] for m in members[g])} spans {int(width[g])} columns but "
                         f"the data have {n_samples} time points; at least {int(width[g]) + 2} are needed.  Use "
                         "fewer columns per variable (for example a network's first principal components).")
