"""A methods paragraph, ready to copy into a paper, written from what the run recorded.

Each sentence is built only from what the run recorded: the result table's
``attrs`` (estimator, surrogates, error rate, screening), the run's
parameters and the extraction metadata (atlas, confounds, filtering,
censoring).  A sentence whose facts were not recorded is left out rather
than guessed.  References are numbered in order of first citation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd


#: Reference texts by key.
REFERENCES: dict[str, str] = {
    "rosas2019": ("Rosas FE, Mediano PAM, Gastpar M, Jensen HJ. Quantifying high-order interdependencies via "
                  "multivariate extensions of the mutual information. Physical Review E 100:032305 (2019)."),
    "butakov2025": ("Butakov I, Semenenko A, Frolov A, Oseledets I. FMMI: Flow Matching Mutual Information "
                    "Estimation. arXiv:2511.08552 (2025)."),
    "ince2017": ("Ince RAA, Giordano BL, Kayser C, Rousselet GA, Gross J, Schyns PG. A statistical framework for "
                 "neuroimaging data analysis based on mutual information estimated via a Gaussian copula. "
                 "Human Brain Mapping 38:1541-1573 (2017)."),
    "abraham2014": ("Abraham A, Pedregosa F, Eickenberg M, et al. Machine learning for neuroimaging with "
                    "scikit-learn. Frontiers in Neuroinformatics 8:14 (2014)."),
    "wang2024": ("Wang HT, Meisler SL, Sharmarke H, et al. Continuing evaluation of denoising strategies in "
                 "resting-state fMRI connectivity using fMRIPrep and Nilearn. PLoS Computational Biology "
                 "20:e1011942 (2024)."),
    "theiler1992": ("Theiler J, Eubank S, Longtin A, Galdrikian B, Farmer JD. Testing for nonlinearity in time "
                    "series: the method of surrogate data. Physica D 58:77-94 (1992)."),
    "lancaster2018": ("Lancaster G, Iatsenko D, Pidde A, Ticcinelli V, Stefanovska A. Surrogate data for hypothesis "
                      "testing of physical systems. Physics Reports 748:1-60 (2018)."),
    "kriegeskorte2009": ("Kriegeskorte N, Simmons WK, Bellgowan PSF, Baker CI. Circular analysis in systems "
                         "neuroscience: the dangers of double dipping. Nature Neuroscience 12:535-540 (2009)."),
    "benjamini1995": ("Benjamini Y, Hochberg Y. Controlling the false discovery rate: a practical and powerful "
                      "approach to multiple testing. Journal of the Royal Statistical Society B 57:289-300 (1995)."),
    "knijnenburg2009": ("Knijnenburg TA, Wessels LFA, Reinders MJT, Shmulevich I. Fewer permutations, more "
                        "accurate P-values. Bioinformatics 25:i161-i168 (2009)."),
    "kunsch1989": ("Kunsch HR. The jackknife and the bootstrap for general stationary observations. "
                   "Annals of Statistics 17:1217-1241 (1989)."),
}

#: Candidate strategies in words.
STRATEGY_WORDS: dict[str, str] = {
    "exhaustive": "every set of the chosen orders",
    "networks": "sets within and spanning the atlas networks",
    "screen": "a closed-form Gaussian screen of every set of the chosen orders, keeping the most redundant "
              "and most synergistic sets and random controls",
    "search": "searches that grow sets region by region",
    "user": "a list of pre-specified sets",
}


class _Citations:
    """Numbered citations in order of first use."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def cite(self, *keys: str) -> str:
        """Cite references of :data:`REFERENCES` by key."""
        return self.cite_text(*(REFERENCES[key] for key in keys))

    def cite_text(self, *texts: str) -> str:
        """Cite references given by their full text (an atlas's own citation)."""
        numbers = []
        for text in texts:
            if text not in self.texts:
                self.texts.append(text)
            numbers.append(self.texts.index(text) + 1)
        return "[" + ", ".join(str(n) for n in numbers) + "]"


