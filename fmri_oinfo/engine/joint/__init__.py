"""The joint engine: one time-amortised field per set, moving whole variables.

For variables of several coordinates each (a few principal components per
region, blocks of an ``estimate_mi`` call) and for one path per subset (the
FMMI paper's jFMMI).  Divergence is exact for small moving sets and
Hutchinson's estimator for large ones (:mod:`fmri_oinfo.engine.joint.divergence`).
"""
