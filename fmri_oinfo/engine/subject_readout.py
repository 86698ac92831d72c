"""Per-row values of every pair from one trained member.

A row's value for a pair ``(m, F)`` is the Gaussian log density ratio of the
pair's linear regression (:func:`fmri_oinfo.engine.pair_gaussian.gaussian_row_value`)
plus what the member adds; this module computes the addition, on rows the
member did not train on:

``interpolant``
    ``-integral_0^1 mean_d d r / d y (y_s, s) ds`` at the interpolants
    ``y_s = (1 - s) y0_d + s y`` of the row's residual ``y`` with
    ``source_draws`` source draws (randomised stratified nodes in warped time;
    the base field from N(0, 1) to N(0, 1) integrates to zero): the FMMI readout;
``likelihood``
    ``log q(y) - log N(y; 0, 1)`` with ``q`` the flow's own density of the
    residual, from a fourth-order Runge-Kutta solve of the row back to the
    source, carrying ``d log q`` along (one derivative per evaluation);
``mixture``
    ``log q(y) - log N(y; 0, 1)`` under the mixture head.

The divergence of the scalar moving coordinate is one forward-mode derivative
(``torch.func.jvp``).  Source draws are shared by every pair of a row (common
random numbers), so their noise cancels in signed sums of pairs.
"""

from __future__ import annotations

import math

import torch
from torch.func import jvp

from fmri_oinfo.engine.conditional_net import NetShape, encode, flow_context, flow_output, mixture_log_prob
from fmri_oinfo.engine.pair_gaussian import PairTable, gather_pair_rows
from fmri_oinfo.engine.schedule import warp
from fmri_oinfo.engine.stacked import Params
from fmri_oinfo.engine.subject_config import SubjectFlowConfig
from fmri_oinfo.engine.subject_training import MAX_TIME, base_velocity

#: (row, pair) examples per readout chunk.
CHUNK = 4096


def _log_normal(y: torch.Tensor) -> torch.Tensor:
    return -0.5 * (y * y + math.log(2 * math.pi))


def _interpolant(
    params: Params,
    config: SubjectFlowConfig,
    head_context: torch.Tensor,
    y: torch.Tensor,
    y0: torch.Tensor,
    offset: torch.Tensor,
) -> torch.Tensor:
    """``-integral E[d r / d y] ds`` per example by randomised stratified quadrature.

    Each example gets ``Q = quadrature_nodes`` times, one in each of Q equal
    strata of warped time, shifted by its row's ``offset`` (an unbiased
    estimate of the integral whose noise the standard error sees), at each of
    its row's D source draws.

    Parameters
    ----------
    head_context : torch.Tensor, shape (1, M, H)
    y : torch.Tensor, shape (1, M)
    y0 : torch.Tensor, shape (1, M, D)
    offset : torch.Tensor, shape (1, M)
        In [0, 1).

    Returns
    -------
    torch.Tensor, shape (1, M)
    """
    q = config.quadrature_nodes
    _, m, d = y0.shape
    t = (torch.arange(q, dtype=y.dtype, device=y.device) + offset[..., None]) / q  # (1, M, Q)
    s = warp(t, config.time_power).clamp_max(MAX_TIME)
    weight = config.time_power * (1.0 - t) ** (config.time_power - 1.0) / q  # ds/dt / Q
    s_grid = s.repeat_interleave(d, dim=-1)  # (1, M, Q*D)
    y_s = (1.0 - s_grid) * y0.repeat(1, 1, q) + s_grid * y[..., None]  # (1, M, Q*D)

    def field(point: torch.Tensor) -> torch.Tensor:
        return flow_output(params, head_context, point, s_grid)

    _, derivative = jvp(field, (y_s,), (torch.ones_like(y_s),))  # (1, M, Q*D)
    return -(derivative.view(1, m, q, d).mean(-1) * weight).sum(-1)


def _likelihood(params: Params, config: SubjectFlowConfig, head_context: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """``log q(y) - log N(y; 0, 1)`` by integrating the flow from ``y`` back to the source: (1, M) -> (1, M)."""
    grid = warp(torch.linspace(1.0, 0.0, config.ode_steps + 1, dtype=y.dtype, device=y.device), config.time_power).clamp_max(MAX_TIME)

    def field(point: torch.Tensor, s: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        s_full = s.expand_as(point)

        def velocity(p: torch.Tensor) -> torch.Tensor:
            return base_velocity(p, s_full) + flow_output(params, head_context, p, s_full)

        return jvp(velocity, (point,), (torch.ones_like(point),))  # v and dv/dy, (1, M, 1) each

    point, log_det = y[..., None], torch.zeros_like(y[..., None])
    for start, stop in zip(grid[:-1], grid[1:]):
        h = stop - start
        v1, d1 = field(point, start)
        v2, d2 = field(point + 0.5 * h * v1, start + 0.5 * h)
        v3, d3 = field(point + 0.5 * h * v2, start + 0.5 * h)
        v4, d4 = field(point + h * v3, stop)
        point = point + h / 6.0 * (v1 + 2 * v2 + 2 * v3 + v4)
        log_det = log_det + h / 6.0 * (d1 + 2 * d2 + 2 * d3 + d4)
    # log q(y) = log N(y0; 0, 1) - integral_0^1 div v ds, and log_det = -integral_0^1 div v ds
    return (_log_normal(point) + log_det)[..., 0] - _log_normal(y)


@torch.no_grad()
def member_corrections(
    params: Params,
    shape: NetShape,
    config: SubjectFlowConfig,
    z: torch.Tensor,
    pairs: PairTable,
    rows: torch.Tensor,
    source: torch.Tensor,
    offset: torch.Tensor,
) -> torch.Tensor:
    """What one member adds to the Gaussian value of every pair at every row.

    Parameters
    ----------
    params : Params
        One member's weights (leading axis 1).
    z : torch.Tensor, shape (T, N)
    pairs : PairTable
    rows : torch.Tensor of int64, shape (R,)
        Rows the member did not train on.
    source : torch.Tensor, shape (T, D)
        Source draws per row (shared by every pair).
    offset : torch.Tensor, shape (T,)
        Quadrature shift per row in [0, 1) (shared by every pair).

    Returns
    -------
    torch.Tensor, shape (P, R), float64
    """
    n_pairs, n_rows = len(pairs), rows.numel()
    out = torch.empty(n_pairs * n_rows, dtype=torch.float64, device=z.device)
    pick_all = torch.arange(n_pairs, device=z.device).repeat_interleave(n_rows)  # (P*R,) pair-major
    rows_all = rows.repeat(n_pairs)
    for start in range(0, n_pairs * n_rows, CHUNK):
        pick = pick_all[start : start + CHUNK][None]  # (1, M)
        row = rows_all[start : start + CHUNK][None]
        examples = gather_pair_rows(z, pairs, row, pick)
        y = examples.y  # (1, M)
        context = encode(params, shape, examples)  # (1, M, C)
        if shape.head == "mixture":
            value = mixture_log_prob(params, context, y, shape.components) - _log_normal(y)
        elif config.readout == "interpolant":
            value = _interpolant(params, config, flow_context(params, context), y, source[row], offset[row])
        else:
            value = _likelihood(params, config, flow_context(params, context), y)
        out[start : start + CHUNK] = value[0].double()
    return out.view(n_pairs, n_rows)
