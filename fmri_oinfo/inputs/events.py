"""Task events: read and validate a BIDS ``*_events.tsv``, and find the one beside a run.

An events table has one row per event with ``onset`` and ``duration`` (seconds
from the first volume) and ``trial_type`` (the condition); an optional numeric
``modulation`` column scales an event's regressor (nilearn's convention).
BIDS writes missing values as ``n/a``.  :func:`events_beside` applies the
BIDS inheritance principle: the events file of
``sub-01_task-motor_run-1_bold.nii.gz`` is the most specific
``*_events.tsv`` in its folder or a folder above it (up to the dataset root)
whose entities all match the run's, e.g. ``sub-01_task-motor_run-1_events.tsv``
or, at the dataset root, ``task-motor_events.tsv``.  fMRIPrep derivatives
hold no events files: :func:`find_run_events` then looks in the raw BIDS
dataset they were made from (:func:`raw_datasets`: the links of the
derivatives' ``dataset_description.json``, or ``<bids>/derivatives/<pipeline>``).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import unquote, urlparse

import numpy as np
import pandas as pd

from fmri_oinfo.inputs.entities import parse_entities

#: Columns every events table must have.
EVENT_COLUMNS: tuple[str, ...] = ("onset", "duration", "trial_type")

#: Entities of a derivative's file name that name an output, not the acquisition.
_OUTPUT_ENTITIES: tuple[str, ...] = ("space", "res", "den", "cohort", "desc")


def read_events(path: str | Path, n_volumes: int | None = None, t_r: float | None = None) -> pd.DataFrame:
    """Read and validate a BIDS events table.

    Parameters
    ----------
    path : str or pathlib.Path
        A tab-separated ``*_events.tsv`` file.
    n_volumes : int, optional
        Number of volumes of the run; with ``t_r``, an event that starts at or
        after the end of the run (``n_volumes * t_r`` seconds) is an error.
    t_r : float, optional
        Repetition time of the run, seconds.

    Returns
    -------
    pandas.DataFrame
        Columns ``onset``, ``duration`` (float, seconds), ``trial_type`` (str)
        and, when the file has one, ``modulation`` (float), sorted by onset.
        The file is only read.

    Raises
    ------
    FileNotFoundError
        When ``path`` does not exist.
    ValueError
        Naming the file and the fix: a missing column, a missing (``n/a``),
        non-numeric or non-finite onset, duration or modulation, a missing
        trial type, a negative onset or duration, an onset past the run's end,
        or no events at all.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"events file {path} does not exist; give a BIDS *_events.tsv file.")
    table = pd.read_csv(path, sep="\t", na_values=["n/a"], keep_default_na=True, dtype={"trial_type": str})
    missing = [c for c in EVENT_COLUMNS if c not in table.columns]
    if missing:
        raise ValueError(
            f"{path} has no column {', '.join(repr(c) for c in missing)} (it has {list(table.columns)}); "
            "an events file needs tab-separated columns onset, duration (seconds) and trial_type (the condition)."
        )
    if table.empty:
        raise ValueError(f"{path} lists no events; add one row per event (onset, duration, trial_type).")
    numeric = ["onset", "duration"] + (["modulation"] if "modulation" in table.columns else [])
    out = pd.DataFrame({"trial_type": table["trial_type"]})
    for column in numeric:
        values = pd.to_numeric(table[column], errors="coerce")
        bad = ~np.isfinite(values.to_numpy(dtype=float))
        if bad.any():
            rows = _row_numbers(bad)
            raise ValueError(
                f"{path}: column {column!r} is missing (n/a), not a number or not finite in row(s) {rows}; "
                f"give every event a finite {column} in seconds" + (" (or 1 as modulation)." if column == "modulation"
                                                                    else ".")
            )
        out[column] = values.to_numpy(dtype=float)
    if out["trial_type"].isna().any():
        raise ValueError(
            f"{path}: trial_type is missing (n/a) in row(s) {_row_numbers(out['trial_type'].isna().to_numpy())}; "
            "name the condition of every event, or drop the rows that are not events."
        )
    for column in ("onset", "duration"):
        negative = (out[column] < 0).to_numpy()
        if negative.any():
            raise ValueError(
                f"{path}: negative {column} in row(s) {_row_numbers(negative)}; onsets and durations are seconds "
                "from the first volume and cannot be negative (shift the onsets if the run was trimmed)."
            )
    if n_volumes is not None and t_r is not None:
        end = n_volumes * t_r
        late = (out["onset"] >= end).to_numpy()
        if late.any():
            raise ValueError(
                f"{path}: onset(s) at or after the run's end ({n_volumes} volumes x {t_r:g} s = {end:g} s) in "
                f"row(s) {_row_numbers(late)}; check that the events file belongs to this run and that onsets are "
                "in seconds (not volumes)."
            )
    columns = ["onset", "duration", "trial_type"] + (["modulation"] if "modulation" in out.columns else [])
    return out[columns].sort_values("onset", kind="stable").reset_index(drop=True)


def _row_numbers(mask: np.ndarray, shown: int = 5) -> str:
    """The 1-based data-row numbers where ``mask`` is true, the first ``shown`` of them."""
    rows = (np.flatnonzero(mask) + 1).tolist()
    return ", ".join(map(str, rows[:shown])) + (", ..." if len(rows) > shown else "")


