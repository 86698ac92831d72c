"""Group statistics of per-subject O-information: permutation tests and effect sizes.

Input: a matrix ``values`` of shape (S subjects, G sets), NaN where a subject
has no estimate for a set (a region dropped during its extraction).

One-sample test (is the mean O-information zero?)
    Sign-flip permutation test of the mean: under the null the subjects'
    values are symmetric around zero, so flipping the sign of any subject's
    values leaves their distribution unchanged.  Every set uses the same
    flips (their dependence is kept).  Exact (all ``2**S`` flips) when
    ``2**S <= n_permutations``, else ``n_permutations`` random flips and
    ``p = (1 + #{|null| >= |observed|}) / (1 + n_permutations)``.
Two-sample test (do cohorts A and B differ?)
    Permutation of the cohort labels; statistic ``mean_A - mean_B``, same
    two-sided p-value.
Both are two-sided, computed for all sets at once (matrix products over
chunks of permutations), seeded, and FDR-corrected across sets with
Benjamini-Hochberg.  Effect sizes: Cohen's d (mean / SD; difference / pooled
SD) and Hedges' g (d times the small-sample correction ``1 - 3 / (4 df - 1)``).
Intervals are t intervals at ``1 - alpha``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as scipy_stats

from fmri_oinfo.stats import benjamini_hochberg

#: Floats per chunk of permutations (bounds memory at about 8 bytes times this).
_CHUNK_ELEMENTS = 4_000_000

#: Relative tolerance when a permuted statistic ties with the observed one.
_TIE = 1e-12


@dataclass(frozen=True)
class OneSampleResult:
    """Per set: ``mean``, ``se``, ``n``, ``p``, ``ci_low``, ``ci_high``, ``cohen_d``, ``hedges_g`` (arrays (G,))."""

    mean: np.ndarray
    se: np.ndarray
    n: np.ndarray
    p: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    cohen_d: np.ndarray
    hedges_g: np.ndarray


@dataclass(frozen=True)
class TwoSampleResult:
    """Per set: cohort means and sizes, ``difference`` (A - B), its ``se``, ``p``, interval and effect sizes."""

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


def _check_values(values: np.ndarray) -> np.ndarray:
    values = np.asarray(values, dtype=float)
    if values.ndim != 2:
        raise ValueError(f"values has shape {values.shape}; a 2-D array (subjects, sets) is needed.")
    if np.isinf(values).any():
        raise ValueError("values holds infinite O-information; check the per-subject estimates.")
    return values


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


def one_sample_test(
    values: np.ndarray, n_permutations: int = 4999, alpha: float = 0.05, seed: int | np.random.Generator = 0
) -> OneSampleResult:
    """Sign-flip permutation test of a zero mean, for every set.

    Parameters
    ----------
    values : array of shape (S, G)
        Per-subject O-information (nats); NaN where missing.
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
        total = flips.shape[0]
        p = exceed / total
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
    )


def _cohort_moments(values: np.ndarray, valid: np.ndarray, member: np.ndarray) -> tuple[np.ndarray, ...]:
    mask = valid & member[:, None]  # (S, G)
    n = mask.sum(axis=0)  # (G,)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(mask, values, 0.0).sum(axis=0) / n
        var = np.where(mask, (values - mean) ** 2, 0.0).sum(axis=0) / (n - 1)
    return mean, var, n