def _get(mapping: Mapping[str, Any] | None, *path: str, default: Any = None) -> Any:
    value: Any = mapping
    for key in path:
        if not isinstance(value, Mapping) or key not in value:
            return default
        value = value[key]
    return value


def _join(words: Sequence[str]) -> str:
    words = [w for w in words if w]
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _extraction_sentences(extraction: Mapping[str, Any], n_regions: int, n_volumes: int | None,
                          versions: Mapping[str, str], cite: _Citations) -> list[str]:
    atlas = extraction.get("atlas")
    runs = extraction.get("runs") or []
    t_r = extraction.get("t_r")
    if not isinstance(atlas, Mapping):
        source = _join([str(f) for f in extraction.get("source_files") or []]) or "a table"
        return [f"Region time series ({n_volumes} volumes, {n_regions} regions) were read from {source}; "
                "fmri-oinfo did not extract or clean them."]
    citation = str(atlas.get("citation") or "")
    nilearn = versions.get("nilearn", "")
    sentences = [
        f"Mean time series of {n_regions} regions of the {atlas.get('name')} atlas"
        + (f" {cite.cite_text(citation)}" if citation else "")
        + f" were extracted with nilearn {nilearn} {cite.cite('abraham2014')}"
        + (f" from {len(runs)} run{'s' if len(runs) != 1 else ''}" if runs else "")
        + (f" ({sum(int(r.get('n_volumes', 0)) for r in runs)} volumes, TR {t_r:g} s)" if runs and t_r else "")
        + "."
    ]
    cleaning = extraction.get("cleaning") or {}
    steps = []
    strategy = extraction.get("confound_strategy")
    if strategy:
        steps.append(f"confounds were regressed out with the fMRIPrep \u201c{strategy}\u201d strategy of nilearn's "
                     f"load_confounds_strategy {cite.cite('wang2024')}")
    if cleaning.get("detrend"):
        steps.append("signals were linearly detrended")
    high, low = cleaning.get("high_pass"), cleaning.get("low_pass")
    if high and low:
        steps.append(f"band-pass filtered ({high:g}-{low:g} Hz)")
    elif high:
        steps.append(f"high-pass filtered ({high:g} Hz)")
    elif low:
        steps.append(f"low-pass filtered ({low:g} Hz)")
    if cleaning.get("standardize"):
        steps.append("standardised per run")
    if steps:
        sentence = _join(steps)
        sentences.append(sentence[0].upper() + sentence[1:] + ".")
    censored = extraction.get("censored_volumes") or {}
    total = sum(int(r.get("n_volumes", 0)) for r in runs)
    n_censored = sum(len(v) for v in censored.values())
    threshold = cleaning.get("fd_threshold")
    if total:
        reason = f" (framewise displacement above {threshold:g} mm)" if threshold else ""
        sentences.append(f"{n_censored} of {total} volumes ({100 * n_censored / total:.1f} %) were censored{reason}."
                         if n_censored else "No volume was censored.")
    return sentences


def _estimator_words(estimator: str, parameters: Mapping[str, Any], cite: _Citations) -> str:
    if estimator == "gaussian":
        return "the closed-form Gaussian estimator (from the regions' correlation matrix)"
    if estimator == "gaussian-copula":
        return f"the Gaussian-copula estimator {cite.cite('ince2017')}"
    if estimator == "fmmi":
        return _fmmi_words(parameters, cite)
    return f"the {estimator} estimator"


def _fmmi_words(parameters: Mapping[str, Any], cite: _Citations) -> str:
    """FMMI as the run configured it: one conditional flow model per subject, cross-fitted."""
    fmmi = _get(parameters, "estimation", "fmmi", default={}) or {}
    budget = []
    if fmmi.get("folds"):
        budget.append(f"{fmmi['folds']}-fold cross-fitting")
    if fmmi.get("ensemble"):
        budget.append(f"{fmmi['ensemble']} independently trained replicates")
    if fmmi.get("width"):
        budget.append(f"width {fmmi['width']}")
    if fmmi.get("steps"):
        budget.append(f"at most {fmmi['steps']} training steps"
                      + (f" of {fmmi['batch_size']} examples" if fmmi.get("batch_size") else ""))
    return (f"the flow-matching estimator FMMI {cite.cite('butakov2025')} in its conditional form, one flow model "
            "per subject answering every set" + (f" ({_join(budget)})" if budget else ""))


