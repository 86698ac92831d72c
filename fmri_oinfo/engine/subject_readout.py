"""Per-row values of every pair from one trained member.

A row's value for a pair ``(m, F)`` is the Gaussian log density ratio of the
pair's linear regression (:func:`fmri_oinfo.engine.pair_gaussian.gaussian_row_value`)
plus what the member adds; this module computes the addition, on rows the
member did not train on:

``flow`` head
    ``-integral_0^1 mean_d d r / d y (y_s, s) ds`` at the interpolants
    ``y_s = (1 - s) y0_d + s y`` of the row's residual ``y`` with
    ``source_draws`` source draws (randomised stratified nodes in warped time;
    the base field from N(0, 1) to N(0, 1) integrates to zero): the FMMI
    readout.  (Tried and dropped: the row's log density under the flow, from
    a Runge-Kutta solve back to the source.  On the multiplicative, Student-t
    and mixture systems at T = 1,200 it was no closer to the in-sample oracle,
    for example +2.1 % and +5.1 % against +0.6 % and +4.0 % on the
    multiplicative triplet, at 3-5 times the cost);
``mixture`` head
    ``log q(y) - log N(y; 0, 1)`` under the Student-t mixture.

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
from fmri_oinfo.engine.subject_training import MAX_TIME

#: (row, pair) examples per readout chunk (2048 was faster than 1024 and 4096 on the CPU: cache-sized blocks).
CHUNK = 2048


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
        else:
            value = _interpolant(params, config, flow_context(params, context), y, source[row], offset[row])
        out[start : start + CHUNK] = value[0].double()
    return out.view(n_pairs, n_rows)
