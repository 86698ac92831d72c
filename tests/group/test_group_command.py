"""The group command on generated studies, through a real Dask LocalCluster."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fmri_oinfo.graphs import external_references
from fmri_oinfo.group import dask_client, discover_study, load_group_config, run_group_study
from fmri_oinfo.group.cli import main
from fmri_oinfo.group.example import PLANTED_SET, make_table_study
from fmri_oinfo.group.outputs import subject_table
from fmri_oinfo.group.report import write_group_report
from fmri_oinfo.results import read_result_table

def _run(study: Path, out: Path, config_file: Path, **overrides):
    """The command's steps without maps and figures (faster), on a threaded LocalCluster."""
    with dask_client(n_workers=2, processes=False) as client:
        return run_group_study(discover_study(study, cohort_column="group"),
                               load_group_config(config_file, **overrides), out, client)


def _read(path: Path) -> pd.DataFrame:
    return read_result_table(path)


def test_planted_cohort_difference_is_found_and_the_report_is_offline(tmp_path, config_file, capsys) -> None:
    study = make_table_study(tmp_path / "study", n_per_cohort=10)
    out = tmp_path / "out"
    code = main([str(study), "--cohort-col", "group", "--config", str(config_file), "--out", str(out),
                 "--workers", "2", "--threads"])
    assert code == 0
    difference = _read(out / "group" / "group_difference.tsv")
    planted = difference[difference["set"] == PLANTED_SET].iloc[0]
    assert planted["q_value"] < 0.05 and planted["label"] == "higher in A"  # control (A) less synergistic
    assert planted["direction"] == "patient > control, synergy"
    assert planted["difference"] > 0.2 and planted["hedges_g"] > 2.0
    assert (difference[difference["set"] != PLANTED_SET]["q_value"] >= 0.05).all()
    results = _read(out / "group" / "group_results.tsv")
    assert results.set_index("set").loc[[PLANTED_SET], "label"].item() == "synergistic"
    assert len(results) == 56  # C(8, 3) sets
    values = _read(out / "group" / "group_subject_oinfo.tsv")
    assert len(values) == 20 * 56 and not values.duplicated(["subject", "set"]).any()
    report = (out / "group" / "group_report.html").read_text()
    assert external_references(report) == []
    for heading in ("Cohort", "Failures", "Between-cohort comparison", "Group maps", "Group graphs"):
        assert heading in report
    assert (out / "group" / "group_desc-difference_desc-synergy_map.png").is_file()
    assert (out / "group" / "group_desc-mean_desc-hypergraph_graph.graphml").is_file()
    assert "20/20 subjects, 56 sets" in capsys.readouterr().out


def test_null_study_finds_nothing(tmp_path, config_file) -> None:
    study = make_table_study(tmp_path / "null", n_per_cohort=8, noise_a=None, noise_b=None, seed=3)
    result = _run(study, tmp_path / "out", config_file)
    assert len(result.results) == 56 and (result.results["q_value"] >= 0.05).all()
    assert (result.difference["q_value"] >= 0.05).all()
    assert result.results.attrs["reachable"] and result.results.attrs["baseline"].startswith("each subject")
    assert result.subject_values["null_mean"].notna().all()  # every subject's baseline was read


def test_a_three_subject_study_says_why_nothing_can_be_significant(tmp_path, config_file) -> None:
    study = make_table_study(tmp_path / "small", n_per_cohort=2)
    with dask_client(n_workers=1, processes=False) as client:
        result = run_group_study(discover_study(study, subjects=["sub-01", "sub-02", "sub-03"]),
                                 load_group_config(config_file), tmp_path / "out", client)
    assert (result.results["label"] == "n.s.").all() and not result.results.attrs["reachable"]
    assert result.results.attrs["reachability_note"].startswith("3 subjects, sign-flip test: the smallest possible")


def test_a_failing_subject_is_reported_and_the_study_resumes(tmp_path, config_file) -> None:
    study = make_table_study(tmp_path / "study", n_per_cohort=4)
    broken = study / "sub-03_timeseries.tsv"
    good = broken.read_text()
    lines = good.splitlines()
    broken.write_text("\n".join([lines[0]] + [line.replace(line.split("\t")[4], "nan", 1) for line in lines[1:]]))
    result = _run(study, tmp_path / "out", config_file)
    subjects = subject_table(result)
    failed = subjects[subjects["status"] == "failed"]
    assert failed["subject"].tolist() == ["sub-03"] and "NaN" in failed["error"].item()
    report = write_group_report(result).read_text()
    assert "sub-03" in report and "NaN/inf values" in report
    assert sorted(result.subject_values["subject"].unique()) == [f"sub-0{k}" for k in (1, 2, 4, 5, 6, 7, 8)]

    broken.write_text(good)
    again = _run(study, tmp_path / "out", config_file)
    status = dict(zip(subject_table(again)["subject"], subject_table(again)["status"]))
    assert status.pop("sub-03") == "computed" and set(status.values()) == {"cached"}
    assert again.subject_values.groupby("subject").size().tolist() == [56] * 8
    kept = again.subject_values[again.subject_values["subject"] != "sub-03"].reset_index(drop=True)
    np.testing.assert_array_equal(kept["o_info"], result.subject_values["o_info"])


def test_pooled_mode_finds_the_planted_difference(tmp_path, config_file) -> None:
    study = make_table_study(tmp_path / "study", n_per_cohort=10)
    # 499 surrogates: with 199 the pooled table's lone planted set cannot reach q < 0.05 (p irreducible is at
    # least 2 / (10 * 200) = 0.001, times its sets), now that tail p-values stop at the bound
    result = _run(study, tmp_path / "out", config_file, pool=True, candidate_source="pooled", n_surrogates=499)
    difference = result.difference
    planted = difference[difference["set"] == PLANTED_SET].iloc[0]
    assert planted["q_value"] < 0.05 and planted["mean_b"] < planted["mean_a"] < 0
    assert planted["direction"] == "patient > control, synergy"
    assert result.results.set_index("set").loc[[PLANTED_SET], "label"].item() == "synergistic"
    assert len(result.succeeded) == 20 and len(result.subject_values) == 20 * len(result.sets)
    assert (tmp_path / "out" / "sub-20" / "sub-20_oinfo.tsv").is_file()  # every subject got its pipeline run


def test_bad_arguments_are_refused_with_the_fix(tmp_path, capsys) -> None:
    study = make_table_study(tmp_path / "study", n_per_cohort=2)
    with pytest.raises(SystemExit):
        main([str(study), "--group-col", "sex"])
    assert "'sex' is not a column of participants.tsv" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main([str(study), "--subjects", "sub-99"])
    assert "--subjects ['sub-99'] not found" in capsys.readouterr().err
    assert not (study / "derivatives").exists()
