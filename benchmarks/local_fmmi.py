"""FMMI's local O-information where the pointwise truth is known, and the power of its task contrast.

Two parts, both against the Gaussian local values (the closed form's pointwise log-density ratios):

``--part oracle``: the multiplicative triplet (:class:`fmri_oinfo.synthetic.MultiplicativeSystem`,
``x2 = x0 x1 + noise e``, every pair uncorrelated) with i.i.d. rows; per seed, the Pearson and Spearman
correlation over rows between each estimator's local O-information (:func:`fmri_oinfo.local_oinfo`, FMMI
with the default pipeline's ``[estimation.fmmi]`` options, its cross-fitted per-row values) and the
pointwise oracle (:meth:`~fmri_oinfo.synthetic.System.pointwise_set_measures`), and the mean of each
against the oracle's mean on the same rows.

``--part power``: task-modulated non-Gaussian synergy, as ``task_contrast.py --nongaussian``: ``--regions``
independent AR(1) regions (phi 0.5), T = ``--samples`` at TR = 2 s, 30 s rest/task blocks, and during task
blocks ``x2 = a * standardised(x0 x1) + sqrt(1 - a^2) x2``.  Every triplet's local values go through
:func:`fmri_oinfo.local_contrasts` (``task - rest``, bias-corrected AR(1), Benjamini-Hochberg over the
triplets at 0.05); printed per estimator: subjects whose planted triplet is labelled synergistic (with a
Wilson 95 % interval), subjects with any other triplet labelled, and the planted triplet's median t.

Usage::

    python benchmarks/local_fmmi.py --part oracle --seeds 3 --samples 1200   # seeds --seed .. --seed + 2
    python benchmarks/local_fmmi.py --part power --subjects 6 --regions 4 --strength 0.9
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine_accuracy import pipeline_options  # noqa: E402
from task_contrast import PLANTED, T_R, block_events, markdown, simulate  # noqa: E402

from fmri_oinfo import local_contrasts, local_oinfo  # noqa: E402
from fmri_oinfo.synthetic import MultiplicativeSystem  # noqa: E402

ESTIMATORS = ("gaussian", "fmmi")


def local_values(x: np.ndarray, sets: list[tuple[int, ...]], estimator: str, seed: int) -> pd.DataFrame:
    """Local O-information (nats), FMMI with the default pipeline's options."""
    options = pipeline_options() if estimator == "fmmi" else {}
    return local_oinfo(x, sets, estimator=estimator, seed=seed, device="cpu", **options)["o_info"]


def wilson(hits: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a proportion."""
    if n == 0:
        return float("nan"), float("nan")
    z = stats.norm.ppf(0.5 + level / 2)
    p = hits / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def oracle_part(args: argparse.Namespace) -> None:
    system = MultiplicativeSystem(noise=args.noise)
    rows = []
    for seed in range(args.seed, args.seed + args.seeds):
        x = system.sample(args.samples, seed=seed)
        truth = system.pointwise_set_measures(x, np.arange(3))["o_info"]  # (T,)
        for estimator in ESTIMATORS:
            start = time.perf_counter()
            values = local_values(x, [(0, 1, 2)], estimator, seed).to_numpy()[:, 0]
            rows.append({"seed": seed, "estimator": estimator, "T": args.samples,
                         "pearson r": stats.pearsonr(values, truth)[0],
                         "spearman rho": stats.spearmanr(values, truth)[0],
                         "mean local O": values.mean(), "oracle mean": truth.mean(),
                         "s": round(time.perf_counter() - start, 1)})
            print(pd.DataFrame(rows[-1:]).to_string(index=False, float_format="%.3g"), flush=True)
    table = pd.DataFrame(rows)
    print(f"\nmultiplicative triplet, noise {args.noise}, T = {args.samples}, {args.seeds} seeds")
    print(markdown(table))
    summary = table.groupby("estimator", sort=False)[["pearson r", "spearman rho"]].agg(["mean", "min", "max"])
    print(summary.to_string(float_format="%.3f"))


def power_part(args: argparse.Namespace) -> None:
    rng = np.random.default_rng(args.seed)
    sets = list(itertools.combinations(range(args.regions), 3))
    planted = sets.index(PLANTED)
    events = block_events(args.samples)
    results: dict[str, dict[str, list]] = {e: {"hit": [], "other": [], "t": [], "s": []} for e in ESTIMATORS}
    for subject in range(args.subjects):
        x = simulate(args.samples, args.regions, 0.5, args.strength, True, rng)
        for estimator in ESTIMATORS:
            start = time.perf_counter()
            table = local_contrasts(local_values(x, sets, estimator, subject), events, T_R, "task - rest")
            labelled = (table["label"] != "n.s.").to_numpy()
            record = results[estimator]
            record["hit"].append(table.loc[planted, "label"] == "synergistic")
            record["other"].append(bool(np.delete(labelled, planted).any()))
            record["t"].append(float(table.loc[planted, "t"]))
            record["s"].append(time.perf_counter() - start)
            print(f"subject {subject} {estimator}: planted t = {record['t'][-1]:.2f}, label "
                  f"{table.loc[planted, 'label']}, others labelled {int(np.delete(labelled, planted).sum())}, "
                  f"{record['s'][-1]:.0f} s", flush=True)
    rows = []
    for estimator, record in results.items():
        hits = int(np.sum(record["hit"]))
        low, high = wilson(hits, args.subjects)
        rows.append({"local values": estimator, "subjects": args.subjects,
                     "planted labelled": f"{hits}/{args.subjects}", "95 % CI": f"[{low:.2f}, {high:.2f}]",
                     "subjects with another set labelled": f"{int(np.sum(record['other']))}/{args.subjects}",
                     "planted t (median)": float(np.median(record["t"])),
                     "planted t (range)": f"{min(record['t']):.2f} .. {max(record['t']):.2f}",
                     "s / subject": round(float(np.mean(record["s"])), 1)})
    print(f"\nmultiplicative triplet in task blocks, a = {args.strength}, {args.regions} regions "
          f"({len(sets)} triplets), T = {args.samples}, FDR 0.05")
    print(markdown(pd.DataFrame(rows)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=("oracle", "power"), required=True)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--samples", type=int, default=1200)
    parser.add_argument("--noise", type=float, default=0.5)
    parser.add_argument("--subjects", type=int, default=6)
    parser.add_argument("--regions", type=int, default=4)
    parser.add_argument("--strength", type=float, default=0.9)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    (oracle_part if args.part == "oracle" else power_part)(args)


if __name__ == "__main__":
    main()
