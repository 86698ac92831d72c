"""Atlas registry over the manifests in ``atlases/``, and user atlases.

Each ``atlases/<name>.toml`` describes one atlas: its kind (``spheres``,
``labels`` or ``maps``), space, resolution, where its data come from, how
regions and networks are named, its licence and citation.  Two providers:

``nilearn``
    Coordinates shipped inside the nilearn wheel (Seitzman 2018, Power 2011,
    Dosenbach 2010): always available offline.
``data_dir``
    Files the user has placed in a data folder laid out as nilearn's fetchers
    do (Schaefer 2018, Harvard-Oxford, DiFuMo).  Nothing is ever downloaded:
    the folder is ``atlas_dir``, else each folder of ``$NILEARN_DATA``, else an
    existing ``~/nilearn_data`` (read, never created).  Missing files raise an
    error that lists which files to put where.

User atlases are given by path: a 3-D labels NIfTI with a TSV of
``index``/``name``/``network`` next to it (``<stem>.tsv``), or a 4-D
probabilistic maps NIfTI (optional TSV, ``index`` = volume number from 1).

Every atlas has a region table (the shared contract: ``name``, ``network``,
``x``, ``y``, ``z`` in MNI mm; plus ``anatomy`` and ``anatomy_distance_mm``,
the Desikan-Killiany name of each centre from :mod:`fmri_oinfo.anatomy`) and a 3-D label image whose value ``k`` marks
region ``k`` (row ``k - 1``) of that table, used to paint region scores; for
spheres it is generated on the MNI152 2 mm grid of the template shipped in
nilearn, deterministically.
"""

from __future__ import annotations

import difflib
import functools
import logging
import os
import tomllib
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import nibabel as nib
import numpy as np
import pandas as pd

from fmri_oinfo.anatomy import ANATOMY_MANIFEST, INSTALL_HINT, anatomical_names, load_anatomy_atlas
from fmri_oinfo.resources import data_folder

logger = logging.getLogger(__name__)

#: Folder of the atlas manifests (the repository's atlases/, or the installed package's copy).
MANIFEST_DIR = data_folder("atlases")

#: The offline default atlas.
DEFAULT_ATLAS = "seitzman2018"

KINDS = ("spheres", "labels", "maps")
_REQUIRED_KEYS = ("name", "title", "kind", "space", "n_regions", "licence", "citation", "source")
_REGION_COLUMNS = ["name", "network", "x", "y", "z"]


# --------------------------------------------------------------------------- manifests


@dataclass(frozen=True)
class AtlasManifest:
    """Parsed ``atlases/<name>.toml``; see the module docstring for the keys."""

    name: str
    title: str
    kind: str
    space: str
    n_regions: int
    licence: str
    citation: str
    source: dict[str, Any] = field(hash=False)
    resolution_mm: float | None = None
    radius_mm: float | None = None
    region_names: str = ""
    network_labels: str = ""
    path: Path | None = None


def read_manifest(path: str | Path) -> AtlasManifest:
    """Read and validate one atlas manifest (TOML).

    Raises
    ------
    ValueError
        Naming the file and the missing or invalid key.
    """
    path = Path(path)
    try:
        content = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise ValueError(f"{path}: cannot read the atlas manifest ({err}).") from None
    missing = [k for k in _REQUIRED_KEYS if k not in content]
    if missing:
        raise ValueError(f"{path}: the atlas manifest lacks the key(s) {missing}.")
    if content["kind"] not in KINDS:
        raise ValueError(f"{path}: kind = {content['kind']!r}; use one of {KINDS}.")
    provider = content["source"].get("provider")
    if provider not in ("nilearn", "data_dir"):
        raise ValueError(f"{path}: source.provider = {provider!r}; use 'nilearn' or 'data_dir'.")
    if content["kind"] == "spheres" and "radius_mm" not in content:
        raise ValueError(f"{path}: a spheres atlas needs radius_mm.")
    known = {f for f in AtlasManifest.__dataclass_fields__ if f != "path"}
    unknown = sorted(set(content) - known)
    if unknown:
        raise ValueError(f"{path}: unknown key(s) {unknown} in the atlas manifest; known keys: {sorted(known)}.")
    return AtlasManifest(**content, path=path)


def _manifests() -> dict[str, AtlasManifest]:
    found = {}
    for path in sorted(MANIFEST_DIR.glob("*.toml")):
        manifest = read_manifest(path)
        found[manifest.name] = manifest
    return found


