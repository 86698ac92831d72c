"""Which candidate sets are real: the result table.

For every candidate set, with one estimator (``attrs["estimator"]``) for the
value, its nulls, its p/q-values, its interval and its standard error:

1. **Where it is tested.**  Sets chosen by looking at the data (the screen,
   the searches) are tested on the test block of a
   :class:`~fmri_oinfo.stats.split.SampleSplit` (``inference =
   "split-sample"``): the volumes that chose them are never used to test them.
   Pre-specified sets (exhaustive, networks, user lists, the screen's random
   controls) are tested on the whole run (``"per-set"``).  A set that is both
   is tested as pre-specified.
2. **Is it more than independent regions?**  ``p_value``: two-sided, ``|O|``
   against its surrogate null (every region shifted on its own), with a
   generalised Pareto tail beyond the surrogates' reach, down to the smallest
   reportable p-value (:mod:`fmri_oinfo.stats.tail`): below it the table
   holds the bound and ``p_value_is_bound`` says so.
3. **Does every member carry it?**  ``p_irreducible``: the intersection-union
   test of :mod:`fmri_oinfo.stats.irreducible` (one member shifted at a time).
4. **Across sets.**  Benjamini-Hochberg over every tested set of
   ``max(p_value, p_irreducible)``: ``q_value``.
5. **How precise.**  Percentile intervals and standard errors over
   moving-block bootstrap resamples of the block's time points.
6. **How large, and which sign.**  ``o_info_ratio`` (``o_info / s_info``,
   :mod:`fmri_oinfo.stats.effect`) and, for the sets the FDR step selects,
   ``label_ci_low``/``label_ci_high``: the interval of ``o_info`` at the
   label's (false-coverage-adjusted) level.  Labels by
   :func:`fmri_oinfo.stats.labels.label_sets`: selected, ``|o_info_ratio| >=
   min_effect``, and that interval excluding 0.
7. **One finding per family.**  Labelled sets nested in one another are one
   family (``family``, ``family_role``; :mod:`fmri_oinfo.stats.families`).

``null_mean`` (the mean of the set's surrogate null: what the estimator gives
for independent regions) and ``member_null_mean`` (per member, the mean with
that member alone shifted) are each subject's baselines in the group tests.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from fmri_oinfo.estimators.oinfo import OInfoEstimator, Progress
from fmri_oinfo.estimators.params import clone
from fmri_oinfo.exceptions import DependentRegionsWarning
from fmri_oinfo.stats.bootstrap import default_block_length
from fmri_oinfo.stats.effect import effect_ratio, label_interval, label_level
from fmri_oinfo.stats.excess import excess_tests
from fmri_oinfo.stats.families import set_families
from fmri_oinfo.stats.fdr import benjamini_hochberg
from fmri_oinfo.stats.irreducible import member_p_values
from fmri_oinfo.stats.labels import label_sets, member_names, rank_order
from fmri_oinfo.stats.split import SampleSplit, autocorrelation_length
from fmri_oinfo.stats.surrogates import SURROGATES
from fmri_oinfo.stats.tail import (
    BOUND,
    EXTRAPOLATION_FACTOR,
    MIN_TAIL,
    TAILS,
    smallest_reportable_p,
    surrogate_p_values,
)
from fmri_oinfo.validation import (
    SHOWN_DEPENDENT_SETS,
    check_sets,
    check_timeseries,
    dependence_message,
    dependent_sets,
)

logger = logging.getLogger(__name__)

#: Columns of the result table, in order (``docs/results.md``).
RESULT_COLUMNS: tuple[str, ...] = (
    "set", "order", "chosen_by", "inference", "o_info", "o_info_se", "tc", "dtc", "s_info", "o_info_ratio",
    "ci_low", "ci_high", "label_ci_low", "label_ci_high", "null_mean", "member_null_mean", "p_value",
    "p_irreducible", "p_value_is_bound", "p_irreducible_is_bound", "q_value", "label", "irreducible", "carriers",
    "family", "family_role",
)

#: Default of ``min_effect``: the smallest ``|o_info / s_info|`` a label needs
#: (chosen from ``benchmarks/min_effect.py``; table in ``benchmarks/README.md``).
MIN_EFFECT = 0.03

#: Boolean columns of the result table.
BOOLEAN_COLUMNS: tuple[str, ...] = ("p_value_is_bound", "p_irreducible_is_bound", "irreducible")

#: Values of the ``inference`` column.
INFERENCES: tuple[str, ...] = ("per-set", "split-sample")

#: ``chosen_by`` tags of sets chosen without looking at the data.
PRESPECIFIED_TAGS: tuple[str, ...] = ("exhaustive", "network", "user", "screen:control")

#: Bootstrap resamples needed for ``o_info_se`` to be their standard deviation.
MIN_BOOTSTRAP_FOR_SE = 2


def chosen_by_data(chosen_by: Iterable[str], user_from_data: bool = False) -> np.ndarray:
    """Whether each set was chosen by looking at the data only (no pre-specified reason).

    Parameters
    ----------
    chosen_by : iterable of str
        ``;``-joined tags of the ``chosen_by`` column.
    user_from_data : bool, default=False
        Count ``user`` sets as chosen from this data (a group study's common
        list, chosen by the subjects' screens).

    Returns
    -------
    numpy.ndarray of bool
    """
    prespecified = tuple(t for t in PRESPECIFIED_TAGS if not (user_from_data and t == "user"))
    flags = []
    for reasons in chosen_by:
        tags = [t for t in str(reasons).split(";") if t]
        flags.append(bool(tags) and not any(t == p or t.startswith(p + ":") for t in tags for p in prespecified))
    return np.array(flags, dtype=bool)


def _candidate_sets(candidates: pd.DataFrame | Iterable[Sequence[int | str]]) -> tuple[list, list[str]]:
    if isinstance(candidates, pd.DataFrame):
        if "set" not in candidates.columns:
            raise ValueError(
                f"candidates has columns {list(candidates.columns)}; a 'set' column "
                "(tuples of region names) is needed, as returned by choose_candidates."
            )
        sets = list(candidates["set"])
        if "chosen_by" in candidates.columns:
            reasons = [str(r) for r in candidates["chosen_by"]]
        else:
            reasons = ["user"] * len(sets)
        return sets, reasons
    sets = [tuple(g) for g in candidates]
    return sets, ["user"] * len(sets)


@dataclass(frozen=True)
class Design:
    """How candidate sets are tested: everything :func:`assess_sets` needs besides the estimator and the data.

    Attributes
    ----------
    n_surrogates : int, default=999
        Surrogate datasets of each null.
    surrogate : {"circular", "phase"}, default="circular"
        Per-region circular time shifts, or per-region phase randomisation.
    tail : {"gpd", "empirical"}, default="gpd"
        p-values beyond the surrogates' reach (:mod:`fmri_oinfo.stats.tail`).
    n_bootstrap : int, default=200
        Moving-block bootstrap resamples; 0 leaves ``ci_low``/``ci_high`` NaN.
    block_length : int or None, default=None
        Bootstrap block length in time points; None uses
        :func:`~fmri_oinfo.stats.bootstrap.default_block_length` of the block.
    alpha : float, default=0.05
        FDR level of the labels, and the level of each member's test
        (``carriers``, ``irreducible``).
    ci_level : float, default=0.95
        Coverage of the percentile bootstrap interval.
    min_effect : float, default=MIN_EFFECT
        Smallest effect size ``|o_info / s_info|`` a label needs
        (:mod:`fmri_oinfo.stats.effect`; the default is measured, see
        ``benchmarks/README.md``).
    split : SampleSplit or None, default=None
        Where sets chosen by the data are tested (its test block).  None
        tests every set on the whole run (then data-chosen sets are tested on
        the data that chose them: a warning says so).
    max_columns : int, default=256
        Columns per estimator fit when resampled datasets are stacked.
    gradient : bool, default=False
        Add the descriptive ``o_info_gradient`` (the estimator's), on the
        volumes each row was tested on.
    fmmi : OInfoEstimator or None, default=None
        An FMMI estimator (:class:`fmri_oinfo.estimators.FMMIOInfo`) beside a
        closed-form claim: adds ``o_info_fmmi``, ``o_info_fmmi_se``, its
        non-Gaussian ``excess`` and ``excess_se`` and their test
        (:func:`fmri_oinfo.stats.excess.excess_tests`), on the volumes each
        row was tested on.
    """

    n_surrogates: int = 999
    surrogate: str = "circular"
    tail: str = "gpd"
    n_bootstrap: int = 200
    block_length: int | None = None
    alpha: float = 0.05
    ci_level: float = 0.95
    min_effect: float = MIN_EFFECT
    split: SampleSplit | None = None
    max_columns: int = 256
    gradient: bool = False
    fmmi: OInfoEstimator | None = None

    def __post_init__(self) -> None:
        if self.n_surrogates < 1:
            raise ValueError(f"n_surrogates={self.n_surrogates}: at least 1 surrogate is needed (999 is typical).")
        if self.surrogate not in SURROGATES:
            raise ValueError(f"surrogate={self.surrogate!r} is not known; use one of {list(SURROGATES)}.")
        if self.n_bootstrap < 0:
            raise ValueError(f"n_bootstrap={self.n_bootstrap} must be 0 (no intervals) or more.")
        if not 0 < self.alpha < 1:
            raise ValueError(f"alpha={self.alpha} must lie in (0, 1).")
        if not 0 < self.ci_level < 1:
            raise ValueError(f"ci_level={self.ci_level} must lie in (0, 1).")
        if self.tail not in TAILS:
            raise ValueError(f"tail={self.tail!r} is not known; use one of {list(TAILS)}.")
        if not 0 <= self.min_effect < 1:
            raise ValueError(f"min_effect={self.min_effect} must lie in [0, 1) (|o_info / s_info| is at most 1).")


def reachability(n_tests: int, n_surrogates: int, tail: str, alpha: float) -> tuple[bool, str]:
    """Whether a design can label a set at all, and what it cannot label.

    A label needs the q-value of ``max(p_value, p_irreducible)``, and
    ``p_irreducible`` is twice a one-sided member p-value, so no p-value that
    Benjamini-Hochberg sees is below the floor ``2 * s`` (``s``:
    :func:`fmri_oinfo.stats.tail.smallest_reportable_p`).  With ``k`` of the
    ``n_tests`` sets at the floor their q-value is ``n_tests * 2 * s / k``: a
    lone strong set reaches ``q < alpha`` only when ``n_tests * 2 * s < alpha``,
    and no set whatever the data when ``2 * s >= alpha``.

    Returns
    -------
    reachable : bool
        Whether some set can be labelled (``2 * s < alpha``).
    note : str
        "" when a lone strong set can be labelled; else one sentence: why no set
        can be (not reachable), or how many strong sets together a label needs.
    """
    smallest = smallest_reportable_p(n_surrogates, tail)
    floor = 2.0 * smallest
    if n_tests * floor < alpha:
        return True, ""
    if tail == "gpd":
        needed = max(4 * MIN_TAIL, int(np.ceil(2.0 * n_tests / (alpha * EXTRAPOLATION_FACTOR))))
    else:
        needed = int(np.ceil(2.0 * n_tests / alpha))
    advice = f"use at least {needed} surrogates" + (" (or tail = \"gpd\")" if tail != "gpd" else "")
    design = (f"{n_tests} sets were tested with {n_surrogates} surrogates ({tail} tail), so the smallest reportable "
              f"p-value is {smallest:.3g} ({floor:.3g} for p irreducible, twice a one-sided member p-value)")
    if floor >= alpha:
        return False, f"{design} >= alpha = {alpha:g}: no set can be labelled, however strong; {advice}."
    together = int(np.floor(n_tests * floor / alpha)) + 1  # the fewest k with n_tests * floor / k < alpha
    return True, (
        f"{design}: a lone strong set's q-value is at least {n_tests * floor:.3g} >= alpha = {alpha:g}, so sets are "
        f"labelled only when at least {together} reach that floor together (Benjamini-Hochberg's q of k sets at the "
        f"floor is {n_tests * floor:.3g} / k); to label a lone set, {advice}."
    )


@dataclass(frozen=True)
class _BlockResult:
    """The per-set columns of the sets tested on one block of volumes."""

    columns: dict[str, np.ndarray]  # each (G,)
    p_members: np.ndarray  # (G, K)
    member_null_mean: np.ndarray  # (G, K)
    null: np.ndarray  # (G, R)
    n_tail_fits: int
    block_length: int


def _assess_block(
    values: np.ndarray, rows: list[np.ndarray], estimator: OInfoEstimator, design: Design,
    rng: np.random.Generator, progress: Progress | None,
) -> _BlockResult:
    """Every per-set column of the sets ``rows`` on one block of volumes (T, N): the estimator fitted on it once."""
    used = np.unique(np.concatenate(rows))  # (M,) regions in any set
    local = [np.searchsorted(used, r) for r in rows]  # member positions among ``used``
    sub = values[:, used]  # (T, M)
    n_sets = len(local)
    fitted = clone(estimator).set_params(units="nats", gradient=False).fit(sub, local)
    observed = fitted.measures(local)
    if progress is not None:
        progress(n_sets)
    o_info = observed.o_info
    o_info_or_nan = np.where(np.isfinite(o_info), o_info, np.nan)
    resampling = {"max_columns": design.max_columns, "progress": progress}
    null = fitted.null(local, design.n_surrogates, design.surrogate, rng, **resampling)  # (R, G)
    p_value, method = surrogate_p_values(np.abs(o_info_or_nan), np.abs(null), design.tail)
    members = fitted.null(local, design.n_surrogates, design.surrogate, rng, member=True,
                          min_shift=autocorrelation_length(sub), **resampling)  # (R, G, K)
    p_members, p_irreducible, p_irreducible_is_bound, member_fits = member_p_values(o_info_or_nan, members,
                                                                                    design.tail)

    ci_low = ci_high = np.full(n_sets, np.nan)
    se = observed.standard_error if observed.standard_error is not None else np.full(n_sets, np.nan)
    length = default_block_length(values.shape[0]) if design.block_length is None else design.block_length
    if design.n_bootstrap > 0:
        boot = fitted.resample(local, design.n_bootstrap, length, rng, **resampling)  # (B, G)
        tail_share = 100.0 * (1.0 - design.ci_level) / 2.0
        ci_low, ci_high = np.percentile(boot, [tail_share, 100.0 - tail_share], axis=0)
        if design.n_bootstrap >= MIN_BOOTSTRAP_FOR_SE:
            se = boot.std(axis=0, ddof=1)
    columns = {
        "o_info": o_info, "o_info_se": se, **{c: observed.columns[c] for c in ("tc", "dtc", "s_info")},
        "ci_low": ci_low, "ci_high": ci_high, "null_mean": np.nanmean(null, axis=0),
        "p_value": p_value, "p_irreducible": p_irreducible,
        "p_value_is_bound": method == BOUND, "p_irreducible_is_bound": p_irreducible_is_bound,
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # positions beyond a set's order are all NaN
        member_null_mean = np.nanmean(members, axis=0)  # (G, K)
    return _BlockResult(columns, p_members, member_null_mean, null.T,
                        int(np.isin(method, ("gpd", BOUND)).sum()) + member_fits, length)


def assess_sets(
    estimator: OInfoEstimator,
    data: np.ndarray | pd.DataFrame,
    candidates: pd.DataFrame | Iterable[Sequence[int | str]],
    design: Design = Design(),
    *,
    seed: int | np.random.Generator = 0,
    selected: Sequence[bool] | np.ndarray | None = None,
    n_screened: int = 0,
    return_null: bool = False,
    progress: Progress | None = None,
) -> pd.DataFrame | tuple[pd.DataFrame, np.ndarray]:
    """Estimate, test and bound the O-information of candidate sets.

    Parameters
    ----------
    estimator : OInfoEstimator
        An unfitted estimator (:class:`fmri_oinfo.estimators.GaussianOInfo`,
        :class:`~fmri_oinfo.estimators.CopulaOInfo`,
        :class:`~fmri_oinfo.estimators.FMMIOInfo`).  An unfitted copy is
        fitted once per block of volumes (the whole run for pre-specified
        sets, the split's test block for sets chosen by the data), and that
        fitted copy scores the data and answers its own surrogate nulls and
        bootstrap (:meth:`~fmri_oinfo.estimators.oinfo.OInfoEstimator.null`,
        :meth:`~fmri_oinfo.estimators.oinfo.OInfoEstimator.resample`).
    data : array of shape (T, N) or pandas.DataFrame
        Region time series, time points in rows; DataFrame columns name the
        regions.
    candidates : pandas.DataFrame or iterable of sets
        A candidate table (``set``, ``order``, ``chosen_by``), or sets of
        region names or column indices (then ``chosen_by="user"``).
    design : Design
        Surrogates, tail, bootstrap, levels, the sample split and the
        descriptive columns.
    seed : int or numpy.random.Generator, default=0
        Seeds surrogates and resamples (the estimator carries its own seed).
    selected : sequence of bool or None, default=None
        Which candidates were chosen by the data; None reads ``chosen_by``
        (:func:`chosen_by_data`).
    n_screened : int, default=0
        Sets the data-driven strategies scored while choosing (recorded in
        ``attrs["n_screened"]``).
    return_null : bool, default=False
        Also return the surrogate O-information behind ``p_value``.
    progress : callable or None
        ``progress(n)`` after each estimator fit, with the sets it scored.

    Returns
    -------
    pandas.DataFrame
        One row per candidate, in input order, with :data:`RESULT_COLUMNS`
        (defined in ``docs/results.md``) and the descriptive columns the
        design asks for; ``o_info_se`` is the bootstrap standard deviation
        when ``n_bootstrap >= 2``, else the estimator's own standard error (or
        NaN).  ``attrs``: ``estimator``, ``units``, ``error_rate``, ``alpha``,
        ``n_tested``, ``n_screened``, ``selection``, ``surrogate``,
        ``n_surrogates``, ``tail``, ``n_tail_fits``,
        ``smallest_reportable_p``, ``reachable``, ``reachability_note``,
        ``ci_level``, ``n_bootstrap``, ``block_length``, ``irreducibility``,
        ``min_effect``, ``label_ci_level``, ``n_families``.
    null : numpy.ndarray of shape (n_sets, n_surrogates)
        Only with ``return_null=True``: row ``i`` holds the surrogate
        O-information values of row ``i`` of the table.

    Raises
    ------
    ValueError
        For invalid data, sets, estimator or design.
    """
    if not isinstance(estimator, OInfoEstimator):
        raise ValueError(f"estimator={estimator!r}: give an estimator object, for example GaussianOInfo() or "
                         "FMMIOInfo(seed=0) (fmri_oinfo.estimators), or estimator_from_name(name).")
    if not isinstance(design, Design):
        raise ValueError(f"design={design!r}: give a fmri_oinfo.stats.Design (surrogates, tail, bootstrap, split).")
    values, names = check_timeseries(data)
    sets, reasons = _candidate_sets(candidates)
    rows = check_sets(sets, names, values.shape[0])
    chosen = chosen_by_data(reasons) if selected is None else np.asarray(selected, dtype=bool)
    if chosen.shape != (len(rows),):
        raise ValueError(f"selected has {chosen.size} entries for {len(rows)} candidate sets.")
    split = design.split
    if split is None and chosen.any():
        logger.warning(
            "%d sets were chosen by looking at the data and no sample split was given: they are tested on the "
            "data that chose them, so their p-values ignore that choice.", int(chosen.sum()))
        chosen = np.zeros_like(chosen)
    if split is not None and split.n_volumes != values.shape[0]:
        raise ValueError(f"split is for {split.n_volumes} volumes but the data have {values.shape[0]}.")
    rng = np.random.default_rng(seed)

    n_sets = len(rows)
    width = max(len(r) for r in rows)
    columns = {c: np.full(n_sets, np.nan) for c in (
        "o_info", "o_info_se", "tc", "dtc", "s_info", "ci_low", "ci_high", "null_mean", "p_value", "p_irreducible")}
    columns.update({c: np.zeros(n_sets, dtype=bool) for c in ("p_value_is_bound", "p_irreducible_is_bound")})
    p_members = np.full((n_sets, width), np.nan)
    member_null_mean = np.full((n_sets, width), np.nan)
    null = np.full((n_sets, design.n_surrogates), np.nan)
    inference = np.where(chosen, "split-sample", "per-set").astype(object)
    n_tail_fits, lengths = 0, {}
    for kind, block in tested_blocks(inference, split):
        positions = np.flatnonzero(inference == kind)
        with warnings.catch_warnings():  # the block sees its regions by position; warned below, with names
            warnings.simplefilter("ignore", DependentRegionsWarning)
            result = _assess_block(values[block], [rows[i] for i in positions], estimator, design, rng, progress)
        for column in columns:
            columns[column][positions] = result.columns[column]
        p_members[positions, : result.p_members.shape[1]] = result.p_members
        member_null_mean[positions, : result.member_null_mean.shape[1]] = result.member_null_mean
        null[positions] = result.null
        n_tail_fits += result.n_tail_fits
        lengths[kind] = result.block_length

    alpha, min_effect, surrogate = design.alpha, design.min_effect, design.surrogate
    undefined = np.flatnonzero(~np.isfinite(columns["o_info"]))
    lines = dependent_sets(values, names, [rows[i] for i in undefined[:SHOWN_DEPENDENT_SETS]])
    if lines:
        warnings.warn(f"{dependence_message(lines, undefined.size)} Their o_info is not finite and they are not "
                      "labelled.", DependentRegionsWarning, stacklevel=2)
    set_names = [tuple(names[j] for j in r) for r in rows]
    member_null_means = [member_null_mean[g, : len(r)] for g, r in enumerate(rows)]
    table, level = claims_table(set_names, reasons, inference, columns, p_members, member_null_means, alpha,
                                min_effect)
    table.attrs.update(result_attrs(
        estimator.name, design, n_sets, n_tail_fits, table, level,
        n_screened=int(n_screened), selection=None if split is None or not chosen.any() else split.describe(),
        block_length=lengths.get("per-set", lengths.get("split-sample")),
        irreducibility=f"each member {surrogate}-{'shifted' if surrogate == 'circular' else 'randomised'} alone; "
                       "intersection-union test (largest member p-value)",
    ))
    if not table.attrs["reachable"]:
        logger.warning(table.attrs["reachability_note"])
    elif table.attrs["reachability_note"]:
        logger.info(table.attrs["reachability_note"])
    described = _descriptive_columns(estimator, data, table, design)
    for column in described.columns:
        table[column] = described[column].to_numpy()
    if return_null:
        return table, null
    return table


def claims_table(set_names: Sequence[tuple[str, ...]], chosen_by: Sequence[str], inference: Sequence[str],
                 columns: dict[str, np.ndarray], p_members: np.ndarray, member_null_mean: Sequence[np.ndarray],
                 alpha: float, min_effect: float) -> tuple[pd.DataFrame, float]:
    """The result table's rows from each set's tested columns: q-values, irreducibility, labels, families.

    Shared by :func:`assess_sets` (sets of regions) and
    :func:`fmri_oinfo.stats.variable_sets.assess_variable_sets` (sets of
    variables), so both tables make their claims by one rule.

    Parameters
    ----------
    set_names : sequence of tuples of str
        Each set's members, in input order.
    chosen_by, inference : sequences of str
        The ``chosen_by`` and ``inference`` column of each set.
    columns : dict of str to numpy.ndarray
        Each (G,): ``o_info``, ``o_info_se``, ``tc``, ``dtc``, ``s_info``,
        ``ci_low``, ``ci_high``, ``null_mean``, ``p_value``,
        ``p_irreducible``, ``p_value_is_bound``, ``p_irreducible_is_bound``.
    p_members : numpy.ndarray, shape (G, K)
        Each member's one-sided p-value (NaN beyond a set's order).
    member_null_mean : sequence of numpy.ndarray
        Each set's member-null means, one per member.
    alpha, min_effect : float

    Returns
    -------
    table : pandas.DataFrame
        :data:`RESULT_COLUMNS`, one row per set, in input order.
    label_ci_level : float
        The level of ``label_ci_low``/``label_ci_high`` (false-coverage adjusted).
    """
    n_sets = len(set_names)
    combined = np.fmax(columns["p_value"], columns["p_irreducible"])
    combined[np.isnan(columns["p_value"]) | np.isnan(columns["p_irreducible"])] = np.nan
    q_values = benjamini_hochberg(combined)
    with np.errstate(invalid="ignore"):
        irreducible = np.nan_to_num(columns["p_irreducible"], nan=1.0) < alpha
        carrying = np.nan_to_num(p_members, nan=1.0) < alpha  # (G, K)
    selected_sets = label_sets(columns["o_info"], q_values, alpha, irreducible) != "n.s."
    level = label_level(int(selected_sets.sum()), n_sets, alpha)
    label_low, label_high = label_interval(columns["o_info"], columns["o_info_se"], level)
    label_low[~selected_sets] = label_high[~selected_sets] = np.nan
    ratio = effect_ratio(columns["o_info"], columns["s_info"])
    labels = label_sets(columns["o_info"], q_values, alpha, irreducible, ratio, min_effect, (label_low, label_high))
    table = pd.DataFrame(
        {
            "set": pd.Series(list(set_names), dtype=object),
            "order": [len(g) for g in set_names],
            "chosen_by": list(chosen_by),
            "inference": np.asarray(inference, dtype=object),
            **{c: columns[c] for c in ("o_info", "o_info_se", "tc", "dtc", "s_info")},
            "o_info_ratio": ratio,
            "ci_low": columns["ci_low"], "ci_high": columns["ci_high"],
            "label_ci_low": label_low, "label_ci_high": label_high,
            "null_mean": columns["null_mean"],
            "member_null_mean": pd.Series([tuple(float(v) for v in row) for row in member_null_mean], dtype=object),
            **{c: columns[c] for c in ("p_value", "p_irreducible", "p_value_is_bound", "p_irreducible_is_bound")},
            "q_value": q_values,
            "label": labels,
            "irreducible": irreducible,
            "carriers": pd.Series(member_names(list(set_names), carrying), dtype=object),
        },
        columns=[c for c in RESULT_COLUMNS if c not in ("family", "family_role")],
    )
    table["family"], table["family_role"] = set_families(list(set_names), labels, rank_order(table))
    return table, level


def result_attrs(estimator: str, design: Design, n_sets: int, n_tail_fits: int, table: pd.DataFrame,
                 label_ci_level: float, *,
                 n_screened: int, selection: str | None, block_length: int | None, irreducibility: str,
                 surrogate_unit: str | None = None) -> dict[str, object]:
    """The result table's ``attrs`` (``docs/results.md``), in their order, for a table of :func:`claims_table`.

    ``surrogate_unit`` (what one surrogate moves, when it is not a region)
    follows ``surrogate`` when given.
    """
    reachable, note = reachability(n_sets, design.n_surrogates, design.tail, design.alpha)
    attrs: dict[str, object] = dict(
        estimator=estimator, units="nats", error_rate="FDR", alpha=design.alpha, n_tested=n_sets,
        n_screened=n_screened, selection=selection, surrogate=design.surrogate)
    if surrogate_unit is not None:
        attrs["surrogate_unit"] = surrogate_unit
    attrs.update(
        n_surrogates=design.n_surrogates, tail=design.tail, n_tail_fits=n_tail_fits,
        smallest_reportable_p=smallest_reportable_p(design.n_surrogates, design.tail),
        reachable=reachable, reachability_note=note, ci_level=design.ci_level, n_bootstrap=design.n_bootstrap,
        min_effect=float(design.min_effect), label_ci_level=label_ci_level,
        n_families=int(table["family"].to_numpy().max(initial=0)), block_length=block_length,
        irreducibility=irreducibility,
    )
    return attrs


def tested_blocks(inference: np.ndarray, split: SampleSplit | None) -> list[tuple[str, slice]]:
    """The blocks of volumes sets are tested on: ``(inference kind, rows)`` for each kind present.

    ``per-set`` rows are tested on the whole run and ``split-sample`` rows on
    the test block of ``split`` (the rule, in one place, for the subject
    table, its descriptive columns and the group's pooled test).
    """
    blocks = [("per-set", slice(None)), ("split-sample", None if split is None else split.test_rows)]
    return [(kind, rows) for kind, rows in blocks if (inference == kind).any()]


def describe_on_blocks(estimator: OInfoEstimator, data: np.ndarray | pd.DataFrame, table: pd.DataFrame,
                       split: SampleSplit | None) -> pd.DataFrame:
    """Another estimate of every row of a result table, on the volumes the row was tested on.

    The estimator is fitted once on the whole run for every set of the table
    (FMMI: one subject model) and each row is described on its block
    (:func:`tested_blocks`, through ``measures(sets, rows=...)``), so a
    descriptive column (FMMI beside a closed-form claim, or the gradient)
    describes the same data as the row's test.

    Parameters
    ----------
    estimator : OInfoEstimator
        Unfitted.
    data : array of shape (T, N) or pandas.DataFrame
    table : pandas.DataFrame
        A result table of :func:`assess_sets` (``set``, ``inference``), in any order.
    split : SampleSplit or None
        The split the table was tested with.

    Returns
    -------
    pandas.DataFrame
        :func:`fmri_oinfo.estimate_oinfo`'s columns, one row per table row, in its order.
    """
    kinds = table["inference"].to_numpy()
    sets = [tuple(g) for g in table["set"]]
    fitted = clone(estimator).fit(data, sets)
    frames = []
    for kind, block in tested_blocks(kinds, split):
        positions = np.flatnonzero(kinds == kind)
        rows = None if block == slice(None) else np.arange(block.start, block.stop)
        frames.append(fitted.measures([sets[i] for i in positions], rows=rows).to_frame().set_axis(positions))
    return pd.concat(frames).sort_index()


def _descriptive_columns(estimator: OInfoEstimator, data: np.ndarray | pd.DataFrame, table: pd.DataFrame,
                         design: Design) -> pd.DataFrame:
    """The columns the design adds beside the claims: ``o_info_gradient``, and FMMI's value, excess and test."""
    out = pd.DataFrame(index=table.index)
    if design.gradient:
        gradient = describe_on_blocks(clone(estimator).set_params(gradient=True), data, table, design.split)
        out["o_info_gradient"] = list(gradient["o_info_gradient"])
    if design.fmmi is not None and design.fmmi.name != estimator.name:
        fmmi = describe_on_blocks(design.fmmi, data, table, design.split)
        out["o_info_fmmi"] = fmmi["o_info"].to_numpy(float)
        out["o_info_fmmi_se"] = fmmi["o_info_se"].to_numpy(float)
        out["excess"] = fmmi["o_info_excess"].to_numpy(float)
        out["excess_se"] = fmmi["o_info_excess_se"].to_numpy(float)
        tests = excess_tests(out["excess"].to_numpy(float), out["excess_se"].to_numpy(float),
                             (out["o_info_fmmi"] - out["excess"]).to_numpy(float), design.alpha)
        for column in tests.columns:
            out[column] = tests[column].to_numpy()
    return out
