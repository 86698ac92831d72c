"""fmri-oinfo: redundancy and synergy between brain regions from fMRI.

The public API:

- :func:`estimate_oinfo` - O-information (and TC, DTC, S-information) of sets
  of regions, with Gaussian, Gaussian-copula or flow-matching (FMMI) estimators;
- :func:`estimate_mi` - flow-matching mutual information between two blocks.
"""

from __future__ import annotations

from typing import Any

from fmri_oinfo.api import estimate_oinfo

__version__ = "0.1.0"


def estimate_mi(x: Any, y: Any, **options: Any) -> tuple[float, float]:
    """Flow-matching (FMMI) mutual information between ``x`` and ``y``; see
    :func:`fmri_oinfo.engine.mi.estimate_mi`."""
    from fmri_oinfo.engine.mi import estimate_mi as _estimate_mi

    return _estimate_mi(x, y, **options)


__all__ = ["__version__", "estimate_mi", "estimate_oinfo"]
