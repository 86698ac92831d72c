"""Train every group's residual velocity field at once by flow matching.

The regression target of the residual network is ``u - v_lin(x_tau, tau)``,
the part of the flow-matching target that the closed-form linear field does not
explain, and the loss counts only the coordinates that move along the sampled
path (the others never enter a divergence).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import torch
from tqdm.auto import tqdm

from fmri_oinfo.engine.joint.config import JointConfig
from fmri_oinfo.engine.joint.data import PreparedGroups, draw_rows, draw_source
from fmri_oinfo.engine.joint.linear import linear_velocity
from fmri_oinfo.engine.joint.network import Params, init_params, input_dim, residual_velocity, variable_pool
from fmri_oinfo.engine.joint.paths import FlowPaths
from fmri_oinfo.engine.schedule import warp

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FlowBatch:
    """One batch of flow-matching examples for every group."""

    x: torch.Tensor  # (G, B, D) positions x_tau, zero on coordinates still at the source
    tau_var: torch.Tensor  # (G, B, n) per-variable time
    target: torch.Tensor  # (G, B, D) residual target u - v_lin
    moving: torch.Tensor  # (G, B, D) 1 on coordinates that move
    pool: torch.Tensor  # (D, n) per-variable averaging (network input)

    def select(self, index: torch.Tensor) -> "FlowBatch":
        """The examples of the groups at ``index`` (int64)."""
        return FlowBatch(
            x=self.x[index], tau_var=self.tau_var[index], target=self.target[index], moving=self.moving[index],
            pool=self.pool,
        )


def draw_batch(
    rows: torch.Tensor,
    size: int,
    data: PreparedGroups,
    paths: FlowPaths,
    config: JointConfig,
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
    v_lin = linear_velocity(x.double(), tau.double(), data.fit_source_cov, data.fit_target_cov).float()
    u = x1 - x0
    # coordinates still at the source are independent noise: hide them
    return FlowBatch(x=x * (moving + fixed), tau_var=s * var_time + var_fixed, target=u - v_lin, moving=moving,
                     pool=variable_pool(data.coord_var))


#: Held-out selection keeps new weights only when their mean loss gain over the
#: fixed held-out examples exceeds this many standard errors of that gain.
#: Keeping any gain at all let noise through: on a Gaussian synergistic triplet
#: (150 steps) a member kept weights 1e-4 better on held-out rows that moved
#: its O-information by +0.055 nats, where the Gaussian part was right.
SELECTION_Z = 2.0


def example_losses(params: Params, batch: FlowBatch) -> torch.Tensor:
    """Squared residual error over moving coordinates per example, shape (G, B)."""
    r = residual_velocity(params, batch.x, batch.tau_var, batch.pool)  # (G, B, D)
    return (((r - batch.target) ** 2) * batch.moving).sum(-1)


def batch_loss(params: Params, batch: FlowBatch) -> torch.Tensor:
    """Per-group mean squared residual error over moving coordinates, shape (G,)."""
    return example_losses(params, batch).mean(-1)


def significant_gain(candidate: torch.Tensor, incumbent: torch.Tensor) -> torch.Tensor:
    """Whether the per-example losses ``candidate`` (G, B) beat ``incumbent`` beyond noise, shape (G,)."""
    gain = incumbent - candidate  # paired: same examples, same draws
    return gain.mean(-1) > SELECTION_Z * gain.std(-1) / gain.shape[-1] ** 0.5


def train_residuals(
    data: PreparedGroups,
    paths: FlowPaths,
    config: JointConfig,
    generator: torch.Generator,
    progress: bool = False,
) -> tuple[Params, dict[str, list[float]]]:
    """Train the residual networks of all groups; return the selected weights.

    Weights are averaged (EMA); every ``eval_every`` steps the averaged weights
    are scored on a fixed held-out batch, each group keeps its best weights (the
    zero residual, i.e. the Gaussian estimate, included; new weights replace
    them only when their gain on the held-out examples exceeds
    ``SELECTION_Z`` standard errors of the paired gain), and a group stops
    when it has not improved for ``patience`` evaluations, but not before
    ``min_steps`` (the loss of a zero-initialised residual often plateaus
    first).  A stopped group leaves the batched computation, so each group
    trains as long as it would alone and the batch does not wait for its
    slowest member.

    Returns
    -------
    params : list of torch.Tensor
        Selected weights per group.
    history : dict
        At each evaluation: ``step``, the mean held-out ``loss`` of the groups
        still training, and ``group_steps``, the training steps summed over
        groups so far; and ``learnt``, per group, whether its selected weights
        beat the zero residual (False: its estimate is the Gaussian part alone).
    """
    g, _, d = data.train.shape
    device = data.train.device
    params = init_params(g, input_dim(d, data.n_vars), d, config.width, config.depth, generator, device=device)
    for p in params:
        p.requires_grad_(True)
    ema = [p.detach().clone() for p in params]
    best = [p.detach().clone() for p in params]
    optimizer = torch.optim.AdamW(params, lr=config.learning_rate, weight_decay=config.weight_decay)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(  # cosine decay to 5 % of the peak
        optimizer, T_max=config.steps, eta_min=0.05 * config.learning_rate
    )
    eval_batch = draw_batch(data.held_out, config.eval_batch_size, data, paths, config, generator)
    with torch.no_grad():
        best_loss = batch_loss(best, eval_batch)  # (G,)
    stale = torch.zeros(g, dtype=torch.int64, device=device)
    learnt = torch.zeros(g, dtype=torch.bool, device=device)  # ever beat the zero residual (Gaussian part)
    active = torch.arange(g, device=device)  # groups still training
    active_data, active_eval = data, eval_batch
    group_steps = 0
    history: dict[str, list[float]] = {"step": [0], "loss": [float(best_loss.mean())], "group_steps": [0]}
    bar = tqdm(total=config.steps, disable=not progress, desc=f"FMMI training ({g} groups)", leave=False)
    for step in range(1, config.steps + 1):
        # stopped groups' rows still get Adam updates from momentum; their
        # selected weights live in ``best`` and are no longer touched
        trained = params if len(active) == g else [p[active] for p in params]
        batch = draw_batch(active_data.train, config.batch_size, active_data, paths, config, generator)
        optimizer.zero_grad(set_to_none=True)
        batch_loss(trained, batch).sum().backward()
        optimizer.step()
        schedule.step()
        with torch.no_grad():
            for e, p in zip(ema, params):
                e.lerp_(p, 1.0 - config.ema_decay)
        group_steps += len(active)
        bar.update(1)
        if step % config.eval_every and step != config.steps:
            continue
        with torch.no_grad():
            per_example = example_losses([e[active] for e in ema], active_eval)
            loss = per_example.mean(-1)
            improved = significant_gain(per_example, example_losses([b[active] for b in best], active_eval))
            best_loss[active] = torch.where(improved, loss, best_loss[active])
            stale[active] = torch.where(improved, 0, stale[active] + 1)
            learnt[active] |= improved
            for b, e in zip(best, ema):
                b[active] = torch.where(improved.view(-1, 1, 1), e[active], b[active])
        history["step"].append(step)
        history["loss"].append(float(loss.mean()))
        history["group_steps"].append(group_steps)
        if step < config.min_steps:
            continue
        still = stale[active] < config.patience
        if not bool(still.any()):
            logger.info("early stop at step %d: no group improved for %d evaluations", step, config.patience)
            break
        if not bool(still.all()):
            active = active[still]
            active_data, active_eval = data.select(active), eval_batch.select(active)
    bar.close()
    history["learnt"] = learnt.tolist()
    return best, history
