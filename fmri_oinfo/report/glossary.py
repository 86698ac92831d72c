"""What every column and label of the report's tables means, in one place.

The subject report and the group report show these words twice: as the
tooltip of each column heading and in a short legend under each table, so
that no number appears without its definition beside it.  The words follow
``docs/results.md``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

#: Column key -> (heading as shown, definition).  Keys are the template's names, not result columns.
COLUMNS: dict[str, tuple[str, str]] = {
    "rank": ("#", "rank in the result table (by q, then |O|)"),
    "set": ("Set", "the regions of the set (grey: a member that does not carry the set's O-information)"),
    "o_info": ("O (nats)", "O-information of the set in nats: total correlation minus dual total correlation; "
                           "> 0 redundancy dominates, < 0 synergy dominates"),
    "ratio": ("O/S", "O / S-information, from -1 to 1 (at most 1/3 in size for 3 regions): the share of what the "
                     "regions share that is redundancy (+) or synergy (-); an effect size"),
    "label_interval": ("Interval", "interval of O at the label's level (false-coverage adjusted over the labelled "
                                   "sets); a label needs it to exclude 0"),
    "finding": ("Finding", "finding number: a labelled set and its labelled subsets or supersets are one finding; "
                           "head: the set that names it"),
    "interval": ("interval", "percentile interval of O over moving-block bootstrap resamples of the tested volumes"),
    "se": ("SE", "standard error of O (moving-block bootstrap of the tested volumes)"),
    "q": ("q", "Benjamini-Hochberg q-value over every tested set, computed from max(p, p irred.): a set needs both "
               "its own test and every member's irreducibility test to pass"),
    "label": ("Label", "redundant (O > 0) or synergistic (O < 0) when q is below the level: the regions share (or "
                       "jointly carry) more information than independent regions would, in that direction; n.s.: "
                       "not significant. A label says that O differs from 0, not that the effect is large"),
    "order": ("Order", "number of regions in the set"),
    "chosen_by": ("Chosen by", "how the set became a candidate (hover a tag for its words)"),
    "test": ("Test", "how the set was tested: split-sample (chosen on one block of volumes, tested on another the "
                     "choice never saw) or per-set (pre-specified, tested on the whole run)"),
    "p": ("p", "surrogate p-value of the set's O-information against surrogates that make the regions independent "
               "while keeping each region's autocorrelation; \u201c< b\u201d: a bound, below the smallest p-value "
               "the surrogates support"),
    "p_irreducible": ("p irred.", "irreducibility p-value: the largest over the set's members of the p-value that "
                                  "the member adds to the O-information of the others (that member alone shifted "
                                  "in time); \u201c< b\u201d: a bound"),
    "fmmi": ("O FMMI", "O-information of the same set by the flow-matching estimator FMMI, on the same volumes: "
                       "shown for comparison, never tested"),
}

#: q of a table without irreducibility tests (older tables): BH of the set's own p-value alone.
Q_WITHOUT_IRREDUCIBLE = "Benjamini-Hochberg q-value of p over every tested set"


def meanings(has_irreducible: bool) -> dict[str, str]:
    """Definition of every column key; q as the table computed it (with or without irreducibility tests)."""
    words = {key: text for key, (_, text) in COLUMNS.items()}
    if not has_irreducible:
        words["q"] = Q_WITHOUT_IRREDUCIBLE
    return words


#: Group tables: column key -> definition (headings as the group report shows them).
GROUP_COLUMNS: dict[str, str] = {
    "o_info": "mean over subjects of each subject's O-information of the set (nats); pooled: O of the pooled series",
    "ci": "interval of the tested effect (O-information minus each subject's surrogate baseline) at 1 - alpha",
    "q": COLUMNS["q"][1],
    "q_plain": Q_WITHOUT_IRREDUCIBLE,
    "label": "redundant (effect > 0) or synergistic (effect < 0) when q is below the level: across subjects, the "
             "set's O-information differs from what independent regions give, in that direction; n.s. otherwise",
    "n_subjects": "subjects with a value for the set",
    "hedges_g": "standardised effect: mean effect over its standard deviation across subjects, small-sample corrected",
    "order": COLUMNS["order"][1],
    "chosen_by": COLUMNS["chosen_by"][1],
    "p": "permutation p-value of the group test (sign flips of each subject's effect; between cohorts: cohort "
         "labels permuted); “< b”: a bound",
    "p_irreducible": "group irreducibility p-value: the largest over the set's members of the p-value that the "
                     "member's contribution is an effect in the set's direction across subjects",
    "difference": "mean O-information of the first cohort minus that of the second (nats)",
    "direction": "which cohort has the higher O-information, when q is below the level",
}


def meaning(key: str) -> str:
    """The definition of column ``key`` (:data:`COLUMNS`).

    Raises
    ------
    KeyError
        When ``key`` is not a known column.
    """
    return COLUMNS[key][1]


def legend(keys: Iterable[str], tags: Sequence[Mapping[str, Any]] = (),
           words: Mapping[str, str] | None = None) -> list[dict[str, str]]:
    """Legend rows ``{"term", "words"}`` of the columns ``keys``, then of the ``Chosen by`` tags shown.

    Parameters
    ----------
    keys : iterable of str
        Column keys of :data:`COLUMNS`, in table order.
    tags : sequence of mapping
        The ``{"tag", "words"}`` of the rows shown (repeats are listed once).
    words : mapping or None
        Definitions by key (:func:`meanings`); None: those of :data:`COLUMNS`.

    Returns
    -------
    list of dict
    """
    words = words or meanings(True)
    rows = [{"term": COLUMNS[key][0], "words": words[key]} for key in keys]
    seen: set[str] = set()
    for tag in tags:
        if tag["tag"] not in seen:
            seen.add(tag["tag"])
            rows.append({"term": f"tag \u201c{tag['tag']}\u201d", "words": str(tag["words"])})
    return rows


def set_table_columns(sets: Mapping[str, Any]) -> list[str]:
    """Column keys of a subject set table, in order, given the flags of ``sets_section``."""
    keys = ["rank", "set", "o_info"]
    keys += ["ratio"] if sets.get("has_ratio") else []
    if sets.get("label_ci"):
        keys += ["label_interval"]
    else:
        keys += ["interval"] if sets["has_ci"] else (["se"] if sets["has_se"] else [])
    keys += ["q", "label"]
    keys += ["finding"] if sets.get("has_family") else []
    keys += ["order", "chosen_by"]
    keys += ["test"] if sets["has_inference"] else []
    keys += ["p"]
    keys += ["p_irreducible"] if sets["has_irreducible"] else []
    keys += ["fmmi"] if sets["has_fmmi"] else []
    return keys
