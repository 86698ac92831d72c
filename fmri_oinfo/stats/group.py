"""Group statistics of per-subject O-information: permutation tests against each subject's baseline.

Input: a matrix ``values`` of shape (S subjects, G sets), NaN where a subject
has no estimate for a set (a region dropped during its extraction), and the
matching ``baselines``: each subject's own surrogate baseline of each set (the
mean of its surrogate null, ``null_mean`` of its result table: what the
estimator gives that subject's data when the regions are independent).  The
tests are on the *effects* ``values - baselines``, so an estimator's bias (it
depends on the number of volumes and the regions' autocorrelation) is never
an effect.

One-sample test (is the mean effect zero?)
    Sign-flip permutation test: under the null each subject's effect is
    symmetric around zero, so flipping its sign leaves the distribution
    unchanged.  Every set uses the same flips (their dependence is kept).
    Exact (all ``2**S`` flips) when ``2**S <= n_permutations``, else
    ``n_permutations`` random flips and ``p = (1 + #{|null| >= |observed|}) /
    (1 + n_permutations)``.  The smallest p-value is ``2 / 2**S``: with 3
    subjects 0.25, so nothing can be significant (``attrs["reachable"]``).
Two-sample test (do cohorts A and B differ?)
    Permutation of the cohort labels; the statistic is Welch's t of the
    effects, ``(mean_A - mean_B) / sqrt(var_A / n_A + var_B / n_B)``,
    recomputed on every relabelling (a studentised permutation test: Janssen
    1997, Chung & Romano 2013, *Exact and asymptotically robust permutation
    tests*, Ann. Statist. 41(2): 484-507).  It is exact when the two cohorts'
    effects have the same distribution and, unlike permuting the plain
    difference of means, keeps its level asymptotically when the cohorts'
    spreads and sizes differ (measured in ``benchmarks/cohort_welch_calibration.py``:
    16 vs 8 subjects, the smaller cohort's SD 3 times larger, the plain
    difference rejected 15 % of true nulls at 0.05).  Exact (every split) when
    there are at most ``n_permutations`` splits.  Each significant difference
    is named by its direction (``"patient > control, synergy"``:
    :func:`fmri_oinfo.stats.labels.direction_labels`).
Both are two-sided, computed for all sets at once (matrix products over
chunks of permutations), seeded, and FDR-corrected across sets with
Benjamini-Hochberg.  Effect sizes: Cohen's d (mean / SD; difference / pooled
SD) and Hedges' g (d times the small-sample correction ``1 - 3 / (4 df - 1)``).
Intervals are t intervals at ``1 - alpha``: of the mean (``n - 1`` df), and of
the difference with Welch's standard error and Welch-Satterthwaite df.

Findings are grouped into families of nested labelled sets, as in a
subject's table (:mod:`fmri_oinfo.stats.families`): in the group table sets
with the same label, in the between-cohort table sets with the same
``direction`` (so a family is one direction and one kind, and each map of
:func:`difference_directions` holds whole families).  Columns ``family`` and
``family_role``; maps and graphs count each family once.
"""

from __future__ import annotations

import itertools
import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as scipy_stats

from fmri_oinfo.stats.families import set_families
from fmri_oinfo.stats.fdr import benjamini_hochberg
from fmri_oinfo.stats.labels import direction_labels, label_sets, rank_order

#: Floats per chunk of permutations (bounds memory at about 8 bytes times this).
_CHUNK_ELEMENTS = 4_000_000

#: Relative tolerance when a permuted statistic ties with the observed one.
_TIE = 1e-12

@dataclass(frozen=True)
class OneSampleResult:
    """Per set: ``mean``, ``se``, ``n``, ``p``, ``ci_low``, ``ci_high``, ``cohen_d``, ``hedges_g`` (arrays (G,)).

    ``smallest_p`` is the smallest p-value the design can give.
    """

    mean: np.ndarray
    se: np.ndarray
    n: np.ndarray
    p: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    cohen_d: np.ndarray
    hedges_g: np.ndarray
    smallest_p: float = 0.0


@dataclass(frozen=True)
class TwoSampleResult:
    """Per set: cohort means and sizes, ``difference`` (A - B), its ``se``, ``p``, interval and effect sizes.

    ``smallest_p`` is the smallest p-value the design can give.
    """

    mean_a: np.ndarray
    mean_b: np.ndarray
    n_a: np.ndarray
    n_b: np.ndarray
    difference: np.ndarray
    se: np.ndarray
    p: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    cohen_d: np.ndarray
    hedges_g: np.ndarray
    smallest_p: float = 0.0


