"""Validate runs once, at the boundary, before anything is computed or written.

Every error names the file, what was found and the fix.  Checks: readable and
complete files, 4-D images with enough volumes, finite voxels (inside the mask
when there is one), equal grids across runs and with the mask, confounds rows
matching volumes, and an image that covers the atlas's regions.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence
from pathlib import Path

import nibabel as nib
import numpy as np
import pandas as pd

from fmri_oinfo.inputs.runs import Run

logger = logging.getLogger(__name__)

#: Fewest volumes per run accepted by default.
DEFAULT_MIN_VOLUMES = 50

#: Fraction of atlas regions that must lie inside the image's field of view.
MIN_ATLAS_COVERAGE = 0.5

#: Absolute tolerance (mm) when comparing affines.
AFFINE_TOLERANCE = 1e-3


def _load_image(path: Path) -> nib.Nifti1Image:
    try:
        return nib.load(str(path))
    except FileNotFoundError:
        raise FileNotFoundError(f"{path} does not exist; check the path.") from None
    except Exception as err:  # nibabel raises many types for broken files
        raise ValueError(
            f"{path}: cannot read the image ({type(err).__name__}: {err}); the file is unreadable or not NIfTI. "
            "Copy it again or regenerate it."
        ) from None


def _read_voxels(path: Path, image: nib.Nifti1Image) -> np.ndarray:
    try:
        return np.asanyarray(image.dataobj)
    except Exception as err:  # EOFError, zlib.error, ValueError for truncated files
        raise ValueError(
            f"{path}: cannot read the voxel data ({type(err).__name__}: {err}); the file is truncated or "
            "corrupt. Copy it again or regenerate it."
        ) from None


def _check_4d(run: Run, image: nib.Nifti1Image, min_volumes: int) -> int:
    shape = image.shape
    if len(shape) != 4:
        raise ValueError(
            f"{run.bold} is {len(shape)}-D {tuple(shape)}; a 4-D image (x, y, z, time) with at least "
            f"{min_volumes} volumes is needed."
        )
    if shape[3] < min_volumes:
        raise ValueError(
            f"{run.bold} has {shape[3]} volumes; the analysis needs at least {min_volumes}. "
            "Use a longer run, concatenate runs, or lower min_volumes."
        )
    return int(shape[3])


def _check_finite(run: Run, data: np.ndarray, mask: np.ndarray | None) -> None:
    if not np.issubdtype(data.dtype, np.floating):
        return
    bad = ~np.isfinite(data).all(axis=3)  # (x, y, z)
    if mask is not None:
        bad &= mask
    n_bad = int(bad.sum())
    if n_bad:
        where = "inside the brain mask" if mask is not None else "in the image"
        raise ValueError(
            f"{run.bold} has {n_bad} voxels with NaN/inf values {where}; replace them "
            "(e.g. nilearn.image.math_img('np.nan_to_num(img)', img=...)) or give a mask that excludes them."
        )


def _check_signal(run: Run, data: np.ndarray, mask: np.ndarray | None) -> None:
    """Refuse an image without signal: every voxel (in the mask) constant over time, e.g. all zero."""
    first = data[..., :1]  # (x, y, z, 1)
    varies = (data != first).any(axis=3)  # (x, y, z)
    if mask is not None:
        varies &= mask
    if not varies.any():
        value = float(first.flat[0]) if first.size else 0.0
        what = "all zero" if value == 0 and not np.any(first) else "constant over time in every voxel"
        raise ValueError(
            f"{run.bold} is {what}{' inside the brain mask' if mask is not None else ''}: it holds no fMRI signal. "
            "Check that the right file was given (a preprocessed BOLD series) and that it was written completely."
        )


def _same_grid(a: nib.Nifti1Image, b: nib.Nifti1Image) -> bool:
    return tuple(a.shape[:3]) == tuple(b.shape[:3]) and np.allclose(a.affine, b.affine, atol=AFFINE_TOLERANCE)


def _load_mask(run: Run, image: nib.Nifti1Image) -> np.ndarray | None:
    if run.mask is None:
        return None
    mask_img = _load_image(run.mask)
    if len(mask_img.shape) != 3:
        raise ValueError(f"{run.mask} is {len(mask_img.shape)}-D {tuple(mask_img.shape)}; a brain mask must be 3-D.")
    if not _same_grid(mask_img, image):
        raise ValueError(
            f"{run.mask} (shape {tuple(mask_img.shape)}) is not on the grid of {run.bold} "
            f"(shape {tuple(image.shape[:3])}) or has another affine; use the mask made for this run, "
            "or resample it with nilearn.image.resample_to_img(mask, bold, interpolation='nearest')."
        )
    mask = np.asanyarray(_read_voxels(run.mask, mask_img)) != 0
    if not mask.any():
        raise ValueError(f"{run.mask} is empty (no non-zero voxel); give the brain mask of {run.bold.name}.")
    return mask


def _check_confounds(run: Run, n_volumes: int) -> None:
    if run.confounds is None:
        return
    try:
        table = pd.read_csv(run.confounds, sep="\t")
    except Exception as err:  # pandas raises several types for bad tables
        raise ValueError(
            f"{run.confounds}: cannot read the confounds table ({type(err).__name__}: {err}); "
            "it must be fMRIPrep's tab-separated *_desc-confounds_timeseries.tsv."
        ) from None
    if table.shape[1] == 1 and "," in str(table.columns[0]):
        raise ValueError(
            f"{run.confounds} is comma-separated; fMRIPrep's confounds tables are tab-separated. "
            "Save it with tabs between columns (pandas: to_csv(path, sep='\\t'))."
        )
    if len(table) != n_volumes:
        raise ValueError(
            f"{run.confounds} has {len(table)} rows but {run.bold.name} has {n_volumes} volumes; "
            "the confounds must come from the same run (one row per volume)."
        )
    for column in table.columns:
        values = pd.to_numeric(table[column], errors="coerce")
        text = table[column].notna() & values.isna()
        if text.any():
            row = int(np.flatnonzero(text.to_numpy())[0])
            raise ValueError(
                f"{run.confounds}: column {column!r} holds {table[column].iloc[row]!r} in row {row + 1} "
                "(not a number); confounds must be numbers, with n/a only in the first row of derivative columns."
            )
        missing = np.array(values.isna(), dtype=bool)
        missing[:1] = False  # fMRIPrep leaves the first row of derivatives and framewise displacement empty
        if missing.any():
            row = int(np.flatnonzero(missing)[0])
            raise ValueError(
                f"{run.confounds}: column {column!r} is empty (n/a or NaN) in row {row + 1}; only the first row of "
                "a derivative column may be empty. Regenerate the confounds or fill the gap."
            )


def _space_family(space: str) -> str:
    return "MNI152" if space.upper().startswith("MNI") else space


def _check_space(run: Run, image: nib.Nifti1Image, atlas_space: str | None, atlas_coords: np.ndarray | None) -> None:
    if atlas_space and run.space and _space_family(run.space) != _space_family(atlas_space):
        warnings.warn(
            f"{run.bold.name} is in space-{run.space} but the atlas is in {atlas_space}; "
            "region time series will be wrong unless the image is in the atlas space "
            "(choose another space with space=, or an atlas in this space).",
            UserWarning,
            stacklevel=3,
        )
    if atlas_coords is None or len(atlas_coords) == 0:
        return
    corners = np.array(np.meshgrid(*[[0, n - 1] for n in image.shape[:3]], indexing="ij")).reshape(3, -1).T
    world = nib.affines.apply_affine(image.affine, corners)  # (8, 3)
    low, high = world.min(axis=0), world.max(axis=0)
    inside = np.all((atlas_coords >= low) & (atlas_coords <= high), axis=1).mean()
    if inside < MIN_ATLAS_COVERAGE:
        box = ", ".join(f"{a} in [{lo:.0f}, {hi:.0f}]" for a, lo, hi in zip("xyz", low, high))
        raise ValueError(
            f"{run.bold} covers {box} mm, which holds only {inside:.0%} of the atlas regions "
            f"({atlas_space or 'atlas'} coordinates); the image is not in the atlas space. "
            "Use images normalised to MNI (e.g. fMRIPrep --output-spaces MNI152NLin2009cAsym) or an atlas "
            "in the image's space."
        )


def check_runs(
    runs: Sequence[Run],
    min_volumes: int = DEFAULT_MIN_VOLUMES,
    atlas_space: str | None = None,
    atlas_coords: np.ndarray | None = None,
) -> list[int]:
    """Validate runs of one subject before extraction.

    Parameters
    ----------
    runs : sequence of Run
        From :func:`fmri_oinfo.inputs.find_runs`.
    min_volumes : int, default=50
        Fewest volumes a run must have.
    atlas_space : str or None
        Space of the atlas; a run whose ``space-`` entity names another
        template family triggers a warning.
    atlas_coords : array of shape (N, 3) or None
        Region centres (mm) of the atlas; an image whose field of view holds
        fewer than half of them is refused as being in another space.

    Returns
    -------
    list of int
        Number of volumes of each run.

    Raises
    ------
    ValueError, FileNotFoundError
        With the file, what was found and the fix.
    """
    if not runs:
        raise ValueError("runs is empty; find them with fmri_oinfo.inputs.find_runs(subject_dir).")
    reference: tuple[Run, nib.Nifti1Image] | None = None
    volumes = []
    for run in runs:
        image = _load_image(run.bold)
        n_volumes = _check_4d(run, image, min_volumes)
        if reference is not None and not _same_grid(image, reference[1]):
            first, first_img = reference
            raise ValueError(
                f"{run.bold} (shape {tuple(image.shape[:3])}) and {first.bold} (shape {tuple(first_img.shape[:3])}) "
                "differ in shape or affine; runs of one subject must share a grid. Resample them to one grid "
                "or analyse them separately."
            )
        reference = reference or (run, image)
        mask = _load_mask(run, image)
        voxels = _read_voxels(run.bold, image)
        _check_finite(run, voxels, mask)
        _check_signal(run, voxels, mask)
        _check_confounds(run, n_volumes)
        _check_space(run, image, atlas_space, atlas_coords)
        volumes.append(n_volumes)
    return volumes
