"""Group studies: every subject through the single-subject pipeline as Dask tasks, then group statistics.

- :func:`discover_study` finds the subjects and their cohorts;
- :func:`dask_client` gives a Dask client (local cluster, scheduler address or
  dask-jobqueue);
- :func:`run_group_study` runs the subjects and the group statistics;
- :func:`write_group_outputs` and :func:`write_group_report` write the tables,
  maps, graphs and the HTML report.

The command line is ``python -m fmri_oinfo.group STUDY_DIR``; ``docs/group.md``
documents it.
"""

from __future__ import annotations

import importlib
from typing import Any

#: Public names and the module that defines them (imported on first use, so
#: that ``--help`` answers without loading Dask, numpy or torch).
_PUBLIC = {
    "dask_client": "fmri_oinfo.group.cluster",
    "GroupConfig": "fmri_oinfo.group.config",
    "load_group_config": "fmri_oinfo.group.config",
    "write_group_outputs": "fmri_oinfo.group.outputs",
    "write_group_report": "fmri_oinfo.group.report",
    "GroupStudyResult": "fmri_oinfo.group.run",
    "run_group_study": "fmri_oinfo.group.run",
    "cohort_difference_table": "fmri_oinfo.stats.group",
    "group_mean_table": "fmri_oinfo.stats.group",
    "one_sample_test": "fmri_oinfo.stats.group",
    "two_sample_test": "fmri_oinfo.stats.group",
    "Study": "fmri_oinfo.group.study",
    "Subject": "fmri_oinfo.group.study",
    "discover_study": "fmri_oinfo.group.study",
}


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        return getattr(importlib.import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module 'fmri_oinfo.group' has no attribute {name!r}")


__all__ = sorted(_PUBLIC)
