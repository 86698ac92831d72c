"""The FMMI estimator behind ``estimate_oinfo(..., estimator="fmmi")``."""

from __future__ import annotations

from typing import Any

import numpy as np

from fmri_oinfo.device import resolve_device
from fmri_oinfo.engine.config import FMMIConfig
from fmri_oinfo.engine.core import fmmi_subset_tc
from fmri_oinfo.estimators.base import TCEstimate
from fmri_oinfo.measures import SubsetPlan

#: Training time (in group-steps) above which a progress bar is shown.
PROGRESS_THRESHOLD = 20_000


class FMMIEstimator:
    """Flow-matching (FMMI) estimator of total correlations of subsets.

    One residual velocity field per group, with a time per variable, is trained
    on all the flow paths the plan needs (see ``decomposition``); groups are trained together in
    batches (weights with a leading group axis).

    Parameters
    ----------
    device : str, default="auto"
    seed : int, default=0
    groups_per_batch : int, default=16
        Groups trained as one batched computation.
    progress : bool or None, default=None
        Progress bar; ``None`` shows it when training is long.
    **options
        Any field of :class:`fmri_oinfo.engine.config.FMMIConfig`.

    Attributes
    ----------
    config_ : FMMIConfig
    history_ : list of dict
        Held-out training loss per batch of groups.
    """

    def __init__(
        self,
        device: str = "auto",
        seed: int = 0,
        groups_per_batch: int = 16,
        progress: bool | None = None,
        **options: Any,
    ) -> None:
        self.device = device
        self.seed = seed
        self.groups_per_batch = groups_per_batch
        self.progress = progress
        self.options = options

    def fit(self, data: np.ndarray) -> "FMMIEstimator":
        """Keep the (T, N) region time series; validate the options."""
        self.config_ = FMMIConfig.from_options(**self.options)
        self.device_ = resolve_device(self.device)
        self.data_ = np.asarray(data, dtype=np.float64)
        self.history_: list[dict[str, list[float]]] = []
        return self

    def total_correlations(self, groups: np.ndarray, plan: SubsetPlan) -> TCEstimate:
        """TC of every planned subset of every group, with standard errors.

        Returns
        -------
        TCEstimate
            ``tc`` (G, S) and ``measure_se`` (G, Q): standard error of each
            quantity from the Monte-Carlo integral and, with ``ensemble > 1``,
            from the spread between independently trained fields (the
            variability of training).  It does not include the sampling
            variability of the data; use the bootstrap in
            :mod:`fmri_oinfo.stats` for that.
        """
        tcs, ses = [], []
        show = self.progress
        if show is None:
            show = len(groups) * self.config_.steps > PROGRESS_THRESHOLD
        for batch_index, start in enumerate(range(0, len(groups), self.groups_per_batch)):
            members = groups[start : start + self.groups_per_batch]  # (G, k)
            samples = self.data_[:, members].transpose(1, 0, 2)  # (G, T, k)
            estimate, history = fmmi_subset_tc(
                samples,
                np.arange(plan.order),
                plan.masks,
                self.config_,
                self.device_,
                seed=self.seed + batch_index,
                weights=plan.weights,
                progress=show,
            )
            self.history_.append(history)
            tcs.append(estimate.value.cpu().numpy())
            ses.append(estimate.standard_error(plan.weights))
        return TCEstimate(tc=np.concatenate(tcs), measure_se=np.concatenate(ses))