def _data_dirs(atlas_dir: str | Path | None) -> list[Path]:
    if atlas_dir is not None:
        return [Path(atlas_dir)]
    dirs = [Path(p) for p in os.environ.get("NILEARN_DATA", "").split(os.pathsep) if p]
    home = Path.home() / "nilearn_data"
    if home.is_dir():
        dirs.append(home)
    return dirs


def _placed_files(manifest: AtlasManifest, atlas_dir: str | Path | None) -> tuple[Path, Path] | None:
    for folder in _data_dirs(atlas_dir):
        image, labels = folder / manifest.source["image"], folder / manifest.source["labels"]
        if image.is_file() and labels.is_file():
            return image, labels
    return None


def list_atlases(atlas_dir: str | Path | None = None) -> pd.DataFrame:
    """Atlases of the registry.

    Parameters
    ----------
    atlas_dir : str, pathlib.Path or None
        Folder holding pre-placed atlas files (see the module docstring).

    Returns
    -------
    pandas.DataFrame
        One row per atlas with columns ``name``, ``title``, ``kind``, ``space``,
        ``n_regions``, ``available`` (bool: usable now, offline), ``licence``,
        ``citation``.
    """
    rows = []
    for manifest in _manifests().values():
        available = manifest.source["provider"] == "nilearn" or _placed_files(manifest, atlas_dir) is not None
        rows.append(
            {
                "name": manifest.name,
                "title": manifest.title,
                "kind": manifest.kind,
                "space": manifest.space,
                "n_regions": manifest.n_regions,
                "available": available,
                "licence": manifest.licence,
                "citation": manifest.citation,
            }
        )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- geometry


def sphere_voxels(
    coords: np.ndarray,
    radius: float,
    affine: np.ndarray,
    shape: tuple[int, int, int],
    mask: np.ndarray | None = None,
) -> list[np.ndarray]:
    """Voxels of each sphere on a grid, as nilearn's ``NiftiSpheresMasker`` takes them.

    A voxel belongs to a sphere when its centre lies within ``radius`` mm of the
    seed; the voxel nearest to the seed always belongs too.  Voxels outside the
    grid or the mask are left out.

    Parameters
    ----------
    coords : array of shape (N, 3)
        Seeds in world (MNI) mm.
    radius : float
        Sphere radius in mm.
    affine : array of shape (4, 4)
        Voxel-to-world affine of the grid.
    shape : tuple of 3 int
        Grid shape.
    mask : bool array of shape ``shape`` or None

    Returns
    -------
    list of numpy.ndarray of int64
        Flat (C-order) voxel indices of each sphere; empty when the sphere has
        no voxel on the grid inside the mask.
    """
    inverse = np.linalg.inv(affine)
    zooms = np.sqrt((affine[:3, :3] ** 2).sum(axis=0))
    reach = np.ceil(radius / zooms).astype(int) + 1
    shape_arr = np.asarray(shape)
    seeds_vox = nib.affines.apply_affine(inverse, np.asarray(coords, dtype=float))  # (N, 3)
    out = []
    for seed, seed_vox in zip(np.asarray(coords, dtype=float), seeds_vox):
        nearest = np.round(seed_vox).astype(int)
        low = np.maximum(nearest - reach, 0)
        high = np.minimum(nearest + reach + 1, shape_arr)
        if np.any(low >= high):
            out.append(np.empty(0, dtype=np.int64))
            continue
        box = np.stack(
            np.meshgrid(*[np.arange(lo, hi) for lo, hi in zip(low, high)], indexing="ij"), axis=-1
        ).reshape(-1, 3)  # (V, 3)
        dist = np.linalg.norm(nib.affines.apply_affine(affine, box) - seed, axis=1)  # (V,)
        chosen = box[dist <= radius]
        if np.all((nearest >= 0) & (nearest < shape_arr)):
            chosen = np.unique(np.vstack([chosen, nearest[None, :]]), axis=0)
        if mask is not None and len(chosen):
            chosen = chosen[mask[tuple(chosen.T)]]
        out.append(np.ravel_multi_index(tuple(chosen.T), shape).astype(np.int64) if len(chosen) else np.empty(0, np.int64))
    return out


