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

from fmri_oinfo import estimate_oinfo
from fmri_oinfo.candidates import choose_candidates
from fmri_oinfo.extract import RegionTimeseries, extract_timeseries
from fmri_oinfo.inputs import load_region_table
from fmri_oinfo.pipeline.cache import file_digest, stage_key
from fmri_oinfo.pipeline.config import PipelineConfig
from fmri_oinfo.pipeline.inputs import SubjectInputs
from fmri_oinfo.pipeline.progress import TrackedEstimator
from fmri_oinfo.stats import assess_sets, significance_labels

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


def candidates_key(upstream: str, config: PipelineConfig) -> str:
    """Key of the candidate stage: the time series and the candidate settings (and user file)."""
    user_file = config.candidates.user_file
    user_digest = file_digest(user_file) if user_file and Path(user_file).is_file() else None
    return stage_key("candidates", upstream, asdict(config.candidates), user_digest)


def candidate(timeseries: RegionTimeseries, config: PipelineConfig) -> pd.DataFrame:
    """The candidate table of the configured strategies."""
    return choose_candidates(timeseries.data, config.candidates, regions=timeseries.regions,
                             device=config.estimation.device)


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
    """Result table: estimates, surrogate p-values, q-values, intervals and labels.

    The surrogate null and the bootstrap use ``statistics.estimator``
    (``"same"``: the estimation estimator).  When it differs, ``o_info``,
    ``tc``, ``dtc`` and ``s_info`` come from the estimation estimator, the
    tested value is kept as ``o_info_test``, and a set is labelled only when
    both estimators agree on its sign.  ``o_info_se`` then stays the bootstrap
    standard deviation (the sampling variability, as the intervals; with
    fewer than 2 resamples it is the estimation estimator's own standard
    error), and ``o_info_engine_se`` holds the estimation estimator's own
    standard error (for FMMI: Monte-Carlo and training spread, which is zero
    where every trained field kept the Gaussian answer).

    With ``return_null=True`` the surrogate O-information values come too, as
    an array (n_sets, n_surrogates) whose rows follow the ranked table.
    ``progress`` shows a bar of the datasets scored (data, surrogates,
    bootstrap resamples).
    """
    if candidates.empty:
        raise ValueError("the candidate strategies chose no set; widen [candidates] (orders, strategies, top_k).")
    est, stats = config.estimation, config.statistics
    tested = stats.test_estimator(est)
    tracked = TrackedEstimator(tested, len(candidates), 1 + stats.n_surrogates + stats.n_bootstrap, progress,
                               seed=est.seed, device=est.device, **est.options(tested))
    try:
        table, null = assess_sets(
            timeseries.data, candidates, estimator=tracked, n_surrogates=stats.n_surrogates,
            surrogate=stats.surrogate, n_bootstrap=stats.n_bootstrap, block_length=stats.block_length or None,
            alpha=stats.alpha, ci_level=stats.ci_level, seed=est.seed, return_null=True,
        )
    finally:
        tracked.close()
    attrs = dict(table.attrs)
    if tested != est.estimator or est.gradient:
        estimate = estimate_oinfo(
            timeseries.data, list(table["set"]), estimator=est.estimator, device=est.device, seed=est.seed,
            gradient=est.gradient, **est.options(est.estimator),
        )
        if est.gradient:
            table["o_info_gradient"] = list(estimate["o_info_gradient"])
        if tested != est.estimator:
            table.insert(table.columns.get_loc("o_info") + 1, "o_info_test", table["o_info"])
            for column in ("o_info", "tc", "dtc", "s_info"):
                table[column] = estimate[column].to_numpy(float)
            own_se = estimate["o_info_se"].to_numpy(float) if "o_info_se" in estimate else np.nan
            if not stats.se_from_bootstrap:
                table["o_info_se"] = own_se
            table.insert(table.columns.get_loc("o_info_se") + 1, "o_info_engine_se", own_se)
            agree = np.sign(table["o_info"]) == np.sign(table["o_info_test"])
            labels = significance_labels(table["o_info"].to_numpy(float), table["q_value"].to_numpy(float),
                                         stats.alpha)
            labels[~agree.to_numpy()] = "n.s."
            table["label"] = labels
    attrs.update(estimator=est.estimator, test_estimator=tested)
    ranked = rank_order(table)
    table = table.iloc[ranked].reset_index(drop=True)
    table.attrs = attrs
    return (table, null[ranked]) if return_null else table


def rank_order(table: pd.DataFrame) -> np.ndarray:
    """Row positions of :func:`rank_results`' order."""
    order = pd.DataFrame({
        "ns": (table["label"] == "n.s.").to_numpy(),
        "q": table["q_value"].to_numpy(float),
        "size": -np.abs(table["o_info"].to_numpy(float)),
    })
    return order.sort_values(["ns", "q", "size"], kind="stable").index.to_numpy()


def rank_results(table: pd.DataFrame) -> pd.DataFrame:
    """Sets labelled significant first, then by q-value, then by ``|o_info|`` (largest first)."""
    return table.iloc[rank_order(table)].reset_index(drop=True)


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
    if "o_info_gradient" in table.columns:
        table["o_info_gradient"] = pd.Series([tuple(r["o_info_gradient"]) for r in rows], dtype=object)
    for column in table.columns:
        if column not in ("set", "chosen_by", "label", "o_info_gradient", "order"):
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
