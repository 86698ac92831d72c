"""The closed-form estimators on thousands of surrogates, from correlations.

The ``gaussian`` and ``gaussian-copula`` estimators see a dataset only
through the correlation matrix of each set's members (of their normal scores
for the copula).  Two facts make their surrogate nulls cheap and exact:

- a circular shift permutes time points, so the normal scores of a shifted
  region are its shifted normal scores;
- the correlation of region ``a`` shifted by ``s_a`` with region ``b``
  shifted by ``s_b`` is the circular cross-correlation of ``a`` and ``b`` at
  lag ``s_b - s_a``, ``C_ab(tau) = 1/T sum_t z_a(t) z_b(t + tau)`` of the
  standardised columns ``z``, which one FFT gives for every lag.

So every circular-shift surrogate of every set is a gather from a table of
cross-correlations (:class:`LaggedCorrelations`), and its O-information comes
from the estimator's own code (:func:`fmri_oinfo.estimators.gaussian.standard_plan_tc`
and :func:`fmri_oinfo.measures.measures_from_tc`) applied to those
correlation matrices (:func:`o_info_of_correlations`).  The numbers equal
those of :func:`fmri_oinfo.estimate_oinfo` on the surrogate datasets to
rounding (``tests/stats/test_closed_form.py``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from fmri_oinfo.estimators.copula import normal_scores
from fmri_oinfo.estimators.gaussian import standard_plan_tc
from fmri_oinfo.measures import measures_from_tc, subset_plan
from fmri_oinfo.validation import bucket_by_order

#: Side of the block-diagonal matrix that batches small correlation matrices.
_BLOCK_SIDE = 2048


def estimator_input(values: np.ndarray, copula: bool) -> np.ndarray:
    """The columns a closed-form estimator correlates, standardised (mean 0, ``ddof=0`` SD 1), (T, M)."""
    x = normal_scores(values) if copula else np.asarray(values, dtype=np.float64)
    x = x - x.mean(axis=0)
    return x / x.std(axis=0)


def o_info_of_correlations(correlations: np.ndarray) -> np.ndarray:
    """Gaussian O-information (nats) of a batch of correlation matrices.

    The matrices are laid on the diagonal of one block-diagonal matrix (a
    buffer allocated once; off-block entries are never read) so that the
    estimator's own batched code runs unchanged.

    Parameters
    ----------
    correlations : numpy.ndarray, shape (B, k, k)
        Unit-diagonal correlation matrices, ``k >= 3``.

    Returns
    -------
    numpy.ndarray, shape (B,)
        ``nan`` or ``inf`` where a matrix is singular, as the estimator gives.
    """
    n_matrices, order, _ = correlations.shape
    plan = subset_plan(order)
    per_chunk = max(1, _BLOCK_SIDE // order)
    side = min(per_chunk, n_matrices) * order
    buffer = torch.zeros((side, side), dtype=torch.float64)  # (side, side), blocks on the diagonal
    blocks = torch.arange(side).view(-1, order)  # (b, k) member positions of each block
    out = np.empty(n_matrices)
    for start in range(0, n_matrices, per_chunk):
        chunk = torch.from_numpy(np.ascontiguousarray(correlations[start : start + per_chunk]))  # (b, k, k)
        members = blocks[: chunk.shape[0]]  # (b, k)
        buffer[members[:, :, None], members[:, None, :]] = chunk
        tc = standard_plan_tc(buffer, members, plan).numpy()  # (b, S)
        out[start : start + chunk.shape[0]] = measures_from_tc(tc, plan)["o_info"]
    return out


def set_correlations(correlation: np.ndarray, sets: np.ndarray) -> np.ndarray:
    """Sub-matrices of one or many correlation matrices for sets of one order.

    Parameters
    ----------
    correlation : numpy.ndarray, shape (..., N, N)
    sets : numpy.ndarray of int, shape (G, k)

    Returns
    -------
    numpy.ndarray, shape (..., G, k, k)
    """
    return correlation[..., sets[:, :, None], sets[:, None, :]]


def closed_form_o_info(correlation: np.ndarray, sets: Sequence[np.ndarray]) -> np.ndarray:
    """O-information of sets of any orders from correlation matrices.

    Parameters
    ----------
    correlation : numpy.ndarray, shape (P, N, N)
        One correlation matrix per dataset (e.g. per permutation of a pooled test).
    sets : sequence of numpy.ndarray of int
        Member indices into the N regions.

    Returns
    -------
    numpy.ndarray, shape (P, G)
    """
    out = np.empty((correlation.shape[0], len(sets)))
    for positions, members in bucket_by_order(sets).values():
        sub = set_correlations(correlation, members)  # (P, G_k, k, k)
        k = members.shape[1]
        out[:, positions] = o_info_of_correlations(sub.reshape(-1, k, k)).reshape(correlation.shape[0], -1)
    return out


class LaggedCorrelations:
    """Circular cross-correlations of every pair of regions that share a set.

    Parameters
    ----------
    values : numpy.ndarray, shape (T, M)
        The (block of the) region time series.
    sets : sequence of numpy.ndarray of int
        Member indices into the M columns.
    copula : bool
        Correlate normal scores (``gaussian-copula``) instead of the values.

    Attributes
    ----------
    lagged_ : numpy.ndarray, shape (P, T)
        ``C_ab(tau)`` for the P pairs ``a < b`` that share a set.
    pair_ : numpy.ndarray of int, shape (M, M)
        Row of ``lagged_`` of each pair (symmetric; -1 for pairs in no set).
    """

    def __init__(self, values: np.ndarray, sets: Sequence[np.ndarray], copula: bool) -> None:
        z = estimator_input(values, copula)  # (T, M)
        n_time, n_regions = z.shape
        needed = np.zeros((n_regions, n_regions), dtype=bool)
        for members in sets:
            needed[np.ix_(members, members)] = True
        a, b = np.nonzero(np.triu(needed, k=1))  # (P,) each
        self.pair_ = np.full((n_regions, n_regions), -1, dtype=np.int64)
        self.pair_[a, b] = self.pair_[b, a] = np.arange(a.size)
        spectrum = np.fft.rfft(z, axis=0)  # (F, M)
        cross = np.conj(spectrum[:, a]) * spectrum[:, b]  # (F, P)
        self.lagged_ = np.ascontiguousarray(np.fft.irfft(cross, n=n_time, axis=0).T / n_time)  # (P, T)
        self.n_time = n_time

    def _pair_values(self, lo: np.ndarray, hi: np.ndarray, lag: np.ndarray) -> np.ndarray:
        """``corr`` of (lo shifted s_lo, hi shifted s_hi) for lag ``(s_hi - s_lo) mod T``; broadcasting."""
        rows = self.pair_[np.minimum(lo, hi), np.maximum(lo, hi)]
        lag = np.where(lo <= hi, lag, -lag) % self.n_time
        return self.lagged_[rows, lag]

    def correlations(self, sets: np.ndarray, shifts: np.ndarray) -> np.ndarray:
        """Correlation matrices of sets when each region ``m`` is shifted by ``shifts[..., m]``.

        Parameters
        ----------
        sets : numpy.ndarray of int, shape (G, k)
        shifts : numpy.ndarray of int, shape (R, M) or (R, G, k)
            Per-region shifts shared by every set, or per-set, per-member shifts.

        Returns
        -------
        numpy.ndarray, shape (R, G, k, k)
        """
        n_sets, order = sets.shape
        if shifts.ndim == 2:
            member_shift = shifts[:, sets]  # (R, G, k)
        else:
            member_shift = shifts  # (R, G, k)
        out = np.empty((member_shift.shape[0], n_sets, order, order))  # (R, G, k, k)
        out[:, :, np.arange(order), np.arange(order)] = 1.0
        for i in range(order):
            for j in range(i + 1, order):
                lag = member_shift[:, :, j] - member_shift[:, :, i]  # (R, G)
                values = self._pair_values(sets[:, i], sets[:, j], lag)  # (R, G)
                out[:, :, i, j] = out[:, :, j, i] = values
        return out
