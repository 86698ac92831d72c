"""The subject model's bookkeeping: folds, the Gaussian part, standard errors, inputs."""

import numpy as np
import pandas as pd
import pytest

from fmri_oinfo import estimate_oinfo
from fmri_oinfo.engine import SubjectFlowModel
from fmri_oinfo.engine.subject import fold_members
from fmri_oinfo.estimators.gaussian import GaussianEstimator
from fmri_oinfo.measures import measures_from_tc, subset_plan
from fmri_oinfo.synthetic import GroundTruthSystem, MultiplicativeSystem, random_correlation

TINY = dict(steps=30, eval_every=10, min_steps=0, width=16, context_dim=16, embed_dim=4, batch_size=64, time_draws=2,
            eval_size=128, folds=3, ensemble=2)


@pytest.fixture(scope="module")
def data():
    return GroundTruthSystem(random_correlation(6, seed=0, strength=1.0), nu=5).sample(600, seed=0)


@pytest.fixture(scope="module")
def model(data):
    return SubjectFlowModel(device="cpu", **TINY).fit(data, sets=[(0, 1, 2), (2, 3, 4, 5)])


def test_every_row_is_held_out_exactly_once_per_replicate():
    folds = fold_members(1000, folds=5, ensemble=3)  # (E, T)
    for replicate in folds:
        assert sorted(np.bincount(replicate).tolist()) == [200] * 5
        # contiguous blocks (up to the wrap-around of a shifted replicate)
        assert (np.diff(replicate) != 0).sum() <= 5
    assert not (folds[0] == folds[1]).all()  # replicates hold out different neighbours


def test_a_zero_network_gives_the_gaussian_copula_answer(data):
    sets = [(0, 1, 2), (1, 3, 4, 5), (0, 2, 3, 4, 5)]
    model = SubjectFlowModel(device="cpu", **TINY).fit(data, sets=sets)
    for name in ("head_out.w", "head_out.b"):
        model.params_[name].zero_()
    model._values.clear()
    got = model.oinfo(sets)
    copula = GaussianEstimator(copula=True, device="cpu").fit(data)
    for k, members in enumerate(sets):
        plan = subset_plan(len(members))
        want = measures_from_tc(copula.total_correlations(np.array([members]), plan).tc, plan)
        for name in ("tc", "dtc", "o_info", "s_info"):
            assert got[name][k] == pytest.approx(want[name][0], abs=1e-9)
    assert (got["o_info_se"] > 0).all()  # the rows' own sampling variability


def test_answers_with_standard_errors(model):
    answer = model.oinfo([(0, 1, 2), (2, 3, 4, 5)], gradient=True)
    scalars = ("tc", "dtc", "o_info", "s_info")
    assert set(answer) == {f"{q}{part}" for q in scalars for part in ("", "_se", "_excess", "_excess_se")} | {
        "o_info_gradient", "o_info_gradient_se"}
    assert answer["o_info"].shape == (2,) and (answer["o_info_se"] > 0).all()
    np.testing.assert_allclose(answer["dtc"], answer["s_info"] - answer["tc"], atol=1e-12)
    np.testing.assert_allclose(answer["o_info"], answer["tc"] - answer["dtc"], atol=1e-12)
    assert [len(g) for g in answer["o_info_gradient"]] == [3, 4]


