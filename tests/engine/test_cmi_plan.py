"""Every measure of a set as a signed sum of conditional MIs: checked on Gaussian closed forms."""

import numpy as np
import pytest

from fmri_oinfo.engine.cmi_plan import mi_terms, o_info_terms, plan_combinations, plan_sets, quantity_names
from fmri_oinfo.measures import subset_plan
from fmri_oinfo.synthetic import random_correlation


@pytest.fixture(scope="module")
def corr():
    return random_correlation(8, seed=1, strength=1.2)


def gaussian_cmi(corr, moving, given):
    """Closed-form I(X_m; X_F) of a Gaussian: -1/2 log(1 - R^2)."""
    given = list(given)
    coef = np.linalg.solve(corr[np.ix_(given, given)], corr[given, moving])
    return -0.5 * np.log(1.0 - corr[moving, given] @ coef)


def gaussian_tc(corr, members):
    return -0.5 * np.linalg.slogdet(corr[np.ix_(members, members)])[1]


@pytest.mark.parametrize("members", [(0, 1, 2), (3, 1, 5, 7), (2, 4, 6, 0, 1), (5, 6, 7, 0, 1, 2)])
def test_pair_sums_equal_the_subset_tc_measures(corr, members):
    plan = plan_sets([members], gradient=True)
    pair_values = np.array([gaussian_cmi(corr, m, f) for m, f in plan.pairs()])
    got = plan.coefficients @ pair_values
    subsets = subset_plan(len(members), gradient=True)
    tcs = np.array([gaussian_tc(corr, np.array(members)[mask]) for mask in subsets.masks])
    np.testing.assert_allclose(got, tcs @ subsets.weights, atol=1e-12)
    assert len(got) == len(quantity_names(len(members), gradient=True))


def test_o_information_moves_the_member_added_last():
    # n = 3: I(X3; X1) + I(X3; X2) - I(X3; X1, X2)
    assert o_info_terms([0, 1, 2]) == {(2, (0,)): 1.0, (2, (1,)): 1.0, (2, (0, 1)): -1.0}
    # Rosas' recursion at every order: each pair moves the member added at its step,
    # never every member given all the others (the 2 TC - S identity)
    for n in (4, 5, 6):
        moving = {m for m, _ in o_info_terms(list(range(n)))}
        assert moving == set(range(2, n))


@pytest.mark.parametrize("route", [(2, 0, 1, 3, 4), (4, 3, 2, 1, 0), (0, 1, 2, 3, 4)])
def test_any_route_gives_the_same_closed_forms_and_keeps_the_gradient_order(corr, route):
    members = (0, 1, 2, 3, 4)
    planned = plan_sets([members], gradient=True, routes=[route])
    values = planned.coefficients @ np.array([gaussian_cmi(corr, m, f) for m, f in planned.pairs()])
    subsets = subset_plan(len(members), gradient=True)
    tcs = np.array([gaussian_tc(corr, np.array(members)[mask]) for mask in subsets.masks])
    np.testing.assert_allclose(values, tcs @ subsets.weights, atol=1e-12)
    moving = {m for m, _ in o_info_terms(list(route))}
    assert moving == set(route[2:])


def test_a_route_must_order_the_set():
    with pytest.raises(ValueError, match="not an order"):
        plan_sets([(0, 1, 2)], routes=[(0, 1, 3)])


def test_a_set_has_one_route_however_it_is_listed():
    # sorted by index: (2, 0, 1) moves member 2, as (0, 1, 2) does; gradients stay in the listed order
    assert plan_sets([(2, 0, 1)]).pairs() == plan_sets([(0, 1, 2)]).pairs()
    listed, ordered = plan_sets([(2, 0, 1)], gradient=True), plan_sets([(0, 1, 2)], gradient=True)
    dense = lambda plan: plan.coefficients.toarray()  # noqa: E731
    np.testing.assert_array_equal(dense(listed)[4], dense(ordered)[6])  # gradient of member 2


def test_a_padded_superset_conditions_its_core_as_the_core_does():
    # every pair that moves a core member conditions it on core members that come before it
    # in the core's own route (and on padding): a factor is never moved given the product it enters
    core, padded = (1, 4, 6), (0, 1, 3, 4, 6, 7)
    for plan in (plan_sets([core]), plan_sets([padded], gradient=True)):
        for moving, given in plan.pairs():
            if moving in core:
                assert all(g < moving for g in given if g in core), (moving, given)


def test_shared_pairs_are_planned_once(corr):
    plan = plan_sets([(0, 1, 2), (0, 1, 2), (0, 1, 3)])
    assert plan.n_pairs == len(set(plan.pairs()))
    assert plan.coefficients.shape == (12, plan.n_pairs)
    np.testing.assert_allclose(plan.importance.sum(), 1.0)


def test_mutual_information_by_the_chain_rule(corr):
    a, b = [0, 1], [4, 5, 6]
    plan = plan_combinations([[mi_terms(a, b)]])
    value = plan.coefficients @ np.array([gaussian_cmi(corr, m, f) for m, f in plan.pairs()])
    want = gaussian_tc(corr, a + b) - gaussian_tc(corr, a) - gaussian_tc(corr, b)
    np.testing.assert_allclose(value, [want], atol=1e-12)


def test_sets_of_two_are_refused():
    with pytest.raises(ValueError, match="at least 3"):
        plan_sets([(0, 1)])
