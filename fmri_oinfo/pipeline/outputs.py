"""Output files of a subject run: BIDS-like names and the writers.

Every file is written atomically (:mod:`fmri_oinfo.atomic`),
so an interrupted run leaves complete files or none.  Names, with
``<prefix> = sub-XX[_ses-YY][_task-T]_atlas-<atlas>``::

    <prefix>_oinfo.tsv (+ .json)             result table (one row per set) and its attrs
    <prefix>_timeseries.tsv (+ .json)        region time series and provenance
    <prefix>_desc-scores_regions.tsv         region redundancy/synergy scores
    <prefix>_desc-{redundancy,synergy,netoinfo}_map.nii.gz
    <prefix>_desc-{hypergraph,redundancy,synergy}_graph.graphml
    <prefix>_desc-{synergy,redundancy}beyondfc_map.nii.gz    only for a kind with a set labelled beyond FC
    <prefix>_desc-{beyondfc,synergybeyondfc,redundancybeyondfc}_graph.graphml    likewise
    <prefix>_config.toml                     the resolved configuration
    <prefix>_provenance.json                 versions, input hashes, stage timings, warnings
    sub-XX_report.html

As a BIDS derivative: ``dataset_description.json`` (with ``GeneratedBy``)
in the output root, a JSON sidecar beside every table and map (estimator,
units, the configuration's hash), NIfTI maps of an MNI atlas coded as MNI
(sform and qform code 4).  Outputs an earlier run wrote into the same folder
and this run did not (a switched-off report, say) are removed, so that the
folder never holds files that contradict its result table.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nibabel as nib
import numpy as np
import pandas as pd

from fmri_oinfo import graphs, maps
from fmri_oinfo.atomic import TEMPORARY_PREFIX, check_not_input, remove_output, write_text_atomically
from fmri_oinfo.extract import RegionTimeseries
from fmri_oinfo.pipeline.config import PipelineConfig
from fmri_oinfo.pipeline.inputs import SubjectInputs, bids_label
from fmri_oinfo.results import result_sidecar_text, result_table_text

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

    def may_write(self, path: str | Path) -> bool:
        """Whether a run may write ``path``: a ``<prefix>_*`` file or the report, in the output folder."""
        path = Path(path).resolve()
        return path.parent == self.folder.resolve() and (
            path.name.startswith(f"{self.prefix}_") or path.name == self.report.name)


def output_names(inputs: SubjectInputs, config: PipelineConfig, folder: Path) -> OutputNames:
    """Output names for ``inputs`` under ``folder``."""
    parts = [inputs.subject]
    parts += [f"{key}-{inputs.entities[key]}" for key in ("ses", "task") if key in inputs.entities]
    if not inputs.is_table:
        atlas = config.extraction.atlas
        name = Path(atlas).name.split(".")[0] if atlas.endswith((".nii", ".nii.gz", ".toml")) else atlas
        parts.append(f"atlas-{bids_label(name)}")
    return OutputNames(Path(folder), "_".join(parts), inputs.subject)


#: Why brain figures are missing for a region-table input (shown in the report and provenance).
TABLE_INPUT_REASON = "the input was a region table (no atlas, so no MNI coordinates)"


def write_tables(results: pd.DataFrame, timeseries: RegionTimeseries, names: OutputNames) -> dict[str, Path]:
    """Result table, time series (+ sidecar) and region scores (coordinates ``n/a`` when unknown)."""
    written = {"results": write_text_atomically(names.results, result_table_text(results)),
               "timeseries": timeseries.save(names.timeseries)}
    written["timeseries_sidecar"] = names.timeseries.with_suffix(".json")
    scores = maps.region_scores(results, timeseries.regions)
    written["region_scores"] = write_text_atomically(
        names.region_scores, scores.to_csv(sep="\t", index=False, float_format="%.10g", na_rep="n/a"))
    return written


def write_maps(results: pd.DataFrame, regions: pd.DataFrame, label_image: nib.Nifti1Image,
               names: OutputNames) -> dict[str, Path]:
    """Redundancy, synergy and net O-information maps (NIfTI, atlas label image painted), and the beyond-FC
    maps of each kind that has a set labelled beyond functional connectivity (none when no set is)."""
    prefix = names.folder / names.prefix
    written = maps.write_region_maps(maps.region_scores(results, regions), label_image, prefix)
    written.update(maps.write_beyond_fc_maps(maps.beyond_fc_scores(results, regions), label_image, prefix))
    return {f"map_{k}": v for k, v in written.items()}


def write_graphs(results: pd.DataFrame, regions: pd.DataFrame, names: OutputNames) -> dict[str, Path]:
    """Hypergraph and region graphs as GraphML (region nodes without x/y/z when coordinates are unknown), and the
    beyond-FC hypergraph and region graphs when a set is labelled beyond functional connectivity."""
    prefix = names.folder / names.prefix
    written = dict(graphs.write_graphs(results, regions, prefix))
    written.update(graphs.write_beyond_fc_graphs(results, regions, prefix))
    return {f"graph_{k}": v for k, v in written.items()}


def report_parameters(config: PipelineConfig, results: pd.DataFrame, inputs: SubjectInputs) -> dict[str, Any]:
    """Every parameter shown in the report, with what the claims rest on spelled out."""
    parameters: dict[str, Any] = config.to_dict()
    estimator = config.estimation.estimator
    note = (f"o_info, its null, p/q-values, intervals and o_info_se are all {estimator} estimates")
    if "o_info_fmmi" in results.columns:
        note += ("; o_info_fmmi and o_info_fmmi_se are FMMI estimates shown for description only (not tested); "
                 "excess and excess_se are FMMI's non-Gaussian excess over the Gaussian copula, tested by "
                 "excess / excess_se against the standard normal (excess_p, BH over the sets: excess_q, "
                 "excess_label)")
    parameters["statistics"]["note"] = note + "."
    parameters["input"] = {"source": str(inputs.source), "kind": "table" if inputs.is_table else "images",
                           "units": "nats"}
    return parameters


#: What each output file holds, by its role in the written-files mapping (links in the report).
FILE_ROLES: dict[str, str] = {
    "results": "result table: one row per tested set (TSV)",
    "timeseries": "region time series analysed (TSV)",
    "timeseries_sidecar": "regions and extraction metadata of the time series (JSON)",
    "region_scores": "region redundancy and synergy scores (TSV)",
    "map_redundancy": "region redundancy map (NIfTI)",
    "map_synergy": "region synergy map (NIfTI)",
    "map_net_o_info": "region net O-information map (NIfTI)",
    "graph_hypergraph": "labelled sets linked to their regions (GraphML)",
    "graph_redundancy": "redundancy region graph (GraphML)",
    "graph_synergy": "synergy region graph (GraphML)",
    "map_synergy_beyond_fc": "region synergy beyond functional connectivity map: |excess| of its families (NIfTI)",
    "map_redundancy_beyond_fc": "region redundancy beyond functional connectivity map: |excess| of its families "
                                "(NIfTI)",
    "graph_beyond_fc_hypergraph": "sets labelled beyond functional connectivity linked to their regions (GraphML)",
    "graph_synergy_beyond_fc": "synergy beyond functional connectivity region graph (GraphML)",
    "graph_redundancy_beyond_fc": "redundancy beyond functional connectivity region graph (GraphML)",
    "local_oinfo": "local O-information of each tested set at each volume (TSV)",
    "local_oinfo_sidecar": "sets, estimator and events of the local O-information (JSON)",
    "task_contrasts": "task contrasts of the local O-information per set (TSV)",
    "contrast_regions": "task contrasts per region: the labelled set with the largest |t| holding it (TSV)",
    "config": "the resolved configuration (TOML)",
    "provenance": "provenance: software versions, input hashes, stage timings (JSON)",
}


def _report_files(files: Mapping[str, Path], names: OutputNames) -> list[tuple[str, str]]:
    """``(what, href)`` of every file of the run, relative to the report's folder."""
    listed = dict(files)
    listed.update(config=names.config, provenance=names.provenance)  # written after the report, same names
    rows = []
    for role, path in listed.items():
        if role == "report":
            continue
        href = Path(os.path.relpath(Path(path), names.report.parent)).as_posix()
        rows.append((FILE_ROLES.get(role, role.replace("_", " ")), href))
    return rows


