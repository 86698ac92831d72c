"""Local O-information and task contrasts written by the subject pipeline (region table + events file)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fmri_oinfo.extract import RegionTimeseries
from fmri_oinfo.pipeline import load_config, run_subject
from fmri_oinfo.pipeline.cli import main
from fmri_oinfo.pipeline.config import to_toml
from fmri_oinfo.pipeline.local import default_contrasts, find_events, run_design
from fmri_oinfo.stats.local_glm import task_design

T_R = 2.0

#: Every triplet of the table, Gaussian copula, few surrogates, tables only.
SETTINGS = dict(
    candidates__strategies=["exhaustive"], candidates__orders=[3], estimation__estimator="gaussian-copula",
    estimation__fmmi_column=False, estimation__device="cpu", statistics__n_surrogates=19,
    statistics__n_bootstrap=0, outputs__maps=False, outputs__graphs=False, outputs__report=False, t_r=T_R,
)


def block_events(n_volumes: int) -> pd.DataFrame:
    onsets = np.arange(0.0, n_volumes * T_R, 30.0)
    return pd.DataFrame({"onset": onsets, "duration": 30.0,
                         "trial_type": np.where(np.arange(onsets.size) % 2 == 0, "rest", "task")})


@pytest.fixture(scope="module")
def task_table(tmp_path_factory) -> tuple[Path, Path]:
    """A region table (5 regions, 900 volumes) whose triplet A, B, C is synergistic only in task blocks."""
    folder = tmp_path_factory.mktemp("task")
    n_volumes = 900
    events = block_events(n_volumes)
    rng = np.random.default_rng(0)
    values = rng.standard_normal((n_volumes, 5))
    task = (np.arange(n_volumes) * T_R // 30) % 2 == 1
    values[:, 2] = np.where(task, 0.9 * (values[:, 0] + values[:, 1]) / np.sqrt(2) + np.sqrt(0.19) * values[:, 2],
                            values[:, 2])
    table = folder / "sub-01_task-blocks_timeseries.tsv"
    pd.DataFrame(values, columns=list("ABCDE")).to_csv(table, sep="\t", index=False)
    events_file = folder / "sub-01_task-blocks_events.tsv"
    events.to_csv(events_file, sep="\t", index=False)
    return table, events_file


def test_events_give_local_values_and_a_contrast_table(task_table, tmp_path):
    table, events_file = task_table
    before = events_file.read_bytes()
    config = load_config("fast", events=str(events_file), contrasts=["task - rest"], **SETTINGS)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        outputs = run_subject(table, config, tmp_path / "out")
    prefix = outputs.results.name[: -len("_oinfo.tsv")]
    local = pd.read_csv(tmp_path / "out" / f"{prefix}_localoinfo.tsv", sep="\t")
    sidecar = json.loads((tmp_path / "out" / f"{prefix}_localoinfo.json").read_text())
    assert local.shape == (900, 10) and local.columns[0] == "A+B+C"
    assert sidecar["sets"][0] == ["A", "B", "C"] and sidecar["estimator"] == "gaussian-copula"
    contrasts = pd.read_csv(tmp_path / "out" / f"{prefix}_desc-task_contrasts.tsv", sep="\t")
    planted = contrasts["set"] == json.dumps(["A", "B", "C"])
    assert contrasts.loc[planted, "label"].item() == "synergistic"
    assert (contrasts.loc[~planted, "label"] == "n.s.").all()
    assert events_file.read_bytes() == before  # the input is only read


def test_without_events_nothing_local_is_written(task_table, tmp_path):
    table, _ = task_table
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        outputs = run_subject(table, load_config("fast", **SETTINGS), tmp_path / "out")
    assert not list(outputs.out_dir.glob("*localoinfo*")) and not list(outputs.out_dir.glob("*contrasts*"))


def test_a_missing_events_file_is_refused_before_any_work(tmp_path):
    with pytest.raises(ValueError, match="outputs.events = .*no such file"):
        load_config("fast", events=str(tmp_path / "none_events.tsv"))


def _series(runs: list[dict]) -> RegionTimeseries:
    rows = sum(r["n_volumes"] - len(r["censored_volumes"]) for r in runs)
    data = pd.DataFrame(np.zeros((rows, 3)), columns=list("abc"))
    return RegionTimeseries(data=data, regions=pd.DataFrame({"name": list("abc")}),
                            metadata={"t_r": T_R, "runs": runs})


def test_run_design_drops_censored_volumes_and_keeps_drifts_per_run():
    runs = [{"name": "run-1", "bold": None, "n_volumes": 60, "censored_volumes": [0, 1, 30]},
            {"name": "run-2", "bold": None, "n_volumes": 50, "censored_volumes": []}]
    design = run_design(_series(runs), [block_events(60), block_events(50)], T_R)
    assert len(design) == 57 + 50
    assert {"task", "rest", "constant_run1", "constant_run2"} <= set(design.columns)
    assert (design["constant_run1"].to_numpy()[:57] == 1).all() and (design["constant_run1"].to_numpy()[57:] == 0).all()
    one_run = run_design(_series(runs[:1]), [block_events(60)], T_R)
    full = task_design(block_events(60), 60, T_R)
    assert np.allclose(one_run.to_numpy(), np.delete(full.to_numpy(), [0, 1, 30], axis=0))


def test_events_beside_bids_runs_must_cover_every_run(tmp_path):
    func = tmp_path / "sub-01" / "func"
    func.mkdir(parents=True)
    runs = [{"name": f"run-{i}", "bold": str(func / f"sub-01_task-x_run-{i}_bold.nii.gz"), "n_volumes": 10,
             "censored_volumes": []} for i in (1, 2)]
    config = load_config("fast")
    assert find_events(_series(runs), config) is None
    own = func / "sub-01_task-x_run-1_events.tsv"
    own.write_text("onset\tduration\ttrial_type\n0\t4\ttask\n")
    with pytest.warns(UserWarning, match=r"runs \['run-2'\] have no \*_events.tsv.*--task"):
        assert find_events(_series(runs), config) is None  # a rest run beside task runs: no design, no failure
    (func / "sub-01_task-x_run-2_events.tsv").write_text("onset\tduration\ttrial_type\n0\t4\ttask\n")
    assert find_events(_series(runs), config) == [own, func / "sub-01_task-x_run-2_events.tsv"]
    with pytest.raises(ValueError, match="gives one run's events"):
        find_events(_series(runs), load_config("fast", events=str(own)))


def test_default_contrasts():
    assert default_contrasts(block_events(60), 60, T_R) == ["task - rest"]  # the blocks fill the run
    sparse = block_events(60).query("trial_type == 'task'")
    assert default_contrasts(sparse, 60, T_R) == ["task"]  # against the implicit baseline


def test_command_line_events_and_contrast(task_table, tmp_path):
    table, events_file = task_table
    config = tmp_path / "small.toml"
    config.write_text(to_toml(load_config("fast", **SETTINGS)))
    out = tmp_path / "out"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        code = main([str(table), "--out", str(out), "--config", str(config), "--quiet", "--events", str(events_file),
                     "--contrast", "task - rest", "--contrast", "rest - task"])
    assert code == 0
    contrasts = pd.read_csv(next(out.glob("*_desc-task_contrasts.tsv")), sep="\t")
    assert contrasts["contrast"].drop_duplicates().tolist() == ["task - rest", "rest - task"]
