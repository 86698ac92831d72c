"""What the user gave: a subject's images or a region time-series table.

Everything is validated here, before the output folder is created, so that a
bad input writes nothing.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

from fmri_oinfo.inputs import Run, check_runs, find_runs, load_region_table
from fmri_oinfo.inputs.entities import is_nifti, parse_entities, strip_extension
from fmri_oinfo.inputs.tables import TABLE_ENDINGS, tables_in
from fmri_oinfo.pipeline.cache import file_digest
from fmri_oinfo.pipeline.config import PipelineConfig

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SubjectInputs:
    """The validated inputs of one subject.

    Attributes
    ----------
    source : pathlib.Path
        What the user gave (folder, NIfTI file or table).
    subject : str
        ``sub-<label>``.
    entities : dict of str to str
        ``ses`` and ``task`` shared by every run (used in output names).
    runs : tuple of Run
        Runs to extract; empty for a table.
    table : pathlib.Path or None
        The region time-series table, when one was given.
    digests : dict of str to str
        SHA-256 of every input file's content, by path.
    n_regions : int or None
        Columns of the table, when one was given.
    """

    source: Path
    subject: str
    entities: dict[str, str]
    runs: tuple[Run, ...]
    table: Path | None
    digests: dict[str, str]
    n_regions: int | None = None

    @property
    def is_table(self) -> bool:
        """Whether extraction is skipped (a region table was given)."""
        return self.table is not None


def bids_label(text: str) -> str:
    """``text`` reduced to the letters and digits a BIDS entity value may hold."""
    label = re.sub(r"[^A-Za-z0-9]", "", text)
    return label or "unnamed"


def _subject_label(source: Path, runs: tuple[Run, ...]) -> str:
    found = {r.entities.get("sub") for r in runs} - {None}
    if len(found) == 1:
        return f"sub-{found.pop()}"
    entities, _ = parse_entities(source)
    if "sub" in entities:
        return f"sub-{bids_label(entities['sub'])}"
    for part in (source.name, *(p.name for p in source.parents)):
        if part.startswith("sub-"):
            return f"sub-{bids_label(part[4:])}"
    return f"sub-{bids_label(strip_extension(source))}"


def _shared_entities(runs: tuple[Run, ...], source: Path) -> dict[str, str]:
    if not runs:
        entities, _ = parse_entities(source)
        return {k: bids_label(entities[k]) for k in ("ses", "task") if k in entities}
    shared = {}
    for key in ("ses", "task"):
        values = {r.entities.get(key) for r in runs}
        if len(values) == 1 and None not in values:
            shared[key] = bids_label(values.pop())
    return shared


def _run_files(run: Run) -> list[Path]:
    files = [run.bold, run.confounds, run.mask]
    sidecars = [p.with_name(strip_extension(p) + ".json") for p in (run.bold, run.confounds) if p is not None]
    return [p for p in files + sidecars if p is not None and p.is_file()]


def is_table_path(path: Path) -> bool:
    """Whether ``path`` names a region time-series table."""
    return path.name.lower().endswith(TABLE_ENDINGS)


def folder_table(folder: Path) -> Path | None:
    """The one region table of a subject folder without images (as the group command finds it), else None.

    Raises
    ------
    ValueError
        When the folder has no image and several tables.
    """
    if not folder.is_dir() or any(is_nifti(p) for p in folder.rglob("*.nii*")):
        return None
    tables = tables_in(folder)
    if len(tables) > 1:
        raise ValueError(
            f"{folder} holds no image and {len(tables)} region tables ({', '.join(p.name for p in tables[:4])}); "
            "give one of them as SUBJECT_DIR, or keep one table per subject folder."
        )
    return tables[0] if tables else None


def subject_source(subject: Path) -> Path:
    """What ``subject`` stands for: a folder with images, a table, or the one table inside a folder."""
    return folder_table(subject) or subject


def gather_inputs(subject: str | Path, config: PipelineConfig, atlas_space: str | None = None,
                  atlas_coords=None) -> SubjectInputs:
    """Find and validate the inputs of one subject.

    Parameters
    ----------
    subject : str or pathlib.Path
        A subject folder (fMRIPrep, BIDS or plain), a 4-D NIfTI file, or a
        region time-series table (``.tsv``, ``.csv``, ``.npy``).
    config : PipelineConfig
    atlas_space : str or None
        Space of the atlas, to check the runs against.
    atlas_coords : array of shape (N, 3) or None
        Region centres of the atlas, to check the field of view.

    Returns
    -------
    SubjectInputs

    Raises
    ------
    FileNotFoundError, ValueError
        Naming the file, what was found and the fix.
    """
    source = Path(subject)
    if not source.exists():
        raise FileNotFoundError(
            f"{source} does not exist; give a subject folder (e.g. derivatives/fmriprep/sub-01), "
            "a 4-D NIfTI file or a region time-series table (.tsv, .csv, .npy)."
        )
    table = subject_source(source)
    if table.is_file() and is_table_path(table):
        n_regions = load_region_table(table, min_volumes=config.inputs.min_volumes).shape[1]  # checked before any write
        files = [table]
        labels = table.with_name(strip_extension(table) + "_labels.txt")
        if table.name.endswith(".npy") and labels.is_file():
            files.append(labels)
        digests = {str(p): file_digest(p) for p in files}
        label = _subject_label(source if source.is_dir() else table, ())
        return SubjectInputs(source, label, _shared_entities((), table), (), table, digests, n_regions)
    inputs = config.inputs
    runs = tuple(find_runs(
        source, task=inputs.task or None, session=inputs.session or None, run=inputs.run or None,
        space=inputs.space or None, t_r=inputs.t_r or None,
    ))
    atlas = Path(config.extraction.atlas)
    if atlas.is_file() and any(atlas.resolve() == run.bold.resolve() for run in runs):
        raise ValueError(f"extraction.atlas (--atlas) is {atlas}, the subject's BOLD image; give an atlas: a "
                         "registry name (seitzman2018) or a labels/maps NIfTI in the image's space.")
    check_runs(runs, inputs.min_volumes, atlas_space, atlas_coords)
    digests = {str(p): file_digest(p) for run in runs for p in _run_files(run)}
    return SubjectInputs(source, _subject_label(source, runs), _shared_entities(runs, source), runs, None, digests)
