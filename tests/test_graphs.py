"""Hypergraph, projected region graphs, GraphML export and connectome views."""

from __future__ import annotations

import base64
import json
import os
import tempfile

os.environ.setdefault("MPLCONFIGDIR", tempfile.mkdtemp(prefix="mplconfig-"))
os.environ.setdefault("MPLBACKEND", "Agg")

import networkx as nx  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from fmri_oinfo import graphs  # noqa: E402

EVIL = "<script>alert(1)</script>"


@pytest.fixture
def regions() -> pd.DataFrame:
    return pd.DataFrame({
        "name": ["A", "B", "C", "D", EVIL],
        "network": ["Default", "Default", "Visual", "Visual", "Motor"],
        "x": [-40.0, 40.0, -20.0, 20.0, 0.0],
        "y": [-50.0, -50.0, -80.0, -80.0, -20.0],
        "z": [30.0, 30.0, 0.0, 0.0, 60.0],
    })


@pytest.fixture
def results() -> pd.DataFrame:
    return pd.DataFrame({
        "set": [("A", "B", "C"), ("A", "B", "D"), ("C", "D", EVIL), ("A", "C", EVIL, "D"), ("B", "D", EVIL)],
        "order": [3, 3, 3, 4, 3],
        "chosen_by": ["exhaustive", "exhaustive", "screen:synergy", "search:beam", "screen:control"],
        "o_info": [0.5, 0.25, -0.4, -0.1, 0.02],
        "q_value": [0.001, 0.01, 0.002, 0.04, 0.6],
        "label": ["redundant", "redundant", "synergistic", "synergistic", "n.s."],
        "o_info_gradient": [(0.1, 0.2, 0.3), (0.3, 0.0, 0.1), (-0.2, -0.2, -0.4),
                            (-0.1, 0.0, -0.2, 0.05), (0.0, 0.1, 0.0)],
    })


def test_hypergraph_links_significant_sets_to_regions(results, regions):
    graph = graphs.build_hypergraph(results, regions)
    sets = sorted(n for n, d in graph.nodes(data=True) if d["kind"] == "set")
    assert sets == ["set:0", "set:1", "set:2", "set:3"]
    assert nx.is_bipartite(graph)
    assert graph.number_of_edges() == 3 + 3 + 3 + 4
    assert graph.nodes["set:3"]["members"] == ("A", "C", EVIL, "D")
    assert graph.nodes["set:3"]["chosen_by"] == "search:beam"
    assert graph.nodes["set:2"]["q_value"] == pytest.approx(0.002, abs=1e-12)
    assert graph.edges["set:3", "D"]["gradient"] == pytest.approx(0.05, abs=1e-12)
    assert graph.edges["set:2", "C"]["o_info"] == pytest.approx(-0.4, abs=1e-12)
    assert graph.edges["set:2", "C"]["weight"] == pytest.approx(0.4, abs=1e-12)
    region = graph.nodes["C"]
    assert (region["network"], region["x"], region["y"], region["z"]) == ("Visual", -20.0, -80.0, 0.0)
    assert region["redundancy"] == pytest.approx(0.5, abs=1e-12)
    assert region["synergy"] == pytest.approx(0.5, abs=1e-12)
    everything = graphs.build_hypergraph(results, regions, significant_only=False)
    assert everything.nodes["set:4"]["label"] == "n.s."


def test_projection_sums_shared_sets(results, regions):
    hypergraph = graphs.build_hypergraph(results, regions)
    redundancy = graphs.project_region_graph(hypergraph, "redundancy")
    assert redundancy.number_of_nodes() == 5
    assert redundancy.edges["A", "B"]["weight"] == pytest.approx(0.75, abs=1e-12)
    assert redundancy.edges["A", "B"]["n_sets"] == 2
    assert redundancy.edges["A", "C"]["weight"] == pytest.approx(0.5, abs=1e-12)
    assert sorted(map(sorted, redundancy.edges())) == [["A", "B"], ["A", "C"], ["A", "D"], ["B", "C"], ["B", "D"]]
    synergy = graphs.project_region_graph(hypergraph, "synergy")
    assert synergy.edges["C", "D"]["weight"] == pytest.approx(0.5, abs=1e-12)
    assert synergy.edges["C", "D"]["n_sets"] == 2
    assert synergy.edges["A", EVIL]["weight"] == pytest.approx(0.1, abs=1e-12)
    assert not synergy.has_edge("A", "B")
    names, adjacency, coords = graphs.region_arrays(synergy)
    assert names == ["A", "B", "C", "D", EVIL]
    np.testing.assert_allclose(adjacency, adjacency.T, atol=0)
    assert adjacency[2, 3] == pytest.approx(0.5, abs=1e-12)
    np.testing.assert_allclose(coords[4], [0.0, -20.0, 60.0], atol=0)
    with pytest.raises(ValueError, match="kind='mixed' is not supported"):
        graphs.project_region_graph(hypergraph, "mixed")


