"""Effect size O/S, the label's interval and min_effect: a label never contradicts the interval beside it."""

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from fmri_oinfo import estimate_oinfo
from fmri_oinfo.estimators import GaussianOInfo
from fmri_oinfo.stats import Design, assess_sets, effect_ratio, label_interval, label_level, label_sets
from fmri_oinfo.synthetic import GroundTruthSystem, random_correlation, redundant_block, sum_triplet

#: A triplet whose regions are all correlated (0.5, 0.5, 1/7) but whose true O-information is exactly 0:
#: the surrogate test rightly says "more than independent", yet its sign is noise.
ZERO_O = np.array([[1.0, 0.5, 0.5], [0.5, 1.0, 1.0 / 7.0], [0.5, 1.0 / 7.0, 1.0]])


def test_effect_ratio_is_o_over_s_within_its_bound_for_every_order():
    # |O/S| <= (n - 2) / n, since DTC / (n - 1) <= TC <= (n - 1) DTC; at the truth of planted blocks too.
    data = GroundTruthSystem(scale=random_correlation(8, seed=3, strength=1.2)).sample(2000, seed=1)
    for order in (3, 4, 5):
        sets = [tuple(range(s, s + order)) for s in range(8 - order + 1)]
        table = estimate_oinfo(pd.DataFrame(data), sets)
        ratio = effect_ratio(table["o_info"], table["s_info"])
        np.testing.assert_allclose(ratio, table["o_info"] / table["s_info"], rtol=1e-12)
        assert (np.abs(ratio) <= (order - 2) / order + 1e-12).all()
    truth = GroundTruthSystem(scale=redundant_block(4, 0.25)).measures(np.array([[0, 1, 2, 3]]))
    assert effect_ratio(truth["o_info"], truth["s_info"])[0] == pytest.approx(0.1362, abs=1e-4)
    assert np.isnan(effect_ratio(np.array([0.1, np.nan]), np.array([0.0, 1.0]))).all()


def test_label_level_and_interval_are_the_false_coverage_adjusted_normal_interval():
    assert label_level(5, 100, 0.05) == pytest.approx(1 - 5 * 0.05 / 100)
    assert label_level(0, 100, 0.05) == label_level(1, 100, 0.05)
    low, high = label_interval(np.array([1.0]), np.array([0.5]), 0.95)
    z = norm.ppf(0.975)
    assert (low[0], high[0]) == pytest.approx((1 - 0.5 * z, 1 + 0.5 * z))
    with pytest.raises(ValueError, match="level"):
        label_interval(np.array([1.0]), np.array([0.5]), 1.0)


def test_label_sets_need_the_interval_on_the_sign_side_and_the_effect():
    o_info = np.array([0.3, 0.3, -0.3, -0.3, 0.3, 0.3])
    q = np.full(6, 0.01)
    low = np.array([0.1, -0.1, -0.5, -0.5, np.nan, 0.1])
    high = np.array([0.5, 0.7, -0.1, 0.1, np.nan, 0.5])
    effect = np.array([0.2, 0.2, -0.2, -0.2, 0.2, 0.01])
    labels = label_sets(o_info, q, 0.05, None, effect, 0.02, (low, high))
    assert labels.tolist() == ["redundant", "n.s.", "synergistic", "n.s.", "redundant", "n.s."]


def test_a_dependent_set_with_zero_o_information_is_not_labelled_although_its_surrogate_test_rejects():
    system = GroundTruthSystem.from_blocks([ZERO_O, redundant_block(3, 0.4), sum_triplet(1.0)])
    assert system.measures(np.array([[0, 1, 2]]))["o_info"][0] == pytest.approx(0.0, abs=1e-12)
    data = pd.DataFrame(system.sample(600, seed=0), columns=list("abcdefghi"))
    table = assess_sets(GaussianOInfo(), data, [("a", "b", "c"), ("d", "e", "f"), ("g", "h", "i")],
                        Design(n_surrogates=99, n_bootstrap=60, min_effect=0.0),
                        seed=0)  # the interval alone decides here
    # The surrogate test alone would label the zero-O set (it is more than independent, and irreducible) ...
    assert table["q_value"].iloc[0] < 0.05 and table["irreducible"].iloc[0]
    # ... but its interval at the label's level holds 0, so it is not labelled.
    assert table["label_ci_low"].iloc[0] < 0 < table["label_ci_high"].iloc[0]
    assert table["label"].tolist() == ["n.s.", "redundant", "synergistic"]
    level = table.attrs["label_ci_level"]
    assert level == pytest.approx(1 - 3 * 0.05 / 3)  # all three were selected by the FDR step
    z = norm.ppf(0.5 + level / 2)
    np.testing.assert_allclose(table["label_ci_high"] - table["o_info"], z * table["o_info_se"], rtol=1e-12)
    # Every labelled set's interval excludes 0 on its sign's side.
    assert table["label_ci_low"].iloc[1] > 0 and table["label_ci_high"].iloc[2] < 0
    np.testing.assert_allclose(table["o_info_ratio"], table["o_info"] / table["s_info"], rtol=1e-12)


def test_min_effect_drops_labels_below_it_and_is_recorded():
    system = GroundTruthSystem.from_blocks([redundant_block(3, 0.4), sum_triplet(1.0)])
    data = pd.DataFrame(system.sample(600, seed=1), columns=list("abcdef"))
    sets = [("a", "b", "c"), ("d", "e", "f")]
    plain = assess_sets(GaussianOInfo(), data, sets, Design(n_surrogates=99, n_bootstrap=40), seed=0)
    assert plain["label"].tolist() == ["redundant", "synergistic"]
    cut = float(np.mean(np.abs(plain["o_info_ratio"])))  # between the two effect sizes: keeps the larger
    strict = assess_sets(GaussianOInfo(), data, sets, Design(n_surrogates=99, n_bootstrap=40, min_effect=cut), seed=0)
    kept = np.abs(plain["o_info_ratio"]) >= cut
    assert (strict["label"] != "n.s.").tolist() == kept.tolist() and kept.sum() == 1
    assert strict.attrs["min_effect"] == cut
    with pytest.raises(ValueError, match="min_effect"):
        assess_sets(GaussianOInfo(), data, sets, Design(n_surrogates=9, n_bootstrap=0, min_effect=1.5))
