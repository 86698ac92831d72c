"""Search strategy: heuristic searches for the most synergistic or redundant sets.

All searches score sets with the closed-form Gaussian (or Gaussian-copula)
O-information, batched, and report the best sets at every order from 3 to
``max_order``:

- ``greedy``: the ``n_starts`` most extreme triplets are each grown one region
  at a time, adding the region that makes the grown set most extreme (THOI's
  greedy idea, batched over starts and candidates).
- ``beam``: like greedy, but all growths of all kept sets compete, and the
  ``beam_width`` best distinct sets survive to the next order.  A wide beam
  keeps the weakly synergistic triplets of a set whose synergy only shows at
  higher order (see ``benchmarks/search_benchmark.py``).
- ``anneal``: simulated annealing at each fixed order, many chains in
  parallel; a move swaps one member for a random outside region.
- ``partial``: conditional (partial-correlation) neighbourhoods.  Synergy is
  conditional dependence: the independent parents of a sum are marginally
  unrelated but strongly related given the sum (explaining away), so every
  member of a synergistic set has the others among its strongest partial
  correlations even when no triplet of the set shows anything.  Each region
  with every (k-1)-subset of its ``n_neighbours`` strongest partial
  correlations is scored; cost ``N * C(n_neighbours, k - 1)`` sets per order.

Each search returns a candidate table with an extra ``o_info`` column (the
Gaussian score, nats), best first within each order.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

import numpy as np
import pandas as pd

from fmri_oinfo.candidates.exhaustive import check_order
from fmri_oinfo.candidates.screen import extreme_sets
from fmri_oinfo.candidates.table import candidate_table
from fmri_oinfo.estimators import CopulaOInfo, GaussianOInfo
from fmri_oinfo.measures import combine_tc, subset_plan

#: Search targets and the sign that turns O-information into a score to maximise.
TARGET_SIGNS: dict[str, float] = {"synergy": -1.0, "redundancy": 1.0}

#: Search methods by name.
SEARCH_METHODS: tuple[str, ...] = ("greedy", "beam", "anneal", "partial")


def _target_sign(target: str) -> float:
    try:
        return TARGET_SIGNS[target]
    except KeyError:
        raise ValueError(f"target={target!r} is not known; use one of {list(TARGET_SIGNS)}.") from None


def gaussian_o_info(estimator: GaussianOInfo, sets: np.ndarray) -> np.ndarray:
    """Gaussian O-information (nats) of each set, shape (G,) for sets (G, k) of a fitted closed-form estimator."""
    plan = subset_plan(sets.shape[1])
    tc = estimator.total_correlations(sets, plan)  # (G, S)
    return combine_tc(tc, plan.weights[:, [plan.quantity_names.index("o_info")]])[:, 0]


def grow(sets: np.ndarray, n_regions: int) -> np.ndarray:
    """Every one-region growth of every set.

    Parameters
    ----------
    sets : numpy.ndarray of int64, shape (B, k)
    n_regions : int

    Returns
    -------
    numpy.ndarray of int64, shape (B, n_regions - k, k + 1)
        ``out[b, j]`` is set ``b`` plus its ``j``-th outside region, sorted.
    """
    n_sets, order = sets.shape
    outside = np.ones((n_sets, n_regions), dtype=bool)  # (B, N)
    outside[np.arange(n_sets)[:, None], sets] = False
    added = np.nonzero(outside)[1].reshape(n_sets, n_regions - order)  # (B, N - k)
    grown = np.concatenate(
        [np.broadcast_to(sets[:, None, :], (n_sets, n_regions - order, order)), added[..., None]],
        axis=2,
    )  # (B, N - k, k + 1)
    return np.sort(grown, axis=2)


def _fit(data: np.ndarray | pd.DataFrame, copula: bool, device: str) -> tuple[GaussianOInfo, list[str]]:
    estimator = (CopulaOInfo if copula else GaussianOInfo)(device=device).fit(data)
    return estimator, estimator.names_


def _results(
    found: dict[int, tuple[np.ndarray, np.ndarray]], sign: float, keep: int, names: list[str], method: str
) -> pd.DataFrame:
    """Candidate table of the ``keep`` best distinct sets per order, best first."""
    tables = []
    for order, (sets, scores) in sorted(found.items()):
        sets, first = np.unique(np.sort(sets, axis=1), axis=0, return_index=True)
        scores = scores[first]
        best = np.argsort(-scores, kind="stable")[:keep]
        table = candidate_table(sets[best], names, f"search:{method}")
        table["o_info"] = sign * scores[best]
        tables.append(table)
    return pd.concat(tables, ignore_index=True)


def _check_search(max_order: int, n_regions: int, keep: int) -> None:
    check_order(max_order, n_regions, "max_order")
    if keep < 1:
        raise ValueError(f"keep={keep} must be at least 1.")


def greedy_search(
    data: np.ndarray | pd.DataFrame,
    max_order: int = 5,
    target: str = "synergy",
    n_starts: int = 10,
    keep: int = 10,
    copula: bool = False,
    device: str = "auto",
) -> pd.DataFrame:
    """Grow the most extreme triplets one region at a time.

    Parameters
    ----------
    data : array of shape (T, N) or pandas.DataFrame
    max_order : int, default=5
        Grow up to this order.
    target : {"synergy", "redundancy"}, default="synergy"
        Minimise (synergy) or maximise (redundancy) the O-information.
    n_starts : int, default=10
        Starting triplets: the most extreme ones of an exhaustive pass.
    keep : int, default=10
        Sets reported per order.
    copula : bool, default=False
        Score with the Gaussian-copula estimator.
    device : str, default="auto"

    Returns
    -------
    pandas.DataFrame
        Candidate table (``chosen_by="search:greedy"``) plus ``o_info``.
    """
    sign = _target_sign(target)
    estimator, names = _fit(data, copula, device)
    _check_search(max_order, len(names), keep)
    sets, o_info = extreme_sets(estimator, 3, n_starts)[target]
    found = {3: (sets, sign * o_info)}
    for order in range(4, max_order + 1):
        grown = grow(sets, len(names))  # (B, N - k, k + 1)
        scores = sign * gaussian_o_info(estimator, grown.reshape(-1, order)).reshape(grown.shape[:2])
        best = scores.argmax(axis=1)  # (B,)
        rows = np.arange(sets.shape[0])
        sets = grown[rows, best]  # (B, k + 1)
        found[order] = (sets, scores[rows, best])
    return _results(found, sign, keep, names, "greedy")


def beam_search(
    data: np.ndarray | pd.DataFrame,
    max_order: int = 5,
    target: str = "synergy",
    beam_width: int = 500,
    keep: int = 10,
    copula: bool = False,
    device: str = "auto",
) -> pd.DataFrame:
    """Beam search: keep the ``beam_width`` best distinct sets at every order.

    Starts from the ``beam_width`` most extreme triplets (exhaustive, streamed)
    and, at each order, scores every one-region growth of every kept set.  Cost
    per order: ``beam_width * N`` set evaluations.

    Parameters
    ----------
    data : array of shape (T, N) or pandas.DataFrame
    max_order : int, default=5
    target : {"synergy", "redundancy"}, default="synergy"
    beam_width : int, default=500
    keep : int, default=10
        Sets reported per order.
    copula : bool, default=False
    device : str, default="auto"

    Returns
    -------
    pandas.DataFrame
        Candidate table (``chosen_by="search:beam"``) plus ``o_info``.
    """
    sign = _target_sign(target)
    if beam_width < 1:
        raise ValueError(f"beam_width={beam_width} must be at least 1.")
    estimator, names = _fit(data, copula, device)
    _check_search(max_order, len(names), keep)
    sets, o_info = extreme_sets(estimator, 3, beam_width)[target]
    found = {3: (sets, sign * o_info)}
    for order in range(4, max_order + 1):
        grown = np.unique(grow(sets, len(names)).reshape(-1, order), axis=0)  # (M, k + 1)
        scores = sign * gaussian_o_info(estimator, grown)  # (M,)
        best = np.argsort(-scores, kind="stable")[:beam_width]
        sets = grown[best]
        found[order] = (sets, scores[best])
    return _results(found, sign, keep, names, "beam")


def anneal_search(
    data: np.ndarray | pd.DataFrame,
    orders: Sequence[int] = (3, 4, 5),
    target: str = "synergy",
    n_chains: int = 256,
    n_steps: int = 2000,
    final_temperature_ratio: float = 1e-3,
    keep: int = 10,
    seed: int | np.random.Generator = 0,
    copula: bool = False,
    device: str = "auto",
    guided_fraction: float = 0.5,
    n_neighbours: int = 8,
) -> pd.DataFrame:
    """Simulated annealing at each order, ``n_chains`` chains in parallel.

    A move replaces one random member by another region (a draw that hits a
    member is a rejected move).  The new region is uniformly random, or, for a
    ``guided_fraction`` of the moves, one of the ``n_neighbours`` strongest
    partial correlates of a random current member (see
    :func:`partial_search`): conditional dependence points at hidden synergy
    that random moves rarely hit.  Moves are accepted with the Metropolis rule
    at a temperature that decays geometrically from the standard deviation of
    the scores of the random starting sets to ``final_temperature_ratio``
    times that.

    Parameters
    ----------
    data : array of shape (T, N) or pandas.DataFrame
    orders : sequence of int, default=(3, 4, 5)
    target : {"synergy", "redundancy"}, default="synergy"
    n_chains : int, default=256
    n_steps : int, default=2000
    final_temperature_ratio : float, default=1e-3
    keep : int, default=10
        Sets reported per order (best chain ends, distinct).
    seed : int or numpy.random.Generator, default=0
    copula : bool, default=False
    device : str, default="auto"
    guided_fraction : float, default=0.5
        Share of moves proposing a partial-correlation neighbour; 0 gives
        plain annealing with uniform moves (as in THOI).
    n_neighbours : int, default=8

    Returns
    -------
    pandas.DataFrame
        Candidate table (``chosen_by="search:anneal"``) plus ``o_info``.
    """
    sign = _target_sign(target)
    if n_chains < 1 or n_steps < 1:
        raise ValueError(f"n_chains={n_chains} and n_steps={n_steps} must be at least 1.")
    if not 0 < final_temperature_ratio <= 1:
        raise ValueError(f"final_temperature_ratio={final_temperature_ratio} must lie in (0, 1].")
    if not 0 <= guided_fraction <= 1 or n_neighbours < 1:
        raise ValueError(
            f"guided_fraction={guided_fraction} must lie in [0, 1] and n_neighbours={n_neighbours} be >= 1."
        )
    rng = np.random.default_rng(seed)
    estimator, names = _fit(data, copula, device)
    n_regions = len(names)
    if keep < 1:
        raise ValueError(f"keep={keep} must be at least 1.")
    neighbours = None
    if guided_fraction > 0:
        partial = partial_correlations(
            estimator.correlation(), max(1e-6, n_regions / estimator.values_.shape[0])
        )
        strength = np.abs(partial)
        np.fill_diagonal(strength, -1.0)
        neighbours = np.argsort(-strength, axis=1)[:, : min(n_neighbours, n_regions - 1)]  # (N, m)
    found = {}
    chains = np.arange(n_chains)
    for order in orders:
        check_order(order, n_regions)
        state = np.stack([rng.choice(n_regions, order, replace=False) for _ in chains])  # (C, k)
        score = sign * gaussian_o_info(estimator, np.sort(state, axis=1))  # (C,)
        start_temperature = max(float(score.std()), 1e-6)
        cooling = final_temperature_ratio ** (1.0 / max(n_steps - 1, 1))
        best_state, best_score = state.copy(), score.copy()
        temperature = start_temperature
        for _ in range(n_steps):
            slot = rng.integers(0, order, n_chains)  # (C,)
            region = rng.integers(0, n_regions, n_chains)  # (C,)
            if neighbours is not None:
                guided = rng.random(n_chains) < guided_fraction  # (C,)
                anchor = state[chains, rng.integers(0, order, n_chains)]  # (C,) a current member
                pick = neighbours[anchor, rng.integers(0, neighbours.shape[1], n_chains)]  # (C,)
                region = np.where(guided, pick, region)
            valid = ~(state == region[:, None]).any(axis=1)  # (C,)
            proposal = state.copy()
            proposal[chains, slot] = region
            new_score = np.full(n_chains, -np.inf)
            if valid.any():
                new_score[valid] = sign * gaussian_o_info(estimator, np.sort(proposal[valid], axis=1))
            gain = new_score - score
            accept = valid & ((gain >= 0) | (rng.random(n_chains) < np.exp(np.minimum(gain, 0) / temperature)))
            state[accept], score[accept] = proposal[accept], new_score[accept]
            better = score > best_score
            best_state[better], best_score[better] = state[better], score[better]
            temperature *= cooling
        found[order] = (best_state, best_score)
    return _results(found, sign, keep, names, "anneal")


def partial_correlations(correlation: np.ndarray, ridge: float) -> np.ndarray:
    """Partial correlation of every pair given all other regions, shape (N, N).

    From the precision matrix ``P = (R + ridge I)^-1``:
    ``-P_ij / sqrt(P_ii P_jj)``, with a zero diagonal.  The ridge keeps ``P``
    finite when regions outnumber time points.
    """
    precision = np.linalg.inv(correlation + ridge * np.eye(correlation.shape[0]))  # (N, N)
    scale = np.sqrt(np.diag(precision))  # (N,)
    partial = -precision / np.outer(scale, scale)  # (N, N)
    np.fill_diagonal(partial, 0.0)
    return partial


def neighbourhood_sets(partial: np.ndarray, order: int, n_neighbours: int) -> np.ndarray:
    """Each region with every (order-1)-subset of its strongest partial correlates.

    Parameters
    ----------
    partial : numpy.ndarray, shape (N, N)
    order : int
    n_neighbours : int
        Strongest ``|partial|`` neighbours considered per region.

    Returns
    -------
    numpy.ndarray of int64, shape (M, order)
        Distinct sorted sets.
    """
    n_regions = partial.shape[0]
    m = min(n_neighbours, n_regions - 1)
    strength = np.abs(partial)  # (N, N)
    np.fill_diagonal(strength, -1.0)  # a region is never its own neighbour
    neighbours = np.argsort(-strength, axis=1, kind="stable")[:, :m]  # (N, m)
    picks = np.array(list(combinations(range(m), order - 1)), dtype=np.int64)  # (C, k - 1)
    chosen = neighbours[:, picks]  # (N, C, k - 1)
    centre = np.broadcast_to(np.arange(n_regions)[:, None, None], chosen.shape[:2] + (1,))
    sets = np.concatenate([centre, chosen], axis=2).reshape(-1, order)  # (N * C, k)
    return np.unique(np.sort(sets, axis=1), axis=0)


def partial_search(
    data: np.ndarray | pd.DataFrame,
    max_order: int = 5,
    target: str = "synergy",
    n_neighbours: int = 8,
    keep: int = 10,
    ridge: float | None = None,
    copula: bool = False,
    device: str = "auto",
) -> pd.DataFrame:
    """Score the partial-correlation neighbourhoods of every region.

    Parameters
    ----------
    data : array of shape (T, N) or pandas.DataFrame
    max_order : int, default=5
        Orders 3 to ``max_order``.
    target : {"synergy", "redundancy"}, default="synergy"
    n_neighbours : int, default=8
        Strongest partial correlates per region (at least ``max_order - 1``).
    keep : int, default=10
        Sets reported per order.
    ridge : float or None, default=None
        Added to the correlation diagonal before inversion; None uses
        ``max(1e-6, N / T)``.
    copula : bool, default=False
    device : str, default="auto"

    Returns
    -------
    pandas.DataFrame
        Candidate table (``chosen_by="search:partial"``) plus ``o_info``.
    """
    sign = _target_sign(target)
    estimator, names = _fit(data, copula, device)
    _check_search(max_order, len(names), keep)
    if n_neighbours < max_order - 1:
        raise ValueError(f"n_neighbours={n_neighbours} must be at least max_order - 1 = {max_order - 1}.")
    correlation = estimator.correlation()
    if ridge is None:
        ridge = max(1e-6, len(names) / estimator.values_.shape[0])
    partial = partial_correlations(correlation, ridge)
    found = {}
    for order in range(3, max_order + 1):
        sets = neighbourhood_sets(partial, order, n_neighbours)
        found[order] = (sets, sign * gaussian_o_info(estimator, sets))
    return _results(found, sign, keep, names, "partial")


def search_candidates(
    data: np.ndarray | pd.DataFrame,
    methods: Sequence[str] = SEARCH_METHODS,
    targets: Sequence[str] = ("synergy", "redundancy"),
    max_order: int = 5,
    keep: int = 10,
    beam_width: int = 500,
    n_starts: int = 10,
    n_chains: int = 256,
    n_steps: int = 2000,
    seed: int | np.random.Generator = 0,
    copula: bool = False,
    device: str = "auto",
    n_neighbours: int = 8,
) -> pd.DataFrame:
    """Run several searches for several targets; concatenate their tables.

    Parameters are those of :func:`greedy_search`, :func:`beam_search`,
    :func:`anneal_search` (run at orders 3 to ``max_order``) and
    :func:`partial_search`.

    Returns
    -------
    pandas.DataFrame
        Candidate table plus ``o_info``; a set found twice appears twice.
    """
    unknown = sorted(set(methods) - set(SEARCH_METHODS))
    if unknown:
        raise ValueError(f"search methods {unknown} are not known; use {list(SEARCH_METHODS)}.")
    rng = np.random.default_rng(seed)
    tables = []
    for target in targets:
        for method in methods:
            if method == "greedy":
                tables.append(greedy_search(data, max_order, target, n_starts, keep, copula, device))
            elif method == "beam":
                tables.append(beam_search(data, max_order, target, beam_width, keep, copula, device))
            elif method == "partial":
                tables.append(
                    partial_search(data, max_order, target, n_neighbours, keep, copula=copula, device=device)
                )
            else:
                tables.append(
                    anneal_search(
                        data, range(3, max_order + 1), target, n_chains, n_steps,
                        keep=keep, seed=rng, copula=copula, device=device, n_neighbours=n_neighbours,
                    )
                )
    return pd.concat(tables, ignore_index=True)
