"""The two per-subject passes of a group study, each one Dask task per subject.

Both passes run the single-subject pipeline (:mod:`fmri_oinfo.pipeline`) with
its own stage cache in the subject's folder ``<out>/sub-XX/.cache/``:

``prepare_subject`` (first pass)
    The pipeline's extraction stage and, for a union of per-subject sets,
    its candidate stage, with the study's pipeline configuration.  Nothing
    else is written; the time series stay in the stage cache.
``estimate_subject`` (second pass)
    Writes the study's common candidate list (the sets whose regions this
    subject has) to ``sub-XX_desc-group_candidates.txt`` and runs
    :func:`fmri_oinfo.pipeline.run_subject` with ``[candidates]
    strategies = ["user"]`` and that file: the subject gets every pipeline
    output (result table, maps, graphs, HTML report) for the common sets.
    Its extraction stage is the one the first pass cached.

A re-run with unchanged inputs and settings reuses every finished stage (the
pipeline's cache keys hash input contents and settings), so a killed worker
or an interrupted study loses no finished stage.  An error is caught and
returned as a failed outcome; it never stops the other subjects.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
import traceback
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from fmri_oinfo.atomic import protect_inputs, write_text_atomically
from fmri_oinfo.group.config import GroupConfig
from fmri_oinfo.group.study import Subject

logger = logging.getLogger(__name__)

#: Quantities read per subject and set from the pipeline's result table (``null_mean``: the
#: subject's surrogate baseline, which the group tests subtract).
SUBJECT_QUANTITIES: tuple[str, ...] = ("o_info", "null_mean", "tc", "dtc", "s_info")


@dataclass(frozen=True)
class SubjectOutcome:
    """What one pass did for one subject.

    Attributes
    ----------
    subject : str
        ``sub-<label>``.
    step : {"prepare", "estimate"}
    status : {"computed", "cached", "failed"}
        ``cached`` when every pipeline stage of the pass was reused.
    source : str
        The subject's input (folder or table).
    folder : str
        The subject's output folder (``<out>/sub-XX``).
    files : dict of str to str
        Files by role, relative to ``folder``: ``timeseries`` and
        ``candidates`` (stage cache) after the first pass; ``results``,
        ``report`` (when written), ``config`` and ``provenance`` after the second.
    error : str
        ``"<ExceptionType>: <message>"`` of a failure, else "".
    seconds : float
        Time spent in the pass.
    qc : dict
        ``n_volumes``, ``n_regions``, ``n_dropped_regions``, ``n_censored``,
        ``mean_fd`` (mm, None when unknown).
    regions : tuple of dict
        Region metadata rows (``name``, ``network``, ``x``, ``y``, ``z``).
    warnings : tuple of str
        Warnings of the pass, once each (printed once per study by the command, not by the worker).
    """

    subject: str
    step: str
    status: str
    source: str = ""
    folder: str = ""
    files: dict[str, str] = field(default_factory=dict)
    error: str = ""
    seconds: float = 0.0
    qc: dict[str, Any] = field(default_factory=dict)
    regions: tuple[dict[str, Any], ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """Whether the pass finished (computed now or reused)."""
        return self.status in ("computed", "cached")

    def path(self, role: str) -> Path:
        """Absolute path of the file with ``role``."""
        return Path(self.folder) / self.files[role]


def encode_set(region_set: Sequence[str]) -> str:
    """A set of region names as a JSON list (safe for any region name in a TSV cell)."""
    return json.dumps([str(m) for m in region_set])


def subject_folder(out_dir: str | Path, label: str) -> Path:
    """The subject's output folder in a group study: ``<out_dir>/<label>``."""
    return Path(out_dir) / label


def _qc(series) -> dict[str, Any]:
    metadata = series.metadata
    fd = metadata.get("framewise_displacement")
    fd_values = np.array([v for v in fd if v is not None], dtype=float) if fd else np.array([])
    censored = metadata.get("censored_volumes") or {}
    return {
        "n_volumes": int(series.data.shape[0]),
        "n_regions": int(series.data.shape[1]),
        "n_dropped_regions": len(metadata.get("dropped_regions") or []),
        "n_censored": int(sum(len(v) for v in censored.values())) if isinstance(censored, dict) else 0,
        "mean_fd": float(np.nanmean(fd_values)) if fd_values.size else None,
    }


