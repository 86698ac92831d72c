"""Group statistics of a study: the tests of :mod:`fmri_oinfo.stats.group`, under the group command's names.

The maths (sign-flip and label-permutation tests of each subject's
O-information minus its own surrogate baseline, FDR, effect sizes, the
direction of differences, reachability) lives in :mod:`fmri_oinfo.stats.group`;
this module only names it for :mod:`fmri_oinfo.group`.
"""

from fmri_oinfo.stats.group import (
    OneSampleResult,
    TwoSampleResult,
    cohort_difference_table,
    difference_as_results,
    difference_directions,
    group_mean_table,
    hedges_correction,
    one_sample_test,
    two_sample_test,
)

__all__ = [
    "OneSampleResult",
    "TwoSampleResult",
    "cohort_difference_table",
    "difference_as_results",
    "difference_directions",
    "group_mean_table",
    "hedges_correction",
    "one_sample_test",
    "two_sample_test",
]
