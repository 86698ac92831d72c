"""Settings of a group study: a pipeline configuration plus a ``[group]`` table.

A group configuration file is a pipeline configuration (``pipelines/fast.toml``,
``default.toml``, ``thorough.toml`` or a user copy: every subject is run with
it by :func:`fmri_oinfo.pipeline.run_subject`) with one more table::

    [group]
    n_permutations = 4999
    pool = false
    candidate_source = "union"
    cohort_column = "group"          # column of participants.tsv (--cohort-col wins)
    cluster = "pipelines/slurm.toml"  # dask-jobqueue file (--cluster-config wins)

or a file holding only ``[group]`` that names the pipeline configuration::

    [group]
    pipeline = "pipelines/fast.toml"  # a path (relative to this file or the
                                      # working folder) or a shipped name ("fast")

Unknown tables or keys are refused with their name and close matches, values
of the wrong type with the expected type (:mod:`fmri_oinfo.schema`, the same
loader as the pipeline's sections).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from fmri_oinfo.pipeline.config import PipelineConfig, config_from_mapping, load_config, read_toml, with_overrides
from fmri_oinfo.schema import build, normalise, unknown_key_message

#: Where the common candidate list comes from.
CANDIDATE_SOURCES: tuple[str, ...] = ("union", "pooled")

#: Sections of a pipeline configuration (the group file may hold them all).
PIPELINE_SECTIONS: tuple[str, ...] = tuple(f.name for f in fields(PipelineConfig))


@dataclass(frozen=True)
class GroupConfig:
    """How subjects are processed (``pipeline``) and how the group is tested.

    Parameters
    ----------
    pipeline : PipelineConfig
        The single-subject configuration every subject runs with
        (:func:`fmri_oinfo.pipeline.load_config`); its ``[candidates]`` choose
        each subject's own sets (their union is the common list), or the sets
        of the pooled data when ``candidate_source="pooled"``.
    candidate_source : {"union", "pooled"}, default="union"
        ``union``: union of the per-subject candidate sets; ``pooled``: one
        candidate selection on the standardised, concatenated time series.
    pool : bool, default=False
        Group result from the pooled time series (one estimation per set,
        tested with surrogates) instead of group statistics over the
        subjects' estimates.
    n_permutations : int, default=4999
        Sign flips and label permutations of the group tests.
    n_surrogates : int, default=999
        Surrogates of the pooled estimation.
    alpha : float, default=0.05
        FDR level of the group labels.
    seed : int, default=0
        Seeds the permutations and the pooled surrogates.
    cohort_column : str, default=""
        Column of ``participants.tsv`` holding the cohorts ("" = none).
    cluster : str, default=""
        dask-jobqueue cluster file (``pipelines/slurm.toml``; "" = local).
    """

    pipeline: PipelineConfig = field(default_factory=PipelineConfig)
    candidate_source: str = "union"
    pool: bool = False
    n_permutations: int = 4999
    n_surrogates: int = 999
    alpha: float = 0.05
    seed: int = 0
    cohort_column: str = ""
    cluster: str = ""

    def __post_init__(self) -> None:
        normalise(self, "group")
        if self.candidate_source not in CANDIDATE_SOURCES:
            raise ValueError(f"group.candidate_source = {self.candidate_source!r}; use one of "
                             f"{list(CANDIDATE_SOURCES)}.")
        for name in ("n_permutations", "n_surrogates"):
            value = getattr(self, name)
            if value < 19:
                raise ValueError(f"group.{name} = {value!r}; give an integer of at least 19 (999 or more is typical).")
        if not 0 < self.alpha < 1:
            raise ValueError(f"group.alpha = {self.alpha!r} must be a number in (0, 1).")
        if self.seed < 0:
            raise ValueError(f"group.seed = {self.seed!r}; give a non-negative integer.")

    @property
    def estimator(self) -> str:
        """The estimator of the subjects' O-information (``[estimation] estimator``)."""
        return self.pipeline.estimation.estimator

    @property
    def estimator_options(self) -> dict[str, Any]:
        """Options of :attr:`estimator` (the ``[estimation.fmmi]`` table for FMMI)."""
        return self.pipeline.estimation.options(self.estimator)

    def to_dict(self) -> dict[str, Any]:
        """Every setting as plain JSON-ready values (shown in the report)."""
        group = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "pipeline"}
        return json.loads(json.dumps({"group": group, **self.pipeline.to_dict()}, default=str))


