"""Subset paths: which coordinates move, and how often each path is trained."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch


@dataclass(frozen=True)
class SubsetPaths:
    """The subset paths ``tau = s 1_A`` of one plan, expanded to coordinates.

    Attributes
    ----------
    var_masks : torch.Tensor, shape (S, n), float
        1 where a variable moves along path ``s``.
    coord_masks : torch.Tensor, shape (S, D), bool
        Coordinates that move.
    probabilities : torch.Tensor, shape (S,)
        How often each path is drawn in training.
    """

    var_masks: torch.Tensor
    coord_masks: torch.Tensor
    probabilities: torch.Tensor


def subset_paths(
    masks: np.ndarray, coord_var: torch.Tensor, weights: np.ndarray | None = None
) -> SubsetPaths:
    """Expand variable masks (S, n) to coordinates and set training frequencies.

    Parameters
    ----------
    masks : numpy.ndarray of bool, shape (S, n)
    coord_var : torch.Tensor of int64, shape (D,)
    weights : numpy.ndarray, shape (S, Q), optional
        The plan's measure weights.  A path is drawn in proportion to the total
        weight its TC carries in the measures, so that the full-group path, whose
        error O-information multiplies by ``n - 2``, is trained most.  Paths of a
        single variable (TC = 0 by definition) are never drawn.
    """
    device = coord_var.device
    masks_t = torch.as_tensor(masks, dtype=torch.bool, device=device)
    importance = np.abs(weights).sum(axis=1) if weights is not None else np.ones(len(masks))
    importance = importance * (masks.sum(axis=1) >= 2)
    return SubsetPaths(
        var_masks=masks_t.float(),
        coord_masks=masks_t[:, coord_var],
        probabilities=torch.as_tensor(importance / importance.sum(), dtype=torch.float32, device=device),
    )
