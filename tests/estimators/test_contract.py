"""The estimator contract: parameters (scikit-learn's protocol), fit / measures, and the estimator's own null and
bootstrap, checked against the closed form and by hand."""

import numpy as np
import pytest

from fmri_oinfo import estimate_oinfo
from fmri_oinfo.estimators import CopulaOInfo, FMMIOInfo, GaussianOInfo, MeasureTable, clone
from fmri_oinfo.exceptions import NotFittedError
from fmri_oinfo.stats import moving_block_indices

TINY = {"steps": 20, "width": 8, "context_dim": 8, "batch_size": 64, "eval_size": 64, "eval_every": 10,
        "min_steps": 10, "folds": 2, "ensemble": 1}


@pytest.fixture(scope="module")
def data():
    x = np.random.default_rng(0).standard_normal((300, 6))
    x[:, 1] += 0.7 * x[:, 0]
    x[:, 2] += 0.5 * x[:, 1]
    return x


@pytest.mark.parametrize("estimator", [GaussianOInfo(bias_correction=True, units="bits"), CopulaOInfo(gradient=True),
                                       FMMIOInfo(seed=3, steps=7, folds=3)])
def test_parameters_round_trip_and_clone(estimator):
    params = estimator.get_params()
    copy = clone(estimator)
    assert type(copy) is type(estimator) and copy.get_params() == params
    assert vars(copy) == vars(estimator)  # every setting travels (FMMI's engine settings included)
    assert type(estimator)(**params).get_params() == params
    changed = clone(estimator).set_params(units="nats", gradient=False)
    assert changed.units == "nats" and not changed.gradient
    with pytest.raises(ValueError, match=r"has no parameter\(s\) \['unit'\]; its parameters are"):
        clone(estimator).set_params(unit="bits")


def test_scikit_learn_clone_when_installed():
    base = pytest.importorskip("sklearn.base")
    fmmi = FMMIOInfo(seed=3, steps=7)
    copy = base.clone(fmmi)
    assert copy.get_params() == fmmi.get_params() and copy.steps == 7 and copy is not fmmi
    assert base.clone(GaussianOInfo(bias_correction=True)).bias_correction


def test_an_unknown_fmmi_option_names_the_valid_ones():
    with pytest.raises(ValueError, match=r"no option\(s\) \['stpes'\]; its options are \[.*'steps'"):
        FMMIOInfo(stpes=3)


@pytest.mark.parametrize("estimator", [GaussianOInfo(), CopulaOInfo(), FMMIOInfo(**TINY)])
def test_asking_before_fit_is_a_not_fitted_error(estimator, data):
    for ask in (lambda: estimator.measures([(0, 1, 2)]), lambda: estimator.null([(0, 1, 2)], 3),
                lambda: estimator.resample([(0, 1, 2)], 3)):
        with pytest.raises(NotFittedError, match="call its fit"):
            ask()


def test_measures_are_a_typed_table_equal_to_the_api(data):
    sets = [(0, 1, 2), (1, 2, 3, 4)]
    table = CopulaOInfo(units="bits").fit(data).measures(sets)
    assert isinstance(table, MeasureTable) and table.units == "bits" and table.estimator == "gaussian-copula"
    assert table.values.shape == (2, 4) and table.standard_error is None
    frame = estimate_oinfo(data, sets, estimator="gaussian-copula", units="bits")
    np.testing.assert_allclose(table.o_info, frame["o_info"], rtol=1e-12)
    assert table.to_frame().attrs == frame.attrs and list(table.to_frame().columns) == list(frame.columns)


def test_measures_on_rows_are_the_closed_form_on_those_rows(data):
    rows = np.arange(100, 300)
    on_rows = GaussianOInfo().fit(data).measures([(0, 1, 2)], rows=rows).o_info
    alone = estimate_oinfo(data[rows], [(0, 1, 2)])["o_info"].to_numpy()
    np.testing.assert_allclose(on_rows, alone, rtol=1e-12)  # equal to rounding
    assert abs(on_rows[0] - GaussianOInfo().fit(data).measures([(0, 1, 2)]).o_info[0]) > 1e-4


def test_the_closed_forms_null_shortcut_equals_refitting_surrogates(data):
    """The lagged-correlation route and refits on stacked circular shifts draw the same shifts: equal to 1e-9."""
    fitted = GaussianOInfo().fit(data)
    refit = GaussianOInfo(bias_correction=False).fit(data)
    refit._lagged_route = lambda surrogate: None  # the generic route, for this instance
    sets = [(0, 1, 2), (2, 3, 4, 5)]
    np.testing.assert_allclose(fitted.null(sets, 7, rng=1), refit.null(sets, 7, rng=1), rtol=1e-9, atol=1e-12)
    member = fitted.null(sets, 7, rng=2, member=True, min_shift=3)
    assert member.shape[1:] == (2, 4) and np.isnan(member[:, 0, 3]).all()


def test_resample_is_the_estimate_on_each_bootstrap_resample(data):
    fitted = GaussianOInfo().fit(data)
    boot = fitted.resample([(0, 1, 2)], 5, block_length=10, rng=4)
    drawn = moving_block_indices(300, 5, 10, np.random.default_rng(4))
    by_hand = [estimate_oinfo(data[r], [(0, 1, 2)])["o_info"].iloc[0] for r in drawn]
    np.testing.assert_allclose(boot[:, 0], by_hand, rtol=1e-10)
