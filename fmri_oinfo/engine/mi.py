"""Mutual information between two blocks of variables (flow matching)."""

from __future__ import annotations

from typing import Any

import numpy as np

from fmri_oinfo.device import resolve_device
from fmri_oinfo.engine.joint.config import JointConfig
from fmri_oinfo.engine.joint.core import fmmi_subset_tc
from fmri_oinfo.engine.subject import SubjectFlowModel

METHODS = ("conditional", "joint")

#: Smallest eigenvalue of the joint correlation of ``x`` and ``y`` below which
#: one block is (nearly) an exact linear function of the other.
MIN_JOINT_EIGENVALUE = 1e-10


def _as_block(values: Any, name: str) -> np.ndarray:
    """(T, d) samples of one block (a 1-D input is one column), finite."""
    block = np.asarray(values, dtype=np.float64)
    if block.ndim == 1:
        block = block[:, None]
    if block.ndim != 2 or 0 in block.shape:
        raise ValueError(f"{name} has shape {block.shape}; give (T,) or (T, d) samples, with at least one "
                         "sample and one column.")
    if not np.isfinite(block).all():
        raise ValueError(f"{name} has NaN or inf values; drop or interpolate them first.")
    if (block.std(axis=0) == 0).any():
        raise ValueError(f"{name} has a constant column; it carries no information, drop it.")
    return block


def estimate_mi(
    x: Any,
    y: Any,
    method: str = "conditional",
    device: str = "auto",
    seed: int = 0,
    progress: bool = False,
    **options: Any,
) -> tuple[float, float]:
    """Flow-matching estimate of the mutual information ``I(X; Y)`` in nats.

    Parameters
    ----------
    x, y : array of shape (T,) or (T, d_x), (T, d_y)
        Paired samples, at least one column each.
    method : {"conditional", "joint"}, default="conditional"
        ``conditional``: the subject model (:class:`SubjectFlowModel`) moves one
        column of ``y`` at a time given ``x`` (cFMMI; the chain rule
        ``sum_k I(y_k; x, y_<k) - I(y_k; y_<k)`` for several columns), with
        cross-fitting over every row; options are fields of
        :class:`fmri_oinfo.engine.subject_config.SubjectFlowConfig`.
        ``joint``: one field moves both blocks from the product of marginals
        to the joint (the FMMI paper's jFMMI, :mod:`fmri_oinfo.engine.joint`);
        options are fields of :class:`fmri_oinfo.engine.joint.config.JointConfig`.
    device : str, default="auto"
    seed : int, default=0
    progress : bool, default=False
    **options
        Settings of the chosen method.

    Returns
    -------
    mi : float
        Estimate (nats).
    se : float
        Standard error.  ``conditional``: the autocorrelation-aware sampling
        error of the mean of the cross-fitted per-row values plus the spread
        between independently trained replicates and the learning shortfall
        (a tenth of what the network added to the Gaussian answer).
        ``joint``: the Monte-Carlo error of the held-out integral with the
        rows' sampling variability, plus the spread between ensemble members
        (a RuntimeWarning says when the network learnt nothing beyond the
        Gaussian part).

    Raises
    ------
    ValueError
        For a block without samples or columns, unpaired or too few samples,
        non-finite values, constant columns, an unknown method, and blocks that
        are (nearly) exact linear functions of each other (infinite MI).
    """
    xb, yb = _as_block(x, "x"), _as_block(y, "y")
    if xb.shape[0] != yb.shape[0]:
        raise ValueError(f"x has {xb.shape[0]} samples and y has {yb.shape[0]}; they must be paired.")
    if xb.shape[0] < 20:
        raise ValueError(f"only {xb.shape[0]} samples; at least 20 are needed.")
    if method not in METHODS:
        raise ValueError(f"method={method!r}; use one of {list(METHODS)}.")
    data = np.concatenate([xb, yb], axis=1)  # (T, d_x + d_y)
    if data.shape[0] > data.shape[1] and np.linalg.eigvalsh(np.corrcoef(data, rowvar=False)).min() \
            < MIN_JOINT_EIGENVALUE:
        raise ValueError(
            "x and y are (nearly) exact linear functions of each other (for example y is a copy of x): "
            "their mutual information is infinite. Give two blocks that are not deterministic functions "
            "of each other, or drop the duplicated columns."
        )
    a = list(range(xb.shape[1]))
    b = list(range(xb.shape[1], data.shape[1]))
    if method == "conditional":
        pairs = [(moving, a + b[:k]) for k, moving in enumerate(b)]
        pairs += [(moving, b[:k]) for k, moving in enumerate(b) if k]  # the chain rule's second terms
        model = SubjectFlowModel(device=device, seed=seed, progress=progress, **options).fit(data, pairs=pairs)
        return model.mutual_information(a, b)
    config = JointConfig.from_options(**options)
    coord_var = np.r_[np.zeros(len(a), dtype=int), np.ones(len(b), dtype=int)]
    estimate, _ = fmmi_subset_tc(
        data[None], coord_var, np.ones((1, 2), dtype=bool), config, resolve_device(device), seed=seed,
        progress=progress,
    )
    return float(estimate.value[0, 0]), float(estimate.standard_error(np.ones((1, 1)))[0, 0])
