"""Training: groups that stop early leave the batched computation."""

import numpy as np
import torch

from fmri_oinfo.engine import FMMIConfig, fmmi_subset_tc
from fmri_oinfo.engine.training import keep_groups, make_optimizer
from fmri_oinfo.measures import subset_plan
from fmri_oinfo.synthetic import GroundTruthSystem, redundant_block

SMALL = dict(width=32, depth=2, batch_size=256, eval_samples=300, quadrature_nodes=8, ensemble=1)


def test_keep_groups_slices_weights_averages_and_optimizer_state():
    config = FMMIConfig.from_options(**SMALL)
    params = [torch.randn(3, 4, 5, requires_grad=True), torch.randn(3, 1, 5, requires_grad=True)]
    ema = [p.detach().clone() for p in params]
    optimizer = make_optimizer(params, config)
    sum((p**2).sum() for p in params).backward()
    optimizer.step()
    keep = torch.tensor([True, False, True])
    kept, kept_ema, smaller = keep_groups(params, ema, optimizer, keep, config)
    for old, new, average in zip(params, kept, kept_ema):
        assert new.shape[0] == 2 and new.requires_grad and average.shape[0] == 2
        torch.testing.assert_close(new.detach(), old.detach()[keep])
        for name in ("exp_avg", "exp_avg_sq"):
            torch.testing.assert_close(smaller.state[new][name], optimizer.state[old][name][keep])
        assert float(smaller.state[new]["step"]) == float(optimizer.state[old]["step"])


def test_a_stopped_group_no_longer_costs_steps():
    plan = subset_plan(3)
    independent = np.random.default_rng(0).standard_normal((3000, 3))
    heavy_tailed = GroundTruthSystem(redundant_block(3, 0.5), nu=3).sample(3000, seed=0)
    config = FMMIConfig.from_options(steps=600, min_steps=100, eval_every=50, patience=2, **SMALL)
    estimate, history = fmmi_subset_tc(
        np.stack([independent, heavy_tailed]), np.arange(3), plan.masks, config, torch.device("cpu"), weights=plan.weights
    )
    # the independent group has nothing to learn: it stops, the other goes on alone
    assert history["group_steps"][-1] < 2 * history["step"][-1]
    assert history["group_steps"][-1] >= history["step"][-1]
    np.testing.assert_allclose(estimate.value[0].numpy(), 0.0, atol=0.01)
