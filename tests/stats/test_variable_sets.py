"""Sets of multivariate variables (networks) through the result-table statistics, against closed forms."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fmri_oinfo.estimators import estimator_from_name
from fmri_oinfo.stats.variable_sets import assess_variable_sets, variable_surrogates

#: Three variables of two columns each.
BLOCKS = {"A": [0, 1], "B": [2, 3], "C": [4, 5]}


def _tc(cov: np.ndarray, variables: list[list[int]]) -> float:
    """Gaussian TC of variables (blocks of columns) of a covariance matrix."""
    own = sum(np.linalg.slogdet(cov[np.ix_(v, v)])[1] for v in variables)
    every = [c for v in variables for c in v]
    return 0.5 * (own - np.linalg.slogdet(cov[np.ix_(every, every)])[1])


def _o_info(cov: np.ndarray, variables: list[list[int]]) -> float:
    """O = sum_j TC(X_-j) - (n - 2) TC(X), Rosas et al.'s O-information over variables."""
    n = len(variables)
    leave_one_out = sum(_tc(cov, variables[:j] + variables[j + 1:]) for j in range(n))
    return leave_one_out - (n - 2) * _tc(cov, variables)


def _mixing(kind: str) -> np.ndarray:
    """x = M z: redundant (one factor in every variable) or synergistic (C's columns sum A's and B's)."""
    mixing = np.eye(6)
    if kind == "redundant":  # a seventh source shared by A, B and C, plus within-variable correlation
        mixing = np.concatenate([np.eye(6), np.array([[0.9, 0.4, 0.9, 0.0, 0.9, 0.3]]).T], axis=1)
        mixing[1, 0] = 0.6
    else:
        mixing[4, [0, 2]] = 1.0  # C1 = A1 + B1 + noise
        mixing[5, [1, 3]] = 1.0  # C2 = A2 + B2 + noise
        mixing[1, 0] = 0.5
    return mixing


@pytest.mark.parametrize(("kind", "estimator", "tolerance"),
                         [("redundant", "gaussian", 0.015), ("synergistic", "gaussian-copula", 0.06)])
def test_network_o_information_matches_the_block_closed_form(kind, estimator, tolerance):
    """The networks table's O on a Gaussian system of known block covariance is the closed form (T = 4,000;
    the tolerance is about 3.5 sampling SDs, measured over seeds 0-4: 0.004 and 0.017 nats), and its label
    has the closed form's sign."""
    mixing = _mixing(kind)
    cov = mixing @ mixing.T
    truth = _o_info(cov, list(BLOCKS.values()))
    x = np.random.default_rng(1).standard_normal((4_000, mixing.shape[1])) @ mixing.T
    table, null = assess_variable_sets(x, BLOCKS, [("A", "B", "C")], estimator=estimator_from_name(estimator),
                                       n_surrogates=49, n_bootstrap=0, seed=0)
    assert abs(truth) > 0.05
    assert abs(table["o_info"][0] - truth) < tolerance, (table["o_info"][0], truth)
    assert table["label"][0] == kind
    assert abs(table["null_mean"][0]) < 0.01  # independent networks: O near 0
    assert null.shape == (1, 49)


def test_a_surrogate_shifts_a_variables_columns_together():
    """Circular surrogates rotate every column of a variable by one shift (its within-variable structure kept),
    and different variables by different shifts; phase surrogates keep each variable's cross-spectrum."""
    rng = np.random.default_rng(2)
    x = rng.standard_normal((64, 6))
    columns = [np.array(c) for c in BLOCKS.values()]
    surrogates = variable_surrogates(x, columns, 20, "circular", rng)
    n_distinct = 0
    for s in surrogates:
        shifts = []
        for cols in columns:
            shift = [k for k in range(64) if np.array_equal(s[:, cols[0]], np.roll(x[:, cols[0]], -k))]
            assert len(shift) == 1
            np.testing.assert_array_equal(s[:, cols], np.roll(x[:, cols], -shift[0], axis=0))
            shifts.append(shift[0])
        n_distinct += len(set(shifts)) > 1
    assert n_distinct > 15  # the variables move apart
    moved = variable_surrogates(x, columns, 5, "circular", rng, moved=1)  # the member null: B alone
    np.testing.assert_array_equal(moved[:, :, [0, 1, 4, 5]], np.repeat(x[None, :, [0, 1, 4, 5]], 5, axis=0))
    phase = variable_surrogates(x, columns, 3, "phase", rng)
    spectrum, surrogate = np.fft.rfft(x, axis=0), np.fft.rfft(phase[0], axis=0)
    np.testing.assert_allclose(surrogate[:, 0] * surrogate[:, 1].conj(), spectrum[:, 0] * spectrum[:, 1].conj(),
                               atol=1e-9)  # within A: kept
    assert not np.allclose(surrogate[:, 0] * surrogate[:, 2].conj(), spectrum[:, 0] * spectrum[:, 2].conj())


def test_independent_networks_with_strong_inner_structure_are_not_labelled():
    """Networks whose columns are strongly correlated among themselves but independent of the other networks:
    no set is labelled and no p-value is small, the null that moving a network's columns together gives."""
    rng = np.random.default_rng(3)
    names = [f"r{j}" for j in range(9)]
    x = rng.standard_normal((400, 9))
    for first in (0, 3, 6):
        x[:, first + 1] += 2.0 * x[:, first]
        x[:, first + 2] -= 1.5 * x[:, first]
    variables = {"A": names[:3], "B": names[3:6], "C": names[6:]}
    table, _ = assess_variable_sets(pd.DataFrame(x, columns=names), variables, [("A", "B", "C")],
                                    n_surrogates=49, n_bootstrap=0)
    assert table["label"][0] == "n.s."
    assert table["p_value"][0] > 0.05
    assert table.attrs["surrogate_unit"] == "variable"
    assert table.attrs["variables"]["B"] == names[3:6]


def test_bad_sets_are_refused_with_the_fix():
    x = np.random.default_rng(4).standard_normal((100, 6))
    with pytest.raises(ValueError, match="at least 3 distinct variables"):
        assess_variable_sets(x, BLOCKS, [("A", "B")], n_surrogates=9)
    with pytest.raises(ValueError, match="at least 3 distinct variables"):
        assess_variable_sets(x, BLOCKS, [("A", "B", "Z")], n_surrogates=9)


def test_the_estimator_is_an_object_not_a_name():
    """Estimators are resolved by name once, at the outer edge (the pipeline, the API), never in the statistics."""
    x = np.random.default_rng(0).standard_normal((200, 6))
    with pytest.raises(ValueError, match="give an estimator object"):
        assess_variable_sets(x, BLOCKS, [("A", "B", "C")], estimator="gaussian", n_surrogates=9)
