"""Closed-form Gaussian total correlation of variables made of several columns, batched in torch.

For variables ``X_1 .. X_n`` (blocks of columns) of a Gaussian with
correlation ``R``, with ``R_ii`` the diagonal block of variable ``i`` and
``R_SS`` the matrix of every column of the variables in ``S``,

    TC(S) = 1/2 (sum_{i in S} log det R_ii - log det R_SS),

which is ``-1/2 log det R_SS`` for variables of one column each.  Groups of
variables of different widths are gathered into one padded batch: a padding
entry holds the identity (unit diagonal, no correlation), which leaves every
determinant as it was.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from fmri_oinfo.estimators.gaussian import GaussianEstimator, batched_logdet, logdet_bias
from fmri_oinfo.validation import check_timeseries
from fmri_oinfo.variables import Variables, check_variables


class BlockTable:
    """The variables as tensors: padded columns (V, d), validity (V, d) and ``log det R_ii`` (V,).

    Parameters
    ----------
    corr : torch.Tensor, shape (N, N)
        Correlation matrix of every column.
    variables : Variables

    Raises
    ------
    ValueError
        When a variable's own correlation block is singular.
    """

    def __init__(self, corr: torch.Tensor, variables: Variables) -> None:
        padded, valid = variables.table()
        self.columns = torch.as_tensor(padded, device=corr.device)  # (V, d)
        self.valid = torch.as_tensor(valid, device=corr.device)  # (V, d)
        self.sizes = variables.sizes  # (V,)
        self.own_logdet = batched_logdet(_padded_blocks(corr, self.columns, self.valid))  # (V,)
        singular = torch.isinf(self.own_logdet)
        if bool(singular.any()):
            name = variables.names[int(torch.nonzero(singular)[0])]
            raise ValueError(f"variable {name!r}: its columns are (nearly) exact linear functions of each other "
                             "(after the estimator's transform); drop the redundant columns.")

    def tc(self, corr: torch.Tensor, groups: torch.Tensor, masks: np.ndarray) -> torch.Tensor:
        """:func:`block_subset_tc` of these variables, (G, S)."""
        return block_subset_tc(corr, self, groups, masks)

    def bias(self, groups: np.ndarray, masks: np.ndarray, n_samples: int) -> np.ndarray:
        """:func:`block_tc_bias` of these variables, (G, S)."""
        return block_tc_bias(self.sizes, groups, masks, n_samples)


def _padded_blocks(corr: torch.Tensor, columns: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
    """Correlation matrices (B, m, m) of column lists (B, m), identity where an entry is padding."""
    sub = corr[columns[:, :, None], columns[:, None, :]]  # (B, m, m)
    both = valid[:, :, None] & valid[:, None, :]  # (B, m, m)
    eye = torch.eye(columns.shape[1], dtype=corr.dtype, device=corr.device).expand_as(sub)
    return torch.where(both, sub, eye)


def block_subset_tc(corr: torch.Tensor, table: BlockTable, groups: torch.Tensor, masks: np.ndarray) -> torch.Tensor:
    """Gaussian TC over variables of each masked subset of each group.

    Parameters
    ----------
    corr : torch.Tensor, shape (N, N)
    table : BlockTable
    groups : torch.Tensor of int64, shape (G, k)
        Variable indices.
    masks : numpy.ndarray of bool, shape (S, k)

    Returns
    -------
    torch.Tensor, shape (G, S)
        ``inf`` where the subset's columns together are singular.
    """
    n_groups, k = groups.shape
    columns = table.columns[groups]  # (G, k, d)
    valid = table.valid[groups]  # (G, k, d)
    own = table.own_logdet[groups]  # (G, k)
    out = torch.zeros(n_groups, masks.shape[0], dtype=corr.dtype, device=corr.device)  # (G, S)
    for s, mask in enumerate(masks):
        if mask.sum() < 2:
            continue  # TC of one variable is zero
        keep = torch.from_numpy(np.flatnonzero(mask)).to(groups.device)
        cols = columns[:, keep].reshape(n_groups, -1)  # (G, m d)
        ok = valid[:, keep].reshape(n_groups, -1)  # (G, m d)
        out[:, s] = 0.5 * (own[:, keep].sum(-1) - batched_logdet(_padded_blocks(corr, cols, ok)))
    return out


def block_tc_bias(sizes: np.ndarray, groups: np.ndarray, masks: np.ndarray, n_samples: int) -> np.ndarray:
    """Expected excess (Wishart bias) of the plug-in TC over variables, (G, S); subtract it to correct.

    ``-1/2 (b(D_S) - sum_{i in S} b(d_i))`` with ``b`` :func:`logdet_bias`,
    ``d_i`` the columns of variable ``i`` and ``D_S`` those of the subset.
    """
    widths = sizes[groups]  # (G, k)
    lookup = np.array([0.0] + [logdet_bias(d, n_samples) for d in range(1, int(widths.sum(axis=1).max()) + 1)])
    subset_width = widths @ masks.T  # (G, S)
    own = lookup[widths] @ masks.T.astype(float)  # (G, S)
    bias = -0.5 * (lookup[subset_width] - own)
    return np.where(masks.sum(axis=1) >= 2, bias, 0.0)


def gaussian_mi(x: Any, y: Any, copula: bool = False, bias_correction: bool = False,
                device: str = "auto") -> tuple[float, float]:
    """Closed-form Gaussian (or Gaussian-copula) mutual information between two blocks of columns, nats.

    ``I(X; Y) = 1/2 (log det R_XX + log det R_YY - log det R)``, the total
    correlation of the two variables ``X`` and ``Y``.

    Parameters
    ----------
    x, y : array of shape (T,) or (T, d_x), (T, d_y)
        Paired samples, at least one column each.
    copula : bool, default=False
        Rank-transform each column to normal scores first.
    bias_correction : bool, default=False
        Subtract the finite-sample (Wishart) bias of the log-determinants.
    device : str, default="auto"

    Returns
    -------
    mi : float
        ``inf`` when the columns of ``x`` and ``y`` together are linearly
        dependent.
    se : float
        NaN: the closed form reports no standard error.

    Raises
    ------
    ValueError
        For unpaired blocks, non-finite or constant columns, too few samples
        (fewer than ``d_x + d_y + 2``), and a block whose own columns are
        linearly dependent.
    """
    xb, yb = (np.asarray(block, dtype=np.float64) for block in (x, y))
    xb, yb = (block[:, None] if block.ndim == 1 else block for block in (xb, yb))
    if xb.ndim != 2 or yb.ndim != 2 or xb.shape[0] != yb.shape[0] or 0 in xb.shape or 0 in yb.shape:
        raise ValueError(f"x has shape {xb.shape} and y {yb.shape}; give paired (T,) or (T, d) samples with at "
                         "least one column each.")
    values, names = check_timeseries(np.concatenate([xb, yb], axis=1), source="x and y")
    if values.shape[0] < values.shape[1] + 2:
        raise ValueError(f"{values.shape[0]} samples for {values.shape[1]} columns; at least {values.shape[1] + 2} "
                         "are needed.")
    columns = {"x": list(range(xb.shape[1])), "y": list(range(xb.shape[1], values.shape[1]))}
    model = GaussianEstimator(copula=copula, bias_correction=bias_correction, device=device)
    model.fit(values, variables=check_variables(columns, names, values))
    pair, both = np.array([[0, 1]]), np.ones((1, 2), dtype=bool)
    mi = float(model.blocks_.tc(model.correlation_, torch.as_tensor(pair, device=model.device_), both)[0, 0])
    if bias_correction:
        mi -= float(model.blocks_.bias(pair, both, model.n_samples_)[0, 0])
    return mi, float("nan")
