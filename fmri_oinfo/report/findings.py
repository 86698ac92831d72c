"""What the report says first: the summary sentence and the rows of the set tables.

Every count and label here is read from the result table and its ``attrs``
(``docs/results.md``); nothing is tested or recomputed.  Tables from before
the selection-aware inference (no ``inference``, ``n_tested``,
``n_screened`` ...) still read: the sentence then leaves out what the table
does not say.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from fmri_oinfo.atlases import hemisphere
from fmri_oinfo.maps import beyond_fc_family_keys, family_keys

#: Labels of the result table that name a finding, with their O-information sign in words.
KINDS: tuple[tuple[str, str], ...] = (("redundant", "redundancy"), ("synergistic", "synergy"))

#: A finding's other sets listed by name on its card or line (the rest counted; all are in the tables),
#: in the subject and group reports alike (the ``family_list`` macro).
FAMILY_SHOWN = 6

#: Short tag and words for each ``chosen_by`` strategy tag (``network:<name>`` is within that network).
CHOSEN_BY: dict[str, tuple[str, str]] = {
    "exhaustive": ("all", "every set of its order was tested"),
    "network:within": ("network", "a set within one network"),
    "network:spanning": ("networks", "a set spanning networks, one region per network"),
    "screen:redundancy": ("screen R", "among the most redundant sets of a screen of every set of its order"),
    "screen:synergy": ("screen S", "among the most synergistic sets of a screen of every set of its order"),
    "screen:control": ("control", "a random control set of the screen"),
    "search:greedy": ("greedy", "grown region by region by a greedy search"),
    "search:beam": ("beam", "found by a beam search"),
    "search:anneal": ("anneal", "found by simulated annealing"),
    "search:partial": ("partial", "grown from partial-correlation neighbours"),
    "nonlinear": ("nonlinear", "among the triplets with the strongest third-order dependence, which correlations "
                  "cannot see"),
    "user": ("user", "from your list of sets"),
}

#: How each ``inference`` value tested a set, in words.
INFERENCE_WORDS: dict[str, str] = {
    "per-set": "pre-specified set, tested on the whole run",
    "split-sample": "chosen on one block of volumes, tested on another block the choice never saw",
}


def chosen_by_tags(chosen_by: str) -> list[dict[str, str]]:
    """Short tags (``tag``) with their meaning in words (``words``) of a ``;``-joined ``chosen_by``.

    Parameters
    ----------
    chosen_by : str
        E.g. ``"screen:synergy;search:greedy"``.

    Returns
    -------
    list of dict
        One ``{"tag", "words"}`` per strategy, unknown strategies verbatim.
    """
    tags = []
    for part in (p.strip() for p in str(chosen_by).split(";")):
        if not part:
            continue
        if part in CHOSEN_BY:
            tag, words = CHOSEN_BY[part]
        elif part.startswith("network:"):
            tag, words = part.split(":", 1)[1], f"a set within the {part.split(':', 1)[1]} network"
        else:
            tag, words = part, part
        tags.append({"tag": tag, "words": words})
    return tags


def _number(value: Any) -> float | None:
    """A finite float, or None (shown as a dash)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _thousands(value: int) -> str:
    return f"{int(value):,}"


def _percent(alpha: float) -> str:
    return f"{100 * alpha:g} %"


def _inference_phrase(results: pd.DataFrame, attrs: Mapping[str, Any]) -> str:
    kinds = set(results["inference"].dropna().astype(str)) if "inference" in results.columns else set()
    if kinds == {"split-sample"}:
        tested = "split-sample testing"
    elif kinds == {"per-set"}:
        tested = "per-set surrogate testing"
    elif kinds:
        tested = "per-set (pre-specified sets) and split-sample (data-chosen sets) testing"
    else:
        tested = "surrogate testing"
    rate = str(attrs.get("error_rate") or "FDR")
    alpha = _number(attrs.get("alpha"))
    return f"after {tested} at {rate} {_percent(alpha)}" if alpha is not None else f"after {tested} ({rate})"


def count_findings(results: pd.DataFrame, label: str) -> int:
    """Families (findings) among the rows labelled ``label``: nested labelled sets count once."""
    labelled = (results["label"] == label).to_numpy()
    return int(np.unique(family_keys(results)[labelled]).size)


