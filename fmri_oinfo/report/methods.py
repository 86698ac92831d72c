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

import numpy as np
import pandas as pd

from fmri_oinfo.anatomy import read_anatomy_manifest


#: Reference texts by key.
REFERENCES: dict[str, str] = {
    "diebold1995": ("Diebold FX, Mariano RS. Comparing predictive accuracy. Journal of Business & Economic "
                    "Statistics 13:253-263 (1995)."),
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
    "desikan2006": ("Desikan RS, S\u00e9gonne F, Fischl B, et al. An automated labeling system for subdividing the "
                    "human cerebral cortex on MRI scans into gyral based regions of interest. NeuroImage 31:968-980 "
                    "(2006)."),
    "markello2021": ("Markello RD, Arnatkevi\u010di\u016bt\u0117 A, Poline J-B, et al. Standardizing workflows in "
                     "imaging transcriptomics with the abagen toolbox. eLife 10:e72129 (2021)."),
}

#: BibTeX fields of each reference of :data:`REFERENCES` (entry type, fields), written beside the report.
BIBTEX: dict[str, tuple[str, dict[str, str]]] = {
    "diebold1995": ("article", {"author": "Diebold, Francis X. and Mariano, Roberto S.",
                                "title": "Comparing predictive accuracy",
                                "journal": "Journal of Business \\& Economic Statistics", "volume": "13",
                                "pages": "253--263", "year": "1995"}),
    "rosas2019": ("article", {"author": "Rosas, Fernando E. and Mediano, Pedro A. M. and Gastpar, Michael and "
                                        "Jensen, Henrik J.",
                              "title": "Quantifying high-order interdependencies via multivariate extensions of the "
                                       "mutual information",
                              "journal": "Physical Review E", "volume": "100", "pages": "032305", "year": "2019"}),
    "butakov2025": ("misc", {"author": "Butakov, Ivan and Semenenko, Alexander and Frolov, Alexander and "
                                       "Oseledets, Ivan",
                             "title": "{FMMI}: Flow Matching Mutual Information Estimation",
                             "howpublished": "arXiv:2511.08552", "year": "2025"}),
    "ince2017": ("article", {"author": "Ince, Robin A. A. and Giordano, Bruno L. and Kayser, Christoph and "
                                      "Rousselet, Guillaume A. and Gross, Joachim and Schyns, Philippe G.",
                             "title": "A statistical framework for neuroimaging data analysis based on mutual "
                                      "information estimated via a {G}aussian copula",
                             "journal": "Human Brain Mapping", "volume": "38", "pages": "1541--1573",
                             "year": "2017"}),
    "abraham2014": ("article", {"author": "Abraham, Alexandre and Pedregosa, Fabian and Eickenberg, Michael and "
                                         "others",
                                "title": "Machine learning for neuroimaging with scikit-learn",
                                "journal": "Frontiers in Neuroinformatics", "volume": "8", "pages": "14",
                                "year": "2014"}),
    "wang2024": ("article", {"author": "Wang, Hao-Ting and Meisler, Steven L. and Sharmarke, Hanad and others",
                             "title": "Continuing evaluation of denoising strategies in resting-state {fMRI} "
                                      "connectivity using {fMRIPrep} and {Nilearn}",
                             "journal": "PLoS Computational Biology", "volume": "20", "pages": "e1011942",
                             "year": "2024"}),
    "theiler1992": ("article", {"author": "Theiler, James and Eubank, Stephen and Longtin, Andr\\'e and "
                                          "Galdrikian, Bryan and Farmer, J. Doyne",
                                "title": "Testing for nonlinearity in time series: the method of surrogate data",
                                "journal": "Physica D", "volume": "58", "pages": "77--94", "year": "1992"}),
    "lancaster2018": ("article", {"author": "Lancaster, Gemma and Iatsenko, Dmytro and Pidde, Aleksandra and "
                                            "Ticcinelli, Valentina and Stefanovska, Aneta",
                                  "title": "Surrogate data for hypothesis testing of physical systems",
                                  "journal": "Physics Reports", "volume": "748", "pages": "1--60", "year": "2018"}),
    "kriegeskorte2009": ("article", {"author": "Kriegeskorte, Nikolaus and Simmons, W. Kyle and Bellgowan, Patrick "
                                               "S. F. and Baker, Chris I.",
                                     "title": "Circular analysis in systems neuroscience: the dangers of double "
                                              "dipping",
                                     "journal": "Nature Neuroscience", "volume": "12", "pages": "535--540",
                                     "year": "2009"}),
    "benjamini1995": ("article", {"author": "Benjamini, Yoav and Hochberg, Yosef",
                                  "title": "Controlling the false discovery rate: a practical and powerful approach "
                                           "to multiple testing",
                                  "journal": "Journal of the Royal Statistical Society B", "volume": "57",
                                  "pages": "289--300", "year": "1995"}),
    "knijnenburg2009": ("article", {"author": "Knijnenburg, Theo A. and Wessels, Lodewyk F. A. and Reinders, "
                                              "Marcel J. T. and Shmulevich, Ilya",
                                    "title": "Fewer permutations, more accurate {P}-values",
                                    "journal": "Bioinformatics", "volume": "25", "pages": "i161--i168",
                                    "year": "2009"}),
    "kunsch1989": ("article", {"author": "K\\\"unsch, Hans R.",
                               "title": "The jackknife and the bootstrap for general stationary observations",
                               "journal": "Annals of Statistics", "volume": "17", "pages": "1217--1241",
                               "year": "1989"}),
    "desikan2006": ("article", {"author": "Desikan, Rahul S. and S\\'egonne, Florent and Fischl, Bruce and others",
                                "title": "An automated labeling system for subdividing the human cerebral cortex on "
                                         "{MRI} scans into gyral based regions of interest",
                                "journal": "NeuroImage", "volume": "31", "pages": "968--980", "year": "2006"}),
    "markello2021": ("article", {"author": "Markello, Ross D. and Arnatkevi{\\v{c}}i{\\={u}}t{\\.{e}}, Aurina and "
                                           "Poline, Jean-Baptiste and others",
                                 "title": "Standardizing workflows in imaging transcriptomics with the abagen toolbox",
                                 "journal": "eLife", "volume": "10", "pages": "e72129", "year": "2021"}),
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
    """Numbered citations in order of first use, with the key of each (None: cited by its text alone)."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.keys: list[str | None] = []

    def cite(self, *keys: str) -> str:
        """Cite references of :data:`REFERENCES` by key."""
        for key in keys:
            if REFERENCES[key] not in self.texts:
                self.texts.append(REFERENCES[key])
                self.keys.append(key)
        return self.cite_text(*(REFERENCES[key] for key in keys))

    def cite_text(self, *texts: str) -> str:
        """Cite references given by their full text (an atlas's own citation)."""
        numbers = []
        for text in texts:
            if text not in self.texts:
                self.texts.append(text)
                self.keys.append(None)
            numbers.append(self.texts.index(text) + 1)
        return "[" + ", ".join(str(n) for n in numbers) + "]"


def bibtex(keys: Sequence[str | None], texts: Sequence[str]) -> str:
    """A BibTeX file of the cited references, in citation order.

    Parameters
    ----------
    keys : sequence of str or None
        Key in :data:`BIBTEX` of each reference; None for one cited by its text alone (an atlas's citation),
        which becomes a ``@misc`` entry holding that text.
    texts : sequence of str
        The references' texts, as printed under the paragraph.

    Returns
    -------
    str
    """
    entries = []
    for number, (key, text) in enumerate(zip(keys, texts, strict=True), start=1):
        kind, fields = BIBTEX[key] if key else ("misc", {"note": text})
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields.items())
        entries.append(f"@{kind}{{{key or f'reference{number}'},\n{body}\n}}\n")
    return "\n".join(entries)


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


#: Confound column families: (prefixes, words), in the order they are named.
CONFOUND_FAMILIES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("trans_", "rot_"), "motion parameters"),
    (("white_matter", "csf", "global_signal"), "tissue signals"),
    (("a_comp_cor", "t_comp_cor", "c_comp_cor", "w_comp_cor"), "CompCor components"),
    (("cosine",), "cosine drift terms"),
    (("motion_outlier", "non_steady_state"), "outlier volumes"),
    (("aroma_motion",), "ICA-AROMA components"),
)


