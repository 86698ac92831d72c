"""The two per-subject steps of a group study, each one Dask task per subject.

``prepare_subject``
    Region time series (extracted from images, or read from a table) and the
    subject's own candidate sets.
``estimate_subject``
    O-information of every set of the study's common candidate list on the
    subject's time series.

Each step caches its result under ``<out>/subjects/<label>/``: result files
first, then a manifest with the content key (:mod:`fmri_oinfo.group.cache`),
all written atomically by the task itself before it returns.  A re-run with
unchanged inputs and settings reads the manifest and skips the work, so a
killed worker or an interrupted study loses no finished subject.  An error is
caught and returned as a failed outcome; it never stops the other subjects.
"""

from __future__ import annotations

import json
import logging
import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from fmri_oinfo.group.cache import content_key, read_manifest, write_manifest, write_table
from fmri_oinfo.group.config import GroupConfig
from fmri_oinfo.group.study import Subject

logger = logging.getLogger(__name__)

#: Quantities estimated per subject and set.
SUBJECT_QUANTITIES: tuple[str, ...] = ("o_info", "tc", "dtc", "s_info")


@dataclass(frozen=True)
class SubjectOutcome:
    """What one step did for one subject.

    Attributes
    ----------
    subject : str
        ``sub-<label>``.
    step : {"prepare", "estimate"}
    status : {"computed", "cached", "failed"}
    key : str
        Content key of the result ("" when the inputs could not be read).
    folder : str
        The subject's output folder.
    files : dict of str to str
        Result files by role, relative to ``folder``.
    error : str
        ``"<ExceptionType>: <message>"`` of a failure, else "".
    seconds : float
        Time spent in the step.
    qc : dict
        ``n_volumes``, ``n_regions``, ``n_dropped_regions``, ``n_censored``,
        ``mean_fd`` (mm, None when unknown).
    """

    subject: str
    step: str
    status: str
    key: str = ""
    folder: str = ""
    files: dict[str, str] = field(default_factory=dict)
    error: str = ""
    seconds: float = 0.0
    qc: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Whether the result is available (computed now or cached)."""
        return self.status in ("computed", "cached")

    def path(self, role: str) -> Path:
        """Absolute path of the result file with ``role``."""
        return Path(self.folder) / self.files[role]


def encode_group(group: Sequence[str]) -> str:
    """A set of region names as a JSON list (safe for any region name in a TSV cell)."""
    return json.dumps([str(m) for m in group])


def decode_group(text: str) -> tuple[str, ...]:
    """Inverse of :func:`encode_group`."""
    return tuple(json.loads(text))


def _table_companions(table: Path) -> list[Path]:
    stem = table.name
    for ext in (".tsv.gz", ".csv.gz", ".tsv", ".csv", ".npy"):
        if stem.endswith(ext):
            stem = stem[: -len(ext)]
            break
    names = (f"{stem}.json", f"{stem}_labels.txt", f"{stem}.txt", f"{stem}_labels.tsv")
    return [table.parent / n for n in names if (table.parent / n).is_file()]


def input_files(subject: Subject, config: GroupConfig) -> list[Path]:
    """Every input file a subject's result depends on, in a fixed order."""
    if subject.kind == "table":
        return [subject.source, *_table_companions(subject.source)]
    from fmri_oinfo.inputs import find_runs
    from fmri_oinfo.inputs.entities import strip_extension

    files: list[Path] = []
    for run in find_runs(subject.source):
        files.append(run.bold)
        sidecar = run.bold.with_name(strip_extension(run.bold) + ".json")
        for path in (sidecar, run.confounds, run.mask):
            if path is not None and path.is_file():
                files.append(path)
        if run.confounds is not None and run.confounds.with_suffix(".json").is_file():
            files.append(run.confounds.with_suffix(".json"))
    return files


def load_subject_series(subject: Subject, config: GroupConfig):
    """Region time series of one subject (a :class:`fmri_oinfo.extract.RegionTimeseries`).

    Tables with a :meth:`RegionTimeseries.save` sidecar keep their regions and
    metadata; other tables get region names only (no coordinates).
    """
    from fmri_oinfo.extract import RegionTimeseries, extract_timeseries
    from fmri_oinfo.inputs import find_runs, load_region_table

    if subject.kind == "images":
        return extract_timeseries(find_runs(subject.source), **dict(config.extraction))
    if subject.source.name.endswith(".tsv") and subject.source.with_name(subject.source.name[:-4] + ".json").is_file():
        series = RegionTimeseries.load(subject.source)
        load_region_table(subject.source)  # the same checks as any other table
        return series
    data = load_region_table(subject.source)
    regions = pd.DataFrame({"name": data.columns, "network": "", "x": np.nan, "y": np.nan, "z": np.nan})
    return RegionTimeseries(data=data, regions=regions, metadata={"source_files": [str(subject.source)]})


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


def _failure(subject: str, step: str, folder: Path, started: float, key: str = "") -> SubjectOutcome:
    error = traceback.format_exc(limit=0).strip().splitlines()[-1]
    logger.error("%s %s failed: %s", subject, step, error)
    return SubjectOutcome(subject, step, "failed", key=key, folder=str(folder), error=error,
                          seconds=time.perf_counter() - started)


