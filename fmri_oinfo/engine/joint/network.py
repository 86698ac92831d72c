"""Residual velocity networks for many groups at once.

Each group has its own MLP; their weights are stacked with a leading group axis
so that one batched matrix product evaluates every group (the "many small models
as one" pattern of ``torch.func``).  The forward pass is a pure function of the
parameters, which makes ``torch.func.jvp`` and ``vmap`` apply directly.
"""

from __future__ import annotations

import math

import torch
from torch.nn.functional import silu

Params = list[torch.Tensor]


def input_dim(n_coords: int, n_vars: int) -> int:
    """Width of the network input: positions, per-variable times, moving flags and mean squares."""
    return n_coords + 3 * n_vars


def variable_pool(coord_var: torch.Tensor) -> torch.Tensor:
    """Matrix (D, n) averaging each variable's coordinates: ``x @ pool`` is the per-variable mean."""
    one_hot = torch.nn.functional.one_hot(coord_var).to(torch.float32)  # (D, n)
    return one_hot / one_hot.sum(dim=0, keepdim=True)


def init_params(
    n_groups: int,
    in_dim: int,
    out_dim: int,
    width: int,
    depth: int,
    generator: torch.Generator,
    dtype: torch.dtype = torch.float32,
    device: torch.device | None = None,
) -> Params:
    """Independent initial weights per group; the output layer starts at zero.

    The output layer has ``2 * out_dim`` columns: an additive part and a
    per-coordinate gain on the position (see :func:`residual_velocity`).

    Returns
    -------
    list of torch.Tensor
        ``[W_1, b_1, ..., W_L, b_L]`` with ``W_l`` of shape (G, fan_in, fan_out)
        and ``b_l`` of shape (G, 1, fan_out).  A zero output layer makes the
        initial residual zero, so training starts at the Gaussian estimate.
    """
    dims = [in_dim] + [width] * depth + [2 * out_dim]
    params: Params = []
    for layer, (fan_in, fan_out) in enumerate(zip(dims[:-1], dims[1:])):
        last = layer == len(dims) - 2
        bound = 0.0 if last else 1.0 / math.sqrt(fan_in)
        w = (torch.rand(n_groups, fan_in, fan_out, generator=generator, dtype=dtype) * 2 - 1) * bound
        b = (torch.rand(n_groups, 1, fan_out, generator=generator, dtype=dtype) * 2 - 1) * bound
        params += [w.to(device), b.to(device)]
    return params


def residual_velocity(params: Params, x: torch.Tensor, tau: torch.Tensor, pool: torch.Tensor) -> torch.Tensor:
    """Evaluate every group's residual network, ``r = a(h) + g(h) * x``.

    ``h`` holds the positions, the per-variable times, the moving flags and
    each variable's mean square ``x_v . x_v / d_v``: on elliptical (Student-t)
    data the non-Gaussian part of the field is a gain on the position that
    depends on such norms, which an MLP on raw coordinates learns far slower
    than it memorises the training rows (see ``benchmarks/engine_joint.py``).

    Parameters
    ----------
    params : list of torch.Tensor
        As returned by :func:`init_params`.
    x : torch.Tensor, shape (G, B, D)
        Positions.
    tau : torch.Tensor, shape (G, B, n)
        Per-variable times; the network also sees which variables move
        (``tau > 0``), so that paths are told apart.
    pool : torch.Tensor, shape (D, n)
        From :func:`variable_pool`.

    Returns
    -------
    torch.Tensor, shape (G, B, D)
    """
    moving = (tau > 0).to(x.dtype)  # (G, B, n): which variables move, a function of tau
    h = torch.cat([x, tau, moving, (x * x) @ pool.to(x.dtype)], dim=-1)  # (G, B, D + 3n)
    n_layers = len(params) // 2
    for layer in range(n_layers):
        h = torch.baddbmm(params[2 * layer + 1], h, params[2 * layer])  # (G, B, fan_out)
        if layer < n_layers - 1:
            h = silu(h)
    additive, gain = h.split(x.shape[-1], dim=-1)
    return additive + gain * x
