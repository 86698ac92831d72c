"""Events of fMRIPrep derivatives: found in the raw BIDS dataset (linked or by layout), matching the run's entities."""

from __future__ import annotations

import json
from pathlib import Path

import nibabel as nib
import numpy as np
import pytest

from fmri_oinfo.extract import RegionTimeseries
from fmri_oinfo.inputs import find_runs
from fmri_oinfo.inputs.events import find_run_events, raw_datasets
from fmri_oinfo.pipeline import load_config
from fmri_oinfo.pipeline.local import find_events

EVENTS = "onset\tduration\ttrial_type\n0\t10\ttask\n"


def _derivative_run(root: Path, name: str, t_r: float = 2.0) -> Path:
    """A tiny fMRIPrep run (real 4-D image, mask, confounds, sidecar with the TR) under ``root/sub-01/ses-1/func``."""
    func = root / "sub-01" / "ses-1" / "func"
    func.mkdir(parents=True, exist_ok=True)
    base = f"sub-01_ses-1_{name}"
    bold = func / f"{base}_space-MNI152NLin2009cAsym_desc-preproc_bold.nii.gz"
    nib.save(nib.Nifti1Image(np.random.default_rng(0).standard_normal((3, 3, 3, 12)).astype(np.float32),
                             np.diag([4.0, 4.0, 4.0, 1.0])), bold)
    nib.save(nib.Nifti1Image(np.ones((3, 3, 3), dtype=np.uint8), np.diag([4.0, 4.0, 4.0, 1.0])),
             func / f"{base}_space-MNI152NLin2009cAsym_desc-brain_mask.nii.gz")
    (func / f"{base}_desc-confounds_timeseries.tsv").write_text("framewise_displacement\n" + "0.1\n" * 12)
    bold.with_name(bold.name.replace(".nii.gz", ".json")).write_text(json.dumps({"RepetitionTime": t_r}))
    return bold


def _raw(bids: Path, name: str) -> Path:
    """A raw BIDS dataset's events file of ``sub-01/ses-1/func``."""
    func = bids / "sub-01" / "ses-1" / "func"
    func.mkdir(parents=True, exist_ok=True)
    (bids / "dataset_description.json").write_text(json.dumps({"Name": "raw", "BIDSVersion": "1.9.0"}))
    path = func / f"sub-01_ses-1_{name}_events.tsv"
    path.write_text(EVENTS)
    return path


def _description(root: Path, **fields) -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / "dataset_description.json").write_text(json.dumps(
        {"Name": "fMRIPrep", "BIDSVersion": "1.9.0", "DatasetType": "derivative", **fields}))


def test_conventional_layout_finds_the_raw_events_of_the_same_task_and_run(tmp_path):
    bids = tmp_path / "bids"
    derivatives = bids / "derivatives" / "fmriprep"
    _description(derivatives)
    wanted = _raw(bids, "task-motor_acq-mb_run-2")
    _raw(bids, "task-motor_acq-mb_run-1")  # another run
    _raw(bids, "task-rest_acq-mb_run-2")  # another task
    _derivative_run(derivatives, "task-motor_acq-mb_run-1")
    bold = _derivative_run(derivatives, "task-motor_acq-mb_run-2")
    runs = find_runs(derivatives / "sub-01", task="motor", run=2)
    assert [r.layout for r in runs] == ["fmriprep"] and runs[0].bold == bold
    assert raw_datasets(derivatives) == [bids]
    found, searched = find_run_events(runs[0].bold)
    assert found == wanted and searched == [derivatives, bids]
    assert wanted.read_text() == EVENTS  # the raw dataset is only read


def test_dataset_links_point_to_a_raw_dataset_elsewhere(tmp_path):
    raw = tmp_path / "elsewhere" / "raw"
    wanted = _raw(raw, "task-motor")
    derivatives = tmp_path / "out"
    bold = _derivative_run(derivatives, "task-motor")
    _description(derivatives, DatasetLinks={"raw": raw.as_uri()})
    assert find_run_events(bold)[0] == wanted
    _description(derivatives, SourceDatasets=[{"URL": "../elsewhere/raw"}])  # relative to the derivatives
    assert find_run_events(bold)[0] == wanted
    _description(derivatives, SourceDatasetURL=str(raw))
    assert find_run_events(bold)[0] == wanted
    _description(derivatives, SourceDatasets=[{"URL": "https://openneuro.org/datasets/ds000001"}])
    assert raw_datasets(derivatives) == [] and find_run_events(bold) == (None, [derivatives])


def test_an_inherited_events_file_at_the_raw_root_counts_and_a_file_beside_the_run_wins(tmp_path):
    bids = tmp_path / "bids"
    derivatives = bids / "derivatives" / "fmriprep"
    _description(derivatives)
    bold = _derivative_run(derivatives, "task-motor_run-1")
    _raw(bids, "task-rest")
    top = bids / "task-motor_events.tsv"
    top.write_text(EVENTS)
    assert find_run_events(bold)[0] == top
    beside = bold.parent / "sub-01_ses-1_task-motor_run-1_events.tsv"
    beside.write_text(EVENTS)
    assert find_run_events(bold)[0] == beside


def test_pipeline_reads_raw_events_and_says_what_to_do_when_there_are_none(tmp_path):
    bids = tmp_path / "bids"
    derivatives = bids / "derivatives" / "fmriprep"
    _description(derivatives)
    bold = _derivative_run(derivatives, "task-motor")
    run = {"name": "task-motor", "bold": str(bold), "n_volumes": 12, "censored_volumes": []}
    series = RegionTimeseries(data=__import__("pandas").DataFrame(np.zeros((12, 3)), columns=list("ABC")),
                              regions=None, metadata={"runs": [run], "t_r": 2.0})
    config = load_config("fast", contrasts=["task"])
    with pytest.raises(ValueError) as error:
        find_events(series, config)
    message = str(error.value)
    assert "--events FILE" in message and str(derivatives) in message and "task, run, session" in message
    assert find_events(series, load_config("fast")) is None  # no contrast asked: nothing to do, no error
    wanted = _raw(bids, "task-motor")
    assert find_events(series, config) == [wanted]
