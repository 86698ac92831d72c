"""Irreducibility: a set padded with an unrelated region is not labelled; its carriers are named."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.signal import lfilter

from fmri_oinfo.estimators import GaussianOInfo
from fmri_oinfo.stats import Design, assess_sets, benjamini_hochberg, member_p_values
from fmri_oinfo.synthetic import GroundTruthSystem, redundant_block, sum_triplet


def planted_data(seed: int, n_time: int = 600) -> pd.DataFrame:
    """s0-s2: synergistic triplet; d0-d3: redundant 4-set; n0-n5: independent; AR(1) phi = 0.6."""
    system = GroundTruthSystem.from_blocks([sum_triplet(1.5), redundant_block(4, 0.4), np.eye(6)])
    values = lfilter([1.0], [1.0, -0.6], system.sample(n_time, seed=seed), axis=0)
    names = ["s0", "s1", "s2", "d0", "d1", "d2", "d3"] + [f"n{j}" for j in range(6)]
    return pd.DataFrame(values, columns=names)


def test_padded_sets_are_not_labelled_and_their_carriers_are_the_real_members():
    data = planted_data(seed=0)
    sets = [("s0", "s1", "s2"), ("s0", "s1", "s2", "n0"), ("d0", "d1", "d2", "d3"), ("d0", "d1", "d2", "d3", "n1"),
            ("d0", "d1", "n2")]
    table = assess_sets(GaussianOInfo(), data, sets, Design(n_surrogates=299, n_bootstrap=0), seed=1)
    assert table["label"].tolist() == ["synergistic", "n.s.", "redundant", "n.s.", "n.s."]
    assert table["irreducible"].tolist() == [True, False, True, False, False]
    # a padded set keeps the real set's O-information and surrogate p-value: only irreducibility stops it
    assert (table["p_value"].iloc[[1, 3]] < 1e-3).all()
    assert table["carriers"].tolist()[:4] == [("s0", "s1", "s2"), ("s0", "s1", "s2"), ("d0", "d1", "d2", "d3"),
                                              ("d0", "d1", "d2", "d3")]


def test_the_padded_member_p_value_is_uniform():
    """Over 40 padded sets (independent data), the member test rejects at about its level.

    The set's direction is clear (the real triplet's), so the one-sided p-value of the padded member is
    uniform and the reported one, twice it, is uniform on [0, 2] capped at 1.
    """
    p = []
    for seed in range(40):
        data = planted_data(seed=100 + seed, n_time=400)
        table = assess_sets(GaussianOInfo(), data, [("s0", "s1", "s2", "n0")],
                            Design(n_surrogates=99, n_bootstrap=0), seed=seed)
        p.append(table["p_irreducible"].iloc[0])
    p = np.array(p)
    assert (p < 0.05).mean() <= 0.15 and (p < 0.5).mean() == pytest.approx(0.25, abs=0.2)
    assert (p == 1.0).mean() == pytest.approx(0.5, abs=0.25)


def test_member_p_values_by_hand():
    o_info = np.array([-0.5, 0.2, np.nan])
    null = np.full((3, 3, 3), np.nan)
    null[:, 0, :] = [[-0.1, -0.6, 0.0], [-0.2, -0.1, 0.1], [0.0, -0.2, -0.3]]  # synergistic: d = -1
    null[:, 1, :2] = [[0.1, 0.3], [0.0, 0.1], [0.2, 0.0]]  # a set of 2 members
    p_members, p_irreducible, _, n_tail_fits = member_p_values(o_info, null, tail="empirical")
    assert n_tail_fits == 0
    # twice the one-sided p-value in the set's direction (the direction was read from the data)
    np.testing.assert_allclose(p_members[0], [2 / 4, 4 / 4, 2 / 4])
    np.testing.assert_allclose(p_members[1, :2], [4 / 4, 4 / 4])
    assert np.isnan(p_members[1, 2]) and np.isnan(p_members[2]).all()
    np.testing.assert_allclose(p_irreducible, [1.0, 1.0, np.nan])


def test_a_padded_set_is_not_significant_in_its_q_value():
    """q-values are Benjamini-Hochberg over max(p_value, p_irreducible), so a padded set's q is no claim either.

    The padded set's own surrogate test passes (p < 0.01) and only its
    padded member fails (p_irreducible > 0.05): its q-value must be at least
    that p_irreducible, not the small q its p_value alone would give.
    """
    data = planted_data(seed=0, n_time=400)
    sets = [("s0", "s1", "s2"), ("s0", "s1", "s2", "n0")]
    table = assess_sets(GaussianOInfo(), data, sets, Design(n_surrogates=99, n_bootstrap=0), seed=1)
    assert table.loc[1, "p_value"] < 0.01 and table.loc[1, "p_irreducible"] > 0.05
    assert table.loc[1, "q_value"] >= table.loc[1, "p_irreducible"] > 0.05
    combined = np.fmax(table["p_value"].to_numpy(), table["p_irreducible"].to_numpy())
    np.testing.assert_allclose(table["q_value"], benjamini_hochberg(combined), rtol=1e-12)


def test_member_shifts_stay_beyond_the_autocorrelation_length():
    """What the member null's margin is for: a member shifted by less than its autocorrelation length
    is still aligned with the others (shifted by 0 it is the data itself), so such surrogates carry the
    set's dependence and a real set's member test could never be strongly significant.

    Four redundant triplets (pairwise correlation 0.9), AR(1) phi = 0.9, 400
    volumes (autocorrelation length 23): with every member shift at least that
    far, each member's tail p-value is below 1e-7 here, so p_irreducible is
    held at its reportable bound (twice 1 / (10 (999 + 1)), 0.0002 when
    every surrogate is finite; 0.00056 here), flagged as a bound.  With shifts
    from 0, the null holds the data's own alignment and its neighbours, and
    p_irreducible is 0.004-0.007.
    """
    system = GroundTruthSystem.from_blocks([redundant_block(3, 0.9)] * 4)
    values = lfilter([1.0], [1.0, -0.9], system.sample(400, seed=0), axis=0)
    sets = [(0, 1, 2), (3, 4, 5), (6, 7, 8), (9, 10, 11)]
    table = assess_sets(GaussianOInfo(), values, sets, Design(n_surrogates=999, n_bootstrap=0), seed=1)
    assert (table["p_irreducible"] < 1e-3).all() and table["p_irreducible_is_bound"].all()
    assert table["irreducible"].all()
