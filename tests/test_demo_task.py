"""The demo's block-design run: its events file, its planted task-only synergy, the resting runs unchanged."""

from __future__ import annotations

import json

import numpy as np

from fmri_oinfo import local_contrasts, local_oinfo
from fmri_oinfo.demo import _task_modulated, block_events, make_demo_dataset
from fmri_oinfo.inputs import events_beside, find_runs, read_events


def test_task_run_has_its_events_and_leaves_the_resting_run_unchanged(tmp_path):
    with_task = make_demo_dataset(tmp_path / "task", n_subjects=1, n_volumes=100, task_run=True, task_volumes=120)
    without = make_demo_dataset(tmp_path / "rest", n_subjects=1, n_volumes=100)
    runs = find_runs(with_task / "sub-01", task="blocks")
    assert len(runs) == 1 and runs[0].t_r == 2.0
    events = read_events(events_beside(runs[0].bold), n_volumes=120, t_r=2.0)
    assert set(events["trial_type"]) == {"rest", "task"} and (events["duration"] == 30.0).all()
    rest_name = "sub-01/func/sub-01_task-rest_space-MNI152NLin2009cAsym_desc-preproc_bold.nii.gz"
    assert (with_task / rest_name).read_bytes() == (without / rest_name).read_bytes()
    assert events_beside(with_task / rest_name) is None
    truth = json.loads((with_task / "ground_truth.json").read_text())
    planted = truth["task_run"]["sets"][0]
    assert planted["expected_effect_sign"] == -1 and len(planted["regions"]) == 3
    assert "task_run" not in json.loads((without / "ground_truth.json").read_text())


def test_the_planted_signals_are_synergistic_only_in_task_blocks():
    n_volumes = 600
    signals = _task_modulated(n_volumes, 2.0, np.random.default_rng(0))
    others = np.random.default_rng(1).standard_normal((n_volumes, 3))
    local = local_oinfo(np.hstack([signals, others]), [(0, 1, 2), (3, 4, 5)], estimator="gaussian-copula")
    table = local_contrasts(local, block_events(n_volumes, 2.0), 2.0, "task - rest")
    assert table["label"].tolist() == ["synergistic", "n.s."]
