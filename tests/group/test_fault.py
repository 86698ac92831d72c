"""A worker process killed mid-study loses no finished subject; a re-run gives identical numbers once each."""

from __future__ import annotations

import os
from pathlib import Path

import dask
import numpy as np
import pandas as pd

from fmri_oinfo.group import dask_client, discover_study, load_group_config, run_group_study
from fmri_oinfo.group.example import make_table_study
from fmri_oinfo.group.subject import prepare_subject

#: Subject whose first attempt kills its worker process.
VICTIM = "sub-03"


def prepare_or_die(subject, config, out_dir):
    """``prepare_subject``, but the first attempt on VICTIM kills the worker process (marker file)."""
    marker = Path(out_dir) / "killed-once"
    if subject.label == VICTIM and not marker.exists():
        marker.write_text(str(os.getpid()))
        os._exit(1)
    return prepare_subject(subject, config, out_dir)


def prepare_or_always_die(subject, config, out_dir):
    """``prepare_subject``, but every attempt on VICTIM kills the worker process."""
    if subject.label == VICTIM:
        os._exit(1)
    return prepare_subject(subject, config, out_dir)


def test_killed_worker_loses_nothing_and_a_rerun_is_identical(tmp_path: Path, config_file: Path) -> None:
    study = discover_study(make_table_study(tmp_path / "study", n_per_cohort=3, n_regions=6), cohort_column="group")
    config = load_group_config(config_file, n_permutations=499)
    out = tmp_path / "out"
    with dask_client(n_workers=2) as client:  # worker processes under nannies
        first = run_group_study(study, config, out, client, prepare=prepare_or_die)
        second = run_group_study(study, config, out, client)
    assert (out / "killed-once").is_file()  # a worker really died
    assert first.failures == [] and len(first.succeeded) == 6  # Dask re-ran the lost task elsewhere
    assert {o.status for o in second.prepared} == {"cached"} and {o.status for o in second.estimated} == {"cached"}
    with dask_client(n_workers=1, processes=False) as client:
        reference = run_group_study(study, config, tmp_path / "reference", client)
    for result in (first, second):
        values = result.subject_values.sort_values(["subject", "order"], kind="stable").reset_index(drop=True)
        assert values.groupby("subject").size().tolist() == [20] * 6  # C(6, 3) sets, every subject once
        expected = reference.subject_values.sort_values(["subject", "order"], kind="stable").reset_index(drop=True)
        pd.testing.assert_frame_equal(values, expected)
        np.testing.assert_array_equal(result.results["o_info"], reference.results["o_info"])
        np.testing.assert_array_equal(result.difference["p_value"], reference.difference["p_value"])
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == [s.label for s in study.subjects]
    for subject in study.subjects:  # each subject holds its own pipeline outputs, resumable from its stage cache
        assert (out / subject.label / f"{subject.label}_oinfo.tsv").is_file()
        assert len(list((out / subject.label / ".cache").glob("extraction-*"))) == 1  # extracted once, shared


def test_a_subject_that_kills_every_worker_fails_alone(tmp_path: Path, config_file: Path) -> None:
    study = discover_study(make_table_study(tmp_path / "study", n_per_cohort=3, n_regions=6), cohort_column="group")
    config = load_group_config(config_file, n_permutations=99)
    # Dask gives up on a task after one death, and a worker holds only the task it runs (no bystanders die with it)
    settings = {"distributed.scheduler.allowed-failures": 0, "distributed.scheduler.worker-saturation": 1.0}
    with dask.config.set(settings):
        with dask_client(n_workers=2) as client:
            result = run_group_study(study, config, tmp_path / "out", client, prepare=prepare_or_always_die)
    [failure] = result.failures
    assert (failure.subject, failure.step, failure.status) == (VICTIM, "prepare", "failed")
    assert failure.error.startswith("KilledWorker")
    assert sorted(result.succeeded) == sorted(s.label for s in study.subjects if s.label != VICTIM)
    assert set(result.subject_values["subject"]) == set(result.succeeded)
