"""Atomic file writes: a temporary sibling, then ``os.replace``; never over an input.

Every module that writes user-facing files (extraction, maps, graphs, reports,
the pipeline and group commands) writes through here, so that

- an interrupted run never leaves a half-written file behind.  Temporary
  names are short (``.tmp-<12 hex><suffixes>``) so that a final name that
  just fits the file system's limit still has a temporary.  A temporary is
  locked (``flock``) by the process writing it, so :func:`remove_orphans`
  tells a live temporary from one a killed process left behind, and removes
  the latter at once (on a file system without locks, once older than
  :data:`ORPHAN_AGE_S`);
- no input is ever changed: inside :func:`protect_inputs`, a write or removal
  at an input file, or inside an input folder (followed through symbolic
  links), raises :class:`InputOverwriteError` naming the file and the fix;
- a full disk is a :class:`DiskFullError` naming the folder and the fix, and
  inside :func:`all_or_nothing` the files written so far are removed, so a
  failed run leaves none of its outputs.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows has no flock: orphans are told by their age alone
    fcntl = None

#: Start of every temporary name (files here, stage folders in the pipeline's cache).
TEMPORARY_PREFIX = ".tmp-"

#: Age (seconds) after which an unlockable temporary (a file system without
#: ``flock``) is an orphan of a killed run: a temporary lives as long as one
#: file's write (a stage folder, one stage's save), seconds, not minutes.
ORPHAN_AGE_S = 600.0

#: Resolved input paths (files or folders) that no write may touch, set by :func:`protect_inputs`.
_INPUTS: ContextVar[tuple[Path, ...]] = ContextVar("fmri_oinfo_inputs", default=())

#: Files written inside the innermost :func:`all_or_nothing`, or None outside one.
_WRITTEN: ContextVar[list[Path] | None] = ContextVar("fmri_oinfo_written", default=None)

#: ``errno`` values of a full disk or an exhausted quota.
_DISK_FULL = (errno.ENOSPC, errno.EDQUOT)


class InputOverwriteError(ValueError):
    """A write or removal would change one of the run's input files."""


class DiskFullError(OSError):
    """A write failed for lack of space (or quota); the message names the folder and the fix."""


@contextlib.contextmanager
def protect_inputs(paths: Iterable[str | os.PathLike]) -> Iterator[None]:
    """Refuse, inside the block, every write or removal at these inputs or inside these input folders.

    Parameters
    ----------
    paths : iterable of str or path-like
        Input files and folders.  Symbolic links are resolved, here and in
        each checked path, so a link to an input is the input.
    """
    token = _INPUTS.set(_INPUTS.get() + tuple(Path(p).resolve() for p in paths))
    try:
        yield
    finally:
        _INPUTS.reset(token)


def check_not_input(path: str | os.PathLike) -> None:
    """Raise unless ``path`` is neither a protected input nor inside a protected input folder.

    Raises
    ------
    InputOverwriteError
        Naming ``path``, the input it would change and the fix.
    """
    target = Path(path).resolve()
    for protected in _INPUTS.get():
        if target == protected:
            where = f"it is the input {'folder' if protected.is_dir() else 'file'} {protected}"
        elif protected in target.parents:
            where = f"it lies inside the input folder {protected}"
        else:
            continue
        raise InputOverwriteError(
            f"refusing to write {path}: {where}, and fmri-oinfo never changes its inputs; "
            "give --out a folder outside the inputs (the default output folder is)."
        )


@contextlib.contextmanager
def explain_disk_full(folder: str | os.PathLike) -> Iterator[None]:
    """Turn a full-disk ``OSError`` raised inside into a :class:`DiskFullError` naming ``folder`` and the fix."""
    try:
        yield
    except DiskFullError:
        raise
    except OSError as err:
        if err.errno not in _DISK_FULL:
            raise
        raise DiskFullError(
            err.errno, f"no space left to write into {folder} ({os.strerror(err.errno)}); free space on that "
                       "disk or give --out a folder on another one, then run the same command again"
        ) from err


@contextlib.contextmanager
def all_or_nothing() -> Iterator[list[Path]]:
    """Remove every file written through this module inside the block if the block fails.

    Yields
    ------
    list of pathlib.Path
        The files written so far (filled as they are written).
    """
    written: list[Path] = []
    token = _WRITTEN.set(written)
    try:
        yield written
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    finally:
        _WRITTEN.reset(token)


@contextlib.contextmanager
def _live(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (file or folder) inside: the mark of a temporary being written.

    On a file system without locks nothing is held, and :func:`remove_orphans`
    falls back on the temporary's age.
    """
    if fcntl is None:
        yield
        return
    descriptor = os.open(path, os.O_RDONLY)
    try:
        with contextlib.suppress(OSError):
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        yield
    finally:
        os.close(descriptor)


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

    Raises
    ------
    InputOverwriteError
        When ``path`` is a protected input or inside one (:func:`protect_inputs`).
    DiskFullError
        When the disk (or quota) is full.
    """
    path = Path(path)
    check_not_input(path)
    with explain_disk_full(path.parent):
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.parent / f"{TEMPORARY_PREFIX}{uuid.uuid4().hex[:12]}{_suffixes(path)}"
        try:
            temporary.touch(exist_ok=False)
            with _live(temporary):
                write(temporary)
                os.replace(temporary, path)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
    written = _WRITTEN.get()
    if written is not None:
        written.append(path)
    return path


def write_text_atomically(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    return write_atomically(path, lambda temporary: temporary.write_text(text, encoding="utf-8"))


@contextlib.contextmanager
def temporary_folder(parent: str | os.PathLike, label: str) -> Iterator[Path]:
    """A new temporary folder ``<parent>/.tmp-<label>-<random>`` (``parent`` created if needed), marked live
    inside and removed if the block fails.

    The block may rename the folder into place (the mark goes with it).

    Raises
    ------
    InputOverwriteError
        When ``parent`` is a protected input or inside one (:func:`protect_inputs`).
    DiskFullError
        When the disk (or quota) is full.
    """
    parent = Path(parent)
    check_not_input(parent)
    with explain_disk_full(parent):
        parent.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(dir=parent, prefix=f"{TEMPORARY_PREFIX}{label}-"))
        try:
            with _live(folder):
                yield folder
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise


def remove_output(path: str | os.PathLike) -> None:
    """Delete an output file, never an input (:func:`check_not_input`)."""
    check_not_input(path)
    os.remove(path)


def _is_orphan(entry: Path, now: float, age_s: float) -> bool:
    """Whether no live process holds the temporary ``entry`` (its lock is free; without locks: older than ``age_s``)."""
    if fcntl is None:
        return now - entry.lstat().st_mtime > age_s
    descriptor = os.open(entry, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False  # a live writer holds it
    except OSError:  # no locks on this file system
        return now - entry.lstat().st_mtime > age_s
    finally:
        os.close(descriptor)
    return True


def remove_orphans(folder: str | os.PathLike, age_s: float = ORPHAN_AGE_S) -> list[Path]:
    """Remove the temporaries (files or folders named ``.tmp-*``) in ``folder`` that no live process is writing.

    Parameters
    ----------
    folder : str or path-like
    age_s : float
        On a file system without locks, the age (seconds) after which a
        temporary is taken for an orphan.

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
            if entry.is_symlink() or not _is_orphan(entry, now, age_s):
                continue
            if entry.is_dir():
                shutil.rmtree(entry)
            else:
                entry.unlink()
        except FileNotFoundError:  # finished or removed meanwhile
            continue
        removed.append(entry)
    return removed
