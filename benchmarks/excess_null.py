"""Is FMMI's non-Gaussian excess 0 within its standard error where the data are Gaussian?

The excess (``o_info_excess`` = FMMI O-information less its Gaussian part on
the same rows) is 0 for any linear Gaussian process.  For subjects drawn from
a Gaussian vector autoregression (a random correlation matrix, AR(1)
coefficient ``phi`` per region, T = 1,200) it prints, per subject, the mean
excess over random sets and the share of sets whose ``|excess| > 1.96 SE``
(about 5 % if the SE is calibrated), then the same for a planted
non-Gaussian triplet (the multiplicative system, copies of it placed among the
regions) to show what a real excess looks like.  FMMI runs through the public
``estimate_oinfo`` at the default pipeline's settings.

Usage::

    python benchmarks/excess_null.py --subjects 3 --sets 20
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine_accuracy import pipeline_options  # noqa: E402

from fmri_oinfo import estimate_oinfo  # noqa: E402
from fmri_oinfo.synthetic import MultiplicativeSystem, random_correlation  # noqa: E402


def gaussian_var1(n_regions: int, n_samples: int, phi: float, seed: int) -> np.ndarray:
    """A stationary Gaussian AR(1) process with a random lag-0 correlation between regions."""
    rng = np.random.default_rng(seed)
    chol = np.linalg.cholesky(random_correlation(n_regions, seed, 1.0))
    x = np.empty((n_samples, n_regions))
    state = chol @ rng.standard_normal(n_regions)
    for t in range(n_samples):
        state = phi * state + np.sqrt(1 - phi**2) * (chol @ rng.standard_normal(n_regions))
        x[t] = state
    return x


def score(x: np.ndarray, sets: list[tuple[int, ...]], options: dict, seed: int) -> tuple[np.ndarray, np.ndarray, float]:
    start = time.perf_counter()
    table = estimate_oinfo(x, sets, estimator="fmmi", seed=seed, **options)
    return table["o_info_excess"].to_numpy(), table["o_info_excess_se"].to_numpy(), time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subjects", type=int, default=3)
    parser.add_argument("--regions", type=int, default=12)
    parser.add_argument("--sets", type=int, default=20)
    parser.add_argument("--samples", type=int, default=1200)
    parser.add_argument("--phi", type=float, default=0.5)
    args = parser.parse_args()
    options = pipeline_options()
    print(f"T = {args.samples}, {args.regions} regions, {args.sets} random sets of 3-5 per subject, default FMMI")
    print(f"{'subject':28s} {'mean excess':>11s} {'mean se':>8s} {'|z|>1.96':>9s} {'max |z|':>8s} {'s':>5s}")
    for subject in range(args.subjects):
        rng = np.random.default_rng(100 + subject)
        sets = [tuple(sorted(rng.choice(args.regions, int(rng.integers(3, 6)), replace=False).tolist()))
                for _ in range(args.sets)]
        for kind in ("gaussian VAR(1)", "with multiplicative core"):
            x = gaussian_var1(args.regions, args.samples, args.phi, seed=subject)
            chosen = sets
            if kind != "gaussian VAR(1)":
                x[:, :3] = MultiplicativeSystem(0.5).sample(args.samples, seed=subject)
                chosen = [(0, 1, 2), (0, 1, 2, 5), (0, 1, 2, 6, 9)] + [s for s in sets if not {0, 1, 2} <= set(s)][:5]
            excess, se, seconds = score(x, chosen, options, subject)
            z = excess / se
            label = f"{subject} {kind}"
            if kind == "gaussian VAR(1)":
                print(f"{label:28s} {excess.mean():+11.4f} {se.mean():8.4f} {np.mean(np.abs(z) > 1.96):9.2f} "
                      f"{np.abs(z).max():8.1f} {seconds:5.0f}")
            else:
                print(f"{label:28s} core sets: excess {np.round(excess[:3], 3)} z {np.round(z[:3], 1)}; "
                      f"other sets |z|>1.96: {np.mean(np.abs(z[3:]) > 1.96):.2f}  {seconds:5.0f}")


if __name__ == "__main__":
    main()
