"""Training many groups at once: stopped groups leave the batched computation."""

import numpy as np
import pytest
import torch

from fmri_oinfo.engine.joint.config import JointConfig
from fmri_oinfo.engine.joint.core import fmmi_subset_tc
from fmri_oinfo.measures import subset_plan


def test_groups_that_stop_early_leave_the_batch():
    rng = np.random.default_rng(0)
    n_rows = 3000
    independent = rng.standard_normal((n_rows, 3))  # the zero residual is already optimal
    z = rng.standard_normal(n_rows)
    dependent = np.c_[z, z**2 + 0.1 * rng.standard_normal(n_rows), rng.standard_normal(n_rows)]  # no correlation, high MI
    samples = np.stack([independent, dependent])  # (2 groups, T, 3)
    config = JointConfig(
        steps=600, min_steps=50, eval_every=25, patience=2, width=32, depth=2, batch_size=256,
        eval_batch_size=1024, eval_samples=400, quadrature_nodes=8, ensemble=1,
    )
    plan = subset_plan(3)
    estimate, history = fmmi_subset_tc(samples, np.arange(3), plan.masks, config, torch.device("cpu"))
    steps = history["step"][-1]
    # both groups train at first; the independent one stops while the other learns
    assert history["group_steps"][1] == 2 * history["step"][1]
    assert steps < history["group_steps"][-1] < 2 * steps
    assert np.all(np.diff(history["group_steps"]) > 0)
    tc = estimate.value.numpy()[:, -1]  # whole-group TC
    assert abs(tc[0]) < 0.02
    assert tc[1] > 0.3  # the Gaussian part sees no dependence: the network found it
    assert history["learnt"][1]


def test_a_network_that_never_beats_the_gaussian_part_is_flagged():
    """A diverging network never beats the zero residual: the estimate is the Gaussian part, and it says so."""
    rng = np.random.default_rng(0)
    z = rng.standard_normal(2000)
    samples = np.c_[z, z**2 + 0.1 * rng.standard_normal(2000), rng.standard_normal(2000)][None]
    config = JointConfig(steps=100, min_steps=0, eval_every=25, patience=2, width=16, depth=1, batch_size=128,
                         eval_batch_size=512, eval_samples=200, quadrature_nodes=4, ensemble=2, learning_rate=1e3)
    with pytest.warns(RuntimeWarning, match="for 1 of 1 group.*Gaussian part"):
        estimate, history = fmmi_subset_tc(samples, np.arange(3), subset_plan(3).masks, config, torch.device("cpu"))
    assert history["learnt"] == [False, False]
    np.testing.assert_allclose(estimate.value.numpy(), estimate.gaussian.numpy(), atol=1e-12)
