"""Statistics: the only place where estimates become claims.

Subject level: :func:`assess_sets` returns the result table (sample splitting
for sets chosen by the data, surrogate nulls with a generalised Pareto tail,
irreducibility, Benjamini-Hochberg, block-bootstrap intervals, labels).
Group level: :mod:`fmri_oinfo.stats.group` (sign-flip and label-permutation
tests against each subject's own baseline) and :mod:`fmri_oinfo.stats.pooled`
(pooled correlations).  ``docs/results.md`` defines every column.
"""

from fmri_oinfo.stats.assess import (
    BOOLEAN_COLUMNS,
    INFERENCES,
    MIN_BOOTSTRAP_FOR_SE,
    MIN_EFFECT,
    PRESPECIFIED_TAGS,
    RESULT_COLUMNS,
    Design,
    assess_sets,
    chosen_by_data,
    describe_on_blocks,
    reachability,
    tested_blocks,
)
from fmri_oinfo.stats.bootstrap import default_block_length, moving_block_indices
from fmri_oinfo.stats.closed_form import LaggedCorrelations, closed_form_o_info, o_info_of_correlations
from fmri_oinfo.stats.effect import effect_ratio, label_interval, label_level
from fmri_oinfo.stats.families import FAMILY_ROLES, set_families
from fmri_oinfo.stats.fdr import benjamini_hochberg
from fmri_oinfo.stats.irreducible import member_p_values
from fmri_oinfo.stats.labels import LABELS, direction_labels, label_sets, rank_order, rank_results
from fmri_oinfo.stats.nulls import member_null, set_null
from fmri_oinfo.stats.resampled import stacked_o_info
from fmri_oinfo.stats.split import SampleSplit, autocorrelation_length, sample_split
from fmri_oinfo.stats.surrogates import (
    SURROGATES,
    circular_shift_surrogates,
    circular_shifts,
    distinct_circular_shifts,
    make_surrogates,
    member_surrogates,
    phase_randomized_surrogates,
)
from fmri_oinfo.stats.tail import TAILS, empirical_p_values, surrogate_p_values

__all__ = [
    "BOOLEAN_COLUMNS",
    "FAMILY_ROLES",
    "INFERENCES",
    "LABELS",
    "MIN_BOOTSTRAP_FOR_SE",
    "MIN_EFFECT",
    "PRESPECIFIED_TAGS",
    "RESULT_COLUMNS",
    "SURROGATES",
    "TAILS",
    "LaggedCorrelations",
    "Design",
    "SampleSplit",
    "assess_sets",
    "autocorrelation_length",
    "benjamini_hochberg",
    "chosen_by_data",
    "circular_shift_surrogates",
    "circular_shifts",
    "closed_form_o_info",
    "default_block_length",
    "direction_labels",
    "effect_ratio",
    "distinct_circular_shifts",
    "empirical_p_values",
    "describe_on_blocks",
    "label_interval",
    "label_level",
    "label_sets",
    "make_surrogates",
    "member_null",
    "member_p_values",
    "member_surrogates",
    "moving_block_indices",
    "o_info_of_correlations",
    "phase_randomized_surrogates",
    "rank_order",
    "rank_results",
    "reachability",
    "sample_split",
    "set_families",
    "set_null",
    "stacked_o_info",
    "surrogate_p_values",
    "tested_blocks",
]