def mni_grid(resolution_mm: float = 2.0) -> tuple[np.ndarray, tuple[int, int, int]]:
    """Affine and shape of the MNI152 template shipped in nilearn at ``resolution_mm``.

    Other resolutions keep the template's origin and extent.
    """
    affine, shape = _mni_grid(float(resolution_mm))
    return affine.copy(), shape


@functools.lru_cache(maxsize=4)
def _mni_grid(resolution_mm: float) -> tuple[np.ndarray, tuple[int, int, int]]:
    from nilearn.datasets import load_mni152_template

    template = load_mni152_template(resolution=2)
    if resolution_mm == 2.0:
        return template.affine, tuple(template.shape[:3])
    extent = np.asarray(template.shape[:3]) * 2.0
    shape = tuple(int(n) for n in np.ceil(extent / resolution_mm))
    affine = np.diag([resolution_mm, resolution_mm, resolution_mm, 1.0])
    affine[:3, 3] = template.affine[:3, 3]
    return affine, shape


def spheres_label_image(coords: np.ndarray, radius: float, resolution_mm: float = 2.0) -> nib.Nifti1Image:
    """Label image of spheres on the MNI152 grid: value ``k`` marks sphere ``k - 1``.

    A voxel in several spheres goes to the nearest seed, so the image is
    reproducible and every sphere keeps its nearest voxel where possible.
    """
    affine, shape = mni_grid(resolution_mm)
    coords = np.asarray(coords, dtype=float)
    labels = np.zeros(int(np.prod(shape)), dtype=np.int16)
    best = np.full(labels.shape, np.inf)
    for k, voxels in enumerate(sphere_voxels(coords, radius, affine, shape), start=1):
        if not len(voxels):
            continue
        world = nib.affines.apply_affine(affine, np.stack(np.unravel_index(voxels, shape), axis=1))
        dist = np.linalg.norm(world - coords[k - 1], axis=1)
        closer = dist < best[voxels]
        labels[voxels[closer]] = k
        best[voxels[closer]] = dist[closer]
    image = nib.Nifti1Image(labels.reshape(shape), affine)
    image.header.set_xyzt_units("mm")
    return image


def _label_centroids(data: np.ndarray, affine: np.ndarray, values: np.ndarray) -> np.ndarray:
    coords = np.full((len(values), 3), np.nan)
    for i, value in enumerate(values):
        vox = np.argwhere(data == value)
        if len(vox):
            coords[i] = nib.affines.apply_affine(affine, vox).mean(axis=0)
    return coords


def _map_centroids(image: nib.Nifti1Image) -> np.ndarray:
    data = np.asanyarray(image.dataobj)
    grid = np.stack(np.meshgrid(*[np.arange(n) for n in data.shape[:3]], indexing="ij"), axis=-1).reshape(-1, 3)
    world = nib.affines.apply_affine(image.affine, grid)  # (V, 3)
    weights = np.clip(data.reshape(-1, data.shape[3]), 0, None)  # (V, K)
    total = weights.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (weights.T @ world) / total[:, None]  # (K, 3)


# --------------------------------------------------------------------------- atlas


