"""Training many groups at once: stopped groups leave the batched computation."""

import numpy as np
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
