"""Speed and peak memory of the Gaussian-copula estimator next to THOI and HOI.

Every k-subset of N regions (default: all triplets and all 4-plets of N = 100
regions at T = 1200) is scored by three tools on the same random data:

- ours: the public call a user makes,
  ``fmri_oinfo.estimate_oinfo(X, "all", order=k, estimator="gaussian-copula",
  bias_correction=True)``, which returns the whole table (a ``set`` column of
  region-name tuples, ``order``, TC, DTC, O and S), as THOI's call does;
- core: the estimator alone (``CopulaOInfo.iter_exhaustive``, every
  group's TC, DTC, O and S kept in preallocated arrays, no table), to show
  what the public call adds;
- THOI: ``thoi.measures.gaussian_copula.multi_order_measures(X, k, k)``, its
  default call (returns a DataFrame);
- HOI: ``hoi.metrics.Oinfo(X).fit(k, k, method="gc")`` (O-information only).

Each timed run is a fresh Python process, so the peak resident memory
(``ru_maxrss``) is that tool's alone (it includes the interpreter and the
tool's imports: torch or JAX; the ``base`` column gives the resident memory
after imports and data loading, before the timed call).  Times are wall-clock,
best of ``--repeats`` runs, and exclude imports.

The script also checks that our numbers agree with THOI's to 1e-5 nats on a
sample of groups, that the fast closed-form / precision path agrees with
factorising every subset to 1e-10 nats, and it splits our time into
enumeration, gathering, arithmetic (determinants and logs) and the final map
to the measures.

Usage::

    python benchmarks/gaussian_speed.py            # the full comparison
    python benchmarks/gaussian_speed.py --quick    # N = 40, T = 300, about a minute
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run from a checkout without installing
    sys.path.insert(0, str(REPO))

#: Tolerance of the agreement with THOI (nats), from issue 2.
THOI_TOLERANCE = 1e-5
#: Tolerance of the agreement between our fast and generic paths (nats).
PATH_TOLERANCE = 1e-10
QUANTITIES = ("tc", "dtc", "o_info", "s_info")


# --------------------------------------------------------------------------
# Workers: one tool, one order, in a fresh process; print one JSON line.
# --------------------------------------------------------------------------


def _peak_rss_mb() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _run_ours(x: np.ndarray, order: int) -> int:
    from fmri_oinfo import estimate_oinfo

    table = estimate_oinfo(x, "all", order=order, estimator="gaussian-copula", bias_correction=True, device="cpu")
    return len(table)


def _run_core(x: np.ndarray, order: int) -> int:
    from fmri_oinfo.enumeration import n_combinations
    from fmri_oinfo.estimators import CopulaOInfo

    estimator = CopulaOInfo(bias_correction=True, device="cpu").fit(x)
    total = n_combinations(x.shape[1], order)
    groups = np.empty((total, order), dtype=np.int64)  # (C, k)
    values = np.empty((total, len(QUANTITIES)))  # (C, 4)
    start = 0
    for batch, measures in estimator.iter_exhaustive(order):
        stop = start + batch.shape[0]
        groups[start:stop] = batch
        for column, name in enumerate(QUANTITIES):
            values[start:stop, column] = measures[name]
        start = stop
    return start


def _run_thoi(x: np.ndarray, order: int) -> int:
    from thoi.measures.gaussian_copula import multi_order_measures

    table = multi_order_measures(x, min_order=order, max_order=order)
    return len(table)


def _run_hoi(x: np.ndarray, order: int) -> int:
    from hoi.metrics import Oinfo

    values = Oinfo(x, verbose=False).fit(minsize=order, maxsize=order, method="gc")
    return values.shape[0]


WORKERS = {"ours": _run_ours, "core": _run_core, "thoi": _run_thoi, "hoi": _run_hoi}


def _import_tool(tool: str) -> None:
    """Import a tool's heavy modules before timing (not part of its time)."""
    if tool in ("ours", "core"):
        import fmri_oinfo.api  # noqa: F401
        import fmri_oinfo.estimators  # noqa: F401
    elif tool == "thoi":
        import thoi.measures.gaussian_copula  # noqa: F401
    else:
        import hoi.metrics  # noqa: F401


