"""The FMMI engine: flow-matching mutual informations, from arrays to numbers.

- :class:`SubjectFlowModel`: one amortised conditional flow per subject, for
  sets of scalar regions (the default everywhere);
- :func:`fmmi_subset_tc` (:mod:`fmri_oinfo.engine.joint`): one field per set
  moving whole, possibly multi-dimensional, variables.

Nothing here knows about NIfTI, atlases or tables.
"""

from fmri_oinfo.engine.joint.config import JointConfig
from fmri_oinfo.engine.joint.core import fmmi_subset_tc
from fmri_oinfo.engine.subject import SubjectFlowModel
from fmri_oinfo.engine.subject_config import SubjectFlowConfig

__all__ = ["JointConfig", "SubjectFlowConfig", "SubjectFlowModel", "fmmi_subset_tc"]
