"""Local O-information: TC, DTC, O- and S-information of sets of regions at every volume.

:func:`local_oinfo` gives the per-volume values whose mean over volumes is what
:func:`fmri_oinfo.estimate_oinfo` reports for the same sets and rows: pointwise
log-density ratios for the closed-form Gaussian and Gaussian-copula estimators
(:mod:`fmri_oinfo.estimators.pointwise`), and the cross-fitted per-row values
of the FMMI subject model
(:meth:`fmri_oinfo.engine.subject.SubjectFlowModel.local_measures`).
Validation, set parsing and naming are those of the estimator objects
(:meth:`fmri_oinfo.estimators.oinfo.OInfoEstimator.local_measures`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from fmri_oinfo.measures import SCALAR_QUANTITIES, unit_factor


def local_oinfo(
    data: np.ndarray | pd.DataFrame,
    sets: Any,
    estimator: str = "gaussian",
    units: str = "nats",
    device: str = "auto",
    seed: int = 0,
    **options: Any,
) -> dict[str, pd.DataFrame]:
    """Local (per-volume) TC, DTC, O-information and S-information of sets of regions.

    Parameters
    ----------
    data : array of shape (T, N) or pandas.DataFrame
        Region time series, volumes in rows.  DataFrame columns name the
        regions and its index names the volumes.
    sets : array of int of shape (G, k), or sequence of sequences of int or str
        As for :func:`fmri_oinfo.estimate_oinfo` (not ``"all"``: the result
        holds T values per set).
    estimator : {"gaussian", "gaussian-copula", "fmmi"}, default="gaussian"
        ``gaussian`` and ``gaussian-copula``: at volume ``t`` the local TC of a
        subset ``S`` is ``log N(z_tS; 0, R_S) - sum_i log N(z_ti; 0, 1)``, with
        ``z`` the standard scores of the data (of their normal scores for the
        copula) and ``R`` their sample correlation; ``fmmi``: each volume's
        cross-fitted value from the subject model, averaged over its
        ``ensemble`` replicates.
    units : {"nats", "bits"}, default="nats"
    device : {"auto", "cpu", "cuda"}, default="auto"
    seed : int, default=0
        Seed of FMMI; equal seeds give equal numbers on CPU.
    **options
        Estimator options, as for :func:`fmri_oinfo.estimate_oinfo`
        (``bias_correction=True`` shifts every volume's value by the set's
        constant correction).

    Returns
    -------
    dict of str to pandas.DataFrame
        ``"tc"``, ``"dtc"``, ``"o_info"``, ``"s_info"``: each of shape (T, G),
        one row per volume (the DataFrame's index, else 0 .. T-1 named
        ``volume``) and one column per set, in input order, named by the
        tuple of its member names (as the ``set`` column of
        :func:`fmri_oinfo.estimate_oinfo`).  The mean of a column over the
        volumes is the set's value from :func:`fmri_oinfo.estimate_oinfo` with
        the same arguments.  Negative local O-information: synergy dominates
        at that volume.  ``attrs`` holds ``units`` and ``estimator``.  A set
        whose regions are exact functions of each other has its infinite TC
        (and an O-information that is not finite) at every volume.  The
        tables hold ``4 T G`` floats; ask for the sets you need.

    Raises
    ------
    ValueError
        As :func:`fmri_oinfo.estimate_oinfo` does: for non-finite, complex or
        constant data, too few time points, bad sets, an unknown estimator,
        unit or option, and, with FMMI, sets of exactly dependent regions.

    Warns
    -----
    fmri_oinfo.exceptions.DependentRegionsWarning
        For sets whose regions are exact functions of each other.

    Examples
    --------
    >>> import numpy as np
    >>> from fmri_oinfo import estimate_oinfo, local_oinfo
    >>> x = np.random.default_rng(0).standard_normal((500, 6))
    >>> local = local_oinfo(x, [(0, 1, 2), (0, 1, 2, 3)])
    >>> local["o_info"].shape
    (500, 2)
    >>> bool(np.allclose(local["o_info"].mean(), estimate_oinfo(x, [(0, 1, 2), (0, 1, 2, 3)])["o_info"]))
    True
    """
    unit_factor(units)  # an unknown unit fails before any fitting
    from fmri_oinfo.estimators import estimator_from_name  # torch loads only when estimating

    model = estimator_from_name(estimator, device=device, seed=seed, units=units, **options).fit(data, sets)
    column, local = model.local_measures(sets)
    n_samples = local.shape[1]
    index = data.index if isinstance(data, pd.DataFrame) else pd.RangeIndex(n_samples, name="volume")
    columns = pd.Index(column, tupleize_cols=False, name="set")
    out = {}
    for q, name in enumerate(SCALAR_QUANTITIES):
        table = pd.DataFrame(local[q], index=index, columns=columns, copy=False)
        table.attrs.update(units=units, estimator=estimator)
        out[name] = table
    return out
