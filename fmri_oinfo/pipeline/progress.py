"""Progress of the statistics stage when it calls an estimator set by set.

:class:`TrackedEstimator` is the estimator the surrogate test calls
(:func:`fmri_oinfo.stats.assess_sets` accepts any callable ``(data, sets) ->
table``): it calls :func:`fmri_oinfo.estimate_oinfo` with the same name, seed,
device and options, so the numbers are those of the named estimator, and
advances a progress bar by the sets each call scored.  The closed-form
Gaussian route of the surrogate test scores all surrogates at once from
lagged correlations and needs no bar; the pipeline tracks the other routes
(FMMI claims, phase surrogates), which score the data, every surrogate, every
member null and every bootstrap resample through the estimator.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import pandas as pd
from tqdm import tqdm

from fmri_oinfo.api import estimate_oinfo


class TrackedEstimator:
    """``estimate_oinfo`` with fixed settings, counting the sets it scores.

    Parameters
    ----------
    estimator : str
        Estimator name (``gaussian``, ``gaussian-copula``, ``fmmi``).
    enabled : bool
        Show the bar (stderr).
    seed, device, **options
        As for :func:`fmri_oinfo.estimate_oinfo`.
    """

    def __init__(self, estimator: str, enabled: bool, seed: int = 0, device: str = "auto", **options: Any) -> None:
        self.__name__ = estimator  # what the result table's attrs call the estimator
        self.estimator = estimator
        self.seed = seed
        self.device = device
        self.options = options
        self.bar = tqdm(desc="  statistics", unit="set", disable=not enabled, file=sys.stderr, leave=False)

    def __call__(self, data: Any, sets: Sequence[Sequence[int]]) -> pd.DataFrame:
        table = estimate_oinfo(data, sets, estimator=self.estimator, seed=self.seed, device=self.device,
                               **self.options)
        self.bar.update(len(sets))
        return table

    def close(self) -> None:
        """Close the bar."""
        self.bar.close()
