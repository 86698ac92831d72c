"""Settings of the joint (per-set, multi-coordinate) FMMI engine, as one frozen dataclass."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

from fmri_oinfo.engine.marginals import MARGINALS

SOURCES = ("shuffle", "gaussian")
DIVERGENCES = ("auto", "exact", "hutchinson")
DECOMPOSITIONS = ("subsets", "chain")


@dataclass(frozen=True)
class JointConfig:
    """Every setting of the joint engine (:func:`fmri_oinfo.engine.joint.core.fmmi_subset_tc`).

    The joint engine trains one time-amortised field per set and moves whole
    variables, each possibly several coordinates: the route for
    multi-dimensional variables and for one path per subset (the FMMI paper's
    jFMMI); scalar regions are the subject model's job
    (:class:`fmri_oinfo.engine.subject.SubjectFlowModel`).

    Parameters
    ----------
    marginals : {"standardize", "power", "gaussianize", "copula"}
        Per-variable preprocessing (:mod:`fmri_oinfo.engine.marginals`):
        z-scoring; a Yeo-Johnson power transform (smooth, fitted by maximum
        likelihood); Yeo-Johnson followed by the Lambert W heavy-tail inverse
        where a column's tails are heavier than a normal's; or a rank
        transform to normal scores.  All keep every information measure.
        ``gaussianize`` is the default: heavy tails make the flow-matching
        target's variance depend on a few extreme rows, and on the five-variable
        Student-t system t5-red (nu = 3, 4 replicates, batch 2048) the mean
        error of the O-information fell from 0.035 to 0.011 nats against
        ``power`` (``benchmarks/README.md``); being smooth,
        it keeps near-deterministic relations sharp, which ``copula`` blurs
        (-10 % on the sum triplet at T = 1,200).
    source : {"shuffle", "gaussian"}
        Draw the product of marginals by permuting each variable's rows
        independently (as in the FMMI paper), or fresh from N(0, I) (only valid
        with ``marginals="copula"``).
    decomposition : {"subsets", "chain"}
        Which flow paths make the subset TCs (see :mod:`fmri_oinfo.engine.joint.paths`):
        one path per subset, every variable of the subset moving (the FMMI
        paper, jFMMI), or one moving variable per path (smaller subsets peeled
        from a planned superset, the whole set's TC a chain).  ``chain`` is the
        default: on Student-t systems its O-information error was 2-7x smaller
        than ``subsets``, and every divergence is over one variable's coordinates.
    width, depth : int
        Hidden width and number of hidden layers of the residual network.
        With ``time_power``, ``steps`` and ``min_steps`` as set here the
        Student-t (nu = 5) system of 5 variables x 8 coordinates at T = 2,000
        gave O 1.787 against an in-sample oracle of 1.739 (SE 0.19, one
        seed); width 128, time power 1.5 and 1,000-2,000 steps gave 1.544
        (``benchmarks/README.md``).  The changes were made together; on a
        Student-t system of 3 variables x 3 coordinates (400 steps) each
        helped on its own (TC 0.448 at width 64 and time power 1.5, 0.499
        with time power 1, 0.526 at width 32; oracle 0.626): a wider network
        spends its steps fitting the training rows, which pays most near
        ``s = 1``.
    steps : int
        Maximum training steps (early stopping may end sooner).
    batch_size : int
        Training samples per step and group.  The non-Gaussian residual is a
        small signal beside the noise of the flow-matching target, so it
        needs many samples per step.  On t5-red (4 replicates, Gaussianised
        marginals) 512 with 2e-3 left it unlearnt after 2,000 steps (mean
        error of O 0.104 nats) and at 0.027 after 8,000; 2048 with
        ``learning_rate=4e-3`` reached 0.011 within 2,000 steps.
    learning_rate : float
        Peak Adam learning rate (cosine decay to 5 % of it).
    weight_decay : float
        Decoupled (AdamW) weight decay of the residual network.
    ema_decay : float
        Decay of the exponential moving average of weights used to estimate.
    time_power : float
        Times are ``s = 1 - (1 - t) ** time_power`` with ``t`` uniform (training)
        or Gauss-Legendre (estimation): values above 1 put more weight near
        ``s = 1``, where the field is hardest.
    quadrature_nodes : int
        Gauss-Legendre nodes over ``t``.
    eval_samples : int
        Held-out rows used for the estimate (fewer if fewer are held out).
    source_draws : int
        Source draws per held-out row in the estimate.
    divergence : {"auto", "exact", "hutchinson"}
        Exact Jacobian diagonal, or Hutchinson's estimator with Rademacher probes.
        ``auto`` uses exact divergence on paths that move up to
        ``exact_max_dims`` coordinates (with ``decomposition="chain"`` every
        path moves one variable, so Hutchinson serves only multi-dimensional
        variables wider than that).
    exact_max_dims : int
    hutchinson_probes : int
    holdout : float
        Fraction of rows held out from training (for the estimate and early
        stopping).
    eval_every : int
        Steps between held-out loss evaluations (early stopping).
    eval_batch_size : int
        Held-out flow-matching examples scored at each evaluation (the same
        examples every time).  The loss gain of the non-Gaussian residual is
        small beside the noise of the flow-matching target, so the selection
        needs many examples to see it.
    patience : int
        Evaluations without improvement before stopping.
    min_steps : int
        Steps before early stopping may end training.
    ensemble : int
        Independently trained fields per group (own initial weights, training
        draws and source draws; the same split), trained as extra groups of
        the same batched computation and averaged.  The spread between them
        (what a different seed would have given) enters the standard error;
        averaging E members divides that spread's variance by E.  Default 2:
        with the defaults above, members of one group spread by about 0.02
        nats on five-variable Student-t systems, and two of them put 10 of
        18 estimates within tolerance (the engine issue's closing notes, six
        Student-t systems, 3 data replicates each); raise it where time
        allows (it is nearly free on a GPU).
    cpu_threads : int
        Torch threads while the engine runs on the CPU.  The engine's matrices
        are small, so one thread is fastest (measured: 2 threads were 100x
        slower per step on a loaded 2-core machine); run groups in parallel
        processes (Dask workers) to use more cores.
    """

    marginals: str = "gaussianize"
    decomposition: str = "chain"
    source: str = "shuffle"
    width: int = 64
    depth: int = 3
    steps: int = 600
    batch_size: int = 2048
    learning_rate: float = 4e-3
    weight_decay: float = 0.0
    ema_decay: float = 0.99
    time_power: float = 1.0
    quadrature_nodes: int = 16
    eval_samples: int = 2000
    source_draws: int = 1
    divergence: str = "auto"
    exact_max_dims: int = 12
    hutchinson_probes: int = 1
    holdout: float = 0.2
    eval_every: int = 100
    eval_batch_size: int = 2048
    patience: int = 5
    min_steps: int = 300
    ensemble: int = 2
    cpu_threads: int = 1

    def __post_init__(self) -> None:
        _choice("marginals", self.marginals, MARGINALS)
        _choice("source", self.source, SOURCES)
        _choice("divergence", self.divergence, DIVERGENCES)
        _choice("decomposition", self.decomposition, DECOMPOSITIONS)
        if self.source == "gaussian" and self.marginals != "copula":
            raise ValueError("source='gaussian' needs marginals='copula' (normal marginals).")
        for name in ("width", "depth", "steps", "batch_size", "quadrature_nodes", "eval_samples",
                     "source_draws", "hutchinson_probes", "eval_every", "eval_batch_size", "patience",
                     "ensemble", "cpu_threads"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name}={getattr(self, name)} must be a positive integer.")
        if not 0.0 < self.holdout < 1.0:
            raise ValueError(f"holdout={self.holdout} must lie in (0, 1).")
        if not 0.0 <= self.ema_decay < 1.0:
            raise ValueError(f"ema_decay={self.ema_decay} must lie in [0, 1).")
        if self.time_power < 1.0:
            raise ValueError(f"time_power={self.time_power} must be >= 1.")

    @classmethod
    def from_options(cls, **options: Any) -> "JointConfig":
        """Build a config from keyword options, naming any unknown key."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(options) - known)
        if unknown:
            raise ValueError(f"unknown joint FMMI option(s) {unknown}; known options: {sorted(known)}.")
        return replace(cls(), **options)


def parse_option_strings(items: list[str]) -> dict[str, Any]:
    """Turn ``["steps=500", "marginals=copula"]`` into typed options (int, float or str)."""
    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep:
            raise ValueError(f"option {item!r} is not of the form KEY=VALUE.")
        for cast in (int, float):
            try:
                out[key] = cast(value)
                break
            except ValueError:
                continue
        else:
            out[key] = value
    return out


def _choice(name: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ValueError(f"{name}={value!r}; use one of {list(allowed)}.")
