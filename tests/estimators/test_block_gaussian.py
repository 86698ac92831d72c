"""Variables of several columns with the closed-form Gaussian and Gaussian-copula estimators.

Ground truth: a multivariate Gaussian with a known covariance in which every
variable has its own internal correlations; its measures over variables come
from ``TC(S) = 1/2 (sum_i log det C_ii - log det C_SS)`` of the exact
covariance.  The tolerance is derived from T by the delta method: a TC over variables is
``1/2 (sum_i log det C_ii - log det C_SS)`` of the sample covariance
(correlations give the same value), whose gradient in ``C`` is
``G = 1/2 (blockdiag_i C_ii^-1 - C_SS^-1)``, so a signed sum of TCs with
gradient ``G`` has variance ``2 tr(G C G C) / T`` (Wishart).  The tests allow
4 of those standard deviations, plus 4 of the second-order spread
``sqrt(2 df) / (2 T)`` of a bias-corrected TC (``df`` cross-variable column
pairs), which the first-order term misses near independence.
"""

import numpy as np
import pandas as pd
import pytest

from fmri_oinfo import estimate_mi, estimate_oinfo
from fmri_oinfo.measures import measures_from_tc, subset_plan

BLOCKS = {"A": [0, 1], "B": [2, 3, 4], "C": [5], "D": [6, 7]}
T = 4000


def _covariance() -> np.ndarray:
    rng = np.random.default_rng(7)
    w = rng.standard_normal((8, 4)) * 0.7
    cov = w @ w.T + np.diag(rng.uniform(0.5, 1.5, 8))
    for cols in BLOCKS.values():  # strong correlations inside each variable, which must count for nothing
        cov[np.ix_(cols, cols)] += 2.0 * (1 if len(cols) > 1 else 0)
    return cov


def _exact_tc(cov: np.ndarray, variables: list[list[int]]) -> float:
    if len(variables) < 2:
        return 0.0
    union = [c for v in variables for c in v]
    own = sum(np.linalg.slogdet(cov[np.ix_(v, v)])[1] for v in variables)
    return 0.5 * (own - np.linalg.slogdet(cov[np.ix_(union, union)])[1])


def _tc_gradient(cov: np.ndarray, variables: list[list[int]]) -> np.ndarray:
    """Gradient (N, N) of the TC over ``variables`` in the covariance."""
    out = np.zeros_like(cov)
    if len(variables) < 2:
        return out
    union = [c for v in variables for c in v]
    for v in variables:
        out[np.ix_(v, v)] += 0.5 * np.linalg.inv(cov[np.ix_(v, v)])
    out[np.ix_(union, union)] -= 0.5 * np.linalg.inv(cov[np.ix_(union, union)])
    return out


def _tolerance(cov: np.ndarray, subsets: list[list[list[int]]], weights: np.ndarray, n: int) -> float:
    """4 standard deviations of ``sum_s weights[s] TC(subsets[s])`` at ``n`` samples (see the module note)."""
    g = sum(w * _tc_gradient(cov, b) for w, b in zip(weights, subsets))
    first = np.sqrt(2.0 * np.trace(g @ cov @ g @ cov) / n)
    widths = [len(v) for v in subsets[0]]  # the whole set
    df = (sum(widths) ** 2 - sum(w * w for w in widths)) / 2
    return 4.0 * (first + np.sqrt(2.0 * df) / (2.0 * n))


@pytest.fixture(scope="module")
def gaussian():
    cov = _covariance()
    x = np.random.default_rng(0).multivariate_normal(np.zeros(8), cov, size=T)
    return cov, x


@pytest.mark.parametrize("estimator", ["gaussian", "gaussian-copula"])
@pytest.mark.parametrize("names", [("A", "B", "C"), ("A", "B", "C", "D"), ("B", "C", "D")])
def test_measures_over_variables_match_the_exact_covariance(gaussian, estimator, names):
    cov, x = gaussian
    plan = subset_plan(len(names))
    blocks = [[BLOCKS[n] for n, keep in zip(names, mask) if keep] for mask in plan.masks]
    exact = measures_from_tc(np.array([[_exact_tc(cov, b) for b in blocks]]), plan)
    table = estimate_oinfo(x, [names], variables=BLOCKS, estimator=estimator, bias_correction=True)
    for k, quantity in enumerate(("tc", "dtc", "o_info", "s_info")):
        tolerance = _tolerance(cov, blocks, plan.weights[:, k], T)
        assert table[quantity][0] == pytest.approx(exact[quantity][0], abs=tolerance), quantity
        # the test can tell the truth from zero
        assert abs(exact[quantity][0]) > 2 * tolerance or quantity == "o_info"