def _qc_images(meta: dict[str, Any]) -> tuple[nib.Nifti1Image | None, nib.Nifti1Image | None]:
    """Mean EPI and brain mask of the first run, when its files are still there (None otherwise)."""
    runs = meta.get("runs") or []
    if not runs:
        return None, None
    mean = mask = None
    bold, mask_path = runs[0].get("bold"), runs[0].get("mask")
    try:
        if bold and Path(bold).is_file():
            from nilearn.image import mean_img

            mean = mean_img(bold, copy_header=True)
        if mask_path and Path(mask_path).is_file():
            mask = nib.load(mask_path)
    except (OSError, ValueError) as error:  # a QC background is not worth failing the report
        logger.warning("The report's atlas overlay has no background: %s", error)
    return mean, mask


def write_report(results: pd.DataFrame, timeseries: RegionTimeseries, label_image: nib.Nifti1Image | None,
                 config: PipelineConfig, inputs: SubjectInputs, names: OutputNames,
                 null: np.ndarray | None = None, files: Mapping[str, Path] | None = None,
                 warnings: Sequence[str] = (), time_resolved: Any = None,
                 networks: pd.DataFrame | None = None) -> dict[str, Path]:
    """The self-contained HTML report.

    ``null``: surrogate values per result row (the null section); ``files``:
    the run's other outputs by role, linked from the report; ``warnings``:
    the run's warnings, one line each, shown in their own section;
    ``time_resolved``: local O-information, events and contrasts
    (:func:`fmri_oinfo.pipeline.local.report_time_resolved`), or None.
    ``networks``: the networks table (``[networks] enabled``), its own section.
    """
    from fmri_oinfo.report import ReportContext, render_report

    meta = timeseries.metadata
    dropped = {d["name"]: d["reason"] for d in meta.get("dropped_regions", [])}
    mean, mask = _qc_images(meta) if label_image is not None else (None, None)
    context = ReportContext(
        subject=inputs.subject, results=results, regions=timeseries.regions,
        atlas="none (region table)" if inputs.is_table else config.extraction.atlas,
        parameters=report_parameters(config, results, inputs),
        label_image=label_image, timeseries=timeseries.data,
        censored_volumes=meta.get("censored_volumes", {}), dropped_regions=dropped,
        confound_strategy=str(meta.get("confound_strategy") or ""), t_r=meta.get("t_r"),
        source_files=meta.get("source_files", []), top_n=config.outputs.top_n,
        interactive=config.outputs.interactive, full_views=config.outputs.full_views, null_distributions=null,
        no_coordinates_reason=TABLE_INPUT_REASON if inputs.is_table else "the atlas gives no MNI coordinates",
        extraction=meta, mean_image=mean, mask_image=mask, output_files=_report_files(files or {}, names),
        warnings=list(warnings), time_resolved=time_resolved, networks=networks,
    )
    from fmri_oinfo.report.render import references_path

    report = render_report(context, names.report)
    bib = references_path(report)
    return {"report": report, **({"references": bib} if bib.is_file() else {})}


