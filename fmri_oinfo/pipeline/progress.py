"""Progress of the statistics stage: datasets scored (the data, each surrogate, each bootstrap resample).

:class:`TrackedEstimator` is the estimator the surrogate test calls
(:func:`fmri_oinfo.stats.assess_sets` accepts any callable ``(data, sets) ->
table``): it calls :func:`fmri_oinfo.estimate_oinfo` with the same name, seed,
device and options, so the numbers are those of the named estimator, and
advances a progress bar by the datasets each call scored (surrogates and
resamples come stacked, several datasets per call).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from tqdm import tqdm

from fmri_oinfo.api import estimate_oinfo


class TrackedEstimator:
    """``estimate_oinfo`` with fixed settings, counting the datasets it scores.

    Parameters
    ----------
    estimator : str
        Estimator name (``gaussian``, ``gaussian-copula``, ``fmmi``).
    n_sets : int
        Sets per dataset (a call with ``R * n_sets`` sets scores ``R`` datasets).
    total : int
        Datasets to score: 1 + surrogates + bootstrap resamples.
    enabled : bool
        Show the bar (stderr).
    seed, device, **options
        As for :func:`fmri_oinfo.estimate_oinfo`.
    """

    def __init__(self, estimator: str, n_sets: int, total: int, enabled: bool, seed: int = 0, device: str = "auto",
                 **options: Any) -> None:
        self.__name__ = estimator  # what the result table's attrs call the estimator
        self.estimator = estimator
        self.n_sets = n_sets
        self.seed = seed
        self.device = device
        self.options = options
        self.bar = tqdm(total=total, desc="  statistics", unit="dataset", disable=not enabled, file=sys.stderr,
                        leave=False)

    def __call__(self, data: np.ndarray, sets: Sequence[Sequence[int]]) -> pd.DataFrame:
        table = estimate_oinfo(data, sets, estimator=self.estimator, seed=self.seed, device=self.device,
                               **self.options)
        self.bar.update(max(1, len(sets) // self.n_sets))
        return table

    def close(self) -> None:
        """Close the bar."""
        self.bar.close()
