"""Group-study scaling: subjects per hour with 1 vs 2 local Dask workers, and Dask's overhead vs a plain loop.

    python benchmarks/group_scaling.py [--subjects 16] [--regions 40] [--volumes 600]

Each configuration starts from an empty output folder (no cache).  ``loop``
runs the same two per-subject passes (:func:`prepare_subject`, then
:func:`estimate_subject`, the latter the whole single-subject pipeline) one after the other in this process; the Dask rows
run :func:`run_group_study` on a fresh LocalCluster of worker processes (one
thread each), whose start-up time is shown separately.  The machine's load
average is printed: on a shared machine the numbers move with it.
"""

from __future__ import annotations

import argparse
import logging
import os
import tempfile
import time
from pathlib import Path

from fmri_oinfo.candidates import merge_candidates
from fmri_oinfo.group import dask_client, discover_study, load_group_config, run_group_study
from fmri_oinfo.group.example import make_table_study
from fmri_oinfo.group.subject import estimate_subject, prepare_subject, read_candidates


def plain_loop(study, config, out: Path) -> float:
    started = time.perf_counter()
    prepared = [prepare_subject(s, config, out) for s in study.subjects]
    sets = merge_candidates(read_candidates(o) for o in prepared)
    region_sets = [tuple(g) for g in sets["set"]]
    for outcome in prepared:
        estimate_subject(outcome, region_sets, config)
    return time.perf_counter() - started


def with_dask(study, config, out: Path, workers: int) -> tuple[float, float]:
    started = time.perf_counter()
    with dask_client(n_workers=workers) as client:
        ready = time.perf_counter()
        run_group_study(study, config, out, client)
        done = time.perf_counter()
    return ready - started, done - ready


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subjects", type=int, default=16)
    parser.add_argument("--regions", type=int, default=40)
    parser.add_argument("--volumes", type=int, default=600)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    config = load_group_config("fast", candidates__strategies=["screen"], candidates__orders=[3, 4],
                               candidates__top_k=50, candidates__n_control=50, device="cpu",
                               statistics__n_surrogates=99, outputs__maps=False, outputs__graphs=False,
                               outputs__report=False, n_permutations=999)
    with tempfile.TemporaryDirectory() as folder:
        root = make_table_study(Path(folder) / "study", n_per_cohort=args.subjects // 2, n_regions=args.regions,
                                n_volumes=args.volumes)
        study = discover_study(root, cohort_column="group")
        n = len(study.subjects)
        print(f"{n} subjects, {args.regions} regions, {args.volumes} volumes; screen orders 3-4; "
              f"{os.cpu_count()} cores, load average before: {os.getloadavg()[0]:.2f}")
        warm = study.__class__(study.root, study.subjects[:1], study.participants, study.cohort_column)
        plain_loop(warm, config, Path(folder) / "warm-up")  # imports and first-call costs out of the timing
        rows = [("plain loop", 0.0, plain_loop(study, config, Path(folder) / "loop"))]
        import torch

        threads = torch.get_num_threads()
        torch.set_num_threads(1)  # what Dask's nanny gives each worker process (OMP/MKL threads = 1)
        rows.append(("loop, 1 thread", 0.0, plain_loop(study, config, Path(folder) / "loop1")))
        torch.set_num_threads(threads)
        for workers in (1, 2):
            startup, run = with_dask(study, config, Path(folder) / f"dask{workers}", workers)
            rows.append((f"Dask, {workers} worker{'s' if workers > 1 else ''}", startup, run))
        print(f"{'mode':<18}{'start-up s':>12}{'run s':>10}{'subjects/hour':>15}{'vs loop':>10}")
        for name, startup, run in rows:
            print(f"{name:<18}{startup:>12.2f}{run:>10.2f}{n / run * 3600:>15.0f}{rows[0][2] / run:>10.2f}x")
        print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
