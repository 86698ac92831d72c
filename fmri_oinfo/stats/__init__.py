"""Statistics for candidate sets: surrogate nulls, FDR, block bootstrap, results.

The entry point is :func:`assess_sets`, which returns the result table.
"""

from fmri_oinfo.stats.assess import (
    MIN_BOOTSTRAP_FOR_SE,
    RESULT_COLUMNS,
    assess_sets,
    significance_labels,
    surrogate_p_values,
)
from fmri_oinfo.stats.bootstrap import default_block_length, moving_block_indices
from fmri_oinfo.stats.fdr import benjamini_hochberg
from fmri_oinfo.stats.resampled import OInfoEstimator, resolve_estimator, stacked_o_info
from fmri_oinfo.stats.surrogates import (
    SURROGATES,
    circular_shift_surrogates,
    make_surrogates,
    phase_randomized_surrogates,
)

__all__ = [
    "MIN_BOOTSTRAP_FOR_SE",
    "RESULT_COLUMNS",
    "SURROGATES",
    "OInfoEstimator",
    "assess_sets",
    "benjamini_hochberg",
    "circular_shift_surrogates",
    "default_block_length",
    "make_surrogates",
    "moving_block_indices",
    "phase_randomized_surrogates",
    "resolve_estimator",
    "significance_labels",
    "stacked_o_info",
    "surrogate_p_values",
]
