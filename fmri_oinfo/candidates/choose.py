"""One entry point: run the configured strategies and unite their sets."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from fmri_oinfo.candidates.config import CandidateConfig
from fmri_oinfo.candidates.exhaustive import exhaustive_candidates
from fmri_oinfo.candidates.networks import network_candidates
from fmri_oinfo.candidates.screen import screen_candidates
from fmri_oinfo.candidates.search import search_candidates
from fmri_oinfo.candidates.table import merge_candidates
from fmri_oinfo.candidates.user import user_candidates
from fmri_oinfo.validation import check_timeseries

logger = logging.getLogger(__name__)


def choose_candidates(
    data: np.ndarray | pd.DataFrame,
    config: CandidateConfig,
    regions: pd.DataFrame | None = None,
    device: str = "auto",
) -> pd.DataFrame:
    """Candidate sets chosen by every strategy in ``config``, united.

    Parameters
    ----------
    data : array of shape (T, N) or pandas.DataFrame
        Region time series (columns name the regions).
    config : CandidateConfig
    regions : pandas.DataFrame or None
        Region metadata table (``name``, ``network``, ...), needed by the
        ``networks`` strategy.
    device : str, default="auto"
        Torch device for the ``screen`` and ``search`` scoring.

    Returns
    -------
    pandas.DataFrame
        Columns ``set``, ``order``, ``chosen_by``: one row per distinct set,
        every reason that chose it joined with ``";"``.
    """
    values, names = check_timeseries(data)
    config.check_budget(len(names))
    frame = pd.DataFrame(values, columns=names)
    tables = []
    for strategy in config.strategies:
        if strategy == "exhaustive":
            table = exhaustive_candidates(names, config.orders, config.max_sets)
        elif strategy == "networks":
            if regions is None:
                raise ValueError(
                    "the 'networks' strategy needs the region metadata table (regions=...) "
                    "with a 'network' column."
                )
            table = network_candidates(names, regions, config.orders, config.network_modes, config.max_sets)
        elif strategy == "screen":
            table = screen_candidates(
                frame, config.orders, config.top_k, config.n_control, config.copula, config.seed, device=device
            )
        elif strategy == "search":
            table = search_candidates(
                frame, config.search_methods, config.search_targets, config.max_order,
                config.search_keep, config.beam_width, config.n_starts, config.anneal_chains,
                config.anneal_steps, config.seed, config.copula, device, config.n_neighbours,
            )
        else:
            table = user_candidates(config.user_file, names)
        logger.info("candidates: %s chose %d sets", strategy, len(table))
        tables.append(table)
    return merge_candidates(tables)