def test_the_excess_is_the_estimate_less_the_gaussian_copula_answer_of_the_same_rows(model, data):
    sets, rows = [(0, 1, 2), (2, 3, 4, 5)], np.arange(100, 400)
    copula = GaussianEstimator(copula=True, device="cpu").fit(data)
    for block in (None, rows):
        answer = model.oinfo(sets, rows=block)
        for k, members in enumerate(sets):
            plan = subset_plan(len(members))
            gaussian = measures_from_tc(copula.total_correlations(np.array([members]), plan).tc, plan)
            for name in ("tc", "dtc", "o_info"):
                if block is None:  # the Gaussian part of every row is the closed form of their correlation
                    assert answer[name][k] - answer[f"{name}_excess"][k] == pytest.approx(gaussian[name][0], abs=1e-9)
                assert 0 < answer[f"{name}_excess_se"][k] < answer[f"{name}_se"][k]  # no Gaussian part's spread
    # a zeroed network adds nothing: no excess, and nothing in its standard error but noise-free zeros
    zeroed = SubjectFlowModel(device="cpu", **TINY).fit(data, sets=sets)
    for name in ("head_out.w", "head_out.b"):
        zeroed.params_[name].zero_()
    answer = zeroed.oinfo(sets)
    np.testing.assert_allclose(answer["o_info_excess"], 0.0, atol=1e-12)
    np.testing.assert_allclose(answer["o_info_excess_se"], 0.0, atol=1e-12)
    # a network that never beat the Gaussian answer on held-out rows: excess 0 by construction, SE unknown
    zeroed.history_["best"] = [[1.0] * len(zeroed.history_["best"][0])] * 3
    zeroed._values.clear()
    answer = zeroed.oinfo(sets)
    assert (answer["o_info_excess"] == 0).all() and np.isnan(answer["o_info_excess_se"]).all()
    assert (answer["o_info_se"] > 0).all()  # the estimate keeps its rows' sampling error


def test_sets_it_was_not_trained_on_are_answered(model):
    answer = model.oinfo([(5, 0, 3)])
    assert np.isfinite(answer["o_info"]).all()
    value, se = model.conditional_mi(5, [0, 3])
    assert np.isfinite(value) and se > 0


def test_fixed_seed_gives_identical_numbers(data):
    run = lambda: SubjectFlowModel(device="cpu", seed=3, **TINY).fit(data, sets=[(0, 1, 2)]).oinfo([(0, 1, 2)])  # noqa: E731
    assert run()["o_info"][0] == run()["o_info"][0]


def test_members_may_be_named_by_a_table(data):
    frame = pd.DataFrame(data, columns=[f"r{i}" for i in range(6)])
    model = SubjectFlowModel(device="cpu", **TINY).fit(frame, sets=[("r0", "r1", "r2")])
    by_name = model.oinfo([("r0", "r1", "r2")])["o_info"][0]
    assert by_name == model.oinfo([(0, 1, 2)])["o_info"][0]
    with pytest.raises(ValueError, match="unknown region 'r9'"):
        model.oinfo([("r0", "r1", "r9")])


@pytest.mark.parametrize(
    "options, message",
    [
        (dict(no_such=1), "unknown FMMI option"),
        (dict(folds=1), "folds=1"),
        (dict(head="kde"), "head='kde'"),
        (dict(steps=0), "steps=0"),
    ],
)
def test_bad_options_are_value_errors(data, options, message):
    with pytest.raises(ValueError, match=message):
        SubjectFlowModel(**options).fit(data, sets=[(0, 1, 2)])


def test_bad_sets_and_data_are_value_errors(model, data):
    with pytest.raises(ValueError, match="distinct column indices"):
        model.oinfo([(0, 1, 1)])
    with pytest.raises(ValueError, match="distinct column indices"):
        model.oinfo([(0, 1, 9)])
    with pytest.raises(ValueError, match="at least 3"):
        model.oinfo([(0, 1)])
    with pytest.raises(ValueError, match="NaN"):
        SubjectFlowModel().fit(np.full((100, 3), np.nan))
    with pytest.raises(ValueError, match="rows"):
        SubjectFlowModel(folds=5).fit(data[:30], sets=[(0, 1, 2)])


def test_rows_average_the_same_model_over_a_block(model, data):
    """An answer on rows is the mean of the same per-row values: halves weighted by size give the whole run."""
    sets = [(0, 1, 2), (2, 3, 4, 5)]
    whole = model.oinfo(sets)
    every = model.oinfo(sets, rows=np.arange(len(data)))
    np.testing.assert_array_equal(every["o_info"], whole["o_info"])
    np.testing.assert_array_equal(every["o_info_se"], whole["o_info_se"])
    first, second = np.arange(200), np.arange(200, len(data))
    a, b = model.oinfo(sets, rows=first), model.oinfo(sets, rows=second)
    for name in ("tc", "o_info"):
        np.testing.assert_allclose((200 * a[name] + 400 * b[name]) / 600, whole[name], atol=1e-12)
    assert not np.allclose(a["o_info"], whole["o_info"])  # a block is its own estimate
    assert (a["o_info_se"] > whole["o_info_se"]).all()  # fewer rows, wider error


