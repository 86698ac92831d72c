"""The computing stages of a subject run, each a plain function of its inputs.

``extract``    region time series (or the user's table) -> RegionTimeseries
``candidate``  time series -> candidate table
``assess``     time series + candidates -> result table (and the surrogate null)

Each stage has a ``*_key`` function (what its result depends on) and
save/load helpers for its cache folder; :mod:`fmri_oinfo.pipeline.run` chains
them.  No maths here: every number comes from the library modules.
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from fmri_oinfo.candidates import choose_candidates, count_scored
from fmri_oinfo.extract import RegionTimeseries, extract_timeseries
from fmri_oinfo.inputs import load_region_table
from fmri_oinfo.inputs.table_cleaning import clean_region_table
from fmri_oinfo.pipeline.cache import file_digest, stage_key
from fmri_oinfo.pipeline.config import PipelineConfig
from fmri_oinfo.pipeline.inputs import SubjectInputs
from fmri_oinfo.pipeline.progress import TrackedEstimator
from fmri_oinfo.stats import (
    BOOLEAN_COLUMNS,
    SampleSplit,
    assess_sets,
    chosen_by_data,
    estimate_on_blocks,
    rank_order,
    sample_split,
)
from fmri_oinfo.stats.excess import excess_tests
from fmri_oinfo.stats.nulls import closed_form_route

logger = logging.getLogger(__name__)

#: The time series as a table with its JSON sidecar (regions, provenance), for reading.
TIMESERIES_FILE = "timeseries.tsv"
#: The same values, exactly (float64), so that a resumed run is byte-identical.
TIMESERIES_VALUES = "timeseries.npy"
CANDIDATES_FILE = "candidates.json"
RESULTS_FILE = "results.json"
#: Surrogate O-information per result row, float32 array (n_sets, n_surrogates).
NULL_FILE = "null_o_info.npy"


def _none_if_zero(value: float) -> float | None:
    return value if value else None


# --------------------------------------------------------------------------- extraction


def extraction_key(inputs: SubjectInputs, config: PipelineConfig) -> str:
    """Key of the extraction stage: input contents, input selection and cleaning settings."""
    return stage_key("extraction", inputs.digests, asdict(config.inputs), asdict(config.extraction),
                     inputs.is_table)


def extract(inputs: SubjectInputs, config: PipelineConfig) -> RegionTimeseries:
    """Region time series of the subject: extracted from the runs, or read from the table."""
    if inputs.is_table:
        data = load_region_table(inputs.table, min_volumes=config.inputs.min_volumes)
        regions = pd.DataFrame({"name": data.columns, "network": "", "x": np.nan, "y": np.nan, "z": np.nan})
        metadata = {"t_r": config.inputs.t_r or None, "atlas": None, "source_files": [str(inputs.table)],
                    "confound_strategy": None, "dropped_regions": [], "censored_volumes": {},
                    "framewise_displacement": None}
        ex = config.extraction
        if ex.clean_table:
            data = clean_region_table(data, config.inputs.t_r, ex.detrend, ex.high_pass, ex.low_pass, ex.standardize)
            metadata["cleaning"] = {"detrend": ex.detrend, "high_pass": _none_if_zero(ex.high_pass),
                                    "low_pass": _none_if_zero(ex.low_pass),
                                    "standardize": None if ex.standardize == "none" else ex.standardize,
                                    "by": "nilearn.signal.clean"}
        return RegionTimeseries(data=data, regions=regions, metadata=metadata)
    ex = config.extraction
    confounds = None if ex.confounds == "none" else ex.confounds
    return extract_timeseries(
        list(inputs.runs), atlas=ex.atlas, confounds=confounds, high_pass=_none_if_zero(ex.high_pass),
        low_pass=_none_if_zero(ex.low_pass), detrend=ex.detrend,
        standardize=None if ex.standardize == "none" else ex.standardize,
        fd_threshold=_none_if_zero(ex.fd_threshold), min_volumes=config.inputs.min_volumes,
        smoothing_fwhm=_none_if_zero(ex.smoothing_fwhm), atlas_dir=ex.atlas_dir or None,
        confounds_options=ex.confounds_options or None,
    )


def save_timeseries(timeseries: RegionTimeseries, folder: Path) -> dict[str, Any]:
    """Write the time series into an extraction stage folder: table + sidecar, and the exact values (``.npy``)."""
    timeseries.save(folder / TIMESERIES_FILE)
    np.save(folder / TIMESERIES_VALUES, timeseries.data.to_numpy(dtype=np.float64))
    return {"n_regions": timeseries.data.shape[1], "n_volumes": timeseries.data.shape[0], "file": TIMESERIES_FILE}


def load_timeseries(folder: Path) -> RegionTimeseries:
    """The time series saved by :func:`save_timeseries`, with the exact values of the run that computed them."""
    timeseries = RegionTimeseries.load(folder / TIMESERIES_FILE)
    values = np.load(folder / TIMESERIES_VALUES)
    if values.shape != timeseries.data.shape:
        raise ValueError(f"{folder / TIMESERIES_VALUES} has shape {values.shape}, its table "
                         f"{timeseries.data.shape}; delete {folder} to recompute the stage.")
    timeseries.data = pd.DataFrame(values, columns=timeseries.data.columns)
    return timeseries


# --------------------------------------------------------------------------- candidates


#: Candidate strategies that look at the data to choose their sets.
DATA_DRIVEN_STRATEGIES: tuple[str, ...] = ("screen", "search")


def selection_split(timeseries: RegionTimeseries, config: PipelineConfig) -> SampleSplit | None:
    """The sample split of the run when some sets are chosen by looking at the data, else None."""
    stats = config.statistics
    strategies = set(config.candidates.strategies)
    if not strategies & set(DATA_DRIVEN_STRATEGIES) and not ("user" in strategies and stats.user_sets_from_data):
        return None
    return sample_split(timeseries.data.to_numpy(float), stats.selection_fraction, stats.split_gap)


def candidates_key(upstream: str, config: PipelineConfig) -> str:
    """Key of the candidate stage: the time series, the candidate settings (and user file) and the split."""
    user_file = config.candidates.user_file
    user_digest = file_digest(user_file) if user_file and Path(user_file).is_file() else None
    stats = config.statistics
    split = (stats.selection_fraction, stats.split_gap, stats.user_sets_from_data)
    return stage_key("candidates", upstream, asdict(config.candidates), user_digest, split)


def candidate(timeseries: RegionTimeseries, config: PipelineConfig) -> pd.DataFrame:
    """The candidate table of the configured strategies, chosen on the selection block of the split."""
    split = selection_split(timeseries, config)
    data = timeseries.data if split is None else timeseries.data.iloc[split.selection_rows]
    return choose_candidates(data, config.candidates, regions=timeseries.regions, device=config.estimation.device)


def save_candidates(table: pd.DataFrame, folder: Path) -> None:
    """Write a candidate table as JSON (sets as lists of names)."""
    rows = [{"set": list(r.set), "order": int(r.order), "chosen_by": str(r.chosen_by)}
            for r in table.itertuples(index=False)]
    (folder / CANDIDATES_FILE).write_text(json.dumps(rows, indent=1) + "\n")


def load_candidates(folder: Path) -> pd.DataFrame:
    """Read a candidate table written by :func:`save_candidates`."""
    rows = json.loads((folder / CANDIDATES_FILE).read_text())
    return pd.DataFrame({
        "set": pd.Series([tuple(r["set"]) for r in rows], dtype=object),
        "order": [r["order"] for r in rows],
        "chosen_by": [r["chosen_by"] for r in rows],
    })


# --------------------------------------------------------------------------- estimation and statistics


def assessment_key(upstream: str, config: PipelineConfig) -> str:
    """Key of the estimation/statistics stage."""
    estimation = {k: v for k, v in asdict(config.estimation).items() if k != "device"}
    return stage_key("assessment", upstream, estimation, asdict(config.statistics))


def assess(
    timeseries: RegionTimeseries, candidates: pd.DataFrame, config: PipelineConfig, return_null: bool = False,
    progress: bool = False,
) -> pd.DataFrame | tuple[pd.DataFrame, np.ndarray]:
    """Result table (``docs/results.md``), ranked: every claim from ``[estimation] estimator``.

    Sets chosen by the screen or the searches are tested on the test block of
    the split that chose them on its selection block; the others on the whole
    run (:func:`fmri_oinfo.stats.assess_sets`).  ``gradient = true`` adds
    ``o_info_gradient`` and ``fmmi_column = true`` (with another estimator)
    adds the descriptive ``o_info_fmmi`` and ``o_info_fmmi_se``, and FMMI's
    non-Gaussian excess ``excess`` and ``excess_se`` (its O-information less
    its Gaussian part on the same volumes), each on the volumes the
    row was tested on, with its test (``excess_p``, ``excess_q``,
    ``excess_label``: :func:`fmri_oinfo.stats.excess.excess_tests`).

    With ``return_null=True`` the surrogate O-information values come too, as
    an array (n_sets, n_surrogates) whose rows follow the ranked table.
    ``progress`` shows a bar of the sets scored where the estimator goes set
    by set (not on the closed-form route, which is fast).
    """
    if candidates.empty:
        raise ValueError("the candidate strategies chose no set; widen [candidates] (orders, strategies, top_k).")
    est, stats = config.estimation, config.statistics
    split = selection_split(timeseries, config)
    options = {"device": est.device, **est.options(est.estimator)}
    tracked = None  # the closed-form route scores every surrogate at once; the others go set by set: a bar
    if closed_form_route(est.estimator, options, stats.surrogate) is None:
        tracked = TrackedEstimator(est.estimator, progress, seed=est.seed, **options)
    try:
        table, null = assess_sets(
            timeseries.data, candidates, estimator=tracked or est.estimator, n_surrogates=stats.n_surrogates,
            surrogate=stats.surrogate, n_bootstrap=stats.n_bootstrap, block_length=stats.block_length or None,
            alpha=stats.alpha, ci_level=stats.ci_level, seed=est.seed, return_null=True, split=split,
            selected=chosen_by_data(candidates["chosen_by"], stats.user_sets_from_data), tail=stats.tail,
            n_screened=count_scored(timeseries.data.shape[1], config.candidates),
            min_effect=stats.min_effect,
            **({} if tracked else options),
        )
    finally:
        if tracked is not None:
            tracked.close()
    attrs = dict(table.attrs)
    if est.gradient:
        gradient = estimate_on_blocks(timeseries.data, table, split, est.estimator, device=est.device,
                                      seed=est.seed, gradient=True, **est.options(est.estimator))
        table["o_info_gradient"] = list(gradient["o_info_gradient"])
    if est.fmmi_column and est.estimator != "fmmi":
        fmmi = estimate_on_blocks(timeseries.data, table, split, "fmmi", device=est.device, seed=est.seed,
                                  **est.options("fmmi"))
        table["o_info_fmmi"] = fmmi["o_info"].to_numpy(float)
        table["o_info_fmmi_se"] = fmmi["o_info_se"].to_numpy(float)
        table["excess"] = fmmi["o_info_excess"].to_numpy(float)
        table["excess_se"] = fmmi["o_info_excess_se"].to_numpy(float)
        tests = excess_tests(table["excess"].to_numpy(float), table["excess_se"].to_numpy(float),
                             (table["o_info_fmmi"] - table["excess"]).to_numpy(float), stats.alpha)
        for column in tests.columns:
            table[column] = tests[column].to_numpy()
    ranked = rank_order(table)
    table = table.iloc[ranked].reset_index(drop=True)
    table.attrs = attrs
    return (table, null[ranked]) if return_null else table


def _json_number(value: Any) -> Any:
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    return value


def save_results(table: pd.DataFrame, folder: Path) -> None:
    """Write a result table as JSON (exact floats, sets as lists)."""
    records = []
    for row in table.to_dict(orient="records"):
        record = {}
        for column, value in row.items():
            if isinstance(value, tuple):
                value = [_json_number(v) for v in value]
            record[column] = _json_number(value)
        records.append(record)
    document = {"columns": list(table.columns), "attrs": {k: _json_number(v) for k, v in table.attrs.items()},
                "rows": records}
    (folder / RESULTS_FILE).write_text(json.dumps(document, indent=1) + "\n")


def load_results(folder: Path) -> pd.DataFrame:
    """Read a result table written by :func:`save_results`."""
    document = json.loads((folder / RESULTS_FILE).read_text())
    rows = document["rows"]
    table = pd.DataFrame({column: [r[column] for r in rows] for column in document["columns"]},
                         columns=document["columns"])
    table["set"] = pd.Series([tuple(r["set"]) for r in rows], dtype=object)
    tuples = ("o_info_gradient", "carriers", "member_null_mean")
    for column in tuples:
        if column in table.columns:
            table[column] = pd.Series([tuple(np.nan if v is None else v for v in r[column]) for r in rows],
                                      dtype=object)
    for column in BOOLEAN_COLUMNS:
        if column in table.columns:
            table[column] = table[column].astype(bool)
    for column in table.columns:
        if column not in ("set", "chosen_by", "inference", "label", "excess_label", "order", "family",
                          "family_role", *BOOLEAN_COLUMNS, *tuples):
            table[column] = table[column].astype(float)
    table.attrs = document["attrs"]
    return table


def save_assessment(value: tuple[pd.DataFrame, np.ndarray], folder: Path) -> dict[str, Any]:
    """Write the result table (JSON) and its surrogate null (float32 ``.npy``) into a stage folder.

    The stage cache writes into a temporary folder renamed into place, so both
    files appear together or not at all.
    """
    table, null = value
    save_results(table, folder)
    np.save(folder / NULL_FILE, np.asarray(null, dtype=np.float32))
    return {"n_sets": len(table), "n_surrogates": int(null.shape[1])}


def load_assessment(folder: Path) -> tuple[pd.DataFrame, np.ndarray]:
    """Read the result table and surrogate null written by :func:`save_assessment`."""
    table = load_results(folder)
    null = np.load(folder / NULL_FILE)
    if null.shape[0] != len(table):
        raise ValueError(
            f"{folder / NULL_FILE} has {null.shape[0]} rows for {len(table)} result rows; "
            f"delete {folder} to recompute the stage."
        )
    return table, null
