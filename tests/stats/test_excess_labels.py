"""Beyond-FC labels from a real FMMI fit: a non-Gaussian core yes, a linear Gaussian synergy no."""

from __future__ import annotations

import numpy as np

from fmri_oinfo import estimate_oinfo
from fmri_oinfo.stats.excess import SYNERGY_BEYOND_FC, excess_tests

#: A CI budget of the subject model (the default pipeline trains longer).
CI_BUDGET = dict(steps=1200, folds=2, ensemble=1, eval_every=50, device="cpu")


def test_a_multiplicative_core_is_synergy_beyond_fc_and_a_linear_synergy_is_not() -> None:
    rng = np.random.default_rng(11)
    n = 1200
    x = rng.standard_normal((n, 8))
    x[:, 2] = x[:, 0] * x[:, 1] + 0.3 * x[:, 2]  # uncorrelated with its factors: invisible to correlations
    x[:, 6] = x[:, 3] + x[:, 4] + x[:, 5] + 0.8 * x[:, 6]  # linear synergy: all of it in the correlations
    sets = [(0, 1, 2), (3, 4, 5, 6), (0, 3, 7), (1, 4, 5)]
    table = estimate_oinfo(x, sets, estimator="fmmi", seed=0, **CI_BUDGET)
    gaussian = estimate_oinfo(x, sets, estimator="gaussian-copula")
    excess = table["o_info_excess"].to_numpy()
    tests = excess_tests(excess, table["o_info_excess_se"].to_numpy(), table["o_info"].to_numpy() - excess, alpha=0.05)
    assert gaussian["o_info"][1] < -0.3  # the O-information sees the linear synergy ...
    assert tests["excess_label"].tolist() == [SYNERGY_BEYOND_FC, "", "", ""]  # ... the excess test does not
    assert abs(gaussian["o_info"][0]) < 0.05 and table["o_info_excess"][0] < -0.2
