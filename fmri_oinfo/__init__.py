"""fmri-oinfo: redundancy and synergy between brain regions from fMRI.

The public API:

- :func:`estimate_oinfo` - O-information (and TC, DTC, S-information) of sets
  of regions, with Gaussian, Gaussian-copula or flow-matching (FMMI) estimators;
- :func:`iter_oinfo` - the same for every set of one order, streamed in batches;
- :func:`local_oinfo` - the same at every volume (local values, whose mean is
  the estimate);
- :func:`dynamic_oinfo` - dynamic O-information (Stramaglia et al. 2021): the
  redundancy or synergy of what the other members' past tells each member's
  next value, given its own past;
- :func:`local_contrasts` - task contrasts of local O-information (a
  first-level GLM per set on HRF-convolved events, FDR over sets);
- :func:`estimate_mi` - flow-matching mutual information between two blocks;
- :class:`SubjectFlowModel` - the FMMI subject model: fit once on one
  subject's region time series, then answer any sets.

Names are imported on first use, so that ``python -m fmri_oinfo.pipeline
--help`` answers without loading numpy, pandas or torch.
"""

from __future__ import annotations

from typing import Any

from fmri_oinfo.version import __version__


def estimate_mi(x: Any, y: Any, estimator: str = "fmmi", **options: Any) -> tuple[float, float]:
    """Mutual information between ``x`` and ``y`` (each (T,) or (T, d): blocks of several columns) and its
    standard error, in nats.

    ``estimator="fmmi"`` (default): flow matching, see
    :func:`fmri_oinfo.engine.mi.estimate_mi` for its options.
    ``"gaussian"`` or ``"gaussian-copula"``: the closed form
    ``1/2 (log det R_xx + log det R_yy - log det R)`` on the sample correlation
    (after a rank transform for the copula), with options ``bias_correction``
    and ``device``; its standard error is NaN, and an exact linear relation
    between the blocks gives ``inf``
    (:func:`fmri_oinfo.estimators.block_gaussian.gaussian_mi`).

    Raises
    ------
    ValueError
        For a block without samples or columns, and when the columns of ``x``
        and ``y`` together are (nearly) linearly dependent (``y`` a copy or a
        linear function of ``x``): the mutual information is then infinite and
        no estimator can give a number (FMMI); for an unknown estimator.
    """
    if estimator in ("gaussian", "gaussian-copula"):
        from fmri_oinfo.estimators.block_gaussian import gaussian_mi

        return gaussian_mi(x, y, copula=estimator == "gaussian-copula", **options)
    if estimator != "fmmi":
        raise ValueError(f"estimator={estimator!r}; use one of ['fmmi', 'gaussian', 'gaussian-copula'].")
    from fmri_oinfo.engine.mi import estimate_mi as _estimate_mi

    return _estimate_mi(x, y, **options)


def __getattr__(name: str) -> Any:
    """Import the public names (and numpy, pandas, torch) only when they are asked for."""
    if name in ("estimate_oinfo", "iter_oinfo"):
        from fmri_oinfo import api

        return getattr(api, name)
    if name == "local_oinfo":
        from fmri_oinfo.local import local_oinfo

        return local_oinfo
    if name == "dynamic_oinfo":
        from fmri_oinfo.dynamic import dynamic_oinfo

        return dynamic_oinfo
    if name == "local_contrasts":
        from fmri_oinfo.stats.local_glm import local_contrasts

        return local_contrasts
    if name == "SubjectFlowModel":
        from fmri_oinfo.engine.subject import SubjectFlowModel

        return SubjectFlowModel
    raise AttributeError(f"module 'fmri_oinfo' has no attribute {name!r}")


__all__ = [
    "SubjectFlowModel", "__version__", "dynamic_oinfo", "estimate_mi", "estimate_oinfo", "iter_oinfo",
    "local_contrasts", "local_oinfo",
]


def __dir__() -> list[str]:
    """The public names (those imported on first use included), not the module's own imports."""
    return sorted(__all__)
