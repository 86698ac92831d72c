"""Local O-information outputs of a subject run: ``<prefix>_localoinfo.tsv`` and its task contrasts.

Written when ``outputs.local_oinfo`` is true or the run has task events: the
``events`` file of the configuration (``--events``: one run, or a region
table), else the BIDS ``*_events.tsv`` of each run, beside it or, for fMRIPrep
derivatives, in the raw BIDS dataset (:func:`fmri_oinfo.inputs.find_run_events`).  The local O-information of every
tested set (:func:`fmri_oinfo.local_oinfo` with ``outputs.local_estimator``)
goes to ``<prefix>_localoinfo.tsv`` (one row per row of the time-series
table, one column per set named by its members joined with ``+``) with a JSON
sidecar; with events, :func:`fmri_oinfo.stats.local_glm.fit_local_glm` gives
``<prefix>_desc-task_contrasts.tsv``.  Runs are concatenated as in the
time-series table: each run's design (its own drifts and constant) is built
over all its volumes and its censored volumes are dropped.
"""

from __future__ import annotations

import itertools
import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from fmri_oinfo.atomic import write_text_atomically
from fmri_oinfo.extract import RegionTimeseries
from fmri_oinfo.inputs.events import find_run_events, read_events
from fmri_oinfo.local import local_oinfo
from fmri_oinfo.pipeline.cache import file_digest
from fmri_oinfo.pipeline.config import PipelineConfig
from fmri_oinfo.stats.local_glm import check_baseline, contrast_vectors, fit_local_glm, task_design

#: Column of the contrast table holding set members, written as JSON lists.
SET_COLUMN = "set"


def _runs(timeseries: RegionTimeseries) -> list[dict[str, Any]]:
    """Each run's volumes, censored volumes and BOLD file; a region table is one run of all its rows."""
    runs = timeseries.metadata.get("runs")
    if runs:
        return list(runs)
    return [{"name": "table", "bold": None, "n_volumes": len(timeseries.data), "censored_volumes": []}]


def find_events(timeseries: RegionTimeseries, config: PipelineConfig) -> list[Path] | None:
    """The events file of each run (``outputs.events`` for a single run, else the run's BIDS events file,
    beside it or in the raw dataset of fMRIPrep derivatives), or None.

    None (with a warning) when only some runs have an events file: a resting
    run concatenated with task runs has no design.

    Raises
    ------
    ValueError
        When ``outputs.events`` is given for several runs, or ``outputs.contrasts`` without any events file
        found (the message lists the datasets searched and names ``--events``).
    """
    runs = _runs(timeseries)
    if config.outputs.events:
        if len(runs) > 1:
            raise ValueError(
                f"--events (outputs.events) gives one run's events, and the subject has {len(runs)} runs "
                f"({', '.join(r['name'] for r in runs)}); pick one with --run, or put a *_events.tsv beside each run."
            )
        return [Path(config.outputs.events)]
    lookups = [(None, []) if r.get("bold") is None else find_run_events(Path(r["bold"])) for r in runs]
    found = [f for f, _ in lookups]
    if all(f is None for f in found):
        if config.outputs.contrasts:
            searched = sorted({str(p) for _, roots in lookups for p in roots})
            raise ValueError(
                f"--contrast {', '.join(map(repr, config.outputs.contrasts))} needs task events, and no *_events.tsv "
                f"matching the run ({', '.join(r['name'] for r in runs)}: same task, run, session, acquisition) was "
                f"found beside it or in a raw BIDS dataset (searched: {', '.join(searched) or 'nothing: no image'}; "
                "fMRIPrep derivatives are linked to theirs by dataset_description.json DatasetLinks/SourceDatasets, "
                "or by the layout <bids>/derivatives/fmriprep); give the events file with --events FILE."
            )
        return None
    missing = [r["name"] for r, f in zip(runs, found) if f is None]
    if missing:
        warnings.warn(
            f"runs {missing} have no *_events.tsv beside them while other runs do, so no task contrasts were "
            "computed; run the task runs alone (--task) to get them.", UserWarning, stacklevel=2)
        return None
    return found