def events_beside(bold: str | Path, stop_at: str | Path | None = None) -> Path | None:
    """The BIDS events file of a run, or None.

    Parameters
    ----------
    bold : str or pathlib.Path
        The run's BOLD image (raw BIDS or a derivative such as fMRIPrep's
        ``*_space-MNI152NLin2009cAsym_desc-preproc_bold.nii.gz``: its output
        entities are ignored).
    stop_at : str or pathlib.Path, optional
        Highest folder searched (the dataset root); default: the folder
        holding ``dataset_description.json`` above ``bold``, else the
        subject folder's parent.

    Returns
    -------
    pathlib.Path or None
        The ``*_events.tsv`` in the run's folder or a folder above it whose
        entities all equal the run's, the one with the most entities first
        and the nearest folder first among equals.
    """
    bold = Path(bold)
    entities, _ = parse_entities(bold)
    wanted = {k: v for k, v in entities.items() if k not in _OUTPUT_ENTITIES}
    top = Path(stop_at) if stop_at is not None else _root_above(bold.parent)
    best: tuple[int, int, Path] | None = None
    folder, depth = bold.parent, 0
    while True:
        for candidate in sorted(folder.glob("*_events.tsv")):
            found, suffix = parse_entities(candidate)
            if suffix == "events" and all(wanted.get(k) == v for k, v in found.items()):
                key = (-len(found), depth, candidate)
                if best is None or key < best:
                    best = key
        if folder == top or folder.parent == folder:
            break
        folder, depth = folder.parent, depth + 1
    return None if best is None else best[2]


def _root_above(folder: Path) -> Path:
    """The dataset root above ``folder``: marked by ``dataset_description.json``, else above ``sub-*``."""
    for candidate in (folder, *folder.parents):
        if (candidate / "dataset_description.json").is_file():
            return candidate
    for candidate in (folder, *folder.parents):
        if candidate.name.startswith("sub-"):
            return candidate.parent
    return folder


def raw_datasets(root: str | Path) -> list[Path]:
    """The raw BIDS datasets a derivatives dataset (e.g. fMRIPrep's output) was made from, nearest first.

    Parameters
    ----------
    root : str or pathlib.Path
        The derivatives dataset's root (the folder holding its ``dataset_description.json``).

    Returns
    -------
    list of pathlib.Path
        Existing folders holding ``sub-*`` folders, other than ``root``: first those its
        ``dataset_description.json`` links (``DatasetLinks`` values, ``SourceDatasets[].URL``,
        ``SourceDatasetURL``; ``file://`` URIs, absolute paths, or paths relative to ``root``), then the
        conventional layouts ``<bids>/derivatives/<pipeline>`` and ``<bids>/derivatives`` (the dataset two
        or one folders up).  A description that cannot be read is skipped (the conventional layouts remain).
    """
    root = Path(root)
    links: list[str] = []
    description = root / "dataset_description.json"
    if description.is_file():
        try:
            meta = json.loads(description.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            meta = {}
        if isinstance(meta, dict):
            if isinstance(meta.get("DatasetLinks"), dict):
                links += [v for v in meta["DatasetLinks"].values() if isinstance(v, str)]
            links += [s.get("URL") for s in meta.get("SourceDatasets") or [] if isinstance(s, dict)
                      and isinstance(s.get("URL"), str)]
            if isinstance(meta.get("SourceDatasetURL"), str):
                links.append(meta["SourceDatasetURL"])
    candidates = [_local_path(link, root) for link in links]
    if root.parent.name == "derivatives":
        candidates.append(root.parent.parent)
    if root.name == "derivatives":
        candidates.append(root.parent)
    found: list[Path] = []
    for candidate in candidates:
        if candidate is None or not candidate.is_dir() or candidate.resolve() == root.resolve():
            continue
        if any(p.is_dir() for p in candidate.glob("sub-*")) and candidate.resolve() not in {f.resolve() for f in found}:
            found.append(candidate)
    return found


def _local_path(link: str, root: Path) -> Path | None:
    """A dataset link as a local folder: ``file://`` URIs and plain paths (relative to ``root``); else None."""
    parsed = urlparse(link)
    if parsed.scheme == "file":
        return Path(unquote(parsed.path))
    if parsed.scheme and len(parsed.scheme) > 1:  # http(s), doi, bids:: ... (a one-letter scheme is a drive)
        return None
    path = Path(link)
    return path if path.is_absolute() else Path(os.path.normpath(root / path))


def find_run_events(bold: str | Path) -> tuple[Path | None, list[Path]]:
    """The events file of a run: beside it (:func:`events_beside`), else in the raw BIDS dataset of a derivative.

    fMRIPrep does not copy events files into its derivatives; they stay in the raw dataset.  For a run of
    a derivatives dataset, the raw datasets of :func:`raw_datasets` are searched at the run's own place
    (``<raw>/sub-X/[ses-Y/]func/``, and the folders above it, by the inheritance principle) for an
    ``*_events.tsv`` whose entities (task, run, ses, acq ...) all equal the run's.

    Parameters
    ----------
    bold : str or pathlib.Path
        The run's BOLD image.

    Returns
    -------
    events : pathlib.Path or None
    searched : list of pathlib.Path
        The dataset roots searched, for a message when none was found.
    """
    bold = Path(bold)
    root = _root_above(bold.parent)
    found = events_beside(bold, stop_at=root)
    searched = [root]
    if found is not None:
        return found, searched
    try:
        relative = bold.parent.relative_to(root)
    except ValueError:
        return None, searched
    for raw in raw_datasets(root):
        searched.append(raw)
        found = events_beside(raw / relative / bold.name, stop_at=raw)
        if found is not None:
            return found, searched
    return None, searched
