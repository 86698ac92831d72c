"""Choosing ``min_effect``: the effect size ``|o_info / s_info|`` of labelled sets on real-like data.

Each subject is Gaussian AR(1) data (phi = 0.6, T = 1,200) of:

- **background**: ``--regions`` (40) regions in 6 networks with a realistic
  correlation matrix (a global factor with loadings U(0.3, 0.5) and a network
  factor with loadings U(0.4, 0.7): within-network correlations about 0.4,
  between networks about 0.15, all positive, as in cleaned resting-state
  region tables).  Its sets carry small true O-information (a few thousandths
  of a nat), real but not a finding: the surrogate test (regions independent?)
  rejects them rightly, yet their labels say nothing a reader can use;
- **planted**: a redundant 4-set (equicorrelated at rho = 0.25; true O =
  +0.036 nats, O/S = 0.136; its 3-subsets O/S = 0.075) and a synergistic sum
  triplet ``x3 = x1 + x2 + 2 e`` (O = -0.020, O/S = -0.048), the weak planted
  sets of ``benchmarks/inference_calibration.py``, independent of the
  background.

Candidates (pre-specified, tested on the whole run): the planted 4-set, its
four 3-subsets, the synergistic triplet, ``--triplets`` random background
triplets and ``--quads`` random background 4-sets.  :func:`assess_sets` runs
with the closed-form Gaussian estimator, ``--surrogates`` surrogates and
``--bootstrap`` resamples, ``min_effect = 0``.  Printed per kind of set: all
tested sets, those labelled by the surrogate test alone (q < alpha,
irreducible) and those also with the label's interval excluding 0, with
quantiles of ``|O|`` and ``|O/S|`` (estimated) and the median true ``|O/S|``;
then how many labels each candidate ``min_effect`` keeps.

Run::

    python benchmarks/min_effect.py                 # 6 subjects
    python benchmarks/min_effect.py --subjects 2    # quick
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.linalg import block_diag
from scipy.signal import lfilter

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fmri_oinfo.estimators import GaussianOInfo  # noqa: E402
from fmri_oinfo.stats import Design, assess_sets  # noqa: E402
from fmri_oinfo.synthetic import GroundTruthSystem, redundant_block, sum_triplet  # noqa: E402

CANDIDATE_MIN_EFFECTS = (0.0, 0.01, 0.02, 0.03, 0.04, 0.05, 0.06)


def realistic_correlation(n_regions: int, n_networks: int, rng: np.random.Generator) -> np.ndarray:
    """A global + network factor model's correlation matrix (n_regions, n_regions)."""
    network = np.arange(n_regions) % n_networks
    loadings = np.zeros((n_regions, 1 + n_networks))
    loadings[:, 0] = rng.uniform(0.2, 0.4, n_regions)
    loadings[np.arange(n_regions), 1 + network] = rng.uniform(0.3, 0.5, n_regions)
    cov = loadings @ loadings.T + np.diag(1.0 - (loadings**2).sum(axis=1))
    d = np.sqrt(np.diag(cov))
    return cov / np.outer(d, d)


def subject(seed: int, args: argparse.Namespace) -> pd.DataFrame:
    """One subject's result table with ``kind`` (background / planted) and true ``true_ratio`` per set."""
    rng = np.random.default_rng(seed)
    background = realistic_correlation(args.regions, 6, rng)
    system = GroundTruthSystem.from_blocks([background, redundant_block(4, 0.25), sum_triplet(2.0)])
    n = system.n_variables
    data = lfilter([1.0], [1.0, -0.6], system.sample(args.volumes, seed=rng), axis=0)  # (T, n), lag-0 kept
    names = [f"r{i:02d}" for i in range(n)]
    quad = list(range(args.regions, args.regions + 4))
    planted = [quad, *[[m for m in quad if m != leave] for leave in quad], list(range(n - 3, n))]
    random_sets = [sorted(rng.choice(args.regions, 3, replace=False)) for _ in range(args.triplets)]
    random_sets += [sorted(rng.choice(args.regions, 4, replace=False)) for _ in range(args.quads)]
    unique = list(dict.fromkeys(tuple(int(i) for i in s) for s in random_sets))
    sets = [tuple(s) for s in planted] + unique
    table = assess_sets(GaussianOInfo(), pd.DataFrame(data, columns=names), [[names[i] for i in s] for s in sets],
                        Design(n_surrogates=args.surrogates, n_bootstrap=args.bootstrap, min_effect=0.0), seed=seed)
    true_o, true_s = np.empty(len(sets)), np.empty(len(sets))
    for order in (3, 4):
        rows = [g for g, s in enumerate(sets) if len(s) == order]
        exact = system.measures(np.array([sets[g] for g in rows]))  # closed form per set
        true_o[rows], true_s[rows] = exact["o_info"], exact["s_info"]
    table["kind"] = ["planted"] * len(planted) + ["background"] * len(unique)
    table["role"] = ["4-set"] + ["subset"] * 4 + ["synergy"] + ["background"] * len(unique)
    table["true_o"] = true_o
    table["true_ratio"] = true_o / true_s
    table["selected"] = table["q_value"] < table.attrs["alpha"]
    table["selected"] &= table["irreducible"]
    return table