def worker(tool: str, order: int, data_path: str) -> None:
    """Time one tool on one order and print ``{"seconds", "peak_mb", "base_mb", "n_groups"}``."""
    _import_tool(tool)
    x = np.load(data_path)
    base = _peak_rss_mb()
    start = time.perf_counter()
    n_groups = WORKERS[tool](x, order)
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "peak_mb": _peak_rss_mb(), "base_mb": base, "n_groups": n_groups}))


# --------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------


def _load() -> float:
    return os.getloadavg()[0]


def time_tool(tool: str, order: int, data_path: str, repeats: int, cap_s: float) -> dict:
    """Best-of-``repeats`` time and largest peak memory of fresh-process runs."""
    runs, loads = [], []
    for _ in range(repeats):
        loads.append(_load())
        command = [sys.executable, __file__, "--worker", tool, "--order", str(order), "--data", data_path]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=cap_s, check=False)
        except subprocess.TimeoutExpired:
            return {"tool": tool, "order": order, "capped": True, "cap_s": cap_s, "load": loads}
        if done.returncode != 0:
            raise RuntimeError(f"{tool} (order {order}) failed:\n{done.stderr[-3000:]}")
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return {
        "tool": tool,
        "order": order,
        "capped": False,
        "seconds": min(r["seconds"] for r in runs),
        "all_seconds": [r["seconds"] for r in runs],
        "peak_mb": max(r["peak_mb"] for r in runs),
        "base_mb": max(r["base_mb"] for r in runs),
        "n_groups": runs[0]["n_groups"],
        "load": loads,
    }


def stage_breakdown(x: np.ndarray, order: int, repeats: int) -> dict[str, float]:
    """Our exhaustive run split into stages, best of ``repeats`` per stage total."""
    import torch

    from fmri_oinfo.enumeration import iter_combinations
    from fmri_oinfo.estimators import CopulaOInfo
    from fmri_oinfo.estimators.gaussian import closed_form_logdets, gather_pairs, tc_bias
    from fmri_oinfo.measures import measures_from_tc, subset_plan

    plan = subset_plan(order)
    best: dict[str, float] = {}
    for _ in range(repeats):
        times = dict.fromkeys(("fit", "enumerate", "gather", "arithmetic", "measures"), 0.0)
        tick = time.perf_counter()
        estimator = CopulaOInfo(bias_correction=True, device="cpu").fit(x)
        correlation = torch.from_numpy(estimator.correlation())  # (N, N)
        bias = np.array([tc_bias(int(m), x.shape[0]) for m in plan.masks.sum(axis=1)])  # (S,)
        times["fit"] = time.perf_counter() - tick
        batches = iter_combinations(x.shape[1], order, estimator.batch_size)  # the core's batches
        while True:
            tick = time.perf_counter()
            batch = next(batches, None)
            times["enumerate"] += time.perf_counter() - tick
            if batch is None:
                break
            tick = time.perf_counter()
            pairs = gather_pairs(correlation, torch.from_numpy(batch))
            times["gather"] += time.perf_counter() - tick
            tick = time.perf_counter()
            tc = closed_form_logdets(pairs, order)  # (S, B)
            for row in tc:
                row.mul_(-0.5)
            times["arithmetic"] += time.perf_counter() - tick
            tick = time.perf_counter()
            measures_from_tc(tc.T.numpy() - bias, plan)
            times["measures"] += time.perf_counter() - tick
        times["total"] = sum(times.values())
        if not best or times["total"] < best["total"]:
            best = times
    return best


