"""assess_sets: planted sets found, false-positive rate near alpha, one estimator for every number."""

from functools import partial

import numpy as np
import pandas as pd
import pytest
from scipy.signal import lfilter

from fmri_oinfo import estimate_oinfo
from fmri_oinfo.estimators import CopulaOInfo, GaussianOInfo, estimator_from_name
from fmri_oinfo.stats import (
    RESULT_COLUMNS,
    Design,
    assess_sets,
    benjamini_hochberg,
    label_sets,
    reachability,
    stacked_o_info,
    surrogate_p_values,
)
from fmri_oinfo.stats.tail import smallest_reportable_p
from fmri_oinfo.synthetic import GroundTruthSystem, redundant_block, sum_triplet


def autocorrelated(x: np.ndarray, phi: float) -> np.ndarray:
    """AR(1)-filter every column: autocorrelation like fMRI, same lag-0 correlation."""
    return lfilter([1.0], [1.0, -phi], x, axis=0)


@pytest.fixture(scope="module")
def planted():
    """Regions 0-2 redundant, 3-5 synergistic, 6-8 independent; AR(1) with phi = 0.5."""
    system = GroundTruthSystem.from_blocks([redundant_block(3, 0.4), sum_triplet(1.0), np.eye(3)])
    names = [f"r{i}" for i in range(9)]
    data = pd.DataFrame(autocorrelated(system.sample(800, seed=4), 0.5), columns=names)
    return system, data


def test_planted_groups_are_significant_and_controls_are_not(planted):
    system, data = planted
    sets = [("r0", "r1", "r2"), ("r3", "r4", "r5"), ("r6", "r7", "r8"), ("r0", "r3", "r6")]
    candidates = pd.DataFrame({"set": sets, "order": 3, "chosen_by": ["a", "b", "c", "d"]})
    table = assess_sets(GaussianOInfo(), data, candidates, Design(n_surrogates=199, n_bootstrap=200), seed=0)
    assert list(table.columns) == list(RESULT_COLUMNS)
    assert table["label"].tolist() == ["redundant", "synergistic", "n.s.", "n.s."]
    assert (table["q_value"].iloc[:2] < 0.05).all() and (table["q_value"].iloc[2:] > 0.05).all()
    assert table["chosen_by"].tolist() == ["a", "b", "c", "d"]
    assert (table["inference"] == "per-set").all() and table["irreducible"].iloc[:2].all()
    assert table["carriers"].iloc[0] == ("r0", "r1", "r2") and table["carriers"].iloc[2] == ()
    truth = system.measures(np.array([[0, 1, 2], [3, 4, 5], [6, 7, 8], [0, 3, 6]]))["o_info"]
    # The true value lies in every 95 % block-bootstrap interval here.
    assert ((table["ci_low"] <= truth) & (truth <= table["ci_high"])).all()
    assert (table["ci_low"] < table["o_info"]).all() and (table["o_info"] < table["ci_high"]).all()
    assert (table["o_info_se"] > 0).all()
    observed = estimate_oinfo(data, sets)
    for column in ("o_info", "tc", "dtc", "s_info"):
        np.testing.assert_allclose(table[column], observed[column], rtol=1e-12)
    assert table.attrs["block_length"] == 9  # round(800 ** (1/3))


@pytest.mark.parametrize("surrogate", ["circular", "phase"])
def test_false_positive_rate_is_near_alpha_on_null_systems(surrogate):
    """400 independent tests: 20 null systems of 60 independent AR(1) regions, 20 disjoint triplets each.

    Under the null, P(p <= 0.05) = 0.05 exactly for exchangeable surrogates;
    the binomial standard deviation of the rate over 400 tests is 0.011, and
    the accepted band [0.02, 0.085] is about 3 of them either side.
    """
    rng = np.random.default_rng(11)
    sets = np.arange(60).reshape(20, 3)
    p_values = []
    for system in range(20):
        data = autocorrelated(rng.standard_normal((300, 60)), 0.6)
        table = assess_sets(GaussianOInfo(), data, sets.tolist(),
                            Design(n_surrogates=99, surrogate=surrogate, n_bootstrap=0), seed=system)
        p_values.append(table["p_value"].to_numpy())
    rate = (np.concatenate(p_values) <= 0.05).mean()
    assert 0.02 <= rate <= 0.085, rate


class RecordedCopula(CopulaOInfo):
    """The copula estimator without its lagged-correlation shortcut, recording the shape of every fit."""

    fits: list[tuple[int, int]] = []

    def _lagged_route(self, surrogate):
        return None

    def fit(self, X, sets=None, variables=None):
        RecordedCopula.fits.append(np.shape(X))
        return super().fit(X, sets, variables)


