"""Calibration of the subject-level inference: does a label mean what the report says?

Simulated region-table subjects go through the pipeline's own candidate and
assessment stages (:func:`fmri_oinfo.pipeline.stages.candidate` and
:func:`~fmri_oinfo.pipeline.stages.assess`) with a shipped configuration,
screen and search on:

- **null subjects**: ``--regions`` (40) independent AR(1) regions, T = 1,200,
  each region's AR coefficient drawn from U(0.5, 0.8) (fMRI-like
  autocorrelation at TR 0.72-2 s).  Nothing is real, so under FDR control the
  share of subjects with any labelled set (the family-wise error rate under
  the complete null) must stay near ``alpha`` or below;
- **planted subjects**: the same plus a synergistic triplet
  ``x3 = x1 + x2 + 2 e`` (true O = -0.020 nats) and a redundant 4-set
  (equicorrelated at rho = 0.25, true O = +0.036 nats), each block filtered by
  one AR(1) so its lag-0 structure is kept.  Prints the power for each planted
  set (and how often the selection block chose it at all), the mean share of
  labelled sets that are not planted structure (target <= alpha), and how
  many labelled sets are padded (a planted set plus unrelated regions:
  target 0).

Only the claims estimator runs (``fmmi_column = false``: the descriptive FMMI
column is left out, it makes no claim) and no bootstrap (``n_bootstrap = 0``:
intervals do not enter the labels).  Labelled sets are classified as
``planted`` (exactly a planted set), ``within`` (a proper subset of a planted
set with at least 3 members: real structure, e.g. a redundant triplet inside
the redundant 4-set), ``padded`` (contains a planted set or a labelled
``within`` set plus other regions) or ``false`` (anything else).

Run::

    python benchmarks/inference_calibration.py                      # 100 null + 20 planted, default and fast
    python benchmarks/inference_calibration.py --quick              # 10 null + 5 planted
    python benchmarks/inference_calibration.py --configs fast --fractions 0.3 0.5 0.7 --null 0 --triplet-noise 3 --rho 0.2
    python benchmarks/inference_calibration.py --null 0 --planted 0 --demo OUT/sub-01 --ground-truth DEMO/ground_truth.json

``--demo`` classifies the labelled sets of finished pipeline runs (folders
holding a ``*_oinfo.tsv``) against the demo's ``ground_truth.json``.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.signal import lfilter
from scipy.stats import binomtest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fmri_oinfo.extract import RegionTimeseries  # noqa: E402
from fmri_oinfo.pipeline import load_config, read_result_table  # noqa: E402
from fmri_oinfo.pipeline import stages  # noqa: E402
from fmri_oinfo.synthetic import GroundTruthSystem, redundant_block, sum_triplet  # noqa: E402

N_TIME = 1200
PHI_RANGE = (0.5, 0.8)
TRIPLET_NOISE = 2.0
REDUNDANT_RHO = 0.25


def _regions(names: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"name": names, "network": "", "x": np.nan, "y": np.nan, "z": np.nan})


def null_subject(seed: int, n_regions: int, n_time: int = N_TIME) -> RegionTimeseries:
    """Independent AR(1) regions, one AR coefficient per region from U(0.5, 0.8)."""
    rng = np.random.default_rng(seed)
    phi = rng.uniform(*PHI_RANGE, n_regions)
    noise = rng.standard_normal((n_time + 200, n_regions))
    values = np.column_stack([lfilter([1.0], [1.0, -p], noise[:, j])[200:] for j, p in enumerate(phi)])
    names = [f"R{j:02d}" for j in range(n_regions)]
    return RegionTimeseries(pd.DataFrame(values, columns=names), _regions(names), {"t_r": 0.72})


def planted_subject(seed: int, n_regions: int, n_time: int = N_TIME, noise: float = TRIPLET_NOISE,
                    rho: float = REDUNDANT_RHO) -> tuple[RegionTimeseries, dict[str, tuple]]:
    """A synergistic triplet (R00-R02) and a redundant 4-set (R03-R06) among independent AR(1) regions."""
    series = null_subject(seed, n_regions, n_time)
    rng = np.random.default_rng(10_000 + seed)
    values = series.data.to_numpy().copy()
    for columns, block in ((slice(0, 3), sum_triplet(noise)), (slice(3, 7), redundant_block(4, rho))):
        latent = GroundTruthSystem.from_blocks([block]).sample(n_time + 200, seed=rng)  # (T + 200, k)
        values[:, columns] = lfilter([1.0], [1.0, -rng.uniform(*PHI_RANGE)], latent, axis=0)[200:]
    names = list(series.data.columns)
    planted = {"synergistic": tuple(names[0:3]), "redundant": tuple(names[3:7])}
    return RegionTimeseries(pd.DataFrame(values, columns=names), series.regions, {"t_r": 0.72}), planted


def run(series: RegionTimeseries, config) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The pipeline's candidate and assessment stages on one subject: candidates and result table."""
    candidates = stages.candidate(series, config)
    return candidates, stages.assess(series, candidates, config)


