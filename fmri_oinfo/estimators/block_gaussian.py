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

import numpy as np
import torch

from fmri_oinfo.estimators.gaussian import batched_logdet, logdet_bias
from fmri_oinfo.variables import Variables


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
