"""One call that trains and estimates a batch of groups with the same layout."""

from __future__ import annotations

import warnings

import numpy as np
import torch

from fmri_oinfo.engine.joint.config import JointConfig
from fmri_oinfo.engine.joint.data import prepare_groups
from fmri_oinfo.engine.joint.estimation import PathEstimate, estimate_paths
from fmri_oinfo.engine.joint.paths import flow_paths
from fmri_oinfo.engine.joint.training import train_residuals
from fmri_oinfo.engine.threads import torch_threads


def fmmi_subset_tc(
    samples: np.ndarray,
    coord_var: np.ndarray,
    masks: np.ndarray,
    config: JointConfig,
    device: torch.device,
    seed: int = 0,
    weights: np.ndarray | None = None,
    progress: bool = False,
) -> tuple[PathEstimate, dict[str, list[float]]]:
    """Train one time-amortised field per group and estimate every subset's TC.

    Parameters
    ----------
    samples : numpy.ndarray, shape (G, T, D)
        Each group's samples; the coordinates of variable ``v`` are those with
        ``coord_var == v``.
    coord_var : numpy.ndarray of int, shape (D,)
    masks : numpy.ndarray of bool, shape (S, n)
        Subsets of variables whose TC is wanted.
    config : JointConfig
    device : torch.device
    seed : int, default=0
        Fixes the split, initial weights, training draws and estimation draws.
    weights : numpy.ndarray, shape (S, Q), optional
        Measure weights of the plan (how much each TC matters), for training
        frequencies.
    progress : bool, default=False
        Show a progress bar over training steps.

    Returns
    -------
    estimate : PathEstimate
        One quantity per subset of ``masks``: its TC (the mean over the
        ``config.ensemble`` members trained for each group).
    history : dict
        Held-out loss per evaluation, and ``learnt`` per trained group and
        member (see :func:`fmri_oinfo.engine.joint.training.train_residuals`).

    Warns
    -----
    RuntimeWarning
        When no member of a group beat the zero residual: its estimate is the
        Gaussian part alone.
    """
    with torch_threads(config.cpu_threads if device.type == "cpu" else torch.get_num_threads()):
        generator = torch.Generator(device=device).manual_seed(int(seed))
        data = prepare_groups(samples, coord_var, config, generator, device).repeat(config.ensemble)
        paths = flow_paths(masks, data.coord_var, weights, config.decomposition)
        params, history = train_residuals(data, paths, config, generator, progress=progress)
        estimate = estimate_paths(params, data, paths, config, generator).average_members(config.ensemble)
    unlearnt = ~np.asarray(history["learnt"]).reshape(-1, config.ensemble).any(axis=1)  # (G,)
    if unlearnt.any():
        warnings.warn(
            f"joint FMMI: for {int(unlearnt.sum())} of {unlearnt.size} group(s) no residual network beat the "
            "Gaussian part on held-out rows, so the estimate is the Gaussian value of the transformed marginals "
            "and misses any non-Gaussian dependence (what the Gaussian part misses can be large: on a 3 x 3 "
            "Student-t system it is 75 % of the truth). Give more samples or steps, or use the conditional engine "
            "(SubjectFlowModel, or estimate_mi / estimate_oinfo with estimator='fmmi').",
            RuntimeWarning, stacklevel=2,
        )
    return estimate.combine(paths.to_subsets), history
