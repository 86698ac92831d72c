"""The pipeline configuration: TOML files in ``pipelines/`` as frozen dataclasses.

A configuration has six sections, each a frozen dataclass validated on load;
every error names the key (``statistics.n_surrogates``), what was found and
what is allowed.  ``pipelines/default.toml`` documents every key.

``[inputs]``      which runs of the subject to use (:func:`fmri_oinfo.inputs.find_runs`)
``[extraction]``  atlas and cleaning (:func:`fmri_oinfo.extract.extract_timeseries`)
``[candidates]``  which sets to test (:class:`fmri_oinfo.candidates.CandidateConfig`)
``[estimation]``  estimator, device, seed, and ``[estimation.fmmi]`` engine options
``[statistics]``  surrogates, bootstrap, FDR (:func:`fmri_oinfo.stats.assess_sets`)
``[outputs]``     which files to write and how the report looks

In TOML, optional numbers are switched off with ``0`` (for example
``fd_threshold = 0``: no extra censoring), since TOML has no null.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from fmri_oinfo.atlases import DEFAULT_ATLAS
from fmri_oinfo.candidates import CandidateConfig
from fmri_oinfo.estimators import ESTIMATORS
from fmri_oinfo.extract import CONFOUND_STRATEGIES
from fmri_oinfo.resources import project_folder
from fmri_oinfo.stats import MIN_BOOTSTRAP_FOR_SE, SURROGATES

#: Folder of the ready configurations shipped with the source tree.
PIPELINES_DIR = project_folder("pipelines")

DEVICES = ("auto", "cpu", "cuda")
STANDARDIZE = ("zscore_sample", "zscore", "none")
CONFOUNDS = ("auto", "none", *CONFOUND_STRATEGIES)

#: ``[estimation.fmmi]`` keys of the FMMI estimator itself; the others are engine settings (SubjectFlowConfig).
FMMI_RUN_OPTIONS = ("progress",)


def _fail(key: str, value: Any, expected: str) -> None:
    raise ValueError(f"{key} = {value!r}: {expected}.")


def _check_type(key: str, value: Any, kind: type | tuple[type, ...], expected: str) -> None:
    if isinstance(value, bool) and kind is not bool and bool not in (kind if isinstance(kind, tuple) else (kind,)):
        _fail(key, value, expected)
    if not isinstance(value, kind):
        _fail(key, value, expected)


def _non_negative_number(key: str, value: Any) -> None:
    _check_type(key, value, (int, float), "expected a number (0 switches it off)")
    if not math.isfinite(value) or value < 0:
        _fail(key, value, "expected a finite number >= 0 (0 switches it off)")


def _choice(key: str, value: Any, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        _fail(key, value, f"use one of {list(allowed)}")


@dataclass(frozen=True)
class InputsConfig:
    """Which runs of the subject to use; empty strings mean "any"."""

    task: str = ""
    session: str = ""
    run: str = ""
    space: str = ""
    t_r: float = 0.0
    min_volumes: int = 50

    def __post_init__(self) -> None:
        for name in ("task", "session", "run", "space"):
            _check_type(f"inputs.{name}", getattr(self, name), str, "expected a string ('' for any)")
        _non_negative_number("inputs.t_r", self.t_r)
        _check_type("inputs.min_volumes", self.min_volumes, int, "expected an integer")
        if self.min_volumes < 3:
            _fail("inputs.min_volumes", self.min_volumes, "expected an integer of at least 3")


@dataclass(frozen=True)
class ExtractionConfig:
    """Atlas and cleaning of the region time series."""

    atlas: str = DEFAULT_ATLAS
    atlas_dir: str = ""
    confounds: str = "auto"
    high_pass: float = 0.01
    low_pass: float = 0.1
    detrend: bool = True
    standardize: str = "zscore_sample"
    fd_threshold: float = 0.0
    smoothing_fwhm: float = 0.0
    confounds_options: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _check_type("extraction.atlas", self.atlas, str, "expected an atlas name or a path")
        if not self.atlas:
            _fail("extraction.atlas", self.atlas, "expected an atlas name or a path")
        _check_type("extraction.atlas_dir", self.atlas_dir, str, "expected a folder path ('' for none)")
        _choice("extraction.confounds", self.confounds, CONFOUNDS)
        for name in ("high_pass", "low_pass", "fd_threshold", "smoothing_fwhm"):
            _non_negative_number(f"extraction.{name}", getattr(self, name))
        if self.high_pass and self.low_pass and self.high_pass >= self.low_pass:
            _fail("extraction.high_pass", self.high_pass, f"must be below extraction.low_pass = {self.low_pass}")
        _check_type("extraction.detrend", self.detrend, bool, "expected true or false")
        _choice("extraction.standardize", self.standardize, STANDARDIZE)
        _check_type("extraction.confounds_options", self.confounds_options, Mapping, "expected a table")
        object.__setattr__(self, "confounds_options", dict(self.confounds_options))


@dataclass(frozen=True)
class EstimationConfig:
    """Estimator of the O-information and where it runs."""

    estimator: str = "gaussian"
    device: str = "auto"
    seed: int = 0
    gradient: bool = False
    fmmi: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _choice("estimation.estimator", self.estimator, ESTIMATORS)
        _choice("estimation.device", self.device, DEVICES)
        _check_type("estimation.seed", self.seed, int, "expected a non-negative integer")
        if self.seed < 0:
            _fail("estimation.seed", self.seed, "expected a non-negative integer")
        _check_type("estimation.gradient", self.gradient, bool, "expected true or false")
        _check_type("estimation.fmmi", self.fmmi, Mapping, "expected a table of FMMI engine options")
        object.__setattr__(self, "fmmi", dict(self.fmmi))
        engine_options = {k: v for k, v in self.fmmi.items() if k not in FMMI_RUN_OPTIONS}
        if "progress" in self.fmmi:
            _check_type("estimation.fmmi.progress", self.fmmi["progress"], bool, "expected true or false")
        if engine_options:
            from fmri_oinfo.engine.subject_config import SubjectFlowConfig

            defaults = SubjectFlowConfig()
            for key, value in engine_options.items():
                if hasattr(defaults, key):
                    kinds, expected = _expected_kind(getattr(defaults, key))
                    if (isinstance(value, bool) and bool not in kinds) or not isinstance(value, kinds):
                        _fail(f"estimation.fmmi.{key}", value, expected)
            try:
                SubjectFlowConfig.from_options(**engine_options)
            except (TypeError, ValueError) as err:
                raise ValueError(f"estimation.fmmi: {err}") from None

    def options(self, estimator: str) -> dict[str, Any]:
        """Estimator options for ``estimator``: the FMMI table for ``"fmmi"``, else none."""
        return dict(self.fmmi) if estimator == "fmmi" else {}


@dataclass(frozen=True)
class StatisticsConfig:
    """Surrogate test, FDR and bootstrap intervals."""

    n_surrogates: int = 199
    surrogate: str = "circular"
    n_bootstrap: int = 100
    block_length: int = 0
    alpha: float = 0.05
    ci_level: float = 0.95
    estimator: str = "same"

    def __post_init__(self) -> None:
        for name, least in (("n_surrogates", 1), ("n_bootstrap", 0), ("block_length", 0)):
            value = getattr(self, name)
            _check_type(f"statistics.{name}", value, int, "expected an integer")
            if value < least:
                _fail(f"statistics.{name}", value, f"expected an integer >= {least}")
        _choice("statistics.surrogate", self.surrogate, SURROGATES)
        for name in ("alpha", "ci_level"):
            value = getattr(self, name)
            _check_type(f"statistics.{name}", value, (int, float), "expected a number in (0, 1)")
            if not 0 < value < 1:
                _fail(f"statistics.{name}", value, "expected a number in (0, 1)")
        _choice("statistics.estimator", self.estimator, ("same", *ESTIMATORS))

    def test_estimator(self, estimation: EstimationConfig) -> str:
        """The estimator of the surrogate null and the bootstrap."""
        return estimation.estimator if self.estimator == "same" else self.estimator

    @property
    def se_from_bootstrap(self) -> bool:
        """Whether ``o_info_se`` is the bootstrap standard deviation (enough resamples)."""
        return self.n_bootstrap >= MIN_BOOTSTRAP_FOR_SE


@dataclass(frozen=True)
class OutputsConfig:
    """Which outputs to write."""

    maps: bool = True
    graphs: bool = True
    report: bool = True
    interactive: bool = True
    top_n: int = 25

    def __post_init__(self) -> None:
        for name in ("maps", "graphs", "report", "interactive"):
            _check_type(f"outputs.{name}", getattr(self, name), bool, "expected true or false")
        _check_type("outputs.top_n", self.top_n, int, "expected a positive integer")
        if self.top_n < 1:
            _fail("outputs.top_n", self.top_n, "expected a positive integer")


@dataclass(frozen=True)
class PipelineConfig:
    """The whole configuration of one subject run."""

    inputs: InputsConfig = field(default_factory=InputsConfig)
    extraction: ExtractionConfig = field(default_factory=ExtractionConfig)
    candidates: CandidateConfig = field(default_factory=CandidateConfig)
    estimation: EstimationConfig = field(default_factory=EstimationConfig)
    statistics: StatisticsConfig = field(default_factory=StatisticsConfig)
    outputs: OutputsConfig = field(default_factory=OutputsConfig)

    def to_dict(self) -> dict[str, dict[str, Any]]:
        """Every section as a plain nested dict (tuples as lists), as TOML holds it."""
        return {f.name: _plain(asdict(getattr(self, f.name))) for f in fields(self)}


_SECTIONS: dict[str, type] = {
    "inputs": InputsConfig,
    "extraction": ExtractionConfig,
    "candidates": CandidateConfig,
    "estimation": EstimationConfig,
    "statistics": StatisticsConfig,
    "outputs": OutputsConfig,
}

#: Short override names (CLI options) and the key they set.
ALIASES: dict[str, tuple[str, ...]] = {
    "task": ("inputs.task",),
    "session": ("inputs.session",),
    "run": ("inputs.run",),
    "space": ("inputs.space",),
    "t_r": ("inputs.t_r",),
    "atlas": ("extraction.atlas",),
    "atlas_dir": ("extraction.atlas_dir",),
    "confounds": ("extraction.confounds",),
    "orders": ("candidates.orders",),
    "estimator": ("estimation.estimator",),
    "device": ("estimation.device",),
    "seed": ("estimation.seed", "candidates.seed"),
}


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _expected_kind(default: Any) -> tuple[tuple[type, ...], str]:
    """Types a TOML value may have, judged from the field's default, and their description."""
    if isinstance(default, bool):
        return (bool,), "expected true or false"
    if isinstance(default, int):
        return (int,), "expected an integer"
    if isinstance(default, float):
        return (int, float), "expected a number"
    if isinstance(default, (str, type(None))):
        return (str,), "expected a string"
    if isinstance(default, (tuple, list)):
        return (list, tuple), "expected a list"
    return (Mapping,), "expected a table"


