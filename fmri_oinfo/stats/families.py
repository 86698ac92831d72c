"""Families of nested labelled sets: one finding, however many of its subsets are labelled too.

A redundant 4-set makes its 3-subsets redundant as well, and each of them is
irreducible, so all five are labelled; they are one finding, not five.  The
rule, written once:

- Two labelled sets are **linked** when they carry the same label and one
  contains the other (a redundant set and a synergistic subset are two
  findings).
- A **family** is a connected component of the linked sets: a labelled set
  and its labelled subsets or supersets, and theirs.  A labelled set linked
  to no other set is a family of one.
- The family's **head**, the set that names it, is its largest set (most
  members); among sets of that size, the first in the table's ranking
  (smallest q-value, then largest ``|o_info|``).  Its other sets are
  ``within`` (contained in the head) or ``nested`` (linked to the family
  through another member, but not contained in the head: two 4-sets sharing
  a labelled 3-subset).
- Families are numbered 1, 2, ... in the ranking of their best-ranked set;
  unlabelled rows get family 0 and role ``""``.

How outputs count a family once (``docs/results.md``): a region's score from
a family is the largest ``|o_info|`` among the family's sets that contain the
region, and families add.  So a family is never summed over its nested
copies, and a region of a weaker outer set (in the head but in no stronger
subset) still gets the outer set's value.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

#: Values of the ``family_role`` column.
FAMILY_ROLES: tuple[str, ...] = ("head", "within", "nested", "")


def _membership(sets: Sequence[Sequence[str]]) -> np.ndarray:
    """Boolean matrix (G, regions) of which region is in which set."""
    regions = sorted({str(m) for s in sets for m in s})
    column = {name: j for j, name in enumerate(regions)}
    member = np.zeros((len(sets), len(regions)), dtype=bool)
    for g, members in enumerate(sets):
        member[g, [column[str(m)] for m in members]] = True
    return member


def set_families(
    sets: Sequence[Sequence[str]],
    labels: Sequence[str],
    rank: Sequence[int] | np.ndarray,
    findings: Collection[str] = ("redundant", "synergistic"),
) -> tuple[np.ndarray, np.ndarray]:
    """Group labelled sets into families of nested sets (rule in the module docstring).

    Parameters
    ----------
    sets : sequence of sequences of str, length G
        Member regions of each row.
    labels : sequence of str, length G
        ``"redundant"``, ``"synergistic"`` or ``"n.s."`` (anything not in
        ``findings`` is unlabelled).
    rank : sequence of int, length G
        Row positions in ranked order (best first), as
        :func:`fmri_oinfo.stats.labels.rank_order` gives.
    findings : collection of str, default=("redundant", "synergistic")
        The label values that make a row a finding; sets are linked only
        within one value.  A between-cohort table passes its directions
        (``"patient > control, synergy"``: :mod:`fmri_oinfo.stats.group`).

    Returns
    -------
    family : numpy.ndarray of int, shape (G,)
        Family number (1, 2, ... in ranked order of the family's best set);
        0 for unlabelled rows.
    role : numpy.ndarray of object, shape (G,)
        ``"head"``, ``"within"``, ``"nested"`` or ``""`` (unlabelled).

    Raises
    ------
    ValueError
        When the lengths differ or ``rank`` is not a permutation of the rows.
    """
    labels = np.asarray(labels, dtype=object)
    rank = np.asarray(rank, dtype=int)
    n_sets = len(sets)
    if labels.shape != (n_sets,) or rank.shape != (n_sets,):
        raise ValueError(f"sets ({n_sets}), labels ({labels.size}) and rank ({rank.size}) must have one entry per row.")
    if not np.array_equal(np.sort(rank), np.arange(n_sets)):
        raise ValueError("rank must be a permutation of the row positions (rank_order of the table).")
    family = np.zeros(n_sets, dtype=int)
    role = np.full(n_sets, "", dtype=object)
    labelled = np.flatnonzero(np.isin(labels, list(findings)))
    if labelled.size == 0:
        return family, role
    member = _membership([sets[i] for i in labelled])  # (L, regions)
    outside = member.astype(np.int64) @ (~member).astype(np.int64).T  # (L, L): members of a not in b
    contained = outside == 0  # a is a subset of b
    same_label = labels[labelled][:, None] == labels[labelled][None, :]
    linked = (contained | contained.T) & same_label
    n_components, component = connected_components(csr_matrix(linked), directed=False)
    position = np.empty(n_sets, dtype=int)
    position[rank] = np.arange(n_sets)  # each row's place in the ranking
    places = position[labelled]
    best_place = np.full(n_components, n_sets)
    np.minimum.at(best_place, component, places)
    numbers = np.empty(n_components, dtype=int)
    numbers[np.argsort(best_place, kind="stable")] = np.arange(1, n_components + 1)
    family[labelled] = numbers[component]
    sizes = member.sum(axis=1)
    for c in range(n_components):
        rows = np.flatnonzero(component == c)  # positions among the labelled rows
        head = rows[np.lexsort((places[rows], -sizes[rows]))[0]]
        role[labelled[rows]] = np.where(contained[rows, head], "within", "nested")
        role[labelled[head]] = "head"
    return family, role
