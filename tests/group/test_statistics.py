"""Group statistics: exact sign flips, false positive rate over many null studies, power, effect sizes,
baselines, directions, reachability, pooling."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from fmri_oinfo import estimate_oinfo
from fmri_oinfo.stats import benjamini_hochberg, closed_form_o_info
from fmri_oinfo.stats.group import (
    cohort_difference_table,
    difference_as_results,
    difference_directions,
    group_mean_table,
    hedges_correction,
    one_sample_test,
    two_sample_test,
)
from fmri_oinfo.stats.pooled import pool_series, pooled_cohort_difference

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


def test_unequal_spreads_do_not_inflate_the_between_cohort_false_positive_rate() -> None:
    """Welch's t permuted keeps its level where the plain difference of means does not.

    1,000 null studies of 16 vs 8 subjects with equal means and the smaller
    cohort's SD 3 times larger: permuting ``mean_A - mean_B`` rejected about
    15 % of them at 0.05 (0.157 [0.141, 0.173] over 2,000 in
    ``benchmarks/cohort_welch_calibration.py``), Welch's t about 7 %.
    """
    rng = np.random.default_rng(12)
    in_a = np.arange(24) < 16
    values = rng.standard_normal((24, 1000))  # (S, studies)
    values[~in_a] *= 3.0
    p = two_sample_test(values, in_a, n_permutations=499, seed=2).p
    assert (p < 0.05).mean() < 0.095


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
    baselines = np.zeros_like(values)
    sets = pd.DataFrame({"set": [(f"R{i}", "X", "Y") for i in range(6)], "order": 3, "chosen_by": "user"})
    mean = group_mean_table(sets, values, baselines, n_permutations=999)
    np.testing.assert_allclose(mean["q_value"], benjamini_hochberg(mean["p_value"].to_numpy()))
    assert mean.loc[0, "label"] == "synergistic" and mean.loc[0, "q_value"] < 0.05
    diff = cohort_difference_table(sets, values, baselines, cohorts, "a", "b", n_permutations=999)
    assert diff.attrs["cohort_a"] == "a" and diff.loc[2, "label"] == "higher in A"
    assert diff.loc[2, "difference"] == pytest.approx(values[cohorts == "a", 2].mean() - values[cohorts == "b", 2].mean())
    assert mean.attrs["reachable"] and diff.attrs["reachable"]


def test_each_subject_is_tested_against_its_own_baseline() -> None:
    """Estimator bias is not an effect: values that only differ from 0 by each subject's baseline give nothing.

    The baselines differ between subjects (as the bias of a short or smooth run does); tested against 0
    instead, every set would be significant.
    """
    rng = np.random.default_rng(12)
    baselines = -0.02 * rng.uniform(0.5, 1.5, size=(14, 1)) * np.ones((1, 5))  # (S, G) each subject's bias
    values = baselines + 0.002 * rng.standard_normal((14, 5))
    values[:, 4] -= 0.01  # one real synergistic effect beyond the bias
    sets = pd.DataFrame({"set": [(f"R{i}", "X", "Y") for i in range(5)], "order": 3, "chosen_by": "user"})
    table = group_mean_table(sets, values, baselines, n_permutations=1999)
    assert table["label"].tolist() == ["n.s."] * 4 + ["synergistic"]
    np.testing.assert_allclose(table["o_info"] - table["o_info_baseline"], table["o_info_effect"], atol=1e-15)
    assert (group_mean_table(sets, values, None, n_permutations=1999)["q_value"] < 0.05).all()  # the old test
    assert table.attrs["baseline"] == "each subject's surrogate null mean"


def test_differences_are_named_by_their_direction() -> None:
    """Less synergy in patients is "control > patient, synergy", never redundancy."""
    rng = np.random.default_rng(13)
    cohorts = np.array(["control", "patient"] * 8, dtype=object)
    values = 0.01 * rng.standard_normal((16, 4))
    values[:, 0] -= 0.5  # both cohorts synergistic ...
    values[cohorts == "patient", 0] += 0.3  # ... patients less so
    values[cohorts == "patient", 1] += 0.4  # redundancy in patients only
    values[cohorts == "patient", 2] -= 0.4  # synergy in patients only
    sets = pd.DataFrame({"set": [(f"R{i}", "X", "Y") for i in range(4)], "order": 3, "chosen_by": "user"})
    table = cohort_difference_table(sets, values, np.zeros_like(values), cohorts, "control", "patient",
                                    n_permutations=999)
    assert table["direction"].tolist() == ["control > patient, synergy", "patient > control, redundancy",
                                           "patient > control, synergy", ""]
    assert table.loc[0, "label"] == "higher in B"  # higher O-information in patients: less synergy
    maps = difference_as_results(table)
    assert maps["label"].tolist() == ["synergistic", "redundant", "synergistic", "n.s."]
    assert (np.sign(maps["o_info"].iloc[:3]) == [-1, 1, -1]).all()
    assert set(difference_directions(table)) == {"control > patient, synergy", "patient > control, redundancy",
                                                 "patient > control, synergy"}


def test_a_design_that_cannot_reach_alpha_says_why() -> None:
    values = -np.ones((3, 4)) - 0.01 * np.arange(12).reshape(3, 4)  # as strong as can be
    sets = pd.DataFrame({"set": [(f"R{i}", "X", "Y") for i in range(4)], "order": 3, "chosen_by": "user"})
    table = group_mean_table(sets, values, np.zeros_like(values), n_permutations=999)
    assert (table["label"] == "n.s.").all() and table["p_value"].min() == pytest.approx(0.25)
    assert not table.attrs["reachable"] and table.attrs["smallest_p"] == pytest.approx(0.25)
    assert "3 subjects, sign-flip test: the smallest possible p-value is 0.25" in table.attrs["reachability_note"]
    diff = cohort_difference_table(sets, values, np.zeros_like(values), np.array(["a", "b", "a"], dtype=object),
                                   "a", "b", n_permutations=999)
    assert not diff.attrs["reachable"] and "2 a and 1 b subjects" in diff.attrs["reachability_note"]
    many = pd.DataFrame({"set": [(f"R{i}", "X", "Y") for i in range(60)], "order": 3, "chosen_by": "user"})
    ten = group_mean_table(many, -np.ones((10, 60)), np.zeros((10, 60)), n_permutations=999)
    # smallest p 2/2^10 = 0.002, times 60 sets > 0.05: a lone set cannot be labelled, but 3 together can
    # (BH: 0.12 / 3 = 0.04), and here all 60 are as strong as can be: every set is labelled
    assert ten.attrs["reachable"] and (ten["label"] != "n.s.").all() and (ten["q_value"] < 0.05).all()
    assert ("over 60 sets a lone set cannot reach q < alpha = 0.05 (it needs p <= 0.00083); sets are labelled only "
            "when at least 3 reach that p-value together") in ten.attrs["reachability_note"]


def test_two_sample_test_enumerates_every_split_when_few() -> None:
    values = np.array([[1.0], [1.1], [1.2], [0.0], [0.1], [0.2]])
    result = two_sample_test(values, np.arange(6) < 3, n_permutations=999)
    assert result.p[0] == pytest.approx(2 / 20)  # 20 splits; the observed one and its mirror reach |d|
    assert result.smallest_p == pytest.approx(2 / 20)


def test_o_information_from_pooled_correlation_equals_estimation_on_pooled_data() -> None:
    rng = np.random.default_rng(9)
    series = []
    for length in (120, 90, 150):
        x = rng.standard_normal((length, 5))
        x[:, 3] = x[:, 0] + x[:, 1] + 0.5 * x[:, 3]
        series.append(pd.DataFrame(x * rng.uniform(1, 3, 5) + 7, columns=list("ABCDE")))
    pooled = pool_series(series)
    sets = [("A", "B", "D"), ("A", "C", "E"), ("A", "B", "C", "D"), ("A", "B", "C", "D", "E")]
    expected = estimate_oinfo(pooled, sets)["o_info"].to_numpy()
    correlation = np.corrcoef(pooled.to_numpy(), rowvar=False)
    members = [np.array(["ABCDE".index(m) for m in g]) for g in sets]
    np.testing.assert_allclose(closed_form_o_info(correlation[None], members)[0], expected, rtol=1e-9, atol=1e-12)


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
    table = pooled_cohort_difference(series, cohorts, sets, "control", "patient", n_permutations=499)
    assert table.loc[0, "label"] == "higher in A" and table.loc[0, "q_value"] < 0.05
    assert table.loc[0, "direction"] == "patient > control, synergy"
    assert (table.loc[1:, "label"] == "n.s.").all()


def test_padded_sets_are_not_labelled_at_the_group_level() -> None:
    """A real set plus an unrelated region has the real set's mean and difference; each member must carry it.

    Member baselines are what each subject's pipeline reports: the set's O-information with that member
    alone shifted (near the real triplet's value for the padded member, near 0 for a real one).
    """
    rng = np.random.default_rng(14)
    n_subjects = 16
    cohorts = np.array(["control", "patient"] * 8, dtype=object)
    triplet = np.where(cohorts == "patient", -0.6, -0.1) + 0.02 * rng.standard_normal(n_subjects)  # (S,)
    values = np.column_stack([triplet, triplet + 0.005 * rng.standard_normal(n_subjects)])  # (S, 2): real, padded
    members = np.full((n_subjects, 2, 4), np.nan)
    members[:, 0, :3] = 0.01 * rng.standard_normal((n_subjects, 3))  # a real member shifted: no synergy left
    members[:, 1, :3] = 0.01 * rng.standard_normal((n_subjects, 3))
    members[:, 1, 3] = values[:, 1] + 0.005 * rng.standard_normal(n_subjects)  # the padded member shifted: no change
    sets = pd.DataFrame({"set": [("A", "B", "C"), ("A", "B", "C", "D")], "order": [3, 4], "chosen_by": "search"})
    baselines = np.zeros((n_subjects, 2))
    mean = group_mean_table(sets, values, baselines, n_permutations=1999, member_baselines=members)
    assert mean["label"].tolist() == ["synergistic", "n.s."] and mean["irreducible"].tolist() == [True, False]
    assert (mean["p_value"] < 0.001).all()  # the padded set's own test passes: only irreducibility stops it
    # q-values are over max(p_value, p_irreducible): the padded set's q is not significant either
    assert mean.loc[1, "q_value"] >= mean.loc[1, "p_irreducible"] > 0.05
    np.testing.assert_allclose(mean["q_value"], benjamini_hochberg(np.fmax(mean["p_value"], mean["p_irreducible"])),
                               rtol=1e-12)
    diff = cohort_difference_table(sets, values, baselines, cohorts, "control", "patient", n_permutations=1999,
                                   member_baselines=members)
    assert diff["direction"].tolist() == ["patient > control, synergy", ""]
    assert diff["irreducible"].tolist() == [True, False]
    assert diff.loc[1, "q_value"] >= diff.loc[1, "p_irreducible"] > 0.05
    unprotected = group_mean_table(sets, values, baselines, n_permutations=1999)
    assert unprotected["label"].tolist() == ["synergistic", "synergistic"]  # what the member test prevents