def test_projection_counts_each_family_once(results, regions):
    """Rows 2 and 3 are nested synergistic sets: as one family, edge C-D gets the larger |O| once."""
    table = results.assign(family=[1, 2, 3, 3, 0], family_role=["head", "head", "within", "head", ""])
    hypergraph = graphs.build_hypergraph(table, regions)
    assert hypergraph.nodes["set:2"]["family_key"] == hypergraph.nodes["set:3"]["family_key"] == "f3"
    synergy = graphs.project_region_graph(hypergraph, "synergy")
    assert synergy.edges["C", "D"]["weight"] == pytest.approx(0.4, abs=1e-12)  # not 0.4 + 0.1
    assert (synergy.edges["C", "D"]["n_sets"], synergy.edges["C", "D"]["n_families"]) == (2, 1)
    assert synergy.edges["A", "D"]["weight"] == pytest.approx(0.1, abs=1e-12)  # only the weaker outer set has A-D
    redundancy = graphs.project_region_graph(hypergraph, "redundancy")
    assert redundancy.edges["A", "B"]["weight"] == pytest.approx(0.75, abs=1e-12)  # two families add
    assert redundancy.edges["A", "B"]["n_families"] == 2
    assert hypergraph.nodes["C"]["synergy"] == pytest.approx(0.4, abs=1e-12)


def test_graphml_round_trip(results, regions, tmp_path):
    written = graphs.write_graphs(results, regions, tmp_path / "sub-01")
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "sub-01_desc-hypergraph_graph.graphml",
        "sub-01_desc-redundancy_graph.graphml",
        "sub-01_desc-synergy_graph.graphml",
    ]
    hypergraph = nx.read_graphml(written["hypergraph"])
    assert hypergraph.nodes["set:3"]["members"] == f"A|C|{EVIL}|D"
    assert hypergraph.nodes["set:0"]["o_info"] == pytest.approx(0.5, abs=1e-12)
    assert hypergraph.nodes["A"]["redundancy"] == pytest.approx(0.75, abs=1e-12)
    synergy = nx.read_graphml(written["synergy"])
    assert synergy.edges["C", "D"]["weight"] == pytest.approx(0.5, abs=1e-12)
    assert synergy.edges["C", "D"]["n_sets"] == 2
    assert synergy.nodes[EVIL]["network"] == "Motor"
    with pytest.raises(ValueError, match="must end with .graphml"):
        graphs.write_graphml(synergy, tmp_path / "graph.xml")


def test_connectome_figure_has_labelled_colorbar_and_legend(results, regions):
    synergy = graphs.project_region_graph(graphs.build_hypergraph(results, regions), "synergy")
    figure = graphs.plot_connectome_figure(synergy)
    labels = [a.get_ylabel() for a in figure.axes if a.get_ylabel()]
    assert labels == ["|O-information| of labelled families (nats)"]
    legend = [t.get_text() for lg in figure.legends for t in lg.get_texts()]
    assert legend == ["Default", "Motor", "Visual"]


def test_figures_and_views_show_only_regions_of_labelled_sets(results, regions):
    hypergraph = graphs.build_hypergraph(results, regions)
    redundancy = graphs.project_region_graph(hypergraph, "redundancy")
    assert graphs.labelled_subgraph(redundancy).number_of_nodes() == 4  # A, B, C, D; the Motor region is in none
    figure = graphs.plot_connectome_figure(redundancy)
    assert [t.get_text() for lg in figure.legends for t in lg.get_texts()] == ["Default", "Visual"]
    view = graphs.light_view(graphs.project_region_graph(hypergraph, "synergy"))
    assert sorted(n["name"] for n in view["nodes"]) == sorted(["A", "C", "D", EVIL])  # B is in no synergistic set
    weights = {tuple(sorted((view["nodes"][i]["name"], view["nodes"][j]["name"]))): w for i, j, w, _ in view["edges"]}
    assert weights[("C", "D")] == pytest.approx(0.5) and weights[("A", "C")] == pytest.approx(0.1)
    assert view["vmax"] == pytest.approx(0.5)
    # the same network keeps its colour in every figure, whichever networks a graph shows
    colours = {n["network"]: n["color"] for n in view["nodes"]}
    assert colours["Visual"] == graphs.network_colors(["Default", "Motor", "Visual"])["Visual"]
    json.dumps(view)  # ready for the page
    empty = graphs.project_region_graph(graphs.build_hypergraph(results.assign(label="n.s."), regions), "synergy")
    with pytest.raises(ValueError, match="no set is labelled synergistic, nothing to draw"):
        graphs.plot_connectome_figure(empty)