def summary_sentence(results: pd.DataFrame, alpha: float | None = None) -> dict[str, Any]:
    """The findings in one sentence, with the counts it states.

    Parameters
    ----------
    results : pandas.DataFrame
        Result table with ``label`` (and ``q_value``); ``attrs`` as in
        ``docs/results.md`` when present.
    alpha : float or None
        Level of the labels when ``attrs`` lacks ``alpha`` (from the run's
        parameters); None leaves the level out.

    Returns
    -------
    dict
        ``sentence`` (str), ``why`` (str: why nothing was labelled, "" when
        something was), ``n_labelled``, ``n_redundant``, ``n_synergistic``
        (labelled sets), ``n_findings``, ``n_redundant_findings``,
        ``n_synergistic_findings`` (families: a labelled set and its labelled
        subsets or supersets count once), ``n_tested`` and ``n_screened``
        (None when not recorded).
    """
    attrs = dict(results.attrs)
    if alpha is not None and attrs.get("alpha") is None:
        attrs["alpha"] = alpha
    n_redundant = int((results["label"] == "redundant").sum())
    n_synergistic = int((results["label"] == "synergistic").sum())
    n_labelled = n_redundant + n_synergistic
    n_tested = int(attrs.get("n_tested") or len(results))
    screened = attrs.get("n_screened")
    n_screened = int(screened) if _number(screened) is not None and screened > 0 else None
    how = _inference_phrase(results, attrs)
    found = {label: count_findings(results, label) for label, _ in KINDS}
    n_findings = sum(found.values())
    if n_labelled and n_findings < n_labelled:
        counts = ", ".join(f"{n} {word}" for n, word in ((found["redundant"], "redundant"),
                                                         (found["synergistic"], "synergistic")) if n)
        head = (f"{n_findings} finding{'s' if n_findings != 1 else ''} ({counts}) from {n_labelled} labelled sets "
                f"of {_thousands(n_tested)} tested (a labelled set and its labelled subsets or supersets are one "
                "finding)")
    elif n_labelled:
        counts = ", ".join(f"{n} {word}" for n, word in ((n_redundant, "redundant"), (n_synergistic, "synergistic"))
                           if n)
        head = f"{n_labelled} set{'s' if n_labelled != 1 else ''} labelled ({counts}) of {_thousands(n_tested)} tested"
    else:
        head = f"No set labelled of {_thousands(n_tested)} tested"
    sentence = f"{head}, {how}"
    sentence += f"; {_thousands(n_screened)} sets screened." if n_screened else "."
    why = "" if n_labelled else nothing_found_reason(results, attrs)
    return {"sentence": sentence, "why": why, "n_labelled": n_labelled, "n_redundant": n_redundant,
            "n_synergistic": n_synergistic, "n_findings": n_findings, "n_redundant_findings": found["redundant"],
            "n_synergistic_findings": found["synergistic"], "n_tested": n_tested, "n_screened": n_screened}


#: ``excess_label`` values, with the sign of the excess in words.
BEYOND_FC_KINDS: tuple[tuple[str, str], ...] = (
    ("synergy beyond FC", "synergy"), ("redundancy beyond FC", "redundancy"),
)


