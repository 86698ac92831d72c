"""A subject task of the group command never writes into its subject's input folder, whoever calls it."""

from __future__ import annotations

import hashlib
from pathlib import Path

from fmri_oinfo.group import discover_study, load_group_config
from fmri_oinfo.group.example import make_table_study
from fmri_oinfo.group.subject import prepare_subject


def test_a_subject_task_refuses_to_write_into_its_input_folder(tmp_path: Path, config_file: Path) -> None:
    root = make_table_study(tmp_path / "study", n_per_cohort=2, n_regions=4, n_volumes=60)
    folder = root / "sub-01"
    folder.mkdir()
    for path in root.glob("sub-01_timeseries.*"):
        path.rename(folder / path.name)
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}
    [subject] = discover_study(root, subjects=["sub-01"]).subjects
    outcome = prepare_subject(subject, load_group_config(config_file), out_dir=root)  # <out>/sub-01 is its input
    assert outcome.status == "failed"
    assert outcome.error.startswith(f"fmri_oinfo.atomic.InputOverwriteError: refusing to write {folder}")
    assert "give --out a folder outside the inputs" in outcome.error
    assert {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()} == before