def test_one_estimator_answers_every_number(planted):
    """The one-estimator rule: observed value, both nulls and the bootstrap all come from the estimator given.

    Without the shortcut the estimator refits on stacked surrogates (its own
    ``null`` and ``resample``); with it, lagged correlations; both draw the
    same shifts, so every column agrees.
    """
    _, data = planted
    RecordedCopula.fits.clear()
    sets = [("r0", "r1", "r2"), ("r3", "r4", "r5")]
    shortcut = assess_sets(CopulaOInfo(), data, sets, Design(n_surrogates=19, n_bootstrap=5), seed=3)
    refitted = assess_sets(RecordedCopula(), data, sets, Design(n_surrogates=19, n_bootstrap=5), seed=3)
    shortcut.attrs, refitted.attrs = {}, {}
    pd.testing.assert_frame_equal(shortcut, refitted, check_like=False, check_exact=False, rtol=1e-9)
    calls = RecordedCopula.fits
    assert calls[0] == (800, 6)  # observed: only the regions in candidate sets, fitted once
    # set null: 6 columns x 19 surrogates; member nulls: 2 sets x 3 members x 19 surrogates of the
    # set's 3 columns; bootstrap: 6 columns x 5 resamples
    assert sum(shape[1] for shape in calls[1:]) == 6 * 19 + 2 * 3 * 19 * 3 + 6 * 5


def _o_info(values, sets):
    return estimate_oinfo(values, sets)["o_info"].to_numpy()


def test_stacking_datasets_is_exact():
    rng = np.random.default_rng(0)
    datasets = [rng.standard_normal((200, 5)) for _ in range(7)]
    sets = [np.array([0, 1, 2]), np.array([1, 2, 3, 4])]
    stacked = stacked_o_info(_o_info, iter(datasets), sets, max_columns=12)
    looped = np.array([estimate_oinfo(d, sets)["o_info"].to_numpy() for d in datasets])
    np.testing.assert_allclose(stacked, looped, rtol=1e-10, atol=1e-14)


def test_p_values_and_labels_by_hand():
    observed = np.array([0.5, 0.5, 0.1, np.nan])
    null = np.array([[0.6, 0.1, 0.2, 0.0], [-0.1, -0.7, 0.1, 0.0], [0.2, 0.3, -0.15, 0.0]])
    p, method = surrogate_p_values(observed, null, tail="empirical")
    np.testing.assert_allclose(p, [2 / 4, 1 / 4, 3 / 4, np.nan])
    assert method.tolist() == ["empirical"] * 3 + [""]
    labels = label_sets(np.array([0.3, -0.3, 0.3, np.nan, 0.3]), np.array([0.01, 0.04, 0.2, 0.0, 0.01]), 0.05,
                        irreducible=np.array([True, True, True, True, False]))
    assert labels.tolist() == ["redundant", "synergistic", "n.s.", "n.s.", "n.s."]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_surrogates": 0}, "n_surrogates=0: at least 1 surrogate"),
        ({"surrogate": "shuffle"}, "surrogate='shuffle' is not known"),
        ({"alpha": 1.5}, r"alpha=1.5 must lie in \(0, 1\)"),
        ({"n_bootstrap": -1}, "n_bootstrap=-1 must be 0"),
        ({"estimator": "gaussian"}, "give an estimator object"),
        ({"estimator": GaussianOInfo}, "give an estimator object"),
    ],
)
def test_bad_arguments_are_refused(planted, kwargs, message):
    _, data = planted
    with pytest.raises(ValueError, match=message):
        estimator = kwargs.pop("estimator", GaussianOInfo())
        assess_sets(estimator, data, [("r0", "r1", "r2")], Design(**{"n_surrogates": 9, "n_bootstrap": 0, **kwargs}))


def test_an_unknown_estimator_option_is_refused():
    with pytest.raises(ValueError, match=r"estimator='gaussian' has no option\(s\) \['bias'\]; its options are"):
        estimator_from_name("gaussian", bias=True)


def test_unknown_region_in_candidates_lists_close_matches(planted):
    _, data = planted
    with pytest.raises(ValueError, match=r"unknown region 'r10'\. Close matches: \['r1', 'r0'"):
        assess_sets(GaussianOInfo(), data, [("r10", "r1", "r2")], Design(n_surrogates=9, n_bootstrap=0))


def test_the_estimators_parameters_reach_every_number(planted):
    _, data = planted
    biased = assess_sets(GaussianOInfo(), data, [("r0", "r1", "r2")], Design(n_surrogates=9, n_bootstrap=0))
    corrected = assess_sets(GaussianOInfo(bias_correction=True), data, [("r0", "r1", "r2")],
                            Design(n_surrogates=9, n_bootstrap=0))
    reference = partial(estimate_oinfo, bias_correction=True)(data, [("r0", "r1", "r2")])
    assert corrected["o_info"].iloc[0] == pytest.approx(reference["o_info"].iloc[0], rel=1e-12)
    assert corrected["o_info"].iloc[0] != pytest.approx(biased["o_info"].iloc[0], rel=1e-6)


