"""Speed of the FMMI engine: batched groups versus a per-group loop.

Prints, for each order, the wall time of training and estimating G groups as one
batched computation and as G separate runs, the speed-up, groups per second at
the chosen settings, and (because early stopping ends fields at different steps)
the milliseconds per field and training step of each and their ratio (a field is
one group's network, one per ensemble member).

Usage::

    python benchmarks/engine_speed.py                 # orders 3, 5, 10, 16 groups
    python benchmarks/engine_speed.py --device cuda --groups 64
    python benchmarks/engine_speed.py --set steps=500
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from fmri_oinfo.device import resolve_device
from fmri_oinfo.engine import FMMIEstimator
from fmri_oinfo.engine.config import parse_option_strings
from fmri_oinfo.measures import subset_plan
from fmri_oinfo.synthetic import GroundTruthSystem, redundant_block


def timed(estimator: FMMIEstimator, groups: np.ndarray, order: int) -> tuple[float, int]:
    """Seconds to estimate ``groups``, and the training steps it took, summed over fields.

    A field is one group's network (one per ensemble member); a field leaves
    the batched computation when it stops early.
    """
    start = time.perf_counter()
    estimator.total_correlations(groups, subset_plan(order))
    if estimator.device_.type == "cuda":
        torch.cuda.synchronize()
    seconds = time.perf_counter() - start
    group_steps = sum(history["group_steps"][-1] for history in estimator.history_)
    return seconds, group_steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--groups", type=int, default=16)
    parser.add_argument("--orders", default="3,5,10")
    parser.add_argument("--samples", type=int, default=1200)
    parser.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE", help="FMMIConfig overrides")
    args = parser.parse_args()
    device = resolve_device(args.device)
    options = parse_option_strings(args.set)
    x = GroundTruthSystem(redundant_block(40, 0.3)).sample(args.samples, seed=0)
    rng = np.random.default_rng(0)
    print(f"device={device} threads={torch.get_num_threads()} T={args.samples} options={options}")
    header = (
        f"{'order':>5s} {'groups':>6s} {'batched s':>10s} {'looped s':>10s} {'speed-up':>9s} {'groups/s':>9s} "
        f"{'ms/gstep b':>10s} {'ms/gstep l':>10s} {'per-step':>9s}"
    )
    print(header)
    print("-" * len(header))
    for order in (int(o) for o in args.orders.split(",")):
        groups = np.stack([rng.choice(40, order, replace=False) for _ in range(args.groups)])
        batched = FMMIEstimator(device=str(device), groups_per_batch=args.groups, progress=False, **options).fit(x)
        looped = FMMIEstimator(device=str(device), groups_per_batch=1, progress=False, **options).fit(x)
        t_batched, steps_batched = timed(batched, groups, order)
        t_looped, steps_looped = timed(looped, groups, order)
        ms_batched, ms_looped = 1e3 * t_batched / steps_batched, 1e3 * t_looped / steps_looped
        print(
            f"{order:5d} {args.groups:6d} {t_batched:10.1f} {t_looped:10.1f} {t_looped / t_batched:9.1f} "
            f"{args.groups / t_batched:9.2f} {ms_batched:10.2f} {ms_looped:10.2f} {ms_looped / ms_batched:9.1f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