def beyond_fc_summary(results: pd.DataFrame) -> dict[str, Any] | None:
    """How many tested sets show structure beyond functional connectivity, and which.

    Read from the ``excess*`` columns (FMMI's non-Gaussian excess and its
    test, ``docs/results.md``); None when the table has none (no FMMI).

    Returns
    -------
    dict or None
        ``sentence`` (str), ``n_tested`` (sets with an excess), ``n_beyond``,
        ``n_synergy``, ``n_redundancy``, ``n_families`` (beyond-FC families:
        nested sets with the same ``excess_label`` count once,
        :func:`fmri_oinfo.maps.beyond_fc_family_keys`) and ``sets``: per
        labelled set its ``names``, ``label``, ``excess``, ``excess_se``,
        ``excess_margin``, ``excess_q``, ``family`` (its key), ``chosen`` and
        ``tested`` (how it was chosen and tested, in words; "" when not
        recorded), strongest first.
    """
    if "excess_label" not in results.columns:
        return None
    results = results.reset_index(drop=True)
    excess = pd.to_numeric(results["excess"], errors="coerce")
    tested = int(excess.notna().sum())
    labels = results["excess_label"].fillna("").astype(str)
    counts = {word: int((labels == label).sum()) for label, word in BEYOND_FC_KINDS}
    keys = beyond_fc_family_keys(results)
    beyond = results.assign(_family=keys)[labels != ""]
    beyond = beyond.assign(_size=excess[labels != ""].abs()).sort_values("_size", ascending=False)
    sets = [{"names": [str(m) for m in record["set"]], "label": str(record["excess_label"]),
             **{column: _number(record.get(column)) for column in ("excess", "excess_se", "excess_margin", "excess_q")},
             "family": str(record["_family"]),
             "chosen": "; ".join(t["words"] for t in chosen_by_tags(record.get("chosen_by", ""))),
             "tested": INFERENCE_WORDS.get(str(record.get("inference", "")), "")}
            for record in beyond.to_dict(orient="records")]
    n_beyond = len(sets)
    n_families = len({s["family"] for s in sets})
    test = "excess test, FDR over the tested sets"
    if n_beyond:
        parts = ", ".join(f"{n} {word}" for word, n in counts.items() if n)
        families = (f"; {n_families} finding{'s' if n_families != 1 else ''}: a set and its nested sets with the "
                    "same label count once" if n_families < n_beyond else "")
        whose = ("its", "its regions'") if n_beyond == 1 else ("their", "their")
        sentence = (f"{n_beyond} of {_thousands(tested)} tested set{'s' if tested != 1 else ''} "
                    f"show{'s' if n_beyond == 1 else ''} structure beyond "
                    f"functional connectivity ({parts}{families}): {whose[0]} FMMI "
                    f"O-information exceeds what {whose[1]} correlations explain "
                    f"by more than the engine's own error margin ({test}).")
    else:
        sentence = (f"No set of {_thousands(tested)} tested shows structure beyond functional connectivity: no FMMI "
                    f"O-information exceeded what the regions' correlations explain by more than the engine's own "
                    f"error margin ({test}).")
    return {"sentence": sentence, "n_tested": tested, "n_beyond": n_beyond, "n_synergy": counts["synergy"],
            "n_redundancy": counts["redundancy"], "n_families": n_families, "sets": sets}


def nothing_found_reason(results: pd.DataFrame, attrs: Mapping[str, Any]) -> str:
    """One sentence saying why no set is labelled, from the table's attrs and q-values."""
    if not len(results):
        return "No set was tested: the candidate strategies chose none."
    if attrs.get("reachable") is False:
        note = str(attrs.get("reachability_note") or "").strip()
        return note or "This design cannot label any set (the smallest reachable q-value is above alpha)."
    q = pd.to_numeric(results.get("q_value", pd.Series(dtype=float)), errors="coerce")
    alpha = _number(attrs.get("alpha"))
    if q.notna().any():
        smallest = float(q.min())
        level = f"q < {alpha:g}" if alpha is not None else "significance"
        note = str(attrs.get("reachability_note") or "").strip()  # a reachable design's lone-set limit
        return (f"No set reached {level}: the smallest q-value was {smallest:.3g}"
                + (f", of set {', '.join(map(str, results.loc[q.idxmin(), 'set']))}." if "set" in results else ".")
                + (f" {note}" if note else ""))
    return "No set has a q-value: the statistics did not test these sets."


def _members(members: Sequence[str], regions: pd.DataFrame, carriers: set[str] | None) -> list[dict[str, Any]]:
    table = regions.set_index("name")
    rows = []
    for name in members:
        record = table.loc[name] if name in table.index else None
        coords = [None, None, None] if record is None else [_number(record[a]) for a in ("x", "y", "z")]
        anatomy = ""
        if record is not None and "anatomy" in table.columns and isinstance(record["anatomy"], str):
            anatomy = record["anatomy"]
        elif coords[0] is not None:
            anatomy = f"{hemisphere(coords[0])} hemisphere"
        rows.append({
            "name": name, "network": "" if record is None else str(record["network"] or ""),
            "anatomy": anatomy, "x": coords[0], "y": coords[1], "z": coords[2],
            "carrier": carriers is None or name in carriers,
        })
    return rows


def _interval(record: Mapping[str, Any]) -> tuple[float | None, float | None, str]:
    """The interval shown beside a row: the label's interval for a labelled row that has one, else the bootstrap's."""
    low, high = _number(record.get("label_ci_low")), _number(record.get("label_ci_high"))
    if str(record.get("label")) != "n.s." and low is not None and high is not None:
        return low, high, "label"
    return _number(record.get("ci_low")), _number(record.get("ci_high")), "bootstrap"


