"""One entry point: run the configured strategies and unite their sets (and count what they scored)."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from fmri_oinfo.candidates.config import CandidateConfig
from fmri_oinfo.candidates.exhaustive import exhaustive_candidates
from fmri_oinfo.candidates.networks import network_candidates
from fmri_oinfo.candidates.nonlinear import nonlinear_candidates
from fmri_oinfo.candidates.screen import screen_candidates
from fmri_oinfo.candidates.search import search_candidates
from fmri_oinfo.candidates.table import merge_candidates
from fmri_oinfo.candidates.user import user_candidates
from fmri_oinfo.enumeration import n_combinations
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
        elif strategy == "nonlinear":
            table = nonlinear_candidates(frame, config.nonlinear_keep)
        else:
            table = user_candidates(config.user_file, names)
        logger.info("candidates: %s chose %d sets", strategy, len(table))
        tables.append(table)
    return merge_candidates(tables)


def scored_by_source(n_regions: int, config: CandidateConfig) -> dict[str, int]:
    """Sets the data-driven strategies (screen, search, nonlinear) score while choosing, by source.

    The screen scores every set of each order, the nonlinear screen every
    triplet; the searches score their
    starting triplets and every growth, move or neighbourhood they try
    (counted before duplicates are removed, so beam and partial give an upper
    bound).  Pre-specified strategies score nothing.

    Parameters
    ----------
    n_regions : int
    config : CandidateConfig

    Returns
    -------
    dict of str to int
        ``screen``, ``nonlinear`` and one entry per search method (all
        targets), only for the strategies used; the pipeline records it as
        the result table's ``attrs["n_screened_by"]`` (its sum is
        ``n_screened``) and the report's methods paragraph explains the count
        with it.
    """
    counts: dict[str, int] = {}
    if "screen" in config.strategies:
        counts["screen"] = int(sum(n_combinations(n_regions, k) for k in config.orders))
    if "nonlinear" in config.strategies:
        counts["nonlinear"] = int(n_combinations(n_regions, 3))
    if "search" in config.strategies:
        orders = range(4, config.max_order + 1)
        neighbours = min(config.n_neighbours, n_regions - 1)
        per_target = {
            "greedy": n_combinations(n_regions, 3) + sum(config.n_starts * (n_regions - k + 1) for k in orders),
            "beam": n_combinations(n_regions, 3) + sum(
                min(config.beam_width, n_combinations(n_regions, k - 1)) * (n_regions - k + 1) for k in orders),
            "anneal": config.anneal_chains * (config.anneal_steps + 1) * (config.max_order - 2),
            "partial": sum(n_regions * n_combinations(neighbours, k - 1) for k in range(3, config.max_order + 1)),
        }
        for method in config.search_methods:
            counts[str(method)] = int(len(config.search_targets) * per_target[method])
    return counts


def count_scored(n_regions: int, config: CandidateConfig) -> int:
    """Sets the data-driven strategies score while choosing: the sum of :func:`scored_by_source`."""
    return int(sum(scored_by_source(n_regions, config).values()))
