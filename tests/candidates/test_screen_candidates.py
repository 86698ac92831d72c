"""Screen strategy: running top-K over the streamed k-subset space."""

from itertools import combinations

import numpy as np
import pandas as pd
import pytest

from fmri_oinfo import estimate_oinfo
from fmri_oinfo.candidates import RunningTop, extreme_sets, random_sets, screen_candidates
from fmri_oinfo.estimators import GaussianOInfo
from fmri_oinfo.synthetic import GroundTruthSystem, redundant_block, sum_triplet


@pytest.fixture(scope="module")
def planted():
    """Regions 0-2 redundant, 3-5 synergistic, 6-11 independent."""
    system = GroundTruthSystem.from_blocks([redundant_block(3, 0.6), sum_triplet(0.5), np.eye(6)])
    names = [f"r{i}" for i in range(12)]
    return pd.DataFrame(system.sample(2000, seed=3), columns=names)


def test_running_top_equals_a_full_sort():
    rng = np.random.default_rng(0)
    scores = rng.standard_normal(1000)
    sets = np.arange(3000).reshape(1000, 3)
    top = RunningTop(25)
    for start in range(0, 1000, 64):
        top.update(sets[start : start + 64], scores[start : start + 64])
    kept_groups, kept_scores = top.sorted()
    best = np.argsort(-scores)[:25]
    np.testing.assert_array_equal(kept_groups, sets[best])
    np.testing.assert_array_equal(kept_scores, scores[best])


def test_extreme_sets_match_an_exhaustive_table(planted):
    estimator = GaussianOInfo(batch_size=50).fit(planted.to_numpy())
    extremes = extreme_sets(estimator, 3, 5)
    full = estimate_oinfo(planted.to_numpy(), list(combinations(range(12), 3)))
    o_sorted = np.sort(full["o_info"].to_numpy())
    np.testing.assert_allclose(extremes["synergy"][1], o_sorted[:5], rtol=1e-10)
    np.testing.assert_allclose(extremes["redundancy"][1], o_sorted[::-1][:5], rtol=1e-10)
    assert tuple(extremes["synergy"][0][0]) == (3, 4, 5)
    assert tuple(extremes["redundancy"][0][0]) == (0, 1, 2)


def test_screen_keeps_top_k_per_direction_and_a_control_sample(planted):
    table = screen_candidates(planted, [3, 4], top_k=4, n_control=6, seed=1)
    counts = table.groupby(["order", "chosen_by"]).size().to_dict()
    assert counts == {
        (3, "screen:control"): 6, (3, "screen:redundancy"): 4, (3, "screen:synergy"): 4,
        (4, "screen:control"): 6, (4, "screen:redundancy"): 4, (4, "screen:synergy"): 4,
    }
    first = table.groupby("chosen_by", sort=False)["set"].first()
    assert first["screen:synergy"] == ("r3", "r4", "r5")
    assert first["screen:redundancy"] == ("r0", "r1", "r2")


def test_random_sets_are_distinct_sorted_and_capped_by_the_total():
    rng = np.random.default_rng(0)
    sets = random_sets(50, 4, 300, rng)
    assert sets.shape == (300, 4)
    assert len({tuple(s) for s in sets}) == 300
    assert (np.diff(sets, axis=1) > 0).all()
    assert random_sets(5, 3, 100, rng).shape == (10, 3)  # only C(5, 3) exist
