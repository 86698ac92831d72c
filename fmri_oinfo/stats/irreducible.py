"""Irreducible sets: every member must carry the set's O-information.

Adding a region that is independent of a set leaves its O-information
unchanged, so "a real set plus an unrelated region" (a *padded* set) has the
real set's value and its surrogate p-value.  For member ``i`` of a set ``S``
with ``d = sign(O(S))`` the statistic is::

    d * (O(S) - O(S without i))

large when ``i`` pushes the set further in its own direction.  Its null comes
from surrogates where member ``i`` alone is shifted in time (or
phase-randomised) and the other members keep their joint time course
(:func:`fmri_oinfo.stats.nulls.member_null`): under "``i`` is independent of
the others" this keeps the joint law, so the test is exact up to the
surrogate's approximation of ``i``'s own dynamics.  A shift moves ``i`` by at
least the autocorrelation length; a test block of ``T`` volumes has only about
``T`` such shifts, and when they are no more than ``n_surrogates`` every one is
used once.  ``O(S without i)`` is the
same on the data and on every such surrogate (it does not involve ``i``), so
the test compares ``d * O(S)`` with ``d * O(S with i shifted)``; for a triplet
``O(pair) = 0`` and it asks whether ``i`` contributes at all.

``d`` is read from the same data, so the one-sided tail it picks is doubled
(``p = min(1, 2 P(d O* >= d O))``): with a data-chosen tail the plain
one-sided p-value rejects up to twice as often as its level (for example a
correlated pair plus an unrelated region, the screen's favourite
"synergistic" triplet, whose null O-information is lopsided).

The set is irreducible when every member's test passes: an intersection-union
test (Berger 1982), whose p-value is the largest member p-value,
``p_irreducible``.  A padded member is independent of the others, so its
p-value is uniform and the padded set is labelled no more often than the
error rate allows.  ``carriers`` are the members whose own test passes at
``alpha``.

A member p-value from the fitted tail is at least twice the smallest
reportable p-value of its null (:func:`fmri_oinfo.stats.tail.smallest_reportable_p`);
``p_irreducible`` is such a bound (the set's true value lies below it) when
every member's is.
"""

from __future__ import annotations

import numpy as np

from fmri_oinfo.stats.tail import BOUND, surrogate_p_values


def member_p_values(
    o_info: np.ndarray, null: np.ndarray, tail: str = "gpd"
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """p-value of every member's contribution, and the set's intersection-union p-value.

    Parameters
    ----------
    o_info : numpy.ndarray, shape (G,)
        The sets' O-information on the data.
    null : numpy.ndarray, shape (R, G, K)
        :func:`fmri_oinfo.stats.nulls.member_null` (NaN beyond a set's order).
    tail : {"gpd", "empirical"}, default="gpd"
        See :func:`fmri_oinfo.stats.tail.surrogate_p_values`.

    Returns
    -------
    p_members : numpy.ndarray, shape (G, K)
        Twice the one-sided surrogate p-value in the set's direction, at
        most 1; NaN beyond a set's order, and for sets whose O-information is
        0 or not finite.
    p_irreducible : numpy.ndarray, shape (G,)
        Largest member p-value (NaN where ``o_info`` is 0 or not finite).
    p_irreducible_is_bound : numpy.ndarray of bool, shape (G,)
        Every member's p-value is the smallest reportable one (the fitted
        tail put it lower), so ``p_irreducible`` is an upper bound.
    n_tail_fits : int
        Member p-values that came from the fitted tail (bounds included).
    """
    n_surrogates, n_sets, width = null.shape
    sign = np.sign(o_info)  # (G,)
    usable = np.isfinite(o_info) & (sign != 0)  # (G,)
    exists = ~np.isnan(null).all(axis=0)  # (G, K) member positions inside each set
    observed = np.broadcast_to((sign * o_info)[:, None], (n_sets, width))  # (G, K)
    statistic = sign[None, :, None] * null  # (R, G, K)
    columns = (usable[:, None] & exists).reshape(-1)  # (G * K,)
    p_members = np.full(n_sets * width, np.nan)
    bound = np.zeros(n_sets * width, dtype=bool)
    n_tail_fits = 0
    if columns.any():
        one_sided, method = surrogate_p_values(
            observed.reshape(-1)[columns], statistic.reshape(n_surrogates, -1)[:, columns], tail)
        p_members[columns] = np.minimum(1.0, 2.0 * one_sided)  # the tail was chosen by the data's sign
        bound[columns] = method == BOUND
        n_tail_fits = int(np.isin(method, ("gpd", BOUND)).sum())
    p_members = p_members.reshape(n_sets, width)
    largest = np.max(np.where(exists, np.nan_to_num(p_members, nan=np.inf), -np.inf), axis=1)  # (G,)
    p_irreducible = np.where(usable & np.isfinite(largest), largest, np.nan)
    all_bound = usable & np.where(exists, bound.reshape(n_sets, width), True).all(axis=1)  # (G,)
    return p_members, p_irreducible, all_bound, n_tail_fits
