"""Dynamic O-information: the Gaussian estimate against the exact measures of a VAR(1) process, signs, validation,
and FMMI against the closed form (CI budget).

Tolerances.  Each Gaussian conditional MI ``I(y; X_S | y0)`` is ``-1/2 log(1 - R^2)``
with ``R^2`` the partial R^2 of the ``p`` added regressors; its plug-in
estimate from ``T`` rows has standard deviation about ``sqrt(R^2 / T)`` (delta
method) plus, where ``R^2`` is near 0 and that term vanishes, the spread of
``chi^2_p / (2 T)``, ``sqrt(2 p) / (2 T)``; its bias, about ``p / (2 T)``,
cancels to first order in the dynamic O-information.  ``R^2 <= 1 - exp(-2 TE)``
since every subset's CMI is at most the transfer entropy ``TE``, and ``p <= n L``.
The dynamic O-information adds ``1 + n`` CMIs with coefficients ``1 - n`` and
``1`` (absolute sum ``2 n - 1``); four times ``2 n`` such standard deviations
(adding them in absolute value overstates the spread of positively correlated
terms) is the tolerance.  Measured over 30 samples of T = 10,000 (lags 1 and
2, every row below): the spread of the estimate was at most a fifth of the
bound (0.0054 against 0.033 for the synergistic target), and no error exceeded
a fifth of the tolerance.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fmri_oinfo import SubjectFlowModel, dynamic_oinfo
from fmri_oinfo.synthetic_var import VARProcess, dynamic_measures_from_covariance

#: Regions: 0, 1 independent white drivers of target 2 through their sum (synergy); 3 a source copied (with a
#: little noise) into 4 and 5, which drive target 6 through their sum (redundancy); 7 an AR(1) region that
#: nothing drives.
COEFFICIENTS = np.zeros((8, 8))
COEFFICIENTS[2, [0, 1, 2]] = [1.0, 1.0, 0.5]
COEFFICIENTS[3, 3] = 0.6
COEFFICIENTS[[4, 5], 3] = 0.9
COEFFICIENTS[6, [4, 5, 6]] = [0.4, 0.4, 0.5]
COEFFICIENTS[7, 7] = 0.7
NOISE = np.diag([1.0, 1.0, 1.0, 1.0, 0.1, 0.1, 1.0, 1.0])
PROCESS = VARProcess(COEFFICIENTS, NOISE)

SYNERGY, REDUNDANCY, FREE = (0, 1, 2), (4, 5, 6), (0, 1, 7)

#: Long enough that the tolerance below is a tenth of the planted values.
T_LARGE = 100_000


@pytest.fixture(scope="module")
def long_run() -> np.ndarray:
    return PROCESS.sample(T_LARGE, seed=1)


def tolerance(n_samples: int, n_drivers: int, transfer_entropy: float, lag: int = 1) -> float:
    """Four standard deviations of the Gaussian dynamic O-information, bounded as in the module docstring."""
    sd_term = np.sqrt((1.0 - np.exp(-2.0 * transfer_entropy)) / n_samples) \
        + np.sqrt(2.0 * n_drivers * lag) / (2.0 * n_samples)
    return 4.0 * 2 * n_drivers * sd_term


def embedding_covariance(x: np.ndarray, lag: int) -> np.ndarray:
    """Sample covariance of (x_t, x_{t-1}, ..., x_{t-lag}) in VARProcess.lagged_covariance's layout."""
    t = x.shape[0]
    return np.cov(np.hstack([x[lag - step : t - step] for step in range(lag + 1)]), rowvar=False)


