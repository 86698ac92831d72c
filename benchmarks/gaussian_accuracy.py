"""Accuracy of the Gaussian and Gaussian-copula estimators against closed forms.

Each estimator (plain Gaussian and Gaussian copula, each with and without the
finite-sample bias correction) scores the whole group of a ground-truth system
from :mod:`fmri_oinfo.synthetic` whose TC and O-information are known exactly:

- Gaussian redundant and synergistic blocks, rho in {0.3, 0.5, 0.7}, n in {3, 5};
- the sum triplet ``(X1, X2, X1 + X2 + 0.1 e)``;
- multivariate Student-t (nu in {3, 5}) on a redundant and a synergistic block:
  the Gaussian copula misses the tail dependence, so it is wrong there;
- Gaussian blocks seen through a marginal transform (half-cube, exp): the
  copula is unchanged, the plain Gaussian estimate is not.

Every case runs at T = 1200 and T = 10000; the estimate is the mean over
``--repeats`` independent samples (its spread is the ``sd`` column).  Errors
are estimate minus truth, in nats; relative error is error / |truth|.

Usage::

    python benchmarks/gaussian_accuracy.py            # all systems, 10 samples each
    python benchmarks/gaussian_accuracy.py --quick    # 2 samples each, T = 1200 only
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run from a checkout without installing
    sys.path.insert(0, str(REPO))

from fmri_oinfo.estimators import CopulaOInfo, GaussianOInfo  # noqa: E402
from fmri_oinfo.measures import measures_from_tc, subset_plan  # noqa: E402
from fmri_oinfo.synthetic import (  # noqa: E402
    GroundTruthSystem,
    redundant_block,
    sum_triplet,
    synergistic_block,
)

#: (name, copula, bias_correction) of every estimator compared.
ESTIMATORS = (
    ("gaussian", False, False),
    ("gaussian+bc", False, True),
    ("copula", True, False),
    ("copula+bc", True, True),
)


@dataclass(frozen=True)
class Case:
    """A named ground-truth system and the family it belongs to in the summary."""

    name: str
    family: str
    system: GroundTruthSystem


def build_cases() -> list[Case]:
    """All ground-truth systems of the benchmark."""
    cases = []
    for kind, block in (("redundant", redundant_block), ("synergistic", synergistic_block)):
        for n in (3, 5):
            for rho in (0.3, 0.5, 0.7):
                cases.append(Case(f"gauss {kind} n={n} rho={rho}", "gaussian", GroundTruthSystem(block(n, rho))))
    cases.append(Case("gauss sum triplet", "gaussian", GroundTruthSystem(sum_triplet())))
    for nu in (3, 5):
        for kind, block in (("redundant", redundant_block), ("synergistic", synergistic_block)):
            system = GroundTruthSystem(block(3, 0.5), nu=nu)
            cases.append(Case(f"student-t nu={nu} {kind} n=3 rho=0.5", "student-t", system))
    for transform in ("half-cube", "exp"):
        for kind, block in (("redundant", redundant_block), ("synergistic", synergistic_block)):
            cases.append(
                Case(f"{transform} gauss {kind} n=3 rho=0.5", f"transform {transform}",
                     GroundTruthSystem(block(3, 0.5), transform=transform))
            )
    return cases


def estimate(system: GroundTruthSystem, n_samples: int, seeds: list[int]) -> dict[str, np.ndarray]:
    """TC and O of the whole group per estimator, shape (len(seeds), 2) each."""
    n = system.n_variables
    plan = subset_plan(n)
    group = np.arange(n)[None]  # (1, n)
    out = {name: np.empty((len(seeds), 2)) for name, _, _ in ESTIMATORS}
    for row, seed in enumerate(seeds):
        x = system.sample(n_samples, seed=seed)
        for name, copula, corrected in ESTIMATORS:
            model = (CopulaOInfo if copula else GaussianOInfo)(bias_correction=corrected, device="cpu").fit(x)
            measures = measures_from_tc(model.total_correlations(group, plan), plan)
            out[name][row] = measures["tc"][0], measures["o_info"][0]
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="2 samples per case, T = 1200 only")
    parser.add_argument("--repeats", type=int, default=None, help="independent samples per case (default 10)")
    parser.add_argument("--seed", type=int, default=0, help="first seed")
    args = parser.parse_args(argv)
    repeats = args.repeats or (2 if args.quick else 10)
    lengths = (1200,) if args.quick else (1200, 10_000)
    seeds = list(range(args.seed, args.seed + repeats))

    header = (
        f"{'system':<40}{'T':>6}  {'estimator':<12}"
        f"{'TC true':>9}{'TC est':>9}{'sd':>7}{'err':>9}{'rel':>8}"
        f"{'O true':>9}{'O est':>9}{'sd':>7}{'err':>9}{'rel':>8}"
    )
    print(f"Closed form vs estimate (nats), mean of {repeats} samples per row; rel = err / |truth|.")
    print(header)
    print("-" * len(header))
    summary: dict[tuple[str, str], list[float]] = {}
    for case in build_cases():
        n = case.system.n_variables
        truth = case.system.measures(np.arange(n)[None])
        tc_true, o_true = float(truth["tc"][0]), float(truth["o_info"][0])
        for n_samples in lengths:
            values = estimate(case.system, n_samples, seeds)
            for name, _, _ in ESTIMATORS:
                tc_est, o_est = values[name].mean(axis=0)
                tc_sd, o_sd = values[name].std(axis=0, ddof=1) if repeats > 1 else (np.nan, np.nan)
                tc_err, o_err = tc_est - tc_true, o_est - o_true
                print(
                    f"{case.name:<40}{n_samples:>6}  {name:<12}"
                    f"{tc_true:>9.4f}{tc_est:>9.4f}{tc_sd:>7.4f}{tc_err:>+9.4f}{tc_err / abs(tc_true):>+8.1%}"
                    f"{o_true:>+9.4f}{o_est:>+9.4f}{o_sd:>7.4f}{o_err:>+9.4f}{o_err / abs(o_true):>+8.1%}"
                )
                errors = summary.setdefault((f"{case.family}, T={n_samples}", name), [])
                errors.append((abs(tc_err / tc_true), abs(o_err / o_true)))
        print()

    families = list(dict.fromkeys(key[0] for key in summary))
    print("Median |relative error| per family of systems, TC / O-information:")
    print(f"{'family':<32}" + "".join(f"{name:>16}" for name, _, _ in ESTIMATORS))
    for family in families:
        cells = ""
        for name, _, _ in ESTIMATORS:
            tc_rel, o_rel = np.median(np.array(summary[family, name]), axis=0)
            cells += f"{f'{tc_rel:.1%} / {o_rel:.1%}':>16}"
        print(f"{family:<32}{cells}")


if __name__ == "__main__":
    main()
