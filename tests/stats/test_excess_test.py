"""The test of FMMI's non-Gaussian excess: margin, p, q, labels and what they rest on."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as scipy_stats

from fmri_oinfo.stats.excess import (
    MIN_EXCESS,
    REDUNDANCY_BEYOND_FC,
    RELATIVE_EXCESS,
    SMALLEST_EXCESS_P,
    SYNERGY_BEYOND_FC,
    excess_tests,
)


def test_p_is_the_normal_tail_of_the_excess_beyond_its_margin() -> None:
    excess = np.array([0.2, -0.15, 0.06, -0.9, 0.04])
    se = np.array([0.1, 0.05, 0.02, 0.01, 0.001])
    gaussian = np.array([0.0, -0.2, 0.1, -1.0, 0.0])
    table = excess_tests(excess, se, gaussian, alpha=0.05)
    margin = np.maximum(MIN_EXCESS, RELATIVE_EXCESS * np.abs(gaussian))
    np.testing.assert_allclose(table["excess_margin"], margin)
    expected = scipy_stats.norm.sf((np.abs(excess) - margin) / se)
    np.testing.assert_allclose(table["excess_p"][:3], expected[:3], rtol=1e-12)
    # z = 80: far beyond what the nulls checked, held at the floor and marked
    assert table["excess_p"][3] == SMALLEST_EXCESS_P and table["excess_p_is_bound"].tolist() == [0, 0, 0, 1, 0]
    # inside the margin: never labelled, however small the SE (the engine's own error is larger)
    assert table["excess_p"][4] == 1.0 and table["excess_label"][4] == ""


def test_labels_follow_the_sign_and_the_fdr_over_every_set() -> None:
    excess = np.array([-0.3, 0.25, 0.04, -0.03] + [0.001] * 16)
    se = np.full(excess.size, 0.02)
    table = excess_tests(excess, se, np.zeros(excess.size), alpha=0.05)
    assert table["excess_label"].tolist()[:4] == [SYNERGY_BEYOND_FC, REDUNDANCY_BEYOND_FC, "", ""]
    assert (table["excess_label"][4:] == "").all()
    # q is Benjamini-Hochberg over all 20: a p of 0.04 among 20 does not survive
    borderline = excess_tests(np.array([0.085] + [0.0] * 19), np.full(20, 0.02), np.zeros(20), alpha=0.05)
    assert borderline["excess_p"][0] < 0.05 and borderline["excess_q"][0] >= 0.05
    assert borderline["excess_label"][0] == ""


def test_a_large_linear_dependence_widens_the_margin() -> None:
    # the same excess is labelled beside a weak Gaussian part and not beside a strong one
    table = excess_tests(np.array([-0.1, -0.1]), np.array([0.01, 0.01]), np.array([0.0, -1.5]), alpha=0.05)
    assert table["excess_label"].tolist() == [SYNERGY_BEYOND_FC, ""]


def test_sets_without_an_excess_or_without_learning_are_not_labelled() -> None:
    table = excess_tests(np.array([np.nan, 0.0, -0.5]), np.array([np.nan, np.nan, 0.01]), np.zeros(3), alpha=0.05)
    assert np.isnan(table["excess_p"][0]) and np.isnan(table["excess_q"][0]) and table["excess_label"][0] == ""
    assert table["excess_p"][1] == 1.0 and table["excess_label"][1] == ""  # learnt nothing: no evidence
    assert table["excess_label"][2] == SYNERGY_BEYOND_FC  # q over the two sets with an excess


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="same length"):
        excess_tests(np.zeros(3), np.zeros(2), np.zeros(3), alpha=0.05)
    with pytest.raises(ValueError, match="alpha"):
        excess_tests(np.zeros(3), np.ones(3), np.zeros(3), alpha=1.5)
