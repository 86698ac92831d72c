"""Output files of a subject run: BIDS-like names and the writers.

Every file is written atomically (:mod:`fmri_oinfo.atomic`),
so an interrupted run leaves complete files or none.  Names, with
``<prefix> = sub-XX[_ses-YY][_task-T]_atlas-<atlas>``::

    <prefix>_oinfo.tsv (+ .json)             result table (one row per set) and its attrs
    <prefix>_timeseries.tsv (+ .json)        region time series and provenance
    <prefix>_desc-scores_regions.tsv         region redundancy/synergy scores
    <prefix>_desc-{redundancy,synergy,netoinfo}_map.nii.gz
    <prefix>_desc-{hypergraph,redundancy,synergy}_graph.graphml
    <prefix>_config.toml                     the resolved configuration
    <prefix>_provenance.json                 versions, input hashes, stage timings
    sub-XX_report.html
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nibabel as nib
import numpy as np
import pandas as pd

from fmri_oinfo import graphs, maps
from fmri_oinfo.atomic import write_text_atomically
from fmri_oinfo.extract import RegionTimeseries
from fmri_oinfo.pipeline.config import PipelineConfig
from fmri_oinfo.pipeline.inputs import SubjectInputs, bids_label

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class OutputNames:
    """Paths of every output of one subject run."""

    folder: Path
    prefix: str
    subject: str

    def path(self, suffix: str) -> Path:
        """``<folder>/<prefix>_<suffix>``."""
        return self.folder / f"{self.prefix}_{suffix}"

    @property
    def results(self) -> Path:
        return self.path("oinfo.tsv")

    @property
    def timeseries(self) -> Path:
        return self.path("timeseries.tsv")

    @property
    def region_scores(self) -> Path:
        return self.path("desc-scores_regions.tsv")

    @property
    def config(self) -> Path:
        return self.path("config.toml")

    @property
    def provenance(self) -> Path:
        return self.path("provenance.json")

    @property
    def report(self) -> Path:
        return self.folder / f"{self.subject}_report.html"


def output_names(inputs: SubjectInputs, config: PipelineConfig, folder: Path) -> OutputNames:
    """Output names for ``inputs`` under ``folder``."""
    parts = [inputs.subject]
    parts += [f"{key}-{inputs.entities[key]}" for key in ("ses", "task") if key in inputs.entities]
    if not inputs.is_table:
        atlas = config.extraction.atlas
        name = Path(atlas).name.split(".")[0] if atlas.endswith((".nii", ".nii.gz", ".toml")) else atlas
        parts.append(f"atlas-{bids_label(name)}")
    return OutputNames(Path(folder), "_".join(parts), inputs.subject)


#: Result-table columns holding tuples, written as JSON lists.
TUPLE_COLUMNS: tuple[str, ...] = ("set", "carriers", "member_null_mean", "o_info_gradient")


def result_table_text(results: pd.DataFrame) -> str:
    """The result table as TSV: tuples (sets, carriers, member baselines, gradients) as JSON lists, floats to 10 digits."""
    table = results.copy()
    for column in ("set", "carriers"):
        if column in table.columns:
            table[column] = [json.dumps(list(g)) for g in table[column]]
    for column in ("member_null_mean", "o_info_gradient"):
        if column in table.columns:
            table[column] = [json.dumps([float(f"{v:.10g}") for v in g]) for g in table[column]]
    return table.to_csv(sep="\t", index=False, float_format="%.10g", na_rep="n/a")


def result_sidecar_text(results: pd.DataFrame) -> str:
    """The result table's ``attrs`` as JSON (``docs/results.md``: estimator, error rate, selection, ...)."""
    return json.dumps(results.attrs, indent=1, default=str) + "\n"


def read_result_table(path: str | Path) -> pd.DataFrame:
    """Read a ``*_oinfo.tsv`` written by the pipeline (tuples back as tuples, ``attrs`` from its JSON sidecar)."""
    path = Path(path)
    table = pd.read_csv(path, sep="\t", na_values="n/a", keep_default_na=False)
    for column in TUPLE_COLUMNS:
        if column in table.columns:
            table[column] = pd.Series([tuple(json.loads(g)) for g in table[column]], dtype=object)
    sidecar = path.with_suffix(".json")
    if sidecar.is_file():
        table.attrs = json.loads(sidecar.read_text())
    return table


