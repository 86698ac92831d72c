"""The end-to-end subject command: ``python -m fmri_oinfo.pipeline SUBJECT_DIR`` (or ``fmri-oinfo``).

Wiring only, no maths: inputs are validated (:mod:`.inputs`), region time
series extracted, candidate sets chosen, their O-information estimated and
tested, and tables, maps, graphs and the HTML report written (:mod:`.outputs`),
each stage cached for re-runs (:mod:`.cache`).  Configurations are TOML files
(``pipelines/*.toml``) loaded into frozen dataclasses (:mod:`.config`).

Public names (stable, used by the group command):

- :func:`load_config` - a :class:`PipelineConfig` from a TOML file and overrides;
- :func:`run_subject` - run one subject, returning :class:`SubjectOutputs`;
- :func:`read_result_table` - read a ``*_oinfo.tsv`` back;
- :func:`main` - the command line.
"""

from __future__ import annotations

import importlib
from typing import Any

#: Public names and the module that defines them (imported on first use, so
#: that ``--help`` answers without loading numpy, torch or nilearn).
_PUBLIC = {
    "PipelineConfig": "fmri_oinfo.pipeline.config",
    "config_from_mapping": "fmri_oinfo.pipeline.config",
    "load_config": "fmri_oinfo.pipeline.config",
    "to_toml": "fmri_oinfo.pipeline.config",
    "main": "fmri_oinfo.pipeline.cli",
    "read_result_table": "fmri_oinfo.results",
    "SubjectOutputs": "fmri_oinfo.pipeline.run",
    "default_output_dir": "fmri_oinfo.pipeline.run",
    "run_subject": "fmri_oinfo.pipeline.run",
}


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        return getattr(importlib.import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module 'fmri_oinfo.pipeline' has no attribute {name!r}")


__all__ = sorted(_PUBLIC)