@pytest.mark.parametrize("lag", [1, 2])
def test_gaussian_is_the_regression_closed_form_on_the_sample(lag):
    """On any data the estimate is exactly the residual-variance formula on the lagged sample covariance."""
    x = PROCESS.sample(600, seed=3)
    sets = [SYNERGY, (3, 4, 5, 6), REDUNDANCY]
    table = dynamic_oinfo(x, sets, lag=lag)
    assert list(table.columns) == ["set", "order", "target", "lag", "transfer_entropy", "d_o_info"]
    assert table["set"].tolist() == [tuple(map(str, s)) for s in sets for _ in s]
    assert table["target"].tolist() == [str(m) for s in sets for m in s]
    cov = embedding_covariance(x, lag)
    expected = [dynamic_measures_from_covariance(cov, 8, s, m, lag) for s in sets for m in s]
    np.testing.assert_allclose(table[["transfer_entropy", "d_o_info"]].to_numpy(), expected, rtol=0, atol=1e-10)
    assert table.attrs == {"units": "nats", "estimator": "gaussian", "lag": lag}


@pytest.mark.parametrize("lag", [1, 2])
def test_gaussian_matches_the_var_process(long_run, lag):
    sets = [SYNERGY, REDUNDANCY, (3, 4, 5, 6)]
    table = dynamic_oinfo(long_run, sets, lag=lag)
    rows = 0
    for members in sets:
        for target in members:
            te, d_o = PROCESS.dynamic_measures(members, target, lag)
            row = table.iloc[rows]
            tol = tolerance(T_LARGE - lag, len(members) - 1, te, lag)
            assert abs(row["d_o_info"] - d_o) < tol, (members, target, row["d_o_info"], d_o, tol)
            assert abs(row["transfer_entropy"] - te) < tol + (len(members) - 1) * lag / T_LARGE
            rows += 1


def test_signs_synergy_redundancy_and_a_target_nothing_drives(long_run):
    table = dynamic_oinfo(long_run, [SYNERGY, REDUNDANCY, FREE])
    table = table.set_index([table["set"].map(lambda names: tuple(map(int, names))), "target"])
    te, d_o = PROCESS.dynamic_measures(SYNERGY, 2)
    assert d_o < -0.1 and table.loc[(SYNERGY, "2"), "d_o_info"] < -0.1 + tolerance(T_LARGE, 2, te)
    te, d_o = PROCESS.dynamic_measures(REDUNDANCY, 6)
    assert d_o > 0.2 and table.loc[(REDUNDANCY, "6"), "d_o_info"] > 0.2 - tolerance(T_LARGE, 2, te)
    assert PROCESS.dynamic_measures(FREE, 7) == (0.0, 0.0)
    assert abs(table.loc[(FREE, "7"), "d_o_info"]) < tolerance(T_LARGE, 2, 0.0)
    assert abs(table.loc[(FREE, "7"), "transfer_entropy"]) < 4 * 2 / T_LARGE  # chi-square(2) / (2 T), 4 x its mean


def test_units_names_and_copula_invariance():
    x = PROCESS.sample(800, seed=4)[:, :3]
    frame = pd.DataFrame(x, columns=["a", "b", "c"])
    nats = dynamic_oinfo(frame, [("a", "b", "c")])
    bits = dynamic_oinfo(frame, [("a", "b", "c")], units="bits")
    np.testing.assert_allclose(bits["d_o_info"], nats["d_o_info"] / np.log(2))
    assert nats["target"].tolist() == ["a", "b", "c"] and nats["set"][0] == ("a", "b", "c")
    skewed = frame.assign(c=np.exp(frame["c"]))  # a monotone map: the copula estimate does not move
    np.testing.assert_allclose(dynamic_oinfo(skewed, [(0, 1, 2)], estimator="gaussian-copula")["d_o_info"],
                               dynamic_oinfo(frame, [(0, 1, 2)], estimator="gaussian-copula")["d_o_info"], atol=1e-12)


