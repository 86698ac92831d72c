"""The ``[networks]`` option of a subject run: the atlas's networks as multivariate variables.

Wiring only: which regions make each network (the atlas's labels, or an
assignment file), each network as its regions or its first ``k`` principal
components (:mod:`fmri_oinfo.network_variables`), every set of ``orders``
networks tested with the claims estimator and the statistics settings of the
region table (:func:`fmri_oinfo.stats.variable_sets.assess_variable_sets`:
surrogates move a network's columns together), FMMI beside it as for the
regions, and the outputs: ``<prefix>_networks.tsv`` with its JSON sidecar,
``<prefix>_networks_desc-*_map.nii.gz`` and glass brains
(:mod:`fmri_oinfo.network_maps`).  ``docs/results.md`` defines the columns.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from itertools import combinations
from pathlib import Path
from typing import Any

import nibabel as nib
import numpy as np
import pandas as pd

from fmri_oinfo import network_maps
from fmri_oinfo.atomic import write_text_atomically
from fmri_oinfo.extract import RegionTimeseries
from fmri_oinfo.network_variables import network_variables, principal_components
from fmri_oinfo.pipeline.cache import file_digest, stage_key
from fmri_oinfo.pipeline.config import NetworksConfig, PipelineConfig
from fmri_oinfo.pipeline.outputs import OutputNames, result_table_text
from fmri_oinfo.pipeline.stages import configured_estimator, load_results, save_results
from fmri_oinfo.stats.excess import excess_tests
from fmri_oinfo.stats.variable_sets import assess_variable_sets

#: Surrogate O-information per row of the networks table (float32, (G, R)), in its stage folder.
NULL_FILE = "networks_null.npy"


def read_assignment(path: str | Path, names: Sequence[str]) -> list[str]:
    """Each region's network from a TSV with ``name`` and ``network`` columns ("" for regions it omits).

    Raises
    ------
    ValueError
        For a file without those columns, a region listed twice, or no region of the data listed.
    """
    table = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
    if not {"name", "network"} <= set(table.columns):
        raise ValueError(f"networks.assignment = {str(path)!r} has columns {list(table.columns)}; give a TSV with "
                         "'name' (the region names of the time series) and 'network' columns.")
    twice = table["name"][table["name"].duplicated()].tolist()
    if twice:
        raise ValueError(f"networks.assignment = {str(path)!r} lists regions {twice[:5]} twice; give each region "
                         "one network.")
    owner = dict(zip(table["name"], table["network"]))
    if not set(owner) & set(names):
        raise ValueError(f"networks.assignment = {str(path)!r} names none of the regions of the time series "
                         f"({list(names)[:5]}...); use the names of the time-series columns.")
    return [owner.get(name, "") for name in names]


def network_members(regions: pd.DataFrame, names: Sequence[str], settings: NetworksConfig) -> dict[str, list[str]]:
    """The analysed networks and their regions (the atlas's labels, or the assignment file's).

    Raises
    ------
    ValueError
        When no region has a network, ``include`` names an unknown network,
        or there are fewer networks than the largest order.
    """
    if settings.assignment:
        regions = pd.DataFrame({"name": list(names), "network": read_assignment(settings.assignment, names)})
    networks = network_variables(regions, names)
    if settings.include:
        unknown = [n for n in settings.include if n not in networks]
        if unknown:
            raise ValueError(f"networks.include names {unknown}, which no region belongs to; the networks are "
                             f"{list(networks)}.")
        networks = {n: networks[n] for n in settings.include}
    if len(networks) < max(settings.orders):
        raise ValueError(f"networks.orders = {list(settings.orders)} needs at least {max(settings.orders)} "
                         f"networks; there are {len(networks)} ({list(networks)}). Lower the orders or include "
                         "more networks.")
    return networks


def representation(settings: NetworksConfig) -> str:
    """What a network is in this run, in words (shown in the sidecar and the report)."""
    if settings.components:
        return (f"first {settings.components} principal components of the network's z-scored regions (all of "
                f"them for a network of fewer regions)")
    return "all the network's regions, one column each"


def networks_key(upstream: str, config: PipelineConfig) -> str:
    """Key of the networks stage: the time series, the networks, estimation and statistics settings."""
    settings = config.networks
    assignment = file_digest(settings.assignment) if settings.assignment else None
    estimation = {k: v for k, v in asdict(config.estimation).items() if k != "device"}
    return stage_key("networks", upstream, asdict(settings), assignment, estimation, asdict(config.statistics))


def analyse_networks(timeseries: RegionTimeseries, config: PipelineConfig) -> tuple[pd.DataFrame, np.ndarray]:
    """The networks table (ranked) and its surrogate null (G, R).

    Every set of ``networks.orders`` networks, tested with ``[estimation]
    estimator`` and ``[statistics]`` as the regions' sets are, on the whole
    run; with ``fmmi_column`` and another estimator, FMMI's value, SE and
    non-Gaussian excess (with its test) beside it.  ``attrs`` add
    ``network_regions`` (network -> regions), ``components`` and
    ``representation``.
    """
    settings, est, stats = config.networks, config.estimation, config.statistics
    names = [str(n) for n in timeseries.data.columns]
    networks = network_members(timeseries.regions, names, settings)
    if settings.components:
        data, variables = principal_components(timeseries.data, networks, settings.components)
    else:
        data, variables = timeseries.data, networks
    sets = [g for k in sorted(set(settings.orders)) for g in combinations(list(networks), k)]
    table, null = assess_variable_sets(
        data, variables, sets, estimator=configured_estimator(config, est.estimator),
        n_surrogates=stats.n_surrogates, surrogate=stats.surrogate, n_bootstrap=stats.n_bootstrap,
        block_length=stats.block_length or None, alpha=stats.alpha, ci_level=stats.ci_level, seed=est.seed,
        tail=stats.tail, min_effect=stats.min_effect,
    )
    if est.fmmi_column and est.estimator != "fmmi":
        named = list(table["set"])
        fmmi = configured_estimator(config, "fmmi").fit(data, named, variables=variables).measures(named).to_frame()
        for column, source in (("o_info_fmmi", "o_info"), ("o_info_fmmi_se", "o_info_se"),
                               ("excess", "o_info_excess"), ("excess_se", "o_info_excess_se")):
            table[column] = fmmi[source].to_numpy(float)
        tests = excess_tests(table["excess"].to_numpy(float), table["excess_se"].to_numpy(float),
                             (table["o_info_fmmi"] - table["excess"]).to_numpy(float), stats.alpha)
        for column in tests.columns:
            table[column] = tests[column].to_numpy()
    table.attrs.update(network_regions=networks, components=settings.components,
                       representation=representation(settings))
    return table, null


def save_networks(value: tuple[pd.DataFrame, np.ndarray], folder: Path) -> dict[str, Any]:
    """Write the networks table (JSON) and its null (float32 ``.npy``) into a stage folder."""
    table, null = value
    save_results(table, folder)
    np.save(folder / NULL_FILE, np.asarray(null, dtype=np.float32))
    return {"n_sets": len(table)}


def load_networks(folder: Path) -> tuple[pd.DataFrame, np.ndarray]:
    """Read what :func:`save_networks` wrote."""
    return load_results(folder), np.load(folder / NULL_FILE)


def write_network_outputs(table: pd.DataFrame, regions: pd.DataFrame, label_image: nib.Nifti1Image | None,
                          names: OutputNames, config_hash: str, atlas: str) -> dict[str, Path]:
    """``<prefix>_networks.tsv`` and its sidecar, and (with a label image) the network maps and glass brains."""
    path = names.path("networks.tsv")
    written = {"networks": write_text_atomically(path, result_table_text(table))}
    attrs = dict(table.attrs)
    sidecar = {
        "Description": "O-information of sets of networks, each network one multivariate variable "
                       f"({attrs.get('representation')}); columns as in the result table (docs/results.md)",
        "Estimator": attrs.get("estimator"), "Units": attrs.get("units", "nats"), "ConfigurationHash": config_hash,
        "Atlas": atlas, "Networks": attrs.get("network_regions"), "Components": attrs.get("components"),
        "Statistics": attrs,
    }
    written["networks_sidecar"] = write_text_atomically(path.with_suffix(".json"),
                                                        json.dumps(sidecar, indent=2, default=str) + "\n")
    if label_image is not None:
        values = network_values(table, regions)
        for role, file in network_maps.write_network_maps(values, label_image, names.path("networks")).items():
            written[f"networks_{role}"] = file
    return written


def network_values(table: pd.DataFrame, regions: pd.DataFrame) -> pd.DataFrame:
    """Each region with its network's scores (:func:`fmri_oinfo.network_maps.region_values`)."""
    networks: Mapping[str, Sequence[str]] = table.attrs["network_regions"]
    return network_maps.region_values(network_maps.network_scores(table, networks), networks, regions)
