"""Graphs of redundancy and synergy: hypergraph, projections, GraphML, figures.

Sets of regions are hyperedges.  :func:`build_hypergraph` stores them as a
bipartite networkx graph (set nodes <-> region nodes); :func:`project_region_graph`
projects the significant sets of one kind onto a weighted region graph, in
which the weight of edge ``(a, b)`` adds, over the redundant (or synergistic)
*families* (nested labelled sets, the result table's ``family`` column), the
largest ``|o_info|`` (nats) of the family's sets containing both regions: each
family counts once, as in :mod:`fmri_oinfo.maps`.  ``n_sets`` counts the sets
and ``n_families`` the families behind an edge.  The graphs of structure beyond
functional connectivity (:func:`build_beyond_fc_hypergraph`,
:func:`project_beyond_fc_graph`) are built the same way from the sets with an
``excess_label`` and their ``|excess|``, beyond-FC families counted once
(:func:`fmri_oinfo.maps.beyond_fc_family_keys`).  Graphs are exported as GraphML for Gephi or Cytoscape, drawn with
nilearn ``plot_connectome`` and viewed in 3-D with ``view_connectome``, whose
HTML embeds its JavaScript and is made free of external links here.

Nothing here imports torch.
"""

from __future__ import annotations

import base64
import functools
import html
import logging
import math
import os
import re
from html.parser import HTMLParser
from collections.abc import Mapping
from itertools import combinations
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
import pandas as pd
from matplotlib.colors import LinearSegmentedColormap, to_hex
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from fmri_oinfo.atomic import write_atomically
from fmri_oinfo.maps import (
    BEYOND_FC_LABELS,
    KIND_CMAPS,
    KIND_LABELS,
    Kind,
    beyond_fc_family_keys,
    beyond_fc_labels,
    beyond_fc_scores,
    check_kind,
    check_results,
    family_keys,
    region_scores,
)

logger = logging.getLogger(__name__)

#: Prefix of set-node ids in the hypergraph; region nodes are named by region.
SET_NODE_PREFIX = "set:"

#: Result-table columns copied onto set nodes when present.
SET_ATTRIBUTES: tuple[str, ...] = (
    "order", "chosen_by", "o_info", "o_info_se", "tc", "dtc", "s_info",
    "ci_low", "ci_high", "p_value", "q_value", "label", "o_info_ratio", "family", "family_role",
)

#: Result-table columns copied onto the set nodes of the beyond-FC hypergraph when present.
BEYOND_FC_SET_ATTRIBUTES: tuple[str, ...] = (
    "order", "chosen_by", "inference", "o_info", "label", "o_info_fmmi", "excess", "excess_se", "excess_margin",
    "excess_p", "excess_q", "excess_label",
)

#: Edge colormap per kind for connectome figures (warm: redundancy, cool: synergy).
EDGE_CMAPS: dict[str, str] = {"redundancy": "Reds", "synergy": "Blues"}

#: Where edge colormaps start (0-1): the weakest edge is still a visible colour on white.
EDGE_CMAP_START = 0.35

#: Points of the fsaverage5 pial surface kept for the outline of the light 3-D views.
OUTLINE_POINTS = 6000

_EXTERNAL_LINK = re.compile(r"<link\b[^>]*\bhref\s*=\s*[\"']?https?://[^>]*>", re.IGNORECASE)
_EXTERNAL_SCRIPT = re.compile(r"<script\b[^>]*\bsrc\s*=\s*[\"']?https?://[^>]*>\s*</script>", re.IGNORECASE)


