"""Power and null of the beyond-FC label through the pipeline a user runs, with the default candidates.

Each subject is a region table (60 regions, T = 1,200) written to a temporary
folder and run through :func:`fmri_oinfo.pipeline.run_subject` (what
``python -m fmri_oinfo.pipeline <table>`` calls) at ``pipelines/default.toml``
with the maps, graphs and report switched off (they do not change the
table).  Nothing is handed in: the candidates are the default strategies
(screen, search, nonlinear), chosen on the selection block, and FMMI's
excess is tested on the test block.

Power rows: 57 independent AR(1) regions (phi = 0.5) and a planted triplet at
three random positions; its two causes are AR(1) processes too (N(0, 1)
margins, so the triplet's instantaneous law is the system's) and the effect
follows them volume by volume with white noise:

- ``multiplicative``: ``x3 = x1 x2 + 0.5 e`` (O = -0.43 nats);
- ``heteroscedastic``: ``x3 = x1 + exp(scale x2) e``, ``scale = 0.75``
  (stronger than the engine benchmark's 0.5, O = -0.11 there);
- ``sinusoidal``: ``x3 = sin(2 x1) x2 + 0.5 e`` (a gain that is a sinusoid
  of x1; every pair is uncorrelated).

Reported per class: the share of subjects whose planted triplet is a
candidate, and the share where it is labelled ``synergy beyond FC`` (Wilson
95 % interval).

Null rows: a Gaussian VAR(1) (phi = 0.5) with a realistic lag-0 correlation
(:func:`fmri_oinfo.synthetic.random_correlation` of 60 regions, strength 1)
and a planted Gaussian synergy ``x4 = x1 + x2 + x3 + 0.8 e`` on four of its
regions (independent AR(1) causes): the share of subjects with any beyond-FC
label (target <= 5 %), and the share whose planted 4-set, or a set holding
it, is tested and carries an O-information ``synergy`` label.

Usage::

    python benchmarks/excess_power.py --subjects 10 --classes multiplicative,heteroscedastic,sinusoidal,null
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.signal import lfilter
from scipy.stats import norm

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fmri_oinfo.pipeline import load_config, run_subject  # noqa: E402
from fmri_oinfo.pipeline.stages import RESULTS_FILE  # noqa: E402
from fmri_oinfo.stats.excess import SYNERGY_BEYOND_FC  # noqa: E402
from fmri_oinfo.synthetic import random_correlation  # noqa: E402

N_REGIONS, N_TIME, PHI = 60, 1200, 0.5
CLASSES = ("multiplicative", "heteroscedastic", "sinusoidal", "null")


def ar1(n_time: int, n_columns: int, rng: np.random.Generator, mixing: np.ndarray | None = None) -> np.ndarray:
    """AR(1) columns with unit variance (lag-0 correlation ``mixing @ mixing.T`` when given)."""
    noise = rng.standard_normal((n_time + 100, n_columns))
    if mixing is not None:
        noise = noise @ mixing.T
    return lfilter([np.sqrt(1 - PHI**2)], [1.0, -PHI], noise, axis=0)[100:]


def effect(kind: str, x1: np.ndarray, x2: np.ndarray, e: np.ndarray) -> np.ndarray:
    """The planted effect region of each class."""
    if kind == "multiplicative":
        return x1 * x2 + 0.5 * e
    if kind == "heteroscedastic":
        return x1 + np.exp(0.75 * x2) * e
    if kind == "sinusoidal":
        return np.sin(2.0 * x1) * x2 + 0.5 * e
    raise ValueError(kind)


def subject(kind: str, seed: int) -> tuple[pd.DataFrame, tuple[int, ...]]:
    """One subject's region table and its planted set (sorted column positions)."""
    rng = np.random.default_rng(seed)
    if kind == "null":
        x = ar1(N_TIME, N_REGIONS, rng, np.linalg.cholesky(random_correlation(N_REGIONS, seed, 1.0)))
        planted = rng.choice(N_REGIONS, 4, replace=False)
        causes = ar1(N_TIME, 3, rng)
        x[:, planted[:3]] = causes
        x[:, planted[3]] = (causes.sum(axis=1) + 0.8 * rng.standard_normal(N_TIME)) / np.sqrt(3.64)
    else:
        x = ar1(N_TIME, N_REGIONS, rng)
        planted = rng.choice(N_REGIONS, 3, replace=False)
        causes = ar1(N_TIME, 2, rng)
        x[:, planted[:2]] = causes
        x[:, planted[2]] = effect(kind, causes[:, 0], causes[:, 1], rng.standard_normal(N_TIME))
    return pd.DataFrame(x, columns=[f"r{j:02d}" for j in range(N_REGIONS)]), tuple(sorted(int(p) for p in planted))


