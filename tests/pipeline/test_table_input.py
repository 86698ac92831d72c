"""A region time-series table of real fMRI data (nitime's example) through the whole pipeline:
no atlas, so no coordinates; tables, GraphML and the offline report are still written."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from fmri_oinfo import graphs
from fmri_oinfo.pipeline import load_config, read_result_table, run_subject
from fmri_oinfo.report.render import SUBJECT_SECTIONS

nitime = pytest.importorskip("nitime")

#: Cortical regions of nitime's example (left and right angular, middle temporal, PCC, precuneus).
REGIONS = ["LAng", "LMTG", "LPCC", "LPrec", "RAng", "RMTG", "RPCC", "RPrec"]


@pytest.fixture(scope="module")
def table_run(tmp_path_factory):
    source = Path(nitime.__file__).parent / "data" / "fmri_timeseries.csv"
    folder = tmp_path_factory.mktemp("nitime")
    table = folder / "sub-nitime_task-rest_timeseries.csv"
    pd.read_csv(source).loc[:, REGIONS].to_csv(table, index=False)
    config = load_config("fast", candidates__strategies=["exhaustive"], candidates__orders=[3],
                         statistics__n_surrogates=99, statistics__n_bootstrap=0, outputs__interactive=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return run_subject(table, config, folder / "out")


def _section(document: str, anchor: str) -> str:
    start = document.index(f'<section id="{anchor}">')
    return document[start:document.index("</section>", start)]


def test_table_input_writes_tables_graphs_and_report(table_run):
    results = read_result_table(table_run.results)
    assert len(results) == 56  # C(8, 3)
    assert np.isfinite(results["o_info"]).all() and (results["inference"] == "per-set").all()
    assert table_run.maps == {} and set(table_run.skipped) == {"maps", "report_brain_views"}
    scores = pd.read_csv(table_run.region_scores, sep="\t", na_values="n/a", keep_default_na=False)
    assert scores["name"].tolist() == REGIONS and scores[["x", "y", "z"]].isna().all().all()
    assert (scores["n_sets"] == 21).all()  # each region is in C(7, 2) triplets
    hypergraph = nx.read_graphml(table_run.graphs["hypergraph"])
    assert set(REGIONS) <= set(hypergraph.nodes) and "x" not in hypergraph.nodes["LPCC"]
    provenance = json.loads(table_run.provenance.read_text())
    assert "the input was a region table" in provenance["skipped_outputs"]["report_brain_views"]


def test_table_input_report_is_offline_with_qc_orders_and_nulls(table_run):
    document = table_run.report.read_text(encoding="utf-8")
    assert table_run.report.name == "sub-nitime_report.html"
    assert graphs.external_references(document) == []
    assert "<iframe" not in document and "<canvas" not in document  # no 3-D views without coordinates
    for anchor, _heading in SUBJECT_SECTIONS:
        assert f'<section id="{anchor}">' in document
    images = {a: _section(document, a).count('<img src="data:image/')
              for a in ("findings", "quality", "maps", "graphs", "statistics")}
    # carpet and correlation matrix (no atlas, FD or tSNR for a table); orders and nulls; no brain
    assert images == {"findings": 0, "quality": 2, "maps": 0, "graphs": 0, "statistics": 2}
    assert "Brain maps are not drawn: no coordinates: the input was a region table" in _section(document, "maps")
    assert "Connectome figures and 3-D views are not drawn" in _section(document, "graphs")
    assert "56 sets with surrogates (99 surrogates per set, median)" in _section(document, "statistics")
    assert "Input: a region table (no extraction by fmri-oinfo)." in _section(document, "quality")
    assert "none (region table)" in _section(document, "parameters")
    assert "fmri-oinfo did not extract or clean them" in _section(document, "methods")
    labelled = read_result_table(table_run.results).query("label != 'n.s.'")
    involved = {m for members in labelled["set"] for m in members}
    assert all(name in _section(document, "maps") for name in involved)  # region score table
    assert "MNI x, y, z" not in document  # no coordinates anywhere
    assert 'class="error"' not in document  # no figure failed
