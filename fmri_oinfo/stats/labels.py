"""The labelling rule, written once: when a set is called redundant or synergistic.

A set is labelled by the sign of its O-information (``> 0`` redundant,
``< 0`` synergistic) only when

- its q-value is below ``alpha`` (Benjamini-Hochberg over every tested set),
- its estimate is finite (NaN or infinity is never a label), and
- it is irreducible (every member carries the O-information,
  :mod:`fmri_oinfo.stats.irreducible`; group tables have no such test),
- its effect size ``|o_info / s_info|`` is at least ``min_effect``
  (:mod:`fmri_oinfo.stats.effect`; skipped where the table has none), and
- the interval of ``o_info`` at the label's level excludes 0 on the side of
  its sign (:func:`fmri_oinfo.stats.effect.label_interval`; skipped where
  there is no standard error, and then no interval is shown).

Everything else is ``"n.s."``.  So a label never contradicts the interval
shown beside it.  Between-cohort differences get a direction
in words (:func:`direction_labels`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

#: Labels of a result table.
LABELS: tuple[str, ...] = ("redundant", "synergistic", "n.s.")


def label_sets(
    o_info: np.ndarray,
    q_values: np.ndarray,
    alpha: float,
    irreducible: np.ndarray | None = None,
    effect: np.ndarray | None = None,
    min_effect: float = 0.0,
    interval: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """``"redundant"`` / ``"synergistic"`` / ``"n.s."`` per set (see the module docstring).

    Parameters
    ----------
    o_info : array of float, shape (G,)
    q_values : array of float, shape (G,)
        NaN is never significant.
    alpha : float
    irreducible : array of bool, shape (G,), optional
        None when the table has no irreducibility test (group tables).
    effect : array of float, shape (G,), optional
        Effect size (``o_info / s_info``); NaN passes (no S-information to
        compare with).  None skips the check.
    min_effect : float, default=0.0
        Smallest ``|effect|`` a label needs.
    interval : (low, high) arrays of float, shape (G,), optional
        The interval of ``o_info`` at the label's level; a label needs
        ``low > 0`` (redundant) or ``high < 0`` (synergistic).  NaN bounds
        (no standard error) pass.  None skips the check.

    Returns
    -------
    numpy.ndarray of object, shape (G,)
    """
    o_info = np.asarray(o_info, dtype=float)
    significant = np.isfinite(o_info) & (o_info != 0) & (np.asarray(q_values, dtype=float) < alpha)
    if irreducible is not None:
        significant &= np.asarray(irreducible, dtype=bool)
    if effect is not None:
        effect = np.asarray(effect, dtype=float)
        significant &= ~(np.abs(effect) < min_effect)  # NaN effect passes
    if interval is not None:
        low, high = (np.asarray(b, dtype=float) for b in interval)
        excludes = np.where(o_info > 0, ~(low <= 0), ~(high >= 0))  # NaN bounds pass
        significant &= excludes
    labels = np.full(o_info.shape, "n.s.", dtype=object)
    labels[significant & (o_info > 0)] = "redundant"
    labels[significant & (o_info < 0)] = "synergistic"
    return labels


def direction_labels(
    mean_a: np.ndarray, mean_b: np.ndarray, significant: np.ndarray, cohort_a: str, cohort_b: str
) -> np.ndarray:
    """Name each significant between-cohort difference by its direction.

    The cohort whose mean is further from zero is the one with more of the
    kind its sign says: ``"A > B, synergy"`` when A's mean is the more
    negative, ``"A > B, redundancy"`` when it is the more positive (and the
    same with B first).  So "less synergy in patients" reads
    ``"control > patient, synergy"``, never "redundancy".

    Parameters
    ----------
    mean_a, mean_b : array of float, shape (G,)
        Cohort means (after each subject's baseline is removed).
    significant : array of bool, shape (G,)
    cohort_a, cohort_b : str

    Returns
    -------
    numpy.ndarray of object, shape (G,)
        ``""`` where not significant or not finite.
    """
    mean_a, mean_b = np.asarray(mean_a, dtype=float), np.asarray(mean_b, dtype=float)
    a_stronger = np.abs(mean_a) >= np.abs(mean_b)
    stronger = np.where(a_stronger, mean_a, mean_b)
    kind = np.where(stronger > 0, "redundancy", "synergy")
    first = np.where(a_stronger, cohort_a, cohort_b)
    second = np.where(a_stronger, cohort_b, cohort_a)
    names = np.array([f"{f} > {s}, {k}" for f, s, k in zip(first, second, kind)], dtype=object)
    keep = np.asarray(significant, dtype=bool) & np.isfinite(mean_a) & np.isfinite(mean_b) & (stronger != 0)
    names[~keep] = ""
    return names


def rank_order(table: pd.DataFrame) -> np.ndarray:
    """Row positions of a result table in ranked order.

    Labelled sets first (by q-value, then by ``|o_info|``, largest first),
    then the others in the same order.
    """
    order = pd.DataFrame({
        "ns": (table["label"] == "n.s.").to_numpy(),
        "q": table["q_value"].to_numpy(float),
        "size": -np.abs(table["o_info"].to_numpy(float)),
    })
    return order.sort_values(["ns", "q", "size"], kind="stable", na_position="last").index.to_numpy()


def rank_results(table: pd.DataFrame) -> pd.DataFrame:
    """The table in :func:`rank_order`, attributes kept."""
    ranked = table.iloc[rank_order(table)].reset_index(drop=True)
    ranked.attrs = dict(table.attrs)
    return ranked


def member_names(sets: Sequence[tuple[str, ...]], keep: np.ndarray) -> list[tuple[str, ...]]:
    """For each set, the members where ``keep[g, i]`` (member position ``i``) holds."""
    return [tuple(m for i, m in enumerate(members) if keep[g, i]) for g, members in enumerate(sets)]
