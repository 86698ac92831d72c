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


def test_an_ordinary_bids_sidecar_is_not_warned_about_and_a_broken_one_is(tmp_path: Path, config_file: Path) -> None:
    """A table's sidecar holding only RepetitionTime is legitimate BIDS (the HCP study warned 7 times)."""
    root = make_table_study(tmp_path / "study", n_per_cohort=2, n_regions=4, n_volumes=60)
    config = load_group_config(config_file)
    [subject] = discover_study(root, subjects=["sub-01"]).subjects
    sidecar = root / "sub-01_timeseries.json"
    outcomes = {}
    for name, text in (("bids", '{"RepetitionTime": 2.0}'), ("broken", '{"regions": 5}')):
        sidecar.write_text(text)
        outcomes[name] = prepare_subject(subject, config, out_dir=tmp_path / name)
    assert outcomes["bids"].status != "failed" and outcomes["broken"].status != "failed"
    assert not any("sidecar" in w for w in outcomes["bids"].warnings)
    assert any("is not a RegionTimeseries sidecar" in w for w in outcomes["broken"].warnings)
