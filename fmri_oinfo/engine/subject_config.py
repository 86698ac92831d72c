"""Settings of the subject model, as one frozen dataclass."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

from fmri_oinfo.engine.conditional_net import ENCODERS, HEADS

MARGINAL_MAPS = ("copula", "gaussianize")


@dataclass(frozen=True)
class SubjectFlowConfig:
    """Every setting of :class:`fmri_oinfo.engine.subject.SubjectFlowModel`.

    Parameters
    ----------
    marginals : {"copula", "gaussianize"}
        Per-region monotone map to normal marginals before anything else: rank
        normal scores, or the smooth Yeo-Johnson and Lambert W
        Gaussianisation (:mod:`fmri_oinfo.engine.marginals`).  ``copula`` is
        the default: on Gaussian data seen through exp and cube transforms
        (T = 1,200, 2 seeds) it was +3.9 % and -1.4 % off the in-sample
        oracle against +21 % and +25 % (the parametric maps do not undo
        those transforms), and on the multiplicative triplet both were
        +3.0 %.
    encoder : {"set", "masked"}
        How the conditioning set is read (:mod:`fmri_oinfo.engine.conditional_net`).
    head : {"flow", "mixture"}
        Flow matching (FMMI), or a maximum-likelihood Student-t mixture (a baseline).
    embed_dim, width, context_dim, components : int
        Region embedding size, hidden width, context size, mixture components.
    steps : int
        Most training steps (the learning rate decays over them).
    eval_every, patience, min_steps : int
        Every ``eval_every`` steps each member is scored on ``eval_size``
        held-out examples; it keeps its best weights, and training stops when
        no member has improved for ``patience`` evaluations (not before
        ``min_steps``).
    eval_size : int
        Held-out (row, pair) examples per member for that score.
    batch_size : int
        (row, pair) examples per step and member.
    time_draws : int
        (time, source) draws per example in a flow step.
    learning_rate, weight_decay, ema_decay : float
    time_power : float
        Training times and quadrature nodes are ``s = 1 - (1 - t) ** time_power``.
    quadrature_nodes, source_draws : int
        Times (one per stratum of warped time, randomly shifted per row) and
        source draws per row in the interpolant readout.  Their noise is part
        of each row's value, so the standard error sees it; on the
        multiplicative system (T = 1,200) 4 nodes and 1 draw gave the
        estimate and standard error of 16 nodes and 2 draws (-0.677 and 0.020
        against -0.674 and 0.019) at an eighth of the cost; 2 nodes began to
        add noise and 1 node raised the standard error by 40 %.
    folds : int
        Cross-fitting folds (contiguous blocks of rows): a row's value comes
        from a member that did not train on its fold, and every row counts.
    ensemble : int
        Independent cross-fitting replicates (own seeds, shifted folds); their
        spread enters the standard error.
    max_order : int
        Largest set the model answers when fitted without sets (random
        conditioning sets of up to ``max_order - 1`` regions).
    cpu_threads : int
        Torch threads while the model runs on the CPU.
    """

    marginals: str = "copula"
    encoder: str = "set"
    head: str = "flow"
    embed_dim: int = 16
    width: int = 64
    context_dim: int = 64
    components: int = 8
    steps: int = 3000
    eval_every: int = 100
    patience: int = 4
    min_steps: int = 300
    eval_size: int = 2048
    batch_size: int = 256
    time_draws: int = 8
    learning_rate: float = 3e-3
    weight_decay: float = 0.0
    ema_decay: float = 0.99
    time_power: float = 1.5
    quadrature_nodes: int = 4
    source_draws: int = 1
    folds: int = 5
    ensemble: int = 2
    max_order: int = 5
    cpu_threads: int = 1

    def __post_init__(self) -> None:
        for name, allowed in (
            ("marginals", MARGINAL_MAPS),
            ("encoder", ENCODERS),
            ("head", HEADS),
        ):
            if getattr(self, name) not in allowed:
                raise ValueError(f"{name}={getattr(self, name)!r}; use one of {list(allowed)}.")
        for name in ("embed_dim", "width", "context_dim", "components", "steps", "eval_every", "patience",
                     "eval_size", "batch_size", "time_draws",
                     "quadrature_nodes", "source_draws", "ensemble", "cpu_threads"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name}={value!r} must be a positive integer.")
        if not isinstance(self.min_steps, int) or self.min_steps < 0:
            raise ValueError(f"min_steps={self.min_steps!r} must be a non-negative integer.")
        if not isinstance(self.folds, int) or self.folds < 2:
            raise ValueError(f"folds={self.folds!r} must be an integer >= 2 (cross-fitting needs held-out rows).")
        if not isinstance(self.max_order, int) or self.max_order < 3:
            raise ValueError(f"max_order={self.max_order!r} must be an integer >= 3.")
        if not 0.0 <= self.ema_decay < 1.0:
            raise ValueError(f"ema_decay={self.ema_decay} must lie in [0, 1).")
        if self.time_power < 1.0:
            raise ValueError(f"time_power={self.time_power} must be >= 1.")
        if self.learning_rate <= 0:
            raise ValueError(f"learning_rate={self.learning_rate} must be positive.")

    @classmethod
    def from_options(cls, **options: Any) -> "SubjectFlowConfig":
        """Build a config from keyword options, naming any unknown key."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(options) - known)
        if unknown:
            raise ValueError(f"unknown FMMI option(s) {unknown}; known options: {sorted(known)}.")
        return replace(cls(), **options)
