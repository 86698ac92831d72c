"""Region-level redundancy and synergy: score tables, NIfTI maps and figures.

A result table scores *sets* of regions; a neuroscientist also wants to know
which *regions* take part in redundant or synergistic sets.  This module turns
the result table into one row per region, paints those scores into the atlas'
label image, and draws them with nilearn.

Definitions (all in nats)
-------------------------
For region ``r`` and the sets of the result table that contain it.  Labelled
sets nested in one another are one finding, a *family* (the result table's
``family`` column, ``docs/results.md``), and each family counts once: a
region's value from a family is the largest ``|o_info|`` among the family's
sets that contain the region (never their sum), and families add.  So a 4-set
and its four labelled 3-subsets give each of the 4-set's regions one value,
and a region of a weaker outer set that is in none of its stronger subsets
still gets the outer set's value.  Tables without a ``family`` column count
each labelled set as its own family.

``redundancy``
    Sum over the ``"redundant"`` families (significant and positive) of the
    family's value at the region.  Zero when the region is in no such set.
``synergy``
    The same over the ``"synergistic"`` families, as a positive magnitude.
    Zero when it is in no such set.
``net_o_info``
    ``redundancy - synergy``: the sign says which dominates.
``n_sets``, ``n_redundant``, ``n_synergistic``
    How many tested sets contain the region, and how many redundant and
    synergistic families (labelled findings) it takes part in.
``mean_gradient``
    Mean, over all tested sets containing the region, of the region's gradient
    of O-information ``Omega(X) - Omega(X without r)``: positive when adding the
    region makes its sets more redundant, negative when it makes them more
    synergistic.  NaN when the result table has no ``o_info_gradient`` column
    or the region is in no tested set.

Structure beyond functional connectivity (:func:`beyond_fc_scores`) is scored
by the same rule from the ``excess_label`` and ``excess`` columns (FMMI's
non-Gaussian excess, ``docs/results.md``): ``redundancy_beyond_fc``
(``synergy_beyond_fc``) is the sum over ``"redundancy beyond FC"``
(``"synergy beyond FC"``) families of the largest ``|excess|`` among the
family's sets that contain the region.  Beyond-FC families are formed as the
O-information families are (:mod:`fmri_oinfo.stats.families`): sets with the
same ``excess_label`` where one contains the other are linked, a family is a
connected group of linked sets (:func:`beyond_fc_family_keys`).

Files are written atomically (:mod:`fmri_oinfo.atomic`).  Nothing here
imports torch.
"""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import matplotlib.pyplot as plt
import nibabel as nib
import numpy as np
import pandas as pd
from matplotlib.cm import ScalarMappable
from matplotlib.colors import LinearSegmentedColormap, ListedColormap, Normalize
from matplotlib.figure import Figure

from fmri_oinfo.atomic import write_atomically

logger = logging.getLogger(__name__)

Kind = Literal["redundancy", "synergy"]

#: Colormap per kind: warm for redundancy, cool for synergy.
KIND_CMAPS: dict[str, str] = {"redundancy": "YlOrRd", "synergy": "PuBu"}

#: Where each kind's colormap starts (0-1): its pale end is cut so that the smallest drawn value is visible
#: on white and on grey sulci, and only what lies below the threshold is transparent.
CMAP_START = 0.3

#: Colour of each kind's sets in set figures (the colormap's dark end).
KIND_COLORS: dict[str, str] = {"redundancy": "#c0392b", "synergy": "#2471a3"}

#: Result-table label whose sets feed each kind.
KIND_LABELS: dict[str, str] = {"redundancy": "redundant", "synergy": "synergistic"}

#: Columns of the table returned by :func:`region_scores`.
REGION_SCORE_COLUMNS: tuple[str, ...] = (
    "name", "network", "x", "y", "z", "redundancy", "synergy", "net_o_info",
    "n_sets", "n_redundant", "n_synergistic", "mean_gradient",
)

#: ``excess_label`` value whose sets feed each kind of beyond-FC score.
BEYOND_FC_LABELS: dict[str, str] = {"redundancy": "redundancy beyond FC", "synergy": "synergy beyond FC"}

#: Columns of the table returned by :func:`beyond_fc_scores`.
BEYOND_FC_SCORE_COLUMNS: tuple[str, ...] = (
    "name", "network", "x", "y", "z", "redundancy_beyond_fc", "synergy_beyond_fc",
    "n_redundancy_beyond_fc", "n_synergy_beyond_fc",
)

