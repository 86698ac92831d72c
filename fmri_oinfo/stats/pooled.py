"""Pooled (fixed-effects) between-cohort test of Gaussian O-information, from correlation matrices.

Under pooling each subject's regions are z-scored (``ddof=1``) and the series
are concatenated; the Gaussian O-information of a set then depends on the data
only through the pooled correlation matrix, the average of the subjects'
correlation matrices weighted by ``T_s - 1``.  Permuting the cohort labels
re-pools the permuted cohorts from those matrices, and every O-information
comes from the Gaussian estimator's own code
(:func:`fmri_oinfo.stats.closed_form.closed_form_o_info`).

Pooling gives one estimation many more time points (a fixed-effects
analysis: the inference is about these subjects' data, not about the
population they come from); :func:`pool_series` prepares the data for
:func:`fmri_oinfo.stats.assess_sets`, :func:`pooled_cohort_difference` tests
two cohorts.  The alternative, per-subject estimation followed by group
statistics (:mod:`fmri_oinfo.stats.group`), treats subjects as a random
sample (random effects).  ``docs/group.md`` says when to use which.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import pandas as pd

from fmri_oinfo.stats.closed_form import closed_form_o_info
from fmri_oinfo.stats.fdr import benjamini_hochberg
from fmri_oinfo.stats.group import TwoSampleResult, difference_frame, group_reachability, label_permutation_resolution

logger = logging.getLogger(__name__)

#: Permutations re-pooled at once (bounds memory at this * regions**2 floats).
_PERMUTATION_CHUNK = 64


def pooled_o_info(correlations: np.ndarray, weights: np.ndarray, sets: Sequence[np.ndarray]) -> np.ndarray:
    """Gaussian O-information of every set under pooling with ``weights``.

    Parameters
    ----------
    correlations : numpy.ndarray, shape (S, N, N)
        Each subject's correlation matrix.
    weights : numpy.ndarray, shape (P, S)
        Per pooling, each subject's weight (``T_s - 1``, or 0 to leave it out).
    sets : sequence of numpy.ndarray of int

    Returns
    -------
    numpy.ndarray, shape (P, G)
    """
    pooled = np.einsum("ps,snm->pnm", weights, correlations) / weights.sum(axis=1)[:, None, None]  # (P, N, N)
    return closed_form_o_info(pooled, sets)


def pooled_difference_table(
    correlations: np.ndarray,
    lengths: np.ndarray,
    in_a: np.ndarray,
    sets: pd.DataFrame,
    members: Sequence[np.ndarray],
    cohort_a: str,
    cohort_b: str,
    n_permutations: int = 4999,
    alpha: float = 0.05,
    seed: int = 0,
) -> pd.DataFrame:
    """Between-cohort test of pooled Gaussian O-information (label permutations).

    Parameters
    ----------
    correlations : numpy.ndarray, shape (S, N, N)
        Each subject's correlation matrix over the N common regions.
    lengths : numpy.ndarray, shape (S,)
        Each subject's number of volumes.
    in_a : numpy.ndarray of bool, shape (S,)
    sets : pandas.DataFrame
        Common candidate list (``set``, ``order``, ``chosen_by``), G rows.
    members : sequence of numpy.ndarray of int
        Each set's region indices into the N regions.
    cohort_a, cohort_b : str
    n_permutations, alpha, seed
        As for :func:`fmri_oinfo.stats.group.cohort_difference_table`.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`fmri_oinfo.stats.group.cohort_difference_table`;
        ``mean_a``/``mean_b`` are the pooled O-information of each cohort,
        ``n_a``/``n_b`` subject counts; SE, interval and effect sizes are NaN
        (a pooled estimate has no between-subject spread).
    """
    in_a = np.asarray(in_a, dtype=bool)
    weights = np.asarray(lengths, dtype=float) - 1.0  # (S,)
    both = np.stack([in_a, ~in_a]).astype(float) * weights  # (2, S)
    observed = pooled_o_info(correlations, both, members)  # (2, G)
    difference = observed[0] - observed[1]
    rng = np.random.default_rng(seed)
    exceed = np.zeros(len(members), dtype=np.int64)
    for start in range(0, n_permutations, _PERMUTATION_CHUNK):
        size = min(_PERMUTATION_CHUNK, n_permutations - start)
        labels = rng.permuted(np.broadcast_to(in_a, (size, in_a.size)), axis=1)  # (P, S)
        null = (pooled_o_info(correlations, labels * weights, members)
                - pooled_o_info(correlations, ~labels * weights, members))  # (P, G)
        exceed += (np.abs(null) >= np.abs(difference) * (1 - 1e-12)).sum(axis=0)
    p = (1.0 + exceed) / (1.0 + n_permutations)
    nan = np.full(len(members), np.nan)
    n_a, n_b = int(in_a.sum()), int((~in_a).sum())
    result = TwoSampleResult(
        mean_a=observed[0], mean_b=observed[1], n_a=np.full(len(members), n_a), n_b=np.full(len(members), n_b),
        difference=difference, se=nan, p=p, ci_low=nan, ci_high=nan, cohen_d=nan, hedges_g=nan,
        smallest_p=label_permutation_resolution(n_a, n_b, n_permutations),
    )
    table = difference_frame(sets, result, benjamini_hochberg(p), alpha, cohort_a, cohort_b)
    reachable, note = group_reachability(result.smallest_p, len(table), alpha,
                                         f"{n_a} {cohort_a} and {n_b} {cohort_b} subjects, label permutations")
    table.attrs.update(test="label permutation of pooled correlations", n_permutations=n_permutations,
                       alpha=alpha, seed=seed, cohort_a=cohort_a, cohort_b=cohort_b, error_rate="FDR",
                       smallest_p=result.smallest_p, reachable=reachable, reachability_note=note)
    return table


def common_regions(series: Sequence[pd.DataFrame]) -> list[str]:
    """Region names present in every subject, in the first subject's order."""
    shared = set(series[0].columns).intersection(*(set(s.columns) for s in series[1:]))
    return [name for name in series[0].columns if name in shared]


