"""Baselines printed beside FMMI in the engine benchmarks: kNN (KSG) and the systems.

KSG (Kraskov, Stoegbauer and Grassberger 2004, estimator 1): for each row,
the distance ``eps`` to its k-th neighbour in the joint space (max-norm), the
counts ``n_a`` and ``n_b`` of rows strictly within ``eps`` in each marginal
space, and ``I(A; B) = psi(k) + psi(T) - mean(psi(n_a + 1) + psi(n_b + 1))``.
The O-information is ``2 TC - S`` with ``TC`` a chain of such MIs and ``S`` the
sum of ``I(X_j; X_-j)``; columns are rank-transformed to normal scores first
(every measure is invariant to that, and kNN distances behave better).

The systems (:func:`accuracy_systems`) are the ground-truth classes of
:mod:`fmri_oinfo.synthetic`, each scored on all its variables;
:func:`validation_systems` are other members of the same classes, never used
to choose a setting or a constant of the engine.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree
from scipy.special import digamma

from fmri_oinfo.engine.marginals import normal_scores
from fmri_oinfo.synthetic import (
    GroundTruthSystem,
    HeteroscedasticSystem,
    MixtureSystem,
    MultiplicativeSystem,
    System,
    random_correlation,
    redundant_block,
    synergistic_block,
)


def ksg_mi(a: np.ndarray, b: np.ndarray, k: int = 3) -> float:
    """KSG estimate of ``I(A; B)`` (nats) from (T, d_a) and (T, d_b) samples."""
    joint = np.hstack([a, b])
    eps = cKDTree(joint).query(joint, k=k + 1, p=np.inf)[0][:, -1]  # (T,) distance to the k-th neighbour
    radius = np.nextafter(eps, 0)  # strictly within eps
    n_a = cKDTree(a).query_ball_point(a, radius, p=np.inf, return_length=True) - 1
    n_b = cKDTree(b).query_ball_point(b, radius, p=np.inf, return_length=True) - 1
    t = len(joint)
    return float(digamma(k) + digamma(t) - np.mean(digamma(n_a + 1) + digamma(n_b + 1)))


def ksg_o_info(x: np.ndarray, k: int = 3) -> float:
    """O-information of all columns of ``x`` (T, n) by KSG: ``2 TC - S``."""
    z = normal_scores(x)
    n = z.shape[1]
    tc = sum(ksg_mi(z[:, :j], z[:, j : j + 1], k) for j in range(1, n))
    s_info = sum(ksg_mi(np.delete(z, j, axis=1), z[:, j : j + 1], k) for j in range(n))
    return 2 * tc - s_info


@dataclass(frozen=True)
class Case:
    """A system scored on all its variables."""

    name: str
    system: System


def accuracy_systems() -> list[Case]:
    """Every class of ground-truth system, with a non-trivial O-information."""
    return [
        Case("gaussian redundant n=3 rho=0.5", GroundTruthSystem(redundant_block(3, 0.5))),
        Case("gaussian synergistic n=4 rho=0.5", GroundTruthSystem(synergistic_block(4, 0.5))),
        Case("student-t nu=3 n=5 equal r=0.3", GroundTruthSystem(redundant_block(5, 0.3), nu=3)),
        Case("student-t nu=4 n=4 random mixed-sign", GroundTruthSystem(random_correlation(4, 3, 1.5), nu=4)),
        Case("student-t nu=5 n=3 synergistic 0.5", GroundTruthSystem(synergistic_block(3, 0.5), nu=5)),
        Case(
            "monotone exp/cube of gaussian n=4 r=0.5",
            GroundTruthSystem(redundant_block(4, 0.5), transform=("exp", "cube", "exp", "cube")),
        ),
        Case("multiplicative x3=x1*x2+0.3e", MultiplicativeSystem(0.3)),
        Case("mixture, opposite correlations n=3", MixtureSystem(synergistic_block(3, 0.7), flip=(1, -1, 1))),
    ]


def validation_systems() -> list[Case]:
    """Systems kept out of every tuning decision: other parameters, sizes and mixes of the same classes."""
    return [
        Case("gaussian n=5 random correlation", GroundTruthSystem(random_correlation(5, 11, 1.0))),
        Case("student-t nu=3 n=4 random mixed-sign", GroundTruthSystem(random_correlation(4, 7, 1.5), nu=3)),
        Case(
            "monotone exp/cube of student-t nu=5 n=3",
            GroundTruthSystem(redundant_block(3, 0.5), nu=5, transform=("exp", "cube", "exp")),
        ),
        Case("multiplicative x3=x1*x2+0.5e", MultiplicativeSystem(0.5)),
        Case("mixture, opposite correlations 0.5 n=3", MixtureSystem(synergistic_block(3, 0.5), flip=(1, -1, 1))),
        Case("mixture, redundant 0.6 n=4, one flipped", MixtureSystem(redundant_block(4, 0.6), flip=(1, 1, 1, -1))),
        Case("heteroscedastic x3=x1+exp(x2/2)e", HeteroscedasticSystem(0.5)),
    ]
