"""The TC -> measures map against entropies computed independently."""

import itertools

import numpy as np
import pytest

from fmri_oinfo.measures import measures_from_tc, subset_plan, unit_factor
from fmri_oinfo.synthetic import GroundTruthSystem, redundant_block, synergistic_block


def gaussian_entropy(cov: np.ndarray) -> float:
    return 0.5 * np.linalg.slogdet(2 * np.pi * np.e * np.atleast_2d(cov))[1]


def direct_measures(cov: np.ndarray) -> dict[str, float]:
    """TC, DTC, O, S from entropies and conditional entropies (Schur complements)."""
    n = cov.shape[0]
    h_joint = gaussian_entropy(cov)
    h_single = [gaussian_entropy(cov[i, i]) for i in range(n)]
    h_cond = []
    for i in range(n):
        rest = [j for j in range(n) if j != i]
        schur = cov[i, i] - cov[i, rest] @ np.linalg.solve(cov[np.ix_(rest, rest)], cov[rest, i])
        h_cond.append(gaussian_entropy(schur))
    tc = sum(h_single) - h_joint
    dtc = h_joint - sum(h_cond)
    return {"tc": tc, "dtc": dtc, "o_info": tc - dtc, "s_info": tc + dtc}


def direct_o_info(cov: np.ndarray) -> float:
    return direct_measures(cov)["o_info"] if cov.shape[0] >= 3 else 0.0


def random_covariance(n: int, seed: int) -> np.ndarray:
    a = np.random.default_rng(seed).standard_normal((n, 2 * n))
    return a @ a.T / (2 * n) + 0.1 * np.eye(n)


@pytest.mark.parametrize("n", [3, 4, 5, 7])
@pytest.mark.parametrize("seed", [0, 1])
def test_measures_match_entropy_definitions(n, seed):
    cov = random_covariance(n, seed)
    d = np.sqrt(np.diag(cov))
    system = GroundTruthSystem(cov / np.outer(d, d))
    plan = subset_plan(n, gradient=True)
    got = measures_from_tc(system.subset_tc(np.arange(n)[None], plan), plan)
    want = direct_measures(cov)
    for name, value in want.items():
        assert got[name][0] == pytest.approx(value, abs=1e-9), name
    for i in range(n):
        rest = [j for j in range(n) if j != i]
        expected = want["o_info"] - direct_o_info(cov[np.ix_(rest, rest)])
        assert got["gradient"][0, i] == pytest.approx(expected, abs=1e-9)


def test_plan_structure():
    plan = subset_plan(4, gradient=True)
    assert plan.n_subsets == 1 + 4 + 6
    assert plan.masks[0].all()
    assert (plan.masks[1:5].sum(axis=1) == 3).all()
    assert (plan.masks[5:].sum(axis=1) == 2).all()
    assert plan.quantity_names[:4] == ("tc", "dtc", "o_info", "s_info")
    pairs = {tuple(np.flatnonzero(~m)) for m in plan.masks[5:]}
    assert pairs == set(itertools.combinations(range(4), 2))


def test_closed_form_omega_matches_precision_formula():
    """Omega = -log det R - 1/2 sum log P_jj (math note) for redundant and synergistic blocks."""
    for r in (redundant_block(5, 0.6), synergistic_block(6, 0.5)):
        plan = subset_plan(r.shape[0])
        got = measures_from_tc(GroundTruthSystem(r).subset_tc(np.arange(r.shape[0])[None], plan), plan)
        p = np.linalg.inv(r)
        closed = -np.linalg.slogdet(r)[1] - 0.5 * np.log(np.diag(p)).sum()
        assert got["o_info"][0] == pytest.approx(closed, abs=1e-9)


def test_redundant_positive_synergistic_negative():
    red = GroundTruthSystem(redundant_block(4, 0.5)).measures(np.arange(4)[None])
    syn = GroundTruthSystem(synergistic_block(4, 0.5)).measures(np.arange(4)[None])
    assert red["o_info"][0] > 0.05
    assert syn["o_info"][0] < -0.05


def test_bad_arguments():
    with pytest.raises(ValueError, match="at least 3"):
        subset_plan(2)
    with pytest.raises(ValueError, match="units"):
        unit_factor("bans")
    with pytest.raises(ValueError, match="subsets"):
        measures_from_tc(np.zeros((2, 3)), subset_plan(3))
    assert unit_factor("bits") == pytest.approx(1 / np.log(2))