def test_weakest_edge_colour_is_visible_on_white():
    for kind in ("redundancy", "synergy"):
        red, green, blue, _ = graphs.edge_colormap(kind)(0.0)
        assert 0.2126 * red + 0.7152 * green + 0.0722 * blue < 0.8, kind  # relative luminance; white is 1


def test_brain_outline_points_lie_in_the_brain():
    points = np.frombuffer(base64.b64decode(graphs.brain_outline()), dtype=np.int8).reshape(-1, 3)
    assert len(points) == graphs.OUTLINE_POINTS
    assert points[:, 0].min() < -60 and points[:, 0].max() > 60  # both hemispheres
    assert points[:, 1].min() < -95 and points[:, 1].max() > 60  # occipital to frontal pole (mm)


def test_interactive_view_is_offline_and_escapes_names(results, regions):
    synergy = graphs.project_region_graph(graphs.build_hypergraph(results, regions), "synergy")
    document = graphs.view_connectome_html(synergy)
    assert graphs.external_references(document) == []
    assert EVIL not in document
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in document
    assert "raw.githubusercontent.com" not in document


def test_strip_external_references():
    page = ('<html><head><link rel="icon" href="https://example.org/favicon.ico">'
            '<script src="https://cdn.example.org/lib.js"></script>'
            '<script>var url = "https://not-loaded.example.org";</script></head><body></body></html>')
    cleaned = graphs.strip_external_references(page)
    assert graphs.external_references(cleaned) == []
    assert "not-loaded" in cleaned
    with pytest.raises(ValueError, match="external resources \\[\\('img', 'src'"):
        graphs.strip_external_references('<img src="http://example.org/a.png">')


def test_graphs_without_coordinates_are_written_but_not_drawn(results, regions, tmp_path):
    unplaced = regions.assign(x=np.nan, y=np.nan, z=np.nan)
    written = graphs.write_graphs(results, unplaced, tmp_path / "sub-01")
    hypergraph = nx.read_graphml(written["hypergraph"])
    assert not {"x", "y", "z"} & set(hypergraph.nodes["A"])  # no coordinate attribute, not "nan"
    assert hypergraph.nodes["A"]["redundancy"] == pytest.approx(0.75, abs=1e-12)
    synergy = nx.read_graphml(written["synergy"])
    assert synergy.edges["C", "D"]["weight"] == pytest.approx(0.5, abs=1e-12)
    placed = nx.read_graphml(graphs.write_graphs(results, regions, tmp_path / "placed")["synergy"])
    assert sorted(synergy.edges) == sorted(placed.edges)
    region_graph = graphs.project_region_graph(graphs.build_hypergraph(results, unplaced), "synergy")
    with pytest.raises(ValueError, match=r"regions \['A', 'C', 'D', .*\] of the graph have no MNI coordinates"):
        graphs.plot_connectome_figure(region_graph)
    with pytest.raises(ValueError, match="have no MNI coordinates"):
        graphs.view_connectome_html(region_graph)


def test_graphml_has_no_nan_and_names_nodes_for_gephi(results, regions, tmp_path):
    """Java GraphML readers (Gephi, Cytoscape) reject 'nan'; Gephi shows a node's label as its name."""
    table = results.assign(ci_low=np.nan, ci_high=np.inf)
    path = graphs.write_graphs(table, regions, tmp_path / "sub-01")["hypergraph"]
    text = path.read_text()
    assert ">nan<" not in text.lower() and ">inf<" not in text.lower()
    hypergraph = nx.read_graphml(path)
    node = hypergraph.nodes["set:3"]
    assert "ci_low" not in node and "ci_high" not in node
    assert node["label"] == f"A+C+{EVIL}+D" and node["significance"] == results.loc[3, "label"]
    assert hypergraph.nodes["A"]["label"] == "A"


