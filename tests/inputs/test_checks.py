"""Bad inputs: each error names the file and the fix, and nothing is written."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import nibabel as nib
import numpy as np
import pytest

from fmri_oinfo.extract import extract_timeseries
from fmri_oinfo.inputs import check_runs, find_runs

MNI_6MM = np.array([[6.0, 0, 0, -98.0], [0, 6.0, 0, -134.0], [0, 0, 6.0, -72.0], [0, 0, 0, 1]])
SHAPE_6MM = (33, 39, 32)  # the default grid of the write_bold fixture


def _extract_refused(runs, tmp_path: Path, match: str, exc=ValueError, **options) -> None:
    """Extraction must fail with ``match`` and leave the output folder untouched."""
    out = tmp_path / "out"
    with pytest.raises(exc, match=match):
        extract_timeseries(runs, confounds=None, output=out / "ts.tsv", **options)
    assert not out.exists()


def test_not_4d(tmp_path: Path, write_bold) -> None:
    nib.save(nib.Nifti1Image(np.ones(SHAPE_6MM, np.float32), MNI_6MM), tmp_path / "anat.nii.gz")
    runs = find_runs(tmp_path, t_r=2.0)
    _extract_refused(runs, tmp_path, r"anat.nii.gz is 3-D \(33, 39, 32\); a 4-D image .* at least 50 volumes")


def test_too_few_volumes(tmp_path: Path, write_bold) -> None:
    write_bold(tmp_path / "short.nii.gz", n_volumes=20)
    _extract_refused(find_runs(tmp_path), tmp_path, r"short.nii.gz has 20 volumes; the analysis needs at least 50")


def test_nan_voxels(tmp_path: Path, write_bold) -> None:
    path = write_bold(tmp_path / "nan.nii.gz", n_volumes=30)
    image = nib.load(path)
    data = image.get_fdata(dtype=np.float32)
    data[10, 10, 10, 3] = np.nan
    data[11, 10, 10, :] = np.inf
    nib.save(nib.Nifti1Image(data, image.affine, image.header), path)
    _extract_refused(find_runs(tmp_path), tmp_path, r"nan.nii.gz has 2 voxels with NaN/inf values in the image; replace",
                     min_volumes=20)


def test_affine_mismatch_between_runs(tmp_path: Path, write_bold) -> None:
    write_bold(tmp_path / "run1.nii.gz", n_volumes=30)
    shifted = MNI_6MM.copy()
    shifted[0, 3] += 3.0
    write_bold(tmp_path / "run2.nii.gz", n_volumes=30, affine=shifted)
    _extract_refused(find_runs(tmp_path), tmp_path, r"run2.nii.gz .* and .*run1.nii.gz .* differ in shape or affine",
                     min_volumes=20)


def test_mask_mismatch(tmp_path: Path, write_bold, write_mask) -> None:
    write_bold(tmp_path / "run1.nii.gz", n_volumes=30)
    write_mask(tmp_path / "brain_mask.nii.gz", shape=(20, 20, 20))
    _extract_refused(find_runs(tmp_path), tmp_path,
                     r"brain_mask.nii.gz \(shape \(20, 20, 20\)\) is not on the grid of .*run1.nii.gz", min_volumes=20)


def test_image_outside_the_atlas_space(tmp_path: Path, write_bold) -> None:
    native = np.diag([6.0, 6.0, 6.0, 1.0])  # origin at a corner: a scanner-space image
    write_bold(tmp_path / "native.nii.gz", n_volumes=30, affine=native)
    _extract_refused(find_runs(tmp_path), tmp_path,
                     r"native.nii.gz covers x in \[0, 192\].* the image is not in the atlas space", min_volumes=20)


def test_space_entity_disagreeing_with_the_atlas_warns(fmriprep_subject: Path) -> None:
    runs = find_runs(fmriprep_subject, space="T1w")
    with pytest.warns(UserWarning, match=r"space-T1w but the atlas is in MNI152"):
        check_runs(runs, min_volumes=20, atlas_space="MNI152")


def test_confounds_rows_not_matching_volumes(fmriprep_subject: Path, tmp_path: Path, write_confounds) -> None:
    write_confounds(fmriprep_subject / "func" / "sub-01_task-rest_run-1_desc-confounds_timeseries.tsv", 59)
    out = tmp_path / "out"
    with pytest.raises(ValueError, match=r"confounds_timeseries.tsv has 59 rows but .*preproc_bold.nii.gz has 60 volumes"):
        extract_timeseries(find_runs(fmriprep_subject), min_volumes=20, output=out / "ts.tsv")
    assert not out.exists()


def test_unreadable_file(tmp_path: Path) -> None:
    (tmp_path / "broken.nii.gz").write_bytes(gzip.compress(b"this is not a NIfTI header" * 20))
    with pytest.raises(ValueError, match=r"broken.nii.gz: cannot read the NIfTI header"):
        find_runs(tmp_path, t_r=2.0)


def test_truncated_file(tmp_path: Path, write_bold) -> None:
    path = write_bold(tmp_path / "cut.nii.gz", n_volumes=30)
    content = path.read_bytes()
    path.write_bytes(content[: len(content) // 2])
    _extract_refused(find_runs(tmp_path), tmp_path, r"cut.nii.gz: cannot read the voxel data .* truncated or corrupt",
                     min_volumes=20)


def test_over_regression_is_refused_with_real_fmriprep_confounds(tmp_path: Path, write_bold, write_mask) -> None:
    """nilearn's real fMRIPrep confounds (30 rows): 'simple' would regress as many confounds as volumes."""
    import nilearn.interfaces.fmriprep as fmriprep

    data = Path(fmriprep.__file__).parent / "data"
    func = tmp_path / "sub-01" / "func"
    stem = "sub-01_task-rest_space-MNI152NLin2009cAsym"
    write_bold(func / f"{stem}_desc-preproc_bold.nii.gz", n_volumes=30)
    write_mask(func / f"{stem}_desc-brain_mask.nii.gz")
    for ext in ("tsv", "json"):
        shutil.copy(data / f"test-v21_desc-confounds_timeseries.{ext}",
                    func / f"sub-01_task-rest_desc-confounds_timeseries.{ext}")
    runs = find_runs(tmp_path / "sub-01")
    out = tmp_path / "out"
    with pytest.raises(ValueError, match=r"the 'simple' strategy regresses \d+ confounds .* out of \d+ kept volumes, "
                                         r"leaving -?\d+ degrees of freedom .* would be \(close to\) zero"):
        extract_timeseries(runs, min_volumes=20, output=out / "ts.tsv")
    assert not out.exists()


def test_empty_run_list() -> None:
    with pytest.raises(ValueError, match="runs is empty; find them with fmri_oinfo.inputs.find_runs"):
        check_runs([])


def test_sidecar_json_is_read_for_plain_files(tmp_path: Path, write_bold) -> None:
    write_bold(tmp_path / "scan.nii.gz", t_r=None, shape=(4, 4, 4), n_volumes=5)
    (tmp_path / "scan.json").write_text(json.dumps({"RepetitionTime": 0.7}))
    assert find_runs(tmp_path)[0].t_r == 0.7