REQUIRED_RESULT_COLUMNS: tuple[str, ...] = ("set", "o_info", "label")
REQUIRED_REGION_COLUMNS: tuple[str, ...] = ("name", "network", "x", "y", "z")
FIGURE_SUFFIXES: tuple[str, ...] = (".png", ".svg", ".pdf")


def check_kind(kind: str) -> Kind:
    """Return ``kind`` if it is ``"redundancy"`` or ``"synergy"``, else raise ValueError."""
    if kind not in KIND_CMAPS:
        raise ValueError(f"kind={kind!r} is not supported; use 'redundancy' or 'synergy'.")
    return kind  # type: ignore[return-value]


def _require_columns(table: object, columns: Sequence[str], source: str, hint: str) -> None:
    """Raise a ValueError naming ``source`` unless ``table`` is a DataFrame with ``columns``."""
    if not isinstance(table, pd.DataFrame):
        raise ValueError(f"{source} is a {type(table).__name__}; a pandas DataFrame is needed.")
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(f"{source} lacks columns {missing} (found {list(table.columns)}); {hint}")


def check_regions(
    regions: pd.DataFrame, source: str = "regions", require_coordinates: bool = True
) -> pd.DataFrame:
    """Validate a region metadata table (name, network, x, y, z in MNI mm).

    Parameters
    ----------
    regions : pandas.DataFrame
        One row per region, in the column order of the time-series table.
    source : str, default="regions"
        What to call the table in error messages.
    require_coordinates : bool, default=True
        Reject missing (NaN) coordinates.  With False, NaN coordinates are
        accepted (a region table read from a time-series file has none); the
        scores, graphs and tables work without them, brain figures do not
        (see :func:`has_coordinates`).  Infinite coordinates are always rejected.

    Returns
    -------
    pandas.DataFrame
        A copy with a fresh RangeIndex, names and networks as ``str`` and
        coordinates as float.
    """
    _require_columns(
        regions, REQUIRED_REGION_COLUMNS, source, "the region metadata table has name, network, x, y, z (MNI mm)."
    )
    table = regions.loc[:, list(REQUIRED_REGION_COLUMNS)].reset_index(drop=True).copy()
    table["name"] = table["name"].astype(str)
    table["network"] = table["network"].fillna("").astype(str)
    duplicated = table["name"][table["name"].duplicated()].tolist()
    if duplicated:
        raise ValueError(f"{source} has duplicate region names {duplicated[:10]}; names must be unique.")
    coords = table[["x", "y", "z"]].to_numpy(dtype=float)
    bad_rows = np.isinf(coords).any(axis=1) if not require_coordinates else ~np.isfinite(coords).all(axis=1)
    if bad_rows.any():
        bad = table["name"][bad_rows].tolist()
        kind = "infinite" if not require_coordinates else "missing or non-finite"
        raise ValueError(f"{source}: regions {bad[:10]} have {kind} MNI coordinates.")
    table[["x", "y", "z"]] = coords
    return table


def has_coordinates(regions: pd.DataFrame) -> bool:
    """Whether every region has finite MNI coordinates (needed by brain maps and connectomes).

    Parameters
    ----------
    regions : pandas.DataFrame
        Region metadata table with ``x``, ``y``, ``z`` columns.

    Returns
    -------
    bool
    """
    return bool(len(regions)) and bool(np.isfinite(regions[["x", "y", "z"]].to_numpy(dtype=float)).all())


def check_results(results: pd.DataFrame, region_names: Sequence[str], source: str = "results") -> pd.DataFrame:
    """Validate a result table against the region names it refers to.

    Parameters
    ----------
    results : pandas.DataFrame
        Result table with at least ``set``, ``o_info`` and ``label``.
    region_names : sequence of str
        Known region names.
    source : str, default="results"
        What to call the table in error messages.

    Returns
    -------
    pandas.DataFrame
        A copy with a fresh RangeIndex and ``set`` as tuples of ``str``.
    """
    _require_columns(results, REQUIRED_RESULT_COLUMNS, source, "pass the result table from fmri_oinfo.stats.")
    table = results.reset_index(drop=True).copy()
    table["set"] = [tuple(str(m) for m in g) for g in table["set"]]
    known = set(region_names)
    unknown = sorted({m for g in table["set"] for m in g if m not in known})
    if unknown:
        raise ValueError(
            f"{source} names regions {unknown[:10]} that are not in the region table; "
            "pass the region table of the same atlas and extraction."
        )
    labels = set(table["label"]) - {"redundant", "synergistic", "n.s."}
    if labels:
        raise ValueError(
            f"{source}: unknown labels {sorted(map(str, labels))}; use 'redundant', 'synergistic' or 'n.s.'."
        )
    return table


