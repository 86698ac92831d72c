"""Configurations: every shipped file loads, every key is validated by name and
reaches the stage it belongs to."""

from __future__ import annotations

import tomllib
from dataclasses import fields, replace

import pytest

from fmri_oinfo.pipeline.config import (
    PIPELINES_DIR,
    PipelineConfig,
    config_from_mapping,
    load_config,
    to_toml,
    with_overrides,
)
from fmri_oinfo.schema import differences

#: Subject-pipeline configurations (pipelines/ also holds cluster files of the group command).
SHIPPED = ("default", "fast", "thorough")


def _documented_keys(name: str) -> list[tuple[str, str]]:
    """(table, key) of every key in a shipped file; nested tables as ``estimation.fmmi``."""
    document = tomllib.loads((PIPELINES_DIR / f"{name}.toml").read_text())
    keys = []
    for section, table in document.items():
        for key, value in table.items():
            if isinstance(value, dict):
                keys.extend((f"{section}.{key}", inner) for inner in value)
            else:
                keys.append((section, key))
    return keys


def _table(document: dict, dotted: str) -> dict:
    for part in dotted.split("."):
        document = document[part]
    return document


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_config_loads_and_round_trips(name):
    config = load_config(PIPELINES_DIR / f"{name}.toml")
    assert config_from_mapping(tomllib.loads(to_toml(config))) == config
    assert load_config(name) == config  # a bare name finds pipelines/<name>.toml


def test_shipped_configs_differ_as_documented():
    default, fast, thorough = load_config("default"), load_config("fast"), load_config("thorough")
    assert (default.estimation.estimator, fast.estimation.estimator) == ("gaussian-copula", "gaussian")
    assert default.estimation.fmmi_column and not fast.estimation.fmmi_column  # FMMI beside the claims only
    assert {c.statistics.tail for c in (default, fast, thorough)} == {"gpd"}  # every config can reach alpha
    assert thorough.statistics.n_surrogates > default.statistics.n_surrogates > fast.statistics.n_surrogates
    assert thorough.candidates.max_order > default.candidates.max_order
    assert thorough.estimation.fmmi.steps > default.estimation.fmmi.steps


@pytest.mark.parametrize("name", SHIPPED)
def test_every_key_of_the_shipped_files_is_documented(name):
    text = (PIPELINES_DIR / f"{name}.toml").read_text()
    for section, key in _documented_keys(name):
        line = next(line for line in text.splitlines() if line.startswith(f"{key} ="))
        assert "#" in line, f"{section}.{key} has no comment in {name}.toml"


@pytest.mark.parametrize("section", ["inputs", "extraction", "candidates", "estimation", "statistics", "outputs"])
def test_unknown_key_is_named(section):
    with pytest.raises(ValueError, match=rf"{section}\.not_a_key"):
        config_from_mapping({section: {"not_a_key": 1}})


def test_unknown_section_is_named():
    with pytest.raises(ValueError, match=r"unknown section \[surrogates\]"):
        config_from_mapping({"surrogates": {}})
    with pytest.raises(ValueError, match=r"unknown section \[statistic\] \(did you mean \[statistics\]\?\)"):
        config_from_mapping({"statistic": {}})


def _wrong_type(value):
    return "text" if not isinstance(value, str) else 12


@pytest.mark.parametrize(("section", "key"), _documented_keys("default"))
def test_wrong_type_is_named(section, key):
    document = tomllib.loads((PIPELINES_DIR / "default.toml").read_text())
    table = _table(document, section)
    table[key] = _wrong_type(table[key])
    with pytest.raises(ValueError, match=rf"{section}\.{key} = "):
        config_from_mapping(document)


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"statistics__alpha": 1.5}, r"statistics\.alpha = 1\.5: expected a number in \(0, 1\)"),
        ({"statistics__n_surrogates": 0}, r"statistics\.n_surrogates = 0"),
        ({"statistics__surrogate": "shuffle"}, r"statistics\.surrogate = 'shuffle'"),
        ({"statistics__tail": "normal"}, r"statistics\.tail = 'normal'"),
        ({"statistics__ci_level": 0.0}, r"statistics\.ci_level = 0\.0"),
        ({"statistics__n_bootstrap": -1}, r"statistics\.n_bootstrap = -1"),
        ({"statistics__block_length": -2}, r"statistics\.block_length = -2"),
        ({"estimator": "knn"}, r"estimation\.estimator = 'knn'"),
        ({"device": "tpu"}, r"estimation\.device = 'tpu'"),
        ({"seed": -1}, r"estimation\.seed = -1"),
        ({"estimation__fmmi": {"stepz": 3}}, r"unknown key estimation\.fmmi\.stepz \(did you mean steps\?\)"),
        ({"estimation__fmmi": {"steps": 0}}, r"estimation\.fmmi: steps=0"),
        ({"estimation__fmmi": {"folds": 1}}, r"estimation\.fmmi: folds=1"),
        ({"confounds": "heavy"}, r"extraction\.confounds = 'heavy'"),
        ({"extraction__high_pass": 0.2}, r"extraction\.high_pass = 0\.2: must be below extraction\.low_pass"),
        ({"extraction__low_pass": -1.0}, r"extraction\.low_pass = -1\.0"),
        ({"extraction__standardize": "psc"}, r"extraction\.standardize = 'psc'"),
        ({"extraction__atlas": ""}, r"extraction\.atlas = ''"),
        ({"t_r": -2.0}, r"inputs\.t_r = -2\.0"),
        ({"inputs__min_volumes": 2}, r"inputs\.min_volumes = 2"),
        ({"outputs__top_n": 0}, r"outputs\.top_n = 0"),
        ({"orders": (2,)}, r"candidates\.orders=\[2\]"),
        ({"candidates__strategies": ["magic"]}, r"candidates\.strategies: \['magic'\] not known"),
        ({"candidates__top_k": 0}, r"candidates\.top_k=0"),
    ],
)
def test_bad_value_is_named(override, message):
    with pytest.raises(ValueError, match=message):
        load_config("default", **override)


