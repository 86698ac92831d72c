"""The joint (per-set, multi-coordinate) FMMI engine against in-sample oracles.

Prints one row per (system, decomposition): the in-sample oracle, the
estimate, its standard error, the error in % of the oracle, whether +-1.96 SE
covers the error, the seconds it took and the divergence route (exact
Jacobian diagonal or Hutchinson's estimator, and the widest moving block).

Systems: Student-t (nu = 5) with 5 variables x 8 coordinates (O-information;
``subsets`` moves all 40 coordinates at once, so Hutchinson; ``chain`` moves
one 8-coordinate variable, so exact), and the seed paper's MI case (a
bivariate Gaussian with rho = 0.9, MI 0.8304 nats; jFMMI).

Examples
--------
    python benchmarks/engine_joint.py                      # every row, T = 2,000
    python benchmarks/engine_joint.py --only chain --set steps=1000
    python benchmarks/engine_joint.py --only paper --samples 10000
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fmri_oinfo.engine.joint.config import JointConfig, parse_option_strings  # noqa: E402
from fmri_oinfo.engine.joint.core import fmmi_subset_tc  # noqa: E402
from fmri_oinfo.engine.joint.data import prepare_groups  # noqa: E402
from fmri_oinfo.engine.joint.estimation import estimate_paths, use_exact_divergence  # noqa: E402
from fmri_oinfo.engine.joint.paths import flow_paths  # noqa: E402
from fmri_oinfo.engine.joint.network import init_params, input_dim  # noqa: E402
from fmri_oinfo.engine.joint.training import batch_loss, draw_batch, train_residuals  # noqa: E402
from fmri_oinfo.engine.threads import torch_threads  # noqa: E402
from fmri_oinfo.engine.cmi_plan import _add, plan_combinations, tc_terms  # noqa: E402
from fmri_oinfo.engine.subject import SubjectFlowModel  # noqa: E402
from fmri_oinfo.measures import subset_plan  # noqa: E402
from fmri_oinfo.synthetic import GroundTruthSystem, redundant_block  # noqa: E402

HEADER = (f"{'system':34s} {'paths':>8s} {'oracle':>7s} {'estimate':>8s} {'se':>6s} {'err %':>7s} "
          f"{'covered':>7s} {'sec':>6s}  divergence")


def row(name: str, decomposition: str, oracle: float, value: float, se: float, seconds: float, route: str) -> str:
    err = value - oracle
    covered = "yes" if abs(err) <= 1.96 * se else "no"
    return (f"{name:34s} {decomposition:>8s} {oracle:7.3f} {value:8.3f} {se:6.3f} {100 * err / oracle:+7.1f} "
            f"{covered:>7s} {seconds:6.0f}  {route}")


def route(config: JointConfig, widest: int) -> str:
    kind = "exact" if use_exact_divergence(config, widest) else f"hutchinson x{config.hutchinson_probes}"
    return f"{kind} ({widest} coords)"


def student_t_rows(n_samples: int, seed: int, decompositions: list[str], overrides: dict, device: str) -> None:
    """Train once per decomposition, then estimate with the exact and with Hutchinson's divergence."""
    system = GroundTruthSystem(redundant_block(5, 0.3), dims=8, nu=5)
    n, dims = system.n_variables, system.dims
    plan = subset_plan(n)
    x = system.sample(n_samples, seed=seed)
    oracle = float(system.in_sample_measures(x, np.arange(n)[None])["o_info"][0])
    dev = torch.device(device)
    for decomposition in decompositions:
        config = JointConfig.from_options(**{"decomposition": decomposition, **overrides})
        widest = n * dims if decomposition == "subsets" else dims
        with torch_threads(config.cpu_threads if dev.type == "cpu" else torch.get_num_threads()):
            generator = torch.Generator(device=dev).manual_seed(seed)
            start = time.perf_counter()
            data = prepare_groups(x[None], np.repeat(np.arange(n), dims), config, generator, dev).repeat(config.ensemble)
            paths = flow_paths(plan.masks, data.coord_var, plan.weights, decomposition)
            params, history = train_residuals(data, paths, config, generator)
            trained = time.perf_counter() - start
            for divergence in ("exact", "hutchinson"):
                chosen = replace(config, divergence=divergence)
                start = time.perf_counter()
                estimate = estimate_paths(params, data, paths, chosen, torch.Generator(device=dev).manual_seed(seed + 1))
                estimate = estimate.average_members(config.ensemble).combine(paths.to_subsets)
                seconds = time.perf_counter() - start
                value = float(estimate.value[0].cpu().numpy() @ plan.weights[:, 2])
                gaussian = float(estimate.gaussian[0].cpu().numpy() @ plan.weights[:, 2])
                se = float(estimate.standard_error(plan.weights)[0, 2])
                print(row(f"t5 5x8 O-info T={n_samples} (G {gaussian:.3f})", decomposition, oracle, value, se,
                          trained + seconds, route(chosen, widest))
                      + f"  (train {trained:.0f} s, estimate {seconds:.0f} s, steps {history['step'][-1]}, "
                        f"learnt {history['learnt']})", flush=True)


