"""Families in group tables: nested labelled sets are one finding in the group and between-cohort tables."""

import numpy as np
import pandas as pd
import pytest

from fmri_oinfo.maps import region_scores
from fmri_oinfo.stats.group import (
    cohort_difference_table,
    difference_as_results,
    difference_directions,
    group_mean_table,
)

FOUR = ("A", "B", "C", "D")
SUBSETS = [("A", "B", "C"), ("A", "B", "D"), ("A", "C", "D"), ("B", "C", "D")]
OTHERS = [("E", "F", "G"), ("E", "F", "H"), ("X", "Y", "Z")]
SETS = pd.DataFrame({"set": [FOUR, *SUBSETS, *OTHERS], "order": [4, 3, 3, 3, 3, 3, 3, 3], "chosen_by": "user"})
REGIONS = pd.DataFrame({"name": list("ABCDEFGHXYZ"), "network": "n", "x": 0.0, "y": 0.0, "z": 0.0})


def _effects(rng: np.random.Generator, means: list[float], n_subjects: int) -> np.ndarray:
    """(S, G) effects: each set's mean plus small subject noise."""
    return np.asarray(means)[None, :] + 0.05 * rng.standard_normal((n_subjects, len(means)))


def test_a_labelled_4_set_and_its_3_subsets_are_one_family_in_the_group_table() -> None:
    rng = np.random.default_rng(0)
    # the 4-set and its subsets redundant (the 4-set strongest), E,F,G / E,F,H null, X,Y,Z synergistic
    values = _effects(rng, [0.6, 0.3, 0.25, 0.3, 0.2, 0.0, 0.0, -0.4], 10)
    table = group_mean_table(SETS, values, np.zeros_like(values), n_permutations=999)
    assert table["label"].tolist() == ["redundant"] * 5 + ["n.s.", "n.s.", "synergistic"]
    redundant = table["family"].iloc[:5]
    assert redundant.nunique() == 1 and redundant.iloc[0] > 0
    assert table["family_role"].tolist() == ["head"] + ["within"] * 4 + ["", "", "head"]
    assert table["family"].iloc[5:7].tolist() == [0, 0]
    assert sorted(table["family"].unique().tolist()) == [0, 1, 2]  # two findings, numbered 1 and 2

    # the map counts the family once: A's redundancy is the family's largest |O| holding A, not the sum
    scores = region_scores(table, REGIONS).set_index("name")
    family_o = table["o_info"].abs().iloc[:5]
    holds_a = [("A" in g) for g in table["set"].iloc[:5]]
    assert scores.loc["A", "redundancy"] == pytest.approx(family_o[holds_a].max())
    assert scores.loc["A", "redundancy"] < family_o[holds_a].sum() - 0.1
    assert scores.loc["A", "n_redundant"] == 1 and scores.loc["X", "n_synergistic"] == 1


def test_difference_families_link_sets_of_the_same_direction_only() -> None:
    """A subset labelled "higher in A" for the other kind (B more synergistic) is a separate finding."""
    rng = np.random.default_rng(1)
    n = 8
    a = _effects(rng, [0.6, 0.3, 0.3, 0.3, 0.0, 0.0, 0.0, 0.0], n)  # cohort a: more redundancy in the family
    b = _effects(rng, [0.0, 0.0, 0.0, 0.0, -0.5, 0.0, 0.0, 0.0], n)  # cohort b: B,C,D synergistic
    values = np.vstack([a, b])
    cohorts = np.array(["a"] * n + ["b"] * n, dtype=object)
    table = cohort_difference_table(SETS, values, np.zeros_like(values), cohorts, "a", "b", n_permutations=999)
    assert table["label"].tolist() == ["higher in A"] * 5 + ["n.s."] * 3
    assert table["direction"].tolist()[:5] == ["a > b, redundancy"] * 4 + ["b > a, synergy"]
    family = table["family"].to_numpy()
    assert len(set(family[:4])) == 1 and family[4] not in (0, family[0]) and (family[5:] == 0).all()
    assert table["family_role"].tolist() == ["head", "within", "within", "within", "head", "", "", ""]

    # difference_as_results keeps the families: the redundancy map counts the a > b family once
    results = difference_as_results(table)
    scores = region_scores(results, REGIONS).set_index("name")
    assert scores.loc["A", "redundancy"] == pytest.approx(abs(table["difference"].iloc[0]))
    assert scores.loc["B", "synergy"] == pytest.approx(abs(table["difference"].iloc[4]))
    directions = difference_directions(table)
    assert directions["a > b, redundancy"]["family_role"].tolist() == ["head", "within", "within", "within"]
