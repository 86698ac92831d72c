"""One subject, end to end: inputs -> extraction -> candidates -> statistics -> outputs.

:func:`run_subject` is the function behind ``python -m fmri_oinfo.pipeline``
(and the building block of a group study).  Each stage is cached under
``<out>/.cache/<stage>-<key>/`` (:mod:`fmri_oinfo.pipeline.cache`): a re-run
with the same inputs and configuration reuses every finished stage, and an
interrupted run resumes from the last finished one.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from tqdm import tqdm

from fmri_oinfo.atlases import Atlas, load_atlas
from fmri_oinfo.atomic import all_or_nothing, check_not_input, protect_inputs, remove_orphans, write_text_atomically
from fmri_oinfo.maps import has_coordinates
from fmri_oinfo.pipeline import networks, stages
from fmri_oinfo.pipeline.cache import StageCache, StageResult, file_digest, stage_key
from fmri_oinfo.pipeline.config import PipelineConfig, to_toml
from fmri_oinfo.pipeline.inputs import SubjectInputs, gather_inputs, is_table_path, subject_source
from fmri_oinfo.pipeline.local import (
    events_digests,
    report_time_resolved,
    write_contrast_region_maps,
    write_local_outputs,
)
from fmri_oinfo.pipeline.notices import collect_warnings
from fmri_oinfo.pipeline.outputs import (
    TABLE_INPUT_REASON,
    OutputNames,
    check_output_folder,
    derivative_root,
    mni_coded,
    output_names,
    remove_stale_outputs,
    write_dataset_description,
    write_graphs,
    write_maps,
    write_report,
    write_sidecars,
    write_tables,
)

logger = logging.getLogger(__name__)

#: Stages in order, as listed in progress bars and the provenance file.
STAGES: tuple[str, ...] = ("extraction", "candidates", "assessment", "outputs")


@dataclass(frozen=True)
class SubjectOutputs:
    """What a subject run wrote.

    Attributes
    ----------
    subject : str
        ``sub-<label>``.
    out_dir : pathlib.Path
    results : pathlib.Path
        Result table (``*_oinfo.tsv``); read it with
        :func:`fmri_oinfo.pipeline.read_result_table`.
    timeseries : pathlib.Path
        Region time series (``*_timeseries.tsv``, JSON sidecar next to it).
    region_scores : pathlib.Path or None
        Region scores (``*_desc-scores_regions.tsv``; coordinates ``n/a`` for a
        region-table input).
    maps : dict of str to pathlib.Path
        NIfTI maps by score (``redundancy``, ``synergy``, ``net_o_info``);
        empty for a region-table input (no atlas image).
    graphs : dict of str to pathlib.Path
        GraphML files (``hypergraph``, ``redundancy``, ``synergy``); region
        nodes carry no x/y/z when the regions have no coordinates.
    report : pathlib.Path or None
    config : pathlib.Path
        Copy of the resolved configuration (TOML).
    provenance : pathlib.Path
        Versions, inputs with content hashes, stage keys and timings (JSON).
    stages : dict of str to str
        ``"computed"`` or ``"reused"`` per stage.
    seconds : dict of str to float
        Time spent per stage (0 when reused).
    skipped : dict of str to str
        Outputs not written and why.
    warnings : tuple of str
        The run's warnings, once each (also in the provenance file and the report).
    removed : tuple of str
        Outputs of an earlier run in this folder that this run did not write,
        removed (relative to ``out_dir``).
    """

    subject: str
    out_dir: Path
    results: Path
    timeseries: Path
    region_scores: Path | None
    maps: dict[str, Path]
    graphs: dict[str, Path]
    report: Path | None
    config: Path
    provenance: Path
    stages: dict[str, str] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()


def default_output_dir(inputs: SubjectInputs) -> Path:
    """``<parent>/derivatives/fmri-oinfo/<sub-XX>``, where ``<parent>`` is the folder
    holding the subject folder (or holding the input file)."""
    source = inputs.source.resolve()
    parent = source.parent if source.is_dir() else source.parent
    return parent / "derivatives" / "fmri-oinfo" / inputs.subject


def _atlas_for(subject: Path, config: PipelineConfig) -> Atlas | None:
    source = subject_source(subject)
    if source.is_file() and is_table_path(source):
        return None
    return load_atlas(config.extraction.atlas, config.extraction.atlas_dir or None)


def _outputs_valid(out_dir: Path):
    def check(marker: dict[str, Any]) -> bool:
        files = marker.get("files", {})
        return all((out_dir / name).is_file() and file_digest(out_dir / name) == digest
                   for name, digest in files.items())
    return check


def _write_outputs(assessment, timeseries, atlas: Atlas | None, config: PipelineConfig, inputs: SubjectInputs,
                   names: OutputNames, warnings: list[str],
                   network_table: tuple | None = None) -> tuple[dict[str, Path], dict[str, str]]:
    results, null = assessment
    written = write_tables(results, timeseries, names)
    written.update(write_local_outputs(results, timeseries, config, names.folder, names.prefix))
    skipped: dict[str, str] = {}
    outputs = config.outputs
    label_image = None
    if atlas is not None and (outputs.maps or outputs.report):
        label_image = mni_coded(atlas.subset(timeseries.regions["name"].tolist()).label_image(), atlas.space)
    if outputs.maps and label_image is None:
        skipped["maps"] = f"no atlas label image: {TABLE_INPUT_REASON}"
        logger.warning("NIfTI maps need an atlas label image; %s, so none were written.", TABLE_INPUT_REASON)
    elif outputs.maps:
        written.update(write_maps(results, timeseries.regions, label_image, names))
        written.update(write_contrast_region_maps(written, timeseries.regions, label_image, names.folder,
                                                  names.prefix))
    if outputs.graphs:
        written.update(write_graphs(results, timeseries.regions, names))
    written.update(write_sidecars(written, results, stage_key("config", config.to_dict()),
                                  "none (region table)" if atlas is None else config.extraction.atlas))
    if network_table is not None:
        written.update(networks.write_network_outputs(
            network_table[0], timeseries.regions, label_image if outputs.maps else None, names,
            stage_key("config", config.to_dict()), "none (region table)" if atlas is None else config.extraction.atlas))
    if outputs.report:
        if not has_coordinates(timeseries.regions):
            skipped["report_brain_views"] = f"no coordinates: {TABLE_INPUT_REASON}"
        written.update(write_report(results, timeseries, label_image, config, inputs, names, null,
                                    files=written, warnings=warnings,
                                    time_resolved=report_time_resolved(written, timeseries, config),
                                    networks=None if network_table is None else network_table[0]))
    return written, skipped


def _provenance(inputs: SubjectInputs, config: PipelineConfig, results: dict[str, StageResult],
                total: float, skipped: dict[str, str], warnings: list[str], removed: list[str]) -> dict[str, Any]:
    from fmri_oinfo.report import package_versions

    return {
        "software": package_versions(),
        "command": sys.argv,
        "subject": inputs.subject,
        "source": str(inputs.source),
        "inputs": [{"path": path, "sha256": digest} for path, digest in sorted(inputs.digests.items())],
        "config_key": stage_key("config", config.to_dict()),
        "stages": {name: {"key": r.key, "status": "reused" if r.reused else "computed",
                          "seconds": round(r.seconds, 3)} for name, r in results.items()},
        "total_seconds": round(total, 3),
        "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),  # here, not in the report
        "skipped_outputs": skipped,
        "warnings": list(warnings),
        "removed_stale_outputs": removed,
    }


def run_subject(subject: str | Path, config: PipelineConfig, out_dir: Path | None = None,
                progress: bool = False) -> SubjectOutputs:
    """Run the whole pipeline on one subject.

    Parameters
    ----------
    subject : str or pathlib.Path
        A subject folder (fMRIPrep, BIDS or plain NIfTI, or a folder holding
        one region table and no image), a 4-D NIfTI file, or
        a region time-series table (``.tsv``/``.csv`` with a header of region
        names, or ``.npy`` with ``<stem>_labels.txt``); a table skips
        extraction and, having no atlas, the NIfTI maps and the report's
        brain views (tables, graphs and the report are still written).
    config : PipelineConfig
        From :func:`fmri_oinfo.pipeline.load_config`.
    out_dir : pathlib.Path or None
        Output folder; None uses :func:`default_output_dir`
        (``<parent>/derivatives/fmri-oinfo/sub-XX``).
    progress : bool, default=False
        Show a progress bar over the stages (stderr).

    Returns
    -------
    SubjectOutputs

    Raises
    ------
    FileNotFoundError, ValueError
        For bad inputs or settings; nothing is written when the inputs fail
        validation.
    """
    start = time.perf_counter()
    with collect_warnings() as warnings:
        return _run(Path(subject), config, out_dir, progress, start, warnings)


def _run(subject: Path, config: PipelineConfig, out_dir: Path | None, progress: bool, start: float,
         warnings: list[str]) -> SubjectOutputs:
    if not subject.exists():
        raise FileNotFoundError(
            f"{subject} does not exist; give a subject folder (e.g. derivatives/fmriprep/sub-01), "
            "a 4-D NIfTI file or a region time-series table (.tsv, .csv, .npy)."
        )
    if out_dir is not None:  # before reading the inputs, which a folder of earlier outputs would confuse
        with protect_inputs([subject]):
            check_not_input(out_dir)
    atlas = _atlas_for(subject, config)
    inputs = gather_inputs(subject, config, None if atlas is None else atlas.space,
                           None if atlas is None else atlas.coords)
    if config.candidates.strategies != ("user",):  # before minutes of extraction
        config.candidates.check_budget(len(atlas.regions) if atlas is not None else inputs.n_regions)
    out_dir = Path(out_dir) if out_dir is not None else default_output_dir(inputs)
    inputs_given = [inputs.source, *inputs.digests]
    with protect_inputs(inputs_given):  # no write below may change an input
        names = output_names(inputs, config, out_dir)
        for path in inputs_given:  # an input named like an output in --out: refuse before any computation
            if names.may_write(path):
                check_not_input(path)
        check_output_folder(out_dir)
        return _run_stages(inputs, atlas, config, names, progress, start, warnings)


def _run_stages(inputs: SubjectInputs, atlas: Atlas | None, config: PipelineConfig, names: OutputNames,
                progress: bool, start: float, warnings: list[str]) -> SubjectOutputs:
    """The stages and outputs of a validated subject run (:func:`run_subject`), inputs protected."""
    out_dir = names.folder
    cache = StageCache(out_dir / ".cache")
    for folder in dict.fromkeys((out_dir, cache.root, derivative_root(out_dir, inputs.subject))):
        remove_orphans(folder)  # the temporaries of a killed run
    done: dict[str, StageResult] = {}
    logger.info("%s: %s -> %s", inputs.subject, inputs.source, out_dir)

    with tqdm(total=len(STAGES), desc=inputs.subject, unit="stage", disable=not progress, file=sys.stderr,
              bar_format="{desc}: {n}/{total} stages |{bar}| {elapsed}{postfix}") as bar, ExitStack() as outputs:
        def step(name: str) -> None:
            bar.set_postfix_str(name)

        step("extraction")
        key = stages.extraction_key(inputs, config)
        timeseries, done["extraction"] = cache.run(
            "extraction", key, lambda: stages.extract(inputs, config), stages.save_timeseries,
            stages.load_timeseries,
        )
        bar.update()

        step("candidates")
        extraction_key = key
        key = stages.candidates_key(key, config)
        candidates, done["candidates"] = cache.run(
            "candidates", key, lambda: stages.candidate(timeseries, config),
            lambda table, folder: (stages.save_candidates(table, folder), {"n_sets": len(table)})[1],
            stages.load_candidates,
        )
        bar.update()

        step("statistics")
        key = stages.assessment_key(key, config)
        assessment, done["assessment"] = cache.run(
            "assessment", key, lambda: stages.assess(timeseries, candidates, config, return_null=True,
                                                     progress=progress),
            stages.save_assessment, stages.load_assessment,
        )
        bar.update()

        networks_result = None
        if config.networks.enabled:  # the atlas's networks as variables (fmri_oinfo.pipeline.networks)
            step("networks")
            networks_key = networks.networks_key(extraction_key, config)
            networks_result, done["networks"] = cache.run(
                "networks", networks_key, lambda: networks.analyse_networks(timeseries, config),
                networks.save_networks, networks.load_networks)
            key = stage_key("with-networks", key, networks_key)

        step("outputs")
        outputs.enter_context(all_or_nothing())  # from here a failure (a full disk) leaves none of the run's files
        outputs_key = stage_key("outputs", key, asdict(config.outputs), config.extraction.atlas, names.prefix,
                                events_digests(timeseries, config))

        def save_outputs(value, folder: Path) -> dict[str, Any]:
            written, skipped = value
            listing = {role: str(path.relative_to(out_dir)) for role, path in written.items()}
            (folder / "outputs.json").write_text(json.dumps({"written": listing, "skipped": skipped}, indent=1))
            return {"files": {name: file_digest(out_dir / name) for name in listing.values()}}

        def load_outputs(folder: Path) -> tuple[dict[str, Path], dict[str, str]]:
            listing = json.loads((folder / "outputs.json").read_text())
            return {role: out_dir / name for role, name in listing["written"].items()}, listing["skipped"]

        (written, skipped), done["outputs"] = cache.run(
            "outputs", outputs_key,
            lambda: _write_outputs(assessment, timeseries, atlas, config, inputs, names, warnings, networks_result),
            save_outputs, load_outputs, still_valid=_outputs_valid(out_dir),
        )
        bar.update()

        write_text_atomically(names.config, to_toml(config))
        description = write_dataset_description(derivative_root(out_dir, inputs.subject), [inputs.source])
        removed = remove_stale_outputs(out_dir, names.prefix, names.report,
                                       [*written.values(), names.config, names.provenance])
        total = time.perf_counter() - start
        provenance = _provenance(inputs, config, done, total, skipped, warnings, removed)
        write_text_atomically(names.provenance, json.dumps(provenance, indent=2, default=str) + "\n")
    logger.info("%s: done in %.1f s; results in %s (dataset description: %s)", inputs.subject, total,
                names.results, description)
    return SubjectOutputs(
        subject=inputs.subject, out_dir=out_dir, results=written["results"], timeseries=written["timeseries"],
        region_scores=written.get("region_scores"),
        maps={k[len("map_"):]: v for k, v in written.items() if k.startswith("map_") and not k.endswith("_sidecar")},
        graphs={k[len("graph_"):]: v for k, v in written.items() if k.startswith("graph_")},
        report=written.get("report"), config=names.config, provenance=names.provenance,
        stages={name: "reused" if r.reused else "computed" for name, r in done.items()},
        seconds={name: r.seconds for name, r in done.items()}, skipped=skipped,
        warnings=tuple(warnings), removed=tuple(removed),
    )
