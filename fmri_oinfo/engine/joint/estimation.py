"""Value of every flow path from a trained residual field.

``P(F, M) = P_gauss(F, M) - integral_0^1 E[div_M r(x_tau, tau)] ds`` along
``tau = 1_F + s 1_M``: the Gaussian part is closed-form
(:mod:`fmri_oinfo.engine.joint.linear`), the residual part is a Monte-Carlo average
over held-out rows and Gauss-Legendre nodes in time.  Every path shares the
same rows, source draws, nodes and probes (common random numbers), so the noise
cancels in the signed sums that make TCs, O- and S-information.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from fmri_oinfo.engine.joint.config import JointConfig
from fmri_oinfo.engine.joint.data import PreparedGroups, draw_source
from fmri_oinfo.engine.joint.divergence import exact_divergence, hutchinson_divergence
from fmri_oinfo.engine.joint.linear import gaussian_path_rows, gaussian_path_value
from fmri_oinfo.engine.joint.network import Params, residual_velocity, variable_pool
from fmri_oinfo.engine.joint.paths import FlowPaths
from fmri_oinfo.engine.schedule import quadrature


@dataclass(frozen=True)
class PathEstimate:
    """Estimated values of K quantities (paths, or subset TCs) of every group.

    Attributes
    ----------
    members : torch.Tensor, shape (G, E, K), float64
        Each ensemble member's estimate (nats; E = 1 without an ensemble).
    gaussian : torch.Tensor, shape (G, K), float64
        The closed-form part carried by the linear field.
    contributions : torch.Tensor, shape (G, M, K)
        Per-sample values, averaged over members: the residual's contribution
        plus the centred per-row value of the Gaussian part (their mean is
        ``value - gaussian``; their spread is the sampling variability of the
        whole value, so a zero residual does not give a zero standard error);
        for standard errors of any linear combination.
    """

    members: torch.Tensor
    gaussian: torch.Tensor
    contributions: torch.Tensor

    @property
    def value(self) -> torch.Tensor:
        """Estimate (nats), shape (G, K): the mean over ensemble members."""
        return self.members.mean(dim=1)

    def combine(self, matrix: np.ndarray) -> "PathEstimate":
        """Signed sums of the quantities: ``matrix`` (K', K) -> a (G, K') estimate."""
        m = torch.as_tensor(matrix, dtype=torch.float64, device=self.members.device)
        return PathEstimate(
            members=self.members @ m.T,
            gaussian=self.gaussian @ m.T,
            contributions=self.contributions.double() @ m.T,
        )

    def average_members(self, n_members: int) -> "PathEstimate":
        """Fold consecutive groups ``(G * E, ...)`` into E members of G groups."""
        if n_members == 1:
            return self
        g_e, m, k = self.contributions.shape
        return PathEstimate(
            members=self.value.view(g_e // n_members, n_members, k),
            gaussian=self.gaussian[::n_members],
            contributions=self.contributions.view(g_e // n_members, n_members, m, k).mean(dim=1),
        )

    def standard_error(self, weights: np.ndarray) -> np.ndarray:
        """Standard error of ``value @ weights`` (weights (K, Q)), shape (G, Q).

        The variance of the per-row values over held-out rows (the rows'
        sampling variability and the Monte-Carlo noise), plus, with an ensemble,
        the variance between members divided by their number (it holds each
        member's own draws too, so the sum errs on the large side).
        """
        w = torch.as_tensor(weights, dtype=torch.float64, device=self.members.device)
        per_row = self.contributions.double() @ w  # (G, M, Q)
        variance = per_row.var(dim=1) / per_row.shape[1]
        n_members = self.members.shape[1]
        if n_members > 1:
            variance = variance + (self.members @ w).var(dim=1) / n_members
        return variance.sqrt().cpu().numpy()


def use_exact_divergence(config: JointConfig, n_coords: int) -> bool:
    """Whether the configuration asks for exact divergence over ``n_coords`` moving coordinates."""
    if config.divergence == "auto":
        return n_coords <= config.exact_max_dims
    return config.divergence == "exact"


def estimate_paths(
    params: Params,
    data: PreparedGroups,
    paths: FlowPaths,
    config: JointConfig,
    generator: torch.Generator,
    chunk_rows: int = 128,
) -> PathEstimate:
    """Estimate the value of every path (see module docstring)."""
    g, n_held, d = data.held_out.shape
    n_rows = min(config.eval_samples, n_held)
    x1 = data.held_out[:, :n_rows].repeat_interleave(config.source_draws, dim=1)  # (G, M, D)
    m = x1.shape[1]
    x0 = draw_source(data.pooled, m, data, config, generator)  # (G, M, D)
    nodes, weights = quadrature(config.quadrature_nodes, config.time_power)
    s = torch.as_tensor(nodes, dtype=x1.dtype, device=x1.device)  # (Q,)
    w = torch.as_tensor(weights, dtype=x1.dtype, device=x1.device)  # (Q,)
    q = s.numel()
    exact = [use_exact_divergence(config, int(moving.sum())) for moving in paths.coord_moving]
    probes = None
    if not all(exact):
        signs = torch.randint(2, (config.hutchinson_probes, g, m * q, d), generator=generator, device=x1.device)
        probes = signs.to(x1.dtype) * 2 - 1  # (P, G, M*Q, D), shared by every path

    pool = variable_pool(data.coord_var)
    contributions = torch.zeros(g, m, len(paths), dtype=x1.dtype, device=x1.device)
    for start in range(0, m, chunk_rows):
        rows = slice(start, min(start + chunk_rows, m))
        b = rows.stop - rows.start
        # every (row, node) pair becomes one batch entry: (G, b*Q, D)
        a1 = x1[:, rows].repeat_interleave(q, dim=1)
        a0 = x0[:, rows].repeat_interleave(q, dim=1)
        s_col = s.repeat(b).view(1, -1, 1)  # (1, b*Q, 1)
        for k in range(len(paths)):
            moving, fixed = paths.coord_moving[k], paths.coord_fixed[k]
            tau = s_col * moving.to(x1.dtype) + fixed.to(x1.dtype)  # (1, b*Q, D)
            x = (1.0 - tau) * a0 + tau * a1
            tau_var = (s_col * paths.var_moving[k] + paths.var_fixed[k]).expand(g, -1, -1)  # (G, b*Q, n)
            visible = (moving | fixed).to(x1.dtype)
            field = lambda z: residual_velocity(params, z * visible, tau_var, pool)  # noqa: E731
            with torch.no_grad():
                if exact[k]:
                    div = exact_divergence(field, x, moving)
                else:
                    chunk_probes = probes[:, :, start * q : (start + b) * q]
                    div = hutchinson_divergence(field, x, moving, chunk_probes)
            # -integral over s of the divergence, per row: (G, b)
            contributions[:, rows, k] = -(div.view(g, b, q) * w).sum(-1)
    gaussian = gaussian_path_value(data.source_cov, data.target_cov, paths.coord_fixed, paths.coord_moving)
    value = gaussian + contributions.mean(dim=1).double()
    rows_of_gaussian = gaussian_path_rows(x1, data.source_cov, data.target_cov, paths.coord_fixed, paths.coord_moving)
    return PathEstimate(members=value[:, None], gaussian=gaussian,
                        contributions=contributions + rows_of_gaussian.to(contributions.dtype))
