"""Train every group's residual velocity field at once by flow matching.

The regression target of the residual network is ``u - v_lin(x_tau, tau)``,
the part of the flow-matching target that the closed-form linear field does not
explain, and the loss counts only the coordinates that move along the sampled
path (the others never enter a divergence).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, fields

import torch
from tqdm.auto import tqdm

from fmri_oinfo.engine.config import FMMIConfig
from fmri_oinfo.engine.data import PreparedGroups, draw_rows, draw_source
from fmri_oinfo.engine.linear import linear_velocity
from fmri_oinfo.engine.network import Params, init_params, input_dim, residual_velocity
from fmri_oinfo.engine.paths import FlowPaths
from fmri_oinfo.engine.schedule import warp

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FlowBatch:
    """One batch of flow-matching examples for every group."""

    x: torch.Tensor  # (G, B, D) positions x_tau, zero on coordinates still at the source
    tau_var: torch.Tensor  # (G, B, n) per-variable time
    target: torch.Tensor  # (G, B, D) residual target u - v_lin
    moving: torch.Tensor  # (G, B, D) 1 on coordinates that move

    def select(self, index: torch.Tensor) -> "FlowBatch":
        """The examples of the groups at ``index``."""
        return FlowBatch(**{f.name: getattr(self, f.name)[index] for f in fields(self)})


def draw_batch(
    rows: torch.Tensor,
    size: int,
    data: PreparedGroups,
    paths: FlowPaths,
    config: FMMIConfig,
    generator: torch.Generator,
) -> FlowBatch:
    """Draw flow-matching examples from the rows (G, T, D) of every group."""
    g = rows.shape[0]
    x1 = draw_rows(rows, size, generator)  # (G, B, D)
    x0 = draw_source(rows, size, data, config, generator)  # (G, B, D)
    which = torch.multinomial(paths.probabilities, g * size, replacement=True, generator=generator)
    moving = paths.coord_moving[which].reshape(g, size, -1).float()  # (G, B, D)
    fixed = paths.coord_fixed[which].reshape(g, size, -1).float()  # (G, B, D)
    var_time = paths.var_moving[which].reshape(g, size, -1)  # (G, B, n)
    var_fixed = paths.var_fixed[which].reshape(g, size, -1)  # (G, B, n)
    s = warp(torch.rand(g, size, 1, generator=generator, device=rows.device), config.time_power)  # (G, B, 1)
    tau = s * moving + fixed  # (G, B, D)
    x = (1.0 - tau) * x0 + tau * x1
    v_lin = linear_velocity(x.double(), tau.double(), data.source_cov, data.target_cov).float()
    if config.target == "stable":
        u = stable_target(x, x0, x1, s, moving, fixed, draw_rows(rows, config.reference_size, generator))
    else:
        u = x1 - x0
    # coordinates still at the source are independent noise: hide them
    return FlowBatch(x=x * (moving + fixed), tau_var=s * var_time + var_fixed, target=u - v_lin, moving=moving)


def stable_target(
    x: torch.Tensor,
    x0: torch.Tensor,
    x1: torch.Tensor,
    s: torch.Tensor,
    moving: torch.Tensor,
    fixed: torch.Tensor,
    reference: torch.Tensor,
) -> torch.Tensor:
    """Lower-variance flow-matching target for a standard normal source.

    ``E[u | x_tau]`` estimated by self-normalised importance weights over a
    reference batch of data rows plus the row that generated each example
    (a stable target field): with ``x0 ~ N(0, I)``, the likelihood of ``x_tau``
    given ``x1`` is ``N(s x1, (1 - s)^2 I)`` on the moving coordinates, and
    coordinates at the data must match exactly (so a conditional path keeps
    only the generating row: its target is the plain one).

    Parameters
    ----------
    x, x0, x1 : torch.Tensor, shape (G, B, D)
    s : torch.Tensor, shape (G, B, 1)
    moving, fixed : torch.Tensor, shape (G, B, D)
    reference : torch.Tensor, shape (G, K, D)

    Returns
    -------
    torch.Tensor, shape (G, B, D)
        Target velocity on moving coordinates (other coordinates are masked).
    """
    g, b, d = x.shape
    candidates = torch.cat(
        [x1[:, :, None, :], reference[:, None, :, :].expand(g, b, -1, d)], dim=2
    )  # (G, B, K + 1, D)
    gap = (1.0 - s).clamp_min(1e-4)  # (G, B, 1)
    resid = (x[:, :, None, :] - s[..., None] * candidates) * moving[:, :, None, :]  # (G, B, K + 1, D)
    logits = -(resid**2).sum(-1) / (2.0 * gap**2)  # (G, B, K + 1)
    mismatch = ((candidates != x1[:, :, None, :]) * fixed[:, :, None, :].bool()).any(-1)  # (G, B, K + 1)
    logits = logits.masked_fill(mismatch, float("-inf"))
    weights = torch.softmax(logits, dim=-1)
    shift = (weights[..., None] * (candidates - x1[:, :, None, :])).sum(dim=2)  # (G, B, D)
    # (x1_hat - x) / (1 - s) written as the own target plus a correction that
    # vanishes when the weights sit on the generating row (no 0/0 near s = 1)
    return (x1 - x0) + shift / gap


def batch_loss(params: Params, batch: FlowBatch) -> torch.Tensor:
    """Per-group mean squared residual error over moving coordinates, shape (G,)."""
    r = residual_velocity(params, batch.x, batch.tau_var)  # (G, B, D)
    return (((r - batch.target) ** 2) * batch.moving).sum(-1).mean(-1)


def learning_rate_factor(step: int, total_steps: int) -> float:
    """Cosine decay of the learning rate from 1 to 5 % of its peak over ``total_steps``."""
    return 0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * min(step / total_steps, 1.0)))


def make_optimizer(params: Params, config: FMMIConfig) -> torch.optim.AdamW:
    """AdamW over the residual weights (the learning rate is set at every step)."""
    return torch.optim.AdamW(params, lr=config.learning_rate, weight_decay=config.weight_decay)


def keep_groups(
    params: Params, ema: Params, optimizer: torch.optim.AdamW, keep: torch.Tensor, config: FMMIConfig
) -> tuple[Params, Params, torch.optim.AdamW]:
    """Drop the groups where ``keep`` is False from the weights, averages and optimizer state."""
    kept = [p.detach()[keep].clone().requires_grad_(True) for p in params]
    smaller = make_optimizer(kept, config)
    for old, new in zip(params, kept):
        smaller.state[new] = {
            name: value[keep].clone() if value.dim() > 0 else value.clone()
            for name, value in optimizer.state[old].items()
        }
    return kept, [e[keep] for e in ema], smaller


def train_residuals(
    data: PreparedGroups,
    paths: FlowPaths,
    config: FMMIConfig,
    generator: torch.Generator,
    progress: bool = False,
) -> tuple[Params, dict[str, list[float]]]:
    """Train the residual networks of all groups; return the selected weights.

    Weights are averaged (EMA); every ``eval_every`` steps the averaged weights
    are scored on a fixed held-out batch and each group keeps its best weights
    (the zero residual, i.e. the Gaussian estimate, included).  A group that has
    not improved for ``patience`` evaluations stops (not before ``min_steps``:
    the loss of a zero-initialised residual often plateaus first) and leaves the
    batched computation, so a batch stops each group where training it alone
    would have, and costs no more; training ends when every group has stopped
    or after ``steps``.

    Returns
    -------
    params : list of torch.Tensor
        Selected weights per group.
    history : dict
        At each evaluation: ``step``, the mean held-out ``loss`` of the groups
        still training, and ``group_steps``, the training steps of all groups
        so far (what the batch cost).
    """
    g, _, d = data.train.shape
    params = init_params(
        g, input_dim(d, data.n_vars), d, config.width, config.depth, generator, device=data.train.device
    )
    for p in params:
        p.requires_grad_(True)
    ema = [p.detach().clone() for p in params]
    best = [p.detach().clone() for p in params]
    optimizer = make_optimizer(params, config)
    eval_batch = draw_batch(data.held_out, config.eval_batch_size, data, paths, config, generator)
    with torch.no_grad():
        best_loss = batch_loss(best, eval_batch)  # (G,)
    stale = torch.zeros(g, dtype=torch.int64, device=best_loss.device)
    active = torch.arange(g, device=best_loss.device)  # groups still training
    live_data, live_eval = data, eval_batch
    history: dict[str, list[float]] = {"step": [0], "loss": [float(best_loss.mean())], "group_steps": [0]}
    group_steps = 0
    bar = tqdm(total=config.steps, disable=not progress, desc=f"FMMI training ({g} groups)", leave=False)
    for step in range(1, config.steps + 1):
        for group in optimizer.param_groups:
            group["lr"] = config.learning_rate * learning_rate_factor(step - 1, config.steps)
        batch = draw_batch(live_data.train, config.batch_size, live_data, paths, config, generator)
        optimizer.zero_grad(set_to_none=True)
        batch_loss(params, batch).sum().backward()
        optimizer.step()
        with torch.no_grad():
            for e, p in zip(ema, params):
                e.lerp_(p, 1.0 - config.ema_decay)
        group_steps += active.numel()
        bar.update(1)
        if step % config.eval_every and step != config.steps:
            continue
        with torch.no_grad():
            loss = batch_loss(ema, live_eval)  # (A,)
            improved = loss < best_loss[active]
            best_loss[active] = torch.where(improved, loss, best_loss[active])
            stale[active] = torch.where(improved, 0, stale[active] + 1)
            for b, e in zip(best, ema):
                b[active] = torch.where(improved.view(-1, *[1] * (e.dim() - 1)), e, b[active])
        history["step"].append(step)
        history["loss"].append(float(loss.mean()))
        history["group_steps"].append(group_steps)
        if step < config.min_steps:
            continue
        keep = stale[active] < config.patience
        if not bool(keep.any()):
            logger.info("early stop at step %d: no group improved for %d evaluations", step, config.patience)
            break
        if not bool(keep.all()):
            active = active[keep]
            live_data, live_eval = data.select(active), eval_batch.select(active)
            params, ema, optimizer = keep_groups(params, ema, optimizer, keep, config)
    bar.close()
    return best, history