def classify(labelled: list[tuple[str, ...]], planted: list[tuple[str, ...]]) -> list[str]:
    """``planted`` / ``within`` / ``padded`` / ``false`` per labelled set (see the module docstring)."""
    truth = [frozenset(p) for p in planted]
    kinds = []
    for region_set in labelled:
        members = frozenset(region_set)
        if members in truth:
            kinds.append("planted")
        elif any(members < p for p in truth) and len(members) >= 3:
            kinds.append("within")
        else:
            kinds.append("false")
    real = [frozenset(s) for s, k in zip(labelled, kinds) if k in ("planted", "within")] + truth
    return ["padded" if k == "false" and any(r < frozenset(s) for r in real) else k for s, k in zip(labelled, kinds)]


def _config(name: str, fraction: float | None):
    overrides = dict(estimation__fmmi_column=False, statistics__n_bootstrap=0, device="cpu")
    if fraction is not None:
        overrides["statistics__selection_fraction"] = fraction
    return load_config(name, **overrides)


def _rate(count: int, total: int) -> str:
    if total == 0:
        return "-"
    low, high = binomtest(count, total).proportion_ci(0.95)
    return f"{count}/{total} = {count / total:.3f} [{low:.3f}, {high:.3f}]"


def null_rows(names: list[str], fractions: list[float | None], n_subjects: int, n_regions: int) -> list[dict]:
    rows = []
    for name in names:
        for fraction in fractions:
            config = _config(name, fraction)
            any_label, labels, tested, screened, seconds = 0, [], [], [], []
            for seed in range(n_subjects):
                started = time.perf_counter()
                _, table = run(null_subject(seed, n_regions), config)
                seconds.append(time.perf_counter() - started)
                n_labels = int((table["label"] != "n.s.").sum())
                any_label += n_labels > 0
                labels.append(n_labels)
                tested.append(len(table))
                screened.append(table.attrs["n_screened"])
            rows.append({
                "config": name, "fraction": config.statistics.selection_fraction, "subjects": n_subjects,
                "any label (FWER)": _rate(any_label, n_subjects), "mean labels": f"{np.mean(labels):.2f}",
                "sets tested": f"{np.mean(tested):.0f}", "sets screened": f"{np.mean(screened):.0f}",
                "s/subject": f"{np.mean(seconds):.1f}",
            })
            print(pd.DataFrame(rows[-1:]).to_string(index=False), flush=True)
    return rows