def test_return_null_gives_the_surrogates_behind_the_p_values(planted):
    _, data = planted
    sets = [("r0", "r1", "r2"), ("r3", "r4", "r5"), ("r6", "r7", "r8")]
    plain = assess_sets(GaussianOInfo(), data, sets, Design(n_surrogates=49, n_bootstrap=0), seed=3)
    table, null = assess_sets(GaussianOInfo(), data, sets,
                              Design(n_surrogates=49, n_bootstrap=0), seed=3, return_null=True)
    assert null.shape == (3, 49) and np.isfinite(null).all()
    pd.testing.assert_frame_equal(table, plain)  # asking for the null changes nothing else
    # the returned values reproduce every p-value exactly (two-sided: |O| against |null|)
    p, _ = surrogate_p_values(np.abs(table["o_info"].to_numpy()), np.abs(null.T))
    np.testing.assert_allclose(p, table["p_value"], rtol=0)
    # surrogates of independent regions sit near 0 and far below the redundant set's value
    assert np.abs(null).max() < 0.1 * table["o_info"].iloc[0]


class BrokenGaussian(GaussianOInfo):
    """Gives NaN for the second set of the observed data (6 regions), not of a surrogate."""

    def measures(self, sets, rows=None):
        table = super().measures(sets, rows)
        if self.values_.shape[1] == 6:
            table.columns["o_info"][1] = np.nan
        return table


def test_a_non_finite_estimate_is_never_a_label(planted):
    """NaN must not become "synergistic" (a comparison with NaN is never true)."""
    _, data = planted
    table = assess_sets(BrokenGaussian(), data, [("r0", "r1", "r2"), ("r3", "r4", "r5")],
                        Design(n_surrogates=99, n_bootstrap=0))
    assert table["label"].tolist() == ["redundant", "n.s."]
    assert np.isnan(table.loc[1, ["p_value", "p_irreducible", "q_value"]].to_numpy(float)).all()
    assert not table.loc[1, "irreducible"] and table.loc[1, "carriers"] == ()


def test_no_p_value_is_printed_below_the_smallest_reportable_one(planted):
    """The planted redundant triplet lies far beyond its null: the table holds the bound and says so.

    Before the bound the fitted tail gave such sets p-values down to 1e-16;
    now ``p_value`` is ``attrs["smallest_reportable_p"]`` (1 / (10 (1 + R)))
    with ``p_value_is_bound``, and no p-value of the table is lower.
    """
    _, data = planted
    sets = [("r0", "r1", "r2"), ("r6", "r7", "r8")]
    table = assess_sets(GaussianOInfo(), data, sets, Design(n_surrogates=199, n_bootstrap=0), seed=0)
    bound = table.attrs["smallest_reportable_p"]
    assert bound == pytest.approx(1 / (10 * 200))
    assert table["p_value_is_bound"].tolist() == [True, False]
    assert table["p_value"].iloc[0] == bound and (table["p_value"] >= bound).all()
    assert table["p_irreducible_is_bound"].iloc[0] == (table["p_irreducible"].iloc[0] == 2 * bound)
    assert (table["p_irreducible"].dropna() >= 2 * bound).all()  # a member's p is twice its one-sided p
    assert not table["p_irreducible_is_bound"].iloc[1]


def test_progress_counts_the_sets_each_fit_scored(planted):
    """The callback that replaced the tracked estimator: the data's fit, then every refit on stacked datasets."""
    _, data = planted
    sets = [("r0", "r1", "r2"), ("r3", "r4", "r5")]
    counts: list[int] = []
    assess_sets(GaussianOInfo(), data, sets, Design(n_surrogates=3, n_bootstrap=0), progress=counts.append)
    assert counts == [2]  # circular shifts of a closed form: lagged correlations, no refit
    counts.clear()
    assess_sets(GaussianOInfo(), data, sets, Design(surrogate="phase", n_surrogates=3, n_bootstrap=2),
                progress=counts.append)
    # data 2 + set null 3 x 2 + member nulls 2 sets x 3 members x 3 + bootstrap 2 x 2
    assert sum(counts) == 2 + 6 + 18 + 4


def test_reachability_says_what_the_design_cannot_label_and_never_contradicts_bh():
    """The HCP case: 300 sets with 999 surrogates (gpd) cannot label a lone set, but k sets together can."""
    floor = 2 * smallest_reportable_p(999, "gpd")  # p irreducible's floor: 2e-4
    reachable, note = reachability(300, 999, "gpd", 0.05)
    assert reachable and "a lone strong set's q-value is at least 0.06 >= alpha = 0.05" in note
    assert "labelled only when at least 2 reach that floor together" in note
    # oracle: BH of k sets at the floor among 300 (the rest p = 1)
    for k, labelled in ((1, False), (2, True)):
        q = benjamini_hochberg(np.r_[np.full(k, floor), np.ones(300 - k)])
        assert (q[0] < 0.05) == labelled
    # no set at all: even every set at the floor gives q = floor >= alpha
    reachable, note = reachability(5, 19, "empirical", 0.05)  # floor 2 / 20 = 0.1
    assert not reachable and "no set can be labelled, however strong; use at least 200 surrogates" in note
    assert benjamini_hochberg(np.full(5, 0.1)).min() >= 0.05
    assert reachability(10, 999, "gpd", 0.05) == (True, "")  # 10 x 2e-4 < 0.05: a lone set can
