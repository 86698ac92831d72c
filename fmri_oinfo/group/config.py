"""Settings of a group study: one frozen dataclass, loaded from TOML.

A study configuration file has up to four tables::

    [extraction]          # keyword arguments of fmri_oinfo.extract.extract_timeseries
    atlas = "seitzman300"
    [candidates]          # fmri_oinfo.candidates.CandidateConfig
    strategies = ["screen"]
    [estimation]
    estimator = "gaussian"
    [group]               # the fields of GroupConfig below
    n_permutations = 4999

Unknown tables or keys are refused with their name.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from fmri_oinfo.candidates import CandidateConfig

#: Where the common candidate list comes from.
CANDIDATE_SOURCES: tuple[str, ...] = ("union", "pooled")

#: Estimators of fmri_oinfo.estimate_oinfo.
ESTIMATORS: tuple[str, ...] = ("gaussian", "gaussian-copula", "fmmi")

_EXTRACTION_KEYS = (
    "atlas", "confounds", "high_pass", "low_pass", "detrend", "standardize", "fd_threshold",
    "min_volumes", "smoothing_fwhm", "atlas_dir", "confounds_options",
)

#: Candidate selection of a group study when none is configured: a per-subject screen.
DEFAULT_GROUP_CANDIDATES = CandidateConfig(strategies=("screen",), orders=(3,), top_k=50, n_control=50)


@dataclass(frozen=True)
class GroupConfig:
    """How subjects are processed and how the group is tested.

    Parameters
    ----------
    extraction : mapping, default={}
        Keyword arguments of :func:`fmri_oinfo.extract.extract_timeseries` for
        image inputs (``atlas``, ``confounds``, ``high_pass``...).
    candidates : CandidateConfig
        Per-subject candidate selection (its union is the common list), or the
        selection run on pooled data when ``candidate_source="pooled"``.
    estimator : {"gaussian", "gaussian-copula", "fmmi"}, default="gaussian"
    estimator_options : mapping, default={}
        Passed to :func:`fmri_oinfo.estimate_oinfo`.
    candidate_source : {"union", "pooled"}, default="union"
        ``union``: union of the per-subject candidate sets; ``pooled``: one
        candidate selection on the standardised, concatenated time series.
    pool : bool, default=False
        Estimate on the pooled time series (one estimation per group, tested
        with surrogates) instead of per subject followed by group statistics.
    n_permutations : int, default=4999
        Sign flips and label permutations of the group tests.
    n_surrogates : int, default=999
        Surrogates of the pooled estimation.
    alpha : float, default=0.05
        FDR level of the labels.
    seed : int, default=0
        Seeds the permutations, surrogates and estimators.
    """

    extraction: Mapping[str, Any] = field(default_factory=dict)
    candidates: CandidateConfig = DEFAULT_GROUP_CANDIDATES
    estimator: str = "gaussian"
    estimator_options: Mapping[str, Any] = field(default_factory=dict)
    candidate_source: str = "union"
    pool: bool = False
    n_permutations: int = 4999
    n_surrogates: int = 999
    alpha: float = 0.05
    seed: int = 0

    def __post_init__(self) -> None:
        unknown = sorted(set(self.extraction) - set(_EXTRACTION_KEYS))
        if unknown:
            raise ValueError(f"extraction: unknown keys {unknown}; known keys are {sorted(_EXTRACTION_KEYS)}.")
        if not isinstance(self.candidates, CandidateConfig):
            raise ValueError(f"candidates is a {type(self.candidates).__name__}; give a CandidateConfig.")
        if self.estimator not in ESTIMATORS:
            raise ValueError(f"estimation.estimator={self.estimator!r}; use one of {list(ESTIMATORS)}.")
        if self.candidate_source not in CANDIDATE_SOURCES:
            raise ValueError(f"group.candidate_source={self.candidate_source!r}; use one of {list(CANDIDATE_SOURCES)}.")
        for name in ("n_permutations", "n_surrogates"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 19:
                raise ValueError(f"group.{name}={value!r}; give an integer of at least 19 (999 or more is typical).")
        if not 0 < self.alpha < 1:
            raise ValueError(f"group.alpha={self.alpha!r} must lie in (0, 1).")
        if not isinstance(self.pool, bool):
            raise ValueError(f"group.pool={self.pool!r} must be true or false.")

    def subject_settings(self) -> dict[str, Any]:
        """The settings a per-subject result depends on (part of its cache key)."""
        return {"extraction": dict(self.extraction), "candidates": asdict(self.candidates)}

    def estimation_settings(self) -> dict[str, Any]:
        """The settings a per-subject estimate on the common sets depends on."""
        return {"estimator": self.estimator, "options": dict(self.estimator_options), "seed": self.seed}

    def to_dict(self) -> dict[str, Any]:
        """Every setting as plain JSON-ready values (shown in the report)."""
        return json.loads(json.dumps(asdict(self), default=str))


def _table(content: Mapping[str, Any], name: str, source: Path) -> dict[str, Any]:
    value = content.get(name, {})
    if not isinstance(value, Mapping):
        raise ValueError(f"{source}: [{name}] must be a table, found {type(value).__name__}.")
    return dict(value)


def load_group_config(path: str | Path | None = None, **overrides: Any) -> GroupConfig:
    """Read a study configuration (TOML) and apply overrides.

    Parameters
    ----------
    path : str, pathlib.Path or None
        A TOML file with ``[extraction]``, ``[candidates]``, ``[estimation]``
        and ``[group]`` tables (all optional); None gives the defaults.
    **overrides
        Fields of :class:`GroupConfig` (e.g. ``pool=True``), applied last.

    Returns
    -------
    GroupConfig

    Raises
    ------
    FileNotFoundError
        When ``path`` does not exist.
    ValueError
        For TOML syntax errors, unknown tables or keys, or invalid values.
    """
    config = GroupConfig()
    if path is not None:
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"--config {path} does not exist; give a TOML file (see pipelines/).")
        try:
            content = tomllib.loads(path.read_text())
        except tomllib.TOMLDecodeError as err:
            raise ValueError(f"{path} is not valid TOML: {err}.") from None
        known = {"extraction", "candidates", "estimation", "group"}
        unknown = sorted(set(content) - known)
        if unknown:
            raise ValueError(f"{path}: unknown tables {unknown}; a study configuration has {sorted(known)}.")
        estimation = _table(content, "estimation", path)
        bad = sorted(set(estimation) - {"estimator", "options"})
        if bad:
            raise ValueError(f"{path}: [estimation] unknown keys {bad}; known keys are ['estimator', 'options'].")
        group = _table(content, "group", path)
        group_fields = {f.name for f in fields(GroupConfig)} - {"extraction", "candidates", "estimator", "estimator_options"}
        bad = sorted(set(group) - group_fields)
        if bad:
            raise ValueError(f"{path}: [group] unknown keys {bad}; known keys are {sorted(group_fields)}.")
        candidates = _table(content, "candidates", path)
        config = GroupConfig(
            extraction=_table(content, "extraction", path),
            candidates=CandidateConfig.from_mapping(candidates) if candidates else DEFAULT_GROUP_CANDIDATES,
            estimator=estimation.get("estimator", "gaussian"),
            estimator_options=dict(estimation.get("options", {})),
            **group,
        )
    return replace(config, **overrides) if overrides else config
