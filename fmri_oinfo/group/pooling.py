"""Pooling: standardise each subject, concatenate, estimate once.

Pooling gives one estimation many more time points (a fixed-effects
analysis: the inference is about these subjects' data, not about the
population they come from).  The alternative, per-subject estimation followed
by group statistics (:mod:`fmri_oinfo.stats.group`), treats subjects as a
random sample (random effects).  ``docs/group.md`` says when to use which.

This module only prepares the data; the pooled between-cohort test is
:func:`fmri_oinfo.stats.pooled.pooled_difference_table`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import pandas as pd

from fmri_oinfo.stats.pooled import pooled_difference_table

logger = logging.getLogger(__name__)


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
        See :func:`fmri_oinfo.stats.pooled.pooled_difference_table`.

    Returns
    -------
    pandas.DataFrame
        :func:`fmri_oinfo.stats.pooled.pooled_difference_table`.
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
