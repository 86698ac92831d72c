"""Exact and Hutchinson divergence on fields with known Jacobians."""

import pytest
import torch

from fmri_oinfo.engine.joint.divergence import exact_divergence, hutchinson_divergence


@pytest.fixture
def linear_field():
    gen = torch.Generator().manual_seed(0)
    a = torch.randn(2, 5, 5, generator=gen)  # one matrix per group

    def field(x):  # (G, B, 5) -> (G, B, 5)
        return torch.einsum("gij,gbj->gbi", a, x)

    return a, field


def test_exact_divergence_is_masked_trace(linear_field):
    a, field = linear_field
    x = torch.randn(2, 7, 5)
    mask = torch.tensor([True, False, True, True, False])
    div = exact_divergence(field, x, mask)
    want = a.diagonal(dim1=1, dim2=2)[:, mask].sum(-1)  # (G,)
    torch.testing.assert_close(div, want[:, None].expand(2, 7), atol=1e-5, rtol=0)


def test_exact_divergence_of_nonlinear_field():
    def field(x):
        return torch.sin(x) * x.sum(-1, keepdim=True)

    x = torch.randn(1, 3, 4, dtype=torch.float64)
    mask = torch.ones(4, dtype=torch.bool)
    jac = torch.func.vmap(torch.func.jacrev(lambda z: field(z[None, None])[0, 0]))(x[0])
    want = jac.diagonal(dim1=1, dim2=2).sum(-1)
    torch.testing.assert_close(exact_divergence(field, x, mask)[0], want)


def test_hutchinson_is_unbiased_and_agrees_with_exact(linear_field):
    a, field = linear_field
    gen = torch.Generator().manual_seed(1)
    x = torch.randn(2, 1, 5).expand(2, 20_000, 5).clone()
    mask = torch.tensor([True, True, False, True, True])
    probes = (torch.randint(2, (1, 2, 20_000, 5), generator=gen) * 2 - 1).float()
    estimate = hutchinson_divergence(field, x, mask, probes).mean(-1)
    exact = exact_divergence(field, x[:, :1], mask)[:, 0]
    # standard error of one probe is at most ||A_masked||_F * sqrt(2) / sqrt(20000)
    torch.testing.assert_close(estimate, exact, atol=0.1, rtol=0)