#: Folder-level record of the files an fmri-oinfo run wrote (relative path -> output prefix).
OUTPUTS_MANIFEST = ".fmri-oinfo-outputs.json"

#: BIDS version the derivative metadata follows.
BIDS_VERSION = "1.9.0"


def check_output_folder(folder: Path) -> None:
    """Make sure ``folder`` can be created and written, before any long computation.

    Raises
    ------
    ValueError
        Naming the folder, what is wrong and the fix; an
        :class:`~fmri_oinfo.atomic.InputOverwriteError` when ``folder`` lies
        inside a protected input folder (:func:`fmri_oinfo.atomic.protect_inputs`).
    """
    folder = Path(folder)
    check_not_input(folder)
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"--out {folder} is a file; give a folder (it is created if needed).")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=TEMPORARY_PREFIX):
            pass
    except OSError as err:
        raise ValueError(
            f"--out {folder} cannot be written ({err.strerror or err}); give a folder you can write to."
        ) from None


def derivative_root(folder: Path, subject: str) -> Path:
    """The BIDS derivative dataset root of a subject's output folder (the parent of ``sub-XX/``)."""
    folder = Path(folder)
    return folder.parent if folder.name == subject else folder


def _written_by_fmri_oinfo(path: Path) -> bool:
    """Whether the ``dataset_description.json`` at ``path`` is one fmri-oinfo wrote (its ``GeneratedBy`` says so)."""
    try:
        generated = json.loads(path.read_text(encoding="utf-8")).get("GeneratedBy") or []
        return any(entry.get("Name") == "fmri-oinfo" for entry in generated)
    except (ValueError, AttributeError, TypeError):  # not JSON, or not a description
        return False


def write_dataset_description(root: Path, sources: Sequence[str | Path] = ()) -> Path:
    """``dataset_description.json`` of the derivative dataset at ``root`` (written when absent or changed).

    A description that fmri-oinfo did not write (``--out`` at the root of
    the user's own dataset) is left as it is, with a warning.
    """
    from fmri_oinfo.version import __version__

    description: dict[str, Any] = {
        "Name": "fmri-oinfo: O-information (redundancy and synergy) between brain regions",
        "BIDSVersion": BIDS_VERSION,
        "DatasetType": "derivative",
        "GeneratedBy": [{
            "Name": "fmri-oinfo",
            "Version": __version__,
            "Description": "Region time series, candidate sets, O-information estimates, surrogate tests, "
                           "maps, graphs and reports.",
        }],
    }
    if sources:
        description["SourceDatasets"] = [{"URL": Path(s).resolve().as_uri()} for s in sources]
    path = Path(root) / "dataset_description.json"
    text = json.dumps(description, indent=2) + "\n"
    if not path.is_file():
        write_text_atomically(path, text)
    elif not _written_by_fmri_oinfo(path):
        logger.warning("%s describes another dataset; it was left as it is (give --out a folder of its own, e.g. "
                       "derivatives/fmri-oinfo, for a BIDS derivative dataset).", path)
    elif path.read_text(encoding="utf-8") != text:
        write_text_atomically(path, text)
    return path


