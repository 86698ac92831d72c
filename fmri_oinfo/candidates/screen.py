"""Screen strategy: score every set of an order with the fast Gaussian estimator.

The whole k-subset space is streamed in batches
(:meth:`fmri_oinfo.estimators.GaussianOInfo.iter_exhaustive`); only a running top-K of the most
redundant and of the most synergistic sets is kept, so memory is bounded by
``batch_size + top_k`` sets whatever the number of regions.  A uniform random
sample of sets is added as a control, for the slower estimator to refine.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from fmri_oinfo.candidates.exhaustive import check_order
from fmri_oinfo.candidates.table import candidate_table
from fmri_oinfo.enumeration import n_combinations, unrank_combinations
from fmri_oinfo.estimators import CopulaOInfo, GaussianOInfo


@dataclass
class RunningTop:
    """The ``size`` highest-scoring rows seen so far, with bounded memory.

    Attributes
    ----------
    size : int
        Rows kept.
    sets : numpy.ndarray of int64, shape (<= size, k)
    scores : numpy.ndarray of float, shape (<= size,)
    """

    size: int
    sets: np.ndarray | None = None
    scores: np.ndarray | None = None

    def update(self, sets: np.ndarray, scores: np.ndarray) -> None:
        """Merge a batch ``sets`` (B, k) with ``scores`` (B,) into the top rows."""
        if sets.shape[0] > self.size:
            keep = np.argpartition(-scores, self.size - 1)[: self.size]  # (size,)
            sets, scores = sets[keep], scores[keep]
        if self.sets is not None:
            sets = np.concatenate([self.sets, sets])  # (<= 2 size, k)
            scores = np.concatenate([self.scores, scores])  # (<= 2 size,)
        if sets.shape[0] > self.size:
            keep = np.argpartition(-scores, self.size - 1)[: self.size]
            sets, scores = sets[keep], scores[keep]
        self.sets, self.scores = sets, scores

    def sorted(self) -> tuple[np.ndarray, np.ndarray]:
        """Kept rows, best first: ``sets`` (n, k) and ``scores`` (n,)."""
        order = np.argsort(-self.scores, kind="stable")
        return self.sets[order], self.scores[order]


def extreme_sets(
    estimator: GaussianOInfo, order: int, top_k: int
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Most redundant and most synergistic sets of ``order`` fitted regions.

    Parameters
    ----------
    estimator : GaussianOInfo or CopulaOInfo
        Fitted.
    order : int
    top_k : int
        Sets kept per direction.

    Returns
    -------
    dict
        ``"redundancy"`` and ``"synergy"`` map to ``(sets (n, k), o_info (n,))``,
        most extreme first (largest O, resp. most negative O).
    """
    redundant, synergistic = RunningTop(top_k), RunningTop(top_k)
    for sets, measures in estimator.iter_exhaustive(order):
        o_info = measures["o_info"]  # (B,)
        redundant.update(sets, o_info)
        synergistic.update(sets, -o_info)
    red_sets, red_scores = redundant.sorted()
    syn_sets, syn_scores = synergistic.sorted()
    return {"redundancy": (red_sets, red_scores), "synergy": (syn_sets, -syn_scores)}


def random_sets(n_regions: int, order: int, size: int, rng: np.random.Generator) -> np.ndarray:
    """``size`` distinct k-subsets drawn uniformly (fewer if fewer exist), shape (n, k)."""
    total = n_combinations(n_regions, order)
    size = min(size, total)
    if size == 0:
        return np.empty((0, order), dtype=np.int64)
    if total <= 4 * size:
        ranks = rng.choice(total, size=size, replace=False)
    else:
        ranks = np.unique(rng.integers(0, total, size=2 * size))
        ranks = rng.permutation(ranks)[:size]
    return unrank_combinations(n_regions, order, np.sort(ranks))


def screen_candidates(
    data: np.ndarray | pd.DataFrame,
    orders: Sequence[int],
    top_k: int = 100,
    n_control: int = 100,
    copula: bool = False,
    seed: int | np.random.Generator = 0,
    batch_size: int = 262_144,
    device: str = "auto",
) -> pd.DataFrame:
    """Top-K most redundant and most synergistic sets per order, plus controls.

    Parameters
    ----------
    data : array of shape (T, N) or pandas.DataFrame
        Region time series (columns name the regions).
    orders : sequence of int
    top_k : int, default=100
        Sets kept per order and direction.
    n_control : int, default=100
        Uniformly random sets per order (``"screen:control"``).
    copula : bool, default=False
        Screen with the Gaussian-copula estimator instead of the Gaussian one.
    seed : int or numpy.random.Generator, default=0
        For the control sample.
    batch_size : int, default=262144
        Sets scored per batch (bounds memory).
    device : str, default="auto"

    Returns
    -------
    pandas.DataFrame
        Candidate table; ``chosen_by`` is ``"screen:redundancy"``,
        ``"screen:synergy"`` or ``"screen:control"``.  A set can appear under
        more than one reason (see :func:`merge_candidates`).
    """
    if top_k < 1 or n_control < 0:
        raise ValueError(f"top_k={top_k} must be >= 1 and n_control={n_control} >= 0.")
    rng = np.random.default_rng(seed)
    estimator = (CopulaOInfo if copula else GaussianOInfo)(device=device, batch_size=batch_size).fit(data)
    names = estimator.names_
    tables = []
    for order in orders:
        check_order(order, len(names))
        for direction, (sets, _) in extreme_sets(estimator, order, top_k).items():
            tables.append(candidate_table(sets, names, f"screen:{direction}"))
        controls = random_sets(len(names), order, n_control, rng)
        tables.append(candidate_table(controls, names, "screen:control"))
    return pd.concat(tables, ignore_index=True)
