"""The pipeline configuration: TOML files in ``pipelines/`` as frozen dataclasses.

A configuration has seven sections, each a frozen dataclass whose fields carry
the defaults: this module is the one source of every default, and
``pipelines/default.toml`` shows and documents exactly these values (a test
keeps the two equal key by key).  A user file may give any subset of the
keys; the others take these defaults.  Files are read by one generic loader
(:mod:`fmri_oinfo.schema`): an unknown key is refused with its close matches,
a value of the wrong type with the expected type, and a value out of range by
the section's own checks; every message names the key
(``statistics.n_surrogates``).

To add a setting, add a field with its default to its section's dataclass
(and its range check to ``__post_init__``), and the same key with a comment to
``pipelines/default.toml``; nothing else changes.

``[inputs]``      which runs of the subject to use (:func:`fmri_oinfo.inputs.find_runs`)
``[extraction]``  atlas and cleaning (:func:`fmri_oinfo.extract.extract_timeseries`)
``[candidates]``  which sets to test (:class:`fmri_oinfo.candidates.CandidateConfig`)
``[estimation]``  estimator, device, seed, and ``[estimation.fmmi]`` engine options
``[statistics]``  sample split, surrogates, tail, bootstrap, FDR (:func:`fmri_oinfo.stats.assess_sets`)
``[outputs]``     which files to write and how the report looks
``[networks]``    the atlas's networks as multivariate variables (:mod:`fmri_oinfo.pipeline.networks`)

In TOML, optional numbers are switched off with ``0`` (for example
``fd_threshold = 0``: no extra censoring), since TOML has no null.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import tomli_w

from fmri_oinfo.atlases import DEFAULT_ATLAS
from fmri_oinfo.candidates import CandidateConfig
from fmri_oinfo.engine.subject_config import SubjectFlowConfig
from fmri_oinfo.estimators import ESTIMATORS
from fmri_oinfo.extract import CONFOUND_STRATEGIES
from fmri_oinfo.resources import data_folder
from fmri_oinfo.schema import build, field_types, normalise, to_table
from fmri_oinfo.stats import MIN_EFFECT, SURROGATES, TAILS

#: Folder of the shipped configurations (the repository's pipelines/, or the installed package's copy).
PIPELINES_DIR = data_folder("pipelines")

DEVICES = ("auto", "cpu", "cuda")
STANDARDIZE = ("zscore_sample", "zscore", "none")
CONFOUNDS = ("auto", "none", *CONFOUND_STRATEGIES)


def _fail(key: str, value: Any, expected: str) -> None:
    raise ValueError(f"{key} = {value!r}: {expected}.")


def _non_negative_number(key: str, value: float) -> None:
    if not math.isfinite(value) or value < 0:
        _fail(key, value, "expected a finite number >= 0 (0 switches it off)")


def _at_least(key: str, value: int, least: int) -> None:
    if value < least:
        _fail(key, value, f"expected an integer >= {least}")


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
        normalise(self, "inputs")
        _non_negative_number("inputs.t_r", self.t_r)
        _at_least("inputs.min_volumes", self.min_volumes, 3)


@dataclass(frozen=True)
class ExtractionConfig:
    """Atlas and cleaning of the region time series.

    ``clean_table`` applies ``detrend``, ``high_pass``, ``low_pass`` and
    ``standardize`` to a region table given as input (extracted elsewhere),
    with nilearn's ``signal.clean``; it needs ``inputs.t_r``.
    """

    atlas: str = DEFAULT_ATLAS
    atlas_dir: str = ""
    confounds: str = "auto"
    high_pass: float = 0.01
    low_pass: float = 0.1
    detrend: bool = True
    standardize: str = "zscore_sample"
    fd_threshold: float = 0.0
    smoothing_fwhm: float = 0.0
    clean_table: bool = False
    confounds_options: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        normalise(self, "extraction")
        if not self.atlas:
            _fail("extraction.atlas", self.atlas, "expected an atlas name or a path")
        _choice("extraction.confounds", self.confounds, CONFOUNDS)
        for name in ("high_pass", "low_pass", "fd_threshold", "smoothing_fwhm"):
            _non_negative_number(f"extraction.{name}", getattr(self, name))
        if self.high_pass and self.low_pass and self.high_pass >= self.low_pass:
            _fail("extraction.high_pass", self.high_pass, f"must be below extraction.low_pass = {self.low_pass}")
        _choice("extraction.standardize", self.standardize, STANDARDIZE)


def _check_fmmi(self: Any) -> None:
    normalise(self, "estimation.fmmi")
    try:
        SubjectFlowConfig(**to_table(self))
    except ValueError as err:
        raise ValueError(f"estimation.fmmi: {err}") from None


#: Subject-model settings that do nothing in a pipeline: it always tells the model
#: the sets it will ask, so ``max_order`` (the order of random training sets) never applies.
NOT_PIPELINE_SETTINGS = ("max_order",)

#: ``[estimation.fmmi]``: every setting of the FMMI subject model
#: (:class:`fmri_oinfo.engine.subject_config.SubjectFlowConfig`, a key added
#: there appears here by itself) but :data:`NOT_PIPELINE_SETTINGS`, with the
#: model's own defaults, which are sized for one subject in minutes on a CPU.
FMMISettings = dataclasses.make_dataclass(
    "FMMISettings",
    [(f.name, field_types(SubjectFlowConfig)[f.name], field(default=f.default)) for f in fields(SubjectFlowConfig)
     if f.name not in NOT_PIPELINE_SETTINGS],
    frozen=True,
    namespace={"__post_init__": _check_fmmi,
               "__doc__": "Options of the FMMI estimator: the settings of its subject model (SubjectFlowConfig)."},
)
FMMISettings.__module__ = __name__  # importable by name, so that Dask can pickle configurations


@dataclass(frozen=True)
class EstimationConfig:
    """Estimator of every claim (value, nulls, p/q, interval, SE) and where it runs.

    ``fmmi_column`` adds the FMMI estimate of every set in its own descriptive
    columns (``o_info_fmmi``, ``o_info_fmmi_se``; no test) when ``estimator``
    is another one.
    """

    estimator: str = "gaussian-copula"
    device: str = "auto"
    seed: int = 0
    gradient: bool = False
    fmmi_column: bool = True
    fmmi: FMMISettings = field(default_factory=FMMISettings)

    def __post_init__(self) -> None:
        normalise(self, "estimation")
        _choice("estimation.estimator", self.estimator, ESTIMATORS)
        _choice("estimation.device", self.device, DEVICES)
        if self.seed < 0:
            _fail("estimation.seed", self.seed, "expected a non-negative integer")

    def options(self, estimator: str) -> dict[str, Any]:
        """Estimator options for ``estimator``: the ``[estimation.fmmi]`` table for ``"fmmi"``, else none."""
        return to_table(self.fmmi) if estimator == "fmmi" else {}


@dataclass(frozen=True)
class StatisticsConfig:
    """Sample splitting, surrogate nulls, irreducibility, FDR and bootstrap intervals.

    ``selection_fraction`` of the volumes choose the data-driven candidate
    sets (screen, search) and the rest, after ``split_gap`` volumes (0: the
    autocorrelation length), test them; ``tail`` says how p-values beyond the
    surrogates' reach are computed; ``user_sets_from_data`` treats the sets of
    a user file as chosen from this data (a group study's common list);
    ``min_effect`` is the smallest effect size ``|o_info / s_info|`` a label
    needs.
    """

    n_surrogates: int = 999
    surrogate: str = "circular"
    tail: str = "gpd"
    selection_fraction: float = 0.5
    split_gap: int = 0
    user_sets_from_data: bool = False
    n_bootstrap: int = 200
    block_length: int = 0
    alpha: float = 0.05
    ci_level: float = 0.95
    min_effect: float = MIN_EFFECT

    def __post_init__(self) -> None:
        normalise(self, "statistics")
        for name, least in (("n_surrogates", 1), ("n_bootstrap", 0), ("block_length", 0), ("split_gap", 0)):
            _at_least(f"statistics.{name}", getattr(self, name), least)
        _choice("statistics.surrogate", self.surrogate, SURROGATES)
        _choice("statistics.tail", self.tail, TAILS)
        for name in ("alpha", "ci_level", "selection_fraction"):
            if not 0 < getattr(self, name) < 1:
                _fail(f"statistics.{name}", getattr(self, name), "expected a number in (0, 1)")
        if not 0 <= self.min_effect < 1:
            _fail("statistics.min_effect", self.min_effect, "expected a number in [0, 1) (|O / S| is at most 1)")


@dataclass(frozen=True)
class OutputsConfig:
    """Which outputs to write."""

    maps: bool = True
    graphs: bool = True
    report: bool = True
    interactive: bool = True
    full_views: bool = False
    top_n: int = 25
    local_oinfo: bool = False
    local_estimator: str = "gaussian-copula"
    events: str = ""
    contrasts: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        normalise(self, "outputs")
        _at_least("outputs.top_n", self.top_n, 1)
        _choice("outputs.local_estimator", self.local_estimator, ESTIMATORS)
        if self.events and not Path(self.events).is_file():
            _fail("outputs.events", self.events, "no such file; give a BIDS *_events.tsv (onset, duration, trial_type)")


@dataclass(frozen=True)
class NetworksConfig:
    """The atlas's networks as variables: O-information between whole networks.

    ``enabled`` adds the networks table (``<prefix>_networks.tsv``), its maps
    and a report section; every set of ``orders`` networks among ``include``
    (empty: every labelled network) is tested as the regions' sets are.  A
    network is its first ``components`` principal components (0: all its
    regions, one column each).  ``assignment`` names a TSV with ``name`` and
    ``network`` columns giving each region's network, for atlases and region
    tables without network labels (it replaces the atlas's labels).
    """

    enabled: bool = False
    components: int = 3
    orders: tuple[int, ...] = (3,)
    include: tuple[str, ...] = ()
    assignment: str = ""

    def __post_init__(self) -> None:
        normalise(self, "networks")
        _at_least("networks.components", self.components, 0)
        if not self.orders or any(k < 3 for k in self.orders):
            _fail("networks.orders", list(self.orders), "expected orders of at least 3 networks (the O-information "
                  "of two variables is 0 by definition)")
        if self.assignment and not Path(self.assignment).is_file():
            _fail("networks.assignment", self.assignment, "no such file; give a TSV with 'name' and 'network' "
                  "columns")


@dataclass(frozen=True)
class PipelineConfig:
    """The whole configuration of one subject run; ``PipelineConfig()`` is ``pipelines/default.toml``."""

    inputs: InputsConfig = field(default_factory=InputsConfig)
    extraction: ExtractionConfig = field(default_factory=ExtractionConfig)
    candidates: CandidateConfig = field(default_factory=CandidateConfig)
    estimation: EstimationConfig = field(default_factory=EstimationConfig)
    statistics: StatisticsConfig = field(default_factory=StatisticsConfig)
    outputs: OutputsConfig = field(default_factory=OutputsConfig)
    networks: NetworksConfig = field(default_factory=NetworksConfig)

    def __post_init__(self) -> None:
        normalise(self, "config")

    def to_dict(self) -> dict[str, dict[str, Any]]:
        """Every section as a plain nested dict (tuples as lists, None as ""), as TOML holds it."""
        return to_table(self)


#: Sections by name.
SECTIONS: tuple[str, ...] = tuple(f.name for f in fields(PipelineConfig))

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
    "events": ("outputs.events",),
    "contrasts": ("outputs.contrasts",),
    "networks": ("networks.enabled",),
    "network_components": ("networks.components",),
    "network_assignment": ("networks.assignment",),
}


def config_from_mapping(mapping: Mapping[str, Any]) -> PipelineConfig:
    """Validate a parsed TOML document (or any nested mapping) into a :class:`PipelineConfig`.

    Missing sections and keys take the defaults of the section dataclasses.

    Raises
    ------
    ValueError
        Naming the unknown section or key (with close matches), or the key
        with a bad value and what is expected.
    """
    for name in mapping:
        if name not in SECTIONS:
            near = difflib.get_close_matches(str(name), SECTIONS, n=1)
            hint = f" (did you mean [{near[0]}]?)" if near else ""
            raise ValueError(f"unknown section [{name}]{hint}; known sections: {list(SECTIONS)}.")
    sections = {}
    for name in SECTIONS:
        table = mapping.get(name, {})
        if name == "candidates" and isinstance(table, Mapping):
            sections[name] = CandidateConfig.from_mapping(table)
        else:
            sections[name] = build(field_types(PipelineConfig)[name], table, name)
    return PipelineConfig(**sections)


def _resolve_path(path: str | Path) -> Path:
    path = Path(path)
    if path.exists() or path.suffix == ".toml" or path.parent != Path("."):
        return path
    return PIPELINES_DIR / f"{path.name}.toml"


def shipped_configs() -> list[str]:
    """Names of the shipped pipeline configurations (``default``, ``fast``, ``thorough``)."""
    return sorted(p.stem for p in PIPELINES_DIR.glob("*.toml") if p.stem != "slurm")


def read_toml(path: str | Path) -> dict[str, Any]:
    """Parse a configuration file; a bare name (``fast``) means the shipped ``pipelines/fast.toml``.

    Raises
    ------
    FileNotFoundError
        When the file does not exist.
    ValueError
        When it is a folder, not UTF-8 text or not valid TOML, naming the file.
    """
    path = _resolve_path(path)
    if path.is_dir():
        raise ValueError(
            f"config file {path} is a folder; give a TOML file such as pipelines/default.toml, or the name of a "
            f"shipped one: {shipped_configs()}."
        )
    if not path.is_file():
        raise FileNotFoundError(
            f"config file {path} does not exist; give a TOML file such as pipelines/default.toml, "
            f"or the name of a shipped one: {shipped_configs()}."
        )
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ValueError(f"{path} is not a text file (not UTF-8); give a TOML configuration file.") from None
    except OSError as err:
        raise ValueError(f"{path}: cannot read the configuration ({err.strerror}).") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ValueError(f"{path}: not valid TOML ({err}).") from None


def _set_key(document: dict[str, Any], dotted: str, value: Any) -> None:
    section, _, key = dotted.partition(".")
    if section not in SECTIONS or not key:
        raise ValueError(
            f"override {dotted!r}: use section__key with a section of {list(SECTIONS)}, "
            f"or one of {sorted(ALIASES)}."
        )
    table = document.setdefault(section, {})
    if not isinstance(table, dict):
        raise ValueError(f"[{section}] must be a table, found {table!r}.")
    table[key] = list(value) if isinstance(value, tuple) else value


def _apply(document: dict[str, Any], overrides: Mapping[str, Any]) -> PipelineConfig:
    for name, value in overrides.items():
        if value is None:
            continue
        for dotted in ALIASES.get(name, (name.replace("__", ".", 1),)):
            _set_key(document, dotted, value)
    return config_from_mapping(document)


def load_config(path: str | Path | None = None, **overrides: Any) -> PipelineConfig:
    """Load, override and validate a pipeline configuration.

    Parameters
    ----------
    path : str, pathlib.Path or None
        A TOML file (see ``pipelines/default.toml``), or a bare name of a
        shipped configuration (``"fast"``).  None: the defaults, which are
        those of ``pipelines/default.toml``.
    **overrides
        Values that replace those of the file; None values are ignored.  Either
        a short name (``atlas``, ``orders``, ``estimator``, ``device``,
        ``seed``, ``task``, ``session``, ``run``, ``space``, ``confounds``,
        ``t_r``, ``atlas_dir``, ``events``, ``contrasts``; ``seed`` sets both the estimation and the
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
    return _apply({} if path is None else read_toml(path), overrides)


def with_overrides(config: PipelineConfig, **overrides: Any) -> PipelineConfig:
    """A copy of ``config`` with overrides applied as in :func:`load_config`."""
    return _apply(config.to_dict(), overrides)


def to_toml(config: PipelineConfig) -> str:
    """The resolved configuration as TOML text (every key) that :func:`load_config` reads back."""
    return "# Resolved configuration of this run (written by fmri-oinfo).\n\n" + tomli_w.dumps(config.to_dict())


__all__ = [
    "ALIASES",
    "FMMISettings",
    "PIPELINES_DIR",
    "EstimationConfig",
    "ExtractionConfig",
    "InputsConfig",
    "OutputsConfig",
    "PipelineConfig",
    "SECTIONS",
    "StatisticsConfig",
    "config_from_mapping",
    "load_config",
    "read_toml",
    "shipped_configs",
    "to_toml",
    "with_overrides",
]
