"""The public entry point: O-information of many groups of regions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from fmri_oinfo.measures import SCALAR_QUANTITIES, subset_plan, unit_factor
from fmri_oinfo.validation import bucket_by_order, check_groups, check_timeseries


def estimate_oinfo(
    data: np.ndarray | pd.DataFrame,
    groups: Iterable[Sequence[int | str]],
    estimator: str = "gaussian",
    units: str = "nats",
    device: str = "auto",
    seed: int = 0,
    gradient: bool = False,
    **options: Any,
) -> pd.DataFrame:
    """Estimate TC, DTC, O-information and S-information of groups of regions.

    Parameters
    ----------
    data : array of shape (T, N) or pandas.DataFrame
        Region time series, time points in rows.  DataFrame columns name the
        regions.
    groups : iterable of sequences of int or str
        Each group lists at least 3 distinct regions, by column index or name.
        Groups of different orders may be mixed.
    estimator : {"gaussian", "gaussian-copula", "fmmi"}, default="gaussian"
        ``gaussian``: closed form on the sample correlation; ``gaussian-copula``:
        the same after a rank transform to normal scores (THOI/HOI);
        ``fmmi``: the flow-matching engine (any distribution).
    units : {"nats", "bits"}, default="nats"
    device : {"auto", "cpu", "cuda"}, default="auto"
    seed : int, default=0
        Seed of stochastic estimators; equal seeds give equal numbers on CPU.
    gradient : bool, default=False
        Add ``o_info_gradient``: ``Omega(X) - Omega(X_-i)`` per member.
    **options
        Estimator options (for example ``bias_correction=True`` for the Gaussian
        estimators, or engine settings for FMMI).

    Returns
    -------
    pandas.DataFrame
        One row per group, in input order, with columns ``group`` (tuple of
        region names), ``order``, ``tc``, ``dtc``, ``o_info``, ``s_info``, and
        ``o_info_se`` for estimators that have one (FMMI: the sampling error of
        the mean of its cross-fitted per-row values, autocorrelation taken
        into account, plus the spread between independently trained
        replicates), and
        ``o_info_gradient`` (tuple, one value per member) when requested.
        Positive ``o_info``: redundancy dominates; negative: synergy.

    Raises
    ------
    ValueError
        For non-finite or constant data, too few time points, groups with
        duplicate, unknown or out-of-range members, unknown options.

    Examples
    --------
    >>> import numpy as np
    >>> from fmri_oinfo import estimate_oinfo
    >>> x = np.random.default_rng(0).standard_normal((500, 4))
    >>> estimate_oinfo(x, [(0, 1, 2), (0, 1, 2, 3)])[["order", "o_info"]].shape
    (2, 2)
    """
    from fmri_oinfo.estimators import make_estimator  # torch loads only when estimating

    factor = unit_factor(units)
    values, names = check_timeseries(data)
    rows = check_groups(groups, names, values.shape[0])
    model = make_estimator(estimator, device=device, seed=seed, **options).fit(values, sets=rows, gradient=gradient)

    columns: dict[str, np.ndarray] = {}
    n_groups = len(rows)
    has_se = False
    gradients: list[tuple[float, ...] | None] = [None] * n_groups
    for order, (positions, members) in bucket_by_order(rows).items():
        plan = subset_plan(order, gradient=gradient)
        result = model.measures(members, plan)
        for k, name in enumerate(SCALAR_QUANTITIES):
            columns.setdefault(name, np.full(n_groups, np.nan))[positions] = result.values[:, k] * factor
        if result.standard_error is not None:
            has_se = True
            o_col = plan.quantity_names.index("o_info")
            columns.setdefault("o_info_se", np.full(n_groups, np.nan))[positions] = (
                result.standard_error[:, o_col] * factor
            )
        if gradient:
            for p, g in zip(positions, result.values[:, len(SCALAR_QUANTITIES) :] * factor):
                gradients[p] = tuple(float(v) for v in g)

    table = pd.DataFrame(
        {
            "group": [tuple(names[j] for j in r) for r in rows],
            "order": [len(r) for r in rows],
            **{name: columns[name] for name in SCALAR_QUANTITIES},
        }
    )
    if has_se:
        table["o_info_se"] = columns["o_info_se"]
    if gradient:
        table["o_info_gradient"] = gradients
    table.attrs["units"] = units
    table.attrs["estimator"] = estimator
    return table
