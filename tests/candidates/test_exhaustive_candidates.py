"""Exhaustive strategy: every k-subset, refused above the cap."""

import math
from itertools import combinations

import pytest

from fmri_oinfo.candidates import exhaustive_candidates, iter_exhaustive_batches

NAMES = [f"r{i}" for i in range(8)]


def test_exhaustive_lists_every_subset_of_every_order():
    table = exhaustive_candidates(NAMES, [3, 4])
    expected = [tuple(NAMES[i] for i in c) for k in (3, 4) for c in combinations(range(8), k)]
    assert table["set"].tolist() == expected
    assert len(table) == math.comb(8, 3) + math.comb(8, 4) == 126
    assert set(table["chosen_by"]) == {"exhaustive"}


def test_exhaustive_refuses_above_cap_with_the_count():
    with pytest.raises(ValueError, match=r"gives 126 sets, above max_sets=100"):
        exhaustive_candidates(NAMES, [3, 4], max_sets=100)


def test_exhaustive_refuses_impossible_orders():
    with pytest.raises(ValueError, match="order 9 is impossible with 8 regions"):
        exhaustive_candidates(NAMES, [9])
    with pytest.raises(ValueError, match="order 2 is impossible"):
        exhaustive_candidates(NAMES, [2])


def test_streamed_batches_cover_every_subset_once():
    batches = list(iter_exhaustive_batches(8, [3], batch_size=10))
    assert [len(b) for b in batches] == [10] * 5 + [6]
    rows = {tuple(r) for b in batches for r in b}
    assert rows == set(combinations(range(8), 3))