@dataclass(frozen=True, eq=False)
class Atlas:
    """A loaded atlas, ready to build a nilearn masker.

    Attributes
    ----------
    name : str
    kind : {"spheres", "labels", "maps"}
    space : str
        Template space, e.g. ``"MNI152"`` or ``"MNI152NLin6Asym"``.
    regions : pandas.DataFrame
        Region table: ``name``, ``network``, ``x``, ``y``, ``z`` (MNI mm),
        ``anatomy`` (the Desikan-Killiany name of the centre, e.g. ``"left
        precentral gyrus"``) and ``anatomy_distance_mm``
        (:func:`with_anatomy`).  Without the optional lookup installed, only
        atlases that ship a coarse class have ``anatomy`` (Seitzman 2018:
        ``"left cortex"``; Dosenbach 2010: ``"left cerebellum"``).
    image : nibabel.Nifti1Image or None
        Labels atlases: 3-D image whose value ``k`` marks region row ``k - 1``;
        maps atlases: 4-D image, volume ``k`` is region row ``k``; spheres: None.
    radius_mm : float or None
        Sphere radius (spheres atlases).
    resolution_mm : float or None
    licence, citation, source : str
    """

    name: str
    kind: str
    space: str
    regions: pd.DataFrame = field(repr=False)
    image: nib.Nifti1Image | None = field(default=None, repr=False)
    radius_mm: float | None = None
    resolution_mm: float | None = None
    licence: str = ""
    citation: str = ""
    source: str = ""

    @property
    def coords(self) -> np.ndarray:
        """Region centres, array of shape (N, 3) in MNI mm."""
        return self.regions[["x", "y", "z"]].to_numpy(dtype=float)

    @property
    def n_regions(self) -> int:
        """Number of regions."""
        return len(self.regions)

    def subset(self, names: list[str]) -> Atlas:
        """The same atlas restricted to ``names`` (in the atlas's order)."""
        keep = np.flatnonzero(self.regions["name"].isin(set(names)).to_numpy())
        regions = self.regions.iloc[keep].reset_index(drop=True)
        image = self.image
        if self.kind == "labels":
            data = np.asanyarray(self.image.dataobj)
            relabel = np.zeros(self.n_regions + 1, dtype=np.int32)
            relabel[keep + 1] = np.arange(1, len(keep) + 1)
            image = nib.Nifti1Image(relabel[data.astype(np.int64)], self.image.affine)
        elif self.kind == "maps":
            image = nib.Nifti1Image(np.asanyarray(self.image.dataobj)[..., keep], self.image.affine)
        return Atlas(
            self.name, self.kind, self.space, regions, image, self.radius_mm, self.resolution_mm,
            self.licence, self.citation, self.source,
        )

    def make_masker(
        self,
        mask_img: Any = None,
        t_r: float | None = None,
        high_pass: float | None = None,
        low_pass: float | None = None,
        detrend: bool = False,
        standardize: str | None = None,
        smoothing_fwhm: float | None = None,
    ):
        """A nilearn masker for this atlas, ready for ``fit_transform``.

        Parameters
        ----------
        mask_img : niimg-like or None
            Brain mask of the data.
        t_r : float or None
            Repetition time in seconds (needed for filtering).
        high_pass, low_pass : float or None
            Band-pass cut-offs in Hz.
        detrend : bool
        standardize : str or None
            Passed to nilearn (e.g. ``"zscore_sample"``; None for none).
        smoothing_fwhm : float or None

        Returns
        -------
        NiftiSpheresMasker, NiftiLabelsMasker or NiftiMapsMasker
            Its output columns follow the rows of :attr:`regions`.
        """
        from nilearn.maskers import NiftiLabelsMasker, NiftiMapsMasker, NiftiSpheresMasker

        common = dict(
            mask_img=mask_img, t_r=t_r, high_pass=high_pass, low_pass=low_pass, detrend=detrend,
            standardize=standardize, smoothing_fwhm=smoothing_fwhm, memory=None, verbose=0, reports=False,
        )
        if self.kind == "spheres":
            seeds = [tuple(c) for c in self.coords]
            return NiftiSpheresMasker(seeds=seeds, radius=self.radius_mm, allow_overlap=True, **common)
        if self.kind == "labels":
            return NiftiLabelsMasker(labels_img=self.image, resampling_target="data", strategy="mean", **common)
        return NiftiMapsMasker(maps_img=self.image, resampling_target="data", allow_overlap=True, **common)

    def label_image(self) -> nib.Nifti1Image:
        """3-D label image in MNI space: value ``k`` marks region row ``k - 1``.

        Spheres are drawn on the MNI152 2 mm grid (see
        :func:`spheres_label_image`); maps are turned into labels by taking,
        in each voxel, the map with the largest positive weight.
        """
        if self.kind == "spheres":
            return spheres_label_image(self.coords, self.radius_mm, self.resolution_mm or 2.0)
        if self.kind == "labels":
            return self.image
        data = np.asanyarray(self.image.dataobj)  # (x, y, z, K)
        labels = (np.argmax(data, axis=3) + 1) * (data.max(axis=3) > 0)
        return nib.Nifti1Image(labels.astype(np.int16), self.image.affine)


# --------------------------------------------------------------------------- loaders