def two_sample_test(
    values: np.ndarray,
    in_a: np.ndarray,
    n_permutations: int = 4999,
    alpha: float = 0.05,
    seed: int | np.random.Generator = 0,
) -> TwoSampleResult:
    """Label-permutation test of ``mean_A - mean_B``, for every set.

    Parameters
    ----------
    values : array of shape (S, G)
        Per-subject O-information (nats); NaN where missing.
    in_a : array of bool, shape (S,)
        True for the subjects of cohort A, False for cohort B.
    n_permutations : int, default=4999
    alpha : float, default=0.05
        Level of the ``1 - alpha`` t interval (pooled variance).
    seed : int or numpy.random.Generator, default=0

    Returns
    -------
    TwoSampleResult
        ``p`` is NaN for sets with fewer than 2 subjects in either cohort.
    """
    values = _check_values(values)
    in_a = np.asarray(in_a, dtype=bool)
    if in_a.shape != (values.shape[0],):
        raise ValueError(f"in_a has shape {in_a.shape}; one flag per subject ({values.shape[0]}) is needed.")
    if in_a.all() or not in_a.any():
        raise ValueError("in_a puts every subject in one cohort; a two-sample test needs both cohorts.")
    valid = np.isfinite(values)  # (S, G)
    filled = np.where(valid, values, 0.0)
    mean_a, var_a, n_a = _cohort_moments(values, valid, in_a)
    mean_b, var_b, n_b = _cohort_moments(values, valid, ~in_a)
    difference = mean_a - mean_b  # (G,)
    total_sum, total_n = filled.sum(axis=0), valid.sum(axis=0)  # (G,)
    weights = valid.astype(float)  # (S, G)
    rng = np.random.default_rng(seed)
    exceed = np.zeros(values.shape[1], dtype=np.int64)
    for size in _chunks(n_permutations, values.shape[0], values.shape[1]):
        labels = rng.permuted(np.broadcast_to(in_a, (size, in_a.size)), axis=1).astype(float)  # (P, S)
        sum_a, count_a = labels @ filled, labels @ weights  # (P, G)
        with np.errstate(divide="ignore", invalid="ignore"):
            null = sum_a / count_a - (total_sum - sum_a) / (total_n - count_a)  # (P, G)
        exceed += _exceedances(null, difference)
    p = (1.0 + exceed) / (1.0 + n_permutations)
    df = n_a + n_b - 2
    with np.errstate(divide="ignore", invalid="ignore"):
        pooled_sd = np.sqrt(((n_a - 1) * var_a + (n_b - 1) * var_b) / df)  # (G,)
        se = pooled_sd * np.sqrt(1.0 / n_a + 1.0 / n_b)
        cohen_d = difference / pooled_sd
    t = scipy_stats.t.ppf(1.0 - alpha / 2.0, np.maximum(df, 1))
    enough = (n_a >= 2) & (n_b >= 2)
    nan = np.nan
    return TwoSampleResult(
        mean_a=mean_a, mean_b=mean_b, n_a=n_a, n_b=n_b, difference=difference,
        se=np.where(enough, se, nan), p=np.where(enough, p, nan),
        ci_low=np.where(enough, difference - t * se, nan), ci_high=np.where(enough, difference + t * se, nan),
        cohen_d=np.where(enough, cohen_d, nan),
        hedges_g=np.where(enough, cohen_d * hedges_correction(df), nan),
    )


def _labels(effect: np.ndarray, q: np.ndarray, alpha: float, positive: str, negative: str) -> np.ndarray:
    labels = np.where(effect > 0, positive, negative).astype(object)
    labels[~(q < alpha)] = "n.s."
    return labels


def group_mean_table(
    sets: pd.DataFrame,
    values: np.ndarray,
    quantities: dict[str, np.ndarray] | None = None,
    n_permutations: int = 4999,
    alpha: float = 0.05,
    seed: int = 0,
) -> pd.DataFrame:
    """Group result table: mean O-information per set, sign-flip p, BH q, effect sizes.

    Parameters
    ----------
    sets : pandas.DataFrame
        The common candidate list (``set``, ``order``, ``chosen_by``), G rows.
    values : array of shape (S, G)
        Per-subject O-information (nats).
    quantities : dict of str to array (S, G), optional
        Other per-subject quantities (``tc``, ``dtc``, ``s_info``) averaged into
        the table.
    n_permutations, alpha, seed
        See :func:`one_sample_test`.

    Returns
    -------
    pandas.DataFrame
        The result-table columns (``set``, ``order``, ``chosen_by``,
        ``o_info`` = group mean, ``o_info_se`` = SE across subjects, ``tc``,
        ``dtc``, ``s_info``, ``ci_low``, ``ci_high``, ``p_value``, ``q_value``,
        ``label``) plus ``n_subjects``, ``cohen_d`` and ``hedges_g``.
    """
    result = one_sample_test(values, n_permutations, alpha, seed)
    q = benjamini_hochberg(result.p)
    table = sets.loc[:, ["set", "order", "chosen_by"]].reset_index(drop=True).copy()
    table["o_info"] = result.mean
    table["o_info_se"] = result.se
    with np.errstate(invalid="ignore"):
        for name in ("tc", "dtc", "s_info"):
            table[name] = np.nanmean(quantities[name], axis=0) if quantities and name in quantities else np.nan
    table["ci_low"], table["ci_high"] = result.ci_low, result.ci_high
    table["p_value"], table["q_value"] = result.p, q
    table["label"] = _labels(result.mean, q, alpha, "redundant", "synergistic")
    table["n_subjects"] = result.n
    table["cohen_d"], table["hedges_g"] = result.cohen_d, result.hedges_g
    table.attrs.update(test="sign-flip permutation", n_permutations=n_permutations, alpha=alpha, seed=seed)
    return table