def _sidecar_regions(label: str, sidecar: Path) -> pd.DataFrame | None:
    """The region rows of a table's RegionTimeseries sidecar; None, silently, for an ordinary BIDS sidecar.

    A JSON object without ``regions`` (``RepetitionTime`` and the like) is a
    legitimate sidecar that has no coordinates to give; only an unreadable
    file or malformed ``regions`` is warned about.
    """
    try:
        content = json.loads(sidecar.read_text())
    except ValueError as error:
        logger.warning("%s: %s is not valid JSON (%s); no coordinates", label, sidecar, error)
        return None
    if isinstance(content, dict) and "regions" not in content:
        return None
    try:
        return pd.DataFrame(content["regions"]).astype({"name": str})
    except (ValueError, KeyError, TypeError) as error:
        logger.warning("%s: %s is not a RegionTimeseries sidecar (%s); no coordinates", label, sidecar, error)
        return None


def _regions(subject: Subject, series) -> tuple[dict[str, Any], ...]:
    """Region rows of the time series (with their anatomical names when the atlas has them); a table's
    RegionTimeseries sidecar adds coordinates and networks."""
    regions = series.regions.copy()
    sidecar = subject.source.with_name(subject.source.name[:-4] + ".json")
    known = _sidecar_regions(subject.label, sidecar) \
        if subject.kind == "table" and subject.source.name.endswith(".tsv") and sidecar.is_file() else None
    if known is not None:
        regions = regions[["name"]].merge(known, on="name", how="left")
    regions["network"] = regions["network"].fillna("").astype(str)
    columns = ["name", "network", "x", "y", "z"] + (["anatomy"] if "anatomy" in regions.columns else [])
    if "anatomy" in regions.columns:
        regions["anatomy"] = regions["anatomy"].fillna("").astype(str)
    return tuple(regions[columns].to_dict(orient="records"))


def _failure(subject: Subject, step: str, folder: Path, started: float,
             warnings: Sequence[str] = ()) -> SubjectOutcome:
    error = traceback.format_exc(limit=0).strip().splitlines()[-1]
    logger.error("%s %s failed: %s", subject.label, step, error)
    return SubjectOutcome(subject.label, step, "failed", str(subject.source), str(folder), error=error,
                          seconds=time.perf_counter() - started, warnings=tuple(warnings))


@contextlib.contextmanager
def _task_log() -> Iterator[list[str]]:
    """A subject task's warnings, collected for its outcome; in a worker process nothing is printed.

    A worker process has no log handler, so its warnings would go to the
    terminal once per subject; a null handler keeps them for the outcome, and
    the command prints each once for the study.
    """
    from fmri_oinfo.pipeline.notices import collect_warnings

    package = logging.getLogger("fmri_oinfo")
    quiet = None
    if not package.handlers and not logging.getLogger().handlers:
        quiet = logging.NullHandler()
        package.addHandler(quiet)
    try:
        with collect_warnings() as warnings:
            yield warnings
    finally:
        if quiet is not None:
            package.removeHandler(quiet)


def prepare_subject(subject: Subject, config: GroupConfig, out_dir: str | Path) -> SubjectOutcome:
    """First pass: the pipeline's extraction (and candidate) stage for one subject, cached.

    Parameters
    ----------
    subject : Subject
    config : GroupConfig
    out_dir : str or pathlib.Path
        Study output folder; the stages go to ``<out_dir>/<label>/.cache/``.

    Returns
    -------
    SubjectOutcome
        ``files``: ``timeseries`` (TSV + JSON sidecar) and, with
        ``candidate_source="union"``, ``candidates`` (the subject's own sets, JSON).
    """
    started = time.perf_counter()
    folder = subject_folder(out_dir, subject.label)
    with _task_log() as warnings, protect_inputs(subject.inputs):
        try:
            return _prepare(subject, config, folder, started, warnings)
        except Exception:  # one subject's failure is reported, never raised
            return _failure(subject, "prepare", folder, started, warnings)


