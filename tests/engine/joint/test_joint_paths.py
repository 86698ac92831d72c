"""Flow paths: every decomposition rebuilds the subset TCs from path values exactly."""

import numpy as np
import pytest
import torch

from fmri_oinfo.engine.joint.config import JointConfig
from fmri_oinfo.engine.joint.core import fmmi_subset_tc
from fmri_oinfo.engine.joint.linear import block_diagonal, gaussian_path_value
from fmri_oinfo.engine.joint.paths import decompose, flow_paths
from fmri_oinfo.measures import subset_plan
from fmri_oinfo.synthetic import GroundTruthSystem, redundant_block, synergistic_block

SYSTEM = GroundTruthSystem.from_blocks([redundant_block(2, 0.5), synergistic_block(3, 0.6)], nu=4)


def path_truth(fixed: np.ndarray, moving: np.ndarray) -> np.ndarray:
    """``TC(F u M) - TC(F)`` from the closed form of a Student-t system."""

    def tc(mask: np.ndarray) -> float:
        return SYSTEM.tc(np.flatnonzero(mask)) if mask.sum() >= 2 else 0.0

    return np.array([tc(f | m) - tc(f) for f, m in zip(fixed, moving)])


@pytest.mark.parametrize("decomposition", ["subsets", "chain"])
@pytest.mark.parametrize("gradient", [False, True])
def test_path_values_rebuild_every_subset_tc(decomposition, gradient):
    plan = subset_plan(5, gradient=gradient)
    fixed, moving, to_subsets = decompose(plan.masks, decomposition)
    assert not (fixed & moving).any()
    want = SYSTEM.subset_tc(np.arange(5)[None], plan)[0]
    np.testing.assert_allclose(to_subsets @ path_truth(fixed, moving), want, atol=1e-12)


def test_chain_moves_one_variable_and_subsets_move_whole_subsets():
    plan = subset_plan(5, gradient=True)
    _, moving, _ = decompose(plan.masks, "chain")
    assert (moving.sum(axis=1) == 1).all()
    _, moving, _ = decompose(plan.masks, "subsets")
    assert len(moving) == plan.n_subsets  # one path per subset


def test_training_frequencies_follow_the_measure_weights():
    plan = subset_plan(4)
    paths = flow_paths(plan.masks, torch.arange(4), plan.weights, "subsets")
    p = paths.probabilities.numpy()
    assert p.sum() == pytest.approx(1.0) and (p > 0).all()
    assert p[0] == p.max()  # the whole-group path carries the largest weights


def test_unknown_decomposition_is_a_value_error():
    with pytest.raises(ValueError, match="decomposition"):
        decompose(subset_plan(3).masks, "random")


def test_gaussian_parts_telescope_to_the_subset_closed_forms():
    """With a zero residual every decomposition gives the same (Gaussian) TCs."""
    x = torch.as_tensor(SYSTEM.sample(3000, seed=0))
    target = torch.cov(x.T)[None]
    source = block_diagonal(target, torch.arange(5))
    plan = subset_plan(5, gradient=True)
    per_subset = gaussian_path_value(
        source, target, torch.zeros(plan.masks.shape, dtype=torch.bool), torch.as_tensor(plan.masks)
    )[0].numpy()
    for decomposition in ("subsets", "chain"):
        fixed, moving, to_subsets = decompose(plan.masks, decomposition)
        values = gaussian_path_value(source, target, torch.as_tensor(fixed), torch.as_tensor(moving))[0]
        np.testing.assert_allclose(to_subsets @ values.numpy(), per_subset, atol=1e-10)


def test_chain_decomposition_estimates_a_gaussian_system():
    system = GroundTruthSystem.from_blocks([redundant_block(3, 0.6), synergistic_block(3, 0.6)])
    data = system.sample(4000, seed=0)
    groups = np.array([(0, 1, 2), (3, 4, 5)])
    fast = dict(steps=150, min_steps=50, width=32, depth=2, batch_size=256, eval_samples=400, quadrature_nodes=8)
    plan = subset_plan(3)
    estimate, _ = fmmi_subset_tc(
        data[:, groups].transpose(1, 0, 2), np.arange(3), plan.masks, JointConfig(decomposition="chain", **fast),
        torch.device("cpu"), weights=plan.weights,
    )
    o_info = estimate.value.numpy() @ plan.weights[:, 2]
    np.testing.assert_allclose(o_info, system.measures(groups)["o_info"], atol=0.03)