def pool_series(series: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Z-score each subject's regions (``ddof=1``) and concatenate them in time.

    Parameters
    ----------
    series : sequence of pandas.DataFrame
        Per-subject region time series (T_s x N_s).

    Returns
    -------
    pandas.DataFrame
        (sum of T_s) x N for the N regions present in every subject.
    """
    if not series:
        raise ValueError("no subject to pool; every subject failed or none was given.")
    names = common_regions(series)
    dropped = sorted(set().union(*(set(s.columns) for s in series)) - set(names))
    if dropped:
        logger.warning("pooling drops %d region(s) missing in some subjects: %s", len(dropped), dropped[:10])
    blocks = []
    for table in series:
        values = table.loc[:, names].to_numpy(float)  # (T_s, N)
        blocks.append((values - values.mean(axis=0)) / values.std(axis=0, ddof=1))
    return pd.DataFrame(np.concatenate(blocks), columns=names)


def pooled_cohort_difference(
    series: Sequence[pd.DataFrame],
    cohorts: Sequence[str],
    sets: pd.DataFrame,
    cohort_a: str,
    cohort_b: str,
    n_permutations: int = 4999,
    alpha: float = 0.05,
    seed: int = 0,
) -> pd.DataFrame:
    """Between-cohort test of pooled Gaussian O-information, from the subjects' time series.

    Parameters
    ----------
    series : sequence of pandas.DataFrame
        Per-subject region time series.
    cohorts : sequence of str
        Cohort of each subject.
    sets : pandas.DataFrame
        Common candidate list (``set``, ``order``, ``chosen_by``) over regions
        present in every subject.
    cohort_a, cohort_b : str
    n_permutations, alpha, seed
        See :func:`pooled_difference_table`.

    Returns
    -------
    pandas.DataFrame
        :func:`pooled_difference_table`.
    """
    cohorts = np.asarray(cohorts, dtype=object)
    used = (cohorts == cohort_a) | (cohorts == cohort_b)
    chosen = [s for s, keep in zip(series, used) if keep]
    names = common_regions(chosen)
    index = {name: j for j, name in enumerate(names)}
    missing = sorted({m for g in sets["set"] for m in g if m not in index})
    if missing:
        raise ValueError(f"sets name regions {missing[:10]} that some subjects lack; pool over common regions.")
    correlations = np.stack([np.corrcoef(s.loc[:, names].to_numpy(float), rowvar=False) for s in chosen])  # (S, N, N)
    members = [np.array([index[m] for m in g]) for g in sets["set"]]
    return pooled_difference_table(correlations, np.array([len(s) for s in chosen]), cohorts[used] == cohort_a,
                                   sets, members, cohort_a, cohort_b, n_permutations, alpha, seed)