def prepare_subject(subject: Subject, config: GroupConfig, out_dir: str | Path) -> SubjectOutcome:
    """Time series and candidate sets of one subject, cached.

    Parameters
    ----------
    subject : Subject
    config : GroupConfig
    out_dir : str or pathlib.Path
        Study output folder; results go to ``<out_dir>/subjects/<label>/``.

    Returns
    -------
    SubjectOutcome
        ``files``: ``timeseries`` (TSV + JSON sidecar) and ``candidates``.
    """
    from fmri_oinfo.candidates import choose_candidates

    started = time.perf_counter()
    folder = Path(out_dir) / "subjects" / subject.label
    manifest_path = folder / f"{subject.label}_prepared.json"
    key = ""
    try:
        key = content_key(input_files(subject, config), config.subject_settings())
        manifest = read_manifest(manifest_path, key)
        if manifest is not None:
            return SubjectOutcome(subject.label, "prepare", "cached", key, str(folder), manifest["files"],
                                  seconds=time.perf_counter() - started, qc=manifest["qc"])
        series = load_subject_series(subject, config)
        candidates = choose_candidates(series.data, config.candidates, regions=series.regions)
        series_path = series.save(folder / f"{subject.label}_timeseries.tsv")
        candidates = candidates.assign(group=[encode_group(g) for g in candidates["group"]])
        candidates_path = write_table(candidates, folder / f"{subject.label}_candidates.tsv")
        files = {"timeseries": series_path.name, "candidates": candidates_path.name}
        qc = _qc(series)
        write_manifest(manifest_path, {"key": key, "subject": subject.label, "files": files, "qc": qc})
        return SubjectOutcome(subject.label, "prepare", "computed", key, str(folder), files,
                              seconds=time.perf_counter() - started, qc=qc)
    except Exception:  # one subject's failure is reported, never raised
        return _failure(subject.label, "prepare", folder, started, key)


def estimate_subject(
    prepared: SubjectOutcome, groups: Sequence[tuple[str, ...]], config: GroupConfig
) -> SubjectOutcome:
    """O-information of the common candidate sets on one subject, cached.

    Sets with a region the subject lacks (dropped during extraction) get NaN.

    Parameters
    ----------
    prepared : SubjectOutcome
        A successful :func:`prepare_subject` outcome.
    groups : sequence of tuple of str
        The common candidate list.
    config : GroupConfig

    Returns
    -------
    SubjectOutcome
        ``files``: ``oinfo``, a TSV with ``group`` (JSON list), ``order`` and
        the columns of :data:`SUBJECT_QUANTITIES` (nats), one row per set in
        the order of ``groups``.
    """
    from fmri_oinfo import estimate_oinfo
    from fmri_oinfo.extract import RegionTimeseries

    started = time.perf_counter()
    folder = Path(prepared.folder)
    manifest_path = folder / f"{prepared.subject}_oinfo.json"
    key = content_key([], {"prepared": prepared.key, "groups": [list(g) for g in groups],
                           **config.estimation_settings()})
    try:
        manifest = read_manifest(manifest_path, key)
        if manifest is not None:
            return SubjectOutcome(prepared.subject, "estimate", "cached", key, str(folder), manifest["files"],
                                  seconds=time.perf_counter() - started, qc=prepared.qc)
        data = RegionTimeseries.load(prepared.path("timeseries")).data
        present = set(data.columns)
        usable = [i for i, g in enumerate(groups) if present.issuperset(g)]
        table = pd.DataFrame({"group": [encode_group(g) for g in groups], "order": [len(g) for g in groups]})
        for name in SUBJECT_QUANTITIES:
            table[name] = np.nan
        if usable:
            estimates = estimate_oinfo(data, [groups[i] for i in usable], estimator=config.estimator,
                                       seed=config.seed, **dict(config.estimator_options))
            for name in SUBJECT_QUANTITIES:
                table.loc[usable, name] = estimates[name].to_numpy(float)
        path = write_table(table, folder / f"{prepared.subject}_oinfo.tsv")
        files = {"oinfo": path.name}
        write_manifest(manifest_path, {"key": key, "subject": prepared.subject, "files": files})
        return SubjectOutcome(prepared.subject, "estimate", "computed", key, str(folder), files,
                              seconds=time.perf_counter() - started, qc=prepared.qc)
    except Exception:  # one subject's failure is reported, never raised
        return _failure(prepared.subject, "estimate", folder, started, key)


def read_candidates(outcome: SubjectOutcome) -> pd.DataFrame:
    """The candidate table a :func:`prepare_subject` step wrote."""
    table = pd.read_csv(outcome.path("candidates"), sep="\t", dtype={"group": str, "chosen_by": str})
    table["group"] = [decode_group(g) for g in table["group"]]
    return table


def read_estimates(outcome: SubjectOutcome) -> pd.DataFrame:
    """The O-information table an :func:`estimate_subject` step wrote."""
    table = pd.read_csv(outcome.path("oinfo"), sep="\t", dtype={"group": str})
    table["group"] = [decode_group(g) for g in table["group"]]
    return table
