"""fmri-oinfo: redundancy and synergy between brain regions from fMRI.

The public API:

- :func:`estimate_oinfo` - O-information (and TC, DTC, S-information) of groups
  of regions, with Gaussian, Gaussian-copula or flow-matching (FMMI) estimators;
- :func:`estimate_mi` - flow-matching mutual information between two blocks;
- :class:`SubjectFlowModel` - the FMMI subject model: fit once on one
  subject's region time series, then answer any sets.
"""

from __future__ import annotations

from typing import Any

from fmri_oinfo.api import estimate_oinfo

__version__ = "0.1.0"


def estimate_mi(x: Any, y: Any, **options: Any) -> tuple[float, float]:
    """Flow-matching (FMMI) mutual information between ``x`` and ``y`` and its standard error; see
    :func:`fmri_oinfo.engine.mi.estimate_mi`."""
    from fmri_oinfo.engine.mi import estimate_mi as _estimate_mi

    return _estimate_mi(x, y, **options)


def __getattr__(name: str) -> Any:
    """Import the subject model (and torch) only when it is asked for."""
    if name == "SubjectFlowModel":
        from fmri_oinfo.engine.subject import SubjectFlowModel

        return SubjectFlowModel
    raise AttributeError(f"module 'fmri_oinfo' has no attribute {name!r}")


__all__ = ["SubjectFlowModel", "__version__", "estimate_mi", "estimate_oinfo"]