def family_keys(results: pd.DataFrame) -> np.ndarray:
    """One key per row naming its family: ``"f<family>"``, or ``"r<row>"`` where the row has none.

    Rows without a family (no ``family`` column, as in older tables, or
    family 0) are each their own family.

    Parameters
    ----------
    results : pandas.DataFrame
        Result table, with a fresh RangeIndex.

    Returns
    -------
    numpy.ndarray of object, shape (G,)
    """
    rows = np.array([f"r{i}" for i in range(len(results))], dtype=object)
    if "family" not in results.columns:
        return rows
    family = pd.to_numeric(results["family"], errors="coerce").fillna(0).to_numpy(dtype=int)
    return np.where(family > 0, np.array([f"f{f}" for f in family], dtype=object), rows)


def beyond_fc_labels(results: pd.DataFrame, source: str = "results") -> np.ndarray:
    """The ``excess_label`` of each row, ``""`` where it is empty or the table has none.

    Raises
    ------
    ValueError
        When a value is not ``""``, ``"synergy beyond FC"`` or ``"redundancy beyond FC"``.
    """
    if "excess_label" not in results.columns:
        return np.full(len(results), "", dtype=object)
    labels = results["excess_label"].fillna("").astype(str).to_numpy(dtype=object)
    unknown = set(labels) - {"", *BEYOND_FC_LABELS.values()}
    if unknown:
        raise ValueError(
            f"{source}: unknown excess_label values {sorted(unknown)}; use "
            f"{', '.join(repr(v) for v in BEYOND_FC_LABELS.values())} or leave it empty."
        )
    return labels


def has_beyond_fc(results: pd.DataFrame) -> bool:
    """Whether any row of ``results`` is labelled beyond functional connectivity."""
    return bool((beyond_fc_labels(results) != "").any())


def beyond_fc_family_keys(results: pd.DataFrame) -> np.ndarray:
    """One key per row naming its beyond-FC family: ``"b<k>"``, or ``"r<row>"`` for rows without an excess label.

    The rule of :mod:`fmri_oinfo.stats.families`, on ``excess_label``: two
    labelled sets are linked when they have the same ``excess_label`` and one
    contains the other; a family is a connected group of linked sets.  Families
    are numbered in the table's order of their first set.

    Parameters
    ----------
    results : pandas.DataFrame
        Checked result table (:func:`check_results`), with a fresh RangeIndex.

    Returns
    -------
    numpy.ndarray of object, shape (G,)
    """
    keys = np.array([f"r{i}" for i in range(len(results))], dtype=object)
    labels = beyond_fc_labels(results)
    labelled = np.flatnonzero(labels != "")
    if labelled.size == 0:
        return keys
    members = [set(results["set"].iloc[g]) for g in labelled]
    parent = list(range(labelled.size))  # union-find over the labelled rows

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a in range(labelled.size):
        for b in range(a + 1, labelled.size):
            same = labels[labelled[a]] == labels[labelled[b]]
            if same and (members[a] <= members[b] or members[b] <= members[a]):
                parent[root(b)] = root(a)
    roots = [root(i) for i in range(labelled.size)]
    number = {r: k for k, r in enumerate(dict.fromkeys(roots), start=1)}
    keys[labelled] = [f"b{number[r]}" for r in roots]
    return keys


