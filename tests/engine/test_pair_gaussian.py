"""The Gaussian part of every pair: closed-form regression and per-row values."""

import numpy as np
import torch

from fmri_oinfo.engine.pair_gaussian import gather_pair_rows, gaussian_row_value, regress_pairs
from fmri_oinfo.synthetic import GroundTruthSystem, random_correlation


def test_row_values_average_to_the_plug_in_gaussian_conditional_mi():
    x = GroundTruthSystem(random_correlation(6, seed=0, strength=1.0)).sample(2000, seed=1)
    z = (x - x.mean(axis=0)) / x.std(axis=0)
    zt = torch.as_tensor(z)
    corr = zt.T @ zt / len(z)
    moving = torch.tensor([0, 3, 5])
    given = torch.tensor([[1, 2, -1], [0, 1, 2], [4, -1, -1]])
    pairs = regress_pairs(corr, moving, given, slot=torch.tensor([0, 1, -1]))
    rows = torch.arange(len(z))[None].expand(3, -1)
    pick = torch.arange(3)[:, None].expand(-1, len(z))
    examples = gather_pair_rows(zt, pairs, rows, pick)
    y = examples.y
    values = gaussian_row_value(y, examples.z_moving, examples.log_sigma).mean(dim=1).numpy()  # (3,)
    for p, (m, f) in enumerate([(0, [1, 2]), (3, [0, 1, 2]), (5, [4])]):
        c = corr.numpy()
        want = -0.5 * np.log(1 - c[m, f] @ np.linalg.solve(c[np.ix_(f, f)], c[f, m]))
        np.testing.assert_allclose(values[p], want, atol=1e-10)
        np.testing.assert_allclose(-pairs.log_sigma[p].item(), want, atol=1e-12)
    # the standardised residual has unit variance and no correlation with the conditioning set
    np.testing.assert_allclose((y**2).mean(dim=1).numpy(), 1.0, atol=1e-10)
    fitted, mahalanobis = examples.summaries[..., 2], examples.summaries[..., 3]
    np.testing.assert_allclose((y * fitted).mean(dim=1).numpy(), 0.0, atol=1e-10)
    np.testing.assert_allclose(mahalanobis.mean(dim=1).numpy(), 1.0, atol=1e-10)  # E[z_F' C_FF^-1 z_F] = |F|