def _nilearn_spheres(manifest: AtlasManifest) -> pd.DataFrame:
    from nilearn import datasets

    coarse = None
    if manifest.source["function"] == "fetch_coords_seitzman_2018":
        bunch = datasets.fetch_coords_seitzman_2018(ordered_regions=True)
        names = [f"{net}_{int(i) + 1:03d}" for net, i in zip(bunch.networks, bunch.rois.index)]
        networks = list(bunch.networks)
        xyz = bunch.rois[["x", "y", "z"]].to_numpy(dtype=float)
        coarse = [_seitzman_anatomy(str(kind), x) for kind, x in zip(bunch.regions, xyz[:, 0])]
    elif manifest.source["function"] == "fetch_coords_power_2011":
        bunch = datasets.fetch_coords_power_2011()
        names = [f"Power_{int(i):03d}" for i in bunch.rois["roi"]]
        networks = [""] * len(names)
        xyz = bunch.rois[["x", "y", "z"]].to_numpy(dtype=float)
    elif manifest.source["function"] == "fetch_coords_dosenbach_2010":
        bunch = datasets.fetch_coords_dosenbach_2010(ordered_regions=True)
        names = [str(n) for n in bunch.labels]
        networks = [str(n) for n in bunch.networks]
        xyz = bunch.rois[["x", "y", "z"]].to_numpy(dtype=float)
        coarse = [f"{hemisphere(x)} cerebellum" if net == "cerebellum" else "" for net, x in zip(networks, xyz[:, 0])]
    else:
        raise ValueError(f"{manifest.path}: unknown nilearn function {manifest.source['function']!r}.")
    table = pd.DataFrame({"name": names, "network": networks, "x": xyz[:, 0], "y": xyz[:, 1], "z": xyz[:, 2]})
    return with_anatomy(table, coarse)


def with_anatomy(regions: pd.DataFrame, coarse: list[str] | None = None,
                 manifest: str | Path = ANATOMY_MANIFEST, space: str = "MNI152") -> pd.DataFrame:
    """The region table with ``anatomy`` and ``anatomy_distance_mm`` from each centre (:mod:`fmri_oinfo.anatomy`).

    Parameters
    ----------
    regions : pandas.DataFrame
        Region table with ``x``, ``y``, ``z`` (MNI mm).
    coarse : list of str or None
        The atlas's own coarse class per region (``""`` where it has none).
    manifest : str or pathlib.Path
        The lookup's manifest (``atlases/anatomy/desikan-killiany.toml``).
    space : str
        The atlas's space: coordinates outside an MNI space (e.g. a
        ``space-T1w`` image) are not named, the DK volume being in MNI.

    Returns
    -------
    pandas.DataFrame
        A copy with the two columns.  When the lookup is not installed, a
        warning says how to install it and the columns are added only from
        a complete ``coarse`` (the table is returned unchanged otherwise, and
        the report names each region's hemisphere from ``x``).
    """
    if not space.upper().startswith("MNI"):
        return regions
    lookup = load_anatomy_atlas(manifest=manifest)
    if lookup is None:
        warnings.warn(INSTALL_HINT + ".", UserWarning, stacklevel=3)
        if coarse is None or not all(coarse):
            return regions
    names = anatomical_names(regions[["x", "y", "z"]].to_numpy(dtype=float), coarse, lookup)
    return pd.concat([regions.reset_index(drop=True), names], axis=1)


def hemisphere(x: float) -> str:
    """``"left"``, ``"right"`` or ``"midline"`` (|x| < 2 mm) from an MNI x coordinate in mm."""
    return "midline" if abs(x) < 2.0 else ("left" if x < 0 else "right")


#: Seitzman 2018's anatomical classes (shipped with nilearn) in words.
_SEITZMAN_CLASSES = {"cortexL": "cortex", "cortexR": "cortex", "cortexMid": "cortex", "hippocampus": "hippocampus",
                     "amygdala": "amygdala", "basalGanglia": "basal ganglia", "thalamus": "thalamus",
                     "cerebellum": "cerebellum"}


def _seitzman_anatomy(kind: str, x: float) -> str:
    """E.g. ``"left cortex"``, ``"right thalamus"``: the atlas's class with the hemisphere of ``x``."""
    side = {"cortexL": "left", "cortexR": "right", "cortexMid": "midline"}.get(kind, hemisphere(x))
    return f"{side} {_SEITZMAN_CLASSES.get(kind, kind)}"


