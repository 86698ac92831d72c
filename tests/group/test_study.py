"""Study discovery, group configuration files, a dask-jobqueue config, and the demo NIfTI study."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from fmri_oinfo.demo import make_demo_dataset
from fmri_oinfo.group import dask_client, discover_study, load_group_config, run_group_study
from fmri_oinfo.group.cluster import jobqueue_cluster
from fmri_oinfo.group.example import make_table_study
from fmri_oinfo.group.outputs import subject_table
from fmri_oinfo.group.report import write_group_report
from fmri_oinfo.pipeline import load_config

REPO = Path(__file__).resolve().parents[2]


def test_table_study_with_cohorts_and_subject_filter(tmp_path: Path) -> None:
    study = discover_study(make_table_study(tmp_path / "s", n_per_cohort=3), cohort_column="group",
                           subjects=["sub-01", "02", "sub-03"])
    assert [s.label for s in study.subjects] == ["sub-01", "sub-02", "sub-03"]
    assert [s.cohort for s in study.subjects] == ["control", "patient", "control"]
    assert study.cohorts == ("control", "patient") and {s.kind for s in study.subjects} == {"table"}


def test_discovery_refuses_bad_studies_with_the_fix(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no subject found"):
        discover_study(tmp_path)
    root = make_table_study(tmp_path / "s", n_per_cohort=2)
    (root / "participants.tsv").write_text("participant_id\tgroup\nsub-01\tcontrol\nsub-02\tn/a\n")
    with pytest.raises(ValueError, match=r"subjects \['sub-02', 'sub-03', 'sub-04'\] have no 'group' value"):
        discover_study(root, cohort_column="group")
    with pytest.raises(FileNotFoundError, match="--participants"):
        discover_study(root, participants=tmp_path / "missing.tsv")


def test_config_is_a_pipeline_config_with_a_group_table_validated_by_key(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[candidates]\nstrategies = ["exhaustive"]\n[estimation]\nestimator = "gaussian"\n'
                    '[group]\nn_permutations = 999\npool = true\ncohort_column = "sex"\n')
    config = load_group_config(path, seed=3, statistics__n_surrogates=19)
    assert config.pipeline.candidates.strategies == ("exhaustive",) and config.estimator == "gaussian"
    assert config.n_permutations == 999 and config.pool and config.cohort_column == "sex" and config.seed == 3
    assert config.pipeline.statistics.n_surrogates == 19
    shipped = load_group_config(REPO / "pipelines" / "fast.toml")  # a plain pipeline config: group defaults
    assert shipped.pipeline == load_config("fast") and shipped.n_permutations == 4999
    path.write_text('[group]\npipeline = "fast"\nalpha = 0.01\n')  # a [group]-only file naming the pipeline
    named = load_group_config(path)
    assert named.pipeline == load_config("fast") and named.alpha == 0.01
    path.write_text("[group]\npermutations = 5\n")
    with pytest.raises(ValueError, match=r"unknown key group.permutations \(did you mean n_permutations\?\)"):
        load_group_config(path)
    path.write_text("[statistics]\nn_surogates = 5\n")
    with pytest.raises(ValueError, match=r"statistics\.n_surogates"):
        load_group_config(path)
    path.write_text("[cluster]\nkind = 'slurm'\n")
    with pytest.raises(ValueError, match=r"unknown table \[cluster\]"):
        load_group_config(path)
    path.write_text('[group]\npipeline = "fast"\n[estimation]\nestimator = "gaussian"\n')
    with pytest.raises(ValueError, match=r"also has the pipeline section\(s\) \['estimation'\]"):
        load_group_config(path)
    with pytest.raises(ValueError, match="group.n_permutations = 5"):
        load_group_config(None, n_permutations=5)


def test_slurm_example_builds_a_jobqueue_cluster() -> None:
    pytest.importorskip("dask_jobqueue")
    cluster, jobs = jobqueue_cluster(REPO / "pipelines" / "slurm.toml")
    try:
        script = cluster.job_script()
    finally:
        cluster.close()
    assert jobs == 4 and "#SBATCH --gres=gpu:1" in script and "GPU=1" in script


def test_demo_nifti_study_through_a_local_cluster(tmp_path: Path) -> None:
    root = make_demo_dataset(tmp_path / "demo", n_subjects=2, n_volumes=120, seed=0)
    import json

    truth = json.loads((root / "ground_truth.json").read_text())
    triplet = next(g["regions"] for g in truth["sets"] if g["name"] == "synergistic_triplet")
    sets_file = tmp_path / "sets.txt"
    sets_file.write_text(",".join(triplet) + "\n")
    config = load_group_config("fast", candidates__strategies=["user"], candidates__user_file=str(sets_file),
                               statistics__n_surrogates=19, statistics__n_bootstrap=0, outputs__interactive=False,
                               outputs__maps=False, outputs__graphs=False, n_permutations=99)
    study = discover_study(root)
    assert [s.kind for s in study.subjects] == ["images", "images"]
    with dask_client(n_workers=1, processes=False) as client:
        result = run_group_study(study, config, tmp_path / "out", client)
    assert result.failures == [] and result.results["set"].tolist() == [tuple(triplet)]
    assert (result.subject_values["o_info"] < 0).all()  # planted synergy in both subjects
    assert result.prepared[0].qc["n_volumes"] == 120
    subjects = subject_table(result)  # each subject has its own pipeline report, linked from the group report
    assert subjects["report"].tolist() == ["sub-01_report.html", "sub-02_report.html"]
    assert (tmp_path / "out" / "sub-02" / "sub-02_report.html").is_file()
    assert 'href="../sub-01/sub-01_report.html"' in write_group_report(result).read_text()


def test_listed_participants_without_data_are_named(tmp_path: Path, caplog) -> None:
    root = make_table_study(tmp_path / "s", n_per_cohort=2)
    (root / "sub-03_timeseries.tsv").unlink()
    (root / "sub-03_timeseries.json").unlink()
    logger = logging.getLogger("fmri_oinfo.group")  # its own handler: a command line run earlier may stop propagation
    logger.addHandler(caplog.handler)
    try:
        study = discover_study(root, cohort_column="group")
    finally:
        logger.removeHandler(caplog.handler)
    assert [s.label for s in study.subjects] == ["sub-01", "sub-02", "sub-04"] and study.missing == ("sub-03",)
    # a set: the record reaches caplog twice where the logger also propagates to the root handler
    assert {r.getMessage() for r in caplog.records} == {
        f"1 participant(s) of {root / 'participants.tsv'} have no data in {root} and are left out: sub-03"}
    assert discover_study(root, subjects=["sub-01"]).missing == ()  # a chosen subset: the others are not missing
    (root / "participants.tsv").write_text("participant_id\tgroup\nsub-11\tcontrol\nsub-12\tpatient\n")
    with pytest.raises(ValueError, match=r"none of the 2 participants of .*participants.tsv \(sub-11, sub-12\) has "
                                         r"data in .*found sub-01, sub-02, sub-04\); fix participant_id"):
        discover_study(root)