def test_graphml_lists_nodes_and_edges_in_order_whatever_the_build_order(results, regions, tmp_path):
    hypergraph = graphs.build_hypergraph(results, regions)
    shuffled = nx.Graph()
    shuffled.graph.update(hypergraph.graph)
    shuffled.add_nodes_from(reversed(list(hypergraph.nodes(data=True))))
    shuffled.add_edges_from((b, a, d) for a, b, d in reversed(list(hypergraph.edges(data=True))))
    written = [graphs.write_graphml(g, tmp_path / f"{name}.graphml") for name, g in (("a", hypergraph),
                                                                                    ("b", shuffled))]
    assert written[0].read_bytes() == written[1].read_bytes()
    nodes = list(nx.read_graphml(written[0]).nodes)
    regions_first = sorted(regions["name"])
    sets = [n for n in nodes if n.startswith(graphs.SET_NODE_PREFIX)]
    assert nodes == regions_first + sorted(sets, key=lambda n: int(n.split(":")[1]))


BEYOND_FC = pd.DataFrame({
    "set": [("A", "B", "C"), ("A", "B", "C", "D"), ("C", "D", EVIL), ("B", "C", "D")],
    "o_info": [-0.5, -0.3, 0.2, 0.01],
    "label": ["synergistic", "synergistic", "redundant", "n.s."],
    "excess": [-0.4, -0.25, 0.3, -0.9],
    "excess_se": [0.05, 0.05, 0.04, 0.5],
    "excess_label": ["synergy beyond FC", "synergy beyond FC", "redundancy beyond FC", ""],
})


def test_beyond_fc_graph_counts_each_family_once(regions):
    hypergraph = graphs.build_beyond_fc_hypergraph(BEYOND_FC, regions)
    sets = {n: d for n, d in hypergraph.nodes(data=True) if d["kind"] == "set"}
    assert set(sets) == {"set:0", "set:1", "set:2"}  # the unlabelled row is left out
    assert sets["set:0"]["family_key"] == sets["set:1"]["family_key"] != sets["set:2"]["family_key"]
    assert hypergraph["set:1"]["D"]["weight"] == pytest.approx(0.25)
    assert hypergraph.nodes["A"]["synergy_beyond_fc"] == pytest.approx(0.4)
    synergy = graphs.project_beyond_fc_graph(hypergraph, "synergy")
    # A-B lies in ABC (0.4) and ABCD (0.25), one family: 0.4 once, not 0.65; C-D only in ABCD.
    assert synergy["A"]["B"]["weight"] == pytest.approx(0.4)
    assert synergy["A"]["B"]["n_sets"] == 2 and synergy["A"]["B"]["n_families"] == 1
    assert synergy["C"]["D"]["weight"] == pytest.approx(0.25)
    assert synergy.number_of_edges() == 6
    redundancy = graphs.project_beyond_fc_graph(hypergraph, "redundancy")
    assert redundancy["C"][EVIL]["weight"] == pytest.approx(0.3) and redundancy.number_of_edges() == 3
    figure = graphs.plot_connectome_figure(synergy)
    assert "excess" in figure.axes[-1].get_ylabel() or any(
        "excess" in axis.get_xlabel() + axis.get_ylabel() for axis in figure.axes)


def test_beyond_fc_graphml_written_only_when_a_set_is_labelled(regions, tmp_path):
    written = graphs.write_beyond_fc_graphs(BEYOND_FC, regions, tmp_path / "sub-01")
    assert {k: v.name for k, v in written.items()} == {
        "beyond_fc_hypergraph": "sub-01_desc-beyondfc_graph.graphml",
        "synergy_beyond_fc": "sub-01_desc-synergybeyondfc_graph.graphml",
        "redundancy_beyond_fc": "sub-01_desc-redundancybeyondfc_graph.graphml",
    }
    read = nx.read_graphml(written["beyond_fc_hypergraph"])
    assert read.nodes["set:0"]["excess_label"] == "synergy beyond FC" and read.nodes["set:0"]["label"] == "A+B+C"
    assert graphs.write_beyond_fc_graphs(BEYOND_FC.assign(excess_label=""), regions, tmp_path / "none") == {}
    assert graphs.write_beyond_fc_graphs(BEYOND_FC.drop(columns=["excess", "excess_label"]), regions,
                                         tmp_path / "none") == {}
    assert not list(tmp_path.glob("none_*"))
