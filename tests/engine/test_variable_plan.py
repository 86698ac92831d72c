"""Sets of multivariate variables planned as scalar pairs: the chain rule over each variable's columns.

Exact check without any network: with each pair's conditional MI taken from a
known Gaussian (``I(x_m; x_F) = -1/2 log(1 - r_mF R_FF^-1 r_Fm)``), the plan's
combinations must give the closed form over variables,
``TC(S) = 1/2 (sum_i log det R_ii - log det R_SS)``, for every quantity.
"""

import numpy as np
import pytest

from fmri_oinfo.engine.cmi_plan import plan_combinations, set_terms
from fmri_oinfo.engine.variable_plan import variable_set_terms
from fmri_oinfo.measures import measures_from_tc, subset_plan
from fmri_oinfo.synthetic import random_correlation

BLOCKS = [[0, 1], [2, 3, 4], [5], [6, 7], [8]]


def _pair_mi(corr: np.ndarray, moving: int, given: tuple[int, ...]) -> float:
    f = list(given)
    explained = corr[moving, f] @ np.linalg.solve(corr[np.ix_(f, f)], corr[f, moving])
    return -0.5 * np.log1p(-explained)


def _block_tc(corr: np.ndarray, variables: list[list[int]]) -> float:
    if len(variables) < 2:
        return 0.0
    union = [c for v in variables for c in v]
    own = sum(np.linalg.slogdet(corr[np.ix_(v, v)])[1] for v in variables)
    return 0.5 * (own - np.linalg.slogdet(corr[np.ix_(union, union)])[1])


@pytest.mark.parametrize("members", [(0, 1, 2), (1, 2, 3, 4), (4, 0, 3), (0, 1, 2, 3, 4)])
def test_planned_pairs_combine_into_the_closed_form_over_variables(members):
    corr = random_correlation(9, seed=3, strength=1.0)
    plan = plan_combinations([variable_set_terms(members, BLOCKS, gradient=True)])
    values = np.array([_pair_mi(corr, m, f) for m, f in plan.pairs()])
    got = plan.coefficients @ values
    subsets = subset_plan(len(members), gradient=True)
    tc = [[_block_tc(corr, [BLOCKS[m] for m, keep in zip(members, mask) if keep]) for mask in subsets.masks]]
    want = measures_from_tc(np.array(tc), subsets)
    expected = [want[q][0] for q in ("tc", "dtc", "o_info", "s_info")] + list(want["gradient"][0])
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-10)
    moved = {m for m, _ in plan.pairs()}
    assert moved <= {c for v in members for c in BLOCKS[v]}


def test_variables_of_one_column_are_planned_as_scalar_regions():
    singles = [[i] for i in range(7)]
    for members in [(0, 1, 2), (1, 3, 4, 6), (5, 0, 2, 3, 4)]:
        assert variable_set_terms(members, singles, gradient=True) == set_terms(members, gradient=True)


def test_a_set_of_fewer_than_three_variables_is_refused():
    with pytest.raises(ValueError, match="at least 3"):
        variable_set_terms((0, 1), BLOCKS)
