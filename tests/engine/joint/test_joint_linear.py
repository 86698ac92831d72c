"""The closed-form linear field: its divergence integral is the Gaussian TC."""

import numpy as np
import pytest
import torch

from fmri_oinfo.engine.joint.linear import block_diagonal, gaussian_path_value, linear_velocity
from fmri_oinfo.engine.schedule import quadrature
from fmri_oinfo.estimators.gaussian import GaussianEstimator
from fmri_oinfo.measures import subset_plan
from fmri_oinfo.synthetic import GroundTruthSystem, synergistic_block


@pytest.fixture(scope="module")
def covariances():
    system = GroundTruthSystem(synergistic_block(3, 0.6), dims=2)
    x = torch.as_tensor(system.sample(4000, seed=0))
    target = (x.T @ x / (x.shape[0] - 1))[None]  # (1, 6, 6)
    coord_var = torch.tensor([0, 0, 1, 1, 2, 2])
    return block_diagonal(target, coord_var), target, coord_var


def test_divergence_integral_matches_closed_form(covariances):
    """Subset paths (nothing fixed) and a conditional path (variable 0 at the data)."""
    source, target, coord_var = covariances
    moving = torch.tensor(
        [[1, 1, 1, 1, 1, 1], [0, 0, 1, 1, 1, 1], [1, 1, 0, 0, 1, 1], [0, 0, 1, 1, 0, 0]], dtype=torch.bool
    )
    fixed = torch.zeros_like(moving)
    fixed[3, :2] = True
    closed = gaussian_path_value(source, target, fixed, moving)[0]
    nodes, weights = quadrature(64, 2.0)
    x = torch.randn(1, 1, 6, dtype=torch.float64)
    for k, (f, m) in enumerate(zip(fixed, moving)):
        integral = 0.0
        for s, w in zip(nodes, weights):
            tau = (s * m.double() + f.double()).view(1, 1, 6)
            jac = torch.autograd.functional.jacobian(
                lambda z: linear_velocity(z, tau, source, target), x
            ).reshape(6, 6)
            integral -= w * jac.diagonal()[m].sum().item()
        assert integral == pytest.approx(closed[k].item(), abs=2e-3)


def test_closed_form_equals_gaussian_estimator():
    system = GroundTruthSystem(synergistic_block(4, 0.5))
    x = system.sample(3000, seed=1)
    x = (x - x.mean(0)) / x.std(0, ddof=1)
    target = torch.as_tensor(np.cov(x, rowvar=False))[None]
    source = block_diagonal(target, torch.arange(4))
    plan = subset_plan(4)
    masks = torch.as_tensor(plan.masks)
    got = gaussian_path_value(source, target, torch.zeros_like(masks), masks)[0].numpy()
    want = GaussianEstimator(device="cpu").fit(x).total_correlations(np.arange(4)[None], plan).tc[0]
    np.testing.assert_allclose(got, want, atol=1e-10)


def test_linear_field_is_the_least_squares_predictor(covariances):
    """Residuals of u on v_lin are uncorrelated with x_tau (normal equations)."""
    source, target, _ = covariances
    gen = torch.Generator().manual_seed(0)
    chol_t = torch.linalg.cholesky(target[0])
    chol_s = torch.linalg.cholesky(source[0])
    n = 200_000
    x1 = torch.randn(n, 6, generator=gen, dtype=torch.float64) @ chol_t.T
    x0 = torch.randn(n, 6, generator=gen, dtype=torch.float64) @ chol_s.T
    tau = torch.tensor([0.3, 0.3, 0.8, 0.8, 0.0, 0.0], dtype=torch.float64)
    xt = (1 - tau) * x0 + tau * x1
    v = linear_velocity(xt[None], tau.expand(1, n, 6), source, target)[0]
    cross = ((x1 - x0) - v).T @ xt / n
    assert cross.abs().max() < 0.02