def _orders_words(orders: Sequence[int] | None) -> str:
    if not orders:
        return ""
    return f" (order {orders[0]})" if len(orders) == 1 else f" (orders {_join([str(o) for o in orders])})"


def _same_estimator_clause(results: pd.DataFrame, estimator: str, parameters: Mapping[str, Any],
                           cite: _Citations) -> str:
    """Which estimator the null used, when the table says it was another one (older tables)."""
    tested = results.attrs.get("test_estimator")
    if tested and tested != estimator:
        return (f"; the surrogate null, p-values and intervals used the {tested} estimator, and a set was labelled "
                "only when both estimators agreed on its sign")
    has_interval = "ci_low" in results.columns and bool(results["ci_low"].notna().any())
    suffix = ("; its value, surrogate null, p-value and interval all come from this estimator" if has_interval
              else "; its value, surrogate null and p-value come from this estimator")
    if "o_info_fmmi" in results.columns:
        suffix += (f"; values of {_fmmi_words(parameters, cite)} are shown beside it for comparison, untested, on the "
                   "volumes each set was tested on")
    return suffix


def _tail_clause(tail: str | None, cite: _Citations, smallest: Any = None, n_surrogates: Any = None) -> str:
    if tail == "gpd":
        below = (f", {1 / (float(smallest) * (int(n_surrogates) + 1)):.3g} times below the surrogates' own floor "
                 f"1 / (1 + surrogates)") if smallest and n_surrogates else ""
        bound = (f", trusted down to p = {float(smallest):.2g}{below}; a p-value the fit puts lower is reported as "
                 f"< {float(smallest):.2g}") if smallest else ""
        return ("; p-values beyond the surrogates' reach came from a generalised Pareto fit of the null's tail "
                + cite.cite("knijnenburg2009") + bound)
    return "; p-values were the empirical share of surrogates at least as extreme" if tail == "empirical" else ""


def _selection_clause(selection: Any) -> str:
    """``attrs["selection"]`` in words: which volumes chose and which tested (1-based, inclusive)."""
    if not isinstance(selection, Mapping) or "selection_volumes" not in selection:
        return ""
    (a, b), (c, d) = selection["selection_volumes"], selection["test_volumes"]
    gap = selection.get("gap_volumes", 0)
    rule = f", {selection['gap_rule']}" if selection.get("gap_rule") else ""
    return (f" (volumes {a + 1}-{b} chose the sets and volumes {c + 1}-{d} tested them; the {gap} volumes between "
            f"were left out{rule})")


def _statistics_sentences(results: pd.DataFrame, parameters: Mapping[str, Any], cite: _Citations) -> list[str]:
    attrs = results.attrs
    statistics = _get(parameters, "statistics", default={}) or {}
    sentences = []
    surrogate = attrs.get("surrogate") or statistics.get("surrogate")
    n_surrogates = attrs.get("n_surrogates") or statistics.get("n_surrogates")
    if surrogate:
        kind = {"circular": "circular time-shift", "phase": "phase-randomised"}.get(str(surrogate), str(surrogate))
        reference = cite.cite("theiler1992", "lancaster2018") if surrogate == "phase" else cite.cite("lancaster2018")
        sentences.append(
            f"Each set's O-information was compared with its value on {n_surrogates or 'the'} {kind} surrogates, "
            f"which keep each region's autocorrelation and make the regions independent {reference}"
            + _tail_clause(attrs.get("tail"), cite, attrs.get("smallest_reportable_p"), n_surrogates) + ".")
    kinds = set(results["inference"].dropna().astype(str)) if "inference" in results.columns else set()
    if "split-sample" in kinds:
        selection = attrs.get("selection")
        sentences.append(
            "Sets chosen by looking at the data were chosen on one block of volumes and tested on another block "
            f"that the choice never saw, so that selection does not inflate significance {cite.cite('kriegeskorte2009')}"
            + _selection_clause(selection) + ".")
    if "p_irreducible" in results.columns:
        sentences.append("A set was labelled only if each of its members adds to the O-information of the others "
                         "(irreducibility test, the member alone shifted in time).")
    alpha = attrs.get("alpha", statistics.get("alpha"))
    rate = attrs.get("error_rate") or "FDR"
    if alpha is not None:
        sentences.append(f"p-values were corrected across the {attrs.get('n_tested') or len(results)} tested sets "
                         f"with the Benjamini-Hochberg procedure {cite.cite('benjamini1995')}, and sets with q < "
                         f"{alpha:g} ({rate} {100 * alpha:g} %) were labelled redundant (O-information > 0) or "
                         "synergistic (< 0).")
    n_bootstrap = attrs.get("n_bootstrap", statistics.get("n_bootstrap"))
    level = attrs.get("ci_level", statistics.get("ci_level"))
    if n_bootstrap and level and "ci_low" in results.columns and results["ci_low"].notna().any():
        sentences.append(f"{100 * float(level):g} % intervals are percentiles over {n_bootstrap} moving-block "
                         f"bootstrap resamples of the volumes {cite.cite('kunsch1989')}.")
    return sentences


