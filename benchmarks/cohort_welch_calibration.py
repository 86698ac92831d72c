"""False-positive rate of the between-cohort permutation test when the cohorts' spreads and sizes differ.

Each simulated null study has ``--sizes`` subjects (16 in cohort A, 8 in
cohort B by default) whose effects are drawn with equal means: cohort A from
N(0, 1), cohort B from N(0, ratio**2), for each SD ratio of ``--ratios``.  Two
label-permutation tests are run on every study, with the same relabellings:

- ``plain difference``: the statistic the group tests used before, ``mean_A -
  mean_B`` (a permutation test of equal distributions, not of equal means:
  anti-conservative when the smaller cohort is the more spread);
- ``Welch t``: :func:`fmri_oinfo.stats.group.two_sample_test`, Welch's t
  permuted (studentised permutation test, Janssen 1997; Chung & Romano 2013).

Printed per ratio: each test's false-positive rate at ``alpha`` with its
Clopper-Pearson 95 % interval.  Studies are columns of one matrix, so a
study costs one column of the test's matrix products.

Run::

    nice -n 10 python benchmarks/cohort_welch_calibration.py               # 10,000 studies per ratio
    nice -n 10 python benchmarks/cohort_welch_calibration.py --studies 2000
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from scipy.stats import binomtest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fmri_oinfo.stats.group import two_sample_test  # noqa: E402

#: Studies per call of a test (bounds memory at permutations times this).
BATCH = 2_000


def plain_difference_p(values: np.ndarray, in_a: np.ndarray, n_permutations: int, seed: int) -> np.ndarray:
    """Two-sided label-permutation p-value of ``mean_A - mean_B`` (the statistic replaced by Welch's t).

    Parameters
    ----------
    values : numpy.ndarray, shape (S, G)
    in_a : numpy.ndarray of bool, shape (S,)
    n_permutations : int
    seed : int

    Returns
    -------
    numpy.ndarray, shape (G,)
    """
    rng = np.random.default_rng(seed)
    labels = rng.permuted(np.broadcast_to(in_a, (n_permutations, in_a.size)), axis=1).astype(float)  # (P, S)
    n_a, n_b = in_a.sum(), (~in_a).sum()
    observed = values[in_a].mean(axis=0) - values[~in_a].mean(axis=0)  # (G,)
    null = labels @ values / n_a - (1.0 - labels) @ values / n_b  # (P, G)
    exceed = (np.abs(null) >= np.abs(observed) * (1.0 - 1e-12)).sum(axis=0)
    return (1.0 + exceed) / (1.0 + n_permutations)


def rate(count: int, total: int) -> str:
    low, high = binomtest(count, total).proportion_ci(0.95)
    return f"{count / total:.3f} [{low:.3f}, {high:.3f}]"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs=2, default=[16, 8], metavar=("N_A", "N_B"))
    parser.add_argument("--ratios", type=float, nargs="+", default=[1.0, 1.5, 2.0, 3.0],
                        help="SD of cohort B over SD of cohort A")
    parser.add_argument("--studies", type=int, default=10_000, help="null studies per ratio")
    parser.add_argument("--permutations", type=int, default=999)
    parser.add_argument("--alpha", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    n_a, n_b = args.sizes
    in_a = np.arange(n_a + n_b) < n_a
    started = time.perf_counter()
    print("| n_A vs n_B | SD_B / SD_A | studies | plain difference: FPR [95 % CI] | Welch t: FPR [95 % CI] |")
    print("|---|---|---|---|---|")
    for k, ratio in enumerate(args.ratios):
        rng = np.random.default_rng(args.seed + k)
        plain = welch = 0
        for start in range(0, args.studies, BATCH):
            size = min(BATCH, args.studies - start)
            values = rng.standard_normal((n_a + n_b, size))  # (S, studies)
            values[~in_a] *= ratio
            plain += int((plain_difference_p(values, in_a, args.permutations, start) < args.alpha).sum())
            welch += int((two_sample_test(values, in_a, args.permutations, seed=start).p < args.alpha).sum())
        print(f"| {n_a} vs {n_b} | {ratio:g} | {args.studies} | {rate(plain, args.studies)} "
              f"| {rate(welch, args.studies)} |", flush=True)
    print(f"\n{time.perf_counter() - started:.0f} s; alpha = {args.alpha:g}, {args.permutations} random relabellings "
          "per study; equal means, normal effects.")


if __name__ == "__main__":
    main()
