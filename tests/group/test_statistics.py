"""Group statistics: exact sign flips, false positive rate over many null studies, power, effect sizes, pooling."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from fmri_oinfo import estimate_oinfo
from fmri_oinfo.group.pooling import gaussian_o_info_from_correlation, pool_series, pooled_difference_table
from fmri_oinfo.group.statistics import (
    cohort_difference_table,
    group_mean_table,
    hedges_correction,
    one_sample_test,
    two_sample_test,
)
from fmri_oinfo.stats import benjamini_hochberg

#: Null studies per false-positive-rate test; binomial SE of the rate at 0.05 is 0.0049.
N_NULL_STUDIES = 2000
FPR_TOLERANCE = 0.015  # three binomial standard errors


def test_exact_sign_flip_p_value_matches_enumeration() -> None:
    values = np.array([[0.9], [0.4], [1.3], [-0.2], [0.7]])
    result = one_sample_test(values, n_permutations=999)
    means = [abs(np.dot(signs, values[:, 0]) / 5) for signs in itertools.product((1, -1), repeat=5)]
    expected = np.mean(np.array(means) >= abs(values.mean()) - 1e-15)
    assert result.p[0] == pytest.approx(expected, abs=1e-12)
    # the identity, flipping -0.2 (larger mean) and their two mirror images reach |mean|
    assert result.p[0] == pytest.approx(4 / 32, abs=1e-12)


@pytest.mark.parametrize("test", ["one", "two"])
def test_false_positive_rate_over_many_null_studies(test: str) -> None:
    rng = np.random.default_rng(11)
    values = rng.standard_normal((20, N_NULL_STUDIES)) * rng.uniform(0.5, 2.0, N_NULL_STUDIES)  # (S, studies)
    if test == "one":
        p = one_sample_test(values, n_permutations=999, seed=1).p
    else:
        p = two_sample_test(values, np.arange(20) % 2 == 0, n_permutations=999, seed=1).p
    assert abs((p < 0.05).mean() - 0.05) < FPR_TOLERANCE
    assert abs((p < 0.20).mean() - 0.20) < 3 * np.sqrt(0.2 * 0.8 / N_NULL_STUDIES)


def test_planted_effects_are_found_and_seeds_reproduce() -> None:
    rng = np.random.default_rng(3)
    values = rng.standard_normal((20, 50))
    values[:, 0] -= 1.2  # mean below zero
    in_a = np.arange(20) < 10
    values[in_a, 1] += 2.5  # cohort A higher
    one = one_sample_test(values, 1999, seed=4)
    two = two_sample_test(values, in_a, 1999, seed=4)
    assert one.p[0] <= 2 / 2000 and two.p[1] < 0.01
    assert np.array_equal(two.p, two_sample_test(values, in_a, 1999, seed=4).p)


def test_effect_sizes_and_intervals_follow_their_formulas() -> None:
    rng = np.random.default_rng(5)
    values = rng.normal(0.3, 1.0, size=(13, 4))
    in_a = np.arange(13) < 6
    one = one_sample_test(values, 499, alpha=0.05)
    sd = values.std(axis=0, ddof=1)
    np.testing.assert_allclose(one.cohen_d, values.mean(axis=0) / sd, rtol=1e-12)
    np.testing.assert_allclose(one.hedges_g, one.cohen_d * (1 - 3 / (4 * 12 - 1)), rtol=1e-12)
    from scipy import stats

    t = stats.t.ppf(0.975, 12)
    np.testing.assert_allclose(one.ci_high - one.mean, t * sd / np.sqrt(13), rtol=1e-12)
    two = two_sample_test(values, in_a, 499)
    a, b = values[in_a], values[~in_a]
    pooled = np.sqrt((5 * a.var(axis=0, ddof=1) + 6 * b.var(axis=0, ddof=1)) / 11)
    np.testing.assert_allclose(two.cohen_d, (a.mean(0) - b.mean(0)) / pooled, rtol=1e-12)
    np.testing.assert_allclose(two.hedges_g, two.cohen_d * (1 - 3 / (4 * 13 - 9)), rtol=1e-12)
    assert hedges_correction(np.array([10.0]))[0] == pytest.approx(1 - 3 / 39)


def test_missing_subjects_equal_dropping_them() -> None:
    rng = np.random.default_rng(6)
    values = rng.standard_normal((12, 2))
    values[3, 1] = np.nan
    one = one_sample_test(values, 999, seed=2)
    dropped = one_sample_test(np.delete(values[:, 1:], 3, axis=0), 999)
    assert one.n.tolist() == [12, 11]
    assert one.mean[1] == pytest.approx(dropped.mean[0]) and one.cohen_d[1] == pytest.approx(dropped.cohen_d[0])
    with pytest.raises(ValueError, match="both cohorts"):
        two_sample_test(values, np.ones(12, bool))


def test_tables_carry_q_values_labels_and_cohort_names() -> None:
    rng = np.random.default_rng(8)
    values = rng.standard_normal((16, 6))
    values[:, 0] -= 2.0
    cohorts = np.array(["b", "a"] * 8, dtype=object)
    values[cohorts == "a", 2] += 2.0
    sets = pd.DataFrame({"set": [(f"R{i}", "X", "Y") for i in range(6)], "order": 3, "chosen_by": "user"})
    mean = group_mean_table(sets, values, n_permutations=999)
    np.testing.assert_allclose(mean["q_value"], benjamini_hochberg(mean["p_value"].to_numpy()))
    assert mean.loc[0, "label"] == "synergistic" and mean.loc[0, "q_value"] < 0.05
    diff = cohort_difference_table(sets, values, cohorts, "a", "b", n_permutations=999)
    assert diff.attrs["cohort_a"] == "a" and diff.loc[2, "label"] == "higher in A"
    assert diff.loc[2, "difference"] == pytest.approx(values[cohorts == "a", 2].mean() - values[cohorts == "b", 2].mean())


def test_o_information_from_pooled_correlation_equals_estimation_on_pooled_data() -> None:
    rng = np.random.default_rng(9)
    series = []
    for length in (120, 90, 150):
        x = rng.standard_normal((length, 5))
        x[:, 3] = x[:, 0] + x[:, 1] + 0.5 * x[:, 3]
        series.append(pd.DataFrame(x * rng.uniform(1, 3, 5) + 7, columns=list("ABCDE")))
    pooled = pool_series(series)
    sets = [("A", "B", "D"), ("A", "C", "E"), ("A", "B", "C", "D")]
    expected = estimate_oinfo(pooled, sets)["o_info"].to_numpy()
    correlation = np.corrcoef(pooled.to_numpy(), rowvar=False)
    for order in (3, 4):
        rows = [i for i, g in enumerate(sets) if len(g) == order]
        members = np.array([["ABCDE".index(m) for m in sets[i]] for i in rows])
        np.testing.assert_allclose(gaussian_o_info_from_correlation(correlation, members), expected[rows],
                                   rtol=1e-9, atol=1e-12)


def test_pooled_between_cohort_test_finds_a_planted_difference() -> None:
    rng = np.random.default_rng(10)
    series, cohorts = [], []
    for k in range(12):
        x = rng.standard_normal((150, 5))
        if k % 2:
            x[:, 2] = x[:, 0] + x[:, 1] + 0.5 * x[:, 2]
        series.append(pd.DataFrame(x, columns=list("ABCDE")))
        cohorts.append("patient" if k % 2 else "control")
    sets = pd.DataFrame({"set": [("A", "B", "C"), ("A", "D", "E"), ("B", "D", "E")], "order": 3, "chosen_by": "user"})
    table = pooled_difference_table(series, cohorts, sets, "control", "patient", n_permutations=499)
    assert table.loc[0, "label"] == "higher in A" and table.loc[0, "q_value"] < 0.05
    assert (table.loc[1:, "label"] == "n.s.").all()
