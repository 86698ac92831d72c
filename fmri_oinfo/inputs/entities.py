"""BIDS file-name entities: ``sub-01_ses-02_task-rest_run-1_bold.nii.gz``."""

from __future__ import annotations

import re
from pathlib import Path

#: Extensions of NIfTI images, longest first.
NIFTI_EXTENSIONS = (".nii.gz", ".nii")

_ENTITY = re.compile(r"^([a-zA-Z0-9]+)-([a-zA-Z0-9.+]+)$")


def strip_extension(path: str | Path) -> str:
    """Return the file name of ``path`` without its (possibly double) extension."""
    name = Path(path).name
    for ext in NIFTI_EXTENSIONS + (".tsv.gz", ".tsv", ".json", ".csv", ".npy"):
        if name.endswith(ext):
            return name[: -len(ext)]
    return Path(name).stem


def is_nifti(path: str | Path) -> bool:
    """Whether ``path`` names a NIfTI image (``.nii`` or ``.nii.gz``)."""
    return str(path).endswith(NIFTI_EXTENSIONS)


def parse_entities(path: str | Path) -> tuple[dict[str, str], str]:
    """Split a BIDS file name into its entities and suffix.

    Parameters
    ----------
    path : str or pathlib.Path
        A file name such as ``sub-01_task-rest_run-1_bold.nii.gz``.

    Returns
    -------
    entities : dict of str to str
        ``{"sub": "01", "task": "rest", "run": "1"}``, in file-name order.
    suffix : str
        The last underscore-separated part without ``-`` (``"bold"``), or ``""``.
    """
    parts = strip_extension(path).split("_")
    entities: dict[str, str] = {}
    suffix = ""
    for part in parts:
        match = _ENTITY.match(part)
        if match:
            entities[match.group(1)] = match.group(2)
        else:
            suffix = part
    return entities, suffix


def same_value(found: str | None, wanted: str | int | None) -> bool:
    """Compare an entity value with a filter; ``run-01`` matches ``run=1``."""
    if wanted is None:
        return True
    if found is None:
        return False
    wanted = str(wanted)
    if found.isdigit() and wanted.isdigit():
        return int(found) == int(wanted)
    return found == wanted


def entity_prefix(entities: dict[str, str], drop: tuple[str, ...] = ()) -> str:
    """Join entities back into a file-name prefix, leaving out those in ``drop``."""
    return "_".join(f"{k}-{v}" for k, v in entities.items() if k not in drop)