def test_a_variable_is_one_signal_whatever_its_own_coordinates(gaussian):
    """TC over variables is invariant to any invertible mixing of a variable's own columns (exactly, in sample)."""
    _, x = gaussian
    mixed = x.copy()
    mixing = np.array([[1.0, 0.3, -2.0], [0.5, 1.0, 0.0], [0.2, -0.7, 1.5]])
    mixed[:, BLOCKS["B"]] = x[:, BLOCKS["B"]] @ mixing
    sets = [("A", "B", "C"), ("B", "C", "D", "A")]
    before = estimate_oinfo(x, sets, variables=BLOCKS, gradient=True)
    after = estimate_oinfo(mixed, sets, variables=BLOCKS, gradient=True)
    for quantity in ("tc", "dtc", "o_info", "s_info"):
        np.testing.assert_allclose(after[quantity], before[quantity], atol=1e-10)
    scalar = estimate_oinfo(mixed, [(0, 2, 3, 4)])  # ... which the scalar regions are not
    assert abs(scalar["tc"][0] - estimate_oinfo(x, [(0, 2, 3, 4)])["tc"][0]) > 0.1


def test_the_copula_sees_only_the_ranks(gaussian):
    _, x = gaussian
    monotone = np.column_stack([np.exp(x[:, :4]), x[:, 4:] ** 3])
    sets = [("A", "B", "C", "D")]
    first = estimate_oinfo(x, sets, variables=BLOCKS, estimator="gaussian-copula")
    second = estimate_oinfo(monotone, sets, variables=BLOCKS, estimator="gaussian-copula")
    np.testing.assert_allclose(second["o_info"], first["o_info"], atol=1e-12)


@pytest.mark.parametrize("estimator", ["gaussian", "gaussian-copula"])
@pytest.mark.parametrize("bias_correction", [False, True])
def test_variables_of_one_column_give_the_scalar_answer(gaussian, estimator, bias_correction):
    _, x = gaussian
    frame = pd.DataFrame(x, columns=[f"r{i}" for i in range(8)])
    singles = {f"v{i}": [f"r{i}"] for i in range(8)}
    sets = [(0, 2, 5), (1, 3, 4, 7), (0, 1, 2, 3, 6)]
    scalar = estimate_oinfo(frame, sets, estimator=estimator, bias_correction=bias_correction, gradient=True)
    blocks = estimate_oinfo(frame, [[f"v{m}" for m in s] for s in sets], variables=singles, estimator=estimator,
                            bias_correction=bias_correction, gradient=True)
    for quantity in ("tc", "dtc", "o_info", "s_info"):
        np.testing.assert_allclose(blocks[quantity], scalar[quantity], rtol=0, atol=1e-12)
    for got, want in zip(blocks["o_info_gradient"], scalar["o_info_gradient"]):
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)
    assert blocks["set"][0] == ("v0", "v2", "v5") and blocks.attrs["variables"]["v5"] == ("r5",)


def test_sets_may_name_variables_by_position_and_all_sets_of_an_order(gaussian):
    _, x = gaussian
    by_name = estimate_oinfo(x, [("A", "B", "D")], variables=BLOCKS)
    by_position = estimate_oinfo(x, [(0, 1, 3)], variables=BLOCKS)
    assert by_position["set"][0] == ("A", "B", "D")
    assert by_position["o_info"][0] == by_name["o_info"][0]
    every = estimate_oinfo(x, "all", order=3, variables=BLOCKS)
    assert every["set"].tolist() == [("A", "B", "C"), ("A", "B", "D"), ("A", "C", "D"), ("B", "C", "D")]
    assert every["o_info"][1] == pytest.approx(by_name["o_info"][0], abs=1e-12)


