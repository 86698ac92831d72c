"""Does the task contrast of local O-information find a set that is synergistic only during task blocks?

Each simulated subject has ``--regions`` independent AR(1) regions (``phi``),
T = 1,200 volumes at TR = 2 s, alternating 30 s rest and task blocks.  During
task blocks region 2 becomes ``a (x0 + x1) / sqrt(2) + sqrt(1 - a^2) x2``, so
the triplet (0, 1, 2) is synergistic then and independent during rest
(``a`` is the strength; ``a = 0`` is the null with the same events and no
modulation).  Every triplet's local O-information
(:func:`fmri_oinfo.local_oinfo`) goes through :func:`fmri_oinfo.local_contrasts`
with ``"task - rest"`` (nilearn design, bias-corrected AR(1) refit, Benjamini-Hochberg over
all triplets at 0.05).  Printed per strength and estimator: the share of
subjects in which the planted triplet is labelled synergistic, the share of
the other triplets labelled (those sharing two of its regions, and the rest),
and the share of subjects with any other triplet labelled; then the group
level (one-sample t over the subjects' effects).

``--nongaussian`` plants the multiplicative triplet instead
(``x2 = x0 x1`` standardised during task blocks), whose dependence no
correlation sees, to compare FMMI's local values with the Gaussian ones
(FMMI at the default pipeline's settings fits a model per subject: keep
``--subjects`` small on a CPU).

Usage::

    python benchmarks/task_contrast.py --subjects 100 --strengths 0 0.6 0.7 0.8
    python benchmarks/task_contrast.py --subjects 4 --strengths 0.8 --estimators gaussian fmmi --regions 5
    python benchmarks/task_contrast.py --episodes-null --samples 600
    python benchmarks/task_contrast.py --calibration --subjects 50

``--calibration`` prints the share of null p-values (``"task - rest"``, no
modulation, uncorrected) below 0.05, 0.01 and 0.001 per noise model, on
Gaussian AR(1) series and on the local O-information of ``--subjects`` null
subjects: nilearn's :func:`~nilearn.glm.first_level.run_glm` (OLS, its raw
``ar1``/``ar2``/``ar3`` estimates, ``ar1`` with half the cosine drifts) and
:func:`fmri_oinfo.local_contrasts` (bias-corrected AR(1)).
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from nilearn.glm.contrasts import compute_contrast
from nilearn.glm.first_level import run_glm
from scipy import stats

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine_accuracy import pipeline_options  # noqa: E402

from fmri_oinfo import local_contrasts, local_oinfo  # noqa: E402
from fmri_oinfo.stats.episodes import synergy_episodes  # noqa: E402
from fmri_oinfo.stats.local_glm import (  # noqa: E402
    contrast_vectors,
    group_local_contrasts,
    task_design,
)

T_R = 2.0
BLOCK_S = 30.0
PLANTED = (0, 1, 2)


def block_events(n_volumes: int) -> pd.DataFrame:
    """Alternating rest and task blocks of 30 s, rest first."""
    onsets = np.arange(0.0, n_volumes * T_R, BLOCK_S)
    kinds = np.where(np.arange(onsets.size) % 2 == 0, "rest", "task")
    return pd.DataFrame({"onset": onsets, "duration": BLOCK_S, "trial_type": kinds})


def simulate(n_volumes: int, n_regions: int, phi: float, strength: float, nongaussian: bool,
             rng: np.random.Generator) -> np.ndarray:
    """Independent AR(1) regions; the planted triplet dependent during task blocks only."""
    shocks = rng.standard_normal((n_volumes, n_regions)) * np.sqrt(1 - phi**2)
    x = np.empty_like(shocks)
    x[0] = rng.standard_normal(n_regions)
    for t in range(1, n_volumes):
        x[t] = phi * x[t - 1] + shocks[t]
    task = (np.arange(n_volumes) * T_R // BLOCK_S) % 2 == 1
    if nongaussian:
        driven = x[:, 0] * x[:, 1]
        driven = (driven - driven.mean()) / driven.std()
    else:
        driven = (x[:, 0] + x[:, 1]) / np.sqrt(2)
    mixed = strength * driven + np.sqrt(1 - strength**2) * x[:, 2]
    x[:, 2] = np.where(task, mixed, x[:, 2])
    return x


def run(args: argparse.Namespace, strength: float, estimator: str) -> tuple[dict, float]:
    rng = np.random.default_rng(args.seed)
    sets = list(itertools.combinations(range(args.regions), 3))
    shares_two = np.array([len(set(s) & set(PLANTED)) == 2 for s in sets])
    planted = sets.index(PLANTED)
    events = block_events(args.samples)
    hits, two, other, any_other, tables = [], [], [], [], []
    start = time.perf_counter()
    for subject in range(args.subjects):
        x = simulate(args.samples, args.regions, args.phi, strength, args.nongaussian, rng)
        options = pipeline_options() if estimator == "fmmi" else {}
        local = local_oinfo(x, sets, estimator=estimator, seed=subject, **options)
        table = local_contrasts(local, events, T_R, "task - rest")
        labelled = (table["label"] != "n.s.").to_numpy()
        hits.append(table.loc[planted, "label"] == "synergistic")
        rest = np.delete(np.arange(len(sets)), planted)
        two.append(labelled[shares_two].mean())
        other.append(labelled[rest][~np.delete(shares_two, planted)].mean())
        any_other.append(labelled[rest].any())
        tables.append(table)
    seconds = (time.perf_counter() - start) / args.subjects
    group = group_local_contrasts(tables) if args.subjects >= 2 else None
    return {
        "strength a": strength,
        "estimator": estimator,
        "subjects": args.subjects,
        "planted labelled synergistic": np.mean(hits),
        "2-shared sets labelled": np.mean(two),
        "other sets labelled": np.mean(other),
        "subjects with any other set labelled": np.mean(any_other),
        "group: planted q": None if group is None else group.loc[planted, "q"],
        "group: other sets labelled": None if group is None else (group["label"] != "n.s.").drop(planted).mean(),
    }, seconds


def markdown(table: pd.DataFrame) -> str:
    """The table in Markdown (numbers to 3 significant digits)."""
    def cell(value: object) -> str:
        return f"{value:.3g}" if isinstance(value, (float, np.floating)) else str(value)

    lines = ["| " + " | ".join(table.columns) + " |", "|" + "---|" * table.shape[1]]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in table.itertuples(index=False)]
    return "\n".join(lines)


def episodes_null(args: argparse.Namespace) -> None:
    """Calibration of :func:`synergy_episodes` on independent AR(1) regions: 200 random triplets of 30."""
    rng = np.random.default_rng(args.seed)
    shocks = rng.standard_normal((args.samples, 30)) * np.sqrt(1 - args.phi**2)
    x = np.empty_like(shocks)
    x[0] = rng.standard_normal(30)
    for t in range(1, args.samples):
        x[t] = args.phi * x[t - 1] + shocks[t]
    sets = [tuple(rng.choice(30, 3, replace=False)) for _ in range(200)]
    start = time.perf_counter()
    table = synergy_episodes(x, sets, n_surrogates=199, seed=args.seed)
    print(f"synergy_episodes, 200 triplets of 30 independent AR(1) regions (phi = {args.phi}), T = {args.samples}, "
          f"199 circular-shift surrogates, {time.perf_counter() - start:.0f} s")
    for column in ("share", "duration"):
        p = table[f"{column}_p"].to_numpy()
        print(f"| {column} | p < 0.05: {np.mean(p < 0.05):.3f} | p < 0.10: {np.mean(p < 0.10):.3f} | "
              f"q < 0.05: {int(np.sum(table[f'{column}_q'] < 0.05))} |")


def nilearn_p(values: np.ndarray, events: pd.DataFrame, noise_model: str, high_pass: float) -> np.ndarray:
    """Two-sided p of "task - rest" from nilearn's own first level (its raw AR estimates)."""
    design = task_design(events, len(values), T_R, high_pass=high_pass)
    labels, results = run_glm(values, design.to_numpy(dtype=float), noise_model=noise_model)
    contrast = compute_contrast(labels, results, contrast_vectors("task - rest", design)["task - rest"], stat_type="t")
    return 2.0 * stats.t.sf(np.abs(np.ravel(contrast.stat())), contrast.dof)