#: What each sidecar says about its file, by output role.
_DESCRIPTIONS = {
    "results": "One row per candidate set of regions: O-information, TC, DTC, S-information, surrogate test, "
               "FDR q-value and label (docs/results.md).",
    "region_scores": "Per region: redundancy, synergy and net O-information of the significant sets it belongs to.",
    "map_redundancy": "Region redundancy score painted in the atlas.",
    "map_synergy": "Region synergy score painted in the atlas.",
    "map_net_o_info": "Region net O-information painted in the atlas.",
    "map_synergy_beyond_fc": "Region synergy beyond functional connectivity painted in the atlas: per region, the "
                             "sum over 'synergy beyond FC' families of the largest |excess| of the family's sets "
                             "holding it.",
    "map_redundancy_beyond_fc": "Region redundancy beyond functional connectivity painted in the atlas: per region, "
                                "the sum over 'redundancy beyond FC' families of the largest |excess| of the family's "
                                "sets holding it.",
}


def write_sidecars(written: Mapping[str, Path], results: pd.DataFrame, config_hash: str, atlas: str) -> dict[str, Path]:
    """A JSON sidecar beside each table and map: what it holds, estimator, units, configuration hash.

    Returns
    -------
    dict of str to pathlib.Path
        ``<role>_sidecar`` -> path, for the written tables and maps.
    """
    attrs = dict(results.attrs)
    common = {
        "Estimator": attrs.get("estimator"),
        "Units": attrs.get("units", "nats"),
        "ConfigurationHash": config_hash,
        "Atlas": atlas,
    }
    sidecars = {}
    for role, description in _DESCRIPTIONS.items():
        if role not in written:
            continue
        path = Path(written[role])
        name = path.name[: -len(".nii.gz")] if path.name.endswith(".nii.gz") else path.stem
        content = {"Description": description, **common}
        if role == "results":  # the table's attrs (docs/results.md), read back by read_result_table
            text = result_sidecar_text(results, **content)
        else:
            text = json.dumps(content, indent=2, default=str) + "\n"
        sidecars[f"{role}_sidecar"] = write_text_atomically(path.with_name(name + ".json"), text)
    return sidecars


def mni_coded(image: nib.Nifti1Image, space: str) -> nib.Nifti1Image:
    """``image`` with sform and qform codes 4 (MNI152) when the atlas space is an MNI template."""
    if space.upper().startswith("MNI"):
        image = nib.Nifti1Image(np.asanyarray(image.dataobj), image.affine, image.header.copy())
        image.set_sform(image.affine, code=4)
        image.set_qform(image.affine, code=4)
    return image


def remove_stale_outputs(folder: Path, prefix: str, report: Path, written: Sequence[Path]) -> list[str]:
    """Remove what an earlier run wrote here for this subject and analysis and this run did not write.

    An earlier run's files are read from :data:`OUTPUTS_MANIFEST`; those with
    this run's ``prefix``, or the subject's report, that this run did not
    write are deleted (another analysis of the subject, another prefix, is
    left alone).  The manifest is then updated.

    Returns
    -------
    list of str
        Removed files, relative to ``folder``.
    """
    folder = Path(folder)
    manifest = folder / OUTPUTS_MANIFEST
    try:
        earlier = json.loads(manifest.read_text(encoding="utf-8")) if manifest.is_file() else {}
    except (OSError, ValueError):
        earlier = {}
    now = {str(Path(p).relative_to(folder)) for p in written}
    removed = []
    for name, owner in sorted(earlier.items()):
        if name in now or not (owner == prefix or name == report.name):
            continue
        path = folder / name
        if path.is_file():
            remove_output(path)
            removed.append(name)
    kept = {name: owner for name, owner in earlier.items() if name not in removed and (folder / name).is_file()}
    kept.update({name: prefix for name in now})
    write_text_atomically(manifest, json.dumps(dict(sorted(kept.items())), indent=1) + "\n")
    if removed:
        logger.info("removed %d output(s) of an earlier run that this run did not write: %s", len(removed),
                    ", ".join(removed))
    return removed
