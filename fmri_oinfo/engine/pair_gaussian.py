"""The Gaussian part of every pair: a linear regression, in closed form.

For a pair ``(m, F)`` on standardised columns ``z`` with correlation matrix
``C``, the linear regression of ``z_m`` on ``z_F`` has coefficients
``b = C_FF^-1 C_Fm`` and residual variance ``sigma^2 = 1 - C_mF b``.  The
Gaussian conditional MI is ``-log sigma``; per row, the Gaussian log density
ratio

    g_t = log N(z_m; b^T z_F, sigma^2) - log N(z_m; 0, 1)
        = -log sigma - y_t^2 / 2 + z_m^2 / 2,   y_t = (z_m - b^T z_F) / sigma,

averages to exactly ``-log sigma`` over the rows that gave ``C`` (the plug-in
Gaussian estimate).  The network works on the standardised residual ``y`` and
adds only what the Gaussian part misses: on Gaussian data ``y`` is N(0, 1)
whatever the conditioning values, and there is nothing left to learn.

The network is also given the pair's Gaussian summaries of a row: the
residual sd, the size of ``F``, the fitted value ``b^T z_F / sigma`` and the
Mahalanobis norm ``z_F^T C_FF^-1 z_F / |F|``, on which the conditional law of
an elliptical (Student-t) system depends.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

#: Smallest residual variance kept (a deterministic relation would give 0).
MIN_RESIDUAL_VARIANCE = 1e-6

#: Gaussian summaries of a (row, pair) given to the network (see :class:`PairRows`).
N_SUMMARIES = 4


@dataclass(frozen=True)
class PairTable:
    """The pairs of a plan with their regressions, on one device.

    Attributes
    ----------
    moving : torch.Tensor of int64, shape (P,)
    given : torch.Tensor of int64, shape (P, K)
        Padded with -1.
    coef : torch.Tensor, shape (P, K), float64
        Regression coefficients (0 on padding).
    log_sigma : torch.Tensor, shape (P,), float64
        Log residual sd; ``-log_sigma`` is the Gaussian conditional MI.
    precision : torch.Tensor, shape (P, K, K), float64
        ``C_FF^-1`` (0 on padding).
    slot : torch.Tensor of int64, shape (P,)
        Row of the network's pair-embedding table for pairs it was trained on,
        -1 for others.
    """

    moving: torch.Tensor
    given: torch.Tensor
    coef: torch.Tensor
    log_sigma: torch.Tensor
    precision: torch.Tensor
    slot: torch.Tensor

    def __len__(self) -> int:
        return self.moving.shape[0]


@dataclass(frozen=True)
class PairRows:
    """Values of (row, pair) examples, each tensor with the examples' shape (...) in front.

    Attributes
    ----------
    z_given : torch.Tensor, shape (..., K)
        Conditioning values (0 on padding).
    given : torch.Tensor of int64, shape (..., K)
    moving : torch.Tensor of int64, shape (...)
    y : torch.Tensor, shape (...)
        Standardised residual of the moving value.
    z_moving : torch.Tensor, shape (...)
    log_sigma : torch.Tensor, shape (...)
    slot : torch.Tensor of int64, shape (...)
        The pair's embedding row (-1: none).
    summaries : torch.Tensor, shape (..., N_SUMMARIES)
        ``log sigma``, ``|F| / K``, the fitted value ``b^T z_F / sigma`` and
        the Mahalanobis norm ``z_F^T C_FF^-1 z_F / |F|``.
    """

    z_given: torch.Tensor
    given: torch.Tensor
    moving: torch.Tensor
    y: torch.Tensor
    z_moving: torch.Tensor
    log_sigma: torch.Tensor
    slot: torch.Tensor
    summaries: torch.Tensor


def regress_pairs(corr: torch.Tensor, moving: torch.Tensor, given: torch.Tensor, slot: torch.Tensor) -> PairTable:
    """Linear regression of every pair's moving region on its conditioning set.

    Parameters
    ----------
    corr : torch.Tensor, shape (N, N), float64
        Correlation matrix of the standardised columns.
    moving : torch.Tensor of int64, shape (P,)
    given : torch.Tensor of int64, shape (P, K), padded with -1
    slot : torch.Tensor of int64, shape (P,)
        Pair-embedding rows (-1: none).

    Returns
    -------
    PairTable
    """
    mask = given >= 0  # (P, K)
    index = given.clamp_min(0)
    both = mask[:, :, None] & mask[:, None, :]  # (P, K, K)
    eye = torch.eye(given.shape[1], dtype=corr.dtype, device=corr.device).expand_as(both)
    c_ff = torch.where(both, corr[index[:, :, None], index[:, None, :]], eye)  # (P, K, K)
    c_fm = torch.where(mask, corr[index, moving[:, None]], torch.zeros((), dtype=corr.dtype))  # (P, K)
    precision = torch.linalg.inv(c_ff) * both  # (P, K, K)
    coef = (precision @ c_fm[..., None])[..., 0]  # (P, K)
    variance = (1.0 - (coef * c_fm).sum(-1)).clamp_min(MIN_RESIDUAL_VARIANCE)  # (P,)
    return PairTable(moving=moving, given=given, coef=coef, log_sigma=0.5 * torch.log(variance), precision=precision,
                     slot=slot)


def gather_pair_rows(z: torch.Tensor, pairs: PairTable, rows: torch.Tensor, pick: torch.Tensor) -> PairRows:
    """Values of (row, pair) examples.

    Parameters
    ----------
    z : torch.Tensor, shape (T, N)
        Standardised data (its dtype is the outputs' dtype).
    rows, pick : torch.Tensor of int64, same shape (...)
        Row and pair index of each example.
    """
    given = pairs.given[pick]  # (..., K)
    present = given >= 0
    z_given = torch.where(present, z[rows[..., None], given.clamp_min(0)], torch.zeros((), dtype=z.dtype))
    z_moving = z[rows, pairs.moving[pick]]
    log_sigma = pairs.log_sigma[pick].to(z.dtype)
    fitted = (pairs.coef[pick].to(z.dtype) * z_given).sum(-1) * torch.exp(-log_sigma)
    size = present.sum(-1).clamp_min(1).to(z.dtype)
    mahalanobis = torch.einsum("...i,...ij,...j->...", z_given, pairs.precision[pick].to(z.dtype), z_given) / size
    return PairRows(
        z_given=z_given,
        given=given,
        moving=pairs.moving[pick],
        y=z_moving * torch.exp(-log_sigma) - fitted,
        z_moving=z_moving,
        log_sigma=log_sigma,
        slot=pairs.slot[pick],
        summaries=torch.stack([log_sigma, size / given.shape[-1], fitted, mahalanobis], dim=-1),
    )


def gaussian_row_value(y: torch.Tensor, z_moving: torch.Tensor, log_sigma: torch.Tensor) -> torch.Tensor:
    """Per-row Gaussian log density ratio ``-log sigma - y^2 / 2 + z_m^2 / 2`` (see module docstring)."""
    return -log_sigma - 0.5 * y * y + 0.5 * z_moving * z_moving