def confound_words(columns: Sequence[str]) -> str:
    """The regressors of a confound strategy in words, counted by family.

    Parameters
    ----------
    columns : sequence of str
        Columns of the confound table nilearn returned for a run.

    Returns
    -------
    str
        E.g. ``"26 regressors: 24 motion parameters (6 with derivatives and squares), 2 tissue signals
        (white_matter, csf)"``; ``""`` when there are none.
    """
    if not columns:
        return ""
    parts, named = [], set()
    for prefixes, words in CONFOUND_FAMILIES:
        members = [c for c in columns if c.startswith(prefixes)]
        if not members:
            continue
        named.update(members)
        bases = list(dict.fromkeys(c.split("_derivative1")[0].split("_power2")[0] for c in members))
        expansions = [name for name, marker in (("derivatives", "_derivative1"), ("squares", "_power2"))
                      if any(marker in c for c in members)]
        detail = ", ".join(bases) if prefixes[0] in ("white_matter",) else f"{len(bases)}"
        detail += f" with {_join(expansions)}" if expansions else ""
        parts.append(f"{len(members)} {words}" + (f" ({detail})" if detail != str(len(members)) else ""))
    others = [c for c in columns if c not in named]
    if others:
        parts.append(f"{len(others)} other{'s' if len(others) != 1 else ''} ({', '.join(others[:5])}"
                     + (", ..." if len(others) > 5 else "") + ")")
    return f"{len(columns)} regressors: " + ", ".join(parts)


