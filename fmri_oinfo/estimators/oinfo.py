"""The estimator contract: O-information estimators as objects with explicit parameters.

One contract, scikit-learn style, for every estimator of the package:

- parameters are constructor arguments (:class:`~fmri_oinfo.estimators.params.ParamsMixin`:
  ``get_params``, ``set_params``, ``clone``);
- ``fit(X, sets=None, variables=None)`` learns from one run of region time
  series (T, N) (FMMI trains for the sets given; the closed forms answer any
  set); asking before ``fit`` raises :class:`~fmri_oinfo.exceptions.NotFittedError`;
- ``measures(sets, rows=None)`` returns a typed :class:`~fmri_oinfo.estimators.table.MeasureTable`
  (values, standard errors, units, estimator) of any sets, on every fitted
  time point or on ``rows`` of them;
- ``null(sets, ...)`` and ``resample(sets, ...)`` answer the surrogate null
  and the moving-block bootstrap by the estimator's own route: the closed
  forms with circular shifts gather lagged correlations
  (:mod:`fmri_oinfo.stats.closed_form`, exact and cheap); anything else
  refits an unfitted copy of the estimator on stacked resampled datasets
  (:func:`fmri_oinfo.stats.resampled.stacked_o_info`).

The surrogate and bootstrap generators are those of :mod:`fmri_oinfo.stats`;
they are imported when ``null`` or ``resample`` runs (``stats`` imports this
module for its estimators, and never the other way at import time).

:class:`GaussianOInfo` and :class:`CopulaOInfo` wrap the batched closed form
(:class:`~fmri_oinfo.estimators.gaussian.GaussianEstimator`); :class:`FMMIOInfo`
wraps the FMMI subject model (:class:`~fmri_oinfo.estimators.fmmi.FMMIEstimator`).
:func:`estimator_from_name` is for the outer layers that name an estimator
(the API and the configuration files).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import fields
from inspect import Parameter, Signature
from typing import Any, ClassVar

import numpy as np

from fmri_oinfo.enumeration import iter_combinations
from fmri_oinfo.estimators.params import ParamsMixin, clone
from fmri_oinfo.estimators.table import MeasureTable, bucket_columns, gradient_tuples, set_names, warn_dependent_sets
from fmri_oinfo.exceptions import check_is_fitted
from fmri_oinfo.measures import SCALAR_QUANTITIES, SubsetPlan, subset_plan, unit_factor
from fmri_oinfo.validation import SetBuckets, check_independent_sets, check_sets, check_timeseries, index_sets
from fmri_oinfo.variables import Variables, check_variable_sets, check_variables

#: ``progress(n)``: called with the number of sets each estimator call scored.
Progress = Callable[[int], None]

#: Bootstrap resamples (and surrogates) generated per chunk: bounds memory at chunk * T * M floats.
RESAMPLE_CHUNK = 64


class OInfoEstimator(ParamsMixin):
    """Base of the O-information estimators: ``fit``, ``measures``, ``null``, ``resample``.

    Subclasses define the constructor (every parameter stored unchanged),
    :attr:`name`, :meth:`_fit_core` and :meth:`_lagged_route`.

    Attributes
    ----------
    values_ : numpy.ndarray, shape (T, N)
        The validated fitted time series.
    names_ : list of str
        Region names.
    variables_ : Variables or None
        Variables of several columns the sets are made of.
    core_ : object
        The fitted computing core (set last by ``fit``).
    """

    #: The name in result tables and configuration files.
    name: ClassVar[str] = ""
    #: Whether ``measures(rows=...)`` reads the one fitted model (True) or refits on the rows (closed forms).
    answers_on_rows: ClassVar[bool] = False
    units: str
    gradient: bool

    # ------------------------------------------------------------------ fitting

    def fit(self, X: Any, sets: Any = None, variables: dict[str, Sequence[int | str]] | None = None
            ) -> "OInfoEstimator":
        """Learn from one run of region time series.

        Parameters
        ----------
        X : array of shape (T, N) or pandas.DataFrame
            Time points in rows; DataFrame columns name the regions.
        sets : sets as for :func:`fmri_oinfo.estimate_oinfo`, or None
            Every set that will be asked (FMMI trains for them); None: any set.
        variables : dict of str to sequence of int or str, optional
            The sets' members are these variables of several columns.

        Returns
        -------
        self
        """
        unit_factor(self.units)  # an unknown unit fails before any fitting
        values, names = check_timeseries(X)
        blocks = None if variables is None else check_variables(variables, names, values)
        members = None
        if sets is not None:
            _, buckets = index_sets(sets, names if blocks is None else blocks.names, values.shape[0])
            members = [block for _, block in buckets.values()]
            if blocks is not None:
                for block in members:
                    check_variable_sets(blocks, block, values.shape[0])
        self.values_, self.names_, self.variables_ = values, names, blocks
        self._row_cores: dict[bytes, Any] = {}
        self.core_ = self._fit_core(values, names, members, blocks)
        return self

    def _fit_core(self, values: np.ndarray, names: list[str], sets: list[np.ndarray] | None,
                  variables: Variables | None) -> Any:
        """The computing core fitted on validated ``values`` for ``sets`` (one (G_k, k) array per order)."""
        raise NotImplementedError

    def _lagged_route(self, surrogate: str) -> bool | None:
        """The ``copula`` flag of the lagged-correlation shortcut for ``surrogate``, or None where it is exact-less."""
        return None

    def _labels(self) -> list[str]:
        return self.names_ if self.variables_ is None else list(self.variables_.names)

    def _core_on(self, rows: np.ndarray | None) -> Any:
        """The core describing ``rows`` of the fitted run: the fitted one, or (closed forms) one refitted on them."""
        if rows is None or self.answers_on_rows:
            return self.core_
        key = np.asarray(rows, dtype=np.int64).tobytes()
        if key not in self._row_cores:
            values, _ = check_timeseries(self.values_[rows], source=f"rows of the fitted data")
            self._row_cores[key] = self._fit_core(values, self.names_, None, self.variables_)
        return self._row_cores[key]

    # ------------------------------------------------------------------ measures

    def measures(self, sets: Any, rows: np.ndarray | None = None) -> MeasureTable:
        """TC, DTC, O- and S-information of ``sets`` (and what else the estimator gives), in :attr:`units`.

        Parameters
        ----------
        sets : sets as for :func:`fmri_oinfo.estimate_oinfo` (not ``"all"``: see :meth:`iter_measures`)
        rows : increasing integer time points, or None
            Describe these fitted time points only (FMMI averages its
            cross-fitted per-row values over them; the closed forms are
            computed on them alone).

        Returns
        -------
        MeasureTable

        Warns
        -----
        fmri_oinfo.exceptions.DependentRegionsWarning
            For sets whose regions are exact functions of each other.
        """
        check_is_fitted(self, "core_")
        labels = self._labels()
        n_sets, buckets = index_sets(sets, labels, self.values_.shape[0])
        if self.variables_ is not None:
            for _, members in buckets.values():
                check_variable_sets(self.variables_, members, self.values_.shape[0])
        return self._table(n_sets, buckets, rows)

    def iter_measures(self, order: int, batch_size: int, warn: bool = True) -> Iterator[MeasureTable]:
        """Every set of ``order`` fitted regions, in lexicographic order, ``batch_size`` sets per table."""
        check_is_fitted(self, "core_")
        for members in iter_combinations(len(self._labels()), int(order), batch_size):
            yield self._table(members.shape[0], {int(order): (np.arange(members.shape[0]), members)}, None, warn)

    def _table(self, n_sets: int, buckets: SetBuckets, rows: np.ndarray | None, warn: bool = True) -> MeasureTable:
        core = self._core_on(rows)
        factor = unit_factor(self.units)
        columns: dict[str, np.ndarray] = {}
        orders = np.empty(n_sets, dtype=np.int64)
        gradients = np.empty(n_sets, dtype=object) if self.gradient else None
        for k, (positions, members) in buckets.items():
            orders[positions] = k
            plan = subset_plan(k, gradient=self.gradient)
            answer = core.measures(members, plan) if rows is None or not self.answers_on_rows \
                else core.measures(members, plan, rows=rows)
            for name, column in bucket_columns(answer, plan, factor).items():
                if name == "gradient":
                    gradients[positions] = gradient_tuples(column)
                else:
                    columns.setdefault(name, np.full(n_sets, np.nan))[positions] = column
        if gradients is not None:
            columns["gradient"] = gradients
        sets = set_names(self._labels(), buckets, n_sets)
        bad = ~np.isfinite(columns["o_info"])
        if warn and bad.any():
            warn_dependent_sets(sets, bad, self.name, self.values_, self.names_, self.variables_, stacklevel=4)
        attrs = {}
        if self.variables_ is not None:
            attrs["variables"] = {name: tuple(self.names_[c] for c in cols)
                                  for name, cols in zip(self.variables_.names, self.variables_.columns)}
        return MeasureTable(sets=sets, order=orders, columns=columns, units=self.units, estimator=self.name,
                            attrs=attrs)

    def local_measures(self, sets: Any) -> tuple[np.ndarray, np.ndarray]:
        """TC, DTC, O- and S-information of ``sets`` at every fitted time point, in :attr:`units`.

        The closed forms' pointwise log-density ratios, FMMI's cross-fitted
        per-row values; their mean over time points is :meth:`measures`.

        Returns
        -------
        sets : numpy.ndarray of object, shape (G,)
            Each set as a tuple of region names.
        local : numpy.ndarray, shape (4, T, G)
            In :data:`fmri_oinfo.measures.SCALAR_QUANTITIES` order.

        Warns
        -----
        fmri_oinfo.exceptions.DependentRegionsWarning
            For sets whose regions are exact functions of each other.
        """
        check_is_fitted(self, "core_")
        n_samples = self.values_.shape[0]
        n_sets, buckets = index_sets(sets, self._labels(), n_samples)
        factor = unit_factor(self.units)
        local = np.empty((len(SCALAR_QUANTITIES), n_samples, n_sets))  # (4, T, G)
        for positions, members in buckets.values():
            local[:, :, positions] = np.moveaxis(self.core_.local_measures(members), -1, 0) * factor
        column = set_names(self._labels(), buckets, n_sets)
        bad = ~np.isfinite(local[SCALAR_QUANTITIES.index("o_info")]).all(axis=0)  # (G,)
        if bad.any():
            warn_dependent_sets(column, bad, self.name, self.values_, self.names_, stacklevel=3)
        return column, local

    # ------------------------------------------------------------------ resampling

    def _block(self, sets: Any, rows: np.ndarray | None) -> tuple[np.ndarray, list[np.ndarray]]:
        check_is_fitted(self, "core_")
        if self.variables_ is not None:
            raise ValueError("surrogate nulls and bootstrap resamples are computed for sets of regions; this "
                             "estimator was fitted with variables of several columns.  Fit it without `variables`.")
        values = self.values_ if rows is None else self.values_[rows]
        return values, check_sets(sets, self.names_, values.shape[0])

    def _stacked(self, progress: Progress | None) -> Callable[[np.ndarray, Sequence[np.ndarray]], np.ndarray]:
        """``(data (T, C), sets) -> o_info (G,)``: an unfitted copy of this estimator fitted on ``data``."""
        def o_info(data: np.ndarray, sets: Sequence[np.ndarray]) -> np.ndarray:
            answer = clone(self).set_params(gradient=False).fit(data, list(sets)).measures(list(sets), None)
            if progress is not None:
                progress(len(sets))
            return answer.o_info / unit_factor(self.units)  # nats, as the lagged route
        return o_info

    def null(self, sets: Any, n_surrogates: int, surrogate: str = "circular",
             rng: int | np.random.Generator = 0, member: bool = False, min_shift: int = 0,
             rows: np.ndarray | None = None, max_columns: int = 256, progress: Progress | None = None) -> np.ndarray:
        """O-information (nats) of ``sets`` on surrogates of the fitted data (or of its ``rows``).

        Parameters
        ----------
        sets : sets of fitted regions, by index or name
        n_surrogates : int
        surrogate : {"circular", "phase"}, default="circular"
        rng : int or numpy.random.Generator
        member : bool, default=False
            False: every region made independent (:func:`fmri_oinfo.stats.nulls.set_null`, shape (R, G));
            True: one member at a time (:func:`fmri_oinfo.stats.nulls.member_null`, shape (R, G, K)).
        min_shift : int, default=0
            With ``member``: circular shifts of the member lie in ``[min_shift, T - min_shift]``.
        rows : increasing integer time points, or None
        max_columns : int, default=256
            Columns per refit when surrogate datasets are stacked.
        progress : callable or None
            ``progress(n)`` after each refit, with the sets it scored.

        Returns
        -------
        numpy.ndarray
        """
        from fmri_oinfo.stats.nulls import member_null, set_null  # the surrogate generators are statistics

        values, members = self._block(sets, rows)
        rng = np.random.default_rng(rng)
        route, estimate = self._lagged_route(surrogate), self._stacked(progress)
        if member:
            return member_null(values, members, estimate, route, n_surrogates, surrogate, rng, min_shift,
                               max_columns)
        return set_null(values, members, estimate, route, n_surrogates, surrogate, rng, max_columns)

    def resample(self, sets: Any, n_resamples: int, block_length: int | None = None,
                 rng: int | np.random.Generator = 0, rows: np.ndarray | None = None, max_columns: int = 256,
                 progress: Progress | None = None) -> np.ndarray:
        """O-information (nats) of ``sets`` on moving-block bootstrap resamples of the fitted data (or its ``rows``).

        Parameters
        ----------
        sets : sets of fitted regions, by index or name
        n_resamples : int
        block_length : int or None
            None: :func:`fmri_oinfo.stats.bootstrap.default_block_length` of the rows.
        rng, rows, max_columns, progress
            As for :meth:`null`.

        Returns
        -------
        numpy.ndarray, shape (n_resamples, G)
        """
        from fmri_oinfo.stats.bootstrap import default_block_length, moving_block_indices
        from fmri_oinfo.stats.resampled import stacked_o_info

        values, members = self._block(sets, rows)
        rng = np.random.default_rng(rng)
        length = default_block_length(values.shape[0]) if block_length is None else block_length

        def stream() -> Iterator[np.ndarray]:
            for start in range(0, n_resamples, RESAMPLE_CHUNK):
                drawn = moving_block_indices(values.shape[0], min(RESAMPLE_CHUNK, n_resamples - start), length, rng)
                yield from (values[r] for r in drawn)

        return stacked_o_info(self._stacked(progress), stream(), members, max_columns)


class GaussianOInfo(OInfoEstimator):
    """Closed-form Gaussian estimator on the sample correlation.

    Parameters
    ----------
    bias_correction : bool, default=False
        Subtract the finite-sample (Wishart) bias of each log-determinant.
    units : {"nats", "bits"}, default="nats"
    gradient : bool, default=False
        Add ``o_info_gradient``: ``Omega(X) - Omega(X_-i)`` per member.
    device : str, default="auto"
    batch_size : int, default=16384
        Sets per batched computation (bounds memory).

    Examples
    --------
    >>> import numpy as np
    >>> from fmri_oinfo.estimators import GaussianOInfo
    >>> x = np.random.default_rng(0).standard_normal((500, 5))
    >>> GaussianOInfo().fit(x).measures([(0, 1, 2)]).to_frame().shape
    (1, 6)
    """

    name = "gaussian"
    #: Rank-transform each region to normal scores first.
    copula: ClassVar[bool] = False

    def __init__(self, bias_correction: bool = False, units: str = "nats", gradient: bool = False,
                 device: str = "auto", batch_size: int = 16_384) -> None:
        self.bias_correction = bias_correction
        self.units = units
        self.gradient = gradient
        self.device = device
        self.batch_size = batch_size

    def _fit_core(self, values: np.ndarray, names: list[str], sets: list[np.ndarray] | None,
                  variables: Variables | None) -> Any:
        from fmri_oinfo.estimators.gaussian import GaussianEstimator  # torch loads only when estimating

        core = GaussianEstimator(copula=self.copula, bias_correction=self.bias_correction, device=self.device,
                                 batch_size=self.batch_size)
        return core.fit(values, variables=variables)

    def _lagged_route(self, surrogate: str) -> bool | None:
        """Circular shifts permute time points: the null is a gather of lagged correlations (no bias correction)."""
        return self.copula if surrogate == "circular" and not self.bias_correction else None

    # ------------------------------------------------------------------ closed-form arrays

    def total_correlations(self, sets: np.ndarray, plan: SubsetPlan) -> np.ndarray:
        """TC (nats) of every subset of ``plan`` of each set of fitted columns, shape (G, S).

        The array level of the closed form, for callers that score many sets
        of already validated column indices (the candidate searches) or
        subsets that are not the standard plan of an order (the lagged
        embedding of :mod:`fmri_oinfo.dynamic`).

        Parameters
        ----------
        sets : numpy.ndarray of int, shape (G, k)
            Column indices of the fitted data (or variables, when fitted with them); not checked.
        plan : fmri_oinfo.measures.SubsetPlan
            Subsets of the ``k`` members (any masks).
        """
        check_is_fitted(self, "core_")
        return self.core_.total_correlations(np.asarray(sets, dtype=np.int64), plan).tc

    def iter_exhaustive(self, order: int) -> Iterator[tuple[np.ndarray, dict[str, np.ndarray]]]:
        """Stream every set of ``order`` fitted columns (or variables) with its measures (nats), batch by batch.

        ``batch_size`` sets per batch, in lexicographic order: the screen's
        kernel (:func:`fmri_oinfo.candidates.screen.extreme_sets`), with no
        set names built.

        Yields
        ------
        sets : numpy.ndarray of int64, shape (B, order)
        measures : dict of str to numpy.ndarray
            As returned by :func:`fmri_oinfo.measures.measures_from_tc`.
        """
        check_is_fitted(self, "core_")
        yield from self.core_.iter_exhaustive(subset_plan(int(order)))

    def correlation(self) -> np.ndarray:
        """The fitted correlation matrix (of the normal scores for the copula), shape (N, N), float64."""
        check_is_fitted(self, "core_")
        return self.core_.correlation_.cpu().numpy()


class CopulaOInfo(GaussianOInfo):
    """Gaussian-copula estimator (THOI/HOI): the closed form on each region's normal scores.

    Parameters as :class:`GaussianOInfo`.
    """

    name = "gaussian-copula"
    copula = True


def _engine_fields() -> list[Any]:
    from fmri_oinfo.engine.subject_config import SubjectFlowConfig

    return list(fields(SubjectFlowConfig))


class FMMIOInfo(OInfoEstimator):
    """Flow-matching (FMMI) estimator: one conditional flow model per subject, with standard errors.

    ``fit`` trains :class:`fmri_oinfo.engine.subject.SubjectFlowModel` once on
    the pairs that all the given sets need (without sets: random
    conditioning sets up to ``max_order``); ``measures`` reads any of them,
    on every row or on ``rows`` of the fitted run (the same cross-fitted
    model).  Sets whose regions are exact functions of each other are refused
    before fitting (no finite answer).

    Parameters
    ----------
    device : str, default="auto"
    seed : int, default=0
    units : {"nats", "bits"}, default="nats"
    gradient : bool, default=False
    progress : bool, default=False
        A progress bar over training steps.
    **engine
        Every field of :class:`fmri_oinfo.engine.subject_config.SubjectFlowConfig`
        is a parameter of its own (``steps``, ``folds``, ``ensemble``, ...);
        an unknown one is a ``ValueError`` listing them.
    """

    name = "fmmi"
    answers_on_rows = True

    def __init__(self, device: str = "auto", seed: int = 0, units: str = "nats", gradient: bool = False,
                 progress: bool = False, **engine: Any) -> None:
        known = {f.name: f.default for f in _engine_fields()}
        unknown = sorted(set(engine) - set(known))
        if unknown:
            raise ValueError(f"estimator='fmmi' has no option(s) {unknown}; its options are "
                             f"{sorted(['device', 'gradient', 'progress', 'seed', 'units', *known])}.")
        self.device = device
        self.seed = seed
        self.units = units
        self.gradient = gradient
        self.progress = progress
        for name, default in known.items():
            setattr(self, name, engine.get(name, default))

    @classmethod
    def _param_names(cls) -> list[str]:
        return sorted(["device", "gradient", "progress", "seed", "units", *(f.name for f in _engine_fields())])

    def engine_options(self) -> dict[str, Any]:
        """The :class:`~fmri_oinfo.engine.subject_config.SubjectFlowConfig` fields of this estimator."""
        return {f.name: getattr(self, f.name) for f in _engine_fields()}

    def subject_model(self) -> Any:
        """An unfitted :class:`~fmri_oinfo.engine.subject.SubjectFlowModel` with this estimator's parameters.

        For callers that train the subject model on pairs of their own
        (:mod:`fmri_oinfo.dynamic`'s lagged embedding).
        """
        from fmri_oinfo.engine.subject import SubjectFlowModel  # torch loads only when estimating

        return SubjectFlowModel(device=self.device, seed=self.seed, progress=self.progress, **self.engine_options())

    def _fit_core(self, values: np.ndarray, names: list[str], sets: list[np.ndarray] | None,
                  variables: Variables | None) -> Any:
        from fmri_oinfo.estimators.fmmi import FMMIEstimator  # torch loads only when estimating

        columns = sets if variables is None or sets is None else \
            [variables.union(row)[None, :] for block in sets for row in block]
        check_independent_sets(values, names, columns)
        core = FMMIEstimator(device=self.device, seed=self.seed, progress=self.progress, **self.engine_options())
        return core.fit(values, sets=sets, gradient=self.gradient, variables=variables)


def _fmmi_signature() -> Signature:
    """The constructor's signature with every engine setting named (``inspect`` and scikit-learn read it)."""
    head = [Parameter("self", Parameter.POSITIONAL_OR_KEYWORD)]
    head += [Parameter(n, Parameter.POSITIONAL_OR_KEYWORD, default=d)
             for n, d in (("device", "auto"), ("seed", 0), ("units", "nats"), ("gradient", False),
                          ("progress", False))]
    try:
        engine = [Parameter(f.name, Parameter.KEYWORD_ONLY, default=f.default) for f in _engine_fields()]
    except ImportError:  # pragma: no cover - torch missing: the engine settings cannot be listed
        engine = []
    return Signature(head + engine)


FMMIOInfo.__init__.__signature__ = _fmmi_signature()  # type: ignore[attr-defined]

#: The estimators by the name the API and the configuration files use.
ESTIMATOR_CLASSES: dict[str, type[OInfoEstimator]] = {
    "gaussian": GaussianOInfo, "gaussian-copula": CopulaOInfo, "fmmi": FMMIOInfo,
}

#: The names the API and the configuration files accept.
ESTIMATORS: tuple[str, ...] = tuple(ESTIMATOR_CLASSES)


def estimator_from_name(name: str, device: str = "auto", seed: int = 0, units: str = "nats",
                        gradient: bool = False, **options: Any) -> OInfoEstimator:
    """The estimator called ``name`` with these parameters (for the layers that name estimators).

    Raises
    ------
    ValueError
        For an unknown name, or an option the estimator does not take (listing the valid ones).
    """
    if name not in ESTIMATOR_CLASSES:
        raise ValueError(f"estimator={name!r} is not known; use one of {list(ESTIMATORS)}.")
    cls = ESTIMATOR_CLASSES[name]
    if cls is FMMIOInfo:
        return FMMIOInfo(device=device, seed=seed, units=units, gradient=gradient, **options)
    valid = sorted(set(cls._param_names()) - {"units", "gradient", "device"})
    unknown = sorted(set(options) - set(valid))
    if unknown:
        raise ValueError(f"estimator={name!r} has no option(s) {unknown}; its options are {valid}.")
    return cls(device=device, units=units, gradient=gradient, **options)
