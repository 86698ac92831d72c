"""Sample splitting in time: choose sets on one block of volumes, test them on another.

Sets chosen by looking at the data (the screen, the searches) are tested on
volumes that the choice never saw, so the choice cannot make noise look
significant.  The run is cut into a *selection* block (the first
``selection_fraction`` of the volumes), a *gap* and a *test* block (the rest).
The gap is at least the autocorrelation length of the regions
(:func:`autocorrelation_length`), so the test block is nearly independent of
the selection block despite the temporal smoothness of fMRI.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

#: Fewest volumes a test or selection block may hold.
MIN_BLOCK_VOLUMES = 30

#: Candidate strategies that look at the data to choose their sets.
DATA_DRIVEN_STRATEGIES: tuple[str, ...] = ("screen", "search")


@dataclass(frozen=True)
class SampleSplit:
    """Volumes that choose and volumes that test.

    Attributes
    ----------
    n_volumes : int
        Volumes of the whole run.
    selection : tuple of int
        ``(start, stop)`` of the selection block (volumes ``start`` to ``stop - 1``).
    test : tuple of int
        ``(start, stop)`` of the test block.
    gap : int
        Volumes left out between the two blocks.
    gap_rule : str
        How the gap was chosen (``"autocorrelation length"`` or ``"given"``).
    """

    n_volumes: int
    selection: tuple[int, int]
    test: tuple[int, int]
    gap: int
    gap_rule: str = "given"

    @property
    def selection_rows(self) -> slice:
        """Row slice of the selection block."""
        return slice(*self.selection)

    @property
    def test_rows(self) -> slice:
        """Row slice of the test block."""
        return slice(*self.test)

    def block_rows(self, block: str) -> slice:
        """Row slice of ``"selection"``, ``"test"`` or ``"whole"`` (every volume)."""
        blocks = {"selection": self.selection_rows, "test": self.test_rows, "whole": slice(None)}
        if block not in blocks:
            raise ValueError(f"block={block!r}; use one of {list(blocks)}.")
        return blocks[block]

    def describe(self) -> dict[str, Any]:
        """A JSON-ready description (``attrs["selection"]`` of the result table)."""
        return {
            "method": "sample splitting in time",
            "n_volumes": self.n_volumes,
            "selection_volumes": list(self.selection),
            "gap_volumes": self.gap,
            "gap_rule": self.gap_rule,
            "test_volumes": list(self.test),
        }


def autocorrelation_length(values: np.ndarray, max_lag: int | None = None) -> int:
    """Lag beyond which the regions' autocorrelation is indistinguishable from zero.

    The autocorrelation of every region is computed (FFT, zero-padded) and
    averaged over regions; the length is the first lag ``L`` from which the
    absolute mean autocorrelation stays below ``2 / sqrt(T)`` (about the 95 %
    level of white noise) up to lag ``2 L`` (so a decaying oscillation, as
    after band-pass filtering, is waited out).

    Parameters
    ----------
    values : numpy.ndarray, shape (T, N)
    max_lag : int or None, default=None
        Largest length returned; None uses ``T // 4``.

    Returns
    -------
    int
        Between 1 and ``max_lag``.
    """
    n_time = values.shape[0]
    max_lag = n_time // 4 if max_lag is None else min(max_lag, n_time - 1)
    centred = values - values.mean(axis=0)  # (T, N)
    size = 1 << int(np.ceil(np.log2(2 * n_time)))
    spectrum = np.fft.rfft(centred, n=size, axis=0)  # (F, N)
    acov = np.fft.irfft(np.abs(spectrum) ** 2, n=size, axis=0)[: 2 * max_lag + 1]  # (2 max_lag + 1, N)
    with np.errstate(invalid="ignore", divide="ignore"):
        acf = np.nanmean(acov / acov[0], axis=1)  # (2 max_lag + 1,)
    below = np.abs(acf) < 2.0 / np.sqrt(n_time)  # (2 max_lag + 1,)
    for lag in range(1, max_lag + 1):
        if below[lag : 2 * lag + 1].all():
            return lag
    return max_lag


def sample_split(values: np.ndarray, selection_fraction: float, gap: int = 0) -> SampleSplit:
    """Cut a run into a selection block, a gap and a test block.

    Parameters
    ----------
    values : numpy.ndarray, shape (T, N)
        The region time series (only used for the autocorrelation length).
    selection_fraction : float
        Share of the volumes in the selection block, in (0, 1).
    gap : int, default=0
        Volumes between the blocks; 0 uses :func:`autocorrelation_length`.

    Returns
    -------
    SampleSplit

    Raises
    ------
    ValueError
        When a block would hold fewer than :data:`MIN_BLOCK_VOLUMES` volumes.
    """
    if not 0 < selection_fraction < 1:
        raise ValueError(f"statistics.selection_fraction = {selection_fraction!r}: expected a number in (0, 1).")
    if gap < 0:
        raise ValueError(f"statistics.split_gap = {gap!r}: expected 0 (the autocorrelation length) or more volumes.")
    n_time = values.shape[0]
    rule = "given" if gap else "autocorrelation length"
    gap = gap or autocorrelation_length(values)
    stop = int(round(selection_fraction * n_time))
    start = stop + gap
    if stop < MIN_BLOCK_VOLUMES or n_time - start < MIN_BLOCK_VOLUMES:
        raise ValueError(
            f"the run has {n_time} volumes: a selection block of {stop}, a gap of {gap} and a test block of "
            f"{n_time - start} volumes leave fewer than {MIN_BLOCK_VOLUMES} in a block; use a longer run (or "
            "concatenate runs), change statistics.selection_fraction or statistics.split_gap, or test "
            "pre-specified sets (candidates.strategies = exhaustive, networks or user) on the whole run."
        )
    return SampleSplit(n_volumes=n_time, selection=(0, stop), test=(start, n_time), gap=gap, gap_rule=rule)


def chosen_from_data(strategies: Iterable[str], user_sets_from_data: bool = False) -> bool:
    """Whether candidate strategies choose sets by looking at the data.

    A data-driven strategy (:data:`DATA_DRIVEN_STRATEGIES`), or a user list
    marked as chosen from this data (``user_sets_from_data``: a group
    study's common list chosen by the subjects' screens).
    """
    strategies = set(strategies)
    return bool(strategies & set(DATA_DRIVEN_STRATEGIES)) or ("user" in strategies and user_sets_from_data)


def study_split(values: np.ndarray, strategies: Iterable[str], user_sets_from_data: bool,
                selection_fraction: float, gap: int = 0) -> SampleSplit | None:
    """The split rule, once for the subject pipeline and the group study.

    When the strategies choose sets by looking at the data
    (:func:`chosen_from_data`), the run is split (:func:`sample_split`): the
    sets are chosen on the selection block and tested on the test block
    (:func:`fmri_oinfo.stats.assess.tested_blocks`).  Otherwise None: every
    set is tested on the whole run.
    """
    if not chosen_from_data(strategies, user_sets_from_data):
        return None
    return sample_split(values, selection_fraction, gap)
