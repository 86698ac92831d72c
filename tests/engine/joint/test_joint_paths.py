"""Flow paths: every decomposition rebuilds the subset TCs from path values exactly."""

import numpy as np
import pytest
import torch

from fmri_oinfo import estimate_oinfo
from fmri_oinfo.engine.linear import block_diagonal, gaussian_path_value
from fmri_oinfo.engine.paths import decompose, flow_paths
from fmri_oinfo.measures import subset_plan
from fmri_oinfo.synthetic import GroundTruthSystem, redundant_block, synergistic_block

SYSTEM = GroundTruthSystem.from_blocks([redundant_block(2, 0.5), synergistic_block(3, 0.6)], nu=4)


def path_truth(fixed: np.ndarray, moving: np.ndarray) -> np.ndarray:
    """``TC(F u M) - TC(F)`` from the closed form of a Student-t system."""

    def tc(mask: np.ndarray) -> float:
        return SYSTEM.tc(np.flatnonzero(mask)) if mask.sum() >= 2 else 0.0

    return np.array([tc(f | m) - tc(f) for f, m in zip(fixed, moving)])


@pytest.mark.parametrize("decomposition", ["subsets", "peel", "chain"])
@pytest.mark.parametrize("gradient", [False, True])
def test_path_values_rebuild_every_subset_tc(decomposition, gradient):
    plan = subset_plan(5, gradient=gradient)
    fixed, moving, to_subsets = decompose(plan.masks, decomposition)
    assert not (fixed & moving).any()
    want = SYSTEM.subset_tc(np.arange(5)[None], plan)[0]
    np.testing.assert_allclose(to_subsets @ path_truth(fixed, moving), want, atol=1e-12)


def test_conditional_decompositions_move_one_variable():
    plan = subset_plan(5, gradient=True)
    _, moving, _ = decompose(plan.masks, "chain")
    assert (moving.sum(axis=1) == 1).all()
    fixed, moving, _ = decompose(plan.masks, "peel")
    assert moving.sum(axis=1).max() == 5 and (moving.sum(axis=1) == 1).sum() == len(moving) - 1
    _, moving, _ = decompose(plan.masks, "subsets")
    assert len(moving) == plan.n_subsets  # one path per subset


def test_training_frequencies_follow_the_measure_weights():
    plan = subset_plan(4)
    paths = flow_paths(plan.masks, torch.arange(4), plan.weights, "peel")
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
    for decomposition in ("peel", "chain"):
        fixed, moving, to_subsets = decompose(plan.masks, decomposition)
        values = gaussian_path_value(source, target, torch.as_tensor(fixed), torch.as_tensor(moving))[0]
        np.testing.assert_allclose(to_subsets @ values.numpy(), per_subset, atol=1e-10)


def test_chain_decomposition_estimates_a_gaussian_system():
    system = GroundTruthSystem.from_blocks([redundant_block(3, 0.6), synergistic_block(3, 0.6)])
    data = system.sample(4000, seed=0)
    groups = [(0, 1, 2), (3, 4, 5)]
    fast = dict(steps=150, min_steps=50, width=32, depth=2, batch_size=256, eval_samples=400, quadrature_nodes=8)
    table = estimate_oinfo(data, groups, estimator="fmmi", device="cpu", decomposition="chain", **fast)
    np.testing.assert_allclose(table["o_info"], system.measures(np.array(groups))["o_info"], atol=0.03)