def _near_singular_correlations(order: int, n_matrices: int, rng: np.random.Generator) -> np.ndarray:
    """Correlation matrices (M, k, k) whose last member is the sum of the others plus noise 1e-4..1."""
    mixing = rng.standard_normal((n_matrices, order, order))  # (M, k, k)
    noise = np.logspace(-4, 0, n_matrices)[:, None] * rng.standard_normal((n_matrices, order))  # (M, k)
    mixing[:, -1] = mixing[:, :-1].sum(axis=1) + noise
    cov = mixing @ mixing.transpose(0, 2, 1)  # (M, k, k)
    scale = np.sqrt(np.diagonal(cov, axis1=1, axis2=2))  # (M, k)
    corr = cov / (scale[:, :, None] * scale[:, None, :])
    corr[:, np.arange(order), np.arange(order)] = 1.0
    return corr


def _largest_difference(a, b) -> float:
    """Largest |a - b|, counting equal entries (both +inf for a singular group) as 0."""
    import torch

    return float(torch.where(a == b, torch.zeros_like(a), (a - b).abs()).max())


def check_paths(x: np.ndarray, n_groups: int, seed: int) -> list[tuple[str, float, float]]:
    """Largest |fast - generic| TC (nats) per plan: random groups of the data, and near-singular groups."""
    import torch

    from fmri_oinfo.estimators import CopulaOInfo
    from fmri_oinfo.estimators.gaussian import standard_plan_tc, subset_tc
    from fmri_oinfo.measures import subset_plan

    corr = torch.from_numpy(CopulaOInfo(device="cpu").fit(x).correlation())
    rng = np.random.default_rng(seed)
    rows = []
    for order, gradient in ((3, False), (4, False), (5, False), (3, True), (4, True), (6, True)):
        plan = subset_plan(order, gradient=gradient)
        groups = torch.from_numpy(np.sort(np.argsort(rng.random((n_groups, x.shape[1])), axis=1)[:, :order], axis=1))
        on_data = _largest_difference(standard_plan_tc(corr, groups, plan), subset_tc(corr, groups, plan.masks))
        # near-singular groups: one block-diagonal matrix holding 300 of them
        blocks = _near_singular_correlations(order, 300, rng)  # (300, k, k)
        block_corr = torch.from_numpy(np.kron(np.eye(300), np.ones((order, order))))
        block_corr[block_corr == 1.0] = torch.from_numpy(blocks).reshape(-1)
        block_groups = torch.arange(300 * order).reshape(300, order)
        near = _largest_difference(
            standard_plan_tc(block_corr, block_groups, plan), subset_tc(block_corr, block_groups, plan.masks)
        )
        route = "closed form" if order in (3, 4) and not gradient else "precision"
        rows.append((f"k={order}{' +gradient' if gradient else ''} ({route})", on_data, near))
    return rows


def check_against_peers(x: np.ndarray, order: int, n_groups: int, n_hoi: int, seed: int) -> dict:
    """Largest |ours - THOI| per measure (with and without our bias correction), and |O ours - HOI| (NaN
    without HOI)."""
    import logging

    from thoi.measures.gaussian_copula import nplets_measures

    from fmri_oinfo import estimate_oinfo
    from fmri_oinfo.estimators import CopulaOInfo
    from fmri_oinfo.measures import measures_from_tc, subset_plan

    rng = np.random.default_rng(seed)
    groups = np.sort(np.argsort(rng.random((n_groups, x.shape[1])), axis=1)[:, :order], axis=1)  # (G, k)
    plan = subset_plan(order)
    with contextlib.redirect_stderr(io.StringIO()):  # THOI's progress bar
        thoi = nplets_measures(x, nplets=groups, verbose=logging.WARNING)[:, 0, :].numpy()  # (G, 4)
    out: dict = {}
    for corrected in (True, False):  # the public call, as a user makes it
        table = estimate_oinfo(x, groups, estimator="gaussian-copula", bias_correction=corrected, device="cpu")
        out[corrected] = {
            name: float(np.abs(table[name].to_numpy() - thoi[:, column]).max())
            for column, name in enumerate(QUANTITIES)
        }
    if n_hoi == 0:
        out["hoi"] = float("nan")
        return out
    from hoi.metrics import Oinfo

    hoi_bits = Oinfo(x, multiplets=groups[:n_hoi].tolist(), verbose=False).fit(
        minsize=order, maxsize=order, method="gc"
    )[:, 0]
    ours = CopulaOInfo(bias_correction=True, device="cpu").fit(x)
    o_info = measures_from_tc(ours.total_correlations(groups[:n_hoi], plan), plan)["o_info"]
    out["hoi"] = float(np.abs(o_info - hoi_bits * math.log(2.0)).max())
    return out