def cohort_difference_table(
    sets: pd.DataFrame,
    values: np.ndarray,
    cohorts: np.ndarray,
    cohort_a: str,
    cohort_b: str,
    n_permutations: int = 4999,
    alpha: float = 0.05,
    seed: int = 0,
) -> pd.DataFrame:
    """Between-cohort table: ``cohort_a - cohort_b`` per set, permutation p, BH q, effect sizes.

    Parameters
    ----------
    sets : pandas.DataFrame
        Common candidate list, G rows.
    values : array of shape (S, G)
    cohorts : array of str, shape (S,)
        Each subject's cohort; only subjects of ``cohort_a`` and ``cohort_b`` are used.
    cohort_a, cohort_b : str
    n_permutations, alpha, seed
        See :func:`two_sample_test`.

    Returns
    -------
    pandas.DataFrame
        ``set``, ``order``, ``chosen_by``, ``mean_a``, ``mean_b``, ``n_a``,
        ``n_b``, ``difference`` (nats, A - B), ``difference_se``, ``ci_low``,
        ``ci_high``, ``p_value``, ``q_value``, ``cohen_d``, ``hedges_g``, and
        ``label``: ``"higher in A"`` / ``"higher in B"`` (O-information,
        i.e. more redundant / less synergistic) where ``q < alpha``, else
        ``"n.s."``.  ``attrs`` holds ``cohort_a`` and ``cohort_b``.
    """
    cohorts = np.asarray(cohorts, dtype=object)
    used = (cohorts == cohort_a) | (cohorts == cohort_b)
    result = two_sample_test(np.asarray(values)[used], cohorts[used] == cohort_a, n_permutations, alpha, seed)
    q = benjamini_hochberg(result.p)
    table = sets.loc[:, ["set", "order", "chosen_by"]].reset_index(drop=True).copy()
    table["mean_a"], table["mean_b"] = result.mean_a, result.mean_b
    table["n_a"], table["n_b"] = result.n_a, result.n_b
    table["difference"], table["difference_se"] = result.difference, result.se
    table["ci_low"], table["ci_high"] = result.ci_low, result.ci_high
    table["p_value"], table["q_value"] = result.p, q
    table["cohen_d"], table["hedges_g"] = result.cohen_d, result.hedges_g
    table["label"] = _labels(result.difference, q, alpha, "higher in A", "higher in B")
    table.attrs.update(test="label permutation", n_permutations=n_permutations, alpha=alpha, seed=seed,
                       cohort_a=cohort_a, cohort_b=cohort_b)
    return table


def difference_as_results(difference: pd.DataFrame) -> pd.DataFrame:
    """A between-cohort table in result-table form, for maps and graphs.

    ``o_info`` is the difference (A - B); ``label`` is ``"redundant"`` for
    sets significantly higher in A and ``"synergistic"`` for sets
    significantly higher in B.
    """
    table = difference.loc[:, ["set", "order", "chosen_by", "p_value", "q_value", "ci_low", "ci_high"]].copy()
    table["o_info"] = difference["difference"].to_numpy(float)
    table["o_info_se"] = difference["difference_se"].to_numpy(float)
    table["label"] = difference["label"].map({"higher in A": "redundant", "higher in B": "synergistic"}).fillna("n.s.")
    return table