def calibration(args: argparse.Namespace) -> None:
    """Null p-values per noise model, on Gaussian AR(1) series and on null local O-information."""
    rng = np.random.default_rng(args.seed)
    events = block_events(args.samples)
    sets = list(itertools.combinations(range(args.regions), 3))
    gaussian = simulate(args.samples, 4000, args.phi, 0.0, False, rng)
    local = np.hstack([local_oinfo(simulate(args.samples, args.regions, args.phi, 0.0, False, rng), sets)["o_info"]
                       .to_numpy() for _ in range(args.subjects)])
    print(f"null p-values of 'task - rest', T = {args.samples}, phi = {args.phi}: 4,000 Gaussian AR(1) series; "
          f"local O-information of {args.subjects} subjects x {len(sets)} triplets (not independent within a subject)")
    print("| noise model | series | p < 0.05 | p < 0.01 | p < 0.001 |\n|---|---|---|---|---|")
    for name, values in (("Gaussian AR(1)", gaussian), ("local O-information", local)):
        models = {f"nilearn {m}": nilearn_p(values, events, m, 0.01) for m in ("ols", "ar1", "ar2", "ar3")}
        models["nilearn ar1, high_pass 0.005"] = nilearn_p(values, events, "ar1", 0.005)
        models["local_contrasts (corrected ar1)"] = local_contrasts(
            pd.DataFrame(values), events, T_R, "task - rest")["p"].to_numpy()
        for model, p in models.items():
            print(f"| {model} | {name} | {np.mean(p < 0.05):.4f} | {np.mean(p < 0.01):.4f} | {np.mean(p < 0.001):.4f} |",
                  flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subjects", type=int, default=50)
    parser.add_argument("--regions", type=int, default=8)
    parser.add_argument("--samples", type=int, default=1200)
    parser.add_argument("--phi", type=float, default=0.5)
    parser.add_argument("--strengths", type=float, nargs="+", default=[0.0, 0.6, 0.7, 0.8])
    parser.add_argument("--estimators", nargs="+", default=["gaussian"])
    parser.add_argument("--nongaussian", action="store_true")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--episodes-null", action="store_true", help="only the synergy-episodes null (T = --samples)")
    parser.add_argument("--calibration", action="store_true", help="only the null p-values per noise model")
    args = parser.parse_args()
    if args.calibration:
        calibration(args)
        return
    if args.episodes_null:
        episodes_null(args)
        return
    rows = []
    for strength in args.strengths:
        for estimator in args.estimators:
            row, seconds = run(args, strength, estimator)
            row["s / subject"] = round(seconds, 2)
            rows.append(row)
            print(pd.DataFrame([row]).to_string(index=False, float_format="%.3g"), flush=True)
    planted = "multiplicative" if args.nongaussian else "linear-sum"
    print(f"\n{planted} triplet, {args.regions} regions, T = {args.samples}, phi = {args.phi}, "
          f"{len(list(itertools.combinations(range(args.regions), 3)))} triplets, FDR 0.05")
    print(markdown(pd.DataFrame(rows)))


if __name__ == "__main__":
    main()