def _read_label_names(path: Path, labels_format: str) -> pd.DataFrame:
    """Table of ``index`` (image value or map number), ``name``, ``network``."""
    if labels_format == "schaefer_lut":
        lut = pd.read_csv(path, sep="\t", header=None, names=["index", "name", "r", "g", "b", "fs"])
        network = lut["name"].str.split("_").str[2].fillna("")
        return pd.DataFrame({"index": lut["index"].astype(int), "name": lut["name"].astype(str), "network": network})
    if labels_format == "fsl_xml":
        labels = ElementTree.parse(path).findall(".//label")
        return pd.DataFrame(
            {
                "index": [int(lab.get("index")) + 1 for lab in labels],
                "name": [lab.text.strip() for lab in labels],
                "network": [""] * len(labels),
            }
        )
    if labels_format == "difumo_csv":
        table = pd.read_csv(path)
        table.columns = [c.lower() for c in table.columns]
        network = table["yeo_networks7"].fillna("").astype(str) if "yeo_networks7" in table else ""
        return pd.DataFrame({"index": table["component"].astype(int), "name": table["difumo_names"].astype(str), "network": network})
    if labels_format == "tsv":
        table = pd.read_csv(path, sep="\t", dtype={"name": str, "network": str})
        missing = [c for c in ("index", "name") if c not in table.columns]
        if missing:
            raise ValueError(f"{path} has columns {list(table.columns)}; an atlas labels TSV needs index and name (and network).")
        network = table["network"].fillna("").astype(str) if "network" in table else [""] * len(table)
        return pd.DataFrame({"index": table["index"].astype(int), "name": table["name"].astype(str), "network": network})
    raise ValueError(f"unknown labels_format {labels_format!r} for {path}.")


def _labels_atlas(name: str, space: str, image_path: Path, table: pd.DataFrame, **info: Any) -> Atlas:
    image = nib.load(str(image_path))
    data = np.asanyarray(image.dataobj)
    if data.ndim == 4 and data.shape[3] == 1:
        data = data[..., 0]
    values = np.unique(data[data != 0]).astype(np.int64)
    if not np.allclose(values, np.unique(data[data != 0])):
        raise ValueError(f"{image_path} holds non-integer values; a labels atlas needs integer labels (use a 4-D maps image for probabilities).")
    named = table.set_index("index")
    table = pd.DataFrame(
        {
            "index": values,
            "name": [str(named.at[v, "name"]) if v in named.index else f"region_{v}" for v in values],
            "network": [str(named.at[v, "network"]) if v in named.index else "" for v in values],
        }
    )
    unnamed = [int(v) for v in values if v not in named.index]
    if unnamed and len(named):
        warnings.warn(f"{image_path}: labels {unnamed[:10]} have no name in the labels table; named region_<label>.", UserWarning, stacklevel=3)
    if table["name"].duplicated().any():
        dup = table.loc[table["name"].duplicated(), "name"].tolist()
        raise ValueError(f"{image_path}: duplicate region names {dup[:5]} in the labels table; names must be unique.")
    relabel = np.zeros(int(values.max()) + 1, dtype=np.int32)
    relabel[values] = np.arange(1, len(values) + 1)
    relabelled = nib.Nifti1Image(relabel[data.astype(np.int64)], image.affine)
    xyz = _label_centroids(np.asanyarray(relabelled.dataobj), image.affine, np.arange(1, len(values) + 1))
    regions = pd.DataFrame({"name": table["name"], "network": table["network"], "x": xyz[:, 0], "y": xyz[:, 1], "z": xyz[:, 2]})
    return Atlas(name, "labels", space, with_anatomy(regions, space=space), relabelled, **info)


def _maps_atlas(name: str, space: str, image_path: Path, table: pd.DataFrame | None, **info: Any) -> Atlas:
    image = nib.load(str(image_path))
    n_maps = image.shape[3]
    if table is None:
        table = pd.DataFrame({"index": np.arange(1, n_maps + 1), "name": [f"map_{k:03d}" for k in range(1, n_maps + 1)], "network": ""})
    table = table.sort_values("index")
    if list(table["index"]) != list(range(1, n_maps + 1)):
        raise ValueError(f"{image_path} has {n_maps} maps but its labels table lists indices {list(table['index'])[:10]}...; number them 1..{n_maps}.")
    xyz = _map_centroids(image)
    regions = pd.DataFrame({"name": table["name"].to_numpy(), "network": table["network"].to_numpy(), "x": xyz[:, 0], "y": xyz[:, 1], "z": xyz[:, 2]})
    return Atlas(name, "maps", space, with_anatomy(regions, space=space), image, **info)