def _check_types(name: str, cls: type, table: Mapping[str, Any]) -> None:
    defaults = cls()
    for key, value in table.items():
        kinds, expected = _expected_kind(getattr(defaults, key))
        wrong_bool = isinstance(value, bool) and bool not in kinds
        if wrong_bool or not isinstance(value, kinds):
            _fail(f"{name}.{key}", value, expected)
        if isinstance(value, (list, tuple)) and value:
            item_kinds = (int,) if all(isinstance(v, int) for v in getattr(defaults, key)) else (str,)
            if any(isinstance(v, bool) or not isinstance(v, item_kinds) for v in value):
                _fail(f"{name}.{key}", value, f"expected a list of {'integers' if item_kinds == (int,) else 'strings'}")


def _section(name: str, table: Any) -> Any:
    cls = _SECTIONS[name]
    if not isinstance(table, Mapping):
        raise ValueError(f"[{name}] must be a table, found {table!r}.")
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(table) - known)
    if unknown:
        listed = ", ".join(f"{name}.{k}" for k in unknown)
        raise ValueError(f"unknown key(s) {listed}; known keys of [{name}]: {sorted(known)}.")
    _check_types(name, cls, table)
    if cls is CandidateConfig:
        values = {k: (None if k == "user_file" and v == "" else v) for k, v in table.items()}
        return CandidateConfig.from_mapping(values)
    return cls(**table)


