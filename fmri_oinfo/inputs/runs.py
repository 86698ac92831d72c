"""Discover the functional runs of one subject.

Three layouts are recognised, tried in this order:

``fmriprep``
    fMRIPrep derivatives: ``*_space-<tpl>_desc-preproc_bold.nii.gz`` with
    ``*_desc-confounds_timeseries.tsv`` (+ ``.json``) and
    ``*_space-<tpl>_desc-brain_mask.nii.gz`` in the same folder.
``bids``
    Raw BIDS: ``sub-XX/[ses-YY/]func/*_bold.nii.gz`` with JSON sidecars
    (sidecars higher in the tree are inherited).
``plain``
    A folder with one or more 4-D NIfTI files (or one NIfTI file); a single file
    whose name contains ``mask`` is used as the brain mask of every run.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from fmri_oinfo.inputs.entities import entity_prefix, is_nifti, parse_entities, same_value, strip_extension
from fmri_oinfo.inputs.repetition_time import resolve_t_r

logger = logging.getLogger(__name__)

#: Entities that name an output space or resolution, not the acquisition.
_SPACE_ENTITIES = ("space", "res", "den", "cohort", "desc")

#: Order in which layouts are recognised.
LAYOUTS = ("fmriprep", "bids", "plain")


@dataclass(frozen=True)
class Run:
    """One functional run, located but not yet loaded.

    Attributes
    ----------
    bold : pathlib.Path
        The 4-D BOLD image.
    confounds : pathlib.Path or None
        fMRIPrep confounds table (``*_desc-confounds_timeseries.tsv``), if any.
    mask : pathlib.Path or None
        Brain mask of the run, if any.
    t_r : float
        Repetition time in seconds (see :func:`resolve_t_r`).
    entities : Mapping of str to str
        BIDS entities of the BOLD file name (``sub``, ``ses``, ``task``, ``run``,
        ``space``...); empty for plain files without entities.
    layout : {"plain", "bids", "fmriprep"}
        Where the run was found.
    """

    bold: Path
    confounds: Path | None
    mask: Path | None
    t_r: float
    entities: Mapping[str, str] = field(default_factory=dict, hash=False)
    layout: str = "plain"

    @property
    def space(self) -> str | None:
        """The ``space-`` entity, or None."""
        return self.entities.get("space")

    @property
    def name(self) -> str:
        """A short label of the run, e.g. ``ses-1_task-rest_run-2`` or the file stem."""
        label = entity_prefix(dict(self.entities), drop=("sub",) + _SPACE_ENTITIES)
        return label or strip_extension(self.bold)


def _bold_sidecar(bold: Path, stop_at: Path) -> Path | None:
    """The JSON sidecar of ``bold``: same stem, else inherited from a parent folder."""
    own = bold.with_name(strip_extension(bold) + ".json")
    if own.is_file():
        return own
    entities, _ = parse_entities(bold)
    folder = bold.parent
    while True:
        for candidate in sorted(folder.glob("*_bold.json")):
            found, _ = parse_entities(candidate)
            if all(entities.get(k) == v for k, v in found.items()):
                return candidate
        if folder == stop_at or folder.parent == folder:
            return None
        folder = folder.parent


def _dataset_root(subject_dir: Path) -> Path:
    """The BIDS dataset root above ``subject_dir`` (its parent when unmarked)."""
    for folder in (subject_dir, *subject_dir.parents):
        if (folder / "dataset_description.json").is_file():
            return folder
    return subject_dir.parent


def _fmriprep_companions(bold: Path) -> tuple[Path | None, Path | None]:
    entities, _ = parse_entities(bold)
    base = entity_prefix(entities, drop=_SPACE_ENTITIES)
    confounds = None
    for name in (f"{base}_desc-confounds_timeseries.tsv", f"{base}_desc-confounds_regressors.tsv"):
        if (bold.parent / name).is_file():
            confounds = bold.parent / name
            break
    mask_base = entity_prefix(entities, drop=("desc",))
    mask = None
    for ext in (".nii.gz", ".nii"):
        candidate = bold.parent / f"{mask_base}_desc-brain_mask{ext}"
        if candidate.is_file():
            mask = candidate
            break
    return confounds, mask


def _check_single_subject(subject_dir: Path) -> None:
    subjects = sorted(p.name for p in subject_dir.glob("sub-*") if p.is_dir())
    if len(subjects) > 1:
        raise ValueError(
            f"{subject_dir} holds several subjects ({', '.join(subjects[:5])}"
            f"{', ...' if len(subjects) > 5 else ''}); pass one subject folder, e.g. {subject_dir / subjects[0]}."
        )


def _discover(subject_dir: Path) -> tuple[str, list[Path]]:
    if subject_dir.is_file():
        if not is_nifti(subject_dir):
            raise ValueError(f"{subject_dir} is not a NIfTI file (.nii or .nii.gz); give a 4-D image or a folder.")
        return "plain", [subject_dir]
    _check_single_subject(subject_dir)
    preproc = sorted(p for p in subject_dir.rglob("*desc-preproc_bold.nii*") if is_nifti(p))
    if preproc:
        return "fmriprep", preproc
    bids = sorted(p for p in subject_dir.rglob("*_bold.nii*") if is_nifti(p) and p.parent.name == "func")
    if bids:
        return "bids", bids
    plain = sorted(p for p in subject_dir.iterdir() if p.is_file() and is_nifti(p))
    return "plain", plain


def _plain_mask(files: list[Path]) -> tuple[list[Path], Path | None]:
    masks = [p for p in files if "mask" in p.name.lower()]
    if len(masks) > 1:
        raise ValueError(
            f"{masks[0].parent} has several mask files ({', '.join(p.name for p in masks)}); keep one, "
            "or use a BIDS/fMRIPrep layout where each run names its mask."
        )
    return [p for p in files if p not in masks], (masks[0] if masks else None)


def _prefer_standard_space(paths: list[Path]) -> list[Path]:
    """Keep one output space/resolution: the only one, else the MNI152 one."""

    def key(p: Path) -> tuple[str, str]:
        e, _ = parse_entities(p)
        return e.get("space", ""), e.get("res", "")

    combos = sorted({key(p) for p in paths})
    if len(combos) <= 1:
        return paths
    mni = [c for c in combos if c[0].startswith("MNI152")]
    if len(mni) == 1:
        logger.info("several output spaces %s; using %s (pass space= to choose)", combos, mni[0])
        return [p for p in paths if key(p) == mni[0]]
    listed = ", ".join(f"space-{s}" + (f"_res-{r}" if r else "") for s, r in combos)
    raise ValueError(
        f"{paths[0].parent}: the runs come in several output spaces ({listed}); "
        "choose one with space= (and keep one res- per space)."
    )


def find_runs(
    subject_dir: str | Path,
    task: str | None = None,
    session: str | None = None,
    run: str | int | None = None,
    space: str | None = None,
    t_r: float | None = None,
) -> list[Run]:
    """Find the functional runs of one subject.

    Parameters
    ----------
    subject_dir : str or pathlib.Path
        A subject folder (plain, raw BIDS ``sub-XX`` or fMRIPrep ``sub-XX``), or
        one 4-D NIfTI file.
    task, session, run, space : str or None
        Keep only runs whose ``task-``, ``ses-``, ``run-`` or ``space-`` entity
        equals this value (``run=1`` matches ``run-01``).  Without ``space``, an
        fMRIPrep subject with several output spaces uses its MNI152 one.
    t_r : float or None
        Repetition time (seconds) used when neither the sidecar nor the header
        gives one; see :func:`fmri_oinfo.inputs.resolve_t_r`.

    Returns
    -------
    list of Run
        Sorted by session, task and run.

    Raises
    ------
    FileNotFoundError
        When ``subject_dir`` does not exist or no run matches (the message lists
        what was found).
    ValueError
        When the folder holds several subjects or ambiguous spaces, or no TR is found.
    """
    subject_dir = Path(subject_dir)
    if not subject_dir.exists():
        raise FileNotFoundError(f"subject_dir {subject_dir} does not exist; give a subject folder or a 4-D NIfTI file.")
    layout, files = _discover(subject_dir)
    mask = None
    if layout == "plain":
        files, mask = _plain_mask(files)
    if not files:
        raise FileNotFoundError(
            f"{subject_dir}: no functional image found; expected *.nii(.gz) files, "
            "a BIDS func/ folder with *_bold.nii.gz, or fMRIPrep *_desc-preproc_bold.nii.gz."
        )
    wanted = {"task": task, "ses": session, "run": run, "space": space}
    kept = [p for p in files if all(same_value(parse_entities(p)[0].get(k), v) for k, v in wanted.items())]
    if not kept:
        found = {k: sorted({parse_entities(p)[0].get(k, "-") for p in files}) for k in wanted}
        given = ", ".join(f"{k}={v!r}" for k, v in wanted.items() if v is not None)
        raise FileNotFoundError(
            f"{subject_dir}: no run matches {given}; found task {found['task']}, session {found['ses']}, "
            f"run {found['run']}, space {found['space']}."
        )
    if layout == "fmriprep" and space is None:
        kept = _prefer_standard_space(kept)
    stop_at = _dataset_root(subject_dir if subject_dir.is_dir() else subject_dir.parent)
    runs = []
    for bold in kept:
        entities, _ = parse_entities(bold)
        confounds, run_mask = _fmriprep_companions(bold) if layout == "fmriprep" else (None, mask)
        sidecar = _bold_sidecar(bold, stop_at) if layout != "plain" else bold.with_name(strip_extension(bold) + ".json")
        runs.append(
            Run(
                bold=bold,
                confounds=confounds,
                mask=run_mask,
                t_r=resolve_t_r(bold, sidecar, t_r),
                entities=entities,
                layout=layout,
            )
        )
    runs.sort(key=lambda r: (r.entities.get("ses", ""), r.entities.get("task", ""), _run_number(r), str(r.bold)))
    logger.info("found %d %s run(s) in %s", len(runs), layout, subject_dir)
    return runs


def _run_number(run: Run) -> int:
    value = run.entities.get("run", "")
    return int(value) if value.isdigit() else 0
