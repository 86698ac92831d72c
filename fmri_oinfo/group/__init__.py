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

from fmri_oinfo.group.cluster import dask_client
from fmri_oinfo.group.config import GroupConfig, load_group_config
from fmri_oinfo.group.outputs import write_group_outputs
from fmri_oinfo.group.report import write_group_report
from fmri_oinfo.group.run import GroupStudyResult, run_group_study
from fmri_oinfo.group.statistics import cohort_difference_table, group_mean_table, one_sample_test, two_sample_test
from fmri_oinfo.group.study import Study, Subject, discover_study

__all__ = [
    "GroupConfig",
    "GroupStudyResult",
    "Study",
    "Subject",
    "dask_client",
    "discover_study",
    "cohort_difference_table",
    "group_mean_table",
    "load_group_config",
    "one_sample_test",
    "run_group_study",
    "two_sample_test",
    "write_group_outputs",
    "write_group_report",
]