def _cleaning_steps(cleaning: Mapping[str, Any]) -> list[str]:
    """Detrending, filtering and standardisation in words, in nilearn's order."""
    steps = []
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
    return steps


def _extraction_sentences(extraction: Mapping[str, Any], n_regions: int, n_volumes: int | None,
                          versions: Mapping[str, str], cite: _Citations) -> list[str]:
    atlas = extraction.get("atlas")
    runs = extraction.get("runs") or []
    t_r = extraction.get("t_r")
    if not isinstance(atlas, Mapping):
        source = _join([str(f) for f in extraction.get("source_files") or []]) or "a table"
        cleaning = extraction.get("cleaning")
        if not cleaning:
            return [f"Region time series ({n_volumes} volumes, {n_regions} regions) were read from {source}; "
                    "fmri-oinfo did not extract or clean them."]
        steps = _cleaning_steps(cleaning)
        return [f"Region time series ({n_volumes} volumes, {n_regions} regions) were read from {source} and cleaned "
                f"with nilearn's signal.clean {cite.cite('abraham2014')}"
                + (f" (TR {t_r:g} s)" if t_r else "") + (f": {_join(steps)}." if steps else ".")]
    citation = str(atlas.get("citation") or "")
    nilearn = versions.get("nilearn", "")
    radius = atlas.get("radius_mm")
    sentences = [
        f"Mean time series of {n_regions} regions of the {atlas.get('name')} atlas"
        + (f" {cite.cite_text(citation)}" if citation else "")
        + (f" (spheres of {float(radius):g} mm radius around each region's MNI coordinates)" if radius else "")
        + f" were extracted with nilearn {nilearn} {cite.cite('abraham2014')}"
        + (f" from {len(runs)} run{'s' if len(runs) != 1 else ''}" if runs else "")
        + (f" ({sum(int(r.get('n_volumes', 0)) for r in runs)} volumes, TR {t_r:g} s)" if runs and t_r else "")
        + "."
    ]
    cleaning = extraction.get("cleaning") or {}
    steps = []
    strategy = extraction.get("confound_strategy")
    if strategy:
        regressors = confound_words(runs[0].get("confound_columns") or []) if runs else ""
        steps.append(f"confounds were regressed out with the fMRIPrep \u201c{strategy}\u201d strategy of nilearn's "
                     f"load_confounds_strategy {cite.cite('wang2024')}" + (f" ({regressors})" if regressors else ""))
    steps += _cleaning_steps(cleaning)
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