def planted_rows(names: list[str], fractions: list[float | None], n_subjects: int, n_regions: int,
                 noise: float = TRIPLET_NOISE, rho: float = REDUNDANT_RHO) -> list[dict]:
    rows = []
    for name in names:
        for fraction in fractions:
            config = _config(name, fraction)
            found = {"synergistic": 0, "redundant": 0}
            chosen = {"synergistic": 0, "redundant": 0}
            false_share, counts, seconds = [], {"planted": 0, "within": 0, "padded": 0, "false": 0}, []
            for seed in range(n_subjects):
                series, planted = planted_subject(seed, n_regions, noise=noise, rho=rho)
                started = time.perf_counter()
                candidates, table = run(series, config)
                seconds.append(time.perf_counter() - started)
                labelled = table[table["label"] != "n.s."]
                for kind, region_set in planted.items():
                    chosen[kind] += frozenset(region_set) in {frozenset(s) for s in candidates["set"]}
                    row = labelled[[frozenset(s) == frozenset(region_set) for s in labelled["set"]]]
                    found[kind] += bool(len(row)) and row["label"].iloc[0] == kind
                kinds = classify(list(labelled["set"]), list(planted.values()))
                for kind in kinds:
                    counts[kind] += 1
                wrong = sum(k in ("false", "padded") for k in kinds)
                false_share.append(wrong / len(kinds) if kinds else 0.0)
            rows.append({
                "config": name, "fraction": config.statistics.selection_fraction, "subjects": n_subjects,
                "power triplet": _rate(found["synergistic"], n_subjects),
                "power 4-set": _rate(found["redundant"], n_subjects),
                "chosen triplet/4-set": f"{chosen['synergistic']}/{chosen['redundant']}",
                "mean false share": f"{np.mean(false_share):.3f}",
                "labelled planted/within/padded/false": "/".join(str(counts[k]) for k in
                                                                 ("planted", "within", "padded", "false")),
                "s/subject": f"{np.mean(seconds):.1f}",
            })
            print(pd.DataFrame(rows[-1:]).to_string(index=False), flush=True)
    return rows


def demo_rows(folders: list[Path], ground_truth: Path) -> list[dict]:
    planted = [tuple(s["regions"]) for s in json.loads(ground_truth.read_text())["sets"]]
    rows = []
    for folder in folders:
        table = read_result_table(next(Path(folder).glob("*_oinfo.tsv")))
        labelled = table[table["label"] != "n.s."]
        kinds = classify(list(labelled["set"]), planted)
        found = sum(frozenset(p) in {frozenset(s) for s in labelled["set"]} for p in planted)
        rows.append({
            "run": str(folder), "estimator": table.attrs.get("estimator"), "tested": len(table),
            "screened": table.attrs.get("n_screened"), "labelled": len(labelled),
            "planted found": f"{found}/{len(planted)}",
            "planted/within/padded/false": "/".join(str(kinds.count(k)) for k in ("planted", "within", "padded",
                                                                                "false")),
        })
    return rows


def markdown(rows: list[dict]) -> str:
    """Rows as a markdown table (no tabulate dependency)."""
    columns = list(rows[0])
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(str(r[c]) for c in columns) + " |" for r in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configs", nargs="+", default=["default", "fast"])
    parser.add_argument("--fractions", nargs="+", type=float, default=None,
                        help="selection fractions to compare (default: each configuration's own)")
    parser.add_argument("--null", type=int, default=100, help="null subjects per configuration")
    parser.add_argument("--planted", type=int, default=20, help="planted subjects per configuration")
    parser.add_argument("--regions", type=int, default=40)
    parser.add_argument("--triplet-noise", type=float, default=TRIPLET_NOISE,
                        help="noise of the planted x3 = x1 + x2 + noise e (larger: weaker synergy)")
    parser.add_argument("--rho", type=float, default=REDUNDANT_RHO, help="correlation of the planted 4-set")
    parser.add_argument("--quick", action="store_true", help="10 null and 5 planted subjects")
    parser.add_argument("--demo", nargs="*", type=Path, default=[], help="finished pipeline output folders")
    parser.add_argument("--ground-truth", type=Path, help="the demo's ground_truth.json (with --demo)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    if args.quick:
        args.null, args.planted = 10, 5
    fractions = args.fractions or [None]
    tables = {}
    if args.null:
        tables["Null subjects"] = null_rows(args.configs, fractions, args.null, args.regions)
    if args.planted:
        tables["Planted subjects"] = planted_rows(args.configs, fractions, args.planted, args.regions,
                                                  args.triplet_noise, args.rho)
    if args.demo:
        tables["Demo runs"] = demo_rows(args.demo, args.ground_truth)
    for title, rows in tables.items():
        print(f"\n## {title}\n")
        print(markdown(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
