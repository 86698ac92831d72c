"""Which sets of regions to test: candidate-set strategies and their union.

Every strategy returns the same tidy table (``set``, ``order``,
``chosen_by``); :func:`choose_candidates` runs those named in a
:class:`CandidateConfig` and unites them.
"""

from fmri_oinfo.candidates.choose import choose_candidates, count_scored, scored_by_source
from fmri_oinfo.candidates.config import STRATEGIES, CandidateConfig
from fmri_oinfo.candidates.exhaustive import exhaustive_candidates, iter_exhaustive_batches
from fmri_oinfo.candidates.networks import NETWORK_MODES, network_candidates
from fmri_oinfo.candidates.screen import RunningTop, extreme_sets, random_sets, screen_candidates
from fmri_oinfo.candidates.search import (
    SEARCH_METHODS,
    anneal_search,
    beam_search,
    gaussian_o_info,
    greedy_search,
    grow,
    neighbourhood_sets,
    partial_correlations,
    partial_search,
    search_candidates,
)
from fmri_oinfo.candidates.table import CANDIDATE_COLUMNS, candidate_table, merge_candidates
from fmri_oinfo.candidates.user import user_candidates

__all__ = [
    "CANDIDATE_COLUMNS",
    "NETWORK_MODES",
    "SEARCH_METHODS",
    "STRATEGIES",
    "CandidateConfig",
    "RunningTop",
    "anneal_search",
    "beam_search",
    "candidate_table",
    "choose_candidates",
    "count_scored",
    "scored_by_source",
    "exhaustive_candidates",
    "extreme_sets",
    "gaussian_o_info",
    "greedy_search",
    "grow",
    "iter_exhaustive_batches",
    "merge_candidates",
    "neighbourhood_sets",
    "network_candidates",
    "partial_correlations",
    "partial_search",
    "random_sets",
    "screen_candidates",
    "search_candidates",
    "user_candidates",
]
