"""Atomic file writes: a temporary sibling, then ``os.replace``.

Every module that writes user-facing files (extraction, maps, graphs, reports,
the pipeline and group commands) writes through here, so that an interrupted
run never leaves a half-written file behind.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from pathlib import Path


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
    suffix = "".join(path.suffixes)
    temporary = path.parent / f".{path.name}.{uuid.uuid4().hex}.tmp{suffix}"
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
