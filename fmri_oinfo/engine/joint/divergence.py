"""Divergence of the residual field over the moving coordinates.

``exact``: the sum of Jacobian diagonal entries over the coordinates of a
subset, one forward-mode product per coordinate, batched with ``vmap``.
``hutchinson``: ``E[e^T J e]`` with Rademacher ``e`` supported on the subset,
one forward-mode product per probe.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch.func import jvp, vmap

Field = Callable[[torch.Tensor], torch.Tensor]


def _directional(field: Field, x: torch.Tensor, tangents: torch.Tensor) -> torch.Tensor:
    """``J(x) t`` for each tangent ``t`` in ``tangents`` (K, G, B, D) -> (K, G, B, D)."""
    return vmap(lambda t: jvp(field, (x,), (t,))[1])(tangents)


def exact_divergence(field: Field, x: torch.Tensor, coord_mask: torch.Tensor) -> torch.Tensor:
    """Sum of ``d field_c / d x_c`` over coordinates ``c`` with ``coord_mask``.

    Parameters
    ----------
    field : callable (G, B, D) -> (G, B, D)
    x : torch.Tensor, shape (G, B, D)
    coord_mask : torch.Tensor of bool, shape (D,)

    Returns
    -------
    torch.Tensor, shape (G, B)
    """
    coords = torch.nonzero(coord_mask).flatten()  # (K,)
    basis = torch.zeros(coords.numel(), *x.shape, dtype=x.dtype, device=x.device)  # (K, G, B, D)
    basis[torch.arange(coords.numel()), ..., coords] = 1.0
    columns = _directional(field, x, basis)  # (K, G, B, D)
    return (columns * basis).sum(dim=(0, -1))


def hutchinson_divergence(
    field: Field, x: torch.Tensor, coord_mask: torch.Tensor, probes: torch.Tensor
) -> torch.Tensor:
    """Hutchinson estimate of the divergence over the masked coordinates.

    Parameters
    ----------
    field : callable (G, B, D) -> (G, B, D)
    x : torch.Tensor, shape (G, B, D)
    coord_mask : torch.Tensor of bool, shape (D,)
    probes : torch.Tensor, shape (P, G, B, D)
        Rademacher (+-1) probes; they are restricted to the mask here, so the
        same probes can be shared by every subset (common random numbers).

    Returns
    -------
    torch.Tensor, shape (G, B)
        Mean over probes of ``e^T J e``.
    """
    e = probes * coord_mask  # (P, G, B, D)
    return (_directional(field, x, e) * e).sum(dim=-1).mean(dim=0)
