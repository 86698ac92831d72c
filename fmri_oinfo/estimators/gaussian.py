"""Closed-form Gaussian and Gaussian-copula total correlations, batched in torch.

For a Gaussian with correlation matrix R, ``TC(A) = -1/2 log det R_AA``.  Groups
are gathered as a batch of sub-correlation matrices and their log-determinants
come from one batched Cholesky per subset of the plan: no Python loop over
groups.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import torch
from scipy.special import digamma

from fmri_oinfo.device import resolve_device
from fmri_oinfo.enumeration import iter_combinations
from fmri_oinfo.estimators.base import TCEstimate
from fmri_oinfo.estimators.copula import normal_scores
from fmri_oinfo.measures import SubsetPlan, measures_from_tc


def logdet_bias(dim: int, n_samples: int) -> float:
    """Expected excess of ``log det`` of a sample covariance (Wishart bias).

    ``E[log det S] = log det Sigma + logdet_bias(dim, T)`` for the unbiased
    sample covariance ``S`` of ``T`` Gaussian samples in ``dim`` dimensions.
    """
    i = np.arange(1, dim + 1)
    return float(dim * np.log(2.0 / (n_samples - 1)) + digamma((n_samples - i) / 2.0).sum())


def tc_bias(subset_size: int, n_samples: int) -> float:
    """Bias of the plug-in Gaussian TC of ``subset_size`` scalar variables.

    The bias-corrected TC is the plug-in TC minus this value.
    """
    return -0.5 * (logdet_bias(subset_size, n_samples) - subset_size * logdet_bias(1, n_samples))


def batched_logdet(matrices: torch.Tensor) -> torch.Tensor:
    """``log det`` of a batch of symmetric positive-definite matrices.

    Parameters
    ----------
    matrices : torch.Tensor, shape (B, m, m)

    Returns
    -------
    torch.Tensor, shape (B,)
        ``-inf`` where a matrix is singular (a deterministic relation).
    """
    chol, info = torch.linalg.cholesky_ex(matrices)  # (B, m, m), (B,)
    logdet = 2.0 * torch.log(torch.diagonal(chol, dim1=-2, dim2=-1)).sum(-1)  # (B,)
    return torch.where(info == 0, logdet, torch.full_like(logdet, -torch.inf))


def subset_tc(corr: torch.Tensor, groups: torch.Tensor, masks: np.ndarray) -> torch.Tensor:
    """Gaussian TC of each masked subset of each group.

    Parameters
    ----------
    corr : torch.Tensor, shape (N, N)
        Correlation matrix.
    groups : torch.Tensor of int64, shape (G, k)
    masks : numpy.ndarray of bool, shape (S, k)

    Returns
    -------
    torch.Tensor, shape (G, S)
    """
    out = torch.zeros(groups.shape[0], masks.shape[0], dtype=corr.dtype, device=corr.device)  # (G, S)
    for s, mask in enumerate(masks):
        if mask.sum() < 2:
            continue  # TC of one variable is zero
        idx = groups[:, torch.from_numpy(np.flatnonzero(mask)).to(groups.device)]  # (G, m)
        sub = corr[idx[:, :, None], idx[:, None, :]]  # (G, m, m)
        out[:, s] = -0.5 * batched_logdet(sub)
    return out


class GaussianEstimator:
    """Gaussian (or Gaussian-copula) estimator of total correlations.

    Parameters
    ----------
    copula : bool, default=False
        Rank-transform each region to normal scores first (the Gaussian copula
        estimator of THOI and HOI).  Without it, the plug-in Gaussian estimate on
        the sample correlation.
    bias_correction : bool, default=False
        Subtract the finite-sample (Wishart) bias of each log-determinant.
    device : str, default="auto"
        Torch device for the batched algebra.
    batch_size : int, default=262144
        Groups per batched computation (bounds memory).

    Attributes
    ----------
    correlation_ : torch.Tensor, shape (N, N)
        Correlation matrix of the fitted data, float64.
    n_samples_ : int
        Number of time points seen in ``fit``.
    """

    def __init__(
        self,
        copula: bool = False,
        bias_correction: bool = False,
        device: str = "auto",
        batch_size: int = 262_144,
    ) -> None:
        self.copula = copula
        self.bias_correction = bias_correction
        self.device = device
        self.batch_size = batch_size

    def fit(self, data: np.ndarray) -> "GaussianEstimator":
        """Estimate the correlation matrix of ``data`` (T, N), already validated."""
        x = normal_scores(data) if self.copula else np.asarray(data, dtype=np.float64)
        corr = np.corrcoef(x, rowvar=False)
        self.device_ = resolve_device(self.device)
        self.correlation_ = torch.as_tensor(corr, dtype=torch.float64, device=self.device_)
        self.n_samples_ = x.shape[0]
        return self

    def _bias(self, plan: SubsetPlan) -> torch.Tensor:
        sizes = plan.masks.sum(axis=1)
        bias = [tc_bias(int(m), self.n_samples_) if m >= 2 else 0.0 for m in sizes]
        return torch.tensor(bias, dtype=torch.float64, device=self.device_)  # (S,)

    def _tc_batch(self, groups: torch.Tensor, plan: SubsetPlan) -> torch.Tensor:
        tc = subset_tc(self.correlation_, groups, plan.masks)  # (G, S)
        if self.bias_correction:
            tc = tc - self._bias(plan)
        return tc

    def total_correlations(self, groups: np.ndarray, plan: SubsetPlan) -> TCEstimate:
        """TC of every planned subset of every group.

        Parameters
        ----------
        groups : numpy.ndarray of int64, shape (G, k)
        plan : SubsetPlan
            Plan for order ``k``.

        Returns
        -------
        TCEstimate
            ``tc`` of shape (G, S); no standard error (closed form).
        """
        chunks = []
        for start in range(0, groups.shape[0], self.batch_size):
            batch = torch.as_tensor(groups[start : start + self.batch_size], device=self.device_)
            chunks.append(self._tc_batch(batch, plan).cpu().numpy())
        return TCEstimate(tc=np.concatenate(chunks, axis=0))

    def iter_exhaustive(self, plan: SubsetPlan) -> Iterator[tuple[np.ndarray, dict[str, np.ndarray]]]:
        """Stream the measures of every group of ``plan.order`` fitted regions.

        Yields
        ------
        groups : numpy.ndarray of int64, shape (B, k)
        measures : dict of str to numpy.ndarray
            As returned by :func:`fmri_oinfo.measures.measures_from_tc`.
        """
        n_regions = self.correlation_.shape[0]
        for batch in iter_combinations(n_regions, plan.order, self.batch_size):
            tc = self._tc_batch(torch.from_numpy(batch).to(self.device_), plan)  # (B, S)
            yield batch, measures_from_tc(tc.cpu().numpy(), plan)