def run(table: pd.DataFrame, seed: int, overrides: dict) -> tuple[pd.DataFrame, float]:
    """The pipeline's result table for one region table, and its seconds."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "sub-01_timeseries.tsv"
        table.to_csv(path, sep="\t", index=False)
        config = load_config(None, seed=seed, outputs__maps=False, outputs__graphs=False, outputs__report=False,
                             **overrides)
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            run_subject(path, config, out_dir=Path(folder) / "out")
        seconds = time.perf_counter() - start
        document = json.loads(next((Path(folder) / "out").rglob(RESULTS_FILE)).read_text())
    results = pd.DataFrame(document["rows"], columns=document["columns"])
    results["set"] = [tuple(s) for s in results["set"]]
    return results, seconds


def wilson(k: int, n: int) -> tuple[float, float]:
    """Wilson 95 % interval of a proportion k / n."""
    if n == 0:
        return float("nan"), float("nan")
    z = norm.ppf(0.975)
    centre = (k + z * z / 2) / (n + z * z)
    half = z * np.sqrt(k * (n - k) / n + z * z / 4) / (n + z * z)
    return centre - half, centre + half


def score(kind: str, results: pd.DataFrame, planted: tuple[int, ...]) -> dict:
    """What one subject's table says about its planted set."""
    names = {f"r{j:02d}" for j in planted}
    sets = [set(s) for s in results["set"]]
    labels = results["excess_label"].fillna("").astype(str).to_numpy()
    if kind == "null":
        holds = [names <= s for s in sets]
        return {
            "beyond_fc_any": bool((labels != "").any()),
            "n_beyond_fc": int((labels != "").sum()),
            "planted_tested": bool(any(holds)),
            "planted_synergy_label": bool(any(h and lab == "synergistic" for h, lab in zip(holds, results["label"]))),
            "planted_beyond_fc": bool(any(h and lab != "" for h, lab in zip(holds, labels))),
            "planted_o_labels": [lab for h, lab in zip(holds, results["label"]) if h],
            "n_sets": len(sets),
        }
    exact = [s == names for s in sets]
    row = int(np.flatnonzero(exact)[0]) if any(exact) else None
    return {
        "found": row is not None,
        "labelled": row is not None and labels[row] == SYNERGY_BEYOND_FC,
        "excess": None if row is None else float(results["excess"].iloc[row]),
        "excess_se": None if row is None else float(results["excess_se"].iloc[row]),
        "others_labelled": int(sum(lab != "" for k, lab in enumerate(labels) if k != row)),
        "n_sets": len(sets),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subjects", type=int, default=10)
    parser.add_argument("--first", type=int, default=0, help="first subject seed")
    parser.add_argument("--classes", default=",".join(CLASSES))
    parser.add_argument("--record", type=Path, default=None, help="append one JSON line per subject here")
    parser.add_argument("--summarise", type=Path, default=None,
                        help="print the table of a --record file (JSON lines) instead of running")
    parser.add_argument("--fmmi", default="", help="extra [estimation.fmmi] options, e.g. steps=1000,ensemble=1")
    args = parser.parse_args()
    overrides = {}
    for item in filter(None, args.fmmi.split(",")):
        key, value = item.split("=")
        overrides[f"estimation__fmmi.{key}"] = type(getattr(load_config(None).estimation.fmmi, key))(value)
    records: dict[str, list[dict]] = {}
    if args.summarise:
        for line in args.summarise.read_text().splitlines():
            record = json.loads(line)
            records.setdefault(record["class"], []).append(record)
    for kind in [] if args.summarise else args.classes.split(","):
        for k in range(args.first, args.first + args.subjects):
            table, planted = subject(kind, seed=1000 * CLASSES.index(kind) + k)
            results, seconds = run(table, seed=k, overrides=overrides)
            record = {"class": kind, "subject": k, "seconds": round(seconds), **score(kind, results, planted)}
            records.setdefault(kind, []).append(record)
            print(json.dumps(record), flush=True)
            if args.record:
                with args.record.open("a") as handle:
                    handle.write(json.dumps(record) + "\n")
    summarise(records)


def summarise(records: dict[str, list[dict]]) -> None:
    """Print the table of the subjects' records, one row per class."""
    print("| class | subjects | planted set a candidate | labelled beyond FC (Wilson 95 % CI) | "
          "median excess (SE) | other sets labelled beyond FC | median s |")
    print("|---|---|---|---|---|---|---|")
    for kind, rows in records.items():
        n = len(rows)
        seconds = np.median([r["seconds"] for r in rows])
        if kind == "null":
            k = sum(r["beyond_fc_any"] for r in rows)
            lo, hi = wilson(k, n)
            synergy = sum(r["planted_synergy_label"] for r in rows)
            print(f"| null (Gaussian VAR + Gaussian synergy) | {n} | planted 4-set tested in "
                  f"{sum(r['planted_tested'] for r in rows)}/{n}, O label synergy in {synergy}/{n} | "
                  f"any beyond-FC label: {k}/{n} ({lo:.2f}-{hi:.2f}) | | "
                  f"{sum(r['n_beyond_fc'] for r in rows)} in total | {seconds:.0f} |")
            continue
        k = sum(r["labelled"] for r in rows)
        lo, hi = wilson(k, n)
        found = [r for r in rows if r["found"]]
        excess = np.median([r["excess"] for r in found]) if found else float("nan")
        se = np.median([r["excess_se"] for r in found]) if found else float("nan")
        print(f"| {kind} | {n} | {len(found)}/{n} | {k}/{n} = {k / n:.0%} ({lo:.2f}-{hi:.2f}) | "
              f"{excess:+.3f} ({se:.3f}) | {sum(r['others_labelled'] for r in rows)} in total | {seconds:.0f} |")


if __name__ == "__main__":
    main()
