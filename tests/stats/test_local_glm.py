"""Task contrasts on local O-information: planted effects found with their sign, calibrated nulls, a group level.

Ground truth: local values built as ``beta * (the design's own task column) +
AR(1) noise`` have a known task effect ``beta``; a triplet whose third region
is the sum of the other two only during task blocks is synergistic only
then, so its local O-information is lower during task than during rest.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import linalg, stats

from fmri_oinfo import local_contrasts, local_oinfo
from fmri_oinfo.stats.episodes import episode_statistics, synergy_episodes
from fmri_oinfo.stats.local_glm import (
    CONTRAST_COLUMNS,
    ar1_coefficients,
    expected_residual_autocorrelation,
    fit_local_glm,
    group_local_contrasts,
    task_design,
)

T_R = 2.0


def block_events(n_volumes: int, block_s: float = 30.0) -> pd.DataFrame:
    """Alternating rest and task blocks of ``block_s`` seconds, rest first."""
    onsets = np.arange(0.0, n_volumes * T_R, block_s)
    kinds = np.where(np.arange(onsets.size) % 2 == 0, "rest", "task")
    return pd.DataFrame({"onset": onsets, "duration": block_s, "trial_type": kinds})


def task_mask(events: pd.DataFrame, n_volumes: int) -> np.ndarray:
    times = np.arange(n_volumes) * T_R
    mask = np.zeros(n_volumes, dtype=bool)
    for onset, duration in events.loc[events["trial_type"] == "task", ["onset", "duration"]].to_numpy():
        mask |= (times >= onset) & (times < onset + duration)
    return mask


def ar1_noise(rng: np.random.Generator, n_volumes: int, n_series: int, phi: float) -> np.ndarray:
    """Unit-variance AR(1) series, shape (n_volumes, n_series)."""
    shocks = rng.standard_normal((n_volumes, n_series)) * np.sqrt(1 - phi**2)
    out = np.empty_like(shocks)
    out[0] = rng.standard_normal(n_series)
    for t in range(1, n_volumes):
        out[t] = phi * out[t - 1] + shocks[t]
    return out


def test_planted_shifts_are_estimated_with_their_sign_and_size():
    n_volumes, n_sets = 300, 12
    events = block_events(n_volumes)
    design = task_design(events, n_volumes, T_R)
    rng = np.random.default_rng(0)
    values = 0.3 * ar1_noise(rng, n_volumes, n_sets, phi=0.5)
    beta = np.zeros(n_sets)
    beta[0], beta[1] = -0.2, 0.2  # set 0 more synergistic during task, set 1 more redundant
    values += design["task"].to_numpy()[:, None] * beta[None, :]
    table = local_contrasts(pd.DataFrame(values), events, T_R, "task - rest")
    assert list(table.columns) == list(CONTRAST_COLUMNS)
    assert table.loc[0, "label"] == "synergistic" and table.loc[0, "effect"] < 0
    assert table.loc[1, "label"] == "redundant" and table.loc[1, "effect"] > 0
    # "task - rest" with both conditions modelled: the effect is beta (task) less 0 (rest)
    assert np.all(np.abs(table["effect"] - beta) < 4 * table["se"])
    assert (table.loc[2:, "label"] == "n.s.").all()


def test_a_set_synergistic_only_in_task_blocks_is_labelled_synergistic():
    n_volumes = 1200
    events = block_events(n_volumes)
    task = task_mask(events, n_volumes)
    rng = np.random.default_rng(1)
    data = ar1_noise(rng, n_volumes, 6, phi=0.5)
    mixed = 0.9 * (data[:, 0] + data[:, 1]) / np.sqrt(2) + np.sqrt(1 - 0.81) * data[:, 2]
    data[:, 2] = np.where(task, mixed, data[:, 2])
    sets = [(0, 1, 2), (3, 4, 5), (0, 3, 4), (1, 4, 5)]
    local = local_oinfo(data, sets)
    assert local["o_info"].iloc[task, 0].mean() < local["o_info"].iloc[~task, 0].mean()
    table = local_contrasts(local, events, T_R, {"task > rest": "task - rest"})
    assert table.loc[0, "label"] == "synergistic"
    assert table.loc[0, "contrast"] == "task > rest" and table.loc[0, "set"] == ("0", "1", "2")
    assert (table.loc[1:, "label"] == "n.s.").all()


def test_null_p_values_are_uniform_under_autocorrelated_noise():
    """Same events, no modulation, AR(1) noise: p is uniform with the corrected AR(1) model, too small with OLS.

    Binomial bands of 3 standard errors around 5 % and 1 % over 2,000 null
    series; nilearn's uncorrected lag-1 estimate gives 9.2 % and 2.8 % here.
    """
    n_volumes, n_sets = 300, 2000
    events = block_events(n_volumes)
    values = pd.DataFrame(ar1_noise(np.random.default_rng(2), n_volumes, n_sets, phi=0.6))
    ar1 = local_contrasts(values, events, T_R, "task - rest")["p"].to_numpy()
    assert stats.kstest(ar1, "uniform").pvalue > 0.01
    for level in (0.05, 0.01):
        band = 3 * np.sqrt(level * (1 - level) / n_sets)
        assert abs(np.mean(ar1 < level) - level) < band, level
    ols = local_contrasts(values, events, T_R, "task - rest", noise_model="ols")["p"].to_numpy()
    assert np.mean(ols < 0.05) > 0.12  # ignoring the autocorrelation is anti-conservative


def test_null_p_values_of_local_oinfo_are_calibrated():
    """Null local O-information (heavy-tailed, close to AR(1)): p < 0.05 within 3 binomial standard errors of 5 %.

    2,000 disjoint triplets of independent AR(1) regions (phi = 0.8), so the
    sets' p-values are independent; nilearn's uncorrected estimate gives 10 %.
    """
    n_volumes, n_sets = 300, 2000
    data = ar1_noise(np.random.default_rng(7), n_volumes, 3 * n_sets, phi=0.8)
    local = local_oinfo(data, [(3 * i, 3 * i + 1, 3 * i + 2) for i in range(n_sets)])
    p = local_contrasts(local, block_events(n_volumes), T_R, "task - rest")["p"].to_numpy()
    assert abs(np.mean(p < 0.05) - 0.05) < 3 * np.sqrt(0.05 * 0.95 / n_sets)


def test_ar1_coefficients_are_unbiased_where_the_residual_autocorrelation_is_not():
    n_volumes, n_sets, phi = 300, 2000, 0.6
    design = task_design(block_events(n_volumes), n_volumes, T_R).to_numpy(dtype=float)
    y = ar1_noise(np.random.default_rng(8), n_volumes, n_sets, phi)
    estimate = ar1_coefficients(y, design)
    assert abs(estimate.mean() - phi) < 0.01  # standard error of the mean ~0.001
    basis = np.linalg.svd(design, full_matrices=False)[0]
    residuals = y - basis @ (basis.T @ y)
    raw = np.sum(residuals[:-1] * residuals[1:], axis=0) / np.sum(residuals**2, axis=0)
    assert raw.mean() < phi - 0.05  # the drifts pull the plain estimate towards 0


def test_expected_residual_autocorrelation_matches_the_matrix_formula():
    n_volumes = 80
    design = task_design(block_events(n_volumes), n_volumes, T_R).to_numpy(dtype=float)
    basis = np.linalg.svd(design, full_matrices=False)[0]
    residual_maker = np.eye(n_volumes) - basis @ basis.T
    phis = np.array([-0.4, 0.0, 0.3, 0.8])
    expected = []
    for phi in phis:
        covariance = residual_maker @ linalg.toeplitz(phi ** np.arange(n_volumes)) @ residual_maker
        expected.append(np.trace(covariance, offset=1) / np.trace(covariance))
    assert np.allclose(expected_residual_autocorrelation(basis, phis), expected, atol=1e-12)


def test_several_contrasts_and_q_over_sets_per_contrast():
    n_volumes = 200
    events = block_events(n_volumes)
    values = pd.DataFrame(ar1_noise(np.random.default_rng(3), n_volumes, 5, 0.3), columns=list("abcde"))
    task_only = events[events["trial_type"] == "task"]  # rest is the implicit baseline: "task" is a contrast
    assert local_contrasts(values, task_only, T_R, "task")["p"].notna().all()
    table = local_contrasts({"o_info": values}, events, T_R, ["task - rest", "rest - task"])
    assert table["contrast"].tolist() == ["task - rest"] * 5 + ["rest - task"] * 5
    assert np.allclose(table["t"].to_numpy()[:5], -table["t"].to_numpy()[5:])
    for _, rows in table.groupby("contrast"):
        p = rows["p"].to_numpy()
        assert np.allclose(rows["q"], stats.false_discovery_control(p))
    assert np.allclose(np.abs(table["z"]), stats.norm.isf(table["p"] / 2))
    assert np.allclose(table["p"], 2 * stats.t.sf(np.abs(table["t"]), table["dof"]))


def test_a_set_with_non_finite_or_constant_values_is_never_labelled():
    n_volumes = 200
    events = block_events(n_volumes)
    values = ar1_noise(np.random.default_rng(4), n_volumes, 3, 0.3)
    values[:, 1] = np.inf
    table = local_contrasts(pd.DataFrame(values), events, T_R, "task - rest")
    assert np.isnan(table.loc[1, "p"]) and table.loc[1, "label"] == "n.s."
    assert np.isfinite(table.loc[[0, 2], "p"]).all()
    values[:, 1] = 0.7  # constant: its residuals are rounding noise, which gave a spurious t
    table = local_contrasts(pd.DataFrame(values), events, T_R, "task - rest")
    assert np.isnan(table.loc[1, "p"]) and table.loc[1, "label"] == "n.s."


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"contrasts": "task - fixation"}, "not an expression of the design's columns"),
        ({"contrasts": []}, "no contrast given"),
        ({"contrasts": "task"}, "leave no baseline"),  # task and rest fill the run: only their difference counts
        ({"contrasts": "task - rest + c", "confounds": pd.DataFrame({"c": np.full(100, 2.0)})}, "not estimable"),
        ({"contrasts": "task - task"}, "is zero"),
        ({"contrasts": "task - rest", "noise_model": "ar2"}, "noise_model='ar2' is not known"),
        ({"contrasts": "task - rest", "t_r": 0.0}, "give the repetition time"),
    ],
)
@pytest.mark.filterwarnings("ignore:Matrix is singular")
def test_bad_contrasts_raise_naming_the_fix(kwargs, message):
    n_volumes = 100
    values = pd.DataFrame(np.random.default_rng(5).standard_normal((n_volumes, 2)))
    arguments = {"t_r": T_R, **kwargs}
    with pytest.raises(ValueError, match=message):
        local_contrasts(values, block_events(n_volumes), **arguments)


def test_local_values_and_design_must_have_the_same_volumes():
    values = pd.DataFrame(np.random.default_rng(6).standard_normal((100, 2)))
    with pytest.raises(ValueError, match="local values have 100 volumes and the design 90"):
        fit_local_glm(values, task_design(block_events(90), 90, T_R), "task - rest")


def test_group_contrast_is_the_one_sample_t_test_of_subject_effects():
    n_volumes, n_subjects = 200, 8
    events = block_events(n_volumes)
    design = task_design(events, n_volumes, T_R)
    rng = np.random.default_rng(7)
    tables = []
    for _ in range(n_subjects):
        values = 0.3 * ar1_noise(rng, n_volumes, 4, 0.4)
        values[:, 0] -= 0.15 * design["task"].to_numpy()  # every subject: set 0 more synergistic in task
        tables.append(local_contrasts(pd.DataFrame(values, columns=["s0", "s1", "s2", "s3"]), events, T_R,
                                      "task - rest"))
    group = group_local_contrasts(tables)
    effects = np.array([t["effect"].to_numpy() for t in tables])  # (subjects, sets)
    expected = stats.ttest_1samp(effects, 0.0, axis=0)
    assert group["set"].tolist() == ["s0", "s1", "s2", "s3"]
    assert np.allclose(group["t"], expected.statistic) and np.allclose(group["p"], expected.pvalue)
    assert np.allclose(group["effect"], effects.mean(axis=0))
    assert (group["n_subjects"] == n_subjects).all() and (group["dof"] == n_subjects - 1).all()
    assert group.loc[0, "label"] == "synergistic"
    with pytest.raises(ValueError, match="needs two or more subjects"):
        group_local_contrasts(tables[:1])
    tables[0].loc[3, "effect"] = np.nan  # a set one subject could not estimate: tested on the others
    tables[1] = tables[1].drop(index=2)  # a set missing from one subject's table
    partial = group_local_contrasts(tables)
    assert partial["n_subjects"].tolist() == [n_subjects, n_subjects, n_subjects - 1, n_subjects - 1]
    assert np.isclose(partial.loc[3, "effect"], effects[1:, 3].mean())


def test_episode_statistics_on_a_known_sequence():
    values = np.array([-1, -1, 1, -1, 1, 1, -1, -1, -1, 1.0])[:, None]
    share, duration = episode_statistics(np.hstack([values, np.abs(values)]))
    assert share.tolist() == [0.6, 0.0]
    assert duration[0] == 2.0 and np.isnan(duration[1])  # 6 negative volumes in 3 episodes; none


@pytest.mark.parametrize("estimator", ["gaussian", "gaussian-copula"])
def test_synergy_episodes_find_a_synergistic_set_and_not_an_independent_one(estimator):
    rng = np.random.default_rng(8)
    data = rng.standard_normal((400, 6))
    data[:, 2] = 0.8 * (data[:, 0] + data[:, 1]) / np.sqrt(2) + 0.6 * data[:, 2]
    table = synergy_episodes(data, [(0, 1, 2), (3, 4, 5)], estimator=estimator, n_surrogates=49)
    assert table.loc[0, "synergy_share"] > table.loc[0, "share_null"]
    assert table.loc[0, "share_p"] == pytest.approx(1 / 50) and table.loc[0, "duration_p"] <= 0.06
    assert table.loc[1, "share_p"] > 0.05


def test_synergy_episodes_null_comes_from_the_same_estimator():
    """The surrogates' local values are the estimator's own: on skewed data the copula's null is its own."""
    from fmri_oinfo.stats.surrogates import make_surrogates

    rng = np.random.default_rng(9)
    data = rng.exponential(size=(300, 4)) ** 2  # far from Gaussian marginals
    sets = [(0, 1, 2), (1, 2, 3)]
    nulls = {}
    for estimator in ("gaussian", "gaussian-copula"):
        table = synergy_episodes(data, sets, estimator=estimator, n_surrogates=9, seed=3)
        surrogates = make_surrogates(data, 9, "circular", np.random.default_rng(3))
        by_hand = np.stack([local_oinfo(s, sets, estimator=estimator)["o_info"].to_numpy() for s in surrogates])
        share, _ = episode_statistics(by_hand)
        assert np.allclose(table["share_null"], share.mean(axis=0))
        nulls[estimator] = table["share_null"].to_numpy()
    assert not np.allclose(nulls["gaussian"], nulls["gaussian-copula"])
