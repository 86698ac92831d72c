"""The amortised conditional network: which region moves, given which regions.

One network per member serves every pair ``(m, F)`` of a subject.  An
*encoder* turns the conditioning set (region identities and their values at a
row), the moving region's identity and the pair's Gaussian summaries at the
row into a context vector; a *head* turns
the context into either a velocity field for the moving region's standardised
residual (the flow, FMMI) or the parameters of a mixture of Student-t
densities for it (the maximum-likelihood baseline).

Encoders (their cost does not grow with the number of regions):

``set``
    a small Deep Sets encoder: each conditioning member's token
    ``[embedding_j, z_j, embedding_m]`` goes through a shared MLP, the tokens
    are summed, and an MLP reads the sum;
``masked``
    a masked MLP over all regions, written as a sum over the members (the
    first layer of an MLP on ``[z * mask_F, mask_F, onehot_m]`` is exactly
    ``sum_{j in F} (z_j U_j + V_j) + W_m``).

Both also add a learned embedding of the pair itself for the pairs the model
was trained on (zero for others, and for a random ``PAIR_DROPOUT`` of the
training examples, so that the network answers untrained pairs too).  Without
it, pairs that share members leak into each other: on the mixture system an
independent pair, I(X3; X1) = 0, read 0.018 nats when trained beside
I(X3; X1, X2) and 0.0001 when trained alone.

The flow head's first layer is split into a context part, computed once per
(row, pair), and the part that sees the moving value and the time, so that the
many time points of a readout cost only the head.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch.nn.functional import silu, softplus

from fmri_oinfo.engine.pair_gaussian import N_SUMMARIES, PairRows
from fmri_oinfo.engine.stacked import Params, gather_rows, init_linear, linear

ENCODERS = ("set", "masked")
HEADS = ("flow", "mixture")

#: Time features of the flow head: ``s, cos(pi s), sin(pi s), cos(2 pi s)``.
N_TIME_FEATURES = 4

#: Fraction of training examples that see no pair embedding.
PAIR_DROPOUT = 0.2


@dataclass(frozen=True)
class NetShape:
    """Sizes of the conditional network.

    Attributes
    ----------
    n_regions : int
    n_pairs : int
        Rows of the pair-embedding table (the pairs trained on).
    encoder : {"set", "masked"}
    head : {"flow", "mixture"}
    embed_dim, width, context_dim : int
        Region embedding size, hidden width, context size.
    components : int
        Student-t components of the mixture head.
    """

    n_regions: int
    n_pairs: int
    encoder: str = "set"
    head: str = "flow"
    embed_dim: int = 16
    width: int = 64
    context_dim: int = 64
    components: int = 8


def init_net(shape: NetShape, n_members: int, generator: torch.Generator) -> Params:
    """Independent initial weights of ``n_members`` networks (float32, on the generator's device)."""
    device = generator.device
    g, h, c, e = n_members, shape.width, shape.context_dim, shape.embed_dim
    params: Params = {}
    params["embed"] = torch.randn(g, shape.n_regions, e, generator=generator, device=device) / math.sqrt(e)
    params["pair_embed"] = torch.zeros(g, shape.n_pairs, e, device=device)  # starts as "no pair"
    if shape.encoder == "set":
        init_linear(params, "token_1", g, 2 * e + 1, h, generator)
        init_linear(params, "token_2", g, h, h, generator)
        init_linear(params, "context", g, h + 2 * e + N_SUMMARIES, c, generator)
    else:
        for table in ("value_table", "member_table", "moving_table"):  # (G, N, H) first-layer rows
            params[table] = torch.randn(g, shape.n_regions, h, generator=generator, device=device) / math.sqrt(3)
        init_linear(params, "hidden", g, h, h, generator)
        init_linear(params, "context", g, h + e + N_SUMMARIES, c, generator)
    if shape.head == "flow":
        init_linear(params, "head_context", g, c, h, generator)
        init_linear(params, "head_input", g, 1 + N_TIME_FEATURES, h, generator)
        init_linear(params, "head_hidden", g, h, h, generator)
        init_linear(params, "head_out", g, h, 1, generator, zero=True)  # starts at the Gaussian answer
    else:
        k = shape.components
        init_linear(params, "mix_hidden", g, c, h, generator)
        init_linear(params, "mix_out", g, h, 4 * k, generator)
        params["mix_out.w"] *= 0.01
        bias = torch.zeros(g, 1, 4 * k, device=device)
        bias[..., k : 2 * k] = torch.linspace(-1.5, 1.5, k, device=device)  # spread locations break the symmetry
        bias[..., 2 * k : 3 * k] = math.log(0.8)
        bias[..., 3 * k :] = 2.0  # df = 2 + softplus(2) ~ 4
        params["mix_out.b"] = bias
    return params


def encode(params: Params, shape: NetShape, rows: PairRows) -> torch.Tensor:
    """Context of each (row, pair) from its conditioning set, moving region and Gaussian summaries.

    Parameters
    ----------
    rows : PairRows
        Examples of shape (G, B) (:func:`fmri_oinfo.engine.pair_gaussian.gather_pair_rows`).

    Returns
    -------
    torch.Tensor, shape (G, B, C)
    """
    given, moving, z = rows.given, rows.moving, rows.z_given  # (G, B, K), (G, B), (G, B, K)
    mask = (given >= 0).to(z.dtype)  # (G, B, K)
    index = given.clamp_min(0)
    pair = gather_rows(params["pair_embed"], rows.slot.clamp_min(0)) * (rows.slot >= 0)[..., None]  # (G, B, e)
    if shape.encoder == "set":
        e_given = gather_rows(params["embed"], index)  # (G, B, K, e)
        e_moving = gather_rows(params["embed"], moving)  # (G, B, e)
        tokens = torch.cat([e_given, z[..., None], e_moving[:, :, None, :].expand_as(e_given)], dim=-1)
        h = silu(linear(params, "token_2", silu(linear(params, "token_1", tokens))))  # (G, B, K, H)
        pooled = (h * mask[..., None]).sum(dim=2)  # (G, B, H)
        features = torch.cat([pooled, e_moving, pair, rows.summaries], dim=-1)
    else:
        values = gather_rows(params["value_table"], index)  # (G, B, K, H)
        members = gather_rows(params["member_table"], index)  # (G, B, K, H)
        first = ((z[..., None] * values + members) * mask[..., None]).sum(dim=2)  # (G, B, H)
        first = first + gather_rows(params["moving_table"], moving)
        hidden = silu(linear(params, "hidden", silu(first)))  # (G, B, H)
        features = torch.cat([hidden, pair, rows.summaries], dim=-1)
    return silu(linear(params, "context", features))  # (G, B, C)


def time_features(s: torch.Tensor) -> torch.Tensor:
    """(...,) -> (..., N_TIME_FEATURES)."""
    angle = math.pi * s
    return torch.stack([s, torch.cos(angle), torch.sin(angle), torch.cos(2 * angle)], dim=-1)


def flow_context(params: Params, context: torch.Tensor) -> torch.Tensor:
    """The context's part of the flow head's first layer: (G, B, C) -> (G, B, H)."""
    return linear(params, "head_context", context)


def flow_output(params: Params, head_context: torch.Tensor, y: torch.Tensor, s: torch.Tensor) -> torch.Tensor:
    """The flow head's raw output at moving values ``y`` and times ``s``.

    Parameters
    ----------
    head_context : torch.Tensor, shape (G, B, H)
        From :func:`flow_context`.
    y, s : torch.Tensor, shape (G, B, R)
        R (value, time) points per (row, pair).

    Returns
    -------
    torch.Tensor, shape (G, B, R)
    """
    inputs = torch.cat([y[..., None], time_features(s)], dim=-1)  # (G, B, R, 1 + F)
    h = silu(head_context[:, :, None, :] + linear(params, "head_input", inputs))  # (G, B, R, H)
    h = silu(linear(params, "head_hidden", h))
    return linear(params, "head_out", h)[..., 0]


def mixture_log_prob(params: Params, context: torch.Tensor, y: torch.Tensor, components: int) -> torch.Tensor:
    """Log density of ``y`` (G, B) under each context's Student-t mixture, shape (G, B)."""
    k = components
    out = linear(params, "mix_out", silu(linear(params, "mix_hidden", context)))  # (G, B, 4K)
    logits, loc, log_scale, df_raw = out.split(k, dim=-1)
    scale = softplus(log_scale) + 1e-3
    df = 2.0 + softplus(df_raw)
    t = (y[..., None] - loc) / scale  # (G, B, K)
    log_t = (
        torch.lgamma((df + 1) / 2)
        - torch.lgamma(df / 2)
        - 0.5 * torch.log(math.pi * df)
        - torch.log(scale)
        - (df + 1) / 2 * torch.log1p(t * t / df)
    )
    return torch.logsumexp(torch.log_softmax(logits, dim=-1) + log_t, dim=-1)