def set_rows(table: pd.DataFrame, regions: pd.DataFrame, results: pd.DataFrame | None = None) -> list[dict[str, Any]]:
    """Rows of a set table: members (with network, anatomy, coordinates), numbers and tags.

    Parameters
    ----------
    table : pandas.DataFrame
        Rows of the result table to show, in the order to show them.
    regions : pandas.DataFrame
        Region table (``name``, ``network``, ``x``, ``y``, ``z`` and
        optionally ``anatomy``).
    results : pandas.DataFrame or None
        The whole result table, to list each row's family (the other
        labelled sets of its ``family``); None lists none.

    Returns
    -------
    list of dict
        ``ci_low``/``ci_high`` are the interval shown: for a labelled row with
        ``label_ci_low``/``label_ci_high``, the interval its label rests on
        (``interval`` = ``"label"``), else the bootstrap interval
        (``"bootstrap"``).  ``family_sets``: the other sets of the row's
        family, as lists of names.
    """
    families: dict[int, list[tuple[str, ...]]] = {}
    if results is not None and "family" in results.columns:
        for family, members in zip(pd.to_numeric(results["family"], errors="coerce").fillna(0).astype(int),
                                   results["set"]):
            if family > 0:
                families.setdefault(int(family), []).append(tuple(str(m) for m in members))
    rows = []
    for rank, record in enumerate(table.to_dict(orient="records"), start=1):
        members = [str(m) for m in record["set"]]
        carriers = record.get("carriers")
        carrier_set = None
        if isinstance(carriers, (tuple, list, np.ndarray)) and len(carriers):
            carrier_set = {str(c) for c in carriers}
        inference = record.get("inference")
        inference = str(inference) if isinstance(inference, str) else ""
        irreducible = record.get("irreducible")
        low, high, interval = _interval(record)
        family = _number(record.get("family"))
        family = int(family) if family is not None and family > 0 else None
        role = record.get("family_role")
        rows.append({
            "rank": rank,
            "members": _members(members, regions, carrier_set),
            "names": members,
            "networks": sorted({str(n) for n in regions.set_index("name").reindex(members)["network"].dropna()}
                               - {""}),
            "order": int(record.get("order") or len(members)),
            "tags": chosen_by_tags(record.get("chosen_by", "")),
            "inference": inference,
            "inference_words": INFERENCE_WORDS.get(inference, inference),
            "irreducible": None if irreducible is None or (isinstance(irreducible, float) and np.isnan(irreducible))
            else bool(irreducible),
            "carriers": [m for m in members if m in carrier_set] if carrier_set else [],
            **{column: _number(record.get(column)) for column in
               ("o_info", "o_info_se", "o_info_ratio", "p_value", "p_irreducible", "q_value",
                "o_info_fmmi", "o_info_fmmi_se")},
            "ci_low": low, "ci_high": high, "interval": interval,
            "family": family, "family_role": str(role) if isinstance(role, str) else "",
            "family_sets": [list(g) for g in families.get(family, []) if g != tuple(members)] if family else [],
            **{column: record.get(column) in (True, 1) for column in ("p_value_is_bound", "p_irreducible_is_bound")},
            "label": str(record["label"]),
        })
    return rows


def family_heads(results: pd.DataFrame, label: str, top_n: int | None = None) -> pd.DataFrame:
    """The findings of one label: the rows heading a family (every labelled row where the table has no families).

    Parameters
    ----------
    results : pandas.DataFrame
    label : {"redundant", "synergistic"}
    top_n : int or None
        Keep the first ``top_n`` rows; all when None.

    Returns
    -------
    pandas.DataFrame
        In the order of the family numbers (the ranking of each family's best set).
    """
    subset = labelled_sets(results, label)
    if "family_role" in subset.columns:
        subset = subset[subset["family_role"] == "head"].sort_values("family", kind="stable")
    return subset if top_n is None else subset.head(top_n)


def labelled_sets(results: pd.DataFrame, label: str, top_n: int | None = None) -> pd.DataFrame:
    """Rows labelled ``label`` in the table's own ranking (labelled sets first by q, then |O|).

    Parameters
    ----------
    results : pandas.DataFrame
    label : {"redundant", "synergistic"}
    top_n : int or None
        Keep the first ``top_n`` rows; all when None.

    Returns
    -------
    pandas.DataFrame
    """
    subset = results[results["label"] == label]
    return subset if top_n is None else subset.head(top_n)
