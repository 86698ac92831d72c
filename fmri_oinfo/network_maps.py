"""A value per network, painted on the network's regions: scores, NIfTI maps and glass brains.

The networks table (:mod:`fmri_oinfo.pipeline.networks`) has the result
table's columns with networks as members, so a network is scored exactly as
a region is (:func:`fmri_oinfo.maps.region_scores`: each labelled family
counts once, by its largest ``|o_info|`` among its sets that hold the
network).  The maps give every region its network's score; regions in no
analysed network are 0.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import nibabel as nib
import numpy as np
import pandas as pd

from fmri_oinfo import maps

#: Score columns painted (and their ``desc-`` names).
PAINTED: dict[str, str] = {"redundancy": "redundancy", "synergy": "synergy", "net_o_info": "netoinfo"}

#: Columns of :func:`network_scores`.
NETWORK_SCORE_COLUMNS: tuple[str, ...] = ("network", "n_regions", "redundancy", "synergy", "net_o_info", "n_sets",
                                          "n_redundant", "n_synergistic")


def network_scores(table: pd.DataFrame, networks: Mapping[str, Sequence[str]]) -> pd.DataFrame:
    """Score each network by the labelled sets of networks it belongs to.

    Parameters
    ----------
    table : pandas.DataFrame
        The networks table (``set`` of network names, ``o_info``, ``label``,
        ``family``).
    networks : mapping of str to sequence of str
        Each analysed network's regions.

    Returns
    -------
    pandas.DataFrame
        One row per network, with :data:`NETWORK_SCORE_COLUMNS`.
    """
    names = list(networks)
    pseudo = pd.DataFrame({"name": names, "network": names, "x": np.nan, "y": np.nan, "z": np.nan})
    scores = maps.region_scores(table, pseudo).drop(columns="network").rename(columns={"name": "network"})
    scores["n_regions"] = [len(networks[n]) for n in names]
    return scores.loc[:, list(NETWORK_SCORE_COLUMNS)]


def region_values(scores: pd.DataFrame, networks: Mapping[str, Sequence[str]], regions: pd.DataFrame) -> pd.DataFrame:
    """Each region with its network's scores, as :func:`fmri_oinfo.maps.region_scores` lays them out.

    Parameters
    ----------
    scores : pandas.DataFrame
        :func:`network_scores`.
    networks : mapping of str to sequence of str
        Each analysed network's regions.
    regions : pandas.DataFrame
        The atlas regions (``name``, ``x``, ``y``, ``z``), in the label image's order.

    Returns
    -------
    pandas.DataFrame
        One row per region of ``regions`` (:data:`fmri_oinfo.maps.REGION_SCORE_COLUMNS`); ``network`` is
        the analysed network of the region ("" for none), scores 0 for regions in no analysed network.
    """
    owner = {region: network for network, members in networks.items() for region in members}
    by_network = scores.set_index("network")
    out = pd.DataFrame({"name": regions["name"].astype(str).to_numpy()})
    out["network"] = [owner.get(name, "") for name in out["name"]]
    for axis in ("x", "y", "z"):
        out[axis] = regions[axis].to_numpy(dtype=float) if axis in regions.columns else np.nan
    inside = out["network"].to_numpy() != ""
    for column in ("redundancy", "synergy", "net_o_info", "n_sets", "n_redundant", "n_synergistic"):
        values = np.zeros(len(out), dtype=by_network[column].dtype)
        values[inside] = by_network.loc[out["network"][inside], column].to_numpy()
        out[column] = values
    out["mean_gradient"] = np.nan
    return out.loc[:, list(maps.REGION_SCORE_COLUMNS)]


def network_map_figure(values: pd.DataFrame, kind: str, label_image: nib.Nifti1Image | None):
    """A glass brain of one score (``redundancy`` or ``synergy``) of :func:`region_values`, network by network."""
    return maps.plot_region_map(values, kind, label_image,
                                title=f"Network {kind} (|O-information| of labelled families of networks)")


def write_network_maps(values: pd.DataFrame, label_image: nib.Nifti1Image, prefix: str | os.PathLike) -> dict[str, Path]:
    """NIfTI maps of each region's network scores, and glass-brain PNGs of redundancy and synergy.

    Parameters
    ----------
    values : pandas.DataFrame
        :func:`region_values`.
    label_image : nibabel.Nifti1Image
        Atlas label image (label ``j + 1`` is region ``j`` of ``values``).
    prefix : str or path-like
        Files are ``{prefix}_desc-{redundancy,synergy,netoinfo}_map.nii.gz``
        and ``{prefix}_desc-{redundancy,synergy}_glassbrain.png``.

    Returns
    -------
    dict of str to pathlib.Path
        ``map_<score>`` and ``glassbrain_<kind>`` to the written file.
    """
    written = {}
    for column, description in PAINTED.items():
        image = maps.paint_label_image(label_image, values[column].to_numpy(dtype=float))
        written[f"map_{column}"] = maps.write_nifti(image, f"{prefix}_desc-{description}_map.nii.gz")
    for kind in ("redundancy", "synergy"):
        written[f"glassbrain_{kind}"] = maps.save_figure(network_map_figure(values, kind, label_image),
                                                         f"{prefix}_desc-{kind}_glassbrain.png")  # closes it
    return written
