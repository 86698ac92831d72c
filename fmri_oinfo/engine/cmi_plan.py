"""Every measure of a set as a signed sum of conditional mutual informations.

With one scalar region moving at a time, every quantity is a signed sum of
conditional MIs ``I(X_m; X_F)`` of one region ``m`` and a conditioning set
``F`` (a *pair*).  For a set ``S = (s_1, ..., s_n)`` in its route order:

- ``TC(S) = sum_{k >= 2} I(s_k; s_<k)`` (the chain);
- the O-information by Rosas' recursion (one moving region per step),

      O_k = O_{k-1} + (2 - k) I(s_k; s_<k) + sum_{j<k} I(s_k; s_<k without s_j),

  which for ``n = 3`` is ``I(s3; s1) + I(s3; s2) - I(s3; s1, s2)``.  Every
  pair moves the member added last, given some of the members before it,
  so the order decides which conditionals the answer rests on.  The route
  (the order of the chain and the recursion) is the members sorted by
  index unless given: a set then has one answer however it is listed, and a
  superset's route, restricted to the set, is the set's own route, so both
  move the same members given the same kind of conditioning sets (padding a
  non-Gaussian core with independent regions leaves its O-information as it
  was, within the standard errors).  The shorter identity ``2 TC - S`` is not
  used: it moves every member given all the others, for example a factor
  given the product it enters, a sharp conditional a network under-learns (on
  ``x3 = x1 x2 + 0.5 e`` padded with independent regions the O-information of
  a 5-set came out -0.008 for an oracle of -0.432: ``I(x1; rest)`` read 0.37
  for 0.59).  Nor is the route chosen from the data (the chain with the
  largest TC estimate): answered by pairs the network was not trained on,
  and selected on the values it then reports, it put sets whose oracle is 0
  at +0.05 and +0.22 nats (3 and 9 standard errors);
- ``DTC = TC - O`` and ``S = TC + DTC``, so that the identities between the
  four quantities hold exactly for the estimates too;
- the gradient ``O(S) - O(S without s_i)``, with the smaller set's O-information
  planned by the same route less member ``i`` (it is zero for a pair).

Pairs shared by several sets (or quantities) are estimated once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from fmri_oinfo.measures import SCALAR_QUANTITIES

#: A conditional MI ``I(X_m; X_F)``: the moving region and the sorted conditioning set.
Pair = tuple[int, tuple[int, ...]]
Combination = dict[Pair, float]


def _pair(moving: int, given: Sequence[int]) -> Pair:
    return int(moving), tuple(sorted(int(g) for g in given))


def _add(out: Combination, terms: Combination, factor: float = 1.0) -> Combination:
    for pair, c in terms.items():
        out[pair] = out.get(pair, 0.0) + factor * c
    return out


def tc_terms(members: Sequence[int]) -> Combination:
    """``TC`` of the set as the chain ``sum_k I(s_k; s_<k)``."""
    return {_pair(members[k], members[:k]): 1.0 for k in range(1, len(members))}


def o_info_terms(members: Sequence[int]) -> Combination:
    """O-information by Rosas' recursion, adding one member at a time in the given order."""
    out: Combination = {}
    for k in range(3, len(members) + 1):
        last, before = members[k - 1], list(members[: k - 1])
        _add(out, {_pair(last, before): 2.0 - k})
        for j in before:
            _add(out, {_pair(last, [b for b in before if b != j]): 1.0})
    return _cleaned(out)


def _cleaned(terms: Combination) -> Combination:
    return {p: c for p, c in terms.items() if c != 0.0}


def set_terms(members: Sequence[int], gradient: bool = False, route: Sequence[int] | None = None) -> list[Combination]:
    """The combinations of every quantity of one set, in :func:`quantity_names` order.

    ``route`` (a permutation of ``members``, default: sorted by index) is the
    order of the chain and the recursion; gradients follow the order of
    ``members``.
    """
    members = [int(m) for m in members]
    route = sorted(members) if route is None else [int(m) for m in route]
    if sorted(route) != sorted(members):
        raise ValueError(f"route {tuple(route)} is not an order of the set {tuple(members)}.")
    smaller = [o_info_terms([m for m in route if m != i]) for i in members] if gradient else []
    return quantity_terms(tc_terms(route), o_info_terms(route), smaller)


def quantity_terms(tc: Combination, o_info: Combination, smaller: Sequence[Combination] = ()) -> list[Combination]:
    """``tc, dtc, o_info, s_info`` and one gradient term per entry of ``smaller``, from the TC and O combinations.

    ``DTC = TC - O``, ``S = TC + DTC``, and member ``i``'s gradient is
    ``O - O(set without i)`` (``smaller[i]`` is that O's combination).
    """
    dtc = _add(dict(tc), o_info, -1.0)
    out = [tc, dtc, o_info, _add(dict(tc), dtc), *(_add(dict(o_info), o, -1.0) for o in smaller)]
    return [_cleaned(terms) for terms in out]


