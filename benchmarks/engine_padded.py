"""Does padding a non-Gaussian core with independent regions change its FMMI O-information?

O-information is unchanged when independent regions join a set (pointwise
too: the local O-information of the padded set equals the core's), and it is
exactly 0 for a set holding at most two dependent members.  For each core
system, the columns are the core's members interleaved with independent
N(0, 1) regions; one call of the public ``estimate_oinfo(x, sets,
estimator="fmmi")`` at the default pipeline's settings answers

- the core, listed in two orders (one subject model answers both alike);
- padded supersets of orders 4 to 8 (oracle: the core's in-sample oracle);
- sets missing one core member, orders 3 to 6 (oracle: 0).

It prints, per set, the oracle, the estimate, its standard error and
``z = (estimate - oracle) / SE``, then how many +-1.96 SE intervals cover the
oracle.

Usage::

    python benchmarks/engine_padded.py                      # every core, T = 1,200, seed 0
    python benchmarks/engine_padded.py --seeds 2 --only multiplicative
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine_accuracy import pipeline_options  # noqa: E402

from fmri_oinfo import estimate_oinfo  # noqa: E402
from fmri_oinfo.synthetic import GroundTruthSystem, MultiplicativeSystem, System, redundant_block  # noqa: E402

#: Core systems and the order of their variables among the core's columns: the
#: multiplicative core with the product in the last core column (the route
#: moves the product given its factors) and in the first (the route moves a
#: factor given the product and the other factor, a sharp conditional).
CORES: dict[str, tuple[System, tuple[int, int, int]]] = {
    "multiplicative, product last": (MultiplicativeSystem(0.5), (0, 1, 2)),
    "multiplicative, product first": (MultiplicativeSystem(0.5), (2, 0, 1)),
    "student-t nu=3 n=3 r=0.4": (GroundTruthSystem(redundant_block(3, 0.4), nu=3), (0, 1, 2)),
}
N_PADS = 5
CORE_COLUMNS = (1, 4, 6)  # the core's members among 8 columns; the rest are independent


def padded_sets() -> list[tuple[str, tuple[int, ...]]]:
    """(kind, set) rows: the core in two orders, padded supersets, sets missing a core member."""
    pads = [c for c in range(len(CORE_COLUMNS) + N_PADS) if c not in CORE_COLUMNS]
    rows = [("core", CORE_COLUMNS), ("core, listed backwards", CORE_COLUMNS[::-1])]
    rows += [(f"core + {k} independent", tuple(sorted(CORE_COLUMNS + tuple(pads[:k])))) for k in range(1, N_PADS + 1)]
    for dropped in CORE_COLUMNS:
        kept = tuple(c for c in CORE_COLUMNS if c != dropped)
        for k in (1, 3):
            rows.append((f"without {dropped} + {k} independent", tuple(sorted(kept + tuple(pads[:k])))))
    return rows


def run(name: str, system: System, placement: tuple[int, ...], n_samples: int, seed: int, options: dict
        ) -> list[dict]:
    core = system.sample(n_samples, seed=seed)
    x = np.random.default_rng(seed + 1000).standard_normal((n_samples, len(CORE_COLUMNS) + N_PADS))
    x[:, list(CORE_COLUMNS)] = core[:, list(placement)]
    oracle = float(system.in_sample_measures(core, np.arange(3)[None])["o_info"][0])
    rows = padded_sets()
    start = time.perf_counter()
    table = estimate_oinfo(x, [s for _, s in rows], estimator="fmmi", seed=seed, **options)
    seconds = time.perf_counter() - start
    out = []
    for (kind, members), o, se in zip(rows, table["o_info"], table["o_info_se"]):
        truth = oracle if set(CORE_COLUMNS) <= set(members) else 0.0
        out.append(dict(system=name, seed=seed, kind=kind, order=len(members), oracle=truth, estimate=float(o),
                        se=float(se), seconds=seconds))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=1200)
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--only", help="run only the cores whose name contains this")
    args = parser.parse_args()
    options = pipeline_options()
    rows = []
    for name, (system, placement) in CORES.items():
        if args.only and args.only not in name:
            continue
        for seed in range(args.seeds):
            rows += run(name, system, placement, args.samples, seed, options)
    print(f"T = {args.samples}, default pipeline FMMI settings; estimate and SE in nats")
    print(f"{'system':30s} {'seed':>4s} {'set':32s} {'order':>5s} {'oracle':>7s} {'estimate':>8s} {'se':>6s} {'z':>6s}")
    for r in rows:
        z = (r["estimate"] - r["oracle"]) / r["se"]
        print(f"{r['system']:30s} {r['seed']:4d} {r['kind']:32s} {r['order']:5d} {r['oracle']:+7.3f} "
              f"{r['estimate']:+8.3f} {r['se']:6.3f} {z:+6.1f}")
    covered = sum(abs(r["estimate"] - r["oracle"]) <= 1.96 * r["se"] for r in rows)
    print(f"\n+-1.96 SE covers the oracle in {covered} of {len(rows)} sets; "
          f"seconds per call: {sorted({round(r['seconds']) for r in rows})}")


if __name__ == "__main__":
    main()
