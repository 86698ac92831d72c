"""Flow paths: which coordinates sit at the data, which move, how often each is trained.

A path is a pair of disjoint variable sets ``(F, M)``: variables in ``F`` sit at
the data (time 1), variables in ``M`` move from the source to the data along
``tau = 1_F + s 1_M``, the rest stay at the source (independent noise, hidden
from the network).  Its value,

    P(F, M) = - integral_0^1 E[div_M v(x_tau, tau)] ds = TC(F u M) - TC(F),

is a total correlation when ``F`` is empty and a conditional mutual
information ``I(X_m; X_F)`` when ``M = {m}``.  A *decomposition* writes every
subset TC of a plan as a signed sum of path values (the matrix ``to_subsets``):

``subsets``
    every TC on its own path ``(empty, A)`` (the FMMI paper);
``chain``
    every smaller subset ``A`` peeled from a planned superset ``B = A + {b}``,
    ``TC(A) = TC(B) - I(X_b; X_A)``, and the whole group's TC a chain of
    one-variable paths, ``TC(X) = sum_k I(X_k; X_1 .. X_{k-1})``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from fmri_oinfo.engine.joint.config import DECOMPOSITIONS


@dataclass(frozen=True)
class FlowPaths:
    """The paths of one plan, expanded to coordinates.

    Attributes
    ----------
    var_moving, var_fixed : torch.Tensor, shape (P, n), float
        1 where a variable moves / sits at the data along path ``p``.
    coord_moving, coord_fixed : torch.Tensor, shape (P, D), bool
        The same, per coordinate.
    probabilities : torch.Tensor, shape (P,)
        How often each path is drawn in training.
    to_subsets : numpy.ndarray, shape (S, P)
        ``subset_tc = to_subsets @ path_value``.
    """

    var_moving: torch.Tensor
    var_fixed: torch.Tensor
    coord_moving: torch.Tensor
    coord_fixed: torch.Tensor
    probabilities: torch.Tensor
    to_subsets: np.ndarray

    def __len__(self) -> int:
        return self.var_moving.shape[0]


def decompose(masks: np.ndarray, decomposition: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Write every subset TC as a signed sum of path values.

    Parameters
    ----------
    masks : numpy.ndarray of bool, shape (S, n)
        Subsets of the plan (any order; the whole group need not be first).
    decomposition : {"subsets", "chain"}
        See the module docstring.

    Returns
    -------
    fixed, moving : numpy.ndarray of bool, shape (P, n)
        The paths.
    to_subsets : numpy.ndarray, shape (S, P)
    """
    if decomposition not in DECOMPOSITIONS:
        raise ValueError(f"decomposition={decomposition!r}; use one of {list(DECOMPOSITIONS)}.")
    masks = np.asarray(masks, dtype=bool)
    n = masks.shape[1]
    paths: list[tuple[tuple[bool, ...], tuple[bool, ...]]] = []

    def path_index(fixed: np.ndarray, moving: np.ndarray) -> int:
        key = (tuple(fixed), tuple(moving))
        if key not in paths:
            paths.append(key)
        return paths.index(key)

    def direct(subset: np.ndarray) -> dict[int, float]:
        return {path_index(np.zeros(n, dtype=bool), subset): 1.0}

    def chain(subset: np.ndarray) -> dict[int, float]:
        members = np.flatnonzero(subset)
        out: dict[int, float] = {}
        for k in range(1, len(members)):
            fixed = np.zeros(n, dtype=bool)
            fixed[members[:k]] = True
            moving = np.zeros(n, dtype=bool)
            moving[members[k]] = True
            out[path_index(fixed, moving)] = 1.0
        return out

    coefficients: dict[tuple[bool, ...], dict[int, float]] = {}
    for subset in sorted(masks.tolist(), key=lambda m: -sum(m)):
        subset = np.asarray(subset, dtype=bool)
        key = tuple(subset)
        if key in coefficients:
            continue
        if subset.sum() < 2:
            coefficients[key] = {}  # TC of one variable is zero by definition
            continue
        parent = _planned_parent(subset, coefficients) if decomposition != "subsets" else None
        if parent is None:
            coefficients[key] = chain(subset) if decomposition == "chain" else direct(subset)
            continue
        # TC(A) = TC(B) - I(X_b; X_A) with B = A + {b}
        combined = dict(coefficients[tuple(parent)])
        removed = parent & ~subset
        p = path_index(subset, removed)
        combined[p] = combined.get(p, 0.0) - 1.0
        coefficients[key] = combined
    to_subsets = np.zeros((len(masks), len(paths)))
    for s, subset in enumerate(masks):
        for p, c in coefficients[tuple(subset)].items():
            to_subsets[s, p] += c
    fixed = np.array([f for f, _ in paths], dtype=bool).reshape(len(paths), n)
    moving = np.array([m for _, m in paths], dtype=bool).reshape(len(paths), n)
    return fixed, moving, to_subsets


def _planned_parent(subset: np.ndarray, planned: dict[tuple[bool, ...], dict[int, float]]) -> np.ndarray | None:
    """A planned subset with exactly one more member than ``subset``, if any."""
    for key in planned:
        parent = np.asarray(key, dtype=bool)
        if parent.sum() == subset.sum() + 1 and bool((parent | subset).sum() == parent.sum()):
            return parent
    return None


def flow_paths(
    masks: np.ndarray,
    coord_var: torch.Tensor,
    weights: np.ndarray | None = None,
    decomposition: str = "subsets",
) -> FlowPaths:
    """Build the paths of a plan and their training frequencies.

    Parameters
    ----------
    masks : numpy.ndarray of bool, shape (S, n)
    coord_var : torch.Tensor of int64, shape (D,)
    weights : numpy.ndarray, shape (S, Q), optional
        The plan's measure weights.  A path is drawn in proportion to the total
        weight its value carries in the measures, so that the paths whose error
        the measures amplify most are trained most.
    decomposition : {"subsets", "chain"}
    """
    device = coord_var.device
    fixed, moving, to_subsets = decompose(masks, decomposition)
    if weights is None:
        weights = np.ones((len(masks), 1))
    importance = np.abs(to_subsets.T @ weights).sum(axis=1)
    if importance.sum() == 0:
        importance = np.ones(len(importance))
    fixed_t = torch.as_tensor(fixed, device=device)
    moving_t = torch.as_tensor(moving, device=device)
    return FlowPaths(
        var_moving=moving_t.float(),
        var_fixed=fixed_t.float(),
        coord_moving=moving_t[:, coord_var],
        coord_fixed=fixed_t[:, coord_var],
        probabilities=torch.as_tensor(importance / importance.sum(), dtype=torch.float32, device=device),
        to_subsets=to_subsets,
    )
