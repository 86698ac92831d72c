"""The nonlinear screen proposes the sets that correlations cannot see."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.signal import lfilter

from fmri_oinfo.candidates import choose_candidates
from fmri_oinfo.candidates.config import CandidateConfig
from fmri_oinfo.candidates.nonlinear import NONLINEAR_TAG, nonlinear_candidates, triplet_scores
from fmri_oinfo.candidates.screen import screen_candidates
from fmri_oinfo.stats.assess import chosen_by_data
from fmri_oinfo.synthetic import HeteroscedasticSystem, MultiplicativeSystem, random_correlation

PLANTED = (7, 23, 41)


def _ar1_regions(n_time: int, n_regions: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return lfilter([np.sqrt(0.75)], [1.0, -0.5], rng.standard_normal((n_time, n_regions)), axis=0)


def _frame(values: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame(values, columns=[f"R{j}" for j in range(values.shape[1])])


@pytest.mark.parametrize("system", [MultiplicativeSystem(0.5), HeteroscedasticSystem()], ids=lambda s: type(s).__name__)
def test_a_planted_non_gaussian_triplet_among_60_regions_is_the_first_candidate(system) -> None:
    x = _ar1_regions(600, 60, seed=3)
    x[:, list(PLANTED)] = system.sample(600, seed=3)
    frame = _frame(x)
    chosen = nonlinear_candidates(frame, top_k=10)
    planted = tuple(f"R{j}" for j in PLANTED)
    assert chosen["set"].iloc[0] == planted and (chosen["chosen_by"] == NONLINEAR_TAG).all()
    if isinstance(system, MultiplicativeSystem):  # the Gaussian screen, which ranks by correlations, misses it
        gaussian = screen_candidates(frame, (3,), 10, 0, False, 0, device="cpu")
        assert planted not in set(gaussian["set"])


def test_gaussian_data_with_strong_correlations_score_only_sampling_noise() -> None:
    rng = np.random.default_rng(4)
    chol = np.linalg.cholesky(random_correlation(20, 4, 1.0))
    x = rng.standard_normal((2000, 20)) @ chol.T
    x[:, 5] = np.exp(x[:, 5])  # a monotone map changes no dependence: the normal scores undo it
    scores = triplet_scores(x)
    assert scores.max() < 5.5 / np.sqrt(2000)  # the largest of ~10,000 null statistics of spread 1/sqrt(T)
    x[:, 2] = x[:, 0] * x[:, 1] + 0.5 * rng.standard_normal(2000)
    assert triplet_scores(x)[0, 1, 2] > 0.5


def test_scores_are_symmetric_and_zero_on_repeated_regions() -> None:
    scores = triplet_scores(_ar1_regions(300, 6, seed=5))
    for order in ((0, 2, 1), (1, 0, 2), (2, 1, 0)):
        np.testing.assert_array_equal(scores, scores.transpose(order))
    index = np.arange(6)
    assert (scores[index, index, :] == 0).all() and (scores[:, index, index] == 0).all()


def test_the_strategy_is_configured_chosen_and_split_like_the_other_data_driven_ones() -> None:
    config = CandidateConfig(strategies=("nonlinear",), nonlinear_keep=4)
    table = choose_candidates(_frame(_ar1_regions(300, 8, seed=6)), config, device="cpu")
    assert len(table) == 4 and set(table["order"]) == {3}
    assert chosen_by_data(table["chosen_by"]).all()  # tested on volumes that did not choose it
    with pytest.raises(ValueError, match="nonlinear_keep"):
        CandidateConfig(strategies=("nonlinear",), nonlinear_keep=0)
    assert "nonlinear" in CandidateConfig().strategies
