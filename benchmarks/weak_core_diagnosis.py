"""Why weak non-Gaussian cores are missed: a direct repro of the beyond-FC power benchmark's cores.

A subject (the planted triplet + independent AR(1) regions, ``--regions`` in
all, T = 1,200, AR(1) causes with phi = 0.5 as in
``benchmarks/excess_power.py``) is fitted with
:class:`fmri_oinfo.engine.subject.SubjectFlowModel` for the triplet and
``--others`` other sets (2 fixed ones, or random sets of 3-5 regions, half of
them holding one or two triplet members, as a pipeline's candidates do), so
the triplet's pairs share the draws, under engine settings given on the
command line.  Printed per (class, seed, setting): FMMI's O and excess of the
triplet, the in-sample oracle O (pointwise closed forms on the same rows; the
sinusoidal gain's by quadrature below) and the oracle less FMMI's Gaussian
part, the excess SE, the beyond-FC test's margin and z
(``(|excess| - margin) / SE``), the step training stopped at, the held-out
loss gain of the selected weights (mean over members, every pair drawn as in
training), and seconds.

Classes: ``sinusoidal`` (x3 = sin(2 x1) x2 + 0.5 e), ``heteroscedastic``
(x3 = x1 + exp(0.75 x2) e), ``multiplicative`` (x3 = x1 x2 + 0.5 e),
``gaussian`` (x4-style linear synergy x3 = x1 + x2 + 0.8 e, the null of the
excess) and ``independent`` (x3 = e).

Usage::

    python benchmarks/weak_core_diagnosis.py --classes sinusoidal,heteroscedastic --order 312 \
        --regions 60 --others 54 --settings default steps=6000 --gain 30
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.signal import lfilter
from scipy.special import logsumexp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fmri_oinfo.engine import subject_weights  # noqa: E402
from fmri_oinfo.engine.subject import SubjectFlowModel  # noqa: E402
from fmri_oinfo.stats.excess import MIN_EXCESS, RELATIVE_EXCESS  # noqa: E402
from fmri_oinfo.synthetic import (  # noqa: E402
    HeteroscedasticSystem,
    MultiplicativeSystem,
    System,
    _gauss_legendre,
)

N_TIME, PHI, NOISE = 1200, 0.5, 0.5


@dataclass(frozen=True)
class SinusoidalGainSystem(System):
    """``x3 = sin(freq x1) x2 + noise e`` with independent N(0, 1) causes; every pair is uncorrelated.

    ``p(x3 | x1, x2) = N(sin(f x1) x2, s^2)``, ``p(x3 | x1) = N(0, sin^2(f x1) + s^2)``,
    ``p(x3 | x2) = E_u N(sin(f u) x2, s^2)``, ``p(x3) = E_u N(0, sin^2(f u) + s^2)`` over
    ``u ~ N(0, 1)`` (Gauss-Legendre on [-9, 9]).
    """

    freq: float = 2.0
    noise: float = NOISE
    n_nodes: int = 1024
    dims: int = 1

    @property
    def n_variables(self) -> int:
        """Three variables."""
        return 3

    def _u(self) -> tuple[np.ndarray, np.ndarray]:
        u, w = _gauss_legendre(-9.0, 9.0, self.n_nodes)
        return u, np.log(w) - 0.5 * u * u - 0.5 * np.log(2 * np.pi)

    def pointwise_subset_tc(self, x: np.ndarray, masks: np.ndarray) -> np.ndarray:
        """Pointwise TC of each subset at rows ``x``, shape (T, S)."""
        x1, x2, x3 = np.asarray(x, dtype=np.float64).T
        s2 = self.noise**2
        u, log_w = self._u()
        gain = np.sin(self.freq * u)  # (n_nodes,)

        def log_normal(value: np.ndarray, var: np.ndarray | float) -> np.ndarray:
            return -0.5 * (np.log(2 * np.pi * var) + value * value / var)

        var_u = gain**2 + s2
        log_p3 = logsumexp(log_normal(x3[:, None], var_u[None, :]) + log_w, axis=1)
        log_p3_x2 = logsumexp(log_normal(x3[:, None] - gain[None, :] * x2[:, None], s2) + log_w, axis=1)
        by_subset = {
            (True, True, True): log_normal(x3 - np.sin(self.freq * x1) * x2, s2) - log_p3,
            (True, False, True): log_normal(x3, np.sin(self.freq * x1) ** 2 + s2) - log_p3,
            (False, True, True): log_p3_x2 - log_p3,
        }
        zero = np.zeros(len(x3))
        return np.stack([by_subset.get(tuple(bool(v) for v in m), zero) for m in np.atleast_2d(masks)], axis=1)


@dataclass(frozen=True)
class LinearSystem(System):
    """``x3 = a (x1 + x2) + noise e`` with independent N(0, 1) causes (Gaussian; a = 0: independent)."""

    a: float = 1.0
    noise: float = 0.8
    dims: int = 1

    @property
    def n_variables(self) -> int:
        """Three variables."""
        return 3

    def pointwise_subset_tc(self, x: np.ndarray, masks: np.ndarray) -> np.ndarray:
        """Pointwise TC of each subset at rows ``x``, shape (T, S): Gaussian log ratios of the exact covariance."""
        a, s2 = self.a, self.noise**2
        cov = np.array([[1, 0, a], [0, 1, a], [a, a, 2 * a * a + s2]], dtype=float)
        out = []
        for m in np.atleast_2d(masks):
            idx = np.flatnonzero(m)
            if idx.size < 2:
                out.append(np.zeros(len(x)))
                continue
            sub = cov[np.ix_(idx, idx)]
            xs = x[:, idx]
            joint = -0.5 * (np.linalg.slogdet(sub)[1] + np.einsum("ti,ij,tj->t", xs, np.linalg.inv(sub), xs))
            margins = -0.5 * (np.log(np.diag(sub)) + xs**2 / np.diag(sub)).sum(axis=1)
            out.append(joint - margins)
        return np.stack(out, axis=1)


SYSTEMS = {
    "sinusoidal": SinusoidalGainSystem(),
    "heteroscedastic": HeteroscedasticSystem(scale=0.75),
    "multiplicative": MultiplicativeSystem(noise=NOISE),
    "gaussian": LinearSystem(a=1.0, noise=0.8),
    "independent": LinearSystem(a=0.0, noise=1.0),
}


def ar1(n_time: int, n_columns: int, rng: np.random.Generator) -> np.ndarray:
    """Unit-variance AR(1) columns (phi = 0.5)."""
    noise = rng.standard_normal((n_time + 100, n_columns))
    return lfilter([np.sqrt(1 - PHI**2)], [1.0, -PHI], noise, axis=0)[100:]


def effect(kind: str, x1: np.ndarray, x2: np.ndarray, e: np.ndarray) -> np.ndarray:
    """The effect region of each class, volume by volume."""
    if kind == "sinusoidal":
        return np.sin(2.0 * x1) * x2 + NOISE * e
    if kind == "heteroscedastic":
        return x1 + np.exp(0.75 * x2) * e
    if kind == "multiplicative":
        return x1 * x2 + NOISE * e
    if kind == "gaussian":
        return x1 + x2 + 0.8 * e
    if kind == "independent":
        return e
    raise ValueError(f"unknown class {kind!r}; use one of {sorted(SYSTEMS)}.")


def subject(kind: str, seed: int, n_independent: int) -> np.ndarray:
    """Columns 0-2: the triplet (AR(1) causes, instantaneous effect); then independent AR(1) regions."""
    rng = np.random.default_rng(seed)
    causes = ar1(N_TIME, 2, rng)
    x3 = effect(kind, causes[:, 0], causes[:, 1], rng.standard_normal(N_TIME))
    return np.column_stack([causes, x3, ar1(N_TIME, n_independent, rng)])


def other_sets(n_regions: int, count: int, seed: int) -> list[list[int]]:
    """``count`` random sets of 3-5 regions besides the triplet, as a pipeline's candidates are
    (half hold one or two triplet members, none all three)."""
    rng = np.random.default_rng(1000 + seed)
    out: list[list[int]] = []
    while len(out) < count:
        size = int(rng.integers(3, 6))
        if len(out) % 2:  # every other set holds one or two triplet members, as the nonlinear screen's do
            core = rng.choice(3, int(rng.integers(1, 3)), replace=False)
            rest = rng.choice(np.arange(3, n_regions), size - core.size, replace=False)
            members = sorted(int(v) for v in np.r_[core, rest])
        else:
            members = sorted(int(v) for v in rng.choice(n_regions, size, replace=False))
        if not {0, 1, 2} <= set(members) and members not in out:
            out.append(members)
    return out


def parse_setting(text: str) -> dict:
    """``"steps=6000,learning_rate=1e-3"`` -> options (``default``: none)."""
    if text == "default":
        return {}
    options = {}
    for item in text.split(","):
        key, value = item.split("=")
        options[key] = float(value) if any(c in value for c in ".e") else int(value)
    return options


def one(kind: str, seed: int, setting: str, others: int, order: str, regions: int) -> dict:
    """Fit one subject under one setting (the triplet among ``others`` other sets); its triplet's numbers.

    ``order``: the triplet's columns 0-2 as ``x1 x2 x3`` listed in column order, e.g. ``"312"`` puts the
    effect first, so the engine's route (members by index) moves the causes given the effect.
    """
    n_independent = regions - 3
    raw = subject(kind, seed, n_independent)
    x = raw.copy()
    x[:, :3] = raw[:, [int(c) - 1 for c in order]]
    sets = [[0, 1, 2]] + ([[3, 4, 5], [0, 3, 4]][:others] if others <= 2 else other_sets(3 + n_independent, others, seed))
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = SubjectFlowModel(device="cpu", seed=seed, **parse_setting(setting)).fit(x, sets)
        out = model.oinfo(sets[:1])
    seconds = time.perf_counter() - start
    oracle = SYSTEMS[kind].in_sample_measures(raw[:, :3], np.array([[0, 1, 2]]))["o_info"][0]
    o, excess, excess_se = out["o_info"][0], out["o_info_excess"][0], out["o_info_excess_se"][0]
    gaussian = o - excess
    margin = max(MIN_EXCESS, RELATIVE_EXCESS * abs(gaussian))
    best = np.asarray(model.history_["best"])
    return {
        "class": kind, "seed": seed, "setting": setting, "regions": regions, "others": others, "order": order, "O": o, "oracle": oracle,
        "excess": excess, "oracle_excess": oracle - gaussian, "excess_se": excess_se, "margin": margin,
        "z": (abs(excess) - margin) / excess_se if excess_se > 0 else float("nan"),
        "stop": model.history_["step"][-1], "heldout_gain": float((best[0] - best[-1]).mean()), "s": seconds,
    }


def main() -> None:
    """Print one row per (class, seed, setting)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--classes", default="sinusoidal,heteroscedastic")
    parser.add_argument("--seeds", default="0")
    parser.add_argument("--settings", nargs="+", default=["default"])
    parser.add_argument("--gain", type=float, default=subject_weights.NON_GAUSSIAN_GAIN,
                        help="engine/subject_weights.NON_GAUSSIAN_GAIN for this run (draws ~ importance (1 + gain score))")
    parser.add_argument("--regions", type=int, default=6, help="regions in all (the triplet + independent ones)")
    parser.add_argument("--order", default="123", help="x1 x2 x3 in column order (312: effect first)")
    parser.add_argument("--others", type=int, default=2, help="other sets fitted beside the triplet")
    args = parser.parse_args()
    subject_weights.NON_GAUSSIAN_GAIN = args.gain  # read by member_probabilities at each fit
    header = ("class", "seed", "setting", "regions", "others", "order", "O", "oracle", "excess", "oracle_excess", "excess_se", "margin", "z",
              "stop", "heldout_gain", "s")
    print(f"NON_GAUSSIAN_GAIN = {args.gain:g}", flush=True)
    print(" | ".join(header), flush=True)
    for kind in args.classes.split(","):
        for seed in (int(s) for s in args.seeds.split(",")):
            for setting in args.settings:
                row = one(kind, seed, setting, args.others, args.order, args.regions)
                print(" | ".join(f"{row[h]:.3f}" if isinstance(row[h], float) else str(row[h]) for h in header),
                      flush=True)


if __name__ == "__main__":
    main()
