"""Discovery of runs in plain folders, raw BIDS and fMRIPrep derivatives."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from fmri_oinfo.inputs import Run, find_runs


def test_plain_folder_finds_every_image_and_the_mask(tmp_path: Path, write_bold, write_mask) -> None:
    write_bold(tmp_path / "rest1.nii.gz", t_r=2.5)
    write_bold(tmp_path / "rest2.nii", t_r=2.5)
    write_mask(tmp_path / "brain_mask.nii.gz")
    (tmp_path / "notes.txt").write_text("not an image")

    runs = find_runs(tmp_path)

    assert [r.bold.name for r in runs] == ["rest1.nii.gz", "rest2.nii"]
    assert {r.layout for r in runs} == {"plain"}
    assert all(r.mask == tmp_path / "brain_mask.nii.gz" for r in runs)
    assert all(r.confounds is None for r in runs)
    assert [r.t_r for r in runs] == [2.5, 2.5]
    assert runs[0].name == "rest1"


def test_single_file_is_one_plain_run(tmp_path: Path, write_bold) -> None:
    path = write_bold(tmp_path / "scan.nii.gz", t_r=0.8)
    (run,) = find_runs(path)
    assert run.bold == path and run.t_r == pytest.approx(0.8) and run.mask is None


def test_run_is_frozen(tmp_path: Path, write_bold) -> None:
    (run,) = find_runs(write_bold(tmp_path / "scan.nii.gz"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        run.t_r = 3.0  # type: ignore[misc]


def test_bids_sessions_tasks_runs_and_inherited_sidecar(bids_subject: Path) -> None:
    runs = find_runs(bids_subject)

    assert len(runs) == 6
    assert {r.layout for r in runs} == {"bids"}
    assert [(r.entities["ses"], r.entities["task"], r.entities.get("run")) for r in runs] == [
        ("1", "motor", None), ("1", "rest", "01"), ("1", "rest", "02"),
        ("2", "motor", None), ("2", "rest", "01"), ("2", "rest", "02"),
    ]
    rest = find_runs(bids_subject, task="rest", session="2", run=1)
    assert [r.bold.name for r in rest] == ["sub-01_ses-2_task-rest_run-01_bold.nii.gz"]
    assert rest[0].t_r == 2.0  # from the dataset-level task-rest_bold.json
    motor = find_runs(bids_subject, task="motor")
    assert [r.t_r for r in motor] == [1.5, 1.5]
    assert rest[0].name == "ses-2_task-rest_run-01"


def test_fmriprep_companions_and_default_mni_space(fmriprep_subject: Path) -> None:
    (run,) = find_runs(fmriprep_subject)

    assert run.layout == "fmriprep"
    assert run.space == "MNI152NLin2009cAsym"
    assert run.confounds.name == "sub-01_task-rest_run-1_desc-confounds_timeseries.tsv"
    assert run.mask.name == "sub-01_task-rest_run-1_space-MNI152NLin2009cAsym_desc-brain_mask.nii.gz"
    assert run.t_r == 2.0

    (native,) = find_runs(fmriprep_subject, space="T1w")
    assert native.space == "T1w"
    assert native.mask.name.startswith("sub-01_task-rest_run-1_space-T1w")
    assert native.confounds == run.confounds


def test_fmriprep_two_non_mni_spaces_need_a_choice(fmriprep_subject: Path) -> None:
    func = fmriprep_subject / "func"
    for path in func.glob("*MNI152NLin2009cAsym*"):
        path.rename(path.with_name(path.name.replace("MNI152NLin2009cAsym", "fsnative")))
    with pytest.raises(ValueError, match=r"several output spaces \(space-T1w, space-fsnative\).*space="):
        find_runs(fmriprep_subject)
    assert find_runs(fmriprep_subject, space="fsnative")[0].space == "fsnative"


def test_no_matching_run_lists_what_was_found(bids_subject: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"no run matches task='nback'.*found task \['motor', 'rest'\]"):
        find_runs(bids_subject, task="nback")


def test_missing_folder_and_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="does not exist"):
        find_runs(tmp_path / "nowhere")
    with pytest.raises(FileNotFoundError, match="no functional image found"):
        find_runs(tmp_path)


def test_dataset_root_with_several_subjects_is_refused(tmp_path: Path, write_bold) -> None:
    for sub in ("01", "02"):
        write_bold(tmp_path / f"sub-{sub}" / "func" / f"sub-{sub}_task-rest_bold.nii.gz", n_volumes=5)
    with pytest.raises(ValueError, match=r"several subjects \(sub-01, sub-02\); pass one subject folder"):
        find_runs(tmp_path)


def test_two_masks_in_a_plain_folder_are_ambiguous(tmp_path: Path, write_bold, write_mask) -> None:
    write_bold(tmp_path / "rest.nii.gz")
    write_mask(tmp_path / "mask_a.nii.gz")
    write_mask(tmp_path / "mask_b.nii.gz")
    with pytest.raises(ValueError, match="several mask files"):
        find_runs(tmp_path)


def test_run_entities_are_a_plain_mapping() -> None:
    run = Run(bold=Path("x.nii.gz"), confounds=None, mask=None, t_r=2.0, entities={"task": "rest"})
    assert run.entities["task"] == "rest" and run.space is None
