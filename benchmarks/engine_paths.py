"""Which flow paths make the most accurate O-information: a paired comparison.

Every decomposition of ``fmri_oinfo.engine.paths`` (one path per subset, peel,
chain) estimates the same data replicates of each system (the replicates are
groups of one batched call, so each setting sees identical samples).  Prints,
per system and decomposition: truth, mean estimate, mean error and its spread
in % of |truth|, mean absolute error (nats), how many replicates fall within the
issue's tolerance (5 % of |truth|, or 0.02 nats when |truth| < 0.4), and the
mean absolute relative error of the whole-group TC and of the leave-one-out
TCs.

Usage::

    python benchmarks/engine_paths.py                         # 8 systems x 3 decompositions, ~25 min on 2 cores
    python benchmarks/engine_paths.py --systems t3-red,t5-red --reps 5 --set time_power=1.0
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from fmri_oinfo.device import resolve_device
from fmri_oinfo.engine import FMMIConfig, fmmi_subset_tc
from fmri_oinfo.engine.config import DECOMPOSITIONS, parse_option_strings
from fmri_oinfo.measures import measures_from_tc, subset_plan
from fmri_oinfo.synthetic import GroundTruthSystem, redundant_block, synergistic_block

from engine_accuracy import within_tolerance  # the sibling script: one definition of the tolerance

SYSTEMS = {
    "t3-red": GroundTruthSystem(redundant_block(3, 0.3), nu=3),
    "t3-syn": GroundTruthSystem(synergistic_block(3, 0.5), nu=3),
    "t5-red": GroundTruthSystem(redundant_block(5, 0.3), nu=3),
    "t5-syn": GroundTruthSystem(synergistic_block(5, 0.5), nu=3),
    "nu5-5-red": GroundTruthSystem(redundant_block(5, 0.3), nu=5),
    "nu5-5-syn": GroundTruthSystem(synergistic_block(5, 0.5), nu=5),
    "gauss-5-red": GroundTruthSystem(redundant_block(5, 0.5)),
    "gauss-5-syn": GroundTruthSystem(synergistic_block(5, 0.7)),
}


def compare(
    name: str, config: FMMIConfig, reps: int, rows: int, device: torch.device, seed: int
) -> dict[str, float]:
    """Estimate ``reps`` replicates of one system with one configuration."""
    system = SYSTEMS[name]
    n = system.n_variables
    plan = subset_plan(n)
    samples = np.stack([system.sample(rows, seed=1000 * seed + r) for r in range(reps)])  # (reps, T, n)
    start = time.perf_counter()
    estimate, history = fmmi_subset_tc(
        samples, np.arange(n), plan.masks, config, device, seed=seed, weights=plan.weights
    )
    seconds = time.perf_counter() - start
    tc = estimate.value.cpu().numpy()  # (reps, S)
    truth_tc = system.subset_tc(np.arange(n)[None], plan)[0]
    o_info = measures_from_tc(tc, plan)["o_info"]
    truth = float(measures_from_tc(truth_tc, plan)["o_info"])
    rel_tc = np.abs(tc - truth_tc) / truth_tc
    loo = [s for s in range(1, n + 1) if truth_tc[s] > 0]
    return {
        "truth": truth,
        "mean": float(o_info.mean()),
        "err_pct": float(100 * (o_info.mean() - truth) / abs(truth)),
        "sd_pct": float(100 * o_info.std() / abs(truth)),
        "abs_err": float(np.abs(o_info - truth).mean()),
        "passed": int(within_tolerance(o_info, truth).sum()),
        "tc_all_pct": float(100 * rel_tc[:, 0].mean()),
        "tc_loo_pct": float(100 * rel_tc[:, loo].mean()) if loo else float("nan"),
        "steps": history["step"][-1],
        "seconds": seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--systems", default=",".join(SYSTEMS), help=f"comma-separated, from {list(SYSTEMS)}")
    parser.add_argument("--decompositions", default=",".join(DECOMPOSITIONS))
    parser.add_argument("--reps", type=int, default=3, help="data replicates per system")
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE", help="FMMIConfig overrides")
    args = parser.parse_args()
    device = resolve_device(args.device)
    overrides = parse_option_strings(args.set)
    print(f"device={device} rows={args.rows} reps={args.reps} overrides={overrides}")
    header = (
        f"{'system':12s} {'paths':8s} {'truth':>7s} {'mean':>7s} {'err%':>7s} {'sd%':>6s} {'|err|':>6s} "
        f"{'pass':>5s} {'TCall%':>7s} {'TCloo%':>7s} {'steps':>6s} {'sec':>5s}"
    )
    print(header)
    print("-" * len(header))
    for name in args.systems.split(","):
        for decomposition in args.decompositions.split(","):
            config = FMMIConfig.from_options(**{**overrides, "decomposition": decomposition})
            r = compare(name, config, args.reps, args.rows, device, args.seed)
            print(
                f"{name:12s} {decomposition:8s} {r['truth']:7.3f} {r['mean']:7.3f} {r['err_pct']:7.1f} "
                f"{r['sd_pct']:6.1f} {r['abs_err']:6.3f} {r['passed']:>2d}/{args.reps:<2d} {r['tc_all_pct']:7.1f} "
                f"{r['tc_loo_pct']:7.1f} {r['steps']:6d} {r['seconds']:5.0f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
