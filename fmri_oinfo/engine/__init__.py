"""The FMMI engine: flow-matching total correlations of many subsets at once.

Takes arrays, returns numbers: nothing here knows about NIfTI or atlases.
"""

from fmri_oinfo.engine.config import FMMIConfig
from fmri_oinfo.engine.core import fmmi_subset_tc
from fmri_oinfo.engine.estimator import FMMIEstimator

__all__ = ["FMMIConfig", "FMMIEstimator", "fmmi_subset_tc"]