#: Keys of the ``[group]`` table.
GROUP_KEYS: tuple[str, ...] = tuple(f.name for f in fields(GroupConfig) if f.name != "pipeline") + ("pipeline",)


def _pipeline_document(group: dict[str, Any], document: dict[str, Any], source: Path) -> dict[str, Any]:
    """The pipeline sections: those of the file, or those of the file ``[group] pipeline`` names."""
    reference = group.pop("pipeline", None)
    if reference is None:
        return document
    if not isinstance(reference, str) or not reference:
        raise ValueError(f"{source}: group.pipeline = {reference!r}; give a pipeline config path or name (\"fast\").")
    if document:
        raise ValueError(f"{source}: group.pipeline names {reference!r} but the file also has the pipeline "
                         f"section(s) {sorted(document)}; keep one of the two.")
    beside = source.parent / reference
    return read_toml(beside if beside.is_file() else reference)


def load_group_config(path: str | Path | None = None, **overrides: Any) -> GroupConfig:
    """Read a group configuration (TOML) and apply overrides.

    Parameters
    ----------
    path : str, pathlib.Path or None
        A pipeline configuration with an optional ``[group]`` table, or a
        file with only ``[group]`` whose ``pipeline`` key names the pipeline
        configuration; a bare name (``"fast"``) is a shipped pipeline
        configuration.  None uses the pipeline defaults
        (``pipelines/default.toml``) and the group defaults.
    **overrides
        Fields of :class:`GroupConfig` (``pool=True``, ``pipeline=...``), or
        pipeline overrides as for :func:`fmri_oinfo.pipeline.load_config`
        (``estimator="gaussian"``, ``statistics__n_surrogates=19``); applied last.

    Returns
    -------
    GroupConfig

    Raises
    ------
    FileNotFoundError
        When ``path`` (or the pipeline file it names) does not exist.
    ValueError
        For TOML syntax errors, unknown tables or keys, or invalid values,
        naming the key.
    """
    group: dict[str, Any] = {}
    if path is None:
        pipeline = load_config(None)
    else:
        document = read_toml(path)
        source = Path(path)
        for name in document:
            if name not in (*PIPELINE_SECTIONS, "group"):
                raise ValueError(f"{source}: unknown table [{name}]; a group configuration has the pipeline "
                                 f"sections {list(PIPELINE_SECTIONS)} and [group].")
        group = document.pop("group", {})
        if not isinstance(group, Mapping):
            raise ValueError(f"{source}: [group] must be a table, found {group!r}.")
        group = dict(group)
        for key in group:
            if key not in GROUP_KEYS:
                raise ValueError(f"{source}: " + unknown_key_message("group", str(key), list(GROUP_KEYS)))
        pipeline = config_from_mapping(_pipeline_document(group, document, source))
    group_fields = {f.name for f in fields(GroupConfig)}
    pipeline = overrides.pop("pipeline", pipeline)
    pipeline_overrides = {k: v for k, v in overrides.items() if k not in group_fields}
    if pipeline_overrides:
        pipeline = with_overrides(pipeline, **pipeline_overrides)
    try:
        config = build(GroupConfig, group, "group", pipeline=pipeline)
    except ValueError as err:
        raise ValueError(f"{path}: {err}" if path is not None else str(err)) from None
    return replace(config, **{k: v for k, v in overrides.items() if k in group_fields})
