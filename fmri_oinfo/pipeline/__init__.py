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

from fmri_oinfo.pipeline.cli import main
from fmri_oinfo.pipeline.config import PipelineConfig, config_from_mapping, load_config, to_toml
from fmri_oinfo.pipeline.outputs import read_result_table
from fmri_oinfo.pipeline.run import SubjectOutputs, default_output_dir, run_subject

__all__ = [
    "PipelineConfig",
    "SubjectOutputs",
    "config_from_mapping",
    "default_output_dir",
    "load_config",
    "main",
    "read_result_table",
    "run_subject",
    "to_toml",
]
