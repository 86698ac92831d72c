"""Local O-information: per-volume values that average to estimate_oinfo, and equal the analytic pointwise values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fmri_oinfo import SubjectFlowModel, estimate_oinfo, local_oinfo
from fmri_oinfo.engine.marginals import normal_scores
from fmri_oinfo.exceptions import DependentRegionsWarning
from fmri_oinfo.measures import SCALAR_QUANTITIES
from fmri_oinfo.synthetic import GroundTruthSystem, random_correlation

#: A tiny FMMI budget: the identities tested hold for any fitted model.
TINY_FMMI = dict(steps=30, eval_every=10, min_steps=0, width=16, context_dim=16, embed_dim=4, batch_size=64,
                 time_draws=2, eval_size=128, folds=3, ensemble=2, device="cpu")

#: Sets of mixed orders, the whole system among them.
SETS = [(0, 1, 2), (1, 3, 4), (0, 1, 2, 3), (0, 1, 2, 3, 4)]


@pytest.fixture(scope="module")
def system() -> GroundTruthSystem:
    return GroundTruthSystem(scale=random_correlation(5, seed=3))


@pytest.fixture(scope="module")
def sample(system: GroundTruthSystem) -> np.ndarray:
    """Correlated Gaussian rows, skewed by an exponential on one region (which only the copula undoes)."""
    x = system.sample(400, seed=1)
    x[:, 2] = np.exp(x[:, 2])
    return x


def _sample_correlation_system(scores: np.ndarray) -> GroundTruthSystem:
    corr = np.corrcoef(scores, rowvar=False)
    np.fill_diagonal(corr, 1.0)
    return GroundTruthSystem(scale=corr)


def _standard(x: np.ndarray) -> np.ndarray:
    return (x - x.mean(axis=0)) / x.std(axis=0)


@pytest.mark.parametrize("estimator", ["gaussian", "gaussian-copula"])
@pytest.mark.parametrize("bias_correction", [False, True])
@pytest.mark.parametrize("units", ["nats", "bits"])
def test_closed_form_local_values_average_to_estimate_oinfo(sample, estimator, bias_correction, units):
    local = local_oinfo(sample, SETS, estimator=estimator, units=units, bias_correction=bias_correction)
    table = estimate_oinfo(sample, SETS, estimator=estimator, units=units, bias_correction=bias_correction)
    assert set(local) == set(SCALAR_QUANTITIES)
    for name in SCALAR_QUANTITIES:
        frame = local[name]
        assert frame.shape == (400, len(SETS))
        assert list(frame.columns) == list(table["set"])  # columns named as estimate_oinfo names sets
        assert frame.attrs == {"units": units, "estimator": estimator}
        np.testing.assert_allclose(frame.mean().to_numpy(), table[name].to_numpy(), rtol=0, atol=1e-10)
    assert local["o_info"].to_numpy().std(axis=0).min() > 1e-3  # the values do vary over volumes


@pytest.mark.parametrize("estimator", ["gaussian", "gaussian-copula"])
def test_pointwise_values_are_the_log_density_ratios_of_the_sample_correlation(sample, estimator):
    """Against GroundTruthSystem's own pointwise densities (slogdet, solve), at the estimator's standard scores."""
    scores = _standard(normal_scores(sample) if estimator == "gaussian-copula" else sample)
    truth = _sample_correlation_system(scores)
    local = local_oinfo(sample, SETS, estimator=estimator)
    for j, members in enumerate(SETS):
        expected = truth.pointwise_set_measures(scores, np.array(members))
        for name in SCALAR_QUANTITIES:
            np.testing.assert_allclose(local[name].iloc[:, j].to_numpy(), expected[name], rtol=0, atol=1e-10)


def test_pointwise_values_approach_those_of_the_true_covariance(system):
    """Sample and true correlation (and the sample's mean and scale) differ by O(1/sqrt(T)), and a volume's
    quadratic form grows with |x_S|^2: every volume lies within 20 (1 + |x_S|^2) / sqrt(T) nats of the analytic
    pointwise value (the largest seen over seeds 0-3 at T = 5,000 and 20,000 was 13)."""
    n_samples = 5000
    x = system.sample(n_samples, seed=0)
    local = local_oinfo(x, SETS)
    for j, members in enumerate(SETS):
        truth = system.pointwise_set_measures(x, np.array(members))
        bound = 20.0 * (1.0 + (x[:, list(members)] ** 2).sum(axis=1)) / np.sqrt(n_samples)  # (T,)
        for name in SCALAR_QUANTITIES:
            gap = np.abs(local[name].iloc[:, j].to_numpy() - truth[name])
            assert (gap <= bound).all(), (members, name, float((gap / bound).max()))
        assert np.corrcoef(local["o_info"].iloc[:, j], truth["o_info"])[0, 1] > 0.8


def test_a_table_keeps_its_volume_index_and_region_names(sample):
    frame = pd.DataFrame(sample, columns=list("ABCDE"), index=pd.Index(np.arange(400) * 2.0, name="onset_s"))
    local = local_oinfo(frame, [("A", "B", "C"), ("B", "D", "E")])
    assert local["tc"].index.equals(frame.index)
    assert list(local["tc"].columns) == [("A", "B", "C"), ("B", "D", "E")]
    assert local["o_info"][("B", "D", "E")].shape == (400,)
    plain = local_oinfo(sample, [(0, 1, 2)])
    assert plain["tc"].index.name == "volume" and plain["tc"].index.equals(pd.RangeIndex(400, name="volume"))


def test_a_dependent_set_warns_and_carries_its_infinite_tc_at_every_volume(sample):
    x = np.column_stack([sample, sample[:, 0] + sample[:, 1]])
    with pytest.warns(DependentRegionsWarning, match="linear combination"):
        local = local_oinfo(x, [(0, 1, 5), (0, 1, 3)])
    assert np.isposinf(local["tc"].iloc[:, 0]).all()
    assert not np.isfinite(local["o_info"].iloc[:, 0]).any()
    assert np.isfinite(local["o_info"].iloc[:, 1]).all()


@pytest.mark.filterwarnings("ignore:FMMI subject model:RuntimeWarning")  # a 30-step budget is still learning
def test_fmmi_local_values_are_the_cross_fitted_rows_that_oinfo_averages(sample):
    model = SubjectFlowModel(**TINY_FMMI).fit(sample, sets=SETS)
    local = model.local_measures(SETS)
    answer = model.oinfo(SETS)
    rows = np.arange(100, 250)
    on_rows = model.local_measures(SETS, rows=rows)
    answer_on_rows = model.oinfo(SETS, rows=rows)
    for name in SCALAR_QUANTITIES:
        assert local[name].shape == (400, len(SETS))
        np.testing.assert_allclose(local[name].mean(axis=0), answer[name], rtol=0, atol=1e-10)
        assert on_rows[name].shape == (rows.size, len(SETS))
        np.testing.assert_allclose(on_rows[name], local[name][rows], rtol=0, atol=1e-12)
        np.testing.assert_allclose(on_rows[name].mean(axis=0), answer_on_rows[name], rtol=0, atol=1e-10)


@pytest.mark.filterwarnings("ignore:FMMI subject model:RuntimeWarning")
def test_local_oinfo_with_fmmi_averages_to_estimate_oinfo_with_the_same_seed(sample):
    local = local_oinfo(sample, SETS[:2], estimator="fmmi", seed=3, **TINY_FMMI)
    table = estimate_oinfo(sample, SETS[:2], estimator="fmmi", seed=3, **TINY_FMMI)
    for name in SCALAR_QUANTITIES:
        np.testing.assert_allclose(local[name].mean().to_numpy(), table[name].to_numpy(), rtol=0, atol=1e-10)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (dict(sets=[(0, 1, 9)]), "out of range"),
        (dict(sets=[(0, 1, 1)]), "twice"),
        (dict(sets=[(0, 1)]), "3 or more"),
        (dict(sets=[("A", "B", "C")]), "unknown region"),
        (dict(sets="all"), "give a list of sets"),
        (dict(estimator="mine"), "not known"),
        (dict(units="bans"), "not supported"),
        (dict(bias_corection=True), "no option"),
    ],
)
def test_bad_arguments_raise_value_errors(sample, change, message):
    arguments = dict(data=sample, sets=[(0, 1, 2)]) | change
    with pytest.raises(ValueError, match=message):
        local_oinfo(**arguments)


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        (lambda x: np.where(np.arange(x.shape[0])[:, None] == 3, np.nan, x), "NaN|finite"),
        (lambda x: np.column_stack([x[:, :4], np.ones(x.shape[0])]), "constant"),
        (lambda x: x[:4], "time points"),
    ],
)
def test_bad_data_raise_value_errors(sample, spoil, message):
    with pytest.raises(ValueError, match=message):
        local_oinfo(spoil(sample), [(0, 1, 4)])


def test_fmmi_refuses_a_set_of_exactly_dependent_regions(sample):
    x = np.column_stack([sample, sample[:, 0] + sample[:, 1]])
    with pytest.raises(ValueError, match="cannot score"):
        local_oinfo(x, [(0, 1, 5)], estimator="fmmi", **TINY_FMMI)


def test_many_sets_are_scored_in_batches_that_agree_with_estimate_oinfo():
    """Every triplet of 30 regions (4,060 sets): more than one batch of POINTWISE_BATCH_ELEMENTS at T = 400."""
    from itertools import combinations

    from fmri_oinfo.estimators.pointwise import POINTWISE_BATCH_ELEMENTS

    x = GroundTruthSystem(scale=random_correlation(30, seed=5)).sample(400, seed=2)
    sets = np.array(list(combinations(range(30), 3)))  # (4060, 3)
    assert sets.shape[0] * 3 * 400 > POINTWISE_BATCH_ELEMENTS
    local = local_oinfo(x, sets)
    table = estimate_oinfo(x, sets)
    for name in SCALAR_QUANTITIES:
        np.testing.assert_allclose(local[name].mean().to_numpy(), table[name].to_numpy(), rtol=0, atol=1e-10)
    last = tuple(str(m) for m in sets[-1])
    truth = _sample_correlation_system(_standard(x)).pointwise_set_measures(_standard(x), sets[-1])
    np.testing.assert_allclose(local["o_info"][last].to_numpy(), truth["o_info"], rtol=0, atol=1e-10)
