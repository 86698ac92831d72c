"""Find the subjects of a study and their cohorts (``participants.tsv``).

Two layouts of ``STUDY_DIR`` are recognised:

images
    A BIDS or fMRIPrep derivatives root: one ``sub-<label>/`` folder per
    subject holding functional images (found later, per subject, by
    :func:`fmri_oinfo.inputs.find_runs`).
tables
    Region time-series tables, one per subject: ``sub-<label>[_...].tsv``
    (``.csv``, ``.npy``) directly in ``STUDY_DIR``, or one such table inside
    each ``sub-<label>/`` folder.  A JSON sidecar written by
    :meth:`fmri_oinfo.extract.RegionTimeseries.save` next to a TSV table is
    read too (region coordinates, atlas, QC).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from fmri_oinfo.inputs.entities import is_nifti, parse_entities
from fmri_oinfo.inputs.tables import is_region_table, tables_in

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Subject:
    """One subject of a study.

    Attributes
    ----------
    label : str
        ``sub-<label>``, e.g. ``"sub-01"``.
    source : pathlib.Path
        The subject folder (images) or its region table.
    kind : {"images", "table"}
    cohort : str or None
        Value of the cohort column of ``participants.tsv``, if one was chosen.
    """

    label: str
    source: Path
    kind: str
    cohort: str | None = None

    @property
    def inputs(self) -> tuple[Path, ...]:
        """What no output may change: the subject's folder or table, and the ``sub-<label>/`` folder of its table."""
        own_folder = self.kind == "table" and self.source.parent.name == self.label
        return (self.source, self.source.parent) if own_folder else (self.source,)


@dataclass(frozen=True)
class Study:
    """The subjects of a study, in label order, with their participants table (and its file).

    ``missing``: participants listed in ``participants.tsv`` without data in
    the study folder (left out, with a warning).
    """

    root: Path
    subjects: tuple[Subject, ...]
    participants: pd.DataFrame | None
    cohort_column: str | None
    participants_file: Path | None = None
    missing: tuple[str, ...] = ()

    @property
    def cohorts(self) -> tuple[str, ...]:
        """Distinct cohort values, sorted (empty without a cohort column)."""
        return tuple(sorted({s.cohort for s in self.subjects if s.cohort is not None}))


def _subject_folder_kind(folder: Path) -> tuple[str, Path] | None:
    if any(is_nifti(p) for p in folder.rglob("*.nii*")):
        return "images", folder
    tables = tables_in(folder)
    if len(tables) == 1:
        return "table", tables[0]
    if len(tables) > 1:
        raise ValueError(
            f"{folder} holds {len(tables)} region tables ({', '.join(p.name for p in tables[:4])}); "
            "keep one table per subject."
        )
    return None


def _discover(root: Path) -> list[Subject]:
    subjects: dict[str, Subject] = {}
    for folder in sorted(p for p in root.glob("sub-*") if p.is_dir()):
        found = _subject_folder_kind(folder)
        if found is None:
            logger.warning("%s has neither images nor a region table; skipped", folder)
            continue
        subjects[folder.name] = Subject(folder.name, found[1], found[0])
    for table in sorted(p for p in root.glob("sub-*") if is_region_table(p)):
        label = f"sub-{parse_entities(table)[0].get('sub', '')}"
        if label == "sub-":
            raise ValueError(f"{table}: cannot read the subject label; name tables sub-<label>[_...].tsv.")
        if label in subjects:
            raise ValueError(
                f"{table} and {subjects[label].source} both belong to {label}; keep one table per subject."
            )
        subjects[label] = Subject(label, table, "table")
    return [subjects[k] for k in sorted(subjects)]


def study_inputs(study: Study) -> list[Path]:
    """The study's input files and folders: each subject's (:attr:`Subject.inputs`), and ``participants.tsv``."""
    participants = [study.participants_file] if study.participants_file else []
    return [path for subject in study.subjects for path in subject.inputs] + participants


