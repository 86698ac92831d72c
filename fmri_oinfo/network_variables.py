"""The atlas's networks as multivariate variables, for ``estimate_oinfo(..., variables=...)``.

A network is taken either as all its regions (one column each) or as the
first ``k`` principal components of its regions' standardised time series,
which keeps a set of networks within the columns that a run of a few hundred
volumes can support.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from fmri_oinfo.candidates.networks import check_regions


def network_variables(regions: pd.DataFrame, names: Sequence[str]) -> dict[str, list[str]]:
    """Each labelled network as one variable made of its regions.

    Parameters
    ----------
    regions : pandas.DataFrame
        The atlas regions table (``name`` and ``network`` columns), in the
        order of ``names``.
    names : sequence of str
        The data's columns (region names).

    Returns
    -------
    dict of str to list of str
        Network label to its regions, networks in order of first appearance;
        regions without a label are left out.

    Raises
    ------
    ValueError
        When the table does not match ``names`` or no region has a network label.
    """
    out: dict[str, list[str]] = {}
    for name, label in zip(names, check_regions(regions, names)):
        if label:
            out.setdefault(label, []).append(str(name))
    if not out:
        raise ValueError("no region has a network label; networks as variables need an atlas with networks "
                         "(the regions table's 'network' column).")
    return out


def principal_components(data: pd.DataFrame, variables: Mapping[str, Sequence[str]],
                         k: int) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """Each variable reduced to the first ``k`` principal components of its standardised columns.

    Parameters
    ----------
    data : pandas.DataFrame, shape (T, N)
        Region time series (columns named as in ``variables``).
    variables : mapping of str to sequence of str
        Each variable's columns, e.g. from :func:`network_variables`.
    k : int
        Components per variable (a variable with fewer columns keeps them
        all, as components).

    Returns
    -------
    components : pandas.DataFrame, shape (T, sum_i min(k, d_i))
        Columns ``"<variable>:pc<j>"`` (j from 1), each the projection of the
        z-scored columns on a principal axis: mutually uncorrelated within a
        variable, in decreasing order of variance.
    variables : dict of str to list of str
        Each variable's component columns, for ``estimate_oinfo(variables=...)``.

    Raises
    ------
    ValueError
        For ``k < 1`` or a column not in ``data``.
    """
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k={k!r}: give a positive number of principal components per network.")
    columns: dict[str, np.ndarray] = {}
    out: dict[str, list[str]] = {}
    for name, members in variables.items():
        missing = [m for m in members if m not in data.columns]
        if missing:
            raise ValueError(f"variable {name!r}: columns {missing[:5]} are not in the data.")
        x = data[list(members)].to_numpy(dtype=np.float64)
        z = (x - x.mean(axis=0)) / x.std(axis=0)
        u, s, _ = np.linalg.svd(z, full_matrices=False)  # (T, d), (d,)
        n_kept = min(int(k), z.shape[1])
        out[name] = [f"{name}:pc{j + 1}" for j in range(n_kept)]
        for j, column in enumerate(out[name]):
            columns[column] = u[:, j] * s[j]
    return pd.DataFrame(columns, index=data.index), out