def _check_values(values: np.ndarray) -> np.ndarray:
    values = np.asarray(values, dtype=float)
    if values.ndim != 2:
        raise ValueError(f"values has shape {values.shape}; a 2-D array (subjects, sets) is needed.")
    if np.isinf(values).any():
        raise ValueError("values holds infinite O-information; check the per-subject estimates.")
    return values


def effects(values: np.ndarray, baselines: np.ndarray | None) -> np.ndarray:
    """``values - baselines`` (S, G); NaN where either is missing; ``values`` when ``baselines`` is None."""
    values = _check_values(values)
    if baselines is None:
        return values
    baselines = np.asarray(baselines, dtype=float)
    if baselines.shape != values.shape:
        raise ValueError(f"baselines has shape {baselines.shape}; the shape of values {values.shape} is needed.")
    return values - baselines


def _exceedances(null: np.ndarray, observed: np.ndarray) -> np.ndarray:
    """Count of ``|null| >= |observed|`` per column (ties within a relative tolerance)."""
    threshold = np.abs(observed) * (1.0 - _TIE)  # (G,)
    return (np.abs(null) >= threshold[None, :]).sum(axis=0)  # (G,)


def _chunks(n_permutations: int, n_subjects: int, n_sets: int) -> list[int]:
    size = max(1, _CHUNK_ELEMENTS // max(n_subjects, n_sets, 1))
    return [min(size, n_permutations - start) for start in range(0, n_permutations, size)]


def hedges_correction(df: np.ndarray) -> np.ndarray:
    """Small-sample correction ``J(df) = 1 - 3 / (4 df - 1)`` of Hedges' g (NaN for df < 1)."""
    df = np.asarray(df, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(df >= 1, 1.0 - 3.0 / (4.0 * df - 1.0), np.nan)


def sign_flip_resolution(n_subjects: int, n_permutations: int) -> float:
    """Smallest two-sided sign-flip p-value: ``2 / 2**S`` (all flips), or ``1 / (1 + n_permutations)`` if larger."""
    exact = 2.0 / 2.0**n_subjects
    if 2**n_subjects <= n_permutations:
        return exact
    return max(exact, 1.0 / (1.0 + n_permutations))


def label_permutation_resolution(n_a: int, n_b: int, n_permutations: int) -> float:
    """Smallest two-sided label-permutation p-value: 1 (or 2 when ``n_a == n_b``) of ``C(n_a + n_b, n_a)`` splits."""
    exact = (2.0 if n_a == n_b else 1.0) / math.comb(n_a + n_b, n_a)
    if math.comb(n_a + n_b, n_a) <= n_permutations:
        return exact
    return max(exact, 1.0 / (1.0 + n_permutations))


def group_reachability(smallest_p: float, n_sets: int, alpha: float, design: str) -> tuple[bool, str]:
    """Whether a group design can label a set at all, and what it cannot label.

    Benjamini-Hochberg over ``n_sets`` sets gives ``k`` sets at the smallest
    p-value the q-value ``smallest_p * n_sets / k``: a lone strong set is
    labelled only when ``smallest_p * n_sets < alpha``, and no set whatever the
    data when ``smallest_p >= alpha``.

    Parameters
    ----------
    smallest_p : float
        From :func:`sign_flip_resolution` or :func:`label_permutation_resolution`.
    n_sets : int
        Sets tested (Benjamini-Hochberg over them).
    alpha : float
    design : str
        The design in words (``"3 subjects, sign-flip test"``).

    Returns
    -------
    reachable : bool
        Whether some set can be labelled (``smallest_p < alpha``).
    note : str
        "" when a lone strong set can be labelled; else one sentence.
    """
    if smallest_p * n_sets < alpha:
        return True, ""
    if smallest_p >= alpha:
        return False, (
            f"{design}: the smallest possible p-value is {smallest_p:.3g} >= alpha = {alpha:g}, so no set can be "
            "significant whatever the data; more subjects are needed."
        )
    together = int(np.floor(smallest_p * n_sets / alpha)) + 1  # the fewest k with smallest_p * n_sets / k < alpha
    return True, (
        f"{design}: the smallest possible p-value is {smallest_p:.3g}, so over {n_sets} sets a lone set cannot "
        f"reach q < alpha = {alpha:g} (it needs p <= {alpha / n_sets:.2g}); sets are labelled only when at least "
        f"{together} reach that p-value together. To label a lone set, test fewer sets, or add subjects (or "
        "permutations, when the design allows more)."
    )


def one_sample_test(
    values: np.ndarray, n_permutations: int = 4999, alpha: float = 0.05, seed: int | np.random.Generator = 0
) -> OneSampleResult:
    """Sign-flip permutation test of a zero mean, for every set.

    Parameters
    ----------
    values : array of shape (S, G)
        Per-subject effects (nats; O-information minus the subject's baseline); NaN where missing.
    n_permutations : int, default=4999
        Random sign flips (all ``2**S`` when that is fewer).
    alpha : float, default=0.05
        Level of the ``1 - alpha`` t interval.
    seed : int or numpy.random.Generator, default=0

    Returns
    -------
    OneSampleResult
        ``p`` is NaN for sets with fewer than 2 subjects.
    """
    values = _check_values(values)
    valid = np.isfinite(values)  # (S, G)
    filled = np.where(valid, values, 0.0)  # (S, G)
    n = valid.sum(axis=0)  # (G,)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = filled.sum(axis=0) / n  # (G,)
        sd = np.sqrt(np.where(valid, (values - mean) ** 2, 0.0).sum(axis=0) / (n - 1))  # (G,)
        se = sd / np.sqrt(n)
        cohen_d = mean / sd
    n_subjects = values.shape[0]
    exact = 2**n_subjects <= n_permutations
    exceed = np.zeros(values.shape[1], dtype=np.int64)
    if exact:
        flips = np.array(list(itertools.product((1.0, -1.0), repeat=n_subjects)))  # (2^S, S)
        with np.errstate(divide="ignore", invalid="ignore"):
            exceed += _exceedances(flips @ filled / n, mean)
        p = exceed / flips.shape[0]
    else:
        rng = np.random.default_rng(seed)
        for size in _chunks(n_permutations, n_subjects, values.shape[1]):
            flips = rng.choice((-1.0, 1.0), size=(size, n_subjects))  # (P, S)
            with np.errstate(divide="ignore", invalid="ignore"):
                exceed += _exceedances(flips @ filled / n, mean)  # null (P, G)
        p = (1.0 + exceed) / (1.0 + n_permutations)
    t = scipy_stats.t.ppf(1.0 - alpha / 2.0, np.maximum(n - 1, 1))
    enough = n >= 2
    return OneSampleResult(
        mean=mean, se=np.where(enough, se, np.nan), n=n, p=np.where(enough, p, np.nan),
        ci_low=np.where(enough, mean - t * se, np.nan), ci_high=np.where(enough, mean + t * se, np.nan),
        cohen_d=np.where(enough, cohen_d, np.nan), hedges_g=np.where(enough, cohen_d * hedges_correction(n - 1), np.nan),
        smallest_p=sign_flip_resolution(n_subjects, n_permutations),
    )


def _cohort_moments(values: np.ndarray, valid: np.ndarray, member: np.ndarray) -> tuple[np.ndarray, ...]:
    mask = valid & member[:, None]  # (S, G)
    n = mask.sum(axis=0)  # (G,)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(mask, values, 0.0).sum(axis=0) / n
        var = np.where(mask, (values - mean) ** 2, 0.0).sum(axis=0) / (n - 1)
    return mean, var, n


def _label_draws(in_a: np.ndarray, n_permutations: int, n_sets: int,
                 rng: np.random.Generator) -> tuple[list[np.ndarray], int]:
    """Chunks of cohort-A indicators (P, S): every split when there are at most ``n_permutations``.

    Chunks hold at most about ``_CHUNK_ELEMENTS`` statistics (P times ``n_sets``).
    """
    n_subjects, n_a = in_a.size, int(in_a.sum())
    if math.comb(n_subjects, n_a) <= n_permutations:
        splits = np.zeros((math.comb(n_subjects, n_a), n_subjects))  # (C, S)
        for row, members in enumerate(itertools.combinations(range(n_subjects), n_a)):
            splits[row, list(members)] = 1.0
        size = max(1, _CHUNK_ELEMENTS // max(n_subjects, n_sets, 1))
        return [splits[start : start + size] for start in range(0, splits.shape[0], size)], 0
    sizes = _chunks(n_permutations, n_subjects, n_sets)
    draws = [rng.permuted(np.broadcast_to(in_a, (size, n_subjects)), axis=1).astype(float) for size in sizes]
    return draws, 1


def _welch_t(labels: np.ndarray, centred: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Welch's t of cohort A (``labels == 1``) against the rest, for every labelling and set.

    Parameters
    ----------
    labels : numpy.ndarray, shape (P, S)
        Cohort-A indicators (0/1) of P labellings.
    centred : numpy.ndarray, shape (S, G)
        Effects minus their column mean, 0 where missing (centring keeps the
        sums of squares accurate).
    weights : numpy.ndarray, shape (S, G)
        1 where an effect exists, else 0.

    Returns
    -------
    numpy.ndarray, shape (P, G)
        NaN where a cohort has fewer than 2 subjects or both have no spread.
    """
    count_a, sum_a, squares_a = labels @ weights, labels @ centred, labels @ centred**2  # (P, G) each
    count_b = weights.sum(axis=0) - count_a
    sum_b = centred.sum(axis=0) - sum_a
    squares_b = (centred**2).sum(axis=0) - squares_a
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_a, mean_b = sum_a / count_a, sum_b / count_b
        var_a = np.maximum(squares_a - sum_a * mean_a, 0.0) / (count_a - 1)
        var_b = np.maximum(squares_b - sum_b * mean_b, 0.0) / (count_b - 1)
        t = (mean_a - mean_b) / np.sqrt(var_a / count_a + var_b / count_b)
    return np.where((count_a >= 2) & (count_b >= 2) & np.isfinite(t), t, np.nan)


def two_sample_test(
    values: np.ndarray,
    in_a: np.ndarray,
    n_permutations: int = 4999,
    alpha: float = 0.05,
    seed: int | np.random.Generator = 0,
) -> TwoSampleResult:
    """Studentised label-permutation test of ``mean_A - mean_B`` (Welch's t permuted), for every set.

    Parameters
    ----------
    values : array of shape (S, G)
        Per-subject effects (nats); NaN where missing.
    in_a : array of bool, shape (S,)
        True for the subjects of cohort A, False for cohort B.
    n_permutations : int, default=4999
        Random relabellings (every split when there are at most this many).
    alpha : float, default=0.05
        Level of the ``1 - alpha`` Welch t interval of the difference.
    seed : int or numpy.random.Generator, default=0

    Returns
    -------
    TwoSampleResult
        ``p``: two-sided, ``|t|`` of the relabellings against the observed
        ``|t|`` (Welch's t; see the module docstring); ``se``: Welch's
        standard error ``sqrt(var_A / n_A + var_B / n_B)``; ``cohen_d`` and
        ``hedges_g`` use the pooled SD.  ``p`` is NaN for sets with fewer than
        2 subjects in either cohort, or with no spread in both cohorts.
    """
    values = _check_values(values)
    in_a = np.asarray(in_a, dtype=bool)
    if in_a.shape != (values.shape[0],):
        raise ValueError(f"in_a has shape {in_a.shape}; one flag per subject ({values.shape[0]}) is needed.")
    if in_a.all() or not in_a.any():
        raise ValueError("in_a puts every subject in one cohort; a two-sample test needs both cohorts.")
    valid = np.isfinite(values)  # (S, G)
    mean_a, var_a, n_a = _cohort_moments(values, valid, in_a)
    mean_b, var_b, n_b = _cohort_moments(values, valid, ~in_a)
    difference = mean_a - mean_b  # (G,)
    weights = valid.astype(float)  # (S, G)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a set no subject has: mean of nothing is NaN
        centred = np.where(valid, values - np.nanmean(np.where(valid, values, np.nan), axis=0), 0.0)  # (S, G)
    observed = _welch_t(in_a[None, :].astype(float), centred, weights)[0]  # (G,)
    draws, plus_one = _label_draws(in_a, n_permutations, values.shape[1], np.random.default_rng(seed))
    exceed = np.zeros(values.shape[1], dtype=np.int64)
    for labels in draws:
        exceed += _exceedances(_welch_t(labels, centred, weights), observed)
    total = sum(d.shape[0] for d in draws)
    p = np.where(np.isfinite(observed), (plus_one + exceed) / (plus_one + total), np.nan)
    df = n_a + n_b - 2
    with np.errstate(divide="ignore", invalid="ignore"):
        pooled_sd = np.sqrt(((n_a - 1) * var_a + (n_b - 1) * var_b) / df)  # (G,)
        cohen_d = difference / pooled_sd
        share_a, share_b = var_a / n_a, var_b / n_b
        se = np.sqrt(share_a + share_b)  # Welch
        welch_df = (share_a + share_b) ** 2 / (share_a**2 / (n_a - 1) + share_b**2 / (n_b - 1))
    t = scipy_stats.t.ppf(1.0 - alpha / 2.0, np.where(np.isfinite(welch_df), np.maximum(welch_df, 1), 1))
    enough = (n_a >= 2) & (n_b >= 2)
    nan = np.nan
    return TwoSampleResult(
        mean_a=mean_a, mean_b=mean_b, n_a=n_a, n_b=n_b, difference=difference,
        se=np.where(enough, se, nan), p=np.where(enough, p, nan),
        ci_low=np.where(enough, difference - t * se, nan), ci_high=np.where(enough, difference + t * se, nan),
        cohen_d=np.where(enough, cohen_d, nan),
        hedges_g=np.where(enough, cohen_d * hedges_correction(df), nan),
        smallest_p=label_permutation_resolution(int(in_a.sum()), int((~in_a).sum()), n_permutations),
    )


def _in_direction(p_two: np.ndarray, observed: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """The two-sided p-value where the effect has the ``wanted`` sign, else 1.

    ``wanted`` (the set's direction) is read from the same data, so the
    one-sided half would reject up to twice as often as its level.
    """
    agree = (np.sign(observed) == np.sign(wanted)) & (observed != 0)
    return np.where(agree, p_two, 1.0)


def member_effects(values: np.ndarray, member_baselines: np.ndarray) -> np.ndarray:
    """Each member's contribution per subject: ``O(S)`` minus the mean with that member alone shifted, (S, G, K)."""
    member_baselines = np.asarray(member_baselines, dtype=float)
    if member_baselines.shape[:2] != values.shape:
        raise ValueError(f"member_baselines has shape {member_baselines.shape}; (subjects, sets, members) "
                         f"with the first two of values {values.shape} is needed.")
    return values[:, :, None] - member_baselines


def _largest_member_p(p_members: np.ndarray, exists: np.ndarray) -> np.ndarray:
    """Intersection-union p-value per set: the largest member p-value (NaN if any member has none)."""
    missing = (exists & np.isnan(p_members)).any(axis=1)
    largest = np.max(np.where(exists, np.nan_to_num(p_members, nan=1.0), -np.inf), axis=1)
    return np.where(missing, np.nan, largest)


def group_irreducibility(
    contributions: np.ndarray, direction: np.ndarray, in_a: np.ndarray | None, n_permutations: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Is every member's contribution an effect at the group level (intersection-union over members)?

    Parameters
    ----------
    contributions : numpy.ndarray, shape (S, G, K)
        :func:`member_effects` (NaN beyond a set's order or where missing).
    direction : numpy.ndarray, shape (G,)
        The sign each contribution must have (the set's effect, or its difference).
    in_a : numpy.ndarray of bool, shape (S,), or None
        None: one-sample sign-flip tests; else label-permutation tests of A - B.
    n_permutations, seed
        As for :func:`one_sample_test` / :func:`two_sample_test`.

    Returns
    -------
    p_members : numpy.ndarray, shape (G, K)
        Each member's two-sided p-value where its contribution has the set's
        sign, else 1 (NaN beyond a set's order).
    p_irreducible : numpy.ndarray, shape (G,)
    """
    n_subjects, n_sets, width = contributions.shape
    flat = contributions.reshape(n_subjects, n_sets * width)  # (S, G * K)
    exists = ~np.isnan(contributions).all(axis=0)  # (G, K)
    if in_a is None:
        result = one_sample_test(flat, n_permutations, seed=seed)
        observed = result.mean
    else:
        result = two_sample_test(flat, in_a, n_permutations, seed=seed)
        observed = result.difference
    wanted = np.repeat(direction, width)  # (G * K,)
    p_members = _in_direction(result.p, observed, wanted).reshape(n_sets, width)
    p_members[~exists] = np.nan
    return p_members, _largest_member_p(p_members, exists)


def _combined_q(p: np.ndarray, p_irreducible: np.ndarray | None) -> np.ndarray:
    """Benjamini-Hochberg over ``max(p, p_irreducible)`` (or ``p`` alone); NaN where either is NaN."""
    if p_irreducible is None:
        return benjamini_hochberg(p)
    combined = np.fmax(p, p_irreducible)
    combined[np.isnan(p) | np.isnan(p_irreducible)] = np.nan
    return benjamini_hochberg(combined)


def with_families(table: pd.DataFrame, key: str, magnitude: np.ndarray) -> pd.DataFrame:
    """Add ``family`` and ``family_role`` to a group table, in place (:func:`fmri_oinfo.stats.families.set_families`).

    Parameters
    ----------
    table : pandas.DataFrame
        Group table with ``set``, ``label`` and ``q_value``.
    key : str
        Column whose value links sets: ``"label"`` (group table) or
        ``"direction"`` (between-cohort table); rows where ``label`` is
        ``"n.s."`` join no family.
    magnitude : numpy.ndarray, shape (G,)
        What ranks rows of equal q (the effect, or the difference); with the
        q-values it numbers the families and breaks ties between heads.

    Returns
    -------
    pandas.DataFrame
        ``table``.
    """
    significant = (table["label"] != "n.s.").to_numpy()
    values = table[key].to_numpy(dtype=object)
    rank = rank_order(pd.DataFrame({"label": table["label"].to_numpy(), "q_value": table["q_value"].to_numpy(float),
                                    "o_info": magnitude}))
    table["family"], table["family_role"] = set_families(list(table["set"]), values, rank,
                                                         findings=set(values[significant]) - {"", "n.s."})
    return table


def _set_columns(sets: pd.DataFrame) -> pd.DataFrame:
    return sets.loc[:, ["set", "order", "chosen_by"]].reset_index(drop=True).copy()


def group_mean_table(
    sets: pd.DataFrame,
    values: np.ndarray,
    baselines: np.ndarray | None,
    quantities: dict[str, np.ndarray] | None = None,
    n_permutations: int = 4999,
    alpha: float = 0.05,
    seed: int = 0,
    member_baselines: np.ndarray | None = None,
) -> pd.DataFrame:
    """Group result table: mean O-information per set, tested against the subjects' own baselines.

    Parameters
    ----------
    sets : pandas.DataFrame
        The common candidate list (``set``, ``order``, ``chosen_by``), G rows.
    values : array of shape (S, G)
        Per-subject O-information (nats).
    baselines : array of shape (S, G) or None
        Per-subject surrogate baselines (``null_mean`` of each subject's
        result table); None tests against 0 (only for values known to be
        unbiased).
    quantities : dict of str to array (S, G), optional
        Other per-subject quantities (``tc``, ``dtc``, ``s_info``) averaged into
        the table.
    n_permutations, alpha, seed
        See :func:`one_sample_test`.
    member_baselines : array of shape (S, G, K) or None
        Per-subject, per-member baselines (``member_null_mean`` of each
        subject's result table, NaN-padded): each member's contribution
        ``O(S) - baseline`` must be an effect in the set's direction too
        (:func:`group_irreducibility`), so a real set padded with unrelated
        regions is not labelled.  None: no irreducibility test.

    Returns
    -------
    pandas.DataFrame
        ``set``, ``order``, ``chosen_by``, ``o_info`` (mean over subjects),
        ``o_info_baseline`` (mean baseline), ``o_info_effect`` (mean of
        O-information minus baseline: what is tested), ``o_info_se`` (its SE
        across subjects), ``tc``, ``dtc``, ``s_info``, ``ci_low``,
        ``ci_high`` (t interval of the effect), ``p_value``, ``q_value``,
        ``p_irreducible`` and ``irreducible`` (with ``member_baselines``),
        ``label`` (by the effect's sign; q-values over ``max(p_value,
        p_irreducible)``), ``n_subjects``, ``cohen_d`` and ``hedges_g`` (of
        the effect), ``family`` and ``family_role`` (labelled sets with the
        same label nested in one another are one family: :func:`with_families`;
        ranked by q, then by ``|o_info_effect|``).  ``attrs``: ``test``,
        ``n_permutations``, ``alpha``, ``seed``, ``error_rate``,
        ``baseline``, ``smallest_p``, ``reachable``, ``reachability_note``.
    """
    values = _check_values(values)
    effect = effects(values, baselines)
    result = one_sample_test(effect, n_permutations, alpha, seed)
    p_irreducible = None
    if member_baselines is not None:
        _, p_irreducible = group_irreducibility(member_effects(values, member_baselines), result.mean, None,
                                                n_permutations, seed)
    q = _combined_q(result.p, p_irreducible)
    table = _set_columns(sets)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a set no subject has: mean of nothing is NaN
        table["o_info"] = np.nanmean(np.where(np.isfinite(effect), values, np.nan), axis=0)
        table["o_info_baseline"] = (np.nanmean(np.where(np.isfinite(effect), baselines, np.nan), axis=0)
                                    if baselines is not None else 0.0)
        table["o_info_effect"] = result.mean
        table["o_info_se"] = result.se
        for name in ("tc", "dtc", "s_info"):
            table[name] = np.nanmean(quantities[name], axis=0) if quantities and name in quantities else np.nan
    table["ci_low"], table["ci_high"] = result.ci_low, result.ci_high
    table["p_value"] = result.p
    if p_irreducible is not None:
        table["p_irreducible"] = p_irreducible
    table["q_value"] = q
    irreducible = None if p_irreducible is None else np.nan_to_num(p_irreducible, nan=1.0) < alpha
    if irreducible is not None:
        table["irreducible"] = irreducible
    table["label"] = label_sets(result.mean, q, alpha, irreducible)
    table["n_subjects"] = result.n
    table["cohen_d"], table["hedges_g"] = result.cohen_d, result.hedges_g
    with_families(table, "label", result.mean)
    n_subjects = values.shape[0]
    reachable, note = group_reachability(result.smallest_p, len(table), alpha,
                                         f"{n_subjects} subjects, sign-flip test")
    table.attrs.update(
        test="sign-flip permutation of each subject's O-information minus its surrogate baseline",
        n_permutations=n_permutations, alpha=alpha, seed=seed, error_rate="FDR",
        baseline="each subject's surrogate null mean" if baselines is not None else "0",
        smallest_p=result.smallest_p, reachable=reachable, reachability_note=note,
    )
    return table


def cohort_difference_table(
    sets: pd.DataFrame,
    values: np.ndarray,
    baselines: np.ndarray | None,
    cohorts: np.ndarray,
    cohort_a: str,
    cohort_b: str,
    n_permutations: int = 4999,
    alpha: float = 0.05,
    seed: int = 0,
    member_baselines: np.ndarray | None = None,
) -> pd.DataFrame:
    """Between-cohort table: ``cohort_a - cohort_b`` per set, permutation p, BH q, direction in words.

    Parameters
    ----------
    sets : pandas.DataFrame
        Common candidate list, G rows.
    values : array of shape (S, G)
    baselines : array of shape (S, G) or None
        Each subject's surrogate baselines (see :func:`group_mean_table`).
    cohorts : array of str, shape (S,)
        Each subject's cohort; only subjects of ``cohort_a`` and ``cohort_b`` are used.
    cohort_a, cohort_b : str
    n_permutations, alpha, seed
        See :func:`two_sample_test`.
    member_baselines : array of shape (S, G, K) or None
        As for :func:`group_mean_table`: each member's contribution must
        differ between the cohorts in the direction of the set's difference.

    Returns
    -------
    pandas.DataFrame
        ``set``, ``order``, ``chosen_by``, ``mean_a``, ``mean_b`` (cohort
        means of O-information minus baseline), ``n_a``, ``n_b``,
        ``difference`` (nats, A - B), ``difference_se``, ``ci_low``,
        ``ci_high``, ``p_value``, ``q_value``, ``cohen_d``, ``hedges_g``,
        ``label`` (``"higher in A"`` / ``"higher in B"``: higher
        O-information, where ``q < alpha``, else ``"n.s."``) and
        ``direction`` (``"<A> > <B>, synergy"`` and the like, "" where not
        significant), ``family`` and ``family_role`` (significant sets with
        the same ``direction`` nested in one another are one family:
        :func:`with_families`; ranked by q, then by ``|difference|``).
        ``attrs``: ``cohort_a``, ``cohort_b``, ``test``,
        ``n_permutations``, ``alpha``, ``seed``, ``error_rate``,
        ``smallest_p``, ``reachable``, ``reachability_note``.
    """
    cohorts = np.asarray(cohorts, dtype=object)
    used = (cohorts == cohort_a) | (cohorts == cohort_b)
    effect = effects(values, baselines)[used]
    in_a = cohorts[used] == cohort_a
    result = two_sample_test(effect, in_a, n_permutations, alpha, seed)
    p_irreducible = None
    if member_baselines is not None:
        contributions = member_effects(_check_values(values), member_baselines)[used]
        _, p_irreducible = group_irreducibility(contributions, result.difference, in_a, n_permutations, seed)
    q = _combined_q(result.p, p_irreducible)
    table = difference_frame(sets, result, q, alpha, cohort_a, cohort_b, p_irreducible)
    design = f"{int(in_a.sum())} {cohort_a} and {int((~in_a).sum())} {cohort_b} subjects, label permutations"
    reachable, note = group_reachability(result.smallest_p, len(table), alpha, design)
    table.attrs.update(test="label permutation of Welch's t of each subject's O-information minus its "
                            "surrogate baseline", n_permutations=n_permutations, alpha=alpha, seed=seed,
                       cohort_a=cohort_a, cohort_b=cohort_b, error_rate="FDR", smallest_p=result.smallest_p,
                       reachable=reachable, reachability_note=note)
    return table


def difference_frame(sets: pd.DataFrame, result: TwoSampleResult, q: np.ndarray, alpha: float, cohort_a: str,
                     cohort_b: str, p_irreducible: np.ndarray | None = None) -> pd.DataFrame:
    """The columns of a between-cohort table from a test result (shared by the pooled test)."""
    table = _set_columns(sets)
    table["mean_a"], table["mean_b"] = result.mean_a, result.mean_b
    table["n_a"], table["n_b"] = result.n_a, result.n_b
    table["difference"], table["difference_se"] = result.difference, result.se
    table["ci_low"], table["ci_high"] = result.ci_low, result.ci_high
    table["p_value"] = result.p
    significant = np.isfinite(result.difference) & (q < alpha)
    if p_irreducible is not None:
        table["p_irreducible"] = p_irreducible
        table["irreducible"] = np.nan_to_num(p_irreducible, nan=1.0) < alpha
        significant &= table["irreducible"].to_numpy()
    table["q_value"] = q
    table["cohen_d"], table["hedges_g"] = result.cohen_d, result.hedges_g
    label = np.where(result.difference > 0, "higher in A", "higher in B").astype(object)
    label[~significant] = "n.s."
    table["label"] = label
    table["direction"] = direction_labels(result.mean_a, result.mean_b, significant, cohort_a, cohort_b)
    return with_families(table, "direction", result.difference)


def difference_as_results(difference: pd.DataFrame) -> pd.DataFrame:
    """A between-cohort table in result-table form, for maps and graphs.

    Each significant set is labelled by the kind its direction names:
    ``"redundant"`` when one cohort has more redundancy, ``"synergistic"``
    when one cohort has more synergy; ``o_info`` is ``|difference|`` with that
    kind's sign, so the redundancy map never shows "less synergy" as
    redundancy.  The ``direction`` column says which cohort (split on it for
    one map per direction: :func:`difference_directions`).  ``family`` and
    ``family_role`` are kept, so maps and graphs count each family of nested
    sets once.
    """
    columns = ["set", "order", "chosen_by", "p_value", "q_value", "ci_low", "ci_high", "direction",
               "family", "family_role"]
    table = difference.loc[:, [c for c in columns if c in difference.columns]].copy()
    magnitude = np.abs(difference["difference"].to_numpy(float))
    synergy = table["direction"].str.endswith(", synergy").to_numpy()
    redundancy = table["direction"].str.endswith(", redundancy").to_numpy()
    table["o_info"] = np.where(synergy, -magnitude, magnitude)
    table["o_info_se"] = difference["difference_se"].to_numpy(float)
    label = np.full(len(table), "n.s.", dtype=object)
    label[redundancy], label[synergy] = "redundant", "synergistic"
    table["label"] = label
    return table


def difference_directions(difference: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """One result-table-form table per direction found (``"patient > control, synergy"``: its sets only)."""
    results = difference_as_results(difference)
    names = [d for d in dict.fromkeys(results["direction"]) if d]
    return {name: results[results["direction"] == name].reset_index(drop=True) for name in names}