@pytest.mark.parametrize(("kwargs", "message"), [
    (dict(lag=0), "lag=0"),
    (dict(lag=-1), "lag=-1"),
    (dict(lag=1.5), "lag=1.5"),
    (dict(lag=True), "lag=True"),
    (dict(lag=9), "lag=9 leaves 11 of the 20"),
    (dict(sets="all"), "sets='all'"),
    (dict(sets=[(0, 1)]), "O-information needs 3"),
    (dict(estimator="ksg"), "estimator='ksg'"),
    (dict(units="bans"), "units='bans'"),
    (dict(bias_correctoin=True), "bias_correctoin"),
])
def test_validation(kwargs, message):
    x = np.random.default_rng(0).standard_normal((20, 3))
    arguments = dict(sets=[(0, 1, 2)]) | kwargs
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(".", r"\.")):
        dynamic_oinfo(x, **arguments)


def test_the_largest_lag_that_fits_is_accepted():
    x = np.random.default_rng(0).standard_normal((20, 3))
    assert len(dynamic_oinfo(x, [(0, 1, 2)], lag=4)) == 3  # 16 rows for 1 + 3 * 4 columns, plus 2 (lag=5 fails)
    with pytest.raises(ValueError, match="lag=5"):
        dynamic_oinfo(x, [(0, 1, 2)], lag=5)


#: CI budget for FMMI: a few hundred steps; on Gaussian data the closed-form Gaussian part carries the answer.
CI_FMMI = dict(steps=300, folds=2, ensemble=1, eval_every=50, device="cpu")


def test_fmmi_agrees_with_the_closed_form_on_a_var_process():
    """Within four of its standard errors (plus the plug-in bias ``n L / (2T)`` of a transfer entropy).

    On these Gaussian data the network does not beat the closed-form Gaussian part of its pairs on held-out
    rows (150 and 300 steps give the same numbers), so this checks the embedding, the pair plan of every
    target and the combination's standard error; what the network adds is measured in
    ``benchmarks/dynamic_var.py`` (the multiplicative system).
    """
    process = VARProcess(COEFFICIENTS[:3, :3], NOISE[:3, :3])
    n_samples = 1000
    table = dynamic_oinfo(process.sample(n_samples, seed=0), [SYNERGY], estimator="fmmi", **CI_FMMI)
    assert {"transfer_entropy_se", "d_o_info_se"} <= set(table.columns)
    for _, row in table.iterrows():
        te, d_o = process.dynamic_measures(SYNERGY, int(row["target"]))
        assert row["d_o_info_se"] > 0 and row["transfer_entropy_se"] > 0
        assert abs(row["d_o_info"] - d_o) < 4 * row["d_o_info_se"], (row.to_dict(), d_o)
        assert abs(row["transfer_entropy"] - te) < 4 * row["transfer_entropy_se"] + 2 / (2 * n_samples)
    assert table["d_o_info"][2] < -0.1  # the synergy is seen, not lost in the error


@pytest.mark.filterwarnings("ignore:FMMI subject model:RuntimeWarning")  # a 30-step budget is still learning
def test_combination_standard_error_sees_the_terms_covary():
    """A difference of two positively correlated pairs has a smaller SE than the pairs' SEs as if independent.

    ``I(y; x, y0) - I(y; y0)`` is a conditional MI: both terms carry the
    target's own predictability, row by row.
    """
    x = VARProcess(COEFFICIENTS[:3, :3], NOISE[:3, :3]).sample(600, seed=5)
    lagged = np.hstack([x[1:], x[:-1]])  # columns 0..2 at lag 0, 3..5 at lag 1
    tiny = dict(steps=30, eval_every=10, min_steps=0, width=16, context_dim=16, embed_dim=4, batch_size=64,
                time_draws=2, eval_size=128, folds=2, ensemble=1, device="cpu")
    model = SubjectFlowModel(**tiny).fit(lagged, pairs=[(2, (5,)), (2, (3, 5))])
    whole, whole_se = model.conditional_mi(2, (3, 5))
    own, own_se = model.conditional_mi(2, (5,))
    answer = model.combinations([[{(2, (3, 5)): 1.0, (2, (5,)): -1.0}]])
    assert answer.estimate[0] == pytest.approx(whole - own, abs=1e-12)
    assert answer.se[0] < 0.8 * np.hypot(whole_se, own_se)
