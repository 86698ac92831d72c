"""The ``[networks]`` option end to end on a region table with a network assignment file."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fmri_oinfo.pipeline import load_config, read_result_table, run_subject
from fmri_oinfo.pipeline.cli import build_parser

NAMES = [f"r{j}" for j in range(8)]
NETWORKS = ["A", "A", "A", "B", "B", "C", "C", "D"]


@pytest.fixture(scope="module")
def network_run(tmp_path_factory):
    """Networks A, B, C share one source (a redundant triplet of networks); D is independent of them."""
    root = tmp_path_factory.mktemp("networks")
    subject = root / "sub-01"
    subject.mkdir()
    rng = np.random.default_rng(0)
    shared = rng.standard_normal(300)
    x = rng.standard_normal((300, 8))
    x[:, [0, 3, 5]] += 1.2 * shared[:, None]
    x[:, 1] += 0.7 * x[:, 0]  # structure within A
    pd.DataFrame(x, columns=NAMES).to_csv(subject / "sub-01_timeseries.tsv", sep="\t", index=False)
    assignment = root / "networks.tsv"
    pd.DataFrame({"name": NAMES, "network": NETWORKS}).to_csv(assignment, sep="\t", index=False)
    config = load_config("fast", candidates__strategies=["exhaustive"], candidates__orders=[3],
                         statistics__n_surrogates=99, statistics__n_bootstrap=20, estimation__fmmi_column=False,
                         estimation__device="cpu", outputs__interactive=False, networks=True,
                         network_components=0, network_assignment=str(assignment))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return run_subject(subject, config, root / "out"), config


def test_the_networks_table_labels_the_planted_triplet_only(network_run):
    outputs, _ = network_run
    path = outputs.out_dir / "sub-01_networks.tsv"
    table = read_result_table(path)
    assert len(table) == 4  # C(4, 3) sets of networks
    labels = dict(zip(table["set"], table["label"]))
    assert labels[("A", "B", "C")] == "redundant"
    assert [s for s, label in labels.items() if label != "n.s."] == [("A", "B", "C")]
    sidecar = json.loads(path.with_suffix(".json").read_text())
    assert sidecar["Networks"]["A"] == ["r0", "r1", "r2"]
    assert sidecar["Components"] == 0
    assert sidecar["Statistics"]["surrogate_unit"] == "variable"
    report = outputs.report.read_text()
    assert '<section id="networks">' in report and "A / B / C" in report


def test_networks_reuse_their_cached_stage(network_run, tmp_path):
    outputs, config = network_run
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        again = run_subject(outputs.out_dir.parent / "sub-01", config, outputs.out_dir)
    assert again.stages["networks"] == "reused"


def test_cli_and_config_options():
    args = build_parser().parse_args(["sub-01", "--networks", "--network-components", "2"])
    config = load_config(None, networks=args.networks, network_components=args.network_components)
    assert config.networks.enabled and config.networks.components == 2
    with pytest.raises(ValueError, match="networks.orders"):
        load_config(None, networks__orders=[2])
    with pytest.raises(ValueError, match="networks.assignment"):
        load_config(None, network_assignment="/no/such/file.tsv")


def test_a_cached_table_with_excess_labels_reads_back(tmp_path):
    """The networks stage (and the assessment) cache tables with FMMI's text column ``excess_label``; reading
    it back must keep it text (it failed with "could not convert string to float")."""
    from fmri_oinfo.pipeline.stages import load_results, save_results

    table = pd.DataFrame({"set": [("A", "B", "C"), ("A", "B", "D")], "o_info": [0.1, -0.2],
                          "excess_label": ["", "synergy beyond FC"]})
    save_results(table, tmp_path)
    assert load_results(tmp_path)["excess_label"].tolist() == ["", "synergy beyond FC"]
