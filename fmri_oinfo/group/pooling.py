"""Pooling: standardise each subject, concatenate, estimate once.

Pooling gives one estimation many more time points (a fixed-effects
analysis: the inference is about these subjects' data, not about the
population they come from).  The alternative, per-subject estimation followed
by group statistics (:mod:`fmri_oinfo.group.statistics`), treats subjects as a
random sample (random effects).  ``docs/group.md`` says when to use which.

Under pooling, the Gaussian O-information of a set depends on the data only
through the pooled correlation matrix, which is the average of the subjects'
correlation matrices weighted by ``T_s - 1`` (each subject z-scored with
``ddof=1``).  The between-cohort permutation test re-pools the permuted cohorts
from those matrices instead of from the data.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import pandas as pd

from fmri_oinfo.stats import benjamini_hochberg

logger = logging.getLogger(__name__)

#: Permutations re-pooled at once (bounds memory at this * regions**2 floats).
_PERMUTATION_CHUNK = 64


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


def gaussian_o_info_from_correlation(correlation: np.ndarray, sets: np.ndarray) -> np.ndarray:
    """Gaussian O-information of sets from correlation matrices.

    ``Omega(S) = 1/2 [(n - 2) log det R_S - sum_i log det R_{S without i}]``
    for a set ``S`` of ``n`` regions (nats).

    Parameters
    ----------
    correlation : array of shape (..., N, N)
    sets : array of int, shape (G, n)

    Returns
    -------
    numpy.ndarray, shape (..., G)
    """
    order = sets.shape[1]
    full = correlation[..., sets[:, :, None], sets[:, None, :]]  # (..., G, n, n)
    logdet_full = np.linalg.slogdet(full)[1]  # (..., G)
    leave_out = np.array([[j for j in range(order) if j != i] for i in range(order)])  # (n, n-1)
    reduced = sets[:, leave_out]  # (G, n, n-1)
    sub = correlation[..., reduced[..., :, None], reduced[..., None, :]]  # (..., G, n, n-1, n-1)
    logdet_reduced = np.linalg.slogdet(sub)[1].sum(axis=-1)  # (..., G)
    return 0.5 * ((order - 2) * logdet_full - logdet_reduced)


def _pooled_o_info(correlations: np.ndarray, weights: np.ndarray, rows: dict[int, tuple[np.ndarray, np.ndarray]],
                   n_sets: int) -> np.ndarray:
    """O-information of every set under pooling with ``weights`` (P, S) -> (P, G)."""
    pooled = np.einsum("ps,snm->pnm", weights, correlations) / weights.sum(axis=1)[:, None, None]  # (P, N, N)
    out = np.empty((weights.shape[0], n_sets))
    for positions, members in rows.values():
        out[:, positions] = gaussian_o_info_from_correlation(pooled, members)
    return out


def pooled_difference_table(
    series: Sequence[pd.DataFrame],
    cohorts: Sequence[str],
    sets: pd.DataFrame,
    cohort_a: str,
    cohort_b: str,
    n_permutations: int = 4999,
    alpha: float = 0.05,
    seed: int = 0,
) -> pd.DataFrame:
    """Between-cohort test of pooled Gaussian O-information (label permutations).

    Parameters
    ----------
    series : sequence of pandas.DataFrame
        Per-subject region time series.
    cohorts : sequence of str
        Group of each subject.
    sets : pandas.DataFrame
        Common candidate list (``set``, ``order``, ``chosen_by``) over regions
        present in every subject.
    cohort_a, cohort_b : str
    n_permutations : int, default=4999
    alpha : float, default=0.05
    seed : int, default=0

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`fmri_oinfo.group.statistics.cohort_difference_table`;
        ``mean_a``/``mean_b`` are the pooled O-information of each cohort,
        ``n_a``/``n_b`` subject counts; SE, interval and effect sizes are NaN
        (a pooled estimate has no between-subject spread).
    """
    cohorts = np.asarray(cohorts, dtype=object)
    used = (cohorts == cohort_a) | (cohorts == cohort_b)
    chosen = [s for s, keep in zip(series, used) if keep]
    in_a = cohorts[used] == cohort_a
    names = common_regions(chosen)
    index = {name: j for j, name in enumerate(names)}
    missing = sorted({m for g in sets["set"] for m in g if m not in index})
    if missing:
        raise ValueError(f"sets name regions {missing[:10]} that some subjects lack; pool over common regions.")
    correlations = np.stack([np.corrcoef(s.loc[:, names].to_numpy(float), rowvar=False) for s in chosen])  # (S, N, N)
    lengths = np.array([len(s) - 1.0 for s in chosen])  # (S,)
    rows: dict[int, tuple[list[int], list[list[int]]]] = {}
    for position, region_set in enumerate(sets["set"]):
        entry = rows.setdefault(len(region_set), ([], []))
        entry[0].append(position)
        entry[1].append([index[m] for m in region_set])
    arrays = {k: (np.array(p), np.array(m)) for k, (p, m) in rows.items()}
    n_sets = len(sets)
    both = np.stack([in_a, ~in_a]).astype(float) * lengths  # (2, S)
    observed = _pooled_o_info(correlations, both, arrays, n_sets)  # (2, G)
    difference = observed[0] - observed[1]
    rng = np.random.default_rng(seed)
    exceed = np.zeros(n_sets, dtype=np.int64)
    for start in range(0, n_permutations, _PERMUTATION_CHUNK):
        size = min(_PERMUTATION_CHUNK, n_permutations - start)
        labels = rng.permuted(np.broadcast_to(in_a, (size, in_a.size)), axis=1)  # (P, S)
        null = (_pooled_o_info(correlations, labels * lengths, arrays, n_sets)
                - _pooled_o_info(correlations, ~labels * lengths, arrays, n_sets))  # (P, G)
        exceed += (np.abs(null) >= np.abs(difference) * (1 - 1e-12)).sum(axis=0)
    p = (1.0 + exceed) / (1.0 + n_permutations)
    q = benjamini_hochberg(p)
    table = sets.loc[:, ["set", "order", "chosen_by"]].reset_index(drop=True).copy()
    table["mean_a"], table["mean_b"] = observed[0], observed[1]
    table["n_a"], table["n_b"] = int(in_a.sum()), int((~in_a).sum())
    table["difference"] = difference
    for name in ("difference_se", "ci_low", "ci_high"):
        table[name] = np.nan
    table["p_value"], table["q_value"] = p, q
    table["cohen_d"] = table["hedges_g"] = np.nan
    label = np.where(difference > 0, "higher in A", "higher in B").astype(object)
    label[~(q < alpha)] = "n.s."
    table["label"] = label
    table.attrs.update(test="label permutation of pooled correlations", n_permutations=n_permutations,
                       alpha=alpha, seed=seed, cohort_a=cohort_a, cohort_b=cohort_b)
    return table
