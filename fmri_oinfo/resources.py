"""Where the project's top-level data folders (``atlases/``, ``pipelines/``) are.

In a source checkout (or an editable install) they sit beside the package; a
wheel installs them under ``<prefix>/share/fmri-oinfo/`` (see ``pyproject.toml``).
"""

from __future__ import annotations

import sys
from pathlib import Path


def project_folder(name: str) -> Path:
    """Return the folder ``name`` of the source tree, else its installed copy."""
    source_tree = Path(__file__).resolve().parent.parent / name
    if source_tree.is_dir():
        return source_tree
    return Path(sys.prefix) / "share" / "fmri-oinfo" / name
