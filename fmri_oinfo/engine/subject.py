"""One conditional flow model per subject: fit once, answer every set.

:class:`SubjectFlowModel` learns, for one subject's regions, how the marginal
of any single region ``m`` turns into its conditional given a set ``F`` of
other regions (the conditional formulation of FMMI, cFMMI), with one amortised
network told which region moves and which condition
(:mod:`fmri_oinfo.engine.conditional_net`).  Every TC, DTC, O- and
S-information of a set is a signed sum of conditional MIs ``I(X_m; X_F)``
(:mod:`fmri_oinfo.engine.cmi_plan`), so one fit answers any set.

- The Gaussian part of each pair is closed-form (its linear regression); the
  network learns only the non-Gaussian correction
  (:mod:`fmri_oinfo.engine.pair_gaussian`).
- Cross-fitting: rows are cut into ``folds`` contiguous blocks; each member
  trains on all blocks but one and gives the values of that block, so every
  row enters the estimate and none is scored by a network that saw it.
- ``ensemble`` replicates repeat this with their own seeds and shifted blocks.
- Each member draws more of the pairs whose residual the Gaussian part
  leaves predictable on its training rows
  (:mod:`fmri_oinfo.engine.subject_weights`), so a non-Gaussian core among
  many sets is learnt before early stopping ends training.
- The standard error of a quantity is the long-run (autocorrelation-aware)
  variance of its per-row values over rows, plus the variance between
  replicates (:mod:`fmri_oinfo.engine.uncertainty`), plus the network's
  learning shortfall (:data:`LEARNING_SHORTFALL` of its non-Gaussian part).
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from fmri_oinfo.device import resolve_device
from fmri_oinfo.engine.cmi_plan import (
    Combination,
    ConditionalPlan,
    Pair,
    mi_terms,
    plan_combinations,
    plan_sets,
    quantity_names,
    set_terms,
)
from fmri_oinfo.engine.conditional_net import NetShape
from fmri_oinfo.engine.marginals import gaussianize, normal_scores, standard_scores
from fmri_oinfo.engine.pair_gaussian import PairTable, gather_pair_rows, gaussian_row_value, regress_pairs
from fmri_oinfo.engine.stacked import select_members
from fmri_oinfo.engine.subject_config import SubjectFlowConfig
from fmri_oinfo.engine.subject_readout import member_corrections
from fmri_oinfo.engine.subject_training import train_members
from fmri_oinfo.engine.subject_weights import member_probabilities, non_gaussian_scores
from fmri_oinfo.engine.threads import torch_threads
from fmri_oinfo.engine.uncertainty import long_run_variance
from fmri_oinfo.exceptions import check_is_fitted

logger = logging.getLogger(__name__)

#: Fewest rows per cross-fitting fold.
MIN_FOLD_ROWS = 10

#: Standard deviation of the network's shortfall, as a fraction of the
#: non-Gaussian part it learnt.  Early stopping on held-out rows stops a
#: network short of a strong non-Gaussian dependence, a bias that neither the
#: rows' spread nor the replicates' spread can see (both replicates fall short
#: alike).  Measured against the in-sample oracle at the default budget,
#: T = 1,200: 3-6 % of the non-Gaussian part on the multiplicative triplet,
#: 12-19 % on the mixture with opposite correlations (which set this value),
#: under 10 % on heavy tails.  The standard error adds this fraction of each
#: quantity's non-Gaussian part in quadrature, so an estimate the network
#: moved far from the Gaussian answer carries that uncertainty.
LEARNING_SHORTFALL = 0.1

#: A member has stopped learning when, over its last ``patience``
#: evaluations, its best held-out loss fell by at most this share of all it
#: fell since the Gaussian answer (members that early stopping ended fell by 0).
STILL_LEARNING_SHARE = 0.1


def still_learning(best: np.ndarray, patience: int) -> np.ndarray:
    """Which members were still improving when training stopped, shape (G,).

    Parameters
    ----------
    best : numpy.ndarray, shape (evaluations, G)
        Each member's best held-out loss so far at each evaluation (the
        first row is the Gaussian answer, before any step).
    patience : int
        Evaluations without improvement that end training.

    Returns
    -------
    numpy.ndarray of bool
        True where the last ``patience`` evaluations still brought more than
        :data:`STILL_LEARNING_SHARE` of the member's whole improvement, or
        where there were too few evaluations to tell.
    """
    if len(best) <= patience:
        return np.ones(best.shape[1], dtype=bool)
    total, recent = best[0] - best[-1], best[-1 - patience] - best[-1]
    return recent > STILL_LEARNING_SHARE * total


def normalise_columns(data: np.ndarray, marginals: str) -> np.ndarray:
    """Map each column towards N(0, 1) (rank scores or smooth Gaussianisation), then z-score it.

    Returns
    -------
    numpy.ndarray, shape (T, N)
        Columns with mean 0 and (population) variance 1.
    """
    if marginals == "copula":
        z = normal_scores(data)
    else:
        z = np.column_stack([gaussianize(column) for column in data.T])
    return standard_scores(z)


def fold_members(n_rows: int, folds: int, ensemble: int) -> np.ndarray:
    """Fold of each row in each replicate, shape (E, T).

    Folds are contiguous blocks; replicate ``e`` shifts their boundaries by
    ``e T / (folds * ensemble)`` rows (wrapping around), so replicates hold out
    different neighbours.
    """
    t = np.arange(n_rows)
    shifts = np.round(np.arange(ensemble) * n_rows / (folds * ensemble)).astype(int)
    return ((t[None, :] + shifts[:, None]) % n_rows) * folds // n_rows


@dataclass(frozen=True)
class PlannedAnswer:
    """Planned quantities (rows of a :class:`ConditionalPlan`) of a fitted subject model, each (R,), nats.

    Attributes
    ----------
    estimate, se : numpy.ndarray
        The FMMI estimate and its standard error.
    excess, excess_se : numpy.ndarray
        The non-Gaussian excess: the estimate minus the closed-form Gaussian
        answer of the same rows (the quantity's Gaussian part, from their
        correlation matrix), i.e. what the network added; and its standard
        error, from the same parts as ``se`` but without the Gaussian part's
        own sampling spread, which both sides share.  Where no member ever
        beat the Gaussian answer on held-out rows the network is its zero
        residual: the excess is 0 by construction and its standard error NaN
        (the data showed nothing the network could learn, which bounds
        nothing).
    """

    estimate: np.ndarray
    se: np.ndarray
    excess: np.ndarray
    excess_se: np.ndarray


def _sampling_variance(per_row: np.ndarray) -> np.ndarray:
    """Variance of the mean of per-row values (R, E, T): long-run over rows plus the spread between replicates."""
    variance = long_run_variance(per_row.mean(axis=1))
    e = per_row.shape[1]
    if e > 1:
        variance = variance + per_row.mean(axis=2).var(axis=1, ddof=1) / e
    return variance


def random_pairs(n_regions: int, max_given: int, count: int, rng: np.random.Generator) -> list[Pair]:
    """``count`` random pairs with conditioning sets of 1 to ``max_given`` regions."""
    out = []
    for _ in range(count):
        size = int(rng.integers(1, min(max_given, n_regions - 1) + 1))
        members = rng.choice(n_regions, size + 1, replace=False)
        out.append((int(members[0]), tuple(sorted(int(g) for g in members[1:]))))
    return out


class SubjectFlowModel:
    """Amortised conditional flow-matching model of one subject's regions.

    Parameters in ``__init__``, learning in :meth:`fit`, answers in
    :meth:`oinfo` and :meth:`conditional_mi` (nilearn/scikit-learn style).

    Parameters
    ----------
    device : str, default="auto"
        Torch device (``auto``: CUDA when available).
    seed : int, default=0
        Fixes folds' replicates, initial weights, training draws and source draws.
    progress : bool, default=False
        Show a progress bar over training steps.
    **options
        Fields of :class:`fmri_oinfo.engine.subject_config.SubjectFlowConfig`.

    Attributes
    ----------
    config_ : SubjectFlowConfig
    n_regions_ : int
    n_samples_ : int
    names_ : list of str or None
        Column names of a fitted table.
    trained_pairs_ : list of (int, tuple of int)
        The pairs the network was trained on (from the sets given to ``fit``,
        or random ones); others are answered by the same network (its
        region embeddings generalise), less accurately.
    draw_probabilities_ : torch.Tensor, shape (ensemble * folds, len(trained_pairs_))
        How often each member drew each trained pair: by importance, and
        partly by a non-Gaussian score of the pair on the member's training
        rows (:mod:`fmri_oinfo.engine.subject_weights`).
    history_ : dict
        Held-out loss of the members at each evaluation (see
        :func:`fmri_oinfo.engine.subject_training.train_members`).
    training_rows_ : numpy.ndarray of bool, shape (ensemble * folds, T)
        Rows each member drew training examples from (member ``e * folds + j``
        holds out fold ``j`` of replicate ``e``): none of them is a row the
        member scores.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.random.default_rng(0).standard_normal((300, 5))
    >>> model = SubjectFlowModel(steps=20, folds=2, ensemble=1).fit(x, sets=[(0, 1, 2)])
    >>> sorted(model.oinfo([(0, 1, 2)]))[:2]
    ['dtc', 'dtc_excess']
    """

    def __init__(self, device: str = "auto", seed: int = 0, progress: bool = False, **options: Any) -> None:
        self.device = device
        self.seed = seed
        self.progress = progress
        self.options = options

    def fit(
        self,
        data: np.ndarray,
        sets: Sequence[Sequence[int | str]] | None = None,
        gradient: bool = False,
        pairs: Sequence[tuple[int, Sequence[int]]] | None = None,
        combinations: Sequence[Sequence[Combination]] | None = None,
    ) -> "SubjectFlowModel":
        """Learn the conditionals of one subject's regions.

        Parameters
        ----------
        data : array of shape (T, N), or a table with ``columns`` (a DataFrame)
            Region time series, finite, non-constant columns.  A table's
            column names may then name the members of sets.
        sets : sequence of sequences of int (or column names), optional
            The sets that will be asked: training covers exactly
            the pairs they need.  Without sets or pairs, random conditioning sets
            of up to ``max_order - 1`` regions.
        gradient : bool, default=False
            Also train the pairs of each member's gradient of O-information.
        pairs : sequence of (int, sequence of int), optional
            Conditional MIs ``I(X_m; X_F)`` to train for, as ``(m, F)``, besides
            the sets' pairs.
        combinations : sequence of sequences of Combination, optional
            Signed sums of pairs that will be asked through :meth:`combinations`
            (for example the measures of sets of multivariate variables,
            :func:`fmri_oinfo.engine.variable_plan.variable_set_terms`), one
            sequence per group: training covers their pairs too, weighted by
            their coefficients as a set's pairs are.
        """
        config = SubjectFlowConfig.from_options(**self.options)
        self.names_ = [str(c) for c in data.columns] if hasattr(data, "columns") else None
        x = np.asarray(data, dtype=np.float64)
        if x.ndim != 2 or x.shape[1] < 2:
            raise ValueError(f"data has shape {x.shape}; a 2-D array (time points, at least 2 regions) is needed.")
        if not np.isfinite(x).all():
            raise ValueError("data has NaN or inf values; drop or interpolate them before fitting.")
        if x.shape[0] < config.folds * MIN_FOLD_ROWS:
            raise ValueError(
                f"data has {x.shape[0]} rows; {config.folds} folds need at least {config.folds * MIN_FOLD_ROWS}."
            )
        self.config_ = config
        self.device_ = resolve_device(self.device)
        self.n_samples_, self.n_regions_ = x.shape
        generator = torch.Generator(device=self.device_).manual_seed(int(self.seed))
        z = normalise_columns(x, config.marginals)
        self.z64_ = torch.as_tensor(z, dtype=torch.float64, device=self.device_)
        self.z_ = self.z64_.float()
        self.corr_ = self.z64_.T @ self.z64_ / z.shape[0]  # (N, N)
        if sets is None and pairs is None and combinations is None:
            trained = random_pairs(self.n_regions_, config.max_order - 1, max(500, 20 * self.n_regions_),
                                   np.random.default_rng(self.seed))
            probabilities = np.full(len(trained), 1.0 / len(trained))
        else:
            groups = [set_terms(members, gradient) for members in self._checked_sets(sets or [])]
            groups += self._checked_combinations(combinations or [])
            plan = plan_combinations(groups + [[{self._checked_pair(*p): 1.0}] for p in pairs or []])
            trained, probabilities = plan.pairs(), plan.importance
        self.trained_pairs_ = trained
        self._slots = {pair: k for k, pair in enumerate(trained)}
        table = self._pair_table(trained)
        self.folds_ = torch.as_tensor(fold_members(self.n_samples_, config.folds, config.ensemble), device=self.device_)
        train_rows, n_train = self._member_rows(held_out=False)
        held_rows, n_held = self._member_rows(held_out=True)
        self.shape_ = NetShape(
            n_regions=self.n_regions_, n_pairs=len(trained), encoder=config.encoder, head=config.head,
            embed_dim=config.embed_dim, width=config.width, context_dim=config.context_dim,
            components=config.components,
        )
        with torch_threads(self._threads()):
            scores = non_gaussian_scores(self.z64_, table, train_rows, n_train)  # (G, P), training rows only
            self.draw_probabilities_ = member_probabilities(
                torch.as_tensor(probabilities, dtype=torch.float64, device=self.device_), scores
            ).float()
            self.params_, self.history_, trained_on = train_members(
                self.z_, table, self.draw_probabilities_, train_rows, n_train, held_rows, n_held, self.shape_,
                config, generator, progress=self.progress,
            )
        self._warn_if_still_learning()
        self.training_rows_ = trained_on.cpu().numpy()
        self.source_ = torch.randn(self.n_samples_, config.source_draws, generator=generator, device=self.device_)
        self.offset_ = torch.rand(self.n_samples_, generator=generator, device=self.device_)
        self._values: dict[Pair, torch.Tensor] = {}
        self._gaussian: dict[Pair, torch.Tensor] = {}
        return self

    def _warn_if_still_learning(self) -> None:
        """Say when training ended before the members stopped improving on held-out rows.

        The estimates then miss what the network had not learnt yet, and no
        part of the standard error can see it (with ``steps=1`` on the
        multiplicative triplet: O-information 0.10 nats off, SE 0.0006).
        """
        learning = still_learning(np.asarray(self.history_["best"]), self.config_.patience)
        if learning.any():
            warnings.warn(
                f"FMMI subject model: {int(learning.sum())} of {learning.size} cross-fitting members were still "
                f"improving on held-out rows when training stopped at step {self.history_['step'][-1]} "
                f"(steps={self.config_.steps}); the estimates may miss non-Gaussian dependence the network had not "
                f"learnt yet, and their standard errors cannot include it.  Raise `steps` (the default is "
                f"{SubjectFlowConfig().steps}).",
                RuntimeWarning, stacklevel=3,
            )

    def _threads(self) -> int:
        return self.config_.cpu_threads if self.device_.type == "cpu" else torch.get_num_threads()

    def _index(self, member: int | str) -> int:
        """Column index of a set member given by index or (for a fitted table) by name."""
        if isinstance(member, str) and self.names_ is not None:
            if member not in self.names_:
                raise ValueError(f"unknown region {member!r}; the fitted table has {len(self.names_)} columns.")
            return self.names_.index(member)
        return int(member)

    def _checked_sets(self, sets: Sequence[Sequence[int | str]]) -> list[list[int]]:
        out = []
        for members in sets:
            members = [self._index(m) for m in members]
            if len(set(members)) != len(members) or min(members) < 0 or max(members) >= self.n_regions_:
                raise ValueError(
                    f"set {tuple(members)}: members must be distinct column indices in 0..{self.n_regions_ - 1}."
                )
            out.append(members)
        return out

    def _pair_table(self, pairs: Sequence[Pair]) -> PairTable:
        width = max(1, max((len(f) for _, f in pairs), default=1))
        given = np.full((len(pairs), width), -1, dtype=np.int64)
        for p, (_, f) in enumerate(pairs):
            given[p, : len(f)] = f
        moving = torch.as_tensor([m for m, _ in pairs], dtype=torch.int64, device=self.device_)
        slot = torch.as_tensor([self._slots.get(p, -1) for p in pairs], dtype=torch.int64, device=self.device_)
        return regress_pairs(self.corr_, moving, torch.as_tensor(given, device=self.device_), slot)

    def _member_rows(self, held_out: bool) -> tuple[torch.Tensor, torch.Tensor]:
        """Each member's training rows (or held-out fold), padded: (G, T_max), and their counts (G,)."""
        k = self.config_.folds
        rows = [torch.nonzero((fold == j) == held_out).flatten() for fold in self.folds_ for j in range(k)]
        counts = torch.as_tensor([len(r) for r in rows], device=self.device_)
        padded = torch.stack([torch.cat([r, r[: int(counts.max()) - len(r)]]) for r in rows])  # repeats fill the tail
        return padded, counts

    def _pair_values(self, pairs: Sequence[Pair]) -> torch.Tensor:
        """Per-row cross-fitted values of every pair, shape (P, E, T), float64 (cached per pair).

        The Gaussian part of each pair's per-row values is cached too (``_gaussian``).
        """
        missing = [p for p in dict.fromkeys(pairs) if p not in self._values]
        if missing:
            table = self._pair_table(missing)
            n, t = len(missing), self.n_samples_
            rows = torch.arange(t, device=self.device_)
            pick = torch.arange(n, device=self.device_)
            examples = gather_pair_rows(self.z64_, table, rows[None, :].expand(n, t), pick[:, None].expand(n, t))
            gaussian = gaussian_row_value(examples.y, examples.z_moving, examples.log_sigma)  # (P, T)
            values = gaussian[:, None, :].repeat(1, self.config_.ensemble, 1)  # (P, E, T)
            for p, g in zip(missing, gaussian):
                self._gaussian[p] = g
            with torch_threads(self._threads()):
                for e, fold in enumerate(self.folds_):
                    for j in range(self.config_.folds):
                        member = e * self.config_.folds + j
                        held = torch.nonzero(fold == j).flatten()
                        params = select_members(self.params_, slice(member, member + 1))
                        values[:, e, held] += member_corrections(
                            params, self.shape_, self.config_, self.z_, table, held, self.source_, self.offset_
                        )
            for p, v in zip(missing, values):
                self._values[p] = v
        return torch.stack([self._values[p] for p in pairs])

    def _checked_pair(self, moving: int, given: Sequence[int]) -> Pair:
        pair = (int(moving), tuple(sorted(int(g) for g in given)))
        members = (pair[0], *pair[1])
        if not pair[1] or len(set(members)) != len(members) or min(members) < 0 or max(members) >= self.n_regions_:
            raise ValueError(
                f"pair (moving={moving}, given={tuple(given)}): given must be non-empty, must not contain "
                f"moving, and every index must lie in 0..{self.n_regions_ - 1}."
            )
        return pair

    def _checked_combinations(self, groups: Sequence[Sequence[Combination]]) -> list[list[Combination]]:
        """Every pair of every combination checked and put in canonical form (terms of one pair summed)."""
        checked: list[list[Combination]] = []
        for group in groups:
            checked.append([])
            for terms in group:
                combination: Combination = {}
                for (moving, given), c in terms.items():
                    pair = self._checked_pair(moving, given)
                    combination[pair] = combination.get(pair, 0.0) + c
                checked[-1].append(combination)
        return checked

    def _checked_rows(self, rows: np.ndarray | Sequence[int] | None) -> np.ndarray | slice:
        """Time points to average over: every one (``None``) or distinct integer positions in time order."""
        if rows is None:
            return slice(None)
        positions = np.asarray(rows)
        if positions.ndim != 1 or not np.issubdtype(positions.dtype, np.integer):
            raise ValueError(f"rows must be a 1-D array of integer time points; got shape {positions.shape}, "
                             f"dtype {positions.dtype}.")
        if positions.size < MIN_FOLD_ROWS or positions.min() < 0 or positions.max() >= self.n_samples_ \
                or np.any(np.diff(positions) <= 0):
            raise ValueError(
                f"rows must be at least {MIN_FOLD_ROWS} increasing time points in 0..{self.n_samples_ - 1}; "
                f"got {positions.size} from {positions.min() if positions.size else None} "
                f"to {positions.max() if positions.size else None}."
            )
        return positions

    def _per_row(self, plan: ConditionalPlan, rows: np.ndarray | Sequence[int] | None = None,
                 ) -> tuple[np.ndarray, np.ndarray]:
        """Cross-fitted value of every planned row at ``rows`` (R, E, T') and its Gaussian part (R, T')."""
        pairs, keep = plan.pairs(), self._checked_rows(rows)
        values = self._pair_values(pairs).cpu().numpy()[:, :, keep]  # (P, E, T')
        gaussian = torch.stack([self._gaussian[p] for p in pairs]).cpu().numpy()[:, keep]  # (P, T')
        p, e, t = values.shape
        per_row = (plan.coefficients @ values.reshape(p, e * t)).reshape(-1, e, t)  # (R, E, T')
        return per_row, plan.coefficients @ gaussian

    def _answer(self, plan: ConditionalPlan, rows: np.ndarray | Sequence[int] | None = None) -> PlannedAnswer:
        """Every planned row averaged over ``rows``: estimate, its non-Gaussian excess, and their standard errors."""
        per_row, gaussian = self._per_row(plan, rows)  # (R, E, T), (R, T)
        excess_rows = per_row - gaussian[:, None, :]  # (R, E, T): what the network added
        excess = excess_rows.mean(axis=(1, 2))  # (R,)
        shortfall = (LEARNING_SHORTFALL * excess) ** 2
        excess_se = np.sqrt(_sampling_variance(excess_rows) + shortfall)
        if not self._learnt_anything():  # excess 0 by construction, not measured 0: no standard error
            excess_se = np.full_like(excess_se, np.nan)
        return PlannedAnswer(
            estimate=per_row.mean(axis=(1, 2)), se=np.sqrt(_sampling_variance(per_row) + shortfall),
            excess=excess, excess_se=excess_se,
        )

    def _learnt_anything(self) -> bool:
        """Whether any member's selected weights beat the Gaussian answer (its zero residual) on held-out rows."""
        best = np.asarray(self.history_["best"])  # (evaluations, G)
        return bool((best[-1] < best[0]).any())

    def oinfo(
        self,
        sets: Sequence[Sequence[int | str]],
        gradient: bool = False,
        rows: np.ndarray | Sequence[int] | None = None,
    ) -> dict[str, Any]:
        """TC, DTC, O-information and S-information of every set, with standard errors.

        Parameters
        ----------
        sets : sequence of sequences of int (or column names)
            At least 3 members per set; orders may be mixed.
        gradient : bool, default=False
            Also each member's gradient of O-information.
        rows : array of int, optional
            Increasing time points (at least 10) the estimates describe, for
            example the test block of a sample split: each quantity is the
            mean of its cross-fitted per-row values over these rows, and its
            standard error theirs.  Default: every row.  The model stays
            the one fitted on every row (one model per subject): each row's
            correction comes from members that did not train on its fold,
            and the Gaussian part from the correlation of every row.

        Returns
        -------
        dict
            ``tc``, ``dtc``, ``o_info``, ``s_info`` and ``tc_se``, ``dtc_se``,
            ``o_info_se``, ``s_info_se``: numpy arrays of shape (G,), in nats;
            ``<quantity>_excess`` and ``<quantity>_excess_se``: each
            quantity's non-Gaussian excess (the estimate minus its Gaussian
            part on the same rows, the mean of the per-row Gaussian log
            ratios of the run's correlation matrix: what functional
            connectivity does not explain) and its standard error.
            With ``gradient``: ``o_info_gradient`` and ``o_info_gradient_se``,
            lists of arrays (one value per member).  A standard error is the
            autocorrelation-aware sampling error of the mean over rows plus
            the spread between the ``ensemble`` replicates plus the learning
            shortfall (:data:`LEARNING_SHORTFALL` of the quantity's
            non-Gaussian part), in quadrature.

        Raises
        ------
        fmri_oinfo.exceptions.NotFittedError
            Before :meth:`fit`.
        """
        check_is_fitted(self, "params_")
        plan = plan_sets(self._checked_sets(sets), gradient)
        answer = self._answer(plan, rows)
        first, last = plan.offsets[:-1], plan.offsets[1:]
        out: dict[str, Any] = {}
        for q, name in enumerate(quantity_names(3, False)):
            out[name] = answer.estimate[first + q]
            out[f"{name}_se"] = answer.se[first + q]
            out[f"{name}_excess"] = answer.excess[first + q]
            out[f"{name}_excess_se"] = answer.excess_se[first + q]
        if gradient:
            n_scalar = len(quantity_names(3, False))
            out["o_info_gradient"] = [answer.estimate[a + n_scalar : b] for a, b in zip(first, last)]
            out["o_info_gradient_se"] = [answer.se[a + n_scalar : b] for a, b in zip(first, last)]
        return out

    def local_measures(
        self, sets: Sequence[Sequence[int | str]], rows: np.ndarray | Sequence[int] | None = None
    ) -> dict[str, np.ndarray]:
        """TC, DTC, O-information and S-information of every set at every row (local values).

        Parameters
        ----------
        sets : sequence of sequences of int (or column names)
            At least 3 members per set; orders may be mixed.
        rows : array of int, optional
            Increasing time points (at least 10) to give values for, as in
            :meth:`oinfo`.  Default: every row.

        Returns
        -------
        dict of str to numpy.ndarray
            ``tc``, ``dtc``, ``o_info``, ``s_info``, each of shape (T', G) in
            nats: each row's cross-fitted value (from the members that did not
            train on its fold), averaged over the ``ensemble`` replicates.
            Their mean over rows is what :meth:`oinfo` returns for the same
            ``rows``.

        Raises
        ------
        fmri_oinfo.exceptions.NotFittedError
            Before :meth:`fit`.
        """
        check_is_fitted(self, "params_")
        plan = plan_sets(self._checked_sets(sets))
        per_row = self._per_row(plan, rows)[0].mean(axis=1)  # (R, T'): replicates averaged
        first = plan.offsets[:-1]
        return {name: per_row[first + q].T for q, name in enumerate(quantity_names(3, False))}

    def combinations(
        self, groups: Sequence[Sequence[Combination]], rows: np.ndarray | Sequence[int] | None = None
    ) -> PlannedAnswer:
        """Any signed sums of conditional MIs ``I(X_m; X_F)``, each with its standard error.

        Parameters
        ----------
        groups : sequence of sequences of dict of (int, tuple of int) to float
            Each combination maps pairs ``(m, F)`` (moving column, conditioning
            columns) to coefficients, as in
            :func:`fmri_oinfo.engine.cmi_plan.plan_combinations`.
        rows : array of int, optional
            Increasing time points to average over, as in :meth:`oinfo`.

        Returns
        -------
        PlannedAnswer
            One entry per combination, groups and their combinations in order.
            A combination's per-row values are formed first and its standard
            error is that of their mean, so it sees how its terms co-vary
            from row to row (as for O-information).

        Raises
        ------
        fmri_oinfo.exceptions.NotFittedError
            Before :meth:`fit`.
        """
        check_is_fitted(self, "params_")
        return self._answer(plan_combinations(self._checked_combinations(groups)), rows)

    def conditional_mi(self, moving: int, given: Sequence[int]) -> tuple[float, float]:
        """``I(X_moving; X_given)`` in nats and its standard error."""
        check_is_fitted(self, "params_")
        answer = self._answer(plan_combinations([[{self._checked_pair(moving, given): 1.0}]]))
        return float(answer.estimate[0]), float(answer.se[0])

    def mutual_information(self, a: Sequence[int], b: Sequence[int]) -> tuple[float, float]:
        """``I(X_a; X_b)`` between two disjoint column sets, in nats, and its standard error.

        The chain rule over ``b`` writes it as conditional MIs of one moving
        column each (:func:`fmri_oinfo.engine.cmi_plan.mi_terms`).
        """
        check_is_fitted(self, "params_")
        a, b = [int(i) for i in a], [int(i) for i in b]
        if not a or not b or set(a) & set(b):
            raise ValueError(f"a={tuple(a)} and b={tuple(b)} must be non-empty and disjoint.")
        for moving in b:
            self._checked_pair(moving, a)
        answer = self._answer(plan_combinations([[mi_terms(a, b)]]))
        return float(answer.estimate[0]), float(answer.se[0])
