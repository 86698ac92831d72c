"""Networks as multivariate variables on the demo subject: FMMI next to the Gaussian copula.

    python benchmarks/networks_as_variables.py [--networks DefaultMode FrontoParietal Visual SomatomotorDorsal]
        [--components 3] [--steps 3000] [--volumes 300]

Writes the demo dataset (:func:`fmri_oinfo.demo.make_demo_dataset`, one
subject) to a temporary folder, extracts sub-01's region time series with the
default cleaning, reduces each chosen network of the atlas to the first
``--components`` principal components of its regions
(:func:`fmri_oinfo.network_variables.principal_components`), and prints one
row per pair of networks (mutual information, ``estimate_mi``) and per
triplet (O-information, ``estimate_oinfo(..., variables=...)``) with the
Gaussian-copula closed form (bias-corrected) and FMMI (estimate, standard
error, non-Gaussian excess) side by side, and the FMMI time.

What to expect: the demo plants its redundant and synergistic sets *within*
networks (DefaultMode, FrontoParietal, Visual) and draws every other region,
and every network's signals, independently, so between networks the truth is
MI = 0 and O = 0: a row whose estimate lies beyond two standard errors from 0
is a false finding of that estimator.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fmri_oinfo import estimate_mi, estimate_oinfo  # noqa: E402
from fmri_oinfo.demo import make_demo_dataset  # noqa: E402
from fmri_oinfo.extract import extract_timeseries  # noqa: E402
from fmri_oinfo.network_variables import network_variables, principal_components  # noqa: E402

DEFAULT_NETWORKS = ("DefaultMode", "FrontoParietal", "Visual", "SomatomotorDorsal")


def demo_subject(n_volumes: int):
    """Region time series of the demo's sub-01 (default extraction)."""
    with tempfile.TemporaryDirectory() as tmp:
        root = make_demo_dataset(Path(tmp) / "demo", n_subjects=1, n_volumes=n_volumes)
        bold = next((root / "sub-01" / "func").glob("*desc-preproc_bold.nii.gz"))
        return extract_timeseries(bold)


def rows(data, variables, steps: int) -> list[dict]:
    """One row per pair (MI) and per triplet (O-information) of the networks in ``variables``."""
    options = dict(device="cpu", steps=steps)
    out = []
    for a, b in itertools.combinations(variables, 2):
        copula, _ = estimate_mi(data[variables[a]], data[variables[b]], estimator="gaussian-copula",
                                bias_correction=True)
        start = time.perf_counter()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", RuntimeWarning)
            fmmi, se = estimate_mi(data[variables[a]].to_numpy(), data[variables[b]].to_numpy(), **options)
        out.append(dict(kind="pair (MI)", networks=f"{a} / {b}", copula=copula, fmmi=fmmi, se=se, excess=np.nan,
                        seconds=time.perf_counter() - start, warned=len(caught) > 0))
    triplets = list(itertools.combinations(variables, 3))
    copula = estimate_oinfo(data, triplets, variables=variables, estimator="gaussian-copula", bias_correction=True)
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", RuntimeWarning)
        fmmi = estimate_oinfo(data, triplets, variables=variables, estimator="fmmi", **options)
    seconds = (time.perf_counter() - start) / len(triplets)  # one model for every triplet: its time shared
    for k, triplet in enumerate(triplets):
        out.append(dict(kind="triplet (O)", networks=" / ".join(triplet), copula=copula["o_info"][k],
                        fmmi=fmmi["o_info"][k], se=fmmi["o_info_se"][k], excess=fmmi["o_info_excess"][k],
                        seconds=seconds, warned=len(caught) > 0))
    return out


def markdown(table: list[dict]) -> str:
    lines = ["| kind | networks | copula (nats) | FMMI (nats) | FMMI SE | FMMI excess | FMMI / SE | FMMI s |",
             "|---|---|---|---|---|---|---|---|"]
    for r in table:
        excess = "" if np.isnan(r["excess"]) else f"{r['excess']:+.4f}"
        flag = " (still learning)" if r["warned"] else ""
        lines.append(f"| {r['kind']} | {r['networks']} | {r['copula']:+.4f} | {r['fmmi']:+.4f} | {r['se']:.4f} | "
                     f"{excess} | {r['fmmi'] / r['se']:+.1f} | {r['seconds']:.0f}{flag} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--networks", nargs="+", default=list(DEFAULT_NETWORKS))
    parser.add_argument("--components", type=int, default=3, help="principal components per network")
    parser.add_argument("--steps", type=int, default=3000, help="FMMI training steps (3000: the default budget)")
    parser.add_argument("--volumes", type=int, default=300, help="volumes of the demo run")
    args = parser.parse_args(argv)
    series = demo_subject(args.volumes)
    networks = network_variables(series.regions, list(series.data.columns))
    chosen = {name: networks[name] for name in args.networks}
    data, variables = principal_components(series.data, chosen, args.components)
    sizes = ", ".join(f"{name} {len(chosen[name])}" for name in chosen)
    print(f"demo sub-01: T = {len(data)} volumes; networks (regions): {sizes}; first {args.components} principal "
          f"components each; FMMI steps = {args.steps}, CPU threads = 1\n")
    print(markdown(rows(data, variables, args.steps)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
