"""The rank transform of the Gaussian copula, where the statistics look for it.

It is implemented once, in :mod:`fmri_oinfo.engine.marginals` (the engine
imports nothing from ``estimators/``, and the copula estimator and the engine's
``marginals = "copula"`` share it); this module names it for
:mod:`fmri_oinfo.stats.closed_form`.
"""

from fmri_oinfo.engine.marginals import normal_scores

__all__ = ["normal_scores"]
