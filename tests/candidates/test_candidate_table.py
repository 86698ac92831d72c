"""Candidate tables: construction and de-duplicated union."""

import numpy as np
import pytest

from fmri_oinfo.candidates import CANDIDATE_COLUMNS, candidate_table, merge_candidates

NAMES = ["a", "b", "c", "d", "e"]


def test_candidate_table_sorts_members_and_names_them():
    table = candidate_table(np.array([[2, 0, 1], [4, 3, 0]]), NAMES, "exhaustive")
    assert list(table.columns) == list(CANDIDATE_COLUMNS)
    assert table["set"].tolist() == [("a", "b", "c"), ("a", "d", "e")]
    assert table["order"].tolist() == [3, 3]
    assert table["chosen_by"].tolist() == ["exhaustive", "exhaustive"]


def test_candidate_table_rejects_wrong_number_of_reasons():
    with pytest.raises(ValueError, match="chosen_by has 1 entries for 2 sets"):
        candidate_table([[0, 1, 2], [1, 2, 3]], NAMES, ["x"])


def test_merge_keeps_every_reason_once_in_first_seen_order():
    first = candidate_table([[0, 1, 2], [1, 2, 3]], NAMES, "screen:synergy")
    second = candidate_table([[2, 1, 0], [0, 1, 2, 3]], NAMES, "user")
    third = candidate_table([[0, 1, 2]], NAMES, "screen:synergy;search:beam")
    merged = merge_candidates([first, second, third])
    assert merged["set"].tolist() == [("a", "b", "c"), ("b", "c", "d"), ("a", "b", "c", "d")]
    assert merged["chosen_by"].tolist() == ["screen:synergy;user;search:beam", "screen:synergy", "user"]
    assert merged["order"].tolist() == [3, 3, 4]


def test_merge_of_nothing_is_an_empty_table():
    merged = merge_candidates([])
    assert list(merged.columns) == list(CANDIDATE_COLUMNS) and len(merged) == 0