def _fmt_time(result: dict) -> str:
    return f"> {result['cap_s']:.0f} (capped)" if result["capped"] else f"{result['seconds']:.3f}"


def print_speed_table(results: list[dict]) -> None:
    ours = {r["order"]: r for r in results if r["tool"] == "ours"}  # ratios are to the public call
    header = (
        f"{'case':<22}{'tool':<7}{'groups':>10}{'time s':>16}{'runs s':>26}"
        f"{'peak MB':>9}{'base MB':>9}{'time/ours':>11}{'load 1m':>16}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        case = f"all {r['order']}-plets"
        loads = "/".join(f"{v:.1f}" for v in r["load"])
        if r["capped"]:
            ratio = "> " + _ratio(r["cap_s"], ours[r["order"]])
            print(f"{case:<22}{r['tool']:<7}{'':>10}{_fmt_time(r):>16}{'':>26}{'':>9}{'':>9}{ratio:>11}{loads:>16}")
            continue
        runs = ", ".join(f"{s:.3f}" for s in r["all_seconds"])
        ratio = _ratio(r["seconds"], ours[r["order"]])
        print(
            f"{case:<22}{r['tool']:<7}{r['n_groups']:>10}{_fmt_time(r):>16}{runs:>26}"
            f"{r['peak_mb']:>9.0f}{r['base_mb']:>9.0f}{ratio:>11}{loads:>16}"
        )


def _ratio(seconds: float, ours: dict) -> str:
    return f"{seconds / ours['seconds']:.1f}x"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="N=40 regions, T=300, THOI/HOI capped at 120 s")
    parser.add_argument("--n-regions", type=int, default=None, help="regions N (default 100, quick 40)")
    parser.add_argument("--n-samples", type=int, default=None, help="time points T (default 1200, quick 300)")
    parser.add_argument("--orders", type=int, nargs="+", default=[3, 4], help="group sizes (default 3 4)")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per tool and order (best is kept)")
    parser.add_argument("--hoi-repeats", type=int, default=1, help="timed HOI runs for orders >= 4 (slow)")
    parser.add_argument("--cap", type=float, default=None, help="seconds before a run is stopped (default 600)")
    parser.add_argument("--skip-peers", action="store_true", help="time only ours")
    parser.add_argument("--peers", nargs="+", choices=("thoi", "hoi"), default=["thoi", "hoi"],
                        help="peers to compare with (default: thoi hoi)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--worker", choices=sorted(WORKERS), help=argparse.SUPPRESS)
    parser.add_argument("--order", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker, args.order, args.data)
        return

    n_regions = args.n_regions or (40 if args.quick else 100)
    n_samples = args.n_samples or (300 if args.quick else 1200)
    cap = args.cap or (120.0 if args.quick else 600.0)
    import torch

    print(
        f"Gaussian-copula speed: N={n_regions} regions, T={n_samples}, seed={args.seed}; "
        f"{os.cpu_count()} CPUs, torch threads={torch.get_num_threads()}, "
        f"load average (1, 5, 15 min) at start: {', '.join(f'{v:.2f}' for v in os.getloadavg())}"
    )
    x = np.random.default_rng(args.seed).standard_normal((n_samples, n_regions))
    with tempfile.TemporaryDirectory() as folder:
        data_path = str(Path(folder) / "x.npy")
        np.save(data_path, x)
        results = []
        for order in args.orders:
            tools = ["ours", "core"] + ([] if args.skip_peers else list(args.peers))
            for tool in tools:
                repeats = args.hoi_repeats if tool == "hoi" and order >= 4 else args.repeats
                print(f"  timing {tool}, all {order}-plets ({repeats} run(s)) ...", flush=True)
                results.append(time_tool(tool, order, data_path, repeats, cap))
    print()
    print("Wall time (best of the runs listed, imports excluded) and peak resident memory (fresh process each):")
    print_speed_table(results)

    print()
    print("Where our time goes (in-process, one run of all stages, best of the repeats):")
    print(
        f"{'case':<16}{'fit':>8}{'enumerate':>11}{'gather':>9}{'arith':>9}{'measures':>10}"
        f"{'total s':>9}{'outside arith':>15}"
    )
    for order in args.orders:
        if order not in (3, 4):
            continue
        s = stage_breakdown(x, order, args.repeats)
        outside = 1.0 - s["arithmetic"] / s["total"]
        print(
            f"{f'all {order}-plets':<16}{s['fit']:>8.3f}{s['enumerate']:>11.3f}{s['gather']:>9.3f}"
            f"{s['arithmetic']:>9.3f}{s['measures']:>10.3f}{s['total']:>9.3f}{outside:>14.0%}"
        )

    print()
    print(
        "Fast path vs factorising every subset: largest |difference| of any TC (nats), must be < "
        f"{PATH_TOLERANCE:g}; on 2000 random groups of the data and on 300 near-singular groups "
        "(last member = sum of the others + noise 1e-4..1):"
    )
    path_ok = True
    print(f"  {'plan':<32}{'data':>10}{'near-sing.':>12}")
    for label, on_data, near in check_paths(x, 2000, args.seed):
        path_ok &= max(on_data, near) < PATH_TOLERANCE
        print(f"  {label:<32}{on_data:>10.1e}{near:>12.1e}")

    peers_ok = True
    if not args.skip_peers and "thoi" in args.peers:
        print()
        print(
            "Agreement with THOI's gaussian copula on 2000 random groups (largest |difference|, nats). "
            "THOI bias-corrects by default (T comes with the data), so ours runs with bias_correction=True; "
            "the row without it shows the size of that correction. HOI (float32, bits -> nats) on 200 groups, O only:"
        )
        print(f"{'order':<8}{'ours':<22}" + "".join(f"{q:>11}" for q in QUANTITIES) + f"{'HOI O':>11}")
        for order in args.orders:
            agreement = check_against_peers(x, order, 2000, 200 if "hoi" in args.peers else 0, args.seed)
            peers_ok &= max(agreement[True].values()) < THOI_TOLERANCE
            for corrected, label in ((True, "bias_correction=True"), (False, "bias_correction=False")):
                hoi = f"{agreement['hoi']:>11.1e}" if corrected else ""
                print(f"{order:<8}{label:<22}" + "".join(f"{agreement[corrected][q]:>11.1e}" for q in QUANTITIES) + hoi)

    if not args.skip_peers:
        print()
        print(f"Targets of issue 2 (stated for N=100, T=1200; this run: N={n_regions}, T={n_samples}):")
        by_key = {(r["tool"], r["order"]): r for r in results}
        for order, factor in ((3, 10.0), (4, 20.0)):
            thoi, ours = by_key.get(("thoi", order)), by_key.get(("ours", order))
            if thoi is None or ours is None or thoi["capped"]:
                continue
            ratio = thoi["seconds"] / ours["seconds"]
            verdict = "met" if ratio >= factor else "NOT met"
            print(f"  all {order}-plets: THOI time / ours = {ratio:.1f}x (target >= {factor:.0f}x): {verdict}")
        if ("ours", 4) in by_key:
            peak = by_key["ours", 4]["peak_mb"]
            verdict = "met" if peak < 1024 else "NOT met"
            print(f"  all 4-plets: our peak memory {peak:.0f} MB (target < 1024 MB): {verdict}")

    print()
    print(f"Load average (1, 5, 15 min) at end: {', '.join(f'{v:.2f}' for v in os.getloadavg())}")
    if not (path_ok and peers_ok):
        sys.exit("FAILED: an agreement check is outside its tolerance (see above).")


if __name__ == "__main__":
    main()