def _quantiles(values: pd.Series) -> str:
    values = np.abs(values.to_numpy(float))
    if not values.size:
        return "- | - | - | -"
    return " | ".join(f"{v:.4f}" for v in (values.min(), np.percentile(values, 5), np.median(values), values.max()))


def summarise(tables: list[pd.DataFrame]) -> None:
    """Print the tables of the module docstring."""
    rows = pd.concat(tables, ignore_index=True)
    print("| sets | labelled by | n | abs(O): median | abs(O/S): min | 5th pct | median | max "
          "| true abs(O/S): median |")
    print("|---|---|---|---|---|---|---|---|---|")
    for kind, part in rows.groupby("kind"):
        print(f"| {kind} | (all tested) | {len(part)} | {np.median(np.abs(part['o_info'])):.4f} "
              f"| {_quantiles(part['o_info_ratio'])} | {np.median(np.abs(part['true_ratio'])):.4f} |")
        for name, chosen in (("test alone (q, irreducible)", part[part["selected"]]),
                             ("+ label's interval excludes 0", part[part["label"] != "n.s."])):
            print(f"| {kind} | {name} | {len(chosen)} | "
                  f"{np.median(np.abs(chosen['o_info'])) if len(chosen) else np.nan:.4f} "
                  f"| {_quantiles(chosen['o_info_ratio'])} "
                  f"| {np.median(np.abs(chosen['true_ratio'])) if len(chosen) else np.nan:.4f} |")
    for title, labelled in (("with the label's interval", rows[rows["label"] != "n.s."]),
                            ("test alone (no interval: n_bootstrap = 0)", rows[rows["selected"]])):
        print(f"\n{title}:\n")
        print("| min_effect | background labels kept | planted labels kept | planted 3-subsets kept "
              "| synergy triplet kept |")
        print("|---|---|---|---|---|")
        for threshold in CANDIDATE_MIN_EFFECTS:
            keep = np.abs(labelled["o_info_ratio"]) >= threshold
            cells = []
            for mask in (labelled["kind"] == "background", labelled["kind"] == "planted",
                         labelled["role"] == "subset", labelled["role"] == "synergy"):
                cells.append(f"{int(keep[mask].sum())} / {int(mask.sum())}")
            print(f"| {threshold:g} | " + " | ".join(cells) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subjects", type=int, default=6)
    parser.add_argument("--regions", type=int, default=40)
    parser.add_argument("--volumes", type=int, default=1200)
    parser.add_argument("--triplets", type=int, default=150)
    parser.add_argument("--quads", type=int, default=50)
    parser.add_argument("--surrogates", type=int, default=199)
    parser.add_argument("--bootstrap", type=int, default=100)
    args = parser.parse_args()
    start = time.perf_counter()
    tables = [subject(seed, args) for seed in range(args.subjects)]
    print(f"{args.subjects} subjects, {args.regions} background regions, T = {args.volumes}, AR(1) phi = 0.6, "
          f"{args.surrogates} surrogates, {args.bootstrap} bootstrap resamples "
          f"({time.perf_counter() - start:.0f} s)\n")
    summarise(tables)


if __name__ == "__main__":
    main()
