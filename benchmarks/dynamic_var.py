"""Dynamic O-information: Gaussian and FMMI estimates against the exact values, on linear and non-linear systems.

Systems (regions ``a, b, y``; the set ``(a, b, y)``, every member as target, lag 1):

- ``var-synergy``: VAR(1), ``y_t = 0.5 y_{t-1} + a_{t-1} + b_{t-1} + e_t`` with
  white ``a, b``: the drivers' sum is synergistic about ``y``;
- ``var-redundancy``: VAR(1) with a hidden source ``s`` (AR 0.6) copied into
  ``a`` and ``b`` (``0.9 s_{t-1}`` plus noise of variance 0.1), and
  ``y_t = 0.5 y_{t-1} + 0.4 (a_{t-1} + b_{t-1}) + e_t``: redundant;
- ``multiplicative``: ``y_t = 0.5 y_{t-1} + a_{t-1} b_{t-1} + 0.3 e_t`` with
  white ``a, b``: no lagged correlation at all, so the Gaussian estimate
  sees nothing, yet ``y`` is driven synergistically.

Truth: for the VARs, the exact values from the process's stationary and
lagged covariances (:class:`fmri_oinfo.synthetic_var.VARProcess`).  For the
multiplicative system, ``y_t - 0.5 y_{t-1} = W = a b + 0.3 e`` is independent
of ``y``'s past, so ``I(y; a, b | y0) = I(W; a, b)`` and
``I(y; a | y0) = I(W; a)``: its dynamic O-information into ``y`` is the
O-information of the static multiplicative triplet, whose densities are
one-dimensional integrals (:class:`fmri_oinfo.synthetic.MultiplicativeSystem`);
``a`` and ``b`` are white and undriven, so 0 for them.

Prints, per system, seed and target: truth, the Gaussian estimate, FMMI's
estimate and standard error, FMMI's error in standard errors, and FMMI's
seconds per call (3 targets; a single fit).

Usage::

    python benchmarks/dynamic_var.py                        # T = 1,200, 2 seeds, default FMMI settings
    python benchmarks/dynamic_var.py --samples 600 --seeds 1 --set steps=1000
    python benchmarks/dynamic_var.py --systems multiplicative var-synergy    # some systems only
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from fmri_oinfo import dynamic_oinfo  # noqa: E402
from fmri_oinfo.synthetic import MultiplicativeSystem  # noqa: E402
from fmri_oinfo.synthetic_var import BURN_IN, VARProcess  # noqa: E402

MULTIPLICATIVE_NOISE = 0.3


def var_synergy() -> VARProcess:
    a = np.zeros((3, 3))
    a[2] = [1.0, 1.0, 0.5]
    return VARProcess(a, np.eye(3))


def var_redundancy() -> VARProcess:
    a = np.zeros((4, 4))  # a, b, y, hidden source s
    a[3, 3] = 0.6
    a[[0, 1], 3] = 0.9
    a[2] = [0.4, 0.4, 0.5, 0.0]
    return VARProcess(a, np.diag([0.1, 0.1, 1.0, 1.0]))


def multiplicative_sample(n_samples: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n_samples + BURN_IN, 3))
    for t in range(1, len(x)):
        x[t, 2] = 0.5 * x[t - 1, 2] + x[t - 1, 0] * x[t - 1, 1] + MULTIPLICATIVE_NOISE * x[t, 2]
    return x[BURN_IN:]


def multiplicative_truth() -> list[float]:
    o_info = MultiplicativeSystem(MULTIPLICATIVE_NOISE).measures(np.arange(3)[None])["o_info"][0]
    return [0.0, 0.0, float(o_info)]


SYSTEMS = ("var-synergy", "var-redundancy", "multiplicative")


def cases(n_samples: int, seed: int, systems: tuple[str, ...] = SYSTEMS):
    """``(system, data (T, >= 3), truth per target a, b, y)`` for the ``systems`` named."""
    for name, process in (("var-synergy", var_synergy()), ("var-redundancy", var_redundancy())):
        if name in systems:
            truth = [process.dynamic_measures((0, 1, 2), target)[1] for target in range(3)]
            yield name, process.sample(n_samples, seed=seed), truth
    if "multiplicative" in systems:
        yield "multiplicative", multiplicative_sample(n_samples, seed), multiplicative_truth()


def parse_options(pairs: list[str]) -> dict[str, object]:
    out: dict[str, object] = {}
    for pair in pairs:
        key, value = pair.split("=", 1)
        out[key] = int(value) if value.lstrip("-").isdigit() else float(value) if "." in value else value
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=1200)
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--set", nargs="*", default=[], help="FMMI options, key=value")
    parser.add_argument("--systems", nargs="+", choices=SYSTEMS, default=list(SYSTEMS))
    args = parser.parse_args()
    options = dict(device="cpu") | parse_options(args.set)
    print(f"T = {args.samples}, lag 1, FMMI options {options}")
    print("| system | seed | target | truth | gaussian | fmmi | fmmi se | (fmmi - truth) / se | fmmi s |")
    print("|---|---|---|---|---|---|---|---|---|")
    z_scores = []
    for seed in range(args.seeds):
        for name, x, truth in cases(args.samples, seed, tuple(args.systems)):
            frame = pd.DataFrame(x[:, :3], columns=["a", "b", "y"])  # the hidden source is not observed
            gaussian = dynamic_oinfo(frame, [("a", "b", "y")])
            start = time.perf_counter()
            fmmi = dynamic_oinfo(frame, [("a", "b", "y")], estimator="fmmi", seed=seed, **options)
            seconds = time.perf_counter() - start
            for i, target in enumerate(frame.columns):
                z = (fmmi["d_o_info"][i] - truth[i]) / fmmi["d_o_info_se"][i]
                z_scores.append(z)
                print(f"| {name} | {seed} | {target} | {truth[i]:+.4f} | {gaussian['d_o_info'][i]:+.4f} | "
                      f"{fmmi['d_o_info'][i]:+.4f} | {fmmi['d_o_info_se'][i]:.2g} | {z:+.2f} | {seconds:.0f} |")
    z_scores = np.abs(np.asarray(z_scores))
    print(f"\nFMMI intervals +-1.96 SE covering the truth: {int((z_scores < 1.96).sum())} of {len(z_scores)}")


if __name__ == "__main__":
    main()
