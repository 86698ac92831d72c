"""Sample splitting in time: blocks, gap, and the selection bias it removes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.signal import lfilter

from fmri_oinfo import estimate_oinfo
from fmri_oinfo.candidates import screen_candidates
from fmri_oinfo.estimators import GaussianOInfo
from fmri_oinfo.stats import Design, assess_sets, autocorrelation_length, describe_on_blocks, sample_split


def ar1(n_time: int, n_regions: int, phi: float, seed: int) -> np.ndarray:
    noise = np.random.default_rng(seed).standard_normal((n_time + 100, n_regions))
    return lfilter([1.0], [1.0, -phi], noise, axis=0)[100:]


@pytest.mark.parametrize("phi", [0.5, 0.8, 0.95])
def test_autocorrelation_length_of_ar1_regions(phi):
    """The ACF phi**L falls below 2/sqrt(T) at L = log(2/sqrt(T)) / log(phi) (14 and 62 lags for 0.8 and 0.95)."""
    values = ar1(2400, 30, phi, seed=1)
    expected = np.log(2 / np.sqrt(2400)) / np.log(phi)
    assert 0.7 * expected <= autocorrelation_length(values) <= 1.5 * expected + 3


def test_split_blocks_and_gap():
    values = ar1(1200, 10, 0.8, seed=2)
    split = sample_split(values, 0.4)
    assert split.selection == (0, 480) and split.gap == autocorrelation_length(values)
    assert split.test == (480 + split.gap, 1200) and split.gap_rule == "autocorrelation length"
    given = sample_split(values, 0.4, gap=25)
    assert given.test == (505, 1200) and given.describe()["gap_rule"] == "given"
    with pytest.raises(ValueError, match="selection_fraction = 1.2"):
        sample_split(values, 1.2)
    with pytest.raises(ValueError, match="the run has 60 volumes"):
        sample_split(values[:60], 0.5)


@pytest.fixture(scope="module")
def screened_noise():
    """40 independent AR(1) regions (nothing real) and the 40 most extreme triplets of its first half."""
    names = [f"R{j}" for j in range(40)]
    data = pd.DataFrame(ar1(1200, 40, 0.6, seed=3), columns=names)
    split = sample_split(data.to_numpy(), 0.5)
    candidates = screen_candidates(data.iloc[split.selection_rows], [3], top_k=20, n_control=0, device="cpu")
    return data, split, candidates


def test_sets_chosen_from_noise_are_not_labelled_when_tested_on_the_test_block(screened_noise):
    data, split, candidates = screened_noise
    table = assess_sets(GaussianOInfo(), data, candidates, Design(n_surrogates=199, n_bootstrap=0, split=split))
    assert (table["inference"] == "split-sample").all()
    assert table.attrs["selection"]["test_volumes"] == list(split.test)
    assert (table["label"] == "n.s.").all()


def test_the_same_sets_tested_on_the_data_that_chose_them_look_significant(screened_noise):
    """What the split protects against: the choice makes noise look real on its own volumes."""
    data, split, candidates = screened_noise
    table = assess_sets(GaussianOInfo(), data.iloc[split.selection_rows], candidates,
                        Design(n_surrogates=199, n_bootstrap=0), selected=np.zeros(len(candidates), bool))
    assert (table["p_value"] < 0.05).mean() > 0.5


def test_split_sample_rows_are_estimated_on_the_test_block_alone():
    """A split-sample row's values come from the test block only; a per-set row's from the whole run.

    The selection block chose the set, so including it would score the
    choice on its own volumes.  Checked against :func:`estimate_oinfo` on the
    blocks (closed form: equal to 1e-12), for the result table and for
    :func:`describe_on_blocks` (the descriptive columns).
    """
    names = [f"R{j}" for j in range(6)]
    values = ar1(400, 6, 0.5, seed=5)
    values[:, 1] += 0.8 * values[:, 0]  # some dependence, so that the blocks' values differ clearly
    values[:200, 2] += 0.8 * values[:200, 1]  # ... and differ between the blocks
    data = pd.DataFrame(values, columns=names)
    split = sample_split(values, 0.5)
    sets = [("R0", "R1", "R2"), ("R1", "R2", "R3"), ("R0", "R1", "R2")]
    candidates = pd.DataFrame({"set": sets, "order": 3, "chosen_by": ["search", "search", "user"]})
    table = assess_sets(GaussianOInfo(), data, candidates, Design(n_surrogates=19, n_bootstrap=0, split=split))
    assert table["inference"].tolist() == ["split-sample", "split-sample", "per-set"]
    on_test = estimate_oinfo(data.iloc[split.test_rows], sets[:2])
    on_run = estimate_oinfo(data, sets[2:])
    for column in ("o_info", "tc", "dtc", "s_info"):
        np.testing.assert_allclose(table[column].iloc[:2], on_test[column], rtol=1e-12)
        np.testing.assert_allclose(table[column].iloc[2], on_run[column].iloc[0], rtol=1e-12)
    assert abs(table["o_info"].iloc[0] - table["o_info"].iloc[2]) > 0.01  # same set, other volumes: other value
    described = describe_on_blocks(GaussianOInfo(), data, table, split)
    np.testing.assert_allclose(described["o_info"].iloc[:2], on_test["o_info"], rtol=1e-12)
    np.testing.assert_allclose(described["o_info"].iloc[2], on_run["o_info"].iloc[0], rtol=1e-12)


def test_the_test_block_does_not_share_the_selection_blocks_noise():
    """What the gap is for: neighbouring fMRI volumes are correlated, so a test block that began right
    after the selection block would share the noise that chose the sets.

    Over 300 runs of 8 independent AR(1) regions (phi = 0.9, 300 volumes),
    the last volume of the selection block and the first volume of the test
    block (as the assessment reads them, through the split's row slices) are
    correlated at about phi ** (gap + 1), near the white-noise level
    2 / sqrt(300) = 0.12 the gap waits for; accepted below 0.2 (the
    sampling SE over 2,400 pairs is 0.02).  Without the gap it is phi = 0.9.
    """
    last, first = [], []
    for seed in range(300):
        values = ar1(300, 8, 0.9, seed=1000 + seed)
        split = sample_split(values, 0.5)
        last.append(values[split.selection_rows][-1])
        first.append(values[split.test_rows][0])
    correlation = np.corrcoef(np.concatenate(last), np.concatenate(first))[0, 1]
    assert correlation < 0.2
