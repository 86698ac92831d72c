"""Pointwise (local) Gaussian total correlations: one log-density ratio per volume.

For scores ``z`` (each column centred and divided by its population standard
deviation) and their correlation matrix ``R``, the local TC of a subset ``S``
at volume ``t`` is

    log N(z_tS; 0, R_S) - sum_{i in S} log N(z_ti; 0, 1)
        = -1/2 log det R_S - 1/2 (z_tS' R_S^{-1} z_tS - |z_tS|^2).

The mean over volumes of the quadratic term is ``tr(R_S^{-1} C_S) - |S|`` with
``C = Z'Z / T``, which is ``R`` itself, so it vanishes: the local values average
to the closed-form TC ``-1/2 log det R_S`` exactly (to rounding).  This module
computes that zero-mean term, batched over sets and volumes (one Cholesky per
subset of each set, no loop over volumes); the estimator adds its own
closed-form TC, so local values keep its bias correction and its infinite TC of
singular sets.
"""

from __future__ import annotations

import numpy as np
import torch

#: Elements (sets x members x volumes) of the scores gathered for one batch of sets: bounds memory.
POINTWISE_BATCH_ELEMENTS = 2**22


def pointwise_deviation(scores: torch.Tensor, corr: torch.Tensor, groups: torch.Tensor,
                        masks: np.ndarray) -> torch.Tensor:
    """``-1/2 (z_S' R_S^{-1} z_S - |z_S|^2)`` of each masked subset of each group at every volume.

    Parameters
    ----------
    scores : torch.Tensor, shape (T, N)
        Standard scores (:func:`fmri_oinfo.engine.marginals.standard_scores`) of the fitted data.
    corr : torch.Tensor, shape (N, N)
        Their correlation matrix.
    groups : torch.Tensor of int64, shape (G, k)
    masks : numpy.ndarray of bool, shape (S, k)

    Returns
    -------
    torch.Tensor, shape (T, G, S)
        Local TC minus the closed-form TC; 0 for subsets of fewer than two
        members; NaN where a subset's correlation matrix cannot be factorised.
    """
    columns = scores.T  # (N, T)
    out = torch.zeros((scores.shape[0], groups.shape[0], masks.shape[0]), dtype=scores.dtype,
                      device=scores.device)  # (T, G, S)
    for s, mask in enumerate(masks):  # a handful of subsets per set, never a loop over volumes
        if mask.sum() < 2:
            continue
        idx = groups[:, torch.from_numpy(np.flatnonzero(mask)).to(groups.device)]  # (G, m)
        chol, info = torch.linalg.cholesky_ex(corr[idx[:, :, None], idx[:, None, :]])  # (G, m, m), (G,)
        z = columns[idx]  # (G, m, T)
        identity = torch.eye(chol.shape[-1], dtype=chol.dtype, device=chol.device).expand_as(chol)
        # L^{-1} first, then one batched product: a batched triangular solve against T right-hand sides runs
        # ~100x slower on the CPU than against the m of the identity
        whitened = torch.bmm(torch.linalg.solve_triangular(chol, identity, upper=False), z)  # (G, m, T): L^{-1} z
        deviation = -0.5 * (whitened.square().sum(1) - z.square().sum(1))  # (G, T)
        out[:, :, s] = torch.where(info[:, None] == 0, deviation, torch.nan).T  # (T, G)
    return out
