"""Calibration of the generalised Pareto tail p-values beyond ``1 / (1 + R)``.

:mod:`fmri_oinfo.stats.tail` fits a generalised Pareto tail to ``R``
surrogates and reads p-values off it below the empirical floor
``1 / (1 + R)``.  This script measures how far that extrapolation can be
trusted.  For each statistic and each dataset (independent AR(1) regions, or a
correlated pair plus an independent region):

1. a reference null of ``--multiplier`` times ``R + 1`` surrogates of the same
   kind (the exact simulation of that null);
2. for each extrapolation factor ``f``, the observed value with exactly
   ``p_true = 1 / (f (R + 1))`` of the reference null at or above it
   (``f = 1``: the empirical floor; ``f = 10``: ten times below it);
3. ``--replicates`` fresh nulls of ``R`` surrogates, each giving the tail
   p-value of every such observed value (:func:`fmri_oinfo.stats.tail.tail_p_value`
   without the bound: the raw fit).

Statistics (Gaussian O-information, nats, T = ``--volumes``):

- ``triplet phi=0.6``: ``|O|`` of 3 independent AR(1) regions (phi 0.6),
  every region circularly shifted (the set null of ``p_value``);
- ``5-set phi=0.95``: ``|O|`` of 5 independent slow AR(1) regions (phi 0.95),
  circular shifts;
- ``member phase``: ``O`` of (a, b, c), a and b AR(1) with correlation 0.5,
  c independent, with c alone phase-randomised (the member null of
  ``p_irreducible``; phase randomisation because one region shifted has only T
  distinct shifts, too few for a reference of 100 times R).

Printed per statistic, ``R`` and ``f``: ``p_true``, the median and the 10th
percentile of ``p_tail / p_true`` over datasets and replicates, the share of
tail p-values below ``p_true / 2`` (anti-conservative by more than twofold)
and below ``p_true / 5``.  The reference's own p at ``f`` rests on
``multiplier / f`` exceedances: keep ``multiplier >= 10 f``.  The table
chooses :data:`fmri_oinfo.stats.tail.EXTRAPOLATION_FACTOR`: the tail is
trusted down to ``1 / (EXTRAPOLATION_FACTOR (R + 1))``
(:func:`fmri_oinfo.stats.tail.smallest_reportable_p`).

Run::

    nice -n 10 python benchmarks/tail_calibration.py                 # R = 499 and 999, f = 1 .. 10, 100x: ~5 min
    nice -n 10 python benchmarks/tail_calibration.py --factors 1 2 5 10 20 --multiplier 200 --replicates 40
    nice -n 10 python benchmarks/tail_calibration.py --quick
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from scipy import stats as scipy_stats
from scipy.signal import lfilter

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fmri_oinfo.stats.closed_form import LaggedCorrelations, estimator_input, o_info_of_correlations  # noqa: E402
from fmri_oinfo.stats.surrogates import circular_shifts, phase_randomized_surrogates  # noqa: E402
from fmri_oinfo.stats.tail import EXTRAPOLATION_FACTOR, MIN_EXCEEDANCES, fit_tail  # noqa: E402

#: Surrogates drawn per chunk (bounds memory).
CHUNK = 5_000

Draw = Callable[[int, np.random.Generator], np.ndarray]


def ar1(n_time: int, n_regions: int, phi: float, rng: np.random.Generator) -> np.ndarray:
    """Independent stationary AR(1) regions, (T, M)."""
    noise = rng.standard_normal((n_time + 200, n_regions))
    return lfilter([1.0], [1.0, -phi], noise, axis=0)[200:]


def shifted_set(values: np.ndarray) -> Draw:
    """``|O|`` of all columns with each column circularly shifted on its own."""
    members = np.arange(values.shape[1])[None, :]  # (1, k)
    lagged = LaggedCorrelations(values, [members[0]], copula=False)

    def draw(n: int, rng: np.random.Generator) -> np.ndarray:
        shifts = circular_shifts(values.shape[0], (n, values.shape[1]), rng)  # (n, k)
        return np.abs(o_info_of_correlations(lagged.correlations(members, shifts)[:, 0]))

    return draw


def phase_member(values: np.ndarray) -> Draw:
    """``O`` of the columns with the last column alone phase-randomised."""
    z = estimator_input(values, copula=False)  # (T, k)
    n_time, order = z.shape
    fixed = z[:, :-1].T @ z[:, :-1] / n_time  # (k-1, k-1)

    def draw(n: int, rng: np.random.Generator) -> np.ndarray:
        moved = phase_randomized_surrogates(values[:, -1:], n, rng)[:, :, 0]  # (n, T)
        moved = estimator_input(moved.T, copula=False)  # (T, n)
        cross = z[:, :-1].T @ moved / n_time  # (k-1, n)
        corr = np.empty((n, order, order))
        corr[:, :-1, :-1] = fixed
        corr[:, :-1, -1] = corr[:, -1, :-1] = cross.T
        corr[:, -1, -1] = 1.0
        return o_info_of_correlations(corr)

    return draw


def datasets(name: str, n_time: int, rng: np.random.Generator) -> np.ndarray:
    """One dataset (T, k) of statistic ``name``."""
    if name == "triplet phi=0.6":
        return ar1(n_time, 3, 0.6, rng)
    if name == "5-set phi=0.95":
        return ar1(n_time, 5, 0.95, rng)
    pair = ar1(n_time, 2, 0.6, rng)
    pair[:, 1] = 0.5 * pair[:, 0] + np.sqrt(1 - 0.25) * pair[:, 1]  # correlation 0.5, same AR(1)
    return np.column_stack([pair, ar1(n_time, 1, 0.6, rng)])


STATISTICS: dict[str, Callable[[np.ndarray], Draw]] = {
    "triplet phi=0.6": shifted_set, "5-set phi=0.95": shifted_set, "member phase": phase_member,
}


def drawn(draw: Draw, n: int, rng: np.random.Generator) -> np.ndarray:
    return np.concatenate([draw(min(CHUNK, n - s), rng) for s in range(0, n, CHUNK)])


def raw_tail_p(observed: np.ndarray, null: np.ndarray) -> np.ndarray:
    """The unbounded tail p-values of :func:`fmri_oinfo.stats.tail.tail_p_value` for several observed values.

    NaN where at least :data:`MIN_EXCEEDANCES` surrogates reach the value (the
    empirical p-value is used there) or no tail could be fitted.
    """
    fitted = fit_tail(null)
    if fitted is None:
        return np.full(observed.size, np.nan)
    shape, scale, threshold, n_tail = fitted
    p = n_tail / null.size * scipy_stats.genpareto.sf(observed - threshold, shape, loc=0.0, scale=scale)
    reached = (null[None, :] >= observed[:, None]).sum(axis=1) >= MIN_EXCEEDANCES
    return np.where(reached, np.nan, p)


def calibrate(name: str, n_surrogates: int, factors: list[float], multiplier: int, n_datasets: int,
              n_replicates: int, n_time: int, seed: int) -> list[dict]:
    rng = np.random.default_rng(seed)
    n_reference = multiplier * (n_surrogates + 1)
    truths = np.array([1.0 / (f * (n_surrogates + 1)) for f in factors])
    ratios = [[] for _ in factors]
    for _ in range(n_datasets):
        draw = STATISTICS[name](datasets(name, n_time, rng))
        reference = np.sort(drawn(draw, n_reference, rng))[::-1]  # largest first
        counts = np.maximum(1, np.round(truths * n_reference).astype(int))  # exceedances at each observed value
        observed = 0.5 * (reference[counts - 1] + reference[counts])
        exact = counts / n_reference
        for _ in range(n_replicates):
            p = raw_tail_p(observed, drawn(draw, n_surrogates, rng))
            for j in range(len(factors)):
                ratios[j].append(p[j] / exact[j])
    rows = []
    for j, f in enumerate(factors):
        r = np.asarray(ratios[j])
        r = r[np.isfinite(r)]
        rows.append({"statistic": name, "R": n_surrogates, "f": f, "p_true": truths[j], "n": r.size,
                     "median": np.median(r), "q10": np.quantile(r, 0.1), "below_half": np.mean(r < 0.5),
                     "below_fifth": np.mean(r < 0.2)})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--surrogates", type=int, nargs="+", default=[499, 999])
    parser.add_argument("--factors", type=float, nargs="+", default=[1, 2, 5, 10])
    parser.add_argument("--multiplier", type=int, default=100, help="reference null size in units of R + 1")
    parser.add_argument("--datasets", type=int, default=4)
    parser.add_argument("--replicates", type=int, default=20)
    parser.add_argument("--volumes", type=int, default=600)
    parser.add_argument("--statistics", nargs="+", default=list(STATISTICS), choices=list(STATISTICS))
    parser.add_argument("--quick", action="store_true", help="2 datasets x 10 replicates, R = 499")
    args = parser.parse_args()
    if args.quick:
        args.surrogates, args.datasets, args.replicates = [499], 2, 10
    started = time.perf_counter()
    print("| statistic | R | f | p_true | fits | median p_tail/p_true | 10th pct | < p_true/2 | < p_true/5 |")
    print("|---|---|---|---|---|---|---|---|---|")
    for s, name in enumerate(args.statistics):
        for n_surrogates in args.surrogates:
            for row in calibrate(name, n_surrogates, args.factors, args.multiplier, args.datasets, args.replicates,
                                 args.volumes, seed=1000 * s + n_surrogates):
                print(f"| {row['statistic']} | {row['R']} | {row['f']:g} | {row['p_true']:.2g} | {row['n']} "
                      f"| {row['median']:.2f} | {row['q10']:.2f} | {row['below_half']:.2f} "
                      f"| {row['below_fifth']:.2f} |", flush=True)
    print(f"\n{time.perf_counter() - started:.0f} s; T = {args.volumes}, {args.datasets} datasets x "
          f"{args.replicates} replicates, reference nulls of {args.multiplier} (R + 1) surrogates; the table "
          f"reports tail p-values down to 1 / ({EXTRAPOLATION_FACTOR:g} (R + 1)).")


if __name__ == "__main__":
    main()