def config_from_mapping(mapping: Mapping[str, Any]) -> PipelineConfig:
    """Validate a parsed TOML document (or any nested mapping) into a :class:`PipelineConfig`.

    Raises
    ------
    ValueError
        Naming the unknown section or key, or the key with a bad value.
    """
    unknown = sorted(set(mapping) - set(_SECTIONS))
    if unknown:
        raise ValueError(f"unknown section(s) {unknown}; known sections: {list(_SECTIONS)}.")
    return PipelineConfig(**{name: _section(name, mapping.get(name, {})) for name in _SECTIONS})


def _resolve_path(path: str | Path) -> Path:
    path = Path(path)
    if path.is_file() or path.suffix == ".toml" or path.parent != Path("."):
        return path
    return PIPELINES_DIR / f"{path.name}.toml"


def read_toml(path: str | Path) -> dict[str, Any]:
    """Parse a configuration file; a bare name (``fast``) means ``pipelines/fast.toml``."""
    path = _resolve_path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"config file {path} does not exist; give a TOML file such as pipelines/default.toml "
            f"(ready ones: {sorted(p.stem for p in PIPELINES_DIR.glob('*.toml'))})."
        )
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise ValueError(f"{path}: not valid TOML ({err}).") from None


def _set_key(document: dict[str, Any], dotted: str, value: Any) -> None:
    section, _, key = dotted.partition(".")
    if section not in _SECTIONS or not key:
        raise ValueError(
            f"override {dotted!r}: use section__key with a section of {list(_SECTIONS)}, "
            f"or one of {sorted(ALIASES)}."
        )
    table = document.setdefault(section, {})
    if not isinstance(table, dict):
        raise ValueError(f"[{section}] must be a table, found {table!r}.")
    table[key] = list(value) if isinstance(value, tuple) else value


