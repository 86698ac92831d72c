"""Time-resolved report sections: local O-information above the carpet, event-locked averages, task contrasts."""

from __future__ import annotations

import dataclasses
import re

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from fmri_oinfo.report import qc, render_report
from fmri_oinfo.report.example import example_context
from fmri_oinfo.report.timecourse import (
    TimeResolved,
    column_name,
    contrast_summary,
    event_blocks,
    event_locked,
    shown_sets,
)

T_R = 2.0
RUNS = [{"n_volumes": 200, "censored_volumes": [57, 58, 140]}]  # the example context's run
TASK_SET = ("L_M1", "R_V4", "L_mPFC")  # labelled synergistic in the example's result table


def blocks(n_volumes: int = 200, block_s: float = 20.0) -> pd.DataFrame:
    onsets = np.arange(0.0, n_volumes * T_R, block_s)
    return pd.DataFrame({"onset": onsets, "duration": block_s,
                         "trial_type": np.where(np.arange(onsets.size) % 2 == 0, "rest", "task")})


def task_volumes(n_volumes: int = 200, block_s: float = 20.0) -> np.ndarray:
    return (np.arange(n_volumes) * T_R // block_s) % 2 == 1  # (V,) acquired volumes in task blocks


def local_table(results: pd.DataFrame) -> pd.DataFrame:
    """Local O: -1 in task volumes and 0 in rest for TASK_SET, 0.1 elsewhere; kept rows only."""
    kept = np.setdiff1d(np.arange(200), RUNS[0]["censored_volumes"])
    table = pd.DataFrame({column_name(s): np.full(kept.size, 0.1) for s in results["set"]})
    table[column_name(TASK_SET)] = np.where(task_volumes()[kept], -1.0, 0.0)
    return table


def contrast_table() -> pd.DataFrame:
    return pd.DataFrame({
        "set": [TASK_SET, ("L_PCC", "R_PCC", "L_mPFC"), ("R_SMA", "L_M1", "R_mPFC")],
        "contrast": "task - rest", "effect": [-0.2, 0.05, np.nan], "se": [0.05, 0.04, np.nan],
        "t": [-4.0, 1.25, np.nan], "dof": [100, 100, 100], "p": [1e-4, 0.21, np.nan], "q": [2e-4, 0.21, np.nan],
        "label": ["synergistic", "n.s.", "n.s."]})


def test_event_locked_means_recover_a_constructed_block_response_with_censored_volumes():
    kept = np.setdiff1d(np.arange(200), RUNS[0]["censored_volumes"])
    values = np.where(task_volumes()[kept], -1.0, 0.0)
    locked = event_locked(values, [blocks()], RUNS, T_R, pre=4.0, post=0.0)
    task, rest = locked["task"], locked["rest"]
    assert task["time"].tolist() == [-4.0, -2.0, 0.0, 2.0, 4.0, 6.0, 8.0, 10.0, 12.0, 14.0, 16.0, 18.0, 20.0]
    inside = task[(task["time"] >= 0) & (task["time"] < 20)]
    np.testing.assert_allclose(inside["mean"], -1.0, atol=1e-12)  # every task volume is -1
    np.testing.assert_allclose(inside[["low", "high"]].to_numpy(), -1.0, atol=1e-12)  # no spread: no width
    np.testing.assert_allclose(task.loc[task["time"] < 0, "mean"], 0.0, atol=1e-12)  # the rest before
    assert inside["n"].max() == 10 and inside["n"].min() == 9  # 10 task blocks; censored 57, 58 (a task block)
    np.testing.assert_allclose(rest.loc[(rest["time"] >= 0) & (rest["time"] < 20), "mean"], 0.0, atol=1e-12)
    # a noisy response: the interval is the t interval over events
    rng = np.random.default_rng(0)
    noisy = values + rng.normal(0.0, 0.3, values.size)
    at_onset = event_locked(noisy, [blocks()], RUNS, T_R, pre=0.0, post=0.0)["task"].iloc[0]
    acquired = np.full(200, np.nan)
    acquired[kept] = noisy
    epochs = acquired[(np.arange(0.0, 400.0, 20.0)[1::2] / T_R).astype(int)]  # the task onsets' volumes
    half = stats.t.ppf(0.975, epochs.size - 1) * epochs.std(ddof=1) / np.sqrt(epochs.size)
    assert at_onset["mean"] == pytest.approx(epochs.mean(), abs=1e-12)
    assert at_onset["high"] - at_onset["mean"] == pytest.approx(half, abs=1e-12)


def test_contrast_summary_gives_the_effect_its_t_interval_q_and_words():
    [summary] = contrast_summary(contrast_table(), alpha=0.05)
    assert summary["n_tested"] == 2 and summary["n_labelled"] == 1  # the constant set is not tested
    assert summary["sentence"] == ("The contrast \u201ctask - rest\u201d changes the local O-information of 1 of 2 "
                                   "tested sets (Benjamini-Hochberg q < 0.05).")
    [row] = summary["sets"]
    half = stats.t.ppf(0.975, 100) * 0.05
    assert (row["low"], row["high"]) == pytest.approx((-0.2 - half, -0.2 + half), abs=1e-12)
    assert row["names"] == list(TASK_SET) and row["q"] == 2e-4
    assert row["meaning"].startswith("lower local O-information during task than during rest: more synergy")
    none = contrast_summary(contrast_table().assign(label="n.s."))[0]
    assert none["sets"] == [] and "none of the 2 tested sets" in none["sentence"]
    assert contrast_summary(None) == []


def test_shown_sets_put_contrast_labels_first_then_findings_with_a_local_column():
    results = example_context(label_image=False, interactive=False).results
    columns = list(local_table(results).columns)
    chosen = shown_sets(results, contrast_table(), columns, n_sets=3)
    assert chosen == [TASK_SET, ("L_PCC", "R_PCC", "L_mPFC"), ("L_V1", "R_V1", "L_V4", "R_V4")]
    assert shown_sets(results, None, columns[:1]) == [("L_PCC", "R_PCC", "L_mPFC")]


def test_local_traces_and_events_sit_above_fd_and_the_carpet_on_its_time_axis():
    context = example_context(label_image=False, interactive=False)
    local = local_table(context.results)[column_name(TASK_SET)].to_numpy()
    fd = [r for run in context.runs() for r in run["framewise_displacement"]]
    events = event_blocks([blocks()], RUNS, T_R)
    assert events[1] == (20.0, 40.0, "task")
    figure = qc.carpet_figure(context.timeseries, None, RUNS, T_R, fd, 0.5, local=[("set 1", local)], events=events)
    carpet = [a for a in figure.axes if a.images and a.get_xlabel() == "time (s)"][0]
    trace = [a for a in figure.axes if a.get_ylabel() == "set 1"][0]
    fd_axes = [a for a in figure.axes if a.get_ylabel() == "FD (mm)"][0]
    assert trace.get_xlim() == pytest.approx(carpet.get_xlim())
    assert trace.get_position().y0 > fd_axes.get_position().y1 > carpet.get_position().y1  # local O on top
    line = trace.lines[0]
    assert np.isnan(line.get_ydata()[57]) and line.get_ydata()[10] == -1.0  # on the acquired volumes
    shaded = [p for p in trace.patches]
    assert len(shaded) == len(events)  # every block shaded
    colours = {p.get_facecolor()[:3] for p in shaded}
    assert len(colours) == 2  # one colour per condition
    with pytest.raises(ValueError, match="local traces have"):
        qc.carpet_figure(context.timeseries, local=[("x", local[:-1])])
    plt.close("all")


@pytest.fixture(scope="module")
def task_report(tmp_path_factory) -> str:
    context = example_context(label_image=True, interactive=False)
    timeresolved = TimeResolved(local=local_table(context.results), estimator="gaussian", events=[blocks()],
                                contrasts=contrast_table(), alpha=0.05)
    path = render_report(dataclasses.replace(context, time_resolved=timeresolved),
                         tmp_path_factory.mktemp("task") / "sub-task_report.html")
    return path.read_text(encoding="utf-8")


def test_report_has_the_over_time_section_and_the_contrast_in_the_findings(task_report):
    html = task_report
    assert '<a href="#over-time">Over time</a>' in html
    findings = html[html.index('<section id="findings">'):html.index('<section id="sets">')]
    assert "changes the local O-information of 1 of 2 tested sets" in findings
    half = stats.t.ppf(0.975, 100) * 0.05
    assert f"[{-0.2 - half:.3g}, {-0.2 + half:.3g}]" in findings  # the effect's 95 % interval
    assert "L_M1, R_V4, L_mPFC" in findings and ">-0.2<" in findings and ">0.0002<" in findings
    section = html[html.index('<section id="over-time">'):html.index('<section id="quality">')]
    assert "Local O-information is the O-information of a set at a single volume" in section
    titles = re.findall(r"<h3>([^<]+)</h3>", section)
    assert titles == ["Local O-information over time, above the carpet plot", "Event-locked averages",
                      "Where the sets that change with \u201ctask - rest\u201d lie"]
    assert section.count('src="data:image/') == 3 and "could not be drawn" not in section
    assert "Events: 20 (rest, task)" in section
    assert not re.search(r'(src|href)="(https?:)?//', html)  # still self-contained


def test_report_without_local_values_has_no_over_time_section():
    from fmri_oinfo.report.render import SUBJECT_SECTIONS, page_sections, render_template
    from fmri_oinfo.report.timecourse import timecourse_section

    variables = timecourse_section(None, pd.DataFrame(), None, [], T_R)
    assert variables == {"present": False, "contrasts": []}
    assert page_sections(False) == SUBJECT_SECTIONS and ("over-time", "Over time") in page_sections(True)
    for template in ("timecourse.html", "contrast_findings.html"):
        assert render_template(template, timecourse=variables).strip() == ""
