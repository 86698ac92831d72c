"""Files of a group study: tables, group maps (NIfTI + figures) and group graphs.

Everything goes to ``<out>/group/``, written atomically:

``group_subjects.tsv``
    One row per subject: cohort, status, failing step and error, QC.
``group_candidates.tsv``
    The common candidate list.
``group_subject_oinfo.tsv``
    Per-subject O-information of every set (long table).
``group_results.tsv``, ``group_difference.tsv``
    Group result table and between-cohort table (sets as JSON lists).
``group_desc-{mean,difference}_...``
    Region maps (NIfTI when a label image is known, PNG figures) and GraphML
    graphs of the group mean and of the difference, from
    :mod:`fmri_oinfo.maps` and :mod:`fmri_oinfo.graphs`.
"""

from __future__ import annotations

import logging
from pathlib import Path

import nibabel as nib
import pandas as pd

from fmri_oinfo import graphs, maps
from fmri_oinfo.atomic import remove_orphans, write_atomically, write_text_atomically
from fmri_oinfo.group.run import GroupStudyResult
from fmri_oinfo.group.subject import encode_set
from fmri_oinfo.results import result_sidecar_text, result_table_text, sidecar_path
from fmri_oinfo.stats.group import difference_as_results

logger = logging.getLogger(__name__)


def write_table(table: pd.DataFrame, path: Path) -> Path:
    """Write a DataFrame as TSV atomically."""
    return write_atomically(path, lambda tmp: table.to_csv(tmp, sep="\t", index=False, float_format="%.12g"))


def write_result_table(table: pd.DataFrame, path: Path, description: str) -> Path:
    """Write a group result table and its JSON sidecar (:mod:`fmri_oinfo.results`, 12 digits) atomically."""
    write_text_atomically(sidecar_path(path), result_sidecar_text(table, Description=description))
    return write_text_atomically(path, result_table_text(table, digits=12))


def subject_table(result: GroupStudyResult) -> pd.DataFrame:
    """One row per subject: ``subject``, ``cohort``, ``status``, ``step``, ``error``, ``seconds``, QC columns,
    ``report`` (the subject's HTML report, relative to ``folder``, "" when none) and ``folder``."""
    prepared = {o.subject: o for o in result.prepared}
    estimated = {o.subject: o for o in result.estimated}
    rows = []
    for subject in result.study.subjects:
        first = prepared[subject.label]
        second = estimated.get(subject.label)
        failed = first if not first.ok else (second if second is not None and not second.ok else None)
        rows.append({
            "subject": subject.label,
            "cohort": subject.cohort or "",
            "status": "failed" if failed else ("cached" if first.status == "cached" and
                                                (second is None or second.status == "cached") else "computed"),
            "step": failed.step if failed else "",
            "error": failed.error if failed else "",
            "seconds": first.seconds + (second.seconds if second is not None else 0.0),
            **{k: first.qc.get(k) for k in ("n_volumes", "n_regions", "n_dropped_regions", "n_censored", "mean_fd")},
            "report": second.files.get("report", "") if second is not None and second.ok else "",
            "folder": first.folder,
        })
    return pd.DataFrame(rows)


def _with_encoded_sets(table: pd.DataFrame) -> pd.DataFrame:
    return table.assign(set=[encode_set(g) for g in table["set"]])


def label_image(result: GroupStudyResult, atlas_dir: str | Path | None = None) -> nib.Nifti1Image | None:
    """Atlas label image of the study's regions (label j + 1 = region j), or None when unknown."""
    from fmri_oinfo.atlases import load_atlas

    extraction = result.config.pipeline.extraction
    atlas = extraction.atlas
    if all(s.kind == "table" for s in result.study.subjects):
        return None
    try:
        loaded = load_atlas(atlas, atlas_dir=atlas_dir or extraction.atlas_dir or None)
        subset = loaded.subset(result.regions["name"].tolist())
    except (ValueError, FileNotFoundError, KeyError) as error:
        logger.warning("no label image for the group maps: %s", error)
        return None
    if subset.regions["name"].tolist() != result.regions["name"].tolist():
        logger.warning("the study's regions do not follow the atlas %s; group maps drawn as markers", atlas)
        return None
    from fmri_oinfo.pipeline.outputs import mni_coded

    return mni_coded(subset.label_image(), loaded.space)


def _has_coordinates(regions: pd.DataFrame) -> bool:
    try:
        maps.check_regions(regions)
    except ValueError:
        return False
    return True


def _map_and_graph_files(table: pd.DataFrame, regions: pd.DataFrame, image, prefix: Path) -> dict[str, Path]:
    files: dict[str, Path] = {}
    scores = maps.region_scores(table, regions)
    files[f"{prefix.name}_scores"] = write_table(scores, prefix.with_name(f"{prefix.name}_regionscores.tsv"))
    if image is not None:
        for column, path in maps.write_region_maps(scores, image, prefix).items():
            files[f"{prefix.name}_{column}_map"] = path
    for kind in ("redundancy", "synergy"):
        figure = maps.plot_region_map(scores, kind, image)
        files[f"{prefix.name}_{kind}_figure"] = maps.save_figure(figure, f"{prefix}_desc-{kind}_map.png")
    for name, path in graphs.write_graphs(table, regions, prefix).items():
        files[f"{prefix.name}_{name}_graph"] = path
    return files


def write_group_outputs(result: GroupStudyResult) -> dict[str, Path]:
    """Write every group table, map and graph; returns the files by role.

    Maps and graphs need region coordinates (image inputs, or tables saved
    with a :class:`~fmri_oinfo.extract.RegionTimeseries` sidecar); without
    them only the tables are written.
    """
    from fmri_oinfo.pipeline.outputs import write_dataset_description

    folder = result.out_dir / "group"
    for written_before in (result.out_dir, folder):  # temporaries of a killed run
        remove_orphans(written_before)
    write_dataset_description(result.out_dir, [result.study.root])
    files = {
        "subjects": write_table(subject_table(result), folder / "group_subjects.tsv"),
        "candidates": write_table(_with_encoded_sets(result.sets), folder / "group_candidates.tsv"),
    }
    if len(result.subject_values):
        files["subject_oinfo"] = write_table(_with_encoded_sets(result.subject_values),
                                             folder / "group_subject_oinfo.tsv")
    if result.results is not None:
        files["results"] = write_result_table(result.results, folder / "group_results.tsv",
                                              "One row per common set: the group test (docs/group.md).")
    if result.difference is not None:
        files["difference"] = write_result_table(result.difference, folder / "group_difference.tsv",
                                                 "One row per common set: the between-cohort test (docs/group.md).")
    if _has_coordinates(result.regions) and result.results is not None:
        image = label_image(result)
        files.update(_map_and_graph_files(result.results, result.regions, image, folder / "group_desc-mean"))
        if result.difference is not None:
            files.update(_map_and_graph_files(difference_as_results(result.difference), result.regions, image,
                                              folder / "group_desc-difference"))
    else:
        logger.info("no region coordinates: group maps and graphs are not drawn")
    return files
