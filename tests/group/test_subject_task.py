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


def test_anatomical_names_reach_the_study_regions_and_the_group_region_scores() -> None:
    """Names from the atlas lookup travel from each subject's regions to the study's region table and scores."""
    import pandas as pd

    from fmri_oinfo.group.run import _study_regions
    from fmri_oinfo.group.subject import SubjectOutcome
    from fmri_oinfo.maps import region_scores

    named = ({"name": "a", "network": "DMN", "x": -40.0, "y": -20.0, "z": 50.0, "anatomy": "left precentral gyrus"},
             {"name": "b", "network": "", "x": 10.0, "y": -18.0, "z": 8.0, "anatomy": "right thalamus"},
             {"name": "c", "network": "", "x": 0.0, "y": 0.0, "z": 0.0, "anatomy": "unlabelled"})
    outcomes = [SubjectOutcome(f"sub-0{i}", "prepare", "computed", regions=named) for i in (1, 2)]
    regions = _study_regions(outcomes)
    assert regions["anatomy"].tolist() == ["left precentral gyrus", "right thalamus", "unlabelled"]
    table = pd.DataFrame({"set": [("a", "b", "c")], "o_info": [0.3], "label": ["redundant"]})
    assert region_scores(table, regions).set_index("name").loc["b", "anatomy"] == "right thalamus"
    unnamed = [SubjectOutcome("sub-01", "prepare", "computed",
                              regions=tuple({k: v for k, v in r.items() if k != "anatomy"} for r in named))]
    assert "anatomy" not in _study_regions(unnamed).columns
