"""Content hashes and completion manifests of per-subject results.

A subject step writes its result files first and its manifest last, each
atomically; a manifest therefore only exists when every file it lists is
complete.  A later run skips the step when the manifest's key (a SHA-256 of
the input file contents and the settings) is unchanged and its files exist.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from fmri_oinfo import __version__
from fmri_oinfo.maps import write_atomically

_CHUNK = 1 << 20


def content_key(files: Iterable[Path], settings: Mapping[str, Any]) -> str:
    """SHA-256 of the files' bytes (in the given order), the settings and the fmri-oinfo version."""
    digest = hashlib.sha256()
    for path in files:
        digest.update(Path(path).name.encode())
        with open(path, "rb") as stream:
            while block := stream.read(_CHUNK):
                digest.update(block)
    digest.update(json.dumps(settings, sort_keys=True, default=str).encode())
    digest.update(__version__.encode())
    return digest.hexdigest()


def read_manifest(path: Path, key: str) -> dict[str, Any] | None:
    """The manifest at ``path`` when its key is ``key`` and its files exist, else None."""
    if not path.is_file():
        return None
    try:
        manifest = json.loads(path.read_text())
    except json.JSONDecodeError:
        return None
    files = manifest.get("files", {})
    if manifest.get("key") != key or not all((path.parent / f).is_file() for f in files.values() if f):
        return None
    return manifest


def write_manifest(path: Path, manifest: Mapping[str, Any]) -> Path:
    """Write the manifest atomically (the last file a step writes)."""
    text = json.dumps(manifest, indent=2, sort_keys=True, default=str) + "\n"
    return write_atomically(path, lambda tmp: tmp.write_text(text))


def write_table(table: Any, path: Path) -> Path:
    """Write a DataFrame as TSV atomically."""
    return write_atomically(path, lambda tmp: table.to_csv(tmp, sep="\t", index=False, float_format="%.12g"))
