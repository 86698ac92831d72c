"""Search benchmark: find a planted synergistic 5-set hidden among 100 regions.

System (:func:`fmri_oinfo.synthetic.planted_search_system`): N = 100 regions,
95 of them in a 5-factor redundant background where half the regions also load
on a second factor (which makes many weakly synergistic decoy triplets), and a
planted group ``x5 = x1 + x2 + x3 + x4 + 0.2 e`` with x1..x4 independent.  Its
sub-triplets have O-information 0 (among x1..x4) or about -0.054 (with x5),
weaker than hundreds of decoy triplets, while the group itself has about
-4.2 nats, far below any background 5-set (about -2.1).  T = 1,200 samples.

A method *finds* the group when the planted set is its most synergistic
5-set.  Times are wall-clock seconds on this machine (shared cores: compare
rows, not machines).

Run::

    python benchmarks/search_benchmark.py               # all methods, seed 0
    python benchmarks/search_benchmark.py --seeds 0 1 2  # more systems
    python benchmarks/search_benchmark.py --exhaustive   # add the 75 M-set scan
"""

from __future__ import annotations

import argparse
import contextlib
import io
import logging
import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from fmri_oinfo import estimate_oinfo
from fmri_oinfo.candidates import anneal_search, beam_search, greedy_search, partial_search
from fmri_oinfo.candidates.screen import extreme_sets
from fmri_oinfo.estimators import GaussianOInfo
from fmri_oinfo.synthetic import planted_search_system

N_REGIONS, ORDER, N_TIME = 100, 5, 1200

#: A method returns index 5-sets, most synergistic first.
Method = Callable[[np.ndarray], list[tuple[int, ...]]]


def _from_table(table: pd.DataFrame) -> list[tuple[int, ...]]:
    best = table[table["order"] == ORDER].sort_values("o_info", kind="stable")
    return [tuple(int(m) for m in g) for g in best["set"]]


def _thoi_annealing(x: np.ndarray) -> list[tuple[int, ...]]:
    import torch
    from thoi.heuristics import simulated_annealing

    with contextlib.redirect_stderr(io.StringIO()):  # THOI's progress bars would drown the table
        solutions, energies = simulated_annealing(x, order=ORDER, verbose=logging.WARNING)  # THOI defaults
    order = torch.argsort(energies)  # O-information, ascending: most synergistic first
    return [tuple(sorted(int(v) for v in solutions[i])) for i in order]


def _thoi_greedy(x: np.ndarray) -> list[tuple[int, ...]]:
    import torch
    from thoi.heuristics import greedy

    with contextlib.redirect_stderr(io.StringIO()):
        solutions, scores = greedy(x, initial_order=3, order=ORDER)  # THOI defaults: 10 starts
    order = torch.argsort(scores[:, -1])
    return [tuple(sorted(int(v) for v in solutions[i])) for i in order]


def _exhaustive(x: np.ndarray) -> list[tuple[int, ...]]:
    groups, _ = extreme_sets(GaussianOInfo().fit(x), ORDER, 10)["synergy"]
    return [tuple(int(v) for v in g) for g in groups]


def methods(with_thoi: bool, with_exhaustive: bool) -> dict[str, Method]:
    """The methods to compare, by display name."""
    out: dict[str, Method] = {
        "greedy (10 starts)": lambda x: _from_table(greedy_search(x, ORDER, n_starts=10)),
        "greedy (100 starts)": lambda x: _from_table(greedy_search(x, ORDER, n_starts=100)),
        "beam (width 100)": lambda x: _from_table(beam_search(x, ORDER, beam_width=100)),
        "beam (width 500)": lambda x: _from_table(beam_search(x, ORDER, beam_width=500)),
        "beam (width 2000)": lambda x: _from_table(beam_search(x, ORDER, beam_width=2000)),
        "anneal, uniform moves (256 chains x 2000 steps)": lambda x: _from_table(
            anneal_search(x, orders=(ORDER,), n_chains=256, n_steps=2000, seed=0, guided_fraction=0.0)
        ),
        "anneal, partial-correlation guided moves": lambda x: _from_table(
            anneal_search(x, orders=(ORDER,), n_chains=256, n_steps=2000, seed=0, guided_fraction=0.5)
        ),
        "partial-correlation neighbourhoods (8)": lambda x: _from_table(partial_search(x, ORDER, n_neighbours=8)),
    }
    if with_exhaustive:
        out["exhaustive order 5 (streamed top-K)"] = _exhaustive
    if with_thoi:
        try:
            import thoi  # noqa: F401
        except ImportError:
            logging.warning("thoi is not importable; its rows are skipped.")
        else:
            out["THOI simulated_annealing (defaults)"] = _thoi_annealing
            out["THOI greedy (defaults)"] = _thoi_greedy
    return out


def run(seeds: list[int], with_thoi: bool, with_exhaustive: bool) -> pd.DataFrame:
    """One row per (seed, method): found?, rank of the planted set, best O, time."""
    rows = []
    for seed in seeds:
        planted = planted_search_system(N_REGIONS, n_factors=5, order=ORDER, seed=seed)
        x = planted.system.sample(N_TIME, seed=seed + 1000)
        truth = tuple(planted.synergistic)
        planted_o = estimate_oinfo(x, [truth])["o_info"].iloc[0]
        for name, method in methods(with_thoi, with_exhaustive).items():
            start = time.perf_counter()
            try:
                found = method(x)
                error = ""
            except Exception as err:  # noqa: BLE001 - a crashing third-party method is a result
                found, error = [], f"{type(err).__name__}: {err}"[:60]
            seconds = time.perf_counter() - start
            best_o = estimate_oinfo(x, [found[0]])["o_info"].iloc[0] if found else np.nan
            rows.append(
                {
                    "seed": seed,
                    "method": name,
                    "found": bool(found) and found[0] == truth,
                    "planted rank": found.index(truth) + 1 if truth in found else None,
                    "best O (nats)": round(float(best_o), 3),
                    "planted O (nats)": round(float(planted_o), 3),
                    "time (s)": round(seconds, 2),
                    "note": error,
                }
            )
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--no-thoi", action="store_true", help="skip THOI's heuristics")
    parser.add_argument("--exhaustive", action="store_true", help="add the exhaustive order-5 scan (minutes on CPU)")
    args = parser.parse_args()
    table = run(args.seeds, not args.no_thoi, args.exhaustive)
    print(table.to_markdown(index=False) if _has_tabulate() else table.to_string(index=False))


def _has_tabulate() -> bool:
    try:
        import tabulate  # noqa: F401
    except ImportError:
        return False
    return True


if __name__ == "__main__":
    main()
