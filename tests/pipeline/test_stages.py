"""Every option reaches its stage: it changes that stage's cache key (and no
earlier one), and the stage records the value it used."""

from __future__ import annotations

import tomllib
import warnings
from dataclasses import asdict

import numpy as np
import pandas as pd
import pytest

from fmri_oinfo.pipeline import stages
from fmri_oinfo.pipeline.cache import stage_key
from fmri_oinfo.pipeline.config import PIPELINES_DIR, config_from_mapping, load_config, to_toml
from fmri_oinfo.pipeline.inputs import gather_inputs

ORDER = ("inputs", "extraction", "candidates", "estimation", "statistics", "outputs")
#: Stage whose key each section enters first.
STAGE_OF = {"inputs": 0, "extraction": 0, "candidates": 1, "estimation": 2, "statistics": 2, "outputs": 3}

#: A valid value different from the default.toml one, per key.
CHANGED = {
    "task": "rest", "session": "1", "run": "1", "space": "MNI152NLin6Asym", "t_r": 2.5, "min_volumes": 60,
    "atlas": "power2011", "atlas_dir": "/elsewhere", "confounds": "compcor", "high_pass": 0.02,
    "low_pass": 0.09, "detrend": False, "standardize": "zscore", "fd_threshold": 0.5, "smoothing_fwhm": 4.0,
    "strategies": ["exhaustive"], "orders": [3, 4], "max_sets": 10, "max_screened": 10**8, "top_k": 7, "n_control": 9,
    "network_modes": ["within"], "search_methods": ["beam"], "search_targets": ["synergy"], "max_order": 4,
    "search_keep": 4, "beam_width": 50, "n_starts": 3, "anneal_chains": 8, "anneal_steps": 20,
    "n_neighbours": 4, "user_file": "sets.txt", "copula": True, "seed": 3, "estimator": "gaussian",
    "device": "cpu", "gradient": True, "n_surrogates": 19, "surrogate": "phase", "n_bootstrap": 5,
    "block_length": 4, "alpha": 0.1, "ci_level": 0.9, "maps": False, "graphs": False, "report": False,
    "interactive": False, "full_views": True, "top_n": 5,
}


def _keys(config, inputs) -> list[str]:
    extraction = stages.extraction_key(inputs, config)
    candidates = stages.candidates_key(extraction, config)
    assessment = stages.assessment_key(candidates, config)
    outputs = stage_key("outputs", assessment, asdict(config.outputs), config.extraction.atlas)
    return [extraction, candidates, assessment, outputs]


def _default_keys():
    document = tomllib.loads((PIPELINES_DIR / "default.toml").read_text())
    return [(s, k) for s, table in document.items() for k, v in table.items() if not isinstance(v, dict)]


@pytest.fixture(scope="module")
def subject_inputs(demo_root):
    return gather_inputs(demo_root / "sub-01", load_config("default"))


def test_every_option_has_a_changed_value():
    assert {k for _, k in _default_keys()} <= set(CHANGED)


@pytest.mark.parametrize(("section", "key"), _default_keys())
def test_option_enters_the_key_of_its_stage(section, key, subject_inputs):
    base = load_config("default")
    document = tomllib.loads(to_toml(base))
    document[section][key] = CHANGED[key]
    if key == "strategies":
        document[section]["max_sets"] = 10**7
    changed = config_from_mapping(document)
    before, after = _keys(base, subject_inputs), _keys(changed, subject_inputs)
    first = STAGE_OF[section]
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
                         statistics__alpha=0.1, statistics__ci_level=0.9, estimation__gradient=True)
    candidates = stages.candidate(small_series, config)
    assert len(candidates) == 20  # C(6, 3) triplets
    table = stages.assess(small_series, candidates, config)
    assert {k: table.attrs[k] for k in ("surrogate", "n_surrogates", "n_bootstrap", "block_length", "alpha",
                                         "ci_level")} == dict(surrogate="phase", n_surrogates=199, n_bootstrap=5,
                                                              block_length=4, alpha=0.1, ci_level=0.9)
    assert table["p_value"].min() == pytest.approx(1 / 200)
    assert all(len(g) == 3 for g in table["o_info_gradient"])
    # the redundant triplet of the shared signal ranks first
    assert set(table["set"].iloc[0]) == {"r0", "r1", "r2"} and table["label"].iloc[0] == "redundant"


def test_other_null_estimator_keeps_the_tested_value(small_series):
    config = load_config("fast", candidates__strategies=["exhaustive"], statistics__n_surrogates=19,
                         statistics__n_bootstrap=0, statistics__estimator="gaussian-copula")
    table = stages.assess(small_series, stages.candidate(small_series, config), config)
    assert table.attrs["test_estimator"] == "gaussian-copula" and table.attrs["estimator"] == "gaussian"
    plain = stages.assess(small_series, stages.candidate(small_series, config),
                          load_config("fast", candidates__strategies=["exhaustive"], statistics__n_surrogates=19,
                                      statistics__n_bootstrap=0))
    merged = table.merge(plain, on="set", suffixes=("", "_plain"))
    np.testing.assert_allclose(merged["o_info"], merged["o_info_plain"], rtol=1e-10)
    assert not np.allclose(merged["o_info_test"], merged["o_info"], rtol=1e-6)


def test_other_null_estimator_keeps_the_bootstrap_spread_as_se(small_series):
    options = dict(candidates__strategies=["exhaustive"], statistics__n_surrogates=19, statistics__n_bootstrap=20)
    mixed_config = load_config("fast", statistics__estimator="gaussian-copula", **options)
    mixed = stages.assess(small_series, stages.candidate(small_series, mixed_config), mixed_config)
    copula_config = load_config("fast", estimation__estimator="gaussian-copula", **options)
    copula = stages.assess(small_series, stages.candidate(small_series, copula_config), copula_config)
    merged = mixed.merge(copula, on="set", suffixes=("", "_copula"))
    # the SE goes with the intervals: both from the tested estimator's bootstrap
    np.testing.assert_allclose(merged["o_info_test"], merged["o_info_copula"], rtol=1e-12)
    np.testing.assert_allclose(merged["o_info_se"], merged["o_info_se_copula"], rtol=1e-12)
    np.testing.assert_allclose(merged["ci_low"], merged["ci_low_copula"], rtol=1e-12)
    assert (merged["o_info_se"] > 0).all()
    assert merged["o_info_engine_se"].isna().all()  # the Gaussian estimator has no error of its own


def test_assess_returns_the_null_aligned_with_the_ranked_table(small_series, tmp_path):
    config = load_config("fast", candidates__strategies=["exhaustive"], statistics__n_surrogates=49,
                         statistics__n_bootstrap=0)
    candidates = stages.candidate(small_series, config)
    table, null = stages.assess(small_series, candidates, config, return_null=True)
    pd.testing.assert_frame_equal(table, stages.assess(small_series, candidates, config))
    assert null.shape == (20, 49)
    exceed = (np.abs(null) >= np.abs(table["o_info"].to_numpy())[:, None]).sum(axis=1)
    np.testing.assert_allclose((1 + exceed) / 50, table["p_value"], rtol=0)  # row i is the null of row i
    stages.save_assessment((table, null), tmp_path)
    loaded, loaded_null = stages.load_assessment(tmp_path)
    assert loaded_null.dtype == np.float32
    np.testing.assert_allclose(loaded_null, null, rtol=1e-6)
    assert loaded["set"].tolist() == table["set"].tolist()
    np.save(tmp_path / stages.NULL_FILE, null[:3])
    with pytest.raises(ValueError, match="has 3 rows for 20 result rows; delete"):
        stages.load_assessment(tmp_path)
