"""Cost of the FMMI subject model: train once per subject, then answer sets.

A subject of ``--regions`` regions and ``--samples`` rows (a Student-t system
with random mixed-sign correlations, nu = 5).  Two public calls are timed, at
the default pipeline's settings (``pipelines/default.toml``) unless ``--set``
changes them:

1. ``SubjectFlowModel(...).fit(x, sets=candidates)`` for ``--candidates``
   candidate sets of orders 3-5 (as the pipeline does), then
   ``oinfo(candidates)``: training seconds, answering seconds, sets/s;
2. ``SubjectFlowModel(...).fit(x)`` without sets (random conditioning sets of
   up to ``max_order - 1`` regions), then ``oinfo`` of ``--queries`` new random
   sets of orders 3-5: sets/s and CPU-seconds per set;

and, for comparison with the per-call route, ``estimate_oinfo(x, candidates,
estimator="fmmi")`` end to end; with ``--joint K``, the joint (per-set)
engine on K of the candidate sets at its defaults, one field per set
(:func:`fmri_oinfo.engine.fmmi_subset_tc`), which the subject model replaces
for scalar regions.

Usage::

    python benchmarks/engine_speed.py                       # 100 regions, T = 1,200 (minutes)
    python benchmarks/engine_speed.py --regions 30 --candidates 20 --queries 50 --set steps=200   # a quick look
    python benchmarks/engine_speed.py --device cuda
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine_accuracy import pipeline_options  # noqa: E402

from fmri_oinfo import estimate_oinfo  # noqa: E402
from fmri_oinfo.engine import JointConfig, SubjectFlowModel, fmmi_subset_tc  # noqa: E402
from fmri_oinfo.engine.joint.config import parse_option_strings  # noqa: E402
from fmri_oinfo.measures import subset_plan  # noqa: E402
from fmri_oinfo.synthetic import GroundTruthSystem, random_correlation  # noqa: E402


def random_sets(n_regions: int, count: int, rng: np.random.Generator) -> list[tuple[int, ...]]:
    """``count`` random sets of orders 3 to 5."""
    return [tuple(int(i) for i in rng.choice(n_regions, int(k), replace=False)) for k in rng.integers(3, 6, count)]


def clock() -> tuple[float, float]:
    """Wall and process CPU seconds."""
    return time.perf_counter(), time.process_time()


def since(start: tuple[float, float], device: torch.device) -> tuple[float, float]:
    if device.type == "cuda":
        torch.cuda.synchronize()
    wall, cpu = clock()
    return wall - start[0], cpu - start[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--regions", type=int, default=100)
    parser.add_argument("--samples", type=int, default=1200)
    parser.add_argument("--candidates", type=int, default=100, help="sets given to fit (the pipeline's route)")
    parser.add_argument("--queries", type=int, default=200, help="new sets asked of a model fitted without sets")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE", help="overrides of the pipeline options")
    parser.add_argument("--skip-end-to-end", action="store_true", help="skip the estimate_oinfo timing")
    parser.add_argument("--joint", type=int, default=0, metavar="K",
                        help="also time the joint per-set engine on K candidate sets")
    args = parser.parse_args()
    options = {**pipeline_options(), **parse_option_strings(args.set)}
    device = torch.device(args.device)
    rng = np.random.default_rng(0)
    x = GroundTruthSystem(random_correlation(args.regions, seed=0, strength=0.5), nu=5).sample(args.samples, seed=0)
    candidates = random_sets(args.regions, args.candidates, rng)
    queries = random_sets(args.regions, args.queries, rng)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"device={device} torch threads={torch.get_num_threads()} load={load:.1f} N={args.regions} "
          f"T={args.samples} options={options}")
    print(f"{'route':48s} {'train s':>8s} {'answer s':>9s} {'sets':>5s} {'sets/s':>7s} {'CPU-s/set':>9s} {'pairs':>6s} {'steps':>6s}")

    def report(route: str, model: SubjectFlowModel, train: tuple[float, float], answer: tuple[float, float],
               n_sets: int) -> None:
        print(f"{route:48s} {train[0]:8.1f} {answer[0]:9.1f} {n_sets:5d} {n_sets / answer[0]:7.2f} "
              f"{answer[1] / n_sets:9.3f} {len(model._values):6d} {model.history_['step'][-1]:6d}", flush=True)

    start = clock()
    model = SubjectFlowModel(device=args.device, **options).fit(x, sets=candidates)
    train = since(start, device)
    start = clock()
    model.oinfo(candidates)
    report(f"fit(x, sets={args.candidates} candidates), oinfo(them)", model, train, since(start, device),
           len(candidates))

    start = clock()
    model = SubjectFlowModel(device=args.device, **options).fit(x)
    train = since(start, device)
    start = clock()
    model.oinfo(queries)
    report(f"fit(x) random pairs, oinfo({args.queries} new sets)", model, train, since(start, device), len(queries))

    if not args.skip_end_to_end:
        start = clock()
        estimate_oinfo(x, candidates, estimator="fmmi", device=args.device, **options)
        wall, cpu = since(start, device)
        print(f"{'estimate_oinfo(x, candidates, estimator=fmmi)':48s} {'':8s} {wall:9.1f} {len(candidates):5d} "
              f"{len(candidates) / wall:7.2f} {cpu / len(candidates):9.3f}  (train + answer)", flush=True)

    if args.joint:
        start = clock()
        for members in candidates[: args.joint]:
            plan = subset_plan(len(members))
            fmmi_subset_tc(x[None, :, list(members)], np.arange(len(members)), plan.masks, JointConfig(), device,
                           weights=plan.weights)
        wall, cpu = since(start, device)
        print(f"{'joint engine, one field per set (defaults)':48s} {'':8s} {wall:9.1f} {args.joint:5d} "
              f"{args.joint / wall:7.2f} {cpu / args.joint:9.3f}  (train + answer)", flush=True)


if __name__ == "__main__":
    main()