def _prepare(subject: Subject, config: GroupConfig, folder: Path, started: float,
             warnings: list[str]) -> SubjectOutcome:
    from fmri_oinfo.atlases import load_atlas
    from fmri_oinfo.pipeline import stages
    from fmri_oinfo.pipeline.cache import StageCache
    from fmri_oinfo.pipeline.inputs import gather_inputs

    pipeline = config.pipeline
    atlas = None if subject.kind == "table" else load_atlas(pipeline.extraction.atlas,
                                                            pipeline.extraction.atlas_dir or None)
    inputs = gather_inputs(subject.source, pipeline, None if atlas is None else atlas.space,
                           None if atlas is None else atlas.coords)
    cache = StageCache(folder / ".cache")
    key = stages.extraction_key(inputs, pipeline)
    series, extraction = cache.run(
        "extraction", key, lambda: stages.extract(inputs, pipeline), stages.save_timeseries,
        stages.load_timeseries,
    )
    done = [extraction]
    files = {"timeseries": str((extraction.folder / stages.TIMESERIES_FILE).relative_to(folder))}
    if config.candidate_source == "union":
        _, chosen = cache.run(
            "candidates", stages.candidates_key(key, pipeline), lambda: stages.candidate(series, pipeline),
            lambda table, stage: (stages.save_candidates(table, stage), {"n_sets": len(table)})[1],
            stages.load_candidates,
        )
        done.append(chosen)
        files["candidates"] = str(chosen.folder.relative_to(folder))
    status = "cached" if all(r.reused for r in done) else "computed"
    return SubjectOutcome(subject.label, "prepare", status, str(subject.source), str(folder), files,
                          seconds=time.perf_counter() - started, qc=_qc(series),
                          regions=_regions(subject, series), warnings=tuple(warnings))


def _write_sets(path: Path, sets: Sequence[tuple[str, ...]]) -> Path:
    """The user-strategy file of sets: one set per line, members separated by tabs."""
    text = "# common candidate sets of the group study (written by fmri_oinfo.group)\n"
    text += "".join("\t".join(g) + "\n" for g in sets)
    return write_text_atomically(path, text)


def estimate_subject(
    prepared: SubjectOutcome, sets: Sequence[tuple[str, ...]], config: GroupConfig
) -> SubjectOutcome:
    """Second pass: the whole pipeline on one subject, for the common candidate sets.

    Sets with a region the subject lacks (dropped during extraction) are left
    out of its sets file; they get NaN in :func:`read_subject_values`.

    Parameters
    ----------
    prepared : SubjectOutcome
        A successful :func:`prepare_subject` outcome.
    sets : sequence of tuple of str
        The common candidate list.
    config : GroupConfig

    Returns
    -------
    SubjectOutcome
        ``files``: ``results`` (the pipeline's ``*_oinfo.tsv``), ``sets`` (the
        sets file), ``config``, ``provenance`` and ``report`` when written.
    """
    from fmri_oinfo.pipeline import run_subject
    from fmri_oinfo.pipeline.config import with_overrides

    started = time.perf_counter()
    folder = Path(prepared.folder)
    subject = Subject(prepared.subject, Path(prepared.source), "table")
    with _task_log() as warnings, protect_inputs(subject.inputs):
        try:
            present = {str(r["name"]) for r in prepared.regions}
            usable = [g for g in sets if present.issuperset(g)]
            if not usable:
                raise ValueError(f"{prepared.subject} has none of the {len(sets)} common candidate sets "
                                 f"(regions dropped?); it has {len(present)} regions.")
            sets_file = _write_sets(folder / f"{prepared.subject}_desc-group_candidates.txt", usable)
            pipeline = with_overrides(config.pipeline, candidates__strategies=["user"],
                                      candidates__user_file=str(sets_file),
                                      statistics__user_sets_from_data=sets_chosen_from_data(config))
            outputs = run_subject(prepared.source, pipeline, out_dir=folder)
            files = {"results": outputs.results, "sets": sets_file, "config": outputs.config,
                     "provenance": outputs.provenance}
            if outputs.report is not None:
                files["report"] = outputs.report
            status = "cached" if set(outputs.stages.values()) == {"reused"} else "computed"
            return SubjectOutcome(prepared.subject, "estimate", status, prepared.source, str(folder),
                                  {role: str(Path(p).relative_to(folder)) for role, p in files.items()},
                                  seconds=time.perf_counter() - started, qc=prepared.qc, regions=prepared.regions,
                                  warnings=tuple(warnings))
        except Exception:  # one subject's failure is reported, never raised
            return _failure(subject, "estimate", folder, started, warnings)