def default_contrasts(events: pd.DataFrame, n_volumes: int, t_r: float) -> list[str]:
    """Each condition against the baseline; when the events fill the run, each pair of conditions."""
    kinds = list(dict.fromkeys(events["trial_type"]))
    times = np.arange(n_volumes) * t_r
    starts, ends = events["onset"].to_numpy(), (events["onset"] + events["duration"]).to_numpy()
    filled = ((times[:, None] >= starts[None, :]) & (times[:, None] < ends[None, :])).any(axis=1).all()
    if not filled:
        return kinds
    return [f"{b} - {a}" for a, b in itertools.combinations(kinds, 2)]


def run_design(timeseries: RegionTimeseries, events: list[pd.DataFrame], t_r: float) -> pd.DataFrame:
    """The design of the concatenated runs: conditions shared, drifts and constant per run, censored rows dropped."""
    runs = _runs(timeseries)
    blocks = []
    for i, (run, run_events) in enumerate(zip(runs, events)):
        design = task_design(run_events, int(run["n_volumes"]), t_r)
        kept = np.setdiff1d(np.arange(int(run["n_volumes"])), np.asarray(run["censored_volumes"], dtype=int))
        design = design.iloc[kept].reset_index(drop=True)
        if len(runs) > 1:
            conditions = set(run_events["trial_type"])
            design = design.rename(columns={c: f"{c}_run{i + 1}" for c in design.columns if c not in conditions})
        blocks.append(design)
    design = pd.concat(blocks, ignore_index=True).fillna(0.0)
    if len(design) != len(timeseries.data):
        raise ValueError(
            f"the runs' volumes less censored ones ({len(design)}) do not match the time series' "
            f"{len(timeseries.data)} rows; re-run the extraction."
        )
    return design


def write_local_outputs(results: pd.DataFrame, timeseries: RegionTimeseries, config: PipelineConfig, folder: Path,
                        prefix: str) -> dict[str, Path]:
    """Write the local O-information of the tested sets and, with events, their task contrasts.

    Parameters
    ----------
    results : pandas.DataFrame
        The subject's result table (its ``set`` column).
    timeseries : RegionTimeseries
    config : PipelineConfig
    folder : pathlib.Path
    prefix : str
        Output names are ``<folder>/<prefix>_localoinfo.tsv`` (+ ``.json``)
        and ``<folder>/<prefix>_desc-task_contrasts.tsv``.

    Returns
    -------
    dict of str to pathlib.Path
        ``local_oinfo``, ``local_oinfo_sidecar`` and ``task_contrasts`` when
        written; empty when neither ``outputs.local_oinfo`` nor events ask for them.

    Raises
    ------
    ValueError
        For a bad events file or contrast, or events without a repetition time.
    """
    paths = find_events(timeseries, config)
    if paths is None and not config.outputs.local_oinfo:
        return {}
    sets = [tuple(s) for s in results["set"]]
    if not sets:
        return {}
    estimator = config.outputs.local_estimator
    local = local_oinfo(timeseries.data, sets, estimator=estimator, seed=config.estimation.seed)["o_info"]
    names = ["+".join(s) for s in sets]
    table = pd.DataFrame(local.to_numpy(), columns=names)
    written = {"local_oinfo": write_text_atomically(
        folder / f"{prefix}_localoinfo.tsv", table.to_csv(sep="\t", index=False, float_format="%.10g", na_rep="n/a"))}
    sidecar = {
        "Description": "Local O-information (nats) of each tested set at each row of the time-series table "
                       "(volumes of the runs in order, censored volumes left out); its mean over rows is the "
                       "set's O-information on the whole run. Negative: synergy dominates at that volume.",
        "estimator": estimator, "units": "nats", "sets": [list(s) for s in sets], "columns": names,
        "t_r": timeseries.metadata.get("t_r"),
        "events": None if paths is None else [str(p) for p in paths],
    }
    written["local_oinfo_sidecar"] = write_text_atomically(
        folder / f"{prefix}_localoinfo.json", json.dumps(sidecar, indent=1) + "\n")
    if paths is None:
        return written
    t_r = timeseries.metadata.get("t_r")
    if not t_r:
        raise ValueError("task events need the repetition time, and the time series have none; give --t-r.")
    runs = _runs(timeseries)
    events = [read_events(p, int(r["n_volumes"]), t_r) for p, r in zip(paths, runs)]
    contrasts = list(config.outputs.contrasts) or default_contrasts(events[0], int(runs[0]["n_volumes"]), t_r)
    design = run_design(timeseries, events, t_r)
    vectors = contrast_vectors(contrasts, design)
    for run, run_events in zip(runs, events):
        check_baseline(vectors, design.columns, run_events, int(run["n_volumes"]), t_r)
    contrast_table = fit_local_glm(local, design, contrasts,
                                   alpha=config.statistics.alpha)
    contrast_table[SET_COLUMN] = [json.dumps(list(s)) for s in sets] * len(contrasts)
    written["task_contrasts"] = write_text_atomically(
        folder / f"{prefix}_desc-task_contrasts.tsv",
        contrast_table.to_csv(sep="\t", index=False, float_format="%.10g", na_rep="n/a"))
    return written


