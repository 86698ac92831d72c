"""Measures of sets of variables made of several columns, as signed sums of scalar pairs.

The subject model moves one scalar column at a time (a *pair* ``I(X_m; X_F)``,
:mod:`fmri_oinfo.engine.cmi_plan`).  A variable ``V`` of several columns
``v_1 .. v_d`` enters through the chain rule over its columns,

    I(V; W) = sum_k [I(v_k; W, v_<k) - I(v_k; v_<k)]

(:func:`fmri_oinfo.engine.cmi_plan.mi_terms`), and every measure of a set of
variables is the scalar plan's recursion with each ``I(s_k; .)`` replaced by
that sum:

- ``TC(S) = sum_{k >= 2} I(V_k; V_<k)``;
- Rosas' recursion ``O_k = O_{k-1} + (2 - k) I(V_k; V_<k) + sum_{j<k} I(V_k; V_<k without V_j)``;
- ``DTC = TC - O``, ``S = TC + DTC``, and the gradient ``O(S) - O(S without V_i)``.

The route is the variables sorted by index, each variable's columns in
increasing order.  For variables of one column each the combinations are
exactly those of :func:`fmri_oinfo.engine.cmi_plan.set_terms`.
"""

from __future__ import annotations

from collections.abc import Sequence

from fmri_oinfo.engine.cmi_plan import Combination, _add, _cleaned, mi_terms, quantity_terms

#: One variable: its column indices.
Block = Sequence[int]


def _union(blocks: Sequence[Block]) -> list[int]:
    return [int(c) for block in blocks for c in block]


def _mi(moving: Block, given: Sequence[Block]) -> Combination:
    """``I(V_moving; V_given)``, moving the columns of ``moving`` one at a time."""
    return mi_terms(_union(given), sorted(int(c) for c in moving))


def variable_tc_terms(route: Sequence[Block]) -> Combination:
    """TC over variables as the chain ``sum_k I(V_k; V_<k)``."""
    out: Combination = {}
    for k in range(1, len(route)):
        _add(out, _mi(route[k], route[:k]))
    return _cleaned(out)


def variable_o_info_terms(route: Sequence[Block]) -> Combination:
    """O-information over variables by Rosas' recursion, adding one variable at a time in ``route`` order."""
    out: Combination = {}
    for k in range(3, len(route) + 1):
        last, before = route[k - 1], list(route[: k - 1])
        _add(out, _mi(last, before), 2.0 - k)
        for j in range(len(before)):
            _add(out, _mi(last, before[:j] + before[j + 1 :]))
    return _cleaned(out)


def variable_set_terms(members: Sequence[int], blocks: Sequence[Block], gradient: bool = False) -> list[Combination]:
    """The combinations of every quantity of one set of variables, in ``quantity_names`` order.

    Parameters
    ----------
    members : sequence of int
        Variable indices of the set (at least 3); gradients follow this order.
    blocks : sequence of sequences of int
        Columns of every variable (``blocks[i]`` for variable ``i``).
    gradient : bool, default=False
        Also each member's gradient of O-information.

    Returns
    -------
    list of Combination
        ``tc, dtc, o_info, s_info`` and, with ``gradient``, one per member.
    """
    members = [int(m) for m in members]
    if len(members) < 3:
        raise ValueError(f"set {tuple(members)} has {len(members)} variables; O-information needs at least 3.")
    route = [blocks[m] for m in sorted(members)]
    smaller = ([variable_o_info_terms([blocks[m] for m in sorted(members) if m != i]) for i in members]
               if gradient else [])
    return quantity_terms(variable_tc_terms(route), variable_o_info_terms(route), smaller)
