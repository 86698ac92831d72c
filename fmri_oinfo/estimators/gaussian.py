"""Closed-form Gaussian and Gaussian-copula total correlations, batched in torch.

For a Gaussian with correlation matrix R, ``TC(A) = -1/2 log det R_AA``.  Groups
are gathered as a batch of sub-correlation matrices; no Python loop over groups.

Two routes give the log-determinants of the planned subsets:

- the *standard* plans of :func:`fmri_oinfo.measures.subset_plan` (whole group,
  every leave-one-out and, for the gradient, every leave-two-out subset) need one
  Cholesky factor per group: with ``P = R^{-1}``,
  ``log det R_{-i} = log det R + log P_ii`` and
  ``log det R_{-ij} = log det R + log (P_ii P_jj - P_ij^2)``; for groups of 3
  and 4 the determinants are polynomials of the pair correlations instead, so
  no factorisation runs at all;
- any other plan (arbitrary masks) gathers and factorises every subset.

Groups near a deterministic relation (see the thresholds below) take the second
route too, so both routes agree to about 1e-10 nats wherever the first is used,
and a singular group reports ``TC = inf``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
import torch
from scipy.special import digamma

from fmri_oinfo.device import resolve_device
from fmri_oinfo.engine.marginals import normal_scores, standard_scores
from fmri_oinfo.enumeration import iter_combinations
from fmri_oinfo.estimators.base import MeasureEstimate, TCEstimate
from fmri_oinfo.estimators.pointwise import POINTWISE_BATCH_ELEMENTS, pointwise_deviation
from fmri_oinfo.exceptions import check_is_fitted
from fmri_oinfo.measures import SubsetPlan, combine_tc, measures_from_tc, subset_plan
from fmri_oinfo.validation import SINGULAR_RESIDUAL_VARIANCE
from fmri_oinfo.variables import Variables

#: Groups of 3 or 4 whose determinant is below this take the factorise-every-
#: subset route: the closed-form polynomial loses about 1e-15 / det nats to
#: cancellation, so above it the two routes agree to about 1e-11 nats.
_MIN_CLOSED_FORM_DET = 1e-4
#: Groups where some member's variance given the others (1 / P_ii) is below this
#: take the factorise-every-subset route too: the precision identities lose
#: accuracy as a group approaches a deterministic relation.
_MIN_RESIDUAL_VARIANCE = 1e-5

#: Correlation of member positions (i, j), i < j, for a batch of groups: (G,) each.
PairCorrelations = dict[tuple[int, int], torch.Tensor]


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
    """``log det`` of a batch of correlation matrices.

    Parameters
    ----------
    matrices : torch.Tensor, shape (B, m, m)
        Symmetric, unit diagonal.

    Returns
    -------
    torch.Tensor, shape (B,)
        ``-inf`` where a matrix is singular: its factorisation fails, or a
        member's variance given the members before it (a squared pivot of the
        Cholesky factor) is below
        :data:`fmri_oinfo.validation.SINGULAR_RESIDUAL_VARIANCE`, an exact
        linear relation that rounding left a tiny positive determinant (a
        finite, meaningless TC of about 17 nats).

    Notes
    -----
    Every closed-form TC of a set near a deterministic relation is computed
    here (:func:`standard_plan_tc` sends such sets to :func:`subset_tc`), so
    this is the one place that decides which sets are singular.
    """
    chol, info = torch.linalg.cholesky_ex(matrices)  # (B, m, m), (B,)
    pivots = torch.diagonal(chol, dim1=-2, dim2=-1)  # (B, m)
    logdet = 2.0 * torch.log(pivots).sum(-1)  # (B,)
    regular = (info == 0) & (pivots.square().amin(-1) >= SINGULAR_RESIDUAL_VARIANCE)  # (B,)
    return torch.where(regular, logdet, torch.full_like(logdet, -torch.inf))


def gather_submatrices(corr: torch.Tensor, groups: torch.Tensor) -> torch.Tensor:
    """Sub-correlation matrix of every group, in one flat gather.

    Parameters
    ----------
    corr : torch.Tensor, shape (N, N)
    groups : torch.Tensor of int64, shape (G, k)

    Returns
    -------
    torch.Tensor, shape (G, k, k)
    """
    k = groups.shape[1]
    flat = (groups * corr.shape[0])[:, :, None] + groups[:, None, :]  # (G, k, k) flat positions
    return corr.reshape(-1).index_select(0, flat.reshape(-1)).view(-1, k, k)  # (G, k, k)


def gather_pairs(corr: torch.Tensor, groups: torch.Tensor) -> PairCorrelations:
    """Correlation of every pair of members of every group.

    Parameters
    ----------
    corr : torch.Tensor, shape (N, N)
    groups : torch.Tensor of int64, shape (G, k)

    Returns
    -------
    dict of (i, j) to torch.Tensor, each shape (G,) and contiguous
        ``corr[groups[:, i], groups[:, j]]`` for member positions ``i < j``.

    Notes
    -----
    One vector per pair keeps every later operation on contiguous vectors of
    ``G`` elements.  ``index_select`` rather than ``take`` or fancy indexing:
    on the CPU it stays on one thread, which avoids the thread-synchronisation
    stalls of a shared machine.
    """
    flat = corr.reshape(-1)  # (N * N,)
    k = groups.shape[1]
    rows = [groups[:, i] * corr.shape[0] for i in range(k)]  # k x (G,) row offsets
    return {
        (i, j): flat.index_select(0, rows[i] + groups[:, j]) for i in range(k) for j in range(i + 1, k)
    }


def _det3(r: PairCorrelations, sq: PairCorrelations, a: int, b: int, c: int) -> torch.Tensor:
    """Determinant (G,) of the unit-diagonal 3 x 3 matrix of members ``a < b < c``.

    ``r`` holds the pair correlations and ``sq`` their squares.
    """
    return 1.0 - sq[a, b] - sq[a, c] - sq[b, c] + 2.0 * r[a, b] * r[a, c] * r[b, c]


def closed_form_logdets(pairs: PairCorrelations, order: int) -> torch.Tensor:
    """``log det`` of the whole group and of each leave-one-out subset, order 3 or 4.

    Parameters
    ----------
    pairs : dict of (i, j) to torch.Tensor, each shape (G,)
        Pair correlations from :func:`gather_pairs` (unit-diagonal matrices).
    order : {3, 4}

    Returns
    -------
    torch.Tensor, shape (1 + order, G)
        Row 0: the whole group; row ``1 + i``: the group without member ``i``.
        Not finite where a determinant is not positive.

    Notes
    -----
    Every operation acts on one vector of ``G`` elements: with ``G`` below
    torch's parallel grain (32768) the CPU work stays on one thread.
    """
    r = pairs
    sq = {pair: v * v for pair, v in r.items()}  # (G,) each
    if order == 3:
        dets = [_det3(r, sq, 0, 1, 2), 1.0 - sq[1, 2], 1.0 - sq[0, 2], 1.0 - sq[0, 1]]
    elif order == 4:
        loo = [_det3(r, sq, 1, 2, 3), _det3(r, sq, 0, 2, 3), _det3(r, sq, 0, 1, 3), _det3(r, sq, 0, 1, 2)]
        # Unit-diagonal 4 x 4 determinant: 1 - sum of squared pairs + 2 sum of
        # triangles + sum of squared matchings - 2 sum of 4-cycles.  The
        # leave-one-out dets hold each triangle once and each squared pair
        # twice, so 1 - pairs + 2 triangles = sum(loo) - 3 + pairs.
        m1, m2, m3 = r[0, 1] * r[2, 3], r[0, 2] * r[1, 3], r[0, 3] * r[1, 2]  # (G,) matchings
        pair_sq = sum(sq.values())  # (G,)
        full = loo[0] + loo[1] + loo[2] + loo[3] - 3.0 + pair_sq + (m1 - m2) ** 2 + m3 * (m3 - 2.0 * (m1 + m2))
        dets = [full, *loo]
    else:
        raise ValueError(f"order={order}: closed-form determinants exist here for orders 3 and 4 only.")
    out = torch.empty((len(dets), dets[0].shape[0]), dtype=dets[0].dtype, device=dets[0].device)  # (1 + order, G)
    for row, det in enumerate(dets):
        _log_into(det, out[row])
    return out


def _log_into(values: torch.Tensor, out: torch.Tensor) -> None:
    """``out[:] = log(values)``, on the CPU through numpy.

    torch's CPU ``log`` spreads anything above 2048 elements over all threads;
    on cores shared with other processes each such call can stall for a
    scheduler time slice, so the CPU path uses numpy's single-threaded log.
    A determinant that is not positive gives nan or -inf here, silently: the
    caller sends those groups to the factorising route.
    """
    if values.device.type == "cpu":
        with np.errstate(invalid="ignore", divide="ignore"):
            np.log(values.numpy(), out=out.numpy())
    else:
        torch.log(values, out=out)


def _precision_logdets(sub: torch.Tensor, gradient: bool) -> tuple[torch.Tensor, torch.Tensor]:
    """``log det`` of every subset of the standard plan from one Cholesky per group.

    Parameters
    ----------
    sub : torch.Tensor, shape (G, k, k)
    gradient : bool
        Also the leave-two-out subsets, in the pair order of ``subset_plan``.

    Returns
    -------
    logdets : torch.Tensor, shape (G, S)
    ok : torch.Tensor of bool, shape (G,)
        False where the factorisation failed or a member is nearly determined
        by the others (see ``_MIN_RESIDUAL_VARIANCE``).
    """
    k = sub.shape[-1]
    chol, info = torch.linalg.cholesky_ex(sub)  # (G, k, k), (G,)
    factored = info == 0  # (G,)
    # a failed factor may hold a zero pivot, which cholesky_inverse refuses: invert the identity instead (not ok)
    chol = torch.where(factored[:, None, None], chol, torch.eye(k, dtype=sub.dtype, device=sub.device))
    logdet = 2.0 * torch.log(torch.diagonal(chol, dim1=-2, dim2=-1)).sum(-1)  # (G,)
    precision = torch.cholesky_inverse(chol)  # (G, k, k)
    diag = torch.diagonal(precision, dim1=-2, dim2=-1)  # (G, k)
    ok = factored & (diag < 1.0 / _MIN_RESIDUAL_VARIANCE).all(dim=-1)  # (G,)
    columns = [logdet[:, None], logdet[:, None] + torch.log(diag)]  # (G, 1), (G, k)
    if gradient:
        i, j = torch.triu_indices(k, k, offset=1, device=sub.device)  # pairs in combinations order
        minor = diag[:, i] * diag[:, j] - precision[:, i, j] ** 2  # (G, k(k-1)/2)
        columns.append(logdet[:, None] + torch.log(minor))
    return torch.cat(columns, dim=-1), ok  # (G, S), (G,)


def is_standard_plan(plan: SubsetPlan) -> bool:
    """Whether ``plan`` holds exactly the subsets of ``subset_plan(order, gradient)``."""
    reference = subset_plan(plan.order, gradient=plan.gradient).masks
    return plan.masks.shape == reference.shape and bool(np.array_equal(plan.masks, reference))


def standard_plan_tc(corr: torch.Tensor, groups: torch.Tensor, plan: SubsetPlan) -> torch.Tensor:
    """Gaussian TC of the subsets of a standard plan, one factorisation per group.

    Same result as :func:`subset_tc` (to about 1e-10 nats, and to rounding for
    well-conditioned groups) for plans where :func:`is_standard_plan` holds;
    groups near a deterministic relation are passed to :func:`subset_tc`.

    Parameters
    ----------
    corr : torch.Tensor, shape (N, N)
        Correlation matrix (unit diagonal).
    groups : torch.Tensor of int64, shape (G, k)
    plan : SubsetPlan
        A standard plan for order ``k``.

    Returns
    -------
    torch.Tensor, shape (G, S)
    """
    if plan.order in (3, 4) and not plan.gradient:
        tc = closed_form_logdets(gather_pairs(corr, groups), plan.order)  # (1 + k, G)
        ok = tc[0] > math.log(_MIN_CLOSED_FORM_DET)  # (G,)
        for row in tc:
            row.mul_(-0.5)
        tc = tc.T  # (G, 1 + k)
    else:
        logdets, ok = _precision_logdets(gather_submatrices(corr, groups), plan.gradient)  # (G, S), (G,)
        tc = -0.5 * logdets  # (G, S)
    if not bool(ok.all()):
        bad = torch.nonzero(~ok).squeeze(-1)  # (G_bad,)
        tc[bad] = subset_tc(corr, groups[bad], plan.masks)
    return tc


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
    """Gaussian (or Gaussian-copula) estimator of total correlations: the computing core of the closed forms.

    :class:`~fmri_oinfo.estimators.oinfo.GaussianOInfo` and
    :class:`~fmri_oinfo.estimators.oinfo.CopulaOInfo` fit one on validated
    data and reach it for every answer; nothing outside
    :mod:`fmri_oinfo.estimators` builds one.

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
    batch_size : int, default=16384
        Groups per batched computation (bounds memory).  The default keeps a
        batch's vectors in cache and below torch's CPU parallel grain; on a GPU
        a larger batch (e.g. ``2**20``) is faster.

    Attributes
    ----------
    correlation_ : torch.Tensor, shape (N, N)
        Correlation matrix of the fitted data, float64.
    scores_ : torch.Tensor, shape (T, N)
        The fitted data (normal scores for the copula) as standard scores,
        float64: what :meth:`local_measures` evaluates the densities at.
    n_samples_ : int
        Number of time points seen in ``fit``.
    """

    def __init__(
        self,
        copula: bool = False,
        bias_correction: bool = False,
        device: str = "auto",
        batch_size: int = 16_384,
    ) -> None:
        self.copula = copula
        self.bias_correction = bias_correction
        self.device = device
        self.batch_size = batch_size

    def fit(self, data: np.ndarray, variables: Variables | None = None) -> "GaussianEstimator":
        """Estimate the correlation matrix of ``data`` (T, N), already validated.

        The closed form answers any set afterwards.  With ``variables``
        (:class:`fmri_oinfo.variables.Variables`), the members of the sets
        asked later are variables (blocks of columns), and each TC is the
        closed form over variables (:mod:`fmri_oinfo.estimators.block_gaussian`).
        """
        x = normal_scores(data) if self.copula else np.asarray(data, dtype=np.float64)
        corr = np.corrcoef(x, rowvar=False)
        np.fill_diagonal(corr, 1.0)  # exact unit diagonal, as the closed forms assume
        self.device_ = resolve_device(self.device)
        self.correlation_ = torch.as_tensor(corr, dtype=torch.float64, device=self.device_)
        self.scores_ = torch.as_tensor(standard_scores(x), dtype=torch.float64, device=self.device_)
        self.n_samples_ = x.shape[0]
        from fmri_oinfo.estimators.block_gaussian import BlockTable  # it builds on this module's log-determinants

        self.variables_ = variables
        self.blocks_ = None if variables is None else BlockTable(self.correlation_, variables)
        return self

    def _bias(self, plan: SubsetPlan) -> np.ndarray:
        sizes = plan.masks.sum(axis=1)
        return np.array([tc_bias(int(m), self.n_samples_) if m >= 2 else 0.0 for m in sizes])  # (S,)

    def _tc_batch(self, groups: np.ndarray, plan: SubsetPlan, standard: bool) -> np.ndarray:
        """TC (G, S) of one batch; ``standard`` is ``is_standard_plan(plan)``."""
        members = torch.as_tensor(groups, device=self.device_)  # (G, k)
        if self.blocks_ is not None:  # members are variables of several columns
            tc = self.blocks_.tc(self.correlation_, members, plan.masks).cpu().numpy()  # (G, S)
            if self.bias_correction:
                tc = tc - self.blocks_.bias(groups, plan.masks, self.n_samples_)
            return tc
        if standard:
            tc = standard_plan_tc(self.correlation_, members, plan)  # (G, S)
        else:
            tc = subset_tc(self.correlation_, members, plan.masks)  # (G, S)
        tc = tc.cpu().numpy()
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
        check_is_fitted(self, "correlation_")
        standard = is_standard_plan(plan)
        chunks = [
            self._tc_batch(groups[start : start + self.batch_size], plan, standard)
            for start in range(0, groups.shape[0], self.batch_size)
        ]
        return TCEstimate(tc=np.concatenate(chunks, axis=0))

    def measures(self, sets: np.ndarray, plan: SubsetPlan) -> MeasureEstimate:
        """Every quantity of ``plan`` for each set (G, k), without standard errors."""
        tc = self.total_correlations(sets, plan).tc
        return MeasureEstimate(values=combine_tc(np.asarray(tc), plan.weights))

    def local_measures(self, sets: np.ndarray) -> np.ndarray:
        """TC, DTC, O-information and S-information of each set (G, k) at every fitted volume.

        Each volume's log-density ratio under the fitted correlation
        (:mod:`fmri_oinfo.estimators.pointwise`), plus any bias correction of
        :meth:`measures`.

        Returns
        -------
        numpy.ndarray, shape (T, G, 4)
            Quantities in :data:`fmri_oinfo.measures.SCALAR_QUANTITIES` order,
            in nats; their mean over volumes is what :meth:`measures` gives.
            A set with an infinite TC has that TC at every volume.
        """
        check_is_fitted(self, "scores_")
        if self.variables_ is not None:
            raise ValueError("local values are computed for scalar regions; this estimator was fitted with "
                             "variables of several columns.  Fit it without `variables`.")
        plan = subset_plan(sets.shape[1])
        tc = self.total_correlations(sets, plan).tc  # (G, S)
        batch = max(1, POINTWISE_BATCH_ELEMENTS // (self.n_samples_ * sets.shape[1]))
        chunks = []
        for start in range(0, sets.shape[0], batch):
            groups = torch.as_tensor(sets[start : start + batch], device=self.device_)  # (B, k)
            deviation = pointwise_deviation(self.scores_, self.correlation_, groups, plan.masks).cpu().numpy()
            closed = tc[start : start + batch]  # (B, S)
            local = np.where(np.isfinite(closed), closed + deviation, closed)  # (T, B, S)
            chunks.append(combine_tc(local, plan.weights))  # (T, B, 4)
        return np.concatenate(chunks, axis=1)

    def iter_exhaustive(self, plan: SubsetPlan) -> Iterator[tuple[np.ndarray, dict[str, np.ndarray]]]:
        """Stream the measures of every group of ``plan.order`` fitted regions (or variables, when fitted with them).

        Yields
        ------
        groups : numpy.ndarray of int64, shape (B, k)
        measures : dict of str to numpy.ndarray
            As returned by :func:`fmri_oinfo.measures.measures_from_tc`.
        """
        check_is_fitted(self, "correlation_")
        n_regions = self.correlation_.shape[0] if self.variables_ is None else len(self.variables_.names)
        standard = is_standard_plan(plan)
        for batch in iter_combinations(n_regions, plan.order, self.batch_size):
            yield batch, measures_from_tc(self._tc_batch(batch, plan, standard), plan)