def write_contrast_region_maps(written: dict[str, Path], regions: pd.DataFrame, label_image,
                               folder: Path, prefix: str) -> dict[str, Path]:
    """Region maps of the task contrasts (:func:`fmri_oinfo.contrast_maps.write_contrast_maps`) from the
    contrast table :func:`write_local_outputs` wrote; nothing without one."""
    from fmri_oinfo.contrast_maps import write_contrast_maps

    if "task_contrasts" not in written:
        return {}
    contrasts = pd.read_csv(written["task_contrasts"], sep="\t", na_values=["n/a"])
    contrasts[SET_COLUMN] = [tuple(json.loads(v)) for v in contrasts[SET_COLUMN]]
    return write_contrast_maps(contrasts, regions, label_image, folder / prefix)


def report_time_resolved(written: dict[str, Path], timeseries: RegionTimeseries, config: PipelineConfig):
    """The report's time-resolved inputs (:class:`fmri_oinfo.report.timecourse.TimeResolved`) read back from
    the files :func:`write_local_outputs` wrote, or None when it wrote none."""
    from fmri_oinfo.report.timecourse import TimeResolved

    if "local_oinfo" not in written:
        return None
    local = pd.read_csv(written["local_oinfo"], sep="\t", na_values=["n/a"])
    sidecar = json.loads(Path(written["local_oinfo_sidecar"]).read_text(encoding="utf-8"))
    runs = _runs(timeseries)
    t_r = timeseries.metadata.get("t_r")
    events = [read_events(p, int(r["n_volumes"]), t_r) for p, r in zip(sidecar.get("events") or [], runs)]
    contrasts = None
    if "task_contrasts" in written:
        contrasts = pd.read_csv(written["task_contrasts"], sep="\t", na_values=["n/a"])
        contrasts[SET_COLUMN] = [tuple(json.loads(v)) for v in contrasts[SET_COLUMN]]
    return TimeResolved(local=local, estimator=str(sidecar.get("estimator", "")), events=events,
                        contrasts=contrasts, alpha=config.statistics.alpha)


def events_digests(timeseries: RegionTimeseries, config: PipelineConfig) -> list[str]:
    """Content hashes of the events files the outputs will read (part of the outputs stage's cache key)."""
    paths = find_events(timeseries, config)
    return [] if paths is None else [file_digest(p) if p.is_file() else str(p) for p in paths]
