"""The closed-form surrogate route equals the estimator on explicit surrogate datasets."""

from __future__ import annotations

import numpy as np
import pytest

from fmri_oinfo import estimate_oinfo
from fmri_oinfo.stats import LaggedCorrelations, circular_shifts, o_info_of_correlations


@pytest.mark.parametrize("estimator", ["gaussian", "gaussian-copula"])
def test_lagged_correlations_give_the_estimate_of_shifted_data(estimator):
    rng = np.random.default_rng(4)
    values = rng.standard_normal((240, 8)) ** 3  # heavy tails: the copula differs from the Gaussian
    values[:, 2] += values[:, 0] + values[:, 1]
    sets = [np.array([0, 1, 2]), np.array([5, 2, 0, 7]), np.array([6, 5, 4, 3, 2])]
    lagged = LaggedCorrelations(values, sets, copula=estimator == "gaussian-copula")
    shifts = circular_shifts(240, (5, 8), rng)  # every region shifted on its own
    member = np.zeros((5, 1, 4), dtype=np.int64)
    member[:, 0, 2] = circular_shifts(240, (5,), rng, min_shift=10)  # one member of the 4-set alone
    for r in range(5):
        rows = (np.arange(240)[:, None] + shifts[r][None, :]) % 240
        shifted = np.take_along_axis(values, rows, axis=0)
        expected = estimate_oinfo(shifted, sets, estimator=estimator)["o_info"].to_numpy()
        got = [o_info_of_correlations(lagged.correlations(g[None, :], shifts[r : r + 1])[0])[0] for g in sets]
        np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-13)
        alone = values.copy()
        alone[:, 0] = values[(np.arange(240) + member[r, 0, 2]) % 240, 0]  # member at position 2 is region 0
        expected = estimate_oinfo(alone, [sets[1]], estimator=estimator)["o_info"].iloc[0]
        got = o_info_of_correlations(lagged.correlations(sets[1][None, :], member[r : r + 1])[0])[0]
        assert got == pytest.approx(expected, rel=1e-9, abs=1e-13)