def methods_paragraph(
    results: pd.DataFrame,
    parameters: Mapping[str, Any],
    extraction: Mapping[str, Any] | None,
    versions: Mapping[str, str],
    n_regions: int,
    n_volumes: int | None,
) -> dict[str, Any]:
    """The methods paragraph of one run and its numbered references.

    Parameters
    ----------
    results : pandas.DataFrame
        Result table (its ``attrs`` as in ``docs/results.md`` when present).
    parameters : mapping
        The run's parameters (pipeline configuration sections).
    extraction : mapping or None
        Extraction metadata (:attr:`fmri_oinfo.extract.RegionTimeseries.metadata`).
    versions : mapping of str to str
        Software versions.
    n_regions : int
    n_volumes : int or None
        Volumes analysed.

    Returns
    -------
    dict
        ``text`` (str, the paragraph) and ``references`` (list of str, in
        citation order).
    """
    cite = _Citations()
    sentences = []
    if extraction:
        sentences.extend(_extraction_sentences(extraction, n_regions, n_volumes, versions, cite))
    strategies = _get(parameters, "candidates", "strategies", default=None)
    orders = (sorted(int(k) for k in results["order"].dropna().unique()) if "order" in results and len(results)
              else _get(parameters, "candidates", "orders", default=None))  # searches grow sets past the screen's
    screened = results.attrs.get("n_screened")
    tested = f"{int(results.attrs.get('n_tested') or len(results)):,} sets were tested"
    if strategies:
        words = _join([STRATEGY_WORDS.get(str(s), str(s)) for s in strategies])
        sentences.append(
            f"Candidate sets of regions{_orders_words(orders)} were "
            f"chosen by {words}" + (f"; {int(screened):,} sets were screened" if screened else "")
            + f", and {tested}.")
    elif screened:
        sentences.append(f"{int(screened):,} sets were screened while choosing candidate sets, and {tested}.")
    estimator = results.attrs.get("estimator") or _get(parameters, "estimation", "estimator", default=None)
    if estimator:
        units = results.attrs.get("units", "nats")
        sentences.append(
            f"The O-information of each set {cite.cite('rosas2019')}, the total correlation minus the dual total "
            f"correlation (> 0: redundancy dominates; < 0: synergy dominates), was estimated in {units} with "
            f"{_estimator_words(str(estimator), parameters, cite)}"
            + _same_estimator_clause(results, str(estimator), parameters, cite) + ".")
    sentences.extend(_statistics_sentences(results, parameters, cite))
    software = [f"fmri-oinfo {versions['fmri-oinfo']}"] if "fmri-oinfo" in versions else []
    software += [f"{name} {versions[name]}" for name in ("python", "numpy", "scipy", "nilearn", "torch")
                 if versions.get(name) and versions[name] != "not installed"]
    if software:
        sentences.append(f"Software: {_join(software)}.")
    return {"text": " ".join(sentences), "references": list(cite.texts)}
