"""Stage cache: finished stages are kept under ``<out>/.cache/<stage>-<key>/``.

The key of a stage is a hash of everything its result depends on: the content
hashes of the input files, its own configuration and the key of the stage
before it.  A stage folder is complete once its ``done.json`` marker exists,
which is written last; a folder without the marker (an interrupted stage) is
discarded and the stage runs again.  Files inside a stage folder are written
in a temporary folder that is renamed into place, so the cache never holds a
half-written stage.  The warnings a stage emitted are kept in its marker and
issued again when the stage is reused, so a resumed run reports them too.

The marker also holds the SHA-256 of every file of the stage: a reused stage
whose files changed since (a truncated ``.npy``, a garbled ``results.json``)
or that cannot be read is not trusted: a warning names the file and the
stage is computed again.

Staging names are short (``.tmp-<stage>-<8 random characters>``), whatever
the stage key, and staging folders left by a killed run are removed by the
next run (:func:`fmri_oinfo.atomic.remove_orphans`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import pickle
import shutil
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from fmri_oinfo.atomic import remove_orphans, temporary_folder
from fmri_oinfo.pipeline.notices import collect_warnings, reissue

logger = logging.getLogger(__name__)

#: Name of the completion marker, written last.
DONE_MARKER = "done.json"

#: Bump when stage outputs change meaning, so that old caches are not reused.
CACHE_VERSION = 4

#: What a damaged or unreadable stage file raises when it is read back.
UNREADABLE = (ValueError, KeyError, TypeError, IndexError, EOFError, OSError, pickle.UnpicklingError)

T = TypeVar("T")


def file_digest(path: str | Path, chunk: int = 1 << 20) -> str:
    """SHA-256 of a file's content (hex)."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while block := stream.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def stage_key(stage: str, *parts: Any) -> str:
    """Hash (16 hex digits) of a stage name and JSON-serialisable parts."""
    text = json.dumps([CACHE_VERSION, stage, *parts], sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class StageResult:
    """Where a stage's files are, and whether they were reused."""

    name: str
    key: str
    folder: Path
    reused: bool
    seconds: float


class StageCache:
    """Stage folders under ``root`` (``<out>/.cache``).

    Parameters
    ----------
    root : pathlib.Path
        Cache folder; created on first use.
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def folder(self, stage: str, key: str) -> Path:
        """The folder of a stage run with ``key``."""
        return self.root / f"{stage}-{key}"

    def is_done(self, stage: str, key: str) -> bool:
        """Whether the stage with ``key`` finished (its marker exists)."""
        return (self.folder(stage, key) / DONE_MARKER).is_file()

    def run(
        self,
        stage: str,
        key: str,
        compute: Callable[[], T],
        save: Callable[[T, Path], Mapping[str, Any] | None],
        load: Callable[[Path], T],
        still_valid: Callable[[dict[str, Any]], bool] | None = None,
    ) -> tuple[T, StageResult]:
        """Reuse the finished stage, or compute it and store it.

        Parameters
        ----------
        stage, key : str
            Stage name and key (:func:`stage_key`).
        compute : callable
            ``compute()`` returns the stage's value; it runs before anything
            is written, so a failing stage leaves no folder behind.
        save : callable
            ``save(value, folder)`` writes the value's files into ``folder``
            (a temporary one) and may return a mapping kept in the marker.
        load : callable
            ``load(folder)`` reads the value back from a finished folder.
        still_valid : callable or None
            ``still_valid(marker)``: whether a finished stage may be reused
            (for stages whose real outputs live outside the cache).

        Returns
        -------
        value, StageResult
        """
        final = self.folder(stage, key)
        if self.is_done(stage, key):
            reused = self._reuse(stage, key, load, still_valid)
            if reused is not None:
                return reused, StageResult(stage, key, final, True, 0.0)
        start = time.perf_counter()
        with collect_warnings() as emitted:
            value = compute()
        seconds = time.perf_counter() - start
        remove_orphans(self.root)
        with temporary_folder(self.root, stage[:12]) as staging:
            extra = save(value, staging) or {}
            digests = {p.name: file_digest(p) for p in sorted(staging.iterdir()) if p.is_file()}
            marker = {"stage": stage, "key": key, "seconds": round(seconds, 3), "warnings": emitted,
                      "sha256": digests, **extra}
            (staging / DONE_MARKER).write_text(json.dumps(marker, indent=2, default=str) + "\n")
            if final.exists():
                shutil.rmtree(final)
            staging.rename(final)
        logger.info("stage %s: computed in %.1f s (%s)", stage, seconds, final.name)
        return value, StageResult(stage, key, final, False, seconds)

    def _reuse(self, stage: str, key: str, load: Callable[[Path], T],
               still_valid: Callable[[dict[str, Any]], bool] | None) -> T | None:
        """The value of the finished stage, or None when it must be computed again.

        A stage whose marker or files cannot be read, or whose files differ
        from the digests in its marker, is computed again, with a warning
        naming the file.
        """
        final = self.folder(stage, key)
        where = final / DONE_MARKER
        try:
            marker = json.loads(where.read_text())
            for name, digest in marker["sha256"].items():
                where = final / name
                if file_digest(where) != digest:
                    raise ValueError("its content changed since it was written (truncated or edited?)")
            if still_valid is not None and not still_valid(marker):
                return None
            where = final
            value = load(final)
        except UNREADABLE as error:
            logger.warning("The cached %s stage cannot be used: %s: %s: %s; computing it again.", stage, where,
                           type(error).__name__, error)
            return None
        logger.info("stage %s: reused (%s)", stage, final.name)
        reissue(marker.get("warnings", []))
        return value

    def marker(self, stage: str, key: str) -> dict[str, Any]:
        """The content of a finished stage's marker."""
        return json.loads((self.folder(stage, key) / DONE_MARKER).read_text())
