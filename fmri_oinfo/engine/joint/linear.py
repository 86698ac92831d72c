"""The best linear velocity field and its closed-form total correlations.

For independent source ``x0`` (covariance D, block-diagonal over variables) and
target ``x1`` (covariance S), and a vector time ``tau`` (one entry per
coordinate), the best linear predictor of ``u = x1 - x0`` from
``x_tau = (1 - tau) x0 + tau x1`` is

    v_lin(x, tau) = (S diag(tau) - D diag(1 - tau)) V_tau^-1 x,
    V_tau = diag(1 - tau) D diag(1 - tau) + diag(tau) S diag(tau).

Its divergence does not depend on x and integrates along ``tau = s 1_A`` to
``1/2 log det D_AA - 1/2 log det S_AA``: the Gaussian TC of the covariance
(and along ``tau = 1_F + s 1_M`` to the difference of two such terms).
The engine learns only the residual ``v - v_lin``.
"""

from __future__ import annotations

import torch


def block_diagonal(cov: torch.Tensor, coord_var: torch.Tensor) -> torch.Tensor:
    """Keep only the within-variable blocks of ``cov`` (..., D, D)."""
    same = coord_var[:, None] == coord_var[None, :]  # (D, D)
    return cov * same


def linear_velocity(
    x: torch.Tensor, tau: torch.Tensor, source_cov: torch.Tensor, target_cov: torch.Tensor
) -> torch.Tensor:
    """Evaluate ``v_lin`` for a batch.

    Parameters
    ----------
    x : torch.Tensor, shape (G, B, D)
    tau : torch.Tensor, shape (G, B, D)
        Per-coordinate time.
    source_cov, target_cov : torch.Tensor, shape (G, D, D)

    Returns
    -------
    torch.Tensor, shape (G, B, D)
    """
    one_minus = 1.0 - tau
    d = source_cov[:, None]  # (G, 1, D, D)
    s = target_cov[:, None]  # (G, 1, D, D)
    v_tau = one_minus[..., :, None] * d * one_minus[..., None, :] + tau[..., :, None] * s * tau[..., None, :]
    cross = s * tau[..., None, :] - d * one_minus[..., None, :]  # (G, B, D, D)
    solved = torch.linalg.solve(v_tau, x[..., None])  # (G, B, D, 1)
    return (cross @ solved)[..., 0]


def gaussian_path_value(
    source_cov: torch.Tensor, target_cov: torch.Tensor, coord_fixed: torch.Tensor, coord_moving: torch.Tensor
) -> torch.Tensor:
    """Closed-form value carried by ``v_lin`` along each path.

    Along ``tau = 1_F + s 1_M`` the linear field's divergence integrates to
    ``g(F u M) - g(F)`` with ``g(A) = 1/2 log det D_AA - 1/2 log det S_AA``, the
    Gaussian TC of the covariance (source blocks of ``F`` and ``M`` are
    independent, so their log-determinants add).

    Parameters
    ----------
    source_cov, target_cov : torch.Tensor, shape (G, D, D)
    coord_fixed, coord_moving : torch.Tensor of bool, shape (P, D)
        Coordinates at the data and coordinates that move along each path.

    Returns
    -------
    torch.Tensor, shape (G, P)
    """

    def gaussian_tc(mask: torch.Tensor) -> torch.Tensor:
        idx = torch.nonzero(mask).flatten()
        if idx.numel() == 0:
            return torch.zeros(source_cov.shape[0], dtype=source_cov.dtype, device=source_cov.device)
        sub = lambda c: c[:, idx][:, :, idx]  # noqa: E731 - (G, m, m)
        return 0.5 * (torch.logdet(sub(source_cov)) - torch.logdet(sub(target_cov)))

    out = [gaussian_tc(f | m) - gaussian_tc(f) for f, m in zip(coord_fixed, coord_moving)]
    return torch.stack(out, dim=1)


def _log_ratio_rows(x: torch.Tensor, source_cov: torch.Tensor, target_cov: torch.Tensor,
                    mask: torch.Tensor) -> torch.Tensor:
    """``log N(x_A; 0, S_AA) - log N(x_A; 0, D_AA)`` per row, shape (G, M) (zero for an empty ``A``)."""
    idx = torch.nonzero(mask).flatten()
    if idx.numel() == 0:
        return torch.zeros(x.shape[:2], dtype=torch.float64, device=x.device)
    xa = x[..., idx].double()  # (G, M, m)

    def log_density(cov: torch.Tensor) -> torch.Tensor:
        chol = torch.linalg.cholesky(cov[:, idx][:, :, idx])  # (G, m, m)
        white = torch.linalg.solve_triangular(chol, xa.transpose(1, 2), upper=False)  # (G, m, M)
        half_logdet = torch.log(torch.diagonal(chol, dim1=1, dim2=2)).sum(-1)  # (G,)
        return -0.5 * (white**2).sum(1) - half_logdet[:, None]  # the 2 pi terms cancel in the ratio

    return log_density(target_cov) - log_density(source_cov)


def gaussian_path_rows(
    x: torch.Tensor,
    source_cov: torch.Tensor,
    target_cov: torch.Tensor,
    coord_fixed: torch.Tensor,
    coord_moving: torch.Tensor,
) -> torch.Tensor:
    """Centred per-row values of each path's Gaussian part, for its sampling error.

    The Gaussian part of a path ``g(F u M) - g(F)`` is the mean over rows of
    ``l_{F u M}(x) - l_F(x)``, with ``l_A`` the log ratio of the data's
    Gaussian density of ``x_A`` to the source's (exactly so at the sample
    covariance).  Its spread over rows is the sampling variability of the
    closed-form part, which the standard error must carry even where the
    learnt residual is zero.

    Parameters
    ----------
    x : torch.Tensor, shape (G, M, D)
        Rows to evaluate (the estimate's held-out rows).
    source_cov, target_cov : torch.Tensor, shape (G, D, D), float64
    coord_fixed, coord_moving : torch.Tensor of bool, shape (P, D)

    Returns
    -------
    torch.Tensor, shape (G, M, P), float64
        Each path's per-row values minus their mean over the rows.
    """
    values = torch.stack(
        [_log_ratio_rows(x, source_cov, target_cov, f | m) - _log_ratio_rows(x, source_cov, target_cov, f)
         for f, m in zip(coord_fixed, coord_moving)],
        dim=-1,
    )
    return values - values.mean(dim=1, keepdim=True)