def _anatomy_sentence(regions: pd.DataFrame, cite: _Citations) -> str:
    """How the regions were named: Desikan-Killiany when any distance was measured, else the coarse classes."""
    if "anatomy" not in regions.columns:
        return ""
    distances = pd.to_numeric(regions.get("anatomy_distance_mm", pd.Series(dtype=float)), errors="coerce")
    if not np.isfinite(distances.to_numpy(dtype=float)).any():
        return ("Regions were named by the atlas's coarse anatomical classes (e.g. \u201cleft cortex\u201d); no "
                "Desikan-Killiany label was used.")
    reach = float(read_anatomy_manifest()["max_distance_mm"])
    return (f"Regions were named by the Desikan-Killiany label {cite.cite('desikan2006')} at their MNI centre or, "
            f"failing that, the nearest labelled voxel within {reach:g} mm (the MNI152 copy of the atlas shipped with "
            f"abagen {cite.cite('markello2021')}); the cerebellum, which it lacks, and regions farther away keep the atlas's coarse class where "
            "it has one.")


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
    if "excess_label" in results.columns:
        suffix += ("; structure beyond functional connectivity is FMMI's O-information less its Gaussian-copula "
                   "part on the same volumes (the non-Gaussian excess, 0 for any linear Gaussian process), tested "
                   "by how far its size exceeds a margin of max(0.05 nats, a tenth of the Gaussian part), the "
                   "engine's measured error, in units of its cross-fitted, autocorrelation-robust standard error "
                   f"against the standard normal {cite.cite('diebold1995')}, with Benjamini-Hochberg FDR over the "
                   "sets")
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
        corrected = ("The larger of each set's p-value and its irreducibility p-value was" if "p_irreducible" in
                     results.columns else "p-values were")
        sentences.append(f"{corrected} corrected across the {attrs.get('n_tested') or len(results)} tested sets "
                         f"with the Benjamini-Hochberg procedure {cite.cite('benjamini1995')}, and sets with q < "
                         f"{alpha:g} ({rate} {100 * alpha:g} %) were labelled redundant (O-information > 0) or "
                         "synergistic (< 0).")
    n_bootstrap = attrs.get("n_bootstrap", statistics.get("n_bootstrap"))
    level = attrs.get("ci_level", statistics.get("ci_level"))
    if n_bootstrap and level and "ci_low" in results.columns and results["ci_low"].notna().any():
        block = attrs.get("block_length")
        sentences.append(f"{100 * float(level):g} % intervals are percentiles over {n_bootstrap} moving-block "
                         f"bootstrap resamples of the volumes {cite.cite('kunsch1989')}"
                         + (f", in blocks of {int(block)} volumes" if block else "") + ".")
    return sentences


#: Search methods in words.
SEARCH_WORDS: dict[str, str] = {
    "greedy": "greedy growth from the best starting triplets",
    "beam": "beam search",
    "anneal": "simulated annealing",
    "partial": "growth among each region's partial-correlation neighbours",
}


def _candidate_sentences(results: pd.DataFrame, candidates: Mapping[str, Any] | None, n_regions: int) -> list[str]:
    """Which orders were screened, which were searched, and what the count of screened sets is made of."""
    screened = results.attrs.get("n_screened")
    tested = f"{int(results.attrs.get('n_tested') or len(results)):,} sets were tested"
    if not isinstance(candidates, Mapping) or not candidates.get("strategies"):
        return [f"{int(screened):,} sets were scored while choosing candidate sets, and {tested}."] if screened else []
    strategies = [str(s) for s in candidates["strategies"]]
    orders = [int(k) for k in candidates.get("orders") or []]
    parts = []
    if "screen" in strategies:
        parts.append(f"a closed-form {'Gaussian-copula' if candidates.get('copula') else 'Gaussian'} screen scored "
                     f"every set of {_join([str(k) for k in orders])} regions (the only "
                     f"{'order' if len(orders) == 1 else 'orders'} screened) "
                     f"and kept the {candidates.get('top_k')} most redundant and {candidates.get('top_k')} most "
                     f"synergistic per order, with {candidates.get('n_control')} random control sets")
    if "search" in strategies:
        methods = _join([SEARCH_WORDS.get(str(m), str(m)) for m in candidates.get("search_methods") or []])
        targets = _join([str(t) for t in candidates.get("search_targets") or []])
        top = candidates.get("max_order")
        words = "searches" + (f" ({methods}" + (f"; targets: {targets}" if targets else "") + ")" if methods else "")
        words += f" built sets of 3 to {top} regions" if top else " built larger sets"
        if top and "screen" in strategies and max(orders, default=3) < int(top):
            words += f", so sets of {max(orders, default=3) + 1} or more regions came from the searches alone"
        parts.append(words)
    if "nonlinear" in strategies:
        parts.append(f"a screen of third-order dependence that correlations cannot see (a member against the "
                     f"product of the other two, or its squared residual against the third) scored every set of 3 "
                     f"regions and kept the {candidates.get('nonlinear_keep')} strongest")
    for name in ("exhaustive", "networks", "user"):
        if name in strategies:
            parts.append(STRATEGY_WORDS[name] + (f" (orders {_join([str(k) for k in orders])})"
                                                 if name != "user" else "") + " were added")
    sentences = ["Candidate sets were chosen as follows: " + "; ".join(parts) + "."]
    if screened:
        counts = {str(k): int(v) for k, v in (results.attrs.get("n_screened_by") or {}).items()}
        if counts and sum(counts.values()) == int(screened):
            words = {"screen": "by the screen", "nonlinear": "by the nonlinear screen"} | {
                m: f"by the {m} search" for m in SEARCH_WORDS}
            breakdown = _join([f"{value:,} {words.get(key, key)}" for key, value in counts.items() if value])
            sentences.append(f"Choosing them scored {int(screened):,} sets of the {n_regions} regions ({breakdown}; "
                             "a search's count includes its starting triplets and every growth it tried, "
                             f"repeats included), and {tested}.")
        else:
            sentences.append(f"Choosing them scored {int(screened):,} sets, and {tested}.")
    else:
        sentences.append(tested[0].upper() + tested[1:] + ".")
    return sentences