@pytest.mark.parametrize("rows", [np.arange(5), np.array([3, 2, 10, 11, 12, 13, 14, 15, 16, 17]),
                                  np.arange(590, 610), np.linspace(0, 1, 20)])
def test_bad_rows_are_value_errors(model, rows):
    with pytest.raises(ValueError, match="rows must"):
        model.oinfo([(0, 1, 2)], rows=rows)


def test_still_learning_reads_each_members_held_out_losses():
    from fmri_oinfo.engine.subject import still_learning

    stopped = np.array([[1.0, 1.0], [0.8, 1.0], [0.7, 1.0], [0.7, 1.0], [0.7, 1.0]])  # improved, then flat; never
    assert not still_learning(stopped, patience=2).any()  # a member that never beat the Gaussian answer is not learning
    climbing = np.array([[1.0], [0.9], [0.8], [0.7], [0.6]])
    assert still_learning(climbing, patience=2).all()
    assert still_learning(stopped[:2], patience=2).all()  # too few evaluations to tell


def test_training_cut_short_says_so(data):
    with pytest.warns(RuntimeWarning, match="still improving.*Raise `steps`"):
        SubjectFlowModel(device="cpu", **{**TINY, "steps": 1}).fit(data, sets=[(0, 1, 2)])


@pytest.mark.parametrize("ask", [lambda m: m.oinfo([(0, 1, 2)]), lambda m: m.conditional_mi(0, [1]),
                                 lambda m: m.mutual_information([0], [1])])
def test_asking_before_fit_is_a_not_fitted_error(ask):
    """Like scikit-learn's NotFittedError: a ValueError and an AttributeError that says to call fit."""
    from fmri_oinfo.exceptions import NotFittedError

    with pytest.raises(NotFittedError, match="SubjectFlowModel is not fitted yet; call its fit") as caught:
        ask(SubjectFlowModel(device="cpu", **TINY))
    assert isinstance(caught.value, ValueError) and isinstance(caught.value, AttributeError)



def test_replicates_that_disagree_widen_the_standard_error_by_their_disagreement():
    """The SE holds the spread between cross-fitting replicates, not only the rows' own variability.

    x3 = x1 x2 + noise: a short fit learns part of the TC (about 0.34 of
    1.13 nats, the Gaussian copula sees 0.005).  With one replicate's network
    then zeroed (it answers the Gaussian copula's TC), the two replicates'
    means are ``c`` and ``2 t - c`` for a reported ``t``, so their spread
    alone is ``|t - c|``, about 0.14 nats, while the rows' own sampling error
    and the learning shortfall together are about 0.016: the SE must be at least the
    spread (to rounding).
    """
    x = MultiplicativeSystem(0.3).sample(400, seed=0)
    options = dict(steps=300, eval_every=50, min_steps=0, width=32, context_dim=32, embed_dim=4, batch_size=128,
                   time_draws=4, eval_size=512, folds=2, ensemble=2)
    model = SubjectFlowModel(device="cpu", **options).fit(x, sets=[(0, 1, 2)])
    for name in ("head_out.w", "head_out.b"):
        model.params_[name][2:].zero_()  # members 2 and 3: the second replicate
    model._values.clear()
    answer = model.oinfo([(0, 1, 2)])
    copula = estimate_oinfo(x, [(0, 1, 2)], estimator="gaussian-copula")
    spread = abs(answer["tc"][0] - copula["tc"][0])
    assert spread > 0.1  # the replicates do disagree
    assert answer["tc_se"][0] >= spread * (1 - 1e-9)