def sets_chosen_from_data(config: GroupConfig) -> bool:
    """Whether the common list was chosen by looking at the subjects' data (screen or search).

    Then each subject tests it on its test block only (the volumes that chose
    it are left out), as the pipeline does for its own screened sets
    (:func:`fmri_oinfo.stats.split.chosen_from_data`, the one rule).
    """
    from fmri_oinfo.stats.split import chosen_from_data

    pipeline = config.pipeline
    return chosen_from_data(pipeline.candidates.strategies, pipeline.statistics.user_sets_from_data)


def split_block(series: pd.DataFrame, config: GroupConfig, block: str) -> pd.DataFrame:
    """The ``"selection"`` or ``"test"`` block of a subject's series under the study's split, or ``"whole"``."""
    from fmri_oinfo.stats import sample_split

    if block == "whole":
        return series
    statistics = config.pipeline.statistics
    split = sample_split(series.to_numpy(float), statistics.selection_fraction, statistics.split_gap)
    return series.iloc[split.block_rows(block)]


def member_baselines(tables: Sequence[pd.DataFrame]) -> np.ndarray:
    """The subjects' per-member baselines as one array (S, G, K), NaN-padded beyond each set's order.

    Parameters
    ----------
    tables : sequence of pandas.DataFrame
        :func:`read_subject_values` of each subject, over the same sets.
    """
    width = max(len(g) for g in tables[0]["set"])
    out = np.full((len(tables), len(tables[0]), width), np.nan)
    for s, table in enumerate(tables):
        for g, baselines in enumerate(table["member_null_mean"]):
            out[s, g, : len(baselines)] = baselines
    return out


def read_candidates(outcome: SubjectOutcome) -> pd.DataFrame:
    """The subject's own candidate table (first pass, ``candidate_source="union"``)."""
    from fmri_oinfo.pipeline.stages import load_candidates

    return load_candidates(outcome.path("candidates"))


def read_series(outcome: SubjectOutcome) -> pd.DataFrame:
    """The subject's region time series (T x N, columns = region names) from the first pass, exactly."""
    from fmri_oinfo.pipeline.stages import load_timeseries

    return load_timeseries(outcome.path("timeseries").parent).data


def read_subject_values(outcome: SubjectOutcome, sets: Sequence[tuple[str, ...]]) -> pd.DataFrame:
    """The subject's estimates of the common sets, in the order of ``sets``.

    Parameters
    ----------
    outcome : SubjectOutcome
        A successful :func:`estimate_subject` outcome.
    sets : sequence of tuple of str

    Returns
    -------
    pandas.DataFrame
        ``set``, ``order``, :data:`SUBJECT_QUANTITIES` (nats) and
        ``member_null_mean`` (tuples, in the set's member order); NaN for a
        set the subject lacks.
    """
    from fmri_oinfo.pipeline import read_result_table

    results = read_result_table(outcome.path("results"))
    row_of = {frozenset(g): i for i, g in enumerate(results["set"])}
    rows = [row_of.get(frozenset(g), -1) for g in sets]
    table = pd.DataFrame({"set": pd.Series([tuple(g) for g in sets], dtype=object),
                          "order": [len(g) for g in sets]})
    for name in SUBJECT_QUANTITIES:
        values = results[name].to_numpy(float)
        table[name] = [values[r] if r >= 0 else np.nan for r in rows]
    # each member's baseline, in the order of the common set's members
    baselines = [dict(zip(results["set"].iloc[r], results["member_null_mean"].iloc[r])) if r >= 0 else {}
                 for r in rows]
    table["member_null_mean"] = pd.Series([tuple(b.get(m, np.nan) for m in g) for g, b in zip(sets, baselines)],
                                          dtype=object)
    return table
