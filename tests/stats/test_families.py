"""Families of nested labelled sets: one finding per family, the head named by the rule."""

import numpy as np
import pandas as pd
import pytest

from fmri_oinfo.estimators import GaussianOInfo
from fmri_oinfo.stats import Design, assess_sets, set_families
from fmri_oinfo.synthetic import GroundTruthSystem, redundant_block

DEMO_SETS = [("a", "b", "c", "d"), ("a", "b", "c"), ("a", "b", "d"), ("a", "c", "d"), ("b", "c", "d")]


def test_a_4_set_and_its_four_labelled_3_subsets_are_one_family_headed_by_the_4_set():
    # The 3-subsets rank first (smaller q): the head is still the largest set.
    labels = ["redundant"] * 5
    family, role = set_families(DEMO_SETS, labels, rank=[1, 2, 3, 4, 0])
    assert family.tolist() == [1] * 5
    assert role.tolist() == ["head", "within", "within", "within", "within"]


def test_disjoint_sets_and_opposite_labels_are_separate_families_numbered_in_rank_order():
    sets = [("a", "b", "c"), ("d", "e", "f"), ("a", "b", "c", "g"), ("a", "b", "g"), ("x", "y", "z")]
    labels = ["redundant", "redundant", "redundant", "synergistic", "n.s."]
    family, role = set_families(sets, labels, rank=[1, 0, 3, 2, 4])
    # row 1 ranks first -> family 1; rows 0 and 2 are nested -> one family (2); row 3 is synergistic -> its own.
    assert family.tolist() == [2, 1, 2, 3, 0]
    assert role.tolist() == ["within", "head", "head", "head", ""]


def test_sets_linked_through_a_shared_subset_are_one_family_and_the_outer_set_is_nested():
    sets = [("a", "b", "c", "d"), ("a", "b", "c"), ("a", "b", "c", "e")]
    family, role = set_families(sets, ["synergistic"] * 3, rank=[2, 1, 0])
    assert family.tolist() == [1, 1, 1]
    # Two 4-sets: the better ranked (row 2) is the head; row 0 is linked through row 1 but not inside the head.
    assert role.tolist() == ["nested", "within", "head"]


def test_unlabelled_rows_join_no_family_and_bad_rank_is_refused():
    family, role = set_families(DEMO_SETS, ["n.s."] * 5, rank=range(5))
    assert family.tolist() == [0] * 5 and role.tolist() == [""] * 5
    with pytest.raises(ValueError, match="permutation"):
        set_families(DEMO_SETS, ["redundant"] * 5, rank=[0, 0, 1, 2, 3])


def test_families_in_the_result_table_of_a_planted_4_set():
    """assess_sets writes the columns: a planted redundant 4-set and its 3-subsets are one family."""
    system = GroundTruthSystem.from_blocks([redundant_block(4, 0.4), np.eye(3)])
    names = ["a", "b", "c", "d", "e", "f", "g"]
    data = pd.DataFrame(system.sample(600, seed=2), columns=names)
    sets = [*DEMO_SETS, ("e", "f", "g")]
    table = assess_sets(GaussianOInfo(), data, sets, Design(n_surrogates=99, n_bootstrap=50), seed=0)
    assert table["label"].tolist() == ["redundant"] * 5 + ["n.s."]
    assert table["family"].tolist() == [1] * 5 + [0]
    assert table["family_role"].tolist() == ["head"] + ["within"] * 4 + [""]
    assert table.attrs["n_families"] == 1
