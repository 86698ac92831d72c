"""How often each cross-fitting member draws each pair: more draws where the Gaussian part misses something.

A set's pairs are drawn in proportion to their importance (the size of their
coefficients in the set's quantities, :class:`fmri_oinfo.engine.cmi_plan.ConditionalPlan`).
Among many sets, the few pairs that carry a non-Gaussian core are then a
small share of the draws and of the held-out loss that early stopping
watches, and training stops before they are learnt: a multiplicative core
handed in with 7 other sets read an excess of +0.001 where the oracle is
-0.43 (``benchmarks/README.md``, ``excess_test_calibration.py``).

Each member therefore measures, on its own training rows only, how much of
each pair's standardised residual ``y`` the Gaussian part leaves predictable
from the conditioning values: the share of variance of ``y`` (a conditional
mean that is not linear) and of ``y^2`` (a spread that follows the
conditioning values) explained by a least-squares fit on low-order Hermite
features of the conditioning values (each value, its second and third
Hermite polynomials, and the product of every two), less what that fit
explains by chance (``(d + 3 sqrt(2 d)) / n`` for ``d`` features and ``n``
rows), plus the Jarque-Bera statistic of ``y`` over ``n`` (a residual law
that is not normal), less its chance level.  The member then draws each pair
in proportion to ``importance * (1 + NON_GAUSSIAN_GAIN * score)``: a pair
whose residual is a product of its conditioning values (score about 0.5)
is drawn about 15 times as often as before, Gaussian pairs (score 0, or a
few thousandths by chance) as often as each other as before; on Gaussian
data nothing changes.  The held-out loss of early stopping is drawn the
same way, so it watches those pairs too.  The rows a member scores never
enter its weights.
"""

from __future__ import annotations

import math

import torch

from fmri_oinfo.engine.pair_gaussian import PairTable, gather_pair_rows

#: How much a pair's non-Gaussian score multiplies its draws: ``1 + NON_GAUSSIAN_GAIN * score``.
NON_GAUSSIAN_GAIN = 30.0

#: Fewest training rows a member scores pairs on: the chance levels above are large-sample ones (the
#: Jarque-Bera statistic of 20 normal rows is far from its chi-squared limit), so with fewer rows the
#: scores are 0 and the draws follow importance alone.
MIN_SCORED_ROWS = 200

#: Pairs scored at once (bounds memory at chunk x rows x features floats).
_CHUNK = 256


