"""Configuration of candidate-set selection (a frozen dataclass, TOML-friendly)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fmri_oinfo.candidates.networks import NETWORK_MODES
from fmri_oinfo.candidates.search import SEARCH_METHODS, TARGET_SIGNS
from fmri_oinfo.schema import build, normalise

#: Candidate strategies by name.
STRATEGIES: tuple[str, ...] = ("exhaustive", "networks", "screen", "search", "nonlinear", "user")


@dataclass(frozen=True)
class CandidateConfig:
    """Which strategies choose the candidate sets, and their settings.

    The defaults are the ``[candidates]`` table of ``pipelines/default.toml``
    (a test keeps the two equal).

    Parameters
    ----------
    strategies : tuple of str, default=("screen", "search", "nonlinear")
        Any of ``exhaustive``, ``networks``, ``screen``, ``search``,
        ``nonlinear``, ``user``; their sets are united.
    orders : tuple of int, default=(3,)
        Set sizes for ``exhaustive``, ``networks`` and ``screen``.
    max_sets : int, default=1000000
        ``exhaustive`` and ``networks`` refuse to produce more sets.
    max_screened : int, default=1000000000
        ``screen`` scores every set of each order: it refuses an order whose
        sets number more (C(300, 4) = 330 million passes, C(300, 5) does not).
    top_k : int, default=10
        ``screen``: sets kept per order and direction.
    n_control : int, default=5
        ``screen``: random control sets per order.
    network_modes : tuple of str, default=("within", "spanning")
    search_methods : tuple of str, default=("greedy", "partial")
    search_targets : tuple of str, default=("synergy", "redundancy")
    max_order : int, default=5
        ``search``: orders 3 to ``max_order``.
    search_keep : int, default=3
        ``search``: sets reported per order, method and target.
    beam_width : int, default=500
    n_starts : int, default=10
        Greedy starting triplets.
    anneal_chains : int, default=256
    anneal_steps : int, default=2000
    n_neighbours : int, default=8
        ``partial`` search: partial-correlation neighbours per region.
    nonlinear_keep : int, default=10
        ``nonlinear``: triplets kept by the screen of third-order dependence
        that correlations cannot see (:mod:`fmri_oinfo.candidates.nonlinear`).
    user_file : str or None, default=None
        ``user``: the sets file.
    copula : bool, default=False
        Score ``screen`` and ``search`` with the Gaussian copula.
    seed : int, default=0
    """

    strategies: tuple[str, ...] = ("screen", "search", "nonlinear")
    orders: tuple[int, ...] = (3,)
    max_sets: int = 1_000_000
    max_screened: int = 1_000_000_000
    top_k: int = 10
    n_control: int = 5
    network_modes: tuple[str, ...] = NETWORK_MODES
    search_methods: tuple[str, ...] = ("greedy", "partial")
    search_targets: tuple[str, ...] = ("synergy", "redundancy")
    max_order: int = 5
    search_keep: int = 3
    beam_width: int = 500
    n_starts: int = 10
    anneal_chains: int = 256
    anneal_steps: int = 2000
    n_neighbours: int = 8
    nonlinear_keep: int = 10
    user_file: str | None = None
    copula: bool = False
    seed: int = 0

    def __post_init__(self) -> None:
        normalise(self, "candidates")
        self._check_choices("strategies", STRATEGIES)
        self._check_choices("network_modes", NETWORK_MODES)
        self._check_choices("search_methods", SEARCH_METHODS)
        self._check_choices("search_targets", tuple(TARGET_SIGNS))
        if not self.strategies:
            raise ValueError(f"candidates.strategies is empty; choose from {list(STRATEGIES)}.")
        if not self.orders or any(not isinstance(k, int) or k < 3 for k in self.orders):
            raise ValueError(f"candidates.orders={list(self.orders)} must list integers >= 3.")
        at_least_one = (
            "max_sets", "max_screened", "top_k", "search_keep", "beam_width", "n_starts",
            "anneal_chains", "anneal_steps", "n_neighbours", "nonlinear_keep",
        )
        for name in at_least_one:
            if getattr(self, name) < 1:
                raise ValueError(f"candidates.{name}={getattr(self, name)} must be at least 1.")
        if self.n_control < 0:
            raise ValueError(f"candidates.n_control={self.n_control} must be 0 or more.")
        if self.max_order < 3:
            raise ValueError(f"candidates.max_order={self.max_order} must be at least 3.")
        if "user" in self.strategies and not self.user_file:
            raise ValueError("candidates.strategies includes 'user' but candidates.user_file is not set.")

    def check_budget(self, n_regions: int) -> None:
        """Refuse, before any work, orders whose sets the strategies cannot enumerate for ``n_regions`` regions.

        Raises
        ------
        ValueError
            Naming the order, the number of sets and the key that bounds it.
        """
        if n_regions < 3:
            raise ValueError(f"O-information needs at least 3 regions and the data have {n_regions}; give a table "
                             "with one column per region, or an atlas with more regions.")
        for k in self.orders:
            if k > n_regions:
                raise ValueError(f"candidates.orders has {k}, but there are only {n_regions} regions; "
                                 "give orders from 3 to the number of regions.")
            count = math.comb(n_regions, k)
            if "screen" in self.strategies and count > self.max_screened:
                raise ValueError(
                    f"candidates.orders has {k}: the screen would score all {count:.3g} sets of {k} of the "
                    f"{n_regions} regions, above candidates.max_screened = {self.max_screened:,}; keep the "
                    "screen's orders small (3, or 4 with a GPU) and let the searches find larger sets (max_order)."
                )
            if "exhaustive" in self.strategies and count > self.max_sets:
                raise ValueError(
                    f"candidates.orders has {k}: the exhaustive strategy gives {count:.3g} sets of {n_regions} "
                    f"regions, above candidates.max_sets = {self.max_sets:,}; raise max_sets, lower the orders, "
                    "or use the 'screen' or 'search' strategies."
                )

    def _check_choices(self, name: str, allowed: tuple[str, ...]) -> None:
        unknown = [v for v in getattr(self, name) if v not in allowed]
        if unknown:
            raise ValueError(f"candidates.{name}: {unknown} not known; use any of {list(allowed)}.")

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Any]) -> "CandidateConfig":
        """Build from a mapping (a parsed TOML table); unknown keys are an error, naming close matches."""
        values = dict(mapping)
        if isinstance(values.get("user_file"), str) and values["user_file"]:
            values["user_file"] = str(Path(values["user_file"]))
        return build(cls, values, "candidates")