def test_missing_config_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="no_such.toml does not exist"):
        load_config(tmp_path / "no_such.toml")


def test_invalid_toml_is_reported(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text("[statistics\nalpha = 0.05\n")
    with pytest.raises(ValueError, match="broken.toml: not valid TOML"):
        load_config(path)


def test_command_line_aliases_set_their_keys():
    config = load_config(
        "fast", atlas="power2011", atlas_dir="/atlases", orders=(3, 4), estimator="gaussian-copula", device="cpu",
        seed=7, task="rest", session="2", run="1", space="MNI152NLin6Asym", confounds="compcor", t_r=2.5,
    )
    assert (config.extraction.atlas, config.extraction.atlas_dir, config.extraction.confounds) == (
        "power2011", "/atlases", "compcor")
    assert config.candidates.orders == (3, 4)
    assert (config.estimation.estimator, config.estimation.device) == ("gaussian-copula", "cpu")
    assert (config.estimation.seed, config.candidates.seed) == (7, 7)
    assert (config.inputs.task, config.inputs.session, config.inputs.run, config.inputs.space, config.inputs.t_r) == (
        "rest", "2", "1", "MNI152NLin6Asym", 2.5)
    assert with_overrides(config, seed=None) == config


def test_sections_are_frozen():
    config = load_config("fast")
    for section in fields(config):
        with pytest.raises(AttributeError):
            setattr(getattr(config, section.name), fields(getattr(config, section.name))[0].name, None)


def test_default_toml_is_the_schema_key_by_key():
    """pipelines/default.toml shows exactly the defaults of the section dataclasses (every key, equal values)."""
    document = tomllib.loads((PIPELINES_DIR / "default.toml").read_text())
    assert differences(PipelineConfig().to_dict(), document) == []
    assert load_config() == PipelineConfig() == load_config("default")


def test_a_partial_file_gets_exactly_the_documented_defaults(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text('[inputs]\ntask = "rest"\n\n[estimation.fmmi]\nsteps = 50\n')
    config = load_config(path)
    default = load_config("default")
    assert config.inputs == replace(default.inputs, task="rest")
    assert config.estimation.fmmi == replace(default.estimation.fmmi, steps=50)
    for section in ("extraction", "candidates", "statistics", "outputs"):
        assert getattr(config, section) == getattr(default, section)


def test_unknown_key_names_close_matches_and_wrong_type_the_expected_type():
    with pytest.raises(ValueError, match=r"unknown key statistics\.n_surogates \(did you mean n_surrogates"):
        config_from_mapping({"statistics": {"n_surogates": 9}})
    with pytest.raises(ValueError, match=r"statistics\.n_surrogates = '99': expected an integer\."):
        config_from_mapping({"statistics": {"n_surrogates": "99"}})
    with pytest.raises(ValueError, match=r"candidates\.orders = \[3, 'x'\]: expected a list of integers\."):
        config_from_mapping({"candidates": {"orders": [3, "x"]}})
    with pytest.raises(ValueError, match=r"estimation\.fmmi\.width = 1\.5: expected an integer\."):
        config_from_mapping({"estimation": {"fmmi": {"width": 1.5}}})
    with pytest.raises(ValueError, match=r"outputs\.maps = 1: expected true or false\."):
        config_from_mapping({"outputs": {"maps": 1}})


def test_a_binary_config_file_is_named(tmp_path):
    path = tmp_path / "config.toml"
    path.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(ValueError, match=r"config\.toml is not a text file"):
        load_config(path)


def test_resolved_config_is_written_by_tomli_w_and_reads_back(tmp_path):
    config = load_config("thorough", orders=(3, 4), candidates__user_file="")
    text = to_toml(config)
    assert tomllib.loads(text) == config.to_dict()
    path = tmp_path / "resolved.toml"
    path.write_text(text)
    assert load_config(path) == config