#: Why brain figures are missing for a region-table input (shown in the report and provenance).
TABLE_INPUT_REASON = "the input was a region table (no atlas, so no MNI coordinates)"


def write_tables(results: pd.DataFrame, timeseries: RegionTimeseries, names: OutputNames) -> dict[str, Path]:
    """Result table, time series (+ sidecar) and region scores (coordinates ``n/a`` when unknown)."""
    written = {"results": write_text_atomically(names.results, result_table_text(results)),
               "results_sidecar": write_text_atomically(names.results.with_suffix(".json"),
                                                        result_sidecar_text(results)),
               "timeseries": timeseries.save(names.timeseries)}
    written["timeseries_sidecar"] = names.timeseries.with_suffix(".json")
    scores = maps.region_scores(results, timeseries.regions)
    written["region_scores"] = write_text_atomically(
        names.region_scores, scores.to_csv(sep="\t", index=False, float_format="%.10g", na_rep="n/a"))
    return written


def write_maps(results: pd.DataFrame, regions: pd.DataFrame, label_image: nib.Nifti1Image,
               names: OutputNames) -> dict[str, Path]:
    """Redundancy, synergy and net O-information maps (NIfTI, atlas label image painted)."""
    scores = maps.region_scores(results, regions)
    written = maps.write_region_maps(scores, label_image, names.folder / names.prefix)
    return {f"map_{k}": v for k, v in written.items()}


def write_graphs(results: pd.DataFrame, regions: pd.DataFrame, names: OutputNames) -> dict[str, Path]:
    """Hypergraph and region graphs as GraphML (region nodes without x/y/z when coordinates are unknown)."""
    written = graphs.write_graphs(results, regions, names.folder / names.prefix)
    return {f"graph_{k}": v for k, v in written.items()}


def report_parameters(config: PipelineConfig, results: pd.DataFrame, inputs: SubjectInputs) -> dict[str, Any]:
    """Every parameter shown in the report, with what the claims rest on spelled out."""
    parameters: dict[str, Any] = config.to_dict()
    estimator = config.estimation.estimator
    note = (f"o_info, its null, p/q-values, intervals and o_info_se are all {estimator} estimates")
    if "o_info_fmmi" in results.columns:
        note += "; o_info_fmmi and o_info_fmmi_se are FMMI estimates shown for description only (not tested)"
    parameters["statistics"]["note"] = note + "."
    parameters["input"] = {"source": str(inputs.source), "kind": "table" if inputs.is_table else "images",
                           "units": "nats"}
    return parameters


def write_report(results: pd.DataFrame, timeseries: RegionTimeseries, label_image: nib.Nifti1Image | None,
                 config: PipelineConfig, inputs: SubjectInputs, names: OutputNames,
                 null: np.ndarray | None = None) -> dict[str, Path]:
    """The self-contained HTML report (``null``: surrogate values per result row, for its null section)."""
    from fmri_oinfo.report import ReportContext, render_report

    meta = timeseries.metadata
    dropped = {d["name"]: d["reason"] for d in meta.get("dropped_regions", [])}
    fd = meta.get("framewise_displacement")
    fd = None if fd is None else np.array([np.nan if v is None else v for v in fd], dtype=float)
    context = ReportContext(
        subject=inputs.subject, results=results, regions=timeseries.regions,
        atlas="none (region table)" if inputs.is_table else config.extraction.atlas,
        parameters=report_parameters(config, results, inputs),
        label_image=label_image, timeseries=timeseries.data,
        framewise_displacement=fd,
        censored_volumes=meta.get("censored_volumes", {}), dropped_regions=dropped,
        confound_strategy=str(meta.get("confound_strategy") or ""), t_r=meta.get("t_r"),
        source_files=meta.get("source_files", []), top_n=config.outputs.top_n,
        interactive=config.outputs.interactive, null_distributions=null,
        no_coordinates_reason=TABLE_INPUT_REASON if inputs.is_table else "the atlas gives no MNI coordinates",
    )
    return {"report": render_report(context, names.report)}