def family_values(
    results: pd.DataFrame,
    label: str,
    names: Sequence[str],
    label_column: str = "label",
    value_column: str = "o_info",
    keys: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Each region's value from each family of one label: the largest ``|value|`` of its sets containing it.

    Parameters
    ----------
    results : pandas.DataFrame
        Checked result table (:func:`check_results`).
    label : str
        ``"redundant"``, ``"synergistic"``, or an ``excess_label`` value.
    names : sequence of str
        Region names, in the order of the columns returned.
    label_column : str, default="label"
        Column holding ``label`` (``"excess_label"`` for beyond-FC families).
    value_column : str, default="o_info"
        Column whose magnitude is the set's value (``"excess"`` beyond FC).
    keys : numpy.ndarray or None
        Family key per row; :func:`family_keys` when None.

    Returns
    -------
    values : numpy.ndarray of float, shape (F, regions)
        Row ``f``: the family's value at each region (0 where it has none).
    present : numpy.ndarray of bool, shape (F, regions)
        Which regions are in one of the family's sets.
    """
    position = {name: j for j, name in enumerate(names)}
    rows = np.flatnonzero((results[label_column].fillna("") == label).to_numpy())
    membership = np.zeros((rows.size, len(names)), dtype=bool)  # (labelled rows, regions)
    for k, g in enumerate(rows):
        membership[k, [position[m] for m in results["set"].iloc[g]]] = True
    magnitude = np.abs(pd.to_numeric(results[value_column], errors="coerce").to_numpy(dtype=float)[rows])
    weighted = pd.DataFrame(np.where(membership, magnitude[:, None], 0.0))
    keys = (family_keys(results) if keys is None else keys)[rows]
    values = weighted.groupby(keys, sort=False).max().to_numpy()  # (F, regions)
    present = pd.DataFrame(membership).groupby(keys, sort=False).any().to_numpy()
    return values.reshape(-1, len(names)), present.reshape(-1, len(names))


def region_scores(results: pd.DataFrame, regions: pd.DataFrame) -> pd.DataFrame:
    """Score each region by the significant sets it belongs to.

    Parameters
    ----------
    results : pandas.DataFrame
        Result table (``set``, ``o_info``, ``label`` and optionally
        ``family`` and ``o_info_gradient``), O-information in nats.
    regions : pandas.DataFrame
        Region metadata table (``name``, ``network``, ``x``, ``y``, ``z``,
        optionally ``anatomy``).

    Returns
    -------
    pandas.DataFrame
        One row per region in the order of ``regions``, with the columns of
        :data:`REGION_SCORE_COLUMNS`; definitions in the module docstring.
        Missing (NaN) coordinates are accepted and kept as NaN.  When
        ``regions`` has ``anatomy`` (:func:`fmri_oinfo.atlases.with_anatomy`),
        it follows ``network`` (missing names as ``""``).
    """
    table = check_regions(regions, require_coordinates=False)
    names = table["name"].tolist()
    results = check_results(results, names)
    position = {name: j for j, name in enumerate(names)}
    n = len(names)
    n_sets = np.zeros(n, dtype=int)
    gradient_sum = np.zeros(n)
    gradient_count = np.zeros(n, dtype=int)
    has_gradient = "o_info_gradient" in results.columns
    for row in results.itertuples(index=False):
        members = [position[m] for m in row.set]
        n_sets[members] += 1
        gradient = row.o_info_gradient if has_gradient else None
        if gradient is not None and not (np.isscalar(gradient) and pd.isna(gradient)):
            values = np.asarray(gradient, dtype=float)
            if values.shape != (len(members),):
                raise ValueError(
                    f"results: o_info_gradient of set {row.set} has {values.size} values; "
                    f"one per member ({len(members)}) is needed."
                )
            np.add.at(gradient_sum, members, values)
            np.add.at(gradient_count, members, 1)
    redundant, in_redundant = family_values(results, "redundant", names)  # (F, regions)
    synergistic, in_synergistic = family_values(results, "synergistic", names)
    redundancy, synergy = redundant.sum(axis=0), synergistic.sum(axis=0)
    n_redundant, n_synergistic = in_redundant.sum(axis=0), in_synergistic.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_gradient = np.where(gradient_count > 0, gradient_sum / np.maximum(gradient_count, 1), np.nan)
    table["redundancy"] = redundancy
    table["synergy"] = synergy
    table["net_o_info"] = redundancy - synergy
    table["n_sets"] = n_sets
    table["n_redundant"] = n_redundant
    table["n_synergistic"] = n_synergistic
    table["mean_gradient"] = mean_gradient
    columns = list(REGION_SCORE_COLUMNS)
    if "anatomy" in regions.columns:
        table["anatomy"] = regions["anatomy"].fillna("").astype(str).to_numpy()
        columns.insert(columns.index("network") + 1, "anatomy")
    return table.loc[:, columns]


def beyond_fc_scores(results: pd.DataFrame, regions: pd.DataFrame) -> pd.DataFrame:
    """Score each region by the sets labelled beyond functional connectivity that contain it.

    Parameters
    ----------
    results : pandas.DataFrame
        Result table with ``set``, ``o_info``, ``label``, and ``excess`` and
        ``excess_label`` (without them every score is 0).
    regions : pandas.DataFrame
        Region metadata table (``name``, ``network``, ``x``, ``y``, ``z``).

    Returns
    -------
    pandas.DataFrame
        One row per region in the order of ``regions``, with the columns of
        :data:`BEYOND_FC_SCORE_COLUMNS`: per kind, the sum over its beyond-FC
        families of the largest ``|excess|`` (nats) of the family's sets
        holding the region (module docstring), and the number of those
        families.
    """
    table = check_regions(regions, require_coordinates=False)
    names = table["name"].tolist()
    results = check_results(results, names)
    keys = beyond_fc_family_keys(results)
    for kind, label in BEYOND_FC_LABELS.items():
        if "excess" not in results.columns:
            values, present = np.zeros((0, len(names))), np.zeros((0, len(names)), dtype=bool)
        else:
            values, present = family_values(results.assign(excess_label=beyond_fc_labels(results)), label, names,
                                            label_column="excess_label", value_column="excess", keys=keys)
        table[f"{kind}_beyond_fc"] = values.sum(axis=0)
        table[f"n_{kind}_beyond_fc"] = present.sum(axis=0)
    return table.loc[:, list(BEYOND_FC_SCORE_COLUMNS)]


def paint_label_image(label_image: nib.Nifti1Image, values: Sequence[float] | np.ndarray) -> nib.Nifti1Image:
    """Paint one value per region into an atlas label image.

    Parameters
    ----------
    label_image : nibabel.Nifti1Image
        3-D integer image in MNI space where label ``j + 1`` marks region ``j``
        and 0 is background.
    values : array-like of shape (n_regions,)
        Value of each region, in the order of the region table.

    Returns
    -------
    nibabel.Nifti1Image
        Float32 image with the label image's grid and affine: each voxel of
        region ``j`` holds ``values[j]``; background voxels hold 0.
    """
    if not isinstance(label_image, nib.Nifti1Image):
        raise ValueError(
            f"label_image is a {type(label_image).__name__}; a nibabel.Nifti1Image is needed "
            "(load it with nibabel.load)."
        )
    labels = np.asanyarray(label_image.dataobj)
    if labels.ndim == 4 and labels.shape[3] == 1:
        labels = labels[..., 0]
    if labels.ndim != 3:
        raise ValueError(f"label_image has shape {labels.shape}; a 3-D label image is needed.")
    if not np.allclose(labels, np.round(labels)) or labels.min() < 0:
        raise ValueError(
            "label_image holds non-integer or negative values; a label image has 0 for background "
            "and j + 1 for region j."
        )
    labels = np.round(labels).astype(np.int64)
    values = np.asarray(values, dtype=np.float64).ravel()
    if labels.max() > values.size:
        raise ValueError(
            f"label_image has labels up to {labels.max()} but {values.size} region values were given; "
            "give one value per region of the atlas (label j + 1 is region j)."
        )
    absent = np.setdiff1d(np.arange(1, values.size + 1), np.unique(labels))
    if absent.size:
        logger.info("Regions with labels %s have no voxel in the label image.", absent.tolist()[:10])
    lookup = np.concatenate([[0.0], values]).astype(np.float32)  # (n_regions + 1,)
    painted = lookup[labels]  # (x, y, z)
    header = label_image.header.copy()
    header.set_data_dtype(np.float32)
    return nib.Nifti1Image(painted, label_image.affine, header)


def write_nifti(image: nib.Nifti1Image, path: str | os.PathLike) -> Path:
    """Write ``image`` to ``path`` (``.nii`` or ``.nii.gz``) atomically."""
    if not str(path).endswith((".nii", ".nii.gz")):
        raise ValueError(f"path={str(path)!r} must end with .nii or .nii.gz.")
    return write_atomically(path, lambda tmp: nib.save(image, tmp))


def save_figure(figure: Figure, path: str | os.PathLike, dpi: int = 150) -> Path:
    """Save a matplotlib figure as PNG, SVG or PDF atomically and close it.

    Parameters
    ----------
    figure : matplotlib.figure.Figure
    path : str or path-like
        Ends with ``.png``, ``.svg`` or ``.pdf``.
    dpi : int, default=150
        Resolution of raster output.

    Returns
    -------
    pathlib.Path
    """
    suffix = Path(path).suffix.lower()
    if suffix not in FIGURE_SUFFIXES:
        raise ValueError(f"path={str(path)!r}: figures are saved as {', '.join(FIGURE_SUFFIXES)}.")
    try:
        return write_atomically(
            path, lambda tmp: figure.savefig(tmp, format=suffix[1:], dpi=dpi, bbox_inches="tight")
        )
    finally:
        plt.close(figure)


def kind_colormap(kind: str, start: float = CMAP_START) -> LinearSegmentedColormap:
    """The colormap of ``kind`` without its pale end (see :data:`CMAP_START`).

    Parameters
    ----------
    kind : {"redundancy", "synergy"}
    start : float, default=CMAP_START
        Fraction of the base colormap to cut from its low end.

    Returns
    -------
    matplotlib.colors.LinearSegmentedColormap
    """
    base = plt.get_cmap(KIND_CMAPS[check_kind(kind)])
    return LinearSegmentedColormap.from_list(f"{kind}_visible", base(np.linspace(start, 1.0, 256)))


def _score_range(values: np.ndarray) -> tuple[float, float]:
    top = float(np.nanmax(values)) if values.size and np.isfinite(values).any() else 0.0
    return 0.0, top if top > 0 else 1.0


def _checked_scale(values: np.ndarray, vmax: float | None, floor: float | None) -> tuple[float, float]:
    """``(vmax, threshold)``: a given ``vmax`` (shared between maps) or the values' maximum; the
    threshold below which nothing is drawn is ``floor`` or a hair above zero."""
    top = _score_range(values)[1] if vmax is None else float(vmax)
    if not np.isfinite(top) or top <= 0:
        raise ValueError(f"vmax={vmax!r}; a positive colour-scale maximum is needed.")
    threshold = 1e-9 * top if floor is None else float(floor)
    if not 0 <= threshold < top:
        raise ValueError(f"floor={floor!r} must lie in [0, vmax={top:g}).")
    return top, threshold


def _label_colorbar(display, label: str) -> None:
    colorbar = getattr(display, "_cbar", None)
    if colorbar is not None:
        colorbar.set_label(label, fontsize=10)


def plot_region_map(
    scores: pd.DataFrame,
    kind: Kind,
    label_image: nib.Nifti1Image | None = None,
    title: str | None = None,
    vmax: float | None = None,
    floor: float | None = None,
    colorbar_label: str | None = None,
    column: str | None = None,
) -> Figure:
    """Draw region redundancy or synergy scores on a glass brain.

    Parameters
    ----------
    scores : pandas.DataFrame
        Output of :func:`region_scores`.
    kind : {"redundancy", "synergy"}
        Which score to draw; redundancy uses a warm colormap, synergy a cool
        one, both without their pale end (:func:`kind_colormap`).
    label_image : nibabel.Nifti1Image or None, default=None
        Atlas label image (label ``j + 1`` is region ``j``).  With an image the
        painted scores are drawn as a glass-brain stat map; without one the
        regions are drawn as markers at their MNI coordinates (then every
        region needs coordinates, else ValueError).  Only regions above the
        threshold are drawn.
    title : str or None
        Figure title; a default naming the score is used when None.
    vmax : float or None
        Top of the colour scale; the largest score when None.  Give the same
        value to maps that are compared.
    floor : float or None
        Scores at or below it are not drawn; None draws every positive score.
    colorbar_label : str or None
        ``"<kind> (nats)"`` when None.
    column : str or None
        Score column to draw; ``kind`` when None (``"synergy_beyond_fc"`` with
        :func:`beyond_fc_scores`, drawn in the colours of ``kind``).

    Returns
    -------
    matplotlib.figure.Figure
    """
    from nilearn import plotting

    kind = check_kind(kind)
    column = column or kind
    if column not in scores.columns:
        raise ValueError(f"scores have no column {column!r}; pass the table of region_scores or beyond_fc_scores.")
    values = scores[column].to_numpy(dtype=float)  # (regions,)
    vmax, threshold = _checked_scale(values, vmax, floor)
    title = title or f"Region {kind} (|O-information| of labelled families, each once)"
    if label_image is None and not has_coordinates(scores):
        raise ValueError(
            "scores have regions without MNI coordinates and no label_image was given; "
            "a brain map needs one of them (pass the atlas label image, or coordinates in x, y, z)."
        )
    figure = plt.figure(figsize=(9.0, 3.2))
    colormap = kind_colormap(kind)
    if label_image is not None:
        display = plotting.plot_glass_brain(
            paint_label_image(label_image, values), figure=figure, cmap=colormap,
            vmin=0.0, vmax=vmax, plot_abs=False, colorbar=True, title=title, annotate=True,
            threshold=threshold, display_mode="lzry",
        )
    else:
        shown = values > threshold  # (regions,)
        if not shown.any():  # an empty glass brain, as a label image with nothing above the threshold gives
            plotting.plot_glass_brain(None, figure=figure, title=title, display_mode="lzry")
            return figure
        coords = scores[["x", "y", "z"]].to_numpy(dtype=float)[shown]  # (shown, 3)
        sizes = 20.0 + 120.0 * np.clip(values[shown] / vmax, 0.0, 1.0)  # (shown,)
        display = plotting.plot_markers(
            values[shown], coords, node_size=sizes, node_cmap=colormap, node_vmin=0.0,
            node_vmax=vmax, figure=figure, colorbar=True, title=title, display_mode="lzry",
        )
    _label_colorbar(display, colorbar_label or f"{kind} (nats)")
    return figure


def plot_set_members(
    members: pd.DataFrame,
    color: str,
    title: str | None = None,
) -> Figure:
    """A small glass brain of one set: its members as markers joined by lines.

    Parameters
    ----------
    members : pandas.DataFrame
        Region rows of the set (``x``, ``y``, ``z`` in MNI mm).
    color : str
        Colour of markers and lines (the set's kind).
    title : str or None

    Returns
    -------
    matplotlib.figure.Figure
        Left, top and front views, about 4.2 x 1.6 inches.
    """
    from nilearn import plotting

    coords = members[["x", "y", "z"]].to_numpy(dtype=float)  # (k, 3)
    if not np.isfinite(coords).all():
        raise ValueError("members without MNI coordinates cannot be drawn on a glass brain.")
    n = len(coords)
    adjacency = np.ones((n, n)) - np.eye(n)  # (k, k): the set as a clique
    figure = plt.figure(figsize=(4.2, 1.6))
    plotting.plot_connectome(
        adjacency, coords, node_color=color, node_size=28, edge_cmap=ListedColormap([color]),
        edge_vmin=0.0, edge_vmax=1.0, display_mode="lzr", figure=figure, annotate=False, title=title,
        colorbar=False, edge_kwargs={"linewidth": 1.2, "alpha": 0.6},
    )
    return figure


def plot_surface_map(
    label_image: nib.Nifti1Image,
    values: Sequence[float] | np.ndarray,
    kind: Kind,
    title: str | None = None,
) -> Figure:
    """Project painted region scores onto the fsaverage5 surface (offline).

    Parameters
    ----------
    label_image : nibabel.Nifti1Image
        Atlas label image in MNI space (label ``j + 1`` is region ``j``).
    values : array-like of shape (n_regions,)
        One score per region, in nats.
    kind : {"redundancy", "synergy"}
        Chooses the colormap and the colorbar label.
    title : str or None
        Figure title; a default naming the score is used when None.

    Returns
    -------
    matplotlib.figure.Figure
        Four views (left/right hemisphere, lateral/medial) on the inflated
        fsaverage5 mesh shipped with nilearn, over its sulcal depth.

    Notes
    -----
    Each vertex takes the most frequent painted value along its pial-to-white
    sampling line (linear interpolation when the image does not cover the
    cortex), so small (sphere) regions show as patches where they reach the
    cortex and subcortical regions do not show at all.
    """
    from nilearn import datasets, plotting
    from nilearn.surface import SurfaceImage

    kind = check_kind(kind)
    values = np.asarray(values, dtype=float)
    vmin, vmax = _score_range(values)
    colormap = kind_colormap(kind)
    painted = paint_label_image(label_image, values)
    fsaverage = datasets.load_fsaverage("fsaverage5")
    sulcal = datasets.load_fsaverage_data(mesh="fsaverage5", data_type="sulcal", mesh_type="inflated")
    try:
        sampled = SurfaceImage.from_volume(
            mesh=fsaverage["pial"], volume_img=painted, inner_mesh=fsaverage["white_matter"],
            interpolation="nearest_most_frequent",
        )
    except ValueError:  # nilearn fails when some vertices sample nothing inside a small image
        logger.info("Label image does not cover the cortex; sampling the surface with linear interpolation.")
        with warnings.catch_warnings():  # vertices outside the image average nothing: NaN, drawn empty
            warnings.filterwarnings("ignore", "Mean of empty slice", RuntimeWarning)
            sampled = SurfaceImage.from_volume(
                mesh=fsaverage["pial"], volume_img=painted, inner_mesh=fsaverage["white_matter"],
                interpolation="linear",
            )
    texture = SurfaceImage(mesh=fsaverage["inflated"], data=dict(sampled.data.parts))
    figure = plt.figure(figsize=(8.0, 6.4))
    views = [("left", "lateral"), ("right", "lateral"), ("left", "medial"), ("right", "medial")]
    for index, (hemi, view) in enumerate(views):
        axes = figure.add_subplot(2, 2, index + 1, projection="3d")
        plotting.plot_surf_stat_map(
            fsaverage["inflated"], texture, hemi=hemi, view=view, bg_map=sulcal, axes=axes,
            figure=figure, cmap=colormap, vmin=vmin, vmax=vmax, symmetric_cbar=False,
            colorbar=False, threshold=1e-12 * vmax,
        )
        axes.set_title(f"{hemi} {view}", fontsize=10)
    colorbar_axes = figure.add_axes((0.3, 0.06, 0.4, 0.025))
    colorbar = figure.colorbar(
        ScalarMappable(Normalize(vmin, vmax), cmap=colormap), cax=colorbar_axes,
        orientation="horizontal",
    )
    colorbar.set_label(f"{kind} (nats)", fontsize=10)
    figure.suptitle(title or f"Region {kind} on the fsaverage5 surface", fontsize=12)
    return figure


def write_region_maps(
    scores: pd.DataFrame,
    label_image: nib.Nifti1Image,
    prefix: str | os.PathLike,
) -> dict[str, Path]:
    """Write the redundancy, synergy and net O-information maps as NIfTI.

    Parameters
    ----------
    scores : pandas.DataFrame
        Output of :func:`region_scores`.
    label_image : nibabel.Nifti1Image
        Atlas label image (label ``j + 1`` is region ``j``).
    prefix : str or path-like
        Path prefix, e.g. ``out/sub-01_task-rest_atlas-seitzman300``; files are
        ``{prefix}_desc-{redundancy,synergy,netoinfo}_map.nii.gz``.

    Returns
    -------
    dict of str to pathlib.Path
        Written file per score column (``redundancy``, ``synergy``, ``net_o_info``).
    """
    images = {
        column: paint_label_image(label_image, scores[column].to_numpy(dtype=float))
        for column in ("redundancy", "synergy", "net_o_info")
    }
    descriptions = {"redundancy": "redundancy", "synergy": "synergy", "net_o_info": "netoinfo"}
    return {
        column: write_nifti(image, f"{prefix}_desc-{descriptions[column]}_map.nii.gz")
        for column, image in images.items()
    }


def write_beyond_fc_maps(
    scores: pd.DataFrame,
    label_image: nib.Nifti1Image,
    prefix: str | os.PathLike,
) -> dict[str, Path]:
    """Write the beyond-FC region maps as NIfTI, one per kind that has a labelled set.

    Parameters
    ----------
    scores : pandas.DataFrame
        Output of :func:`beyond_fc_scores`.
    label_image : nibabel.Nifti1Image
        Atlas label image (label ``j + 1`` is region ``j``).
    prefix : str or path-like
        Path prefix; files are ``{prefix}_desc-{synergy,redundancy}beyondfc_map.nii.gz``.

    Returns
    -------
    dict of str to pathlib.Path
        Written file per score column (``synergy_beyond_fc``,
        ``redundancy_beyond_fc``); a kind with no labelled set (every region
        0) is not written, so nothing is written when no set is labelled
        beyond functional connectivity.
    """
    written = {}
    for kind in ("synergy", "redundancy"):
        column = f"{kind}_beyond_fc"
        if (scores[f"n_{column}"] > 0).any():
            image = paint_label_image(label_image, scores[column].to_numpy(dtype=float))
            written[column] = write_nifti(image, f"{prefix}_desc-{kind}beyondfc_map.nii.gz")
    return written
