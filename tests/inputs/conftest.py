"""Builders of small NIfTI files and BIDS/fMRIPrep trees for the input tests."""

from __future__ import annotations

import json
from pathlib import Path

import nibabel as nib
import numpy as np
import pandas as pd
import pytest

#: A coarse MNI grid (6 mm) that covers the brain: the atlas regions fall inside it.
MNI_6MM = np.array([[6.0, 0, 0, -98.0], [0, 6.0, 0, -134.0], [0, 0, 6.0, -72.0], [0, 0, 0, 1]])
SHAPE_6MM = (33, 39, 32)


def write_bold(path: Path, n_volumes: int = 60, t_r: float | None = 2.0, shape=SHAPE_6MM, affine=MNI_6MM,
               seed: int = 0, time_unit: str = "sec") -> Path:
    """A random 4-D image with TR ``t_r`` in its header (None: no TR)."""
    rng = np.random.default_rng(seed)
    data = (100 + rng.standard_normal((*shape, n_volumes))).astype(np.float32)
    image = nib.Nifti1Image(data, affine)
    image.header.set_xyzt_units("mm", time_unit)
    image.header["pixdim"][4] = 0.0 if t_r is None else t_r
    path.parent.mkdir(parents=True, exist_ok=True)
    nib.save(image, path)
    return path


def write_mask(path: Path, shape=SHAPE_6MM, affine=MNI_6MM) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    nib.save(nib.Nifti1Image(np.ones(shape, dtype=np.uint8), affine), path)
    return path


def write_confounds(path: Path, n_rows: int, seed: int = 0) -> Path:
    """A small fMRIPrep-like confounds table (motion, WM, CSF, FD) and its JSON."""
    rng = np.random.default_rng(seed)
    columns = {name: rng.standard_normal(n_rows) * 0.1 for name in
               ("trans_x", "trans_y", "trans_z", "rot_x", "rot_y", "rot_z", "white_matter", "csf")}
    columns["framewise_displacement"] = np.abs(rng.standard_normal(n_rows)) * 0.1
    pd.DataFrame(columns).to_csv(path, sep="\t", index=False)
    path.with_suffix(".json").write_text(json.dumps({"white_matter": {"Method": "Mean"}}))
    return path


@pytest.fixture
def fmriprep_subject(tmp_path: Path) -> Path:
    """sub-01 with one rest run in two spaces (MNI and T1w), confounds and masks."""
    func = tmp_path / "derivatives" / "sub-01" / "func"
    for space in ("MNI152NLin2009cAsym", "T1w"):
        stem = f"sub-01_task-rest_run-1_space-{space}"
        write_bold(func / f"{stem}_desc-preproc_bold.nii.gz")
        (func / f"{stem}_desc-preproc_bold.json").write_text(json.dumps({"RepetitionTime": 2.0}))
        write_mask(func / f"{stem}_desc-brain_mask.nii.gz")
    write_confounds(func / "sub-01_task-rest_run-1_desc-confounds_timeseries.tsv", 60)
    return tmp_path / "derivatives" / "sub-01"


@pytest.fixture
def bids_subject(tmp_path: Path) -> Path:
    """Raw BIDS sub-01: two sessions, tasks rest (two runs) and motor; TR in an inherited sidecar."""
    root = tmp_path / "bids"
    root.mkdir()
    (root / "dataset_description.json").write_text(json.dumps({"Name": "t", "BIDSVersion": "1.8.0"}))
    (root / "task-rest_bold.json").write_text(json.dumps({"RepetitionTime": 2.0}))
    for ses in ("1", "2"):
        func = root / "sub-01" / f"ses-{ses}" / "func"
        for run in ("01", "02"):
            write_bold(func / f"sub-01_ses-{ses}_task-rest_run-{run}_bold.nii.gz", n_volumes=20, shape=(6, 6, 6))
        write_bold(func / f"sub-01_ses-{ses}_task-motor_bold.nii.gz", n_volumes=20, t_r=1.5, shape=(6, 6, 6))
        (func / f"sub-01_ses-{ses}_task-motor_bold.json").write_text(json.dumps({"RepetitionTime": 1.5}))
    return root / "sub-01"


@pytest.fixture(name="write_bold")
def _write_bold_fixture():
    return write_bold


@pytest.fixture(name="write_mask")
def _write_mask_fixture():
    return write_mask


@pytest.fixture(name="write_confounds")
def _write_confounds_fixture():
    return write_confounds
