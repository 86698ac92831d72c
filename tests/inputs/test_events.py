"""BIDS events tables: reading, validation errors that name the fix, and the file beside a run."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from nilearn.glm.first_level import make_first_level_design_matrix

from fmri_oinfo.inputs.events import events_beside, read_events


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_reads_sorted_events_with_bids_missing_values(tmp_path):
    path = _write(tmp_path / "sub-01_task-motor_events.tsv",
                  "onset\tduration\ttrial_type\tresponse_time\n30\t15\ttask\tn/a\n0\t15\trest\t0.5\n")
    events = read_events(path, n_volumes=40, t_r=2.0)
    assert list(events.columns) == ["onset", "duration", "trial_type"]
    assert events["onset"].tolist() == [0.0, 30.0]
    assert events["trial_type"].tolist() == ["rest", "task"]
    assert path.read_text().startswith("onset\tduration")  # the input is only read


def test_keeps_a_numeric_modulation(tmp_path):
    path = _write(tmp_path / "e_events.tsv", "onset\tduration\ttrial_type\tmodulation\n0\t10\ttask\t2.5\n")
    assert read_events(path)["modulation"].tolist() == [2.5]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("onset\tduration\n0\t10\n", "no column 'trial_type'"),
        ("onset\ttrial_type\n0\ttask\n", "no column 'duration'"),
        ("onset\tduration\ttrial_type\n0\t-1\ttask\n", "negative duration in row(s) 1"),
        ("onset\tduration\ttrial_type\n-2\t1\ttask\n", "negative onset"),
        ("onset\tduration\ttrial_type\n0\tn/a\ttask\n", "column 'duration' is missing (n/a)"),
        ("onset\tduration\ttrial_type\n0\t5\ttask\nnan\t5\trest\n", "column 'onset' is missing (n/a), not a number"),
        ("onset\tduration\ttrial_type\n0\tlong\ttask\n", "not a number"),
        ("onset\tduration\ttrial_type\n0\t5\tn/a\n", "trial_type is missing"),
        ("onset\tduration\ttrial_type\n", "lists no events"),
        ("onset\tduration\ttrial_type\n0\t5\ttask\n80\t5\ttask\n",
         "at or after the run's end (40 volumes x 2 s = 80 s)"),
    ],
)
def test_bad_tables_raise_naming_file_and_fix(tmp_path, text, message):
    path = _write(tmp_path / "sub-01_task-x_events.tsv", text)
    with pytest.raises(ValueError) as error:
        read_events(path, n_volumes=40, t_r=2.0)
    assert message in str(error.value)
    assert str(path) in str(error.value)


def test_onsets_past_the_end_are_checked_only_with_the_run_length(tmp_path):
    path = _write(tmp_path / "e_events.tsv", "onset\tduration\ttrial_type\n500\t5\ttask\n")
    assert read_events(path)["onset"].tolist() == [500.0]


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        read_events(tmp_path / "nothing_events.tsv")


def test_events_beside_a_bids_run_prefers_the_most_specific_file(tmp_path):
    root = tmp_path / "ds"
    _write(root / "dataset_description.json", "{}")
    func = root / "sub-01" / "func"
    bold = func / "sub-01_task-motor_run-2_bold.nii.gz"
    _write(bold, "")
    inherited = _write(root / "task-motor_events.tsv", "onset\tduration\ttrial_type\n0\t1\ta\n")
    assert events_beside(bold) == inherited
    _write(func / "sub-01_task-motor_run-1_events.tsv", "x")  # another run's: never used
    _write(func / "sub-01_task-rest_events.tsv", "x")  # another task's
    assert events_beside(bold) == inherited
    own = _write(func / "sub-01_task-motor_run-2_events.tsv", "x")
    assert events_beside(bold) == own


def test_events_beside_ignores_output_entities_and_finds_none(tmp_path):
    func = tmp_path / "sub-01" / "ses-1" / "func"
    bold = func / "sub-01_ses-1_task-nback_space-MNI152NLin2009cAsym_desc-preproc_bold.nii.gz"
    _write(bold, "")
    assert events_beside(bold) is None
    own = _write(func / "sub-01_ses-1_task-nback_events.tsv", "x")
    assert events_beside(bold) == own


def test_events_table_is_what_nilearn_reads(tmp_path):
    path = _write(tmp_path / "e_events.tsv", "onset\tduration\ttrial_type\n0\t20\ttask\n40\t20\ttask\n")
    design = make_first_level_design_matrix(np.arange(40) * 2.0, read_events(path, 40, 2.0), drift_model=None)
    assert design["task"].to_numpy().argmax() < 20 and design["task"].max() > 0.5  # an HRF-convolved block
