"""The result table of sets of multivariate variables (networks as variables).

The same claims as :func:`fmri_oinfo.stats.assess_sets` (surrogate p-value
with the Pareto tail, irreducibility, Benjamini-Hochberg, block-bootstrap
interval, effect size, label, families), for sets whose members are
variables of several columns (an estimator object fitted with ``variables=``).  The
one difference is what a surrogate moves: a **variable**, all its columns
together.  A circular shift rotates every column of a variable by the same
shift; phase randomisation adds the same random phases to every column of a
variable.  Either keeps each variable's own structure (its columns'
correlations, lagged correlations and spectra: a network stays a network)
and destroys only the dependence between variables, which is the null of
"these networks are independent".  Shifting the columns one by one would
also destroy the dependence *within* each variable, which the measures do
not count, and give a wrong null.

The p-value, tail and irreducibility functions, and the claims (FDR, effect,
label, families: :func:`fmri_oinfo.stats.assess.claims_table`) and ``attrs``
(:func:`~fmri_oinfo.stats.assess.result_attrs`) are those of the region table;
only the nulls are built here (the estimators' own ``null`` moves regions, not
variables).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence

import numpy as np
import pandas as pd

from fmri_oinfo.estimators.oinfo import CopulaOInfo, OInfoEstimator
from fmri_oinfo.estimators.params import clone
from fmri_oinfo.estimators.table import MeasureTable
from fmri_oinfo.stats.assess import MIN_EFFECT, Design, claims_table, result_attrs
from fmri_oinfo.stats.bootstrap import default_block_length, moving_block_indices
from fmri_oinfo.stats.irreducible import member_p_values
from fmri_oinfo.stats.labels import rank_order
from fmri_oinfo.stats.split import autocorrelation_length
from fmri_oinfo.stats.linear_surrogates import shared_phase_surrogates
from fmri_oinfo.stats.surrogates import SURROGATES, circular_shifts
from fmri_oinfo.stats.tail import BOUND, surrogate_p_values
from fmri_oinfo.validation import check_timeseries
from fmri_oinfo.variables import Variables, check_variables

#: Surrogate datasets generated per chunk.
CHUNK = 32


def variable_surrogates(values: np.ndarray, columns: Sequence[np.ndarray], n_surrogates: int, kind: str,
                        rng: np.random.Generator, moved: int | None = None, min_shift: int = 0) -> np.ndarray:
    """Surrogates that move each variable's columns together.

    Parameters
    ----------
    values : numpy.ndarray, shape (T, N)
    columns : sequence of numpy.ndarray of int
        Each variable's columns (disjoint); columns in no variable are left as they are.
    n_surrogates : int
    kind : {"circular", "phase"}
        One circular shift per variable (all its columns by the same
        amount), or one draw of random Fourier phases per variable added to
        all its columns (every column keeps its amplitude spectrum and the
        variable its cross-spectra).
    rng : numpy.random.Generator
    moved : int or None, default=None
        Move this variable alone (the irreducibility null); None moves
        every variable independently.
    min_shift : int, default=0
        Circular shifts lie in ``[min_shift, T - min_shift]``.

    Returns
    -------
    numpy.ndarray, shape (n_surrogates, T, N)
    """
    if kind not in SURROGATES:
        raise ValueError(f"surrogate={kind!r} is not known; use one of {list(SURROGATES)}.")
    n_time = values.shape[0]
    out = np.repeat(values[None, :, :], n_surrogates, axis=0)  # (S, T, N)
    chosen = range(len(columns)) if moved is None else [moved]
    for v in chosen:
        cols = np.asarray(columns[v])
        if kind == "circular":
            shifts = circular_shifts(n_time, (n_surrogates,), rng, min_shift)  # (S,)
            rows = (np.arange(n_time)[None, :] + shifts[:, None]) % n_time  # (S, T)
            out[:, :, cols] = values[rows][:, :, cols]
        else:
            out[:, :, cols] = shared_phase_surrogates(values[:, cols], n_surrogates, rng)  # one draw, all columns
    return out


class _Scorer:
    """O-information of the sets on datasets laid side by side (one estimator fit per batch).

    ``R`` datasets (T, N) become one (T, R N) table; each variable and set is
    repeated with its columns offset to each copy, and an unfitted copy of the
    estimator is fitted on it with those ``variables``.  Exact for estimators
    whose estimate of a set depends only on its own columns (the closed forms;
    FMMI models the sets it is asked for).
    """

    def __init__(self, variables: Variables, sets: list[np.ndarray], estimator: OInfoEstimator,
                 max_columns: int) -> None:
        self.variables, self.sets = variables, sets
        self.estimator = clone(estimator).set_params(units="nats", gradient=False)
        self.n_columns = int(sum(len(c) for c in variables.columns))
        self.per_call = max(1, max_columns // self.n_columns)

    def table(self, datasets: Sequence[np.ndarray]) -> MeasureTable:
        names = self.variables.names
        mapping = {f"{name}#{r}": (cols + r * self.n_columns).tolist()
                   for r in range(len(datasets)) for name, cols in zip(names, self.variables.columns)}
        sets = [tuple(f"{names[m]}#{r}" for m in g) for r in range(len(datasets)) for g in self.sets]
        fitted = clone(self.estimator).fit(np.concatenate(datasets, axis=1), sets, variables=mapping)
        return fitted.measures(sets)

    def o_info(self, datasets: Iterable[np.ndarray]) -> np.ndarray:
        """O-information of every set on every dataset, (R, G)."""
        out, pending = [], []
        for dataset in datasets:
            pending.append(dataset)
            if len(pending) == self.per_call:
                out.append(self.table(pending).o_info.reshape(len(pending), -1))
                pending = []
        if pending:
            out.append(self.table(pending).o_info.reshape(len(pending), -1))
        return np.concatenate(out, axis=0) if out else np.empty((0, len(self.sets)))


def _stream(values: np.ndarray, columns: Sequence[np.ndarray], n_surrogates: int, kind: str,
            rng: np.random.Generator, moved: int | None = None, min_shift: int = 0) -> Iterator[np.ndarray]:
    for start in range(0, n_surrogates, CHUNK):
        yield from variable_surrogates(values, columns, min(CHUNK, n_surrogates - start), kind, rng, moved,
                                       min_shift)


def _set_indices(sets: Iterable[Sequence[str | int]], names: list[str]) -> list[np.ndarray]:
    index = {name: j for j, name in enumerate(names)}
    rows = []
    for g in sets:
        members = [int(m) if isinstance(m, (int, np.integer)) and 0 <= m < len(names) else index.get(str(m))
                   for m in g]
        if any(m is None for m in members) or len(set(members)) != len(members) or len(members) < 3:
            raise ValueError(f"set {tuple(g)}: give at least 3 distinct variables of {names}.")
        rows.append(np.asarray(members, dtype=np.int64))
    if not rows:
        raise ValueError("no set was given; give sets of at least 3 variables.")
    return rows


def assess_variable_sets(
    data: np.ndarray | pd.DataFrame,
    variables: Mapping[str, Sequence[int | str]],
    sets: Iterable[Sequence[str | int]],
    estimator: OInfoEstimator | None = None,
    n_surrogates: int = 999,
    surrogate: str = "circular",
    n_bootstrap: int = 200,
    block_length: int | None = None,
    alpha: float = 0.05,
    ci_level: float = 0.95,
    seed: int = 0,
    tail: str = "gpd",
    min_effect: float = MIN_EFFECT,
    max_columns: int = 128,
    chosen_by: str = "networks",
) -> tuple[pd.DataFrame, np.ndarray]:
    """Estimate, test and bound the O-information of sets of variables of several columns.

    Parameters
    ----------
    data : array of shape (T, N) or pandas.DataFrame
        Time series (columns: regions or principal components).
    variables : mapping of str to sequence of int or str
        Each variable's columns (:func:`fmri_oinfo.estimate_oinfo`'s ``variables``).
    sets : iterable of sequences of str or int
        Sets of at least 3 variables (by name or position); orders may be mixed.
    estimator : OInfoEstimator or None, default=None
        An unfitted estimator (:class:`fmri_oinfo.estimators.CopulaOInfo`
        when None); unfitted copies fitted with ``variables=`` score the
        data, both nulls and the bootstrap.  It carries its own seed.
    n_surrogates, surrogate, n_bootstrap, block_length, alpha, ci_level, tail, min_effect
        As for :func:`fmri_oinfo.stats.assess_sets` (its :class:`~fmri_oinfo.stats.Design`),
        except that a surrogate moves a variable's columns together
        (:func:`variable_surrogates`).
    seed : int, default=0
        Seeds surrogates and resamples.
    max_columns : int, default=128
        Columns per estimator fit when surrogate datasets are laid side by side.
    chosen_by : str, default="networks"
        The ``chosen_by`` of every row (the sets are pre-specified: ``inference = "per-set"``).

    Returns
    -------
    table : pandas.DataFrame
        One row per set, ranked, with the result table's columns
        (``docs/results.md``; the claims of :func:`fmri_oinfo.stats.assess.claims_table`);
        ``set`` names variables.  ``attrs`` as the result table's, plus
        ``variables`` (each name to its columns) and ``surrogate_unit = "variable"``.
    null : numpy.ndarray, shape (G, n_surrogates)
        Surrogate O-information of each row of ``table``.

    Raises
    ------
    ValueError
        For invalid data, variables, sets, estimator or arguments.
    """
    estimator = CopulaOInfo() if estimator is None else estimator
    if not isinstance(estimator, OInfoEstimator):
        raise ValueError(f"estimator={estimator!r}: give an estimator object, for example CopulaOInfo() "
                         "(fmri_oinfo.estimators), or estimator_from_name(name).")
    design = Design(n_surrogates=n_surrogates, surrogate=surrogate, tail=tail, n_bootstrap=n_bootstrap,
                    block_length=block_length, alpha=alpha, ci_level=ci_level, min_effect=min_effect,
                    max_columns=max_columns)
    values, names = check_timeseries(data)
    blocks = check_variables(variables, names, values)
    members = _set_indices(sets, blocks.names)
    used = np.unique(np.concatenate(members))  # variables in any set
    kept = np.concatenate([blocks.columns[v] for v in used])
    local = Variables(names=[blocks.names[v] for v in used],
                      columns=list(np.split(np.arange(kept.size), np.cumsum([len(blocks.columns[v]) for v in used])[:-1])))
    sub = values[:, kept]  # (T, M): the used variables' columns, variable by variable
    rows = [np.searchsorted(used, g) for g in members]  # positions among the used variables
    rng = np.random.default_rng(seed)
    scorer = _Scorer(local, rows, estimator, max_columns)
    observed = scorer.table([sub])
    n_sets, orders = len(rows), np.array([len(g) for g in rows])
    width = int(orders.max())
    positions = np.full((n_sets, width), -1)  # (G, K): each member's variable, -1 beyond a set's order
    for i, g in enumerate(rows):
        positions[i, : len(g)] = g
    o_info = observed.o_info
    o_info_or_nan = np.where(np.isfinite(o_info), o_info, np.nan)
    null = scorer.o_info(_stream(sub, local.columns, n_surrogates, surrogate, rng))  # (R, G)
    p_value, method = surrogate_p_values(np.abs(o_info_or_nan), np.abs(null), tail)
    min_shift = autocorrelation_length(sub)
    member_null = np.full((n_surrogates, n_sets, width), np.nan)  # (R, G, K)
    for v in range(len(used)):  # one null per variable serves every set that holds it
        holds = positions == v  # (G, K)
        moved = scorer.o_info(_stream(sub, local.columns, n_surrogates, surrogate, rng, moved=v,
                                      min_shift=min_shift))  # (R, G)
        g, position = np.nonzero(holds)
        member_null[:, g, position] = moved[:, g]
    p_members, p_irreducible, p_irreducible_is_bound, member_fits = member_p_values(o_info_or_nan, member_null, tail)

    se = observed.standard_error if observed.standard_error is not None else np.full(n_sets, np.nan)
    ci_low = ci_high = np.full(n_sets, np.nan)
    length = default_block_length(values.shape[0]) if block_length is None else block_length
    if n_bootstrap > 0:
        resamples = moving_block_indices(values.shape[0], n_bootstrap, length, rng)  # (B, T)
        boot = scorer.o_info(sub[r] for r in resamples)  # (B, G)
        share = 100.0 * (1.0 - ci_level) / 2.0
        ci_low, ci_high = np.percentile(boot, [share, 100.0 - share], axis=0)
        if n_bootstrap >= 2:
            se = boot.std(axis=0, ddof=1)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        member_null_mean = np.nanmean(member_null, axis=0)  # (G, K)
    columns = {
        "o_info": o_info, "o_info_se": se, **{c: observed.columns[c] for c in ("tc", "dtc", "s_info")},
        "ci_low": ci_low, "ci_high": ci_high, "null_mean": np.nanmean(null, axis=0),
        "p_value": p_value, "p_irreducible": p_irreducible,
        "p_value_is_bound": method == BOUND, "p_irreducible_is_bound": p_irreducible_is_bound,
    }
    set_names = [tuple(local.names[m] for m in g) for g in rows]
    table, level = claims_table(set_names, [chosen_by] * n_sets, ["per-set"] * n_sets, columns, p_members,
                                [row[:n] for row, n in zip(member_null_mean, orders)], alpha, min_effect)
    ranked = rank_order(table)
    table = table.iloc[ranked].reset_index(drop=True)
    table.attrs.update(result_attrs(
        estimator.name, design, n_sets, int(np.isin(method, ("gpd", BOUND)).sum()) + member_fits, table, level,
        n_screened=0, selection=None, block_length=length, surrogate_unit="variable",
        irreducibility=f"each variable {surrogate}-{'shifted' if surrogate == 'circular' else 'randomised'} "
                       "alone, its columns together; intersection-union test (largest member p-value)",
    ))
    table.attrs["variables"] = {name: [names[c] for c in cols] for name, cols in zip(blocks.names, blocks.columns)}
    return table, null.T[ranked]
