"""Many small networks as one: weights with a leading member axis.

Every weight tensor has shape (G, ...) for G independently trained members
(cross-fitting folds times ensemble replicates); one batched matrix product
evaluates all of them (the "many small models as one" pattern of
``torch.func``).  Everything here is a pure function of the weights, so
``torch.func.jvp`` applies directly.
"""

from __future__ import annotations

import math

import torch

Params = dict[str, torch.Tensor]


def init_linear(
    params: Params,
    name: str,
    n_members: int,
    fan_in: int,
    fan_out: int,
    generator: torch.Generator,
    zero: bool = False,
) -> None:
    """Add ``{name}.w`` (G, fan_in, fan_out) and ``{name}.b`` (G, 1, fan_out) to ``params``.

    Uniform ``+-1/sqrt(fan_in)`` initialisation (PyTorch's default), or zeros
    (an output layer that starts at zero).
    """
    bound = 0.0 if zero else 1.0 / math.sqrt(fan_in)
    device = generator.device
    params[f"{name}.w"] = (torch.rand(n_members, fan_in, fan_out, generator=generator, device=device) * 2 - 1) * bound
    params[f"{name}.b"] = (torch.rand(n_members, 1, fan_out, generator=generator, device=device) * 2 - 1) * bound


def linear(params: Params, name: str, x: torch.Tensor) -> torch.Tensor:
    """Apply member ``g``'s layer to ``x[g]``: (G, ..., fan_in) -> (G, ..., fan_out)."""
    w, b = params[f"{name}.w"], params[f"{name}.b"]
    flat = x.reshape(x.shape[0], -1, x.shape[-1])  # (G, M, fan_in)
    return torch.baddbmm(b, flat, w).view(*x.shape[:-1], w.shape[-1])


def gather_rows(table: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
    """Rows of each member's table: ``table`` (G, N, e), ``index`` (G, ...) -> (G, ..., e)."""
    g, _, e = table.shape
    flat = index.reshape(g, -1, 1).expand(-1, -1, e)  # (G, M, e)
    return table.gather(1, flat).view(*index.shape, e)


def select_members(params: Params, index: torch.Tensor | slice) -> Params:
    """The weights of the members at ``index``."""
    return {name: p[index] for name, p in params.items()}