def _from_manifest(manifest: AtlasManifest, atlas_dir: str | Path | None) -> Atlas:
    info = dict(resolution_mm=manifest.resolution_mm, licence=manifest.licence, citation=manifest.citation)
    if manifest.source["provider"] == "nilearn":
        regions = _nilearn_spheres(manifest)
        return Atlas(manifest.name, "spheres", manifest.space, regions, None, radius_mm=manifest.radius_mm,
                     source=f"nilearn.datasets.{manifest.source['function']} (shipped)", **info)
    placed = _placed_files(manifest, atlas_dir)
    if placed is None:
        dirs = _data_dirs(atlas_dir)
        where = dirs[0] if dirs else Path("<atlas_dir>")
        searched = ", ".join(str(d) for d in dirs) or "no folder (atlas_dir not given and NILEARN_DATA unset)"
        raise FileNotFoundError(
            f"atlas {manifest.name!r} is not on this machine and is never downloaded at run time. "
            f"Put these files in place:\n  {where / manifest.source['image']}\n  {where / manifest.source['labels']}\n"
            f"(get them from {manifest.source.get('url', 'the atlas authors')}), then pass atlas_dir={str(where)!r} "
            f"or set NILEARN_DATA. Searched: {searched}."
        )
    image_path, labels_path = placed
    table = _read_label_names(labels_path, manifest.source["labels_format"])
    info["source"] = str(image_path)
    if manifest.kind == "maps":
        return _maps_atlas(manifest.name, manifest.space, image_path, table, **info)
    return _labels_atlas(manifest.name, manifest.space, image_path, table, **info)


def _user_atlas(path: Path) -> Atlas:
    from fmri_oinfo.inputs.entities import parse_entities, strip_extension

    try:
        image = nib.load(str(path))
    except Exception as err:  # nibabel raises many types for broken files
        raise ValueError(f"atlas {path}: cannot read the image ({type(err).__name__}: {err}).") from None
    stem = strip_extension(path)
    tsv = next((p for p in (path.with_name(f"{stem}.tsv"), path.with_name(f"{stem}_labels.tsv")) if p.is_file()), None)
    table = _read_label_names(tsv, "tsv") if tsv is not None else None
    space = parse_entities(path)[0].get("space", "MNI152")
    info = dict(resolution_mm=float(image.header.get_zooms()[0]), source=str(path))
    if len(image.shape) == 4 and image.shape[3] > 1:
        return _maps_atlas(stem, space, path, table, **info)
    if len(image.shape) not in (3, 4):
        raise ValueError(f"atlas {path} is {len(image.shape)}-D; give a 3-D labels image or a 4-D maps image.")
    if table is None:
        warnings.warn(
            f"atlas {path}: no {stem}.tsv (columns index, name, network) next to it; regions are named region_<label>.",
            UserWarning,
            stacklevel=3,
        )
        table = pd.DataFrame({"index": [], "name": [], "network": []})
    return _labels_atlas(stem, space, path, table, **info)


def load_atlas(name_or_path: str | Path = DEFAULT_ATLAS, atlas_dir: str | Path | None = None) -> Atlas:
    """Load an atlas by registry name, manifest path or image path, offline.

    Parameters
    ----------
    name_or_path : str or pathlib.Path, default="seitzman2018"
        A name from :func:`list_atlases`; a ``.toml`` manifest; a 3-D labels
        NIfTI (with ``<stem>.tsv`` of ``index``/``name``/``network``); or a 4-D
        maps NIfTI.
    atlas_dir : str, pathlib.Path or None
        Folder with pre-placed files of ``data_dir`` atlases (else
        ``$NILEARN_DATA``).  Nothing is downloaded and no folder is created.

    Returns
    -------
    Atlas

    Raises
    ------
    ValueError
        For an unknown name (with close matches) or a broken file.
    FileNotFoundError
        When the files of a ``data_dir`` atlas are missing (the message lists
        which files to put where).
    """
    text = str(name_or_path)
    path = Path(text)
    if text.endswith(".toml"):
        return _from_manifest(read_manifest(path), atlas_dir)
    if text.endswith((".nii", ".nii.gz")):
        if not path.is_file():
            raise FileNotFoundError(f"atlas image {path} does not exist.")
        return _user_atlas(path)
    manifests = _manifests()
    if text not in manifests:
        near = difflib.get_close_matches(text, list(manifests), n=3)
        raise ValueError(
            f"unknown atlas {text!r}; known atlases: {sorted(manifests)}"
            f"{f' (close: {near})' if near else ''}, or give the path of a labels/maps NIfTI."
        )
    return _from_manifest(manifests[text], atlas_dir)