def quantity_names(order: int, gradient: bool) -> tuple[str, ...]:
    """``tc, dtc, o_info, s_info`` and, with ``gradient``, ``gradient_0 .. gradient_{order-1}``."""
    return SCALAR_QUANTITIES + (tuple(f"gradient_{i}" for i in range(order)) if gradient else ())


@dataclass(frozen=True)
class ConditionalPlan:
    """The pairs that a list of sets needs, and how their values combine.

    Attributes
    ----------
    moving : numpy.ndarray of int64, shape (P,)
        Moving region of each pair.
    given : numpy.ndarray of int64, shape (P, K)
        Conditioning regions of each pair, padded with -1 (``K`` is the largest
        conditioning set, at least 1).
    coefficients : scipy.sparse.csr_matrix, shape (R, P)
        Row ``r`` of quantity ``q`` of set ``g`` is ``offsets[g] + q``:
        ``quantity = coefficients @ pair_values``.
    offsets : numpy.ndarray of int64, shape (G + 1,)
        First row of each set; set ``g`` has ``offsets[g + 1] - offsets[g]`` quantities.
    importance : numpy.ndarray, shape (P,)
        Sum of absolute coefficients of each pair over every group's
        combinations but the second and fourth (a set's DTC and S-information
        follow from its TC and O-information): how much its error matters,
        normalised to sum to 1.
    """

    moving: np.ndarray
    given: np.ndarray
    coefficients: sparse.csr_matrix
    offsets: np.ndarray
    importance: np.ndarray

    @property
    def n_pairs(self) -> int:
        """Number of distinct pairs P."""
        return len(self.moving)

    def pairs(self) -> list[Pair]:
        """The pairs as ``(m, F)`` tuples."""
        return [(int(m), tuple(int(g) for g in row if g >= 0)) for m, row in zip(self.moving, self.given)]


def mi_terms(a: Sequence[int], b: Sequence[int]) -> Combination:
    """``I(X_a; X_b)`` by the chain rule over ``b``: ``sum_k I(b_k; a, b_<k) - I(b_k; b_<k)``."""
    out: Combination = {}
    for k, moving in enumerate(b):
        _add(out, {_pair(moving, list(a) + list(b[:k])): 1.0})
        if k:
            _add(out, {_pair(moving, b[:k]): -1.0})
    return _cleaned(out)


def plan_sets(
    sets: Sequence[Sequence[int]], gradient: bool = False, routes: Sequence[Sequence[int]] | None = None
) -> ConditionalPlan:
    """Plan the pairs of every set (any mix of orders, at least 3 members each).

    Parameters
    ----------
    sets : sequence of sequences of int
        Region indices of each set.
    gradient : bool, default=False
        Also plan each member's gradient of O-information (in the set's order).
    routes : sequence of sequences of int, optional
        Order of each set's chain and recursion (a permutation of its members);
        default: its members sorted by index.

    Returns
    -------
    ConditionalPlan
        Set ``g`` has the rows of :func:`quantity_names` from ``offsets[g]``.
    """
    for members in sets:
        if len(members) < 3:
            raise ValueError(f"set {tuple(members)} has {len(members)} members; O-information needs at least 3.")
    routes = [None] * len(sets) if routes is None else routes
    return plan_combinations([set_terms(members, gradient, route) for members, route in zip(sets, routes)])


def plan_combinations(groups: Sequence[Sequence[Combination]]) -> ConditionalPlan:
    """Plan any signed sums of pairs, grouped (one group per set, say).

    Parameters
    ----------
    groups : sequence of sequences of Combination
        Group ``g``'s combinations become rows ``offsets[g]`` onwards.

    Returns
    -------
    ConditionalPlan
    """
    index: dict[Pair, int] = {}
    rows, cols, vals, offsets = [], [], [], [0]
    importance: dict[Pair, float] = {}
    for combos in groups:
        for q, terms in enumerate(combos):
            for pair, c in terms.items():
                rows.append(offsets[-1] + q)
                cols.append(index.setdefault(pair, len(index)))
                vals.append(c)
                if q not in (1, 3):  # a set's dtc and s_info follow from its tc and o_info
                    importance[pair] = importance.get(pair, 0.0) + abs(c)
        offsets.append(offsets[-1] + len(combos))
    pairs = list(index)
    width = max(1, max(len(f) for _, f in pairs))
    given = np.full((len(pairs), width), -1, dtype=np.int64)
    for p, (_, f) in enumerate(pairs):
        given[p, : len(f)] = f
    weight = np.array([importance.get(p, 0.0) for p in pairs]) + 1e-12
    return ConditionalPlan(
        moving=np.array([m for m, _ in pairs], dtype=np.int64),
        given=given,
        coefficients=sparse.csr_matrix((vals, (rows, cols)), shape=(offsets[-1], len(pairs))),
        offsets=np.array(offsets, dtype=np.int64),
        importance=weight / weight.sum(),
    )