class _ExternalReferenceFinder(HTMLParser):
    """Collect ``(tag, attribute, value)`` of src/href attributes that load http(s) URLs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("src", "href") and value and value.strip().lower().startswith(("http:", "https:", "//")):
                self.found.append((tag, name, value))


def external_references(document: str) -> list[tuple[str, str, str]]:
    """List the ``(tag, attribute, url)`` of elements that load http(s) resources.

    Script bodies are not parsed (URLs inside JavaScript strings are not loaded
    by the page itself), as in a browser.
    """
    finder = _ExternalReferenceFinder()
    finder.feed(document)
    finder.close()
    return finder.found


def _python_scalar(value):
    if isinstance(value, np.generic):
        return value.item()
    return value


def _region_attributes(record: dict) -> dict:
    """Node attributes of one region score row; missing (NaN) coordinates are left out."""
    return {k: _python_scalar(v) for k, v in record.items()
            if not (k in ("x", "y", "z") and pd.isna(v))}


def build_hypergraph(
    results: pd.DataFrame,
    regions: pd.DataFrame,
    significant_only: bool = True,
) -> nx.Graph:
    """Build the bipartite graph of sets and the regions they contain.

    Parameters
    ----------
    results : pandas.DataFrame
        Result table (``set``, ``o_info``, ``label``, ...), values in nats.
    regions : pandas.DataFrame
        Region metadata table (``name``, ``network``, ``x``, ``y``, ``z``).
    significant_only : bool, default=True
        Keep only sets labelled ``"redundant"`` or ``"synergistic"``.

    Returns
    -------
    networkx.Graph
        Region nodes (id = region name) with ``kind="region"``,
        ``bipartite=1`` and the columns of
        :func:`fmri_oinfo.maps.region_scores` (name, network, x, y, z,
        redundancy, synergy, ...), without ``x``/``y``/``z`` for regions
        that have no coordinates; set nodes (id ``"set:<row>"``, the row of
        ``results``) with ``kind="set"``, ``bipartite=0``, ``members`` (tuple
        of names), ``family_key`` (:func:`fmri_oinfo.maps.family_keys`) and
        the result columns of :data:`SET_ATTRIBUTES` present.
        Each set-region edge has ``o_info`` (the set's, signed), ``weight``
        (``|o_info|``) and, when the table has it, ``gradient`` (the region's
        gradient of O-information in that set).
    """
    scores = region_scores(results, regions)
    table = check_results(results, scores["name"].tolist())
    graph = nx.Graph(name="sets-regions hypergraph", units="nats")
    for record in scores.to_dict(orient="records"):
        graph.add_node(record["name"], kind="region", bipartite=1, **_region_attributes(record))
    keys = family_keys(table)  # table has a fresh RangeIndex
    if significant_only:
        table = table[table["label"] != "n.s."]
    columns = [c for c in SET_ATTRIBUTES if c in table.columns]
    has_gradient = "o_info_gradient" in table.columns
    for row_index, row in table.iterrows():
        node = f"{SET_NODE_PREFIX}{row_index}"
        graph.add_node(node, kind="set", bipartite=0, members=row["set"], family_key=keys[row_index],
                       **{c: _python_scalar(row[c]) for c in columns})
        gradient = row["o_info_gradient"] if has_gradient else None
        if gradient is not None and np.isscalar(gradient) and pd.isna(gradient):
            gradient = None
        for position, member in enumerate(row["set"]):
            edge = {"o_info": float(row["o_info"]), "weight": abs(float(row["o_info"]))}
            if gradient is not None:
                edge["gradient"] = float(gradient[position])
            graph.add_edge(node, member, **edge)
    return graph


def build_beyond_fc_hypergraph(results: pd.DataFrame, regions: pd.DataFrame) -> nx.Graph:
    """The bipartite graph of the sets labelled beyond functional connectivity and their regions.

    Parameters
    ----------
    results : pandas.DataFrame
        Result table with ``excess`` and ``excess_label`` (``docs/results.md``).
    regions : pandas.DataFrame
        Region metadata table.

    Returns
    -------
    networkx.Graph
        Region nodes (``kind="region"``) with the columns of
        :func:`fmri_oinfo.maps.beyond_fc_scores`; a set node (``"set:<row>"``,
        ``kind="set"``) per row with an ``excess_label``, with ``members``,
        ``family_key`` (:func:`fmri_oinfo.maps.beyond_fc_family_keys`) and the
        columns of :data:`BEYOND_FC_SET_ATTRIBUTES` present.  Each set-region
        edge has ``excess`` (signed) and ``weight`` (``|excess|``, nats).
    """
    scores = beyond_fc_scores(results, regions)
    table = check_results(results, scores["name"].tolist())
    graph = nx.Graph(name="beyond-FC sets-regions hypergraph", units="nats")
    for record in scores.to_dict(orient="records"):
        graph.add_node(record["name"], kind="region", bipartite=1, **_region_attributes(record))
    keys = beyond_fc_family_keys(table)
    labels = beyond_fc_labels(table)
    columns = [c for c in BEYOND_FC_SET_ATTRIBUTES if c in table.columns]
    for row_index in np.flatnonzero(labels != ""):
        row = table.iloc[row_index]
        node = f"{SET_NODE_PREFIX}{row_index}"
        graph.add_node(node, kind="set", bipartite=0, members=row["set"], family_key=keys[row_index],
                       **{c: _python_scalar(row[c]) for c in columns})
        excess = float(row["excess"])
        for member in row["set"]:
            graph.add_edge(node, member, excess=excess, weight=abs(excess))
    return graph


def _project(hypergraph: nx.Graph, kind: Kind, label_key: str, label: str, value_key: str,
             **attributes: Any) -> nx.Graph:
    """Region graph of the set nodes whose ``label_key`` is ``label``: each edge adds, over families, the
    largest ``|value_key|`` of the family's sets holding both regions."""
    graph = nx.Graph(kind=kind, units="nats", **attributes)
    graph.add_nodes_from(
        (node, data) for node, data in hypergraph.nodes(data=True) if data.get("kind") == "region"
    )
    largest: dict[tuple[str, Any, Any], float] = {}  # (family, a, b) -> largest |value| of its sets holding both
    n_sets: dict[tuple[Any, Any], int] = {}
    for node, data in hypergraph.nodes(data=True):
        if data.get("kind") != "set" or data.get(label_key) != label:
            continue
        magnitude = abs(float(data[value_key]))
        family = data.get("family_key", node)
        for a, b in combinations(sorted(data["members"]), 2):
            largest[family, a, b] = max(largest.get((family, a, b), 0.0), magnitude)
            n_sets[a, b] = n_sets.get((a, b), 0) + 1
    for (_, a, b), magnitude in largest.items():
        if graph.has_edge(a, b):
            graph[a][b]["weight"] += magnitude
            graph[a][b]["n_families"] += 1
        else:
            graph.add_edge(a, b, weight=magnitude, n_sets=n_sets[a, b], n_families=1)
    return graph


def project_region_graph(hypergraph: nx.Graph, kind: Kind) -> nx.Graph:
    """Project the sets of one kind onto a weighted region graph.

    Parameters
    ----------
    hypergraph : networkx.Graph
        Output of :func:`build_hypergraph`.
    kind : {"redundancy", "synergy"}
        Use the sets labelled ``"redundant"`` or ``"synergistic"``.

    Returns
    -------
    networkx.Graph
        Every region node of the hypergraph with its attributes (regions in no
        set of this kind are isolated nodes), and an edge between two regions
        that share at least one set of this kind, with ``weight`` = the sum
        over families of the largest ``|o_info|`` of the family's sets holding
        both (nats; each family once), ``n_sets`` = the number of those sets
        and ``n_families`` = the number of families.
    """
    kind = check_kind(kind)
    return _project(hypergraph, kind, "label", KIND_LABELS[kind], "o_info", name=f"{kind} region graph")


def project_beyond_fc_graph(hypergraph: nx.Graph, kind: Kind) -> nx.Graph:
    """Project the sets labelled ``"<kind> beyond FC"`` onto a weighted region graph.

    Parameters
    ----------
    hypergraph : networkx.Graph
        Output of :func:`build_beyond_fc_hypergraph`.
    kind : {"redundancy", "synergy"}

    Returns
    -------
    networkx.Graph
        As :func:`project_region_graph`, with ``weight`` = the sum over
        beyond-FC families of the largest ``|excess|`` of the family's sets
        holding both regions (nats; each family once).  Graph attributes
        ``score`` (the node attribute that sizes regions in figures,
        ``<kind>_beyond_fc``) and ``weight_label`` name what is drawn.
    """
    kind = check_kind(kind)
    return _project(hypergraph, kind, "excess_label", BEYOND_FC_LABELS[kind], "excess",
                    name=f"{kind} beyond FC region graph", score=f"{kind}_beyond_fc",
                    weight_label="|excess| of beyond-FC families (nats)",
                    title=f"{kind.capitalize()} beyond FC")


def _graphml_value(value):
    """A value GraphML readers accept, or None to leave the attribute out (NaN and infinities: Java's
    readers, Gephi and Cytoscape, reject networkx's ``nan``/``inf``)."""
    value = _python_scalar(value)
    if isinstance(value, (tuple, list)):
        return "|".join(str(_python_scalar(v)) for v in value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (bool, int, float, str)):
        return value
    return None if value is None else str(value)


def _ready_attributes(data: dict) -> dict:
    return {k: v for k, v in ((k, _graphml_value(v)) for k, v in data.items()) if v is not None}


def _node_order(node: Any) -> tuple[int, int, str]:
    """Sort key of a node: region nodes by name, then set nodes by their result row (``set:2`` before ``set:10``)."""
    text = str(node)
    if text.startswith(SET_NODE_PREFIX) and text[len(SET_NODE_PREFIX):].isdigit():
        return 1, int(text[len(SET_NODE_PREFIX):]), ""
    return 0, 0, text


def to_graphml_ready(graph: nx.Graph) -> nx.Graph:
    """Return a copy whose attributes GraphML (and Gephi, Cytoscape) can read, nodes and edges sorted.

    Tuples and lists become ``"|"``-joined strings (``members="A|B|C"``),
    numpy scalars become Python numbers, ``None``, NaN and infinite values are
    left out (Java readers reject ``nan``) and other objects become strings.
    Every node gets a ``label`` (Gephi's node name): the region's name, or a
    set's members joined by ``+``; a set's significance label moves to
    ``significance`` (``redundant``, ``synergistic``, ``n.s.``).  Nodes
    come in order (regions by name, then sets by row) and so do edges, so
    that one result table always gives the same file, byte for byte.
    """
    ready = nx.Graph() if not graph.is_directed() else nx.DiGraph()
    ready.graph.update(_ready_attributes(graph.graph))
    for node, data in sorted(graph.nodes(data=True), key=lambda item: _node_order(item[0])):
        attributes = _ready_attributes(data)
        if "label" in attributes:
            attributes["significance"] = attributes.pop("label")
        members = data.get("members")
        attributes["label"] = "+".join(str(m) for m in members) if data.get("kind") == "set" and members else str(node)
        ready.add_node(str(node), **attributes)
    edges = []
    for a, b, data in graph.edges(data=True):
        if not graph.is_directed() and _node_order(b) < _node_order(a):
            a, b = b, a
        edges.append((a, b, data))
    for a, b, data in sorted(edges, key=lambda edge: (_node_order(edge[0]), _node_order(edge[1]))):
        ready.add_edge(str(a), str(b), **_ready_attributes(data))
    return ready


def write_graphml(graph: nx.Graph, path: str | os.PathLike) -> Path:
    """Write ``graph`` as GraphML (Gephi, Cytoscape) atomically.

    Parameters
    ----------
    graph : networkx.Graph
        A hypergraph or region graph from this module.
    path : str or path-like
        Ends with ``.graphml``.

    Returns
    -------
    pathlib.Path
    """
    if not str(path).endswith(".graphml"):
        raise ValueError(f"path={str(path)!r} must end with .graphml.")
    ready = to_graphml_ready(graph)
    return write_atomically(path, lambda tmp: nx.write_graphml(ready, tmp))


def region_arrays(graph: nx.Graph) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Region names, weighted adjacency and MNI coordinates of a region graph.

    Parameters
    ----------
    graph : networkx.Graph
        Output of :func:`project_region_graph`.

    Returns
    -------
    names : list of str, length N
        Region nodes in graph order.
    adjacency : numpy.ndarray of shape (N, N)
        Symmetric edge weights (nats), 0 where there is no edge.
    coords : numpy.ndarray of shape (N, 3)
        MNI coordinates in mm.

    Raises
    ------
    ValueError
        When a region node has no coordinates.
    """
    names = [n for n, d in graph.nodes(data=True) if d.get("kind") == "region"]
    if not names:
        raise ValueError("graph has no region nodes; pass a graph from project_region_graph.")
    unplaced = [n for n in names if not all(axis in graph.nodes[n] for axis in ("x", "y", "z"))]
    if unplaced:
        raise ValueError(
            f"regions {unplaced[:10]} of the graph have no MNI coordinates; a brain view needs x, y, z "
            "for every region (the region table of an atlas has them; a time-series table does not)."
        )
    adjacency = nx.to_numpy_array(graph, nodelist=names, weight="weight")  # (N, N)
    coords = np.array([[graph.nodes[n][axis] for axis in ("x", "y", "z")] for n in names], dtype=float)
    return names, adjacency, coords


def edge_colormap(kind: str) -> LinearSegmentedColormap:
    """The edge colormap of ``kind`` without its near-white end (see :data:`EDGE_CMAP_START`)."""
    base = plt.get_cmap(EDGE_CMAPS[check_kind(kind)])
    return LinearSegmentedColormap.from_list(f"{kind}_edges", base(np.linspace(EDGE_CMAP_START, 1.0, 256)))


def labelled_subgraph(graph: nx.Graph) -> nx.Graph:
    """The region graph restricted to regions in at least one labelled set (degree > 0).

    Parameters
    ----------
    graph : networkx.Graph
        Output of :func:`project_region_graph`.

    Returns
    -------
    networkx.Graph
        A copy with the graph attributes; raises ValueError when no region
        has an edge (no labelled set of this kind).
    """
    kind = check_kind(graph.graph.get("kind", ""))
    kept = [n for n in graph.nodes if graph.degree(n) > 0]
    if not kept:
        raise ValueError(f"the {kind} graph has no edge: no set is labelled {KIND_LABELS[kind]}, nothing to draw.")
    subgraph = graph.subgraph(kept).copy()
    subgraph.graph.update(graph.graph)
    subgraph.graph["networks"] = sorted({str(d.get("network", "")) for _, d in graph.nodes(data=True)})
    return subgraph


def network_colors(networks: list[str]) -> dict[str, str]:
    """Map each network name to a distinct hex colour (tab10/tab20; grey for "")."""
    unique = sorted(set(networks) - {""})
    palette = plt.get_cmap("tab10" if len(unique) <= 10 else "tab20")
    colors = {name: to_hex(palette(i % palette.N)) for i, name in enumerate(unique)}
    colors[""] = "#7f7f7f"
    return colors


def _node_style(graph: nx.Graph, names: list[str], kind: str) -> tuple[list[str], np.ndarray, dict[str, str]]:
    networks = [str(graph.nodes[n].get("network", "")) for n in names]
    palette = network_colors(list(graph.graph.get("networks", networks)))  # every network: same colours everywhere
    colors = [palette[n] for n in networks]
    score = graph.graph.get("score", kind)  # the node attribute that sizes regions
    scores = np.array([float(graph.nodes[n].get(score, 0.0)) for n in names])  # (N,)
    top = scores.max() if scores.size and scores.max() > 0 else 1.0
    return colors, scores / top, palette


def plot_connectome_figure(graph: nx.Graph, title: str | None = None, vmax: float | None = None) -> Figure:
    """Draw the labelled regions of a region graph on a glass brain with nilearn ``plot_connectome``.

    Parameters
    ----------
    graph : networkx.Graph
        Output of :func:`project_region_graph`; its ``kind`` attribute picks
        the colormap (red for redundancy, blue for synergy).  Only regions in
        labelled sets are drawn (:func:`labelled_subgraph`).
    title : str or None
        Figure title; a default naming the kind is used when None.
    vmax : float or None
        Top of the edge colour scale (shared between figures); the largest
        edge weight when None.

    Returns
    -------
    matplotlib.figure.Figure
        Nodes coloured by network (legend) and sized by the region score,
        edges coloured by weight with a colorbar in nats.

    Raises
    ------
    ValueError
        When no set of this kind is labelled (nothing to draw).
    """
    from nilearn import plotting

    shown = labelled_subgraph(graph)
    kind = shown.graph["kind"]
    names, adjacency, coords = region_arrays(shown)
    colors, relative, palette = _node_style(shown, names, kind)
    top = float(adjacency.max()) if vmax is None else float(vmax)
    figure = plt.figure(figsize=(9.0, 3.4))
    display = plotting.plot_connectome(
        adjacency, coords, node_color=colors, node_size=25.0 + 75.0 * relative,
        edge_cmap=edge_colormap(kind), edge_vmin=0.0, edge_vmax=top, display_mode="lzry",
        figure=figure,
        title=title or f"{shown.graph.get('title', kind.capitalize())} graph ({len(names)} regions in labelled sets)",
        colorbar=True, edge_kwargs={"linewidth": 2.2},
    )
    colorbar = getattr(display, "_cbar", None)
    if colorbar is not None:
        colorbar.set_label(shown.graph.get("weight_label", "|O-information| of labelled families (nats)"), fontsize=9)
    networks = sorted({graph.nodes[n].get("network", "") for n in names} - {""})
    if networks:
        handles = [Line2D([], [], marker="o", linestyle="", color=palette[n], label=n) for n in networks]
        figure.legend(handles=handles, loc="lower center", ncol=min(len(networks), 6), fontsize=8,
                      frameon=False, bbox_to_anchor=(0.5, -0.1))
    return figure


def strip_external_references(document: str) -> str:
    """Remove ``<link>`` / ``<script src>`` tags that point to http(s) URLs.

    Parameters
    ----------
    document : str
        A standalone HTML page (e.g. from nilearn's ``view_connectome``).

    Returns
    -------
    str
        The page without external stylesheet, icon or script references.

    Raises
    ------
    ValueError
        When another element still loads an http(s) resource, which would
        break the offline report.
    """
    cleaned = _EXTERNAL_SCRIPT.sub("", _EXTERNAL_LINK.sub("", document))
    leftover = external_references(cleaned)
    if leftover:
        raise ValueError(
            f"the HTML view still references external resources {leftover[:3]}; "
            "it would not open offline."
        )
    return cleaned


def view_connectome_html(graph: nx.Graph, title: str | None = None) -> str:
    """Full interactive 3-D view of the labelled regions of a region graph, as one offline HTML page.

    Parameters
    ----------
    graph : networkx.Graph
        Output of :func:`project_region_graph`; only regions in labelled
        sets are shown and named (:func:`labelled_subgraph`).
    title : str or None
        Title shown in the view; a default naming the kind is used when None.

    Returns
    -------
    str
        A standalone HTML document from nilearn ``view_connectome`` (about
        2.5 MB: plotly and the fsaverage mesh) with its JavaScript inline and
        no external links.  Region names are HTML-escaped before they enter
        the page's embedded JSON.  :func:`light_view` is the small view.
    """
    from nilearn import plotting

    shown = labelled_subgraph(graph)
    kind = shown.graph["kind"]
    names, adjacency, coords = region_arrays(shown)
    colors, relative, _ = _node_style(shown, names, kind)
    view = plotting.view_connectome(
        adjacency, coords, edge_cmap=edge_colormap(kind), symmetric_cmap=False, linewidth=4.0,
        node_color=colors, node_size=4.0 + 5.0 * relative, colorbar=True,
        colorbar_fontsize=12, title=html.escape(title or f"{kind.capitalize()} graph (nats)"),
        title_fontsize=14, node_labels=[html.escape(n) for n in names],
    )
    return strip_external_references(view.get_standalone())


@functools.lru_cache(maxsize=1)
def brain_outline(n_points: int = OUTLINE_POINTS) -> str:
    """Points of the fsaverage5 pial surface (shipped with nilearn), for the outline of light 3-D views.

    Parameters
    ----------
    n_points : int, default=OUTLINE_POINTS
        Points kept, evenly spread over both hemispheres' vertices.

    Returns
    -------
    str
        Base64 of int8 triplets (x, y, z in mm, MNI-like space).
    """
    from nilearn import datasets

    mesh = datasets.load_fsaverage("fsaverage5")["pial"]
    vertices = np.vstack([mesh.parts["left"].coordinates, mesh.parts["right"].coordinates])  # (V, 3)
    keep = np.linspace(0, len(vertices) - 1, min(n_points, len(vertices))).astype(int)
    points = np.clip(np.round(vertices[keep]), -128, 127).astype(np.int8)  # (n_points, 3)
    return base64.b64encode(points.tobytes()).decode("ascii")


def light_view(graph: nx.Graph, title: str | None = None) -> dict:
    """Data of the small interactive 3-D view of a region graph (drawn by the report's own script).

    Parameters
    ----------
    graph : networkx.Graph
        Output of :func:`project_region_graph`; only regions in labelled
        sets are kept (:func:`labelled_subgraph`).
    title : str or None
        A default naming the kind is used when None.

    Returns
    -------
    dict
        JSON-ready: ``title``, ``kind``, ``nodes`` (``name``, ``network``,
        ``color``, ``x``, ``y``, ``z``, ``score``, ``size`` from 0 to 1),
        ``edges`` (``[i, j, weight, colour]``), ``vmax``, ``colorbar`` (colours
        from 0 to ``vmax``) and ``legend`` (``[network, colour]``).  A few
        kilobytes, plus the shared :func:`brain_outline`.
    """
    shown = labelled_subgraph(graph)
    kind = shown.graph["kind"]
    names, adjacency, coords = region_arrays(shown)
    colors, relative, palette = _node_style(shown, names, kind)
    colormap = edge_colormap(kind)
    top = float(adjacency.max())
    edges = [[int(i), int(j), round(float(adjacency[i, j]), 6), to_hex(colormap(adjacency[i, j] / top))]
             for i, j in zip(*np.triu_indices(len(names), k=1)) if adjacency[i, j] > 0]
    nodes = [{"name": name, "network": str(shown.nodes[name].get("network", "")), "color": color,
              "x": float(xyz[0]), "y": float(xyz[1]), "z": float(xyz[2]),
              "score": round(float(shown.nodes[name].get(shown.graph.get("score", kind), 0.0)), 6),
              "size": round(float(size), 4)}
             for name, color, xyz, size in zip(names, colors, coords, relative)]
    networks = sorted({node["network"] for node in nodes} - {""})
    return {"title": title or f"{kind.capitalize()} graph", "kind": kind, "nodes": nodes, "edges": edges,
            "vmax": top, "colorbar": [to_hex(colormap(v)) for v in np.linspace(0.0, 1.0, 8)],
            "legend": [[n, palette[n]] for n in networks]}


def write_graphs(
    results: pd.DataFrame,
    regions: pd.DataFrame,
    prefix: str | os.PathLike,
) -> Mapping[str, Path]:
    """Write the hypergraph and both region graphs as GraphML.

    Parameters
    ----------
    results : pandas.DataFrame
        Result table.
    regions : pandas.DataFrame
        Region metadata table.
    prefix : str or path-like
        Path prefix, e.g. ``out/sub-01_task-rest_atlas-seitzman300``; files are
        ``{prefix}_desc-{hypergraph,redundancy,synergy}_graph.graphml``.

    Returns
    -------
    dict of str to pathlib.Path
        Written file for ``hypergraph``, ``redundancy`` and ``synergy``.
    """
    hypergraph = build_hypergraph(results, regions)
    graphs = {"hypergraph": hypergraph}
    graphs.update({kind: project_region_graph(hypergraph, kind) for kind in KIND_CMAPS})
    return {name: write_graphml(g, f"{prefix}_desc-{name}_graph.graphml") for name, g in graphs.items()}


def write_beyond_fc_graphs(
    results: pd.DataFrame,
    regions: pd.DataFrame,
    prefix: str | os.PathLike,
) -> Mapping[str, Path]:
    """Write the beyond-FC hypergraph and a region graph per kind labelled, as GraphML.

    Parameters
    ----------
    results : pandas.DataFrame
        Result table with ``excess`` and ``excess_label``.
    regions : pandas.DataFrame
        Region metadata table.
    prefix : str or path-like
        Path prefix; files are ``{prefix}_desc-beyondfc_graph.graphml`` and
        ``{prefix}_desc-{synergy,redundancy}beyondfc_graph.graphml``.

    Returns
    -------
    dict of str to pathlib.Path
        Written file for ``beyond_fc_hypergraph`` and ``synergy_beyond_fc`` /
        ``redundancy_beyond_fc`` (a kind with no labelled set is not written);
        empty when no set is labelled beyond functional connectivity.
    """
    hypergraph = build_beyond_fc_hypergraph(results, regions)
    if not any(d["kind"] == "set" for _, d in hypergraph.nodes(data=True)):
        return {}
    written = {"beyond_fc_hypergraph": write_graphml(hypergraph, f"{prefix}_desc-beyondfc_graph.graphml")}
    for kind in ("synergy", "redundancy"):
        graph = project_beyond_fc_graph(hypergraph, kind)
        if graph.number_of_edges():
            written[f"{kind}_beyond_fc"] = write_graphml(graph, f"{prefix}_desc-{kind}beyondfc_graph.graphml")
    return written