def read_participants(path: str | Path) -> pd.DataFrame:
    """Read a BIDS ``participants.tsv`` (``participant_id`` column, values as str).

    Raises
    ------
    FileNotFoundError
        When the file does not exist.
    ValueError
        When it has no ``participant_id`` column or repeats a participant.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"--participants {path} does not exist; give a BIDS participants.tsv.")
    table = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
    if "participant_id" not in table.columns:
        raise ValueError(
            f"{path} has columns {list(table.columns)}; a participants table needs a 'participant_id' column."
        )
    table["participant_id"] = [p if p.startswith("sub-") else f"sub-{p}" for p in table["participant_id"]]
    repeated = sorted(table["participant_id"][table["participant_id"].duplicated()].unique())
    if repeated:
        raise ValueError(f"{path} lists {repeated[:5]} more than once; keep one row per participant.")
    return table


def _listed_without_data(table: pd.DataFrame, found: Sequence[Subject], participants: str | Path,
                         root: Path) -> list[str]:
    """The participants of ``table`` without data in ``root``, with a warning naming them.

    Raises
    ------
    ValueError
        When no listed participant has data (the study would be empty).
    """
    listed = table["participant_id"].tolist()
    labels = {s.label for s in found}
    missing = [p for p in listed if p not in labels]
    if listed and len(missing) == len(listed):
        raise ValueError(
            f"none of the {len(listed)} participants of {participants} ({', '.join(listed[:5])}) has data in {root} "
            f"(found {', '.join(sorted(labels)[:5])}); fix participant_id or give the right --participants."
        )
    if missing:
        logger.warning("%d participant(s) of %s have no data in %s and are left out: %s", len(missing),
                       participants, root, ", ".join(missing))
    return missing


def discover_study(
    root: str | Path,
    participants: str | Path | None = None,
    cohort_column: str | None = None,
    subjects: Sequence[str] | None = None,
) -> Study:
    """Find the subjects of a study.

    Parameters
    ----------
    root : str or pathlib.Path
        BIDS / fMRIPrep derivatives root, or a folder of region tables.
    participants : str, pathlib.Path or None
        ``participants.tsv``; ``<root>/participants.tsv`` is used when present.
    cohort_column : str or None
        Column of ``participants`` that assigns each subject its cohort.
    subjects : sequence of str or None
        Keep only these subjects (``"sub-01"`` or ``"01"``).

    Returns
    -------
    Study

    Raises
    ------
    FileNotFoundError
        When ``root`` does not exist or holds no subject.
    ValueError
        For unknown requested subjects, a missing cohort column, subjects
        without a cohort value, or a participants table none of whose
        participants has data.  Listed participants without data are left
        out with a warning (``Study.missing``).
    """
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"STUDY_DIR {root} is not a folder; give a BIDS/fMRIPrep root or a folder of tables.")
    found = _discover(root)
    if not found:
        raise FileNotFoundError(
            f"{root}: no subject found; expected sub-<label>/ folders with functional images or one region table, "
            "or sub-<label>.tsv/.csv/.npy region tables."
        )
    if subjects:
        wanted = [s if s.startswith("sub-") else f"sub-{s}" for s in subjects]
        labels = {s.label for s in found}
        missing = [s for s in wanted if s not in labels]
        if missing:
            raise ValueError(f"--subjects {missing} not found in {root}; found {sorted(labels)[:10]}.")
        found = [s for s in found if s.label in wanted]
    if participants is None and (root / "participants.tsv").is_file():
        participants = root / "participants.tsv"
    table = read_participants(participants) if participants is not None else None
    missing = _listed_without_data(table, found, participants, root) if table is not None and not subjects else []
    if cohort_column is not None:
        if table is None:
            raise ValueError(f"--cohort-col {cohort_column} needs a participants.tsv; none in {root}, give --participants.")
        if cohort_column not in table.columns:
            raise ValueError(
                f"--cohort-col {cohort_column!r} is not a column of participants.tsv; found {list(table.columns)}."
            )
        value = dict(zip(table["participant_id"], table[cohort_column]))
        unassigned = [s.label for s in found if not value.get(s.label, "").strip() or value[s.label] == "n/a"]
        if unassigned:
            raise ValueError(
                f"subjects {unassigned[:10]} have no {cohort_column!r} value in participants.tsv; "
                "add them or leave them out with --subjects."
            )
        found = [Subject(s.label, s.source, s.kind, value[s.label]) for s in found]
    logger.info("study %s: %d subjects", root, len(found))
    return Study(root=root, subjects=tuple(found), participants=table, cohort_column=cohort_column,
                 participants_file=None if participants is None else Path(participants), missing=tuple(missing))
