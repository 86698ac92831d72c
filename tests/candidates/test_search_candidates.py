"""Search strategy: greedy, beam and annealing on systems with known optima."""

from itertools import combinations

import numpy as np
import pandas as pd
import pytest

from fmri_oinfo import estimate_oinfo
from fmri_oinfo.candidates import anneal_search, beam_search, greedy_search, grow, search_candidates
from fmri_oinfo.synthetic import GroundTruthSystem, planted_search_system, redundant_block


@pytest.fixture(scope="module")
def planted():
    """A 5-region synergistic set hidden among 35 regions with 3 redundant factors."""
    system = planted_search_system(n_regions=40, n_factors=3, seed=2)
    names = [f"r{i}" for i in range(40)]
    data = pd.DataFrame(system.system.sample(1200, seed=5), columns=names)
    return system, data, tuple(names[i] for i in system.synergistic)


@pytest.fixture(scope="module")
def clusters():
    """Regions 0-4 strongly redundant, 5-9 weakly, 10-14 independent."""
    system = GroundTruthSystem.from_blocks([redundant_block(5, 0.8), redundant_block(5, 0.3), np.eye(5)])
    return system.sample(1500, seed=0)


def test_grow_adds_every_outside_region_once():
    grown = grow(np.array([[0, 2, 4], [1, 2, 3]]), 6)
    assert grown.shape == (2, 3, 4)
    assert [tuple(r) for r in grown[0]] == [(0, 1, 2, 4), (0, 2, 3, 4), (0, 2, 4, 5)]
    assert [tuple(r) for r in grown[1]] == [(0, 1, 2, 3), (1, 2, 3, 4), (1, 2, 3, 5)]


def test_planted_triplets_are_only_weakly_synergistic(planted):
    system, _, _ = planted
    members = np.array(system.synergistic)
    o3 = system.system.measures(np.array(list(combinations(members, 3))))["o_info"]
    o5 = system.system.measures(members)["o_info"][0]
    assert np.abs(o3).max() < 0.06  # 4 triplets at exactly 0, 6 at about -0.054
    assert o5 < -4.0


def test_beam_search_finds_the_planted_synergistic_group(planted):
    _, data, truth = planted
    table = beam_search(data, max_order=5, beam_width=300, keep=3)
    best5 = table[table["order"] == 5].iloc[0]
    assert best5["set"] == truth and best5["chosen_by"] == "search:beam"
    check = estimate_oinfo(data, [best5["set"]])["o_info"].iloc[0]
    assert best5["o_info"] == pytest.approx(check, rel=1e-10)
    assert sorted(table["order"].unique()) == [3, 4, 5]


def test_every_search_reports_scores_that_match_estimate_oinfo(clusters):
    table = search_candidates(clusters, targets=["redundancy"], max_order=4, keep=2,
                              beam_width=50, n_starts=3, n_chains=16, n_steps=200, seed=1)
    assert set(table["chosen_by"]) == {"search:greedy", "search:beam", "search:anneal", "search:partial"}
    check = estimate_oinfo(clusters, [tuple(int(m) for m in g) for g in table["set"]])
    np.testing.assert_allclose(table["o_info"].to_numpy(), check["o_info"].to_numpy(), rtol=1e-10)


@pytest.mark.parametrize("search", ["greedy", "beam", "anneal"])
def test_most_redundant_sets_lie_in_the_strong_cluster(clusters, search):
    if search == "greedy":
        table = greedy_search(clusters, max_order=5, target="redundancy", n_starts=3)
    elif search == "beam":
        table = beam_search(clusters, max_order=5, target="redundancy", beam_width=20)
    else:
        table = anneal_search(clusters, orders=(3, 5), target="redundancy", n_chains=32, n_steps=300, seed=0)
    best = table.groupby("order")["set"].first()
    assert best[5] == ("0", "1", "2", "3", "4")
    assert set(best[3]) <= {"0", "1", "2", "3", "4"}


def test_anneal_reaches_the_exhaustive_synergy_optimum_at_order_3(planted):
    _, data, truth = planted
    table = anneal_search(data, orders=(3,), n_chains=64, n_steps=400, keep=1, seed=0)
    exhaustive = estimate_oinfo(data, list(combinations(range(40), 3)))
    assert table["o_info"].iloc[0] == pytest.approx(exhaustive["o_info"].min(), rel=1e-10)


def test_search_arguments_are_checked(clusters):
    with pytest.raises(ValueError, match="target='both' is not known"):
        beam_search(clusters, target="both")
    with pytest.raises(ValueError, match="max_order: order 16 is impossible with 15 regions"):
        greedy_search(clusters, max_order=16)
    with pytest.raises(ValueError, match=r"search methods \['tabu'\] are not known"):
        search_candidates(clusters, methods=["tabu"])


def test_partial_correlations_match_regression_residuals(clusters):
    from fmri_oinfo.candidates import partial_correlations

    corr = np.corrcoef(clusters.T)
    partial = partial_correlations(corr, ridge=0.0)
    # Partial correlation of 0 and 1 given the rest = correlation of regression residuals.
    rest = clusters[:, 2:]
    def residual(y):
        beta, *_ = np.linalg.lstsq(np.column_stack([rest, np.ones(len(y))]), y, rcond=None)
        return y - np.column_stack([rest, np.ones(len(y))]) @ beta
    expected = np.corrcoef(residual(clusters[:, 0]), residual(clusters[:, 1]))[0, 1]
    assert partial[0, 1] == pytest.approx(expected, abs=1e-10)
    assert np.all(np.diag(partial) == 0.0)


def test_neighbourhood_sets_combine_each_region_with_its_neighbours():
    from fmri_oinfo.candidates import neighbourhood_sets

    partial = np.zeros((5, 5))
    partial[0, 1] = partial[1, 0] = 0.9
    partial[0, 2] = partial[2, 0] = -0.5
    partial[3, 4] = partial[4, 3] = 0.4
    sets = neighbourhood_sets(partial, 3, 2)
    assert (0, 1, 2) in {tuple(s) for s in sets}
    assert all(len(set(s)) == 3 for s in sets)
    assert len({tuple(s) for s in sets}) == len(sets)


def test_partial_search_finds_the_planted_group_from_its_neighbourhoods(planted):
    from fmri_oinfo.candidates import partial_search

    _, data, truth = planted
    table = partial_search(data, max_order=5, n_neighbours=6, keep=2)
    best5 = table[table["order"] == 5].iloc[0]
    assert best5["set"] == truth and best5["chosen_by"] == "search:partial"
    with pytest.raises(ValueError, match="n_neighbours=3 must be at least max_order - 1 = 4"):
        partial_search(data, max_order=5, n_neighbours=3)


def test_guided_annealing_finds_the_planted_group(planted):
    _, data, truth = planted
    table = anneal_search(data, orders=(5,), n_chains=16, n_steps=200, seed=0, guided_fraction=0.5, keep=1)
    assert table["set"].iloc[0] == truth
    with pytest.raises(ValueError, match=r"guided_fraction=1.5 must lie in \[0, 1\]"):
        anneal_search(data, guided_fraction=1.5)
