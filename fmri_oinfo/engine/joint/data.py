"""Prepare many groups' samples for the engine: marginals, split, covariances."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import torch

from fmri_oinfo.engine.joint.config import JointConfig
from fmri_oinfo.engine.joint.linear import block_diagonal
from fmri_oinfo.engine.marginals import normalise_marginals

#: Fields of :class:`PreparedGroups` with a leading group axis.
PER_GROUP_FIELDS = ("train", "held_out", "pooled", "source_cov", "target_cov", "fit_source_cov", "fit_target_cov")


@dataclass(frozen=True)
class PreparedGroups:
    """Samples of G groups with the same layout, ready for training.

    Attributes
    ----------
    train, held_out : torch.Tensor, shape (G, T_train, D) and (G, T_held, D)
    pooled : torch.Tensor, shape (G, T, D)
        All rows, for drawing the product of marginals in the estimate.
    coord_var : torch.Tensor of int64, shape (D,)
        Variable that each coordinate belongs to.
    n_vars : int
    source_cov, target_cov : torch.Tensor, shape (G, D, D), float64
        Covariance of the source (product of marginals) and of the data, over
        all rows: the estimate's closed-form Gaussian part.
    fit_source_cov, fit_target_cov : torch.Tensor, shape (G, D, D), float64
        The same over the training rows alone: the linear field that training
        and held-out selection subtract.  With all rows' covariance there the
        network gains on training rows by fitting their own covariance's
        departure from it (a linear map of D^2 entries, 1,600 of them at 40
        coordinates), and the same departure, of opposite sign and four times
        larger on the held-out fifth, makes the held-out loss rise from the
        first evaluation.
    """

    train: torch.Tensor
    held_out: torch.Tensor
    pooled: torch.Tensor
    coord_var: torch.Tensor
    n_vars: int
    source_cov: torch.Tensor
    target_cov: torch.Tensor
    fit_source_cov: torch.Tensor
    fit_target_cov: torch.Tensor

    def repeat(self, times: int) -> "PreparedGroups":
        """Each group ``times`` times in a row (ensemble members share rows and split)."""
        if times == 1:
            return self
        return self._per_group(lambda t: t.repeat_interleave(times, dim=0))

    def select(self, index: torch.Tensor) -> "PreparedGroups":
        """The groups at ``index`` (int64), in that order."""
        return self._per_group(lambda t: t[index])

    def _per_group(self, transform: Callable[[torch.Tensor], torch.Tensor]) -> "PreparedGroups":
        return replace(self, **{name: transform(getattr(self, name)) for name in PER_GROUP_FIELDS})


def prepare_groups(
    samples: np.ndarray,
    coord_var: np.ndarray,
    config: JointConfig,
    generator: torch.Generator,
    device: torch.device,
) -> PreparedGroups:
    """Normalise marginals, split rows into training and held-out parts.

    Parameters
    ----------
    samples : numpy.ndarray, shape (G, T, D)
    coord_var : numpy.ndarray of int, shape (D,)
        Variable index of each coordinate (0 .. n - 1).
    config : JointConfig
    generator : torch.Generator
        Decides the split (same split for every group).
    device : torch.device
    """
    x = normalise_marginals(np.asarray(samples, dtype=np.float64), config.marginals)
    n_rows = x.shape[1]
    order = torch.randperm(n_rows, generator=generator, device=generator.device).cpu().numpy()
    n_held = max(int(round(config.holdout * n_rows)), 2)
    pooled64 = torch.as_tensor(x, device=device)  # (G, T, D)
    var = torch.as_tensor(coord_var, dtype=torch.int64, device=device)
    train_rows = torch.as_tensor(order[n_held:], device=device)
    target_cov, source_cov = _covariances(pooled64, var, config.source)
    fit_target_cov, fit_source_cov = _covariances(pooled64[:, train_rows], var, config.source)
    pooled = pooled64.float()
    return PreparedGroups(
        train=pooled[:, train_rows],
        held_out=pooled[:, torch.as_tensor(order[:n_held], device=device)],
        pooled=pooled,
        coord_var=var,
        n_vars=int(coord_var.max()) + 1,
        source_cov=source_cov,
        target_cov=target_cov,
        fit_source_cov=fit_source_cov,
        fit_target_cov=fit_target_cov,
    )


def _covariances(rows: torch.Tensor, coord_var: torch.Tensor, source: str) -> tuple[torch.Tensor, torch.Tensor]:
    """Data and source covariances (G, D, D) of ``rows`` (G, T, D), float64."""
    target = torch.einsum("gti,gtj->gij", rows, rows) / (rows.shape[1] - 1)
    if source == "gaussian":
        return target, torch.eye(rows.shape[2], dtype=rows.dtype, device=rows.device).expand_as(target).clone()
    return target, block_diagonal(target, coord_var)


def draw_source(
    rows: torch.Tensor, n_draws: int, data: PreparedGroups, config: JointConfig, generator: torch.Generator
) -> torch.Tensor:
    """Draw ``n_draws`` samples per group of the product of marginals.

    ``shuffle``: each variable's block comes from an independent random row of
    ``rows`` (G, T_rows, D); ``gaussian``: standard normal.

    Returns
    -------
    torch.Tensor, shape (G, n_draws, D)
    """
    g, t, d = rows.shape
    if config.source == "gaussian":
        return torch.randn(g, n_draws, d, generator=generator, device=rows.device)
    pick = torch.randint(t, (g, n_draws, data.n_vars), generator=generator, device=rows.device)
    return rows.gather(1, pick[..., data.coord_var])  # (G, n_draws, D)


def draw_rows(rows: torch.Tensor, n_draws: int, generator: torch.Generator) -> torch.Tensor:
    """Draw ``n_draws`` random joint rows per group from (G, T_rows, D)."""
    g, t, d = rows.shape
    pick = torch.randint(t, (g, n_draws, 1), generator=generator, device=rows.device)
    return rows.gather(1, pick.expand(g, n_draws, d))