def subject_chain_row(n_samples: int, seed: int, device: str) -> None:
    """The same O-information from the subject model: a chain of one-coordinate conditionals.

    Over variables, ``Omega = (2 - n) TC(all) + sum_j TC(-j) - sum_v TC(v)`` with
    every TC taken over columns (the within-variable TCs cancel the
    coordinates' own dependence), each a chain of scalar conditional MIs.
    """
    system = GroundTruthSystem(redundant_block(5, 0.3), dims=8, nu=5)
    n, dims = system.n_variables, system.dims
    x = system.sample(n_samples, seed=seed)
    oracle = float(system.in_sample_measures(x, np.arange(n)[None])["o_info"][0])
    cols = [list(range(v * dims, (v + 1) * dims)) for v in range(n)]
    combination: dict = {}
    _add(combination, tc_terms(sum(cols, [])), 2.0 - n)
    for j in range(n):
        _add(combination, tc_terms(sum((c for v, c in enumerate(cols) if v != j), [])))
        _add(combination, tc_terms(cols[j]), -1.0)
    combination = {p: c for p, c in combination.items() if c != 0.0}
    start = time.perf_counter()
    model = SubjectFlowModel(device=device, seed=seed).fit(x, pairs=list(combination))
    answer = model._answer(plan_combinations([[combination]]))  # the signed sum with its joint standard error
    seconds = time.perf_counter() - start
    print(row(f"t5 5x8 O-info T={n_samples}", "subject", oracle, float(answer.estimate[0]), float(answer.se[0]),
              seconds, f"exact (1 coord; {len(combination)} scalar conditionals)"), flush=True)


def paper_row(n_samples: int, seed: int, overrides: dict, device: str) -> None:
    rho = 0.9
    system = GroundTruthSystem(np.array([[1.0, rho], [rho, 1.0]]))
    x = system.sample(n_samples, seed=seed)
    oracle = float(system.pointwise_mi(x, np.array([0]), np.array([1])).mean())
    config = JointConfig.from_options(**{"decomposition": "subsets", **overrides})
    masks = np.ones((1, 2), dtype=bool)
    start = time.perf_counter()
    estimate, history = fmmi_subset_tc(x[None], np.arange(2), masks, config, torch.device(device), seed=seed)
    seconds = time.perf_counter() - start
    value = float(estimate.value[0, 0])
    se = float(estimate.standard_error(np.ones((1, 1)))[0, 0])
    print(row(f"paper MI rho=0.9 T={n_samples} (0.830)", "subsets", oracle, value, se, seconds, route(config, 2))
          + f"  steps {history['step'][-1]}", flush=True)


def diagnose(n_samples: int, seed: int, steps: int, pooled_cov: bool, overrides: dict) -> None:
    """Held-out and training-row loss of the EMA field relative to the zero residual, every 50 steps.

    One member, chain paths, no early stopping; 8,192 fixed flow-matching
    examples from held-out rows and 8,192 from training rows (fresh source
    and time draws).  A field that generalises lowers both; one that fits the
    training rows lowers only the second.
    """
    system = GroundTruthSystem(redundant_block(5, 0.3), dims=8, nu=5)
    n, dims = system.n_variables, system.dims
    x = system.sample(n_samples, seed=seed)
    plan = subset_plan(n)
    config = JointConfig.from_options(**{"steps": steps, "ensemble": 1, **overrides})
    torch.set_num_threads(config.cpu_threads)
    generator = torch.Generator().manual_seed(seed)
    data = prepare_groups(x[None], np.repeat(np.arange(n), dims), config, generator, torch.device("cpu"))
    if pooled_cov:
        data = replace(data, fit_target_cov=data.target_cov, fit_source_cov=data.source_cov)
    paths = flow_paths(plan.masks, data.coord_var, plan.weights, config.decomposition)
    d = data.train.shape[-1]
    params = init_params(1, input_dim(d, data.n_vars), d, config.width, config.depth, generator)
    for p in params:
        p.requires_grad_(True)
    ema = [p.detach().clone() for p in params]
    optimizer = torch.optim.AdamW(params, lr=config.learning_rate, weight_decay=config.weight_decay)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=steps, eta_min=0.05 * config.learning_rate)
    held = draw_batch(data.held_out, 8192, data, paths, config, generator)
    train = draw_batch(data.train, 8192, data, paths, config, generator)
    zero = [torch.zeros_like(p) for p in params]
    with torch.no_grad():
        held0, train0 = float(batch_loss(zero, held)), float(batch_loss(zero, train))
    print(f"zero residual: held-out loss {held0:.4f}, training-row loss {train0:.4f}")
    for step in range(1, steps + 1):
        batch = draw_batch(data.train, config.batch_size, data, paths, config, generator)
        optimizer.zero_grad()
        batch_loss(params, batch).sum().backward()
        optimizer.step()
        schedule.step()
        with torch.no_grad():
            for e, p in zip(ema, params):
                e.lerp_(p, 1.0 - config.ema_decay)
            if step % 50 == 0:
                print(f"step {step:5d}: held-out {float(batch_loss(ema, held)) - held0:+.4f}  "
                      f"training rows {float(batch_loss(ema, train)) - train0:+.4f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", default="", choices=["", "chain", "subsets", "subject", "paper"])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--diagnose", type=int, default=0, metavar="STEPS",
                        help="print held-out vs training-row loss curves for STEPS steps instead of the table")
    parser.add_argument("--pooled-cov", action="store_true", help="with --diagnose: v_lin from all rows")
    parser.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE", help="JointConfig overrides")
    args = parser.parse_args()
    overrides = parse_option_strings(args.set)
    if args.diagnose:
        diagnose(args.samples, args.seed, args.diagnose, args.pooled_cov, overrides)
        return
    print(HEADER, flush=True)
    decompositions = [d for d in ("chain", "subsets") if args.only in ("", d)]
    if decompositions:
        student_t_rows(args.samples, args.seed, decompositions, overrides, args.device)
    if args.only in ("", "subject"):
        subject_chain_row(args.samples, args.seed, args.device)
    if args.only in ("", "paper"):
        paper_row(args.samples, args.seed, overrides, args.device)


if __name__ == "__main__":
    main()