@pytest.mark.parametrize(
    ("variables", "sets", "message"),
    [
        ({"A": [0, 1], "B": [1, 2], "C": [3]}, [("A", "B", "C")], "listed in 'A' too"),
        ({"A": [0, 0], "B": [1], "C": [3]}, [("A", "B", "C")], "listed twice"),
        ({"A": [0, 1], "B": [], "C": [3]}, [("A", "B", "C")], "'B' has no columns"),
        ({"A": [0, 1], "B": ["nope"], "C": [3]}, [("A", "B", "C")], "unknown column 'nope'"),
        ({"A": [0, 1], "B": [99], "C": [3]}, [("A", "B", "C")], "out of range"),
        ({"A": [0, 1], "B": [True], "C": [3]}, [("A", "B", "C")], "neither a column index"),
        ({"A": [0, 1], "B": [2], "C": [3]}, [("A", "B", "Z")], "unknown region 'Z'"),
        ({"A": [0, 1], "B": [2], "C": [3]}, [("A", "B", "A")], "twice"),
        ({"A": [0, 1], "B": [2], "C": [3, 5, 8]}, [("A", "B", "C")], "'C': column '8' is an exact linear"),
        ([("A", [0])], [("A", "B", "C")], "mapping"),
        ({}, [("A", "B", "C")], "mapping"),
    ],
)
def test_bad_variables_are_value_errors(gaussian, variables, sets, message):
    _, x = gaussian
    data = np.column_stack([x, x[:, 3] - 2 * x[:, 5]])  # column 8 is a linear function of columns 3 and 5
    with pytest.raises(ValueError, match=message):
        estimate_oinfo(data, sets, variables=variables)


def test_a_set_needs_more_time_points_than_columns():
    x = np.random.default_rng(1).standard_normal((9, 8))
    with pytest.raises(ValueError, match="spans 8 columns but the data have 9 time points"):
        estimate_oinfo(x, [("A", "B", "C", "D")], variables=BLOCKS)


def test_dependent_variables_have_an_infinite_tc_and_a_warning(gaussian):
    _, x = gaussian
    data = np.column_stack([x[:, :6], x[:, 0] + x[:, 2]])  # the new column is a sum of columns of A and B
    with pytest.warns(RuntimeWarning, match="'6' is a linear combination of '0', '2'"):
        table = estimate_oinfo(data, [("A", "B", "E")], variables={"A": [0, 1], "B": [2, 3], "E": [5, 6]})
    assert np.isinf(table["tc"][0])
    with pytest.raises(ValueError, match="exact functions of each other"):
        estimate_oinfo(data, [("A", "B", "E")], variables={"A": [0, 1], "B": [2, 3], "E": [5, 6]},
                       estimator="fmmi", device="cpu", steps=1)


@pytest.mark.parametrize("estimator", ["gaussian", "gaussian-copula"])
def test_mutual_information_of_blocks_matches_the_exact_covariance(gaussian, estimator):
    cov, x = gaussian
    a, b = BLOCKS["A"] + BLOCKS["C"], BLOCKS["B"]
    exact = _exact_tc(cov, [a, b])
    mi, se = estimate_mi(x[:, a], x[:, b], estimator=estimator, bias_correction=True)
    assert mi == pytest.approx(exact, abs=_tolerance(cov, [[a, b]], np.ones(1), T))
    assert np.isnan(se)
    # the MI of two blocks is the TC of the two variables; of two columns, the scalar closed form
    pair = estimate_oinfo(x, [("A", "B", "C")], variables=BLOCKS, estimator=estimator)
    ab, _ = estimate_mi(x[:, BLOCKS["A"]], x[:, BLOCKS["B"]], estimator=estimator)
    ab_c, _ = estimate_mi(x[:, BLOCKS["A"] + BLOCKS["B"]], x[:, BLOCKS["C"]], estimator=estimator)
    assert ab + ab_c == pytest.approx(pair["tc"][0], abs=1e-12)  # TC(A, B, C) = I(A; B) + I(AB; C)
    r = np.corrcoef(x[:, 0], x[:, 5])[0, 1]
    assert estimate_mi(x[:, 0], x[:, 5], estimator="gaussian")[0] == pytest.approx(-0.5 * np.log(1 - r * r),
                                                                                     abs=1e-12)


def test_mutual_information_bad_inputs(gaussian):
    _, x = gaussian
    assert np.isinf(estimate_mi(x[:, :2], x[:, 0] - x[:, 1], estimator="gaussian")[0])
    with pytest.raises(ValueError, match="paired"):
        estimate_mi(x[:, :2], x[:10, 2], estimator="gaussian")
    with pytest.raises(ValueError, match="constant"):
        estimate_mi(x[:, :2], np.ones(T), estimator="gaussian")
    with pytest.raises(ValueError, match="exact linear combination"):
        estimate_mi(np.column_stack([x[:, 0], 2 * x[:, 0]]), x[:, 2], estimator="gaussian")
    with pytest.raises(ValueError, match="estimator='ksg'"):
        estimate_mi(x[:, 0], x[:, 1], estimator="ksg")
