"""Where the shipped data folders are: the atlas manifests and the pipeline configurations.

In a source checkout (and an editable install) they are the repository's
top-level ``atlases/`` and ``pipelines/`` folders, where users copy
configurations from.  A wheel ships the same files inside the package, as
``fmri_oinfo/data/atlases`` and ``fmri_oinfo/data/pipelines``
(``pyproject.toml`` maps them there), and they are read with
:mod:`importlib.resources` wherever pip put the package (``--user``,
``--target``, ``--prefix``, a virtual environment).
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path

#: The shipped data folders.
DATA_FOLDERS: tuple[str, ...] = ("atlases", "pipelines")

_SOURCE_TREE = Path(__file__).resolve().parent.parent


def data_folder(name: str) -> Path:
    """The folder ``name`` (``"atlases"`` or ``"pipelines"``): the repository's copy, else the installed one.

    Raises
    ------
    FileNotFoundError
        When neither exists (a broken installation).
    """
    if name not in DATA_FOLDERS:
        raise ValueError(f"unknown data folder {name!r}; use one of {list(DATA_FOLDERS)}.")
    source = _SOURCE_TREE / name
    if source.is_dir() and (_SOURCE_TREE / "pyproject.toml").is_file():
        return source
    installed = Path(str(importlib.resources.files("fmri_oinfo") / "data" / name))
    if installed.is_dir():
        return installed
    raise FileNotFoundError(
        f"the package's {name}/ folder is missing (looked in {source} and {installed}); "
        "reinstall fmri-oinfo (pip install fmri-oinfo, or pip install -e . in a checkout)."
    )