def load_config(path: str | Path | None = None, **overrides: Any) -> PipelineConfig:
    """Load, override and validate a pipeline configuration.

    Parameters
    ----------
    path : str, pathlib.Path or None
        A TOML file (see ``pipelines/default.toml``), or a bare name of a
        shipped configuration (``"fast"``).  None uses ``pipelines/default.toml``
        when the source tree is present, else the built-in defaults.
    **overrides
        Values that replace those of the file; None values are ignored.  Either
        a short name (``atlas``, ``orders``, ``estimator``, ``device``,
        ``seed``, ``task``, ``session``, ``run``, ``space``, ``confounds``,
        ``t_r``, ``atlas_dir``; ``seed`` sets both the estimation and the
        candidate seeds) or ``section__key`` (``statistics__n_surrogates=19``).

    Returns
    -------
    PipelineConfig

    Raises
    ------
    FileNotFoundError
        When ``path`` does not exist.
    ValueError
        Naming the unknown or invalid key.
    """
    if path is None:
        default = PIPELINES_DIR / "default.toml"
        document = read_toml(default) if default.is_file() else {}
    else:
        document = read_toml(path)
    for name, value in overrides.items():
        if value is None:
            continue
        targets = ALIASES.get(name, (name.replace("__", ".", 1),))
        for dotted in targets:
            _set_key(document, dotted, value)
    return config_from_mapping(document)


def with_overrides(config: PipelineConfig, **overrides: Any) -> PipelineConfig:
    """A copy of ``config`` with overrides applied as in :func:`load_config`."""
    document = tomllib.loads(to_toml(config))
    for name, value in overrides.items():
        if value is None:
            continue
        for dotted in ALIASES.get(name, (name.replace("__", ".", 1),)):
            _set_key(document, dotted, value)
    return config_from_mapping(document)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        return f'"{escaped}"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    raise ValueError(f"cannot write {value!r} to TOML.")


def to_toml(config: PipelineConfig) -> str:
    """The resolved configuration as TOML text that :func:`load_config` reads back."""
    lines = ["# Resolved configuration of this run (written by fmri-oinfo).", ""]
    for section, table in config.to_dict().items():
        lines.append(f"[{section}]")
        nested = {}
        for key, value in table.items():
            if value is None:
                value = ""
            if isinstance(value, Mapping) and section == "estimation":
                nested[key] = value
                continue
            lines.append(f"{key} = {_toml_value(value)}")
        lines.append("")
        for key, value in nested.items():
            lines.append(f"[{section}.{key}]")
            lines.extend(f"{k} = {_toml_value(v)}" for k, v in value.items())
            lines.append("")
    return "\n".join(lines)


__all__ = [
    "ALIASES",
    "PIPELINES_DIR",
    "EstimationConfig",
    "ExtractionConfig",
    "InputsConfig",
    "OutputsConfig",
    "PipelineConfig",
    "StatisticsConfig",
    "config_from_mapping",
    "load_config",
    "read_toml",
    "to_toml",
    "with_overrides",
]
