"""Find and validate what the user gave: NIfTI folders, raw BIDS, fMRIPrep, tables.

- :func:`find_runs` locates the runs of one subject (:class:`Run`), with their
  confounds, mask and repetition time;
- :func:`check_runs` validates them before anything is computed or written;
- :func:`load_region_table` reads region time series extracted elsewhere;
- :func:`read_events` reads a BIDS events table, :func:`events_beside` finds a run's,
  :func:`find_run_events` also in the raw BIDS dataset of fMRIPrep derivatives.
"""

from __future__ import annotations

from fmri_oinfo.inputs.checks import DEFAULT_MIN_VOLUMES, check_runs
from fmri_oinfo.inputs.events import events_beside, find_run_events, raw_datasets, read_events
from fmri_oinfo.inputs.repetition_time import resolve_t_r
from fmri_oinfo.inputs.runs import LAYOUTS, Run, find_runs
from fmri_oinfo.inputs.tables import load_region_table

__all__ = [
    "DEFAULT_MIN_VOLUMES",
    "LAYOUTS",
    "Run",
    "check_runs",
    "events_beside",
    "find_run_events",
    "raw_datasets",
    "find_runs",
    "load_region_table",
    "read_events",
    "resolve_t_r",
]