def resolved_values(parameters: Mapping[str, Any], attrs: Mapping[str, Any],
                    extraction: Mapping[str, Any] | None) -> dict[str, str]:
    """The value a run used for each setting left to be worked out (``0``, ``auto``, ``""``), by dotted key.

    Parameters
    ----------
    parameters : mapping
        The run's configuration sections.
    attrs : mapping
        The result table's ``attrs`` (what the statistics stage worked out).
    extraction : mapping or None
        Extraction metadata (what the extraction stage worked out).

    Returns
    -------
    dict of str to str
        Only keys whose configured value is a placeholder and whose used value was recorded.
    """
    extraction = extraction or {}
    used: dict[str, str] = {}

    def placeholder(*path: str) -> bool:
        return _get(parameters, *path, default=None) in (0, 0.0, "auto", "")

    if placeholder("inputs", "t_r") and extraction.get("t_r"):
        used["inputs.t_r"] = f"{float(extraction['t_r']):g} s (read from the files)"
    if placeholder("extraction", "confounds") and extraction.get("atlas") is not None:
        used["extraction.confounds"] = str(extraction.get("confound_strategy") or "none (no confounds table)")
    selection = attrs.get("selection")
    if placeholder("statistics", "split_gap") and isinstance(selection, Mapping) and "gap_volumes" in selection:
        rule = f" ({selection['gap_rule']})" if selection.get("gap_rule") else ""
        used["statistics.split_gap"] = f"{int(selection['gap_volumes'])} volumes{rule}"
    if placeholder("statistics", "block_length") and attrs.get("block_length"):
        used["statistics.block_length"] = f"{int(attrs['block_length'])} volumes (round(T^(1/3)) of the tested block)"
    for key, words in (("fd_threshold", "off"), ("high_pass", "none"), ("low_pass", "none"),
                       ("smoothing_fwhm", "none")):
        if placeholder("extraction", key) and _get(parameters, "extraction", key, default=None) is not None:
            used[f"extraction.{key}"] = words
    return used


def methods_paragraph(
    results: pd.DataFrame,
    parameters: Mapping[str, Any],
    extraction: Mapping[str, Any] | None,
    versions: Mapping[str, str],
    n_regions: int,
    n_volumes: int | None,
    regions: pd.DataFrame | None = None,
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
    regions : pandas.DataFrame or None
        The region table; its ``anatomy`` and ``anatomy_distance_mm`` say how the regions were named.

    Returns
    -------
    dict
        ``text`` (str, the paragraph), ``references`` (list of str, in
        citation order) and ``bibtex`` (str, the same references as a BibTeX
        file).
    """
    cite = _Citations()
    sentences = []
    if extraction:
        sentences.extend(_extraction_sentences(extraction, n_regions, n_volumes, versions, cite))
    if regions is not None and (named := _anatomy_sentence(regions, cite)):
        sentences.append(named)
    candidates = _get(parameters, "candidates", default=None)
    sentences.extend(_candidate_sentences(results, candidates, n_regions))
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
    return {"text": " ".join(sentences), "references": list(cite.texts), "bibtex": bibtex(cite.keys, cite.texts)}