def hermite_features(z_given: torch.Tensor, given: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Low-order features of the conditioning values and their count per pair.

    Parameters
    ----------
    z_given : torch.Tensor, shape (P, n, K)
        Conditioning values (0 on padding).
    given : torch.Tensor of int64, shape (P, K)
        Padded with -1.

    Returns
    -------
    features : torch.Tensor, shape (P, n, 1 + 3 K + K (K - 1) / 2)
        A constant, ``z``, ``(z^2 - 1) / sqrt 2``, ``(z^3 - 3 z) / sqrt 6``
        and ``z_i z_j`` (0 on padding).
    dof : torch.Tensor, shape (P,)
        Features of each pair besides the constant.
    """
    present = (given >= 0).to(z_given.dtype)[:, None, :]  # (P, 1, K)
    z = z_given
    parts = [torch.ones_like(z[..., :1]), z, present * (z * z - 1.0) / math.sqrt(2.0),
             present * (z**3 - 3.0 * z) / math.sqrt(6.0)]
    k = given.shape[1]
    i, j = torch.triu_indices(k, k, offset=1, device=z.device)
    parts.append(z[..., i] * z[..., j])
    size = (given >= 0).sum(-1)
    return torch.cat(parts, dim=-1), 3 * size + size * (size - 1) // 2


def explained_share(target: torch.Tensor, features: torch.Tensor) -> torch.Tensor:
    """Share of each pair's target variance explained by least squares on its features, shape (P,).

    Parameters
    ----------
    target : torch.Tensor, shape (P, n)
    features : torch.Tensor, shape (P, n, d)
    """
    gram = features.transpose(1, 2) @ features  # (P, d, d)
    ridge = 1e-6 * gram.diagonal(dim1=1, dim2=2).mean(-1)[:, None, None] + 1e-9
    eye = torch.eye(gram.shape[-1], dtype=gram.dtype, device=gram.device)
    coef = torch.linalg.solve(gram + ridge * eye, (features.transpose(1, 2) @ target[..., None]))  # (P, d, 1)
    residual = target - (features @ coef)[..., 0]
    centred = target - target.mean(-1, keepdim=True)
    return 1.0 - (residual * residual).sum(-1) / (centred * centred).sum(-1).clamp_min(1e-12)


def shape_score(y: torch.Tensor) -> torch.Tensor:
    """Chance-corrected Jarque-Bera statistic per row of ``y`` (P, n): ``skew^2 / 6 + excess kurtosis^2 / 24``, >= 0.

    A residual whose law is not normal (heavy tails, skew) even where its
    spread does not follow the conditioning values; ``n`` times it is
    chi-squared with 2 degrees of freedom for normal rows, so ``(2 + 6) / n``
    is removed.
    """
    n = y.shape[-1]
    centred = y - y.mean(-1, keepdim=True)
    variance = (centred * centred).mean(-1).clamp_min(1e-12)
    skew = (centred**3).mean(-1) / variance**1.5
    kurtosis = (centred**4).mean(-1) / variance**2 - 3.0
    return (skew * skew / 6.0 + kurtosis * kurtosis / 24.0 - 8.0 / n).clamp_min(0.0)


def non_gaussian_scores(z: torch.Tensor, pairs: PairTable, rows: torch.Tensor, n_rows: torch.Tensor) -> torch.Tensor:
    """Each member's score of each pair on its training rows, shape (G, P), >= 0.

    The chance-corrected share of the variance of the pair's standardised
    residual ``y`` and of ``y^2`` that Hermite features of the conditioning
    values explain (module docstring); 0 for a pair whose residual looks
    Gaussian and independent of its conditioning values, and for every
    pair of a member with fewer than :data:`MIN_SCORED_ROWS` training rows.

    Parameters
    ----------
    z : torch.Tensor, shape (T, N), float64
        Standardised data.
    rows : torch.Tensor of int64, shape (G, T_max)
        Each member's training rows (padded past ``n_rows``).
    n_rows : torch.Tensor of int64, shape (G,)
    """
    n_pairs = len(pairs)
    out = torch.zeros(rows.shape[0], n_pairs, dtype=torch.float64, device=z.device)
    for member, (member_rows, n) in enumerate(zip(rows, n_rows.tolist())):
        if n < MIN_SCORED_ROWS:
            continue
        used = member_rows[:n]
        for start in range(0, n_pairs, _CHUNK):
            pick = torch.arange(start, min(start + _CHUNK, n_pairs), device=z.device)
            examples = gather_pair_rows(z, pairs, used[None, :].expand(len(pick), n), pick[:, None].expand(-1, n))
            features, dof = hermite_features(examples.z_given, pairs.given[pick])
            chance = (dof + 3.0 * torch.sqrt(2.0 * dof)) / n
            y = examples.y
            mean_share = explained_share(y, features) - chance
            spread_share = explained_share(y * y, features) - chance
            out[member, pick] = mean_share.clamp_min(0.0) + spread_share.clamp_min(0.0) + shape_score(y)
    return out


def member_probabilities(importance: torch.Tensor, scores: torch.Tensor) -> torch.Tensor:
    """Each member's draw probabilities of the pairs, shape (G, P), rows summing to 1.

    Parameters
    ----------
    importance : torch.Tensor, shape (P,)
        The plan's importance (sums to 1).
    scores : torch.Tensor, shape (G, P)
        :func:`non_gaussian_scores`.
    """
    weight = importance[None, :] * (1.0 + NON_GAUSSIAN_GAIN * scores.to(importance.dtype))
    return weight / weight.sum(-1, keepdim=True)
