"""Times along the flow: training draws and estimation quadrature.

Times are ``s = 1 - (1 - t) ** p``: with ``p > 1`` they crowd towards ``s = 1``,
where a field that squeezes mass into a thin set changes fastest.
"""

from __future__ import annotations

import numpy as np
import torch


def warp(t: torch.Tensor, power: float) -> torch.Tensor:
    """Map ``t`` in [0, 1] to ``s = 1 - (1 - t) ** power``."""
    return 1.0 - (1.0 - t) ** power


def quadrature(n_nodes: int, power: float) -> tuple[np.ndarray, np.ndarray]:
    """Gauss-Legendre nodes and weights for ``integral_0^1 f(s) ds`` in warped time.

    Returns
    -------
    nodes, weights : numpy.ndarray, shape (n_nodes,)
        ``sum(weights * f(nodes))`` approximates the integral; weights include
        the Jacobian ``ds/dt`` of the warp.
    """
    x, w = np.polynomial.legendre.leggauss(n_nodes)
    t = (x + 1.0) / 2.0
    w = w / 2.0
    s = 1.0 - (1.0 - t) ** power
    return s, w * power * (1.0 - t) ** (power - 1.0)
