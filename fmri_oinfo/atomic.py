"""Atomic file writes: a temporary sibling, then ``os.replace``.

Every module that writes user-facing files (extraction, maps, graphs, reports,
the pipeline and group commands) writes through here, so that an interrupted
run never leaves a half-written file behind.  Temporary names are short
(``.tmp-<12 hex><suffixes>``) so that a final name that just fits the file
system's limit still has a temporary, and :func:`remove_orphans` deletes the
temporaries a killed process left behind.
"""

from __future__ import annotations

import os
import shutil
import time
import uuid
from collections.abc import Callable
from pathlib import Path

#: Start of every temporary name (files here, stage folders in the pipeline's cache).
TEMPORARY_PREFIX = ".tmp-"

#: Age (seconds) after which a temporary is an orphan of a killed run: a
#: temporary lives as long as one file's write (a stage folder, one stage's
#: save), seconds, not minutes.
ORPHAN_AGE_S = 600.0


def _suffixes(path: Path) -> str:
    """The last two suffixes (``.nii.gz``), kept so that writers that infer the format from the name work."""
    suffixes = [s for s in path.suffixes if len(s) <= 8]
    return "".join(suffixes[-2:])


def write_atomically(path: str | os.PathLike, write: Callable[[Path], None]) -> Path:
    """Write a file through a temporary sibling and move it into place.

    Parameters
    ----------
    path : str or path-like
        Final path.  Its folder is created if needed.
    write : callable
        ``write(temporary_path)`` writes the whole file.  The temporary path
        keeps the final suffixes (``.nii.gz``, ``.png``) so that writers that
        infer the format from the name work.

    Returns
    -------
    pathlib.Path
        ``path``, which now holds the complete file; on failure nothing is
        left behind.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.parent / f"{TEMPORARY_PREFIX}{uuid.uuid4().hex[:12]}{_suffixes(path)}"
    try:
        write(temporary)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path


def write_text_atomically(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    return write_atomically(path, lambda temporary: temporary.write_text(text, encoding="utf-8"))


def remove_orphans(folder: str | os.PathLike, age_s: float = ORPHAN_AGE_S) -> list[Path]:
    """Remove temporaries (files or folders named ``.tmp-*``) older than ``age_s`` seconds in ``folder``.

    Returns
    -------
    list of pathlib.Path
        What was removed.
    """
    folder = Path(folder)
    now = time.time()
    removed = []
    for entry in folder.glob(f"{TEMPORARY_PREFIX}*"):
        try:
            if now - entry.lstat().st_mtime <= age_s:
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
        except FileNotFoundError:  # finished or removed meanwhile
            continue
        removed.append(entry)
    return removed
