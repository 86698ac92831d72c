"""Mutual information between two blocks of variables (flow matching)."""

from __future__ import annotations

from typing import Any

import numpy as np

from fmri_oinfo.device import resolve_device
from fmri_oinfo.engine.config import FMMIConfig
from fmri_oinfo.engine.core import fmmi_subset_tc
from fmri_oinfo.validation import check_timeseries


def _as_block(values: Any, name: str) -> np.ndarray:
    """Validated (T, d) samples of one block (a 1-D input is one column)."""
    block = np.asarray(values, dtype=np.float64)
    if block.ndim == 1:
        block = block[:, None]
    return check_timeseries(block, source=name)[0]


def estimate_mi(
    x: Any, y: Any, device: str = "auto", seed: int = 0, progress: bool = False, **options: Any
) -> tuple[float, float]:
    """Flow-matching estimate of the mutual information ``I(X; Y)`` in nats.

    A velocity field that carries the product of marginals ``p(x) p(y)`` into
    the joint ``p(x, y)`` is learnt by flow matching; ``I(X; Y) = -integral
    E[div v]``.  With the default ``decomposition="chain"`` only ``y`` moves
    while ``x`` sits at the data (a conditional flow from ``p(y)`` to
    ``p(y | x)``); ``decomposition="subsets"`` moves both blocks (jFMMI, as in
    the FMMI paper).  As everywhere in the engine, the closed-form linear field
    carries the Gaussian part and the network learns the rest.

    Parameters
    ----------
    x, y : array of shape (T,) or (T, d_x), (T, d_y)
        Paired samples.
    device : str, default="auto"
    seed : int, default=0
    progress : bool, default=False
    **options
        Fields of :class:`fmri_oinfo.engine.config.FMMIConfig`.

    Returns
    -------
    mi : float
        Estimate (nats).
    se : float
        Standard error of the estimate: Monte-Carlo, plus the spread between
        independently trained fields with ``ensemble > 1``.
    """
    xb, yb = _as_block(x, "x"), _as_block(y, "y")
    if xb.shape[0] != yb.shape[0]:
        raise ValueError(f"x has {xb.shape[0]} samples and y has {yb.shape[0]}; they must be paired.")
    if xb.shape[0] < 10:
        raise ValueError(f"only {xb.shape[0]} samples; at least 10 are needed.")
    config = FMMIConfig.from_options(**options)
    samples = np.concatenate([xb, yb], axis=1)[None]  # (1, T, d_x + d_y)
    coord_var = np.r_[np.zeros(xb.shape[1], dtype=int), np.ones(yb.shape[1], dtype=int)]
    estimate, _ = fmmi_subset_tc(
        samples, coord_var, np.ones((1, 2), dtype=bool), config, resolve_device(device), seed=seed,
        progress=progress,
    )
    return float(estimate.value[0, 0]), float(estimate.standard_error(np.ones((1, 1)))[0, 0])
