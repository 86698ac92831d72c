"""Command line of a group study: ``python -m fmri_oinfo.group STUDY_DIR [options]``."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from fmri_oinfo.version import __version__

if TYPE_CHECKING:  # imported by the command itself, after --help
    from fmri_oinfo.group.study import Study

logger = logging.getLogger(__name__)

PROG = "python -m fmri_oinfo.group"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m fmri_oinfo.group``."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Group-level O-information (redundancy > 0, synergy < 0) of a study, subjects run as Dask tasks.",
    )
    parser.add_argument("--version", action="version", version=f"fmri-oinfo {__version__}")
    parser.add_argument("study_dir", type=Path,
                        help="BIDS / fMRIPrep derivatives root, or a folder of per-subject region tables")
    parser.add_argument("--participants", type=Path, help="participants.tsv (default: STUDY_DIR/participants.tsv)")
    parser.add_argument("--cohort-col", "--group-col", dest="cohort_col",
                        help="column of participants.tsv with two cohorts to compare "
                             "(default: [group] cohort_column of --config)")
    parser.add_argument("--config", help="pipeline configuration (pipelines/fast.toml, a name such as 'fast', or a "
                                         "copy) with an optional [group] table, see docs/group.md "
                                         "(default: pipelines/default.toml)")
    parser.add_argument("--out", type=Path, help="output folder (default: STUDY_DIR/derivatives/fmri-oinfo-group)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--scheduler", help="address of a running Dask scheduler, e.g. tcp://10.0.0.5:8786 "
                                            "(default: a local cluster)")
    where.add_argument("--workers", type=_positive, help="workers of the local Dask cluster (default: one per core, "
                                                          "or per GPU)")
    where.add_argument("--cluster-config", type=Path, help="dask-jobqueue cluster TOML, e.g. pipelines/slurm.toml "
                                                                 "(default: [group] cluster of --config)")
    parser.add_argument("--subjects", help="comma-separated subjects to run, e.g. sub-01,sub-02 (default: every "
                                             "subject found)")
    parser.add_argument("--pool", action="store_true", help="pool subjects (z-score, concatenate) into one estimation (default: off: group "
                                                         "statistics over the subjects' estimates)")
    parser.add_argument("--candidate-source", choices=("union", "pooled"),
                        help="common sets: union of per-subject screens, or one screen on pooled data "
                             "(default: union, or [group] candidate_source of --config)")
    parser.add_argument("--threads", action="store_true", help="local workers as threads (small studies, debugging; default: processes)")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output (-v, -vv; default: warnings only)")
    return parser


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number; give e.g. --workers 2") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value}: give at least 1 worker")
    return value


def _warnings_by_message(result) -> dict[str, list[str]]:
    """Each distinct warning of the study's subject tasks, with the subjects that raised it."""
    found: dict[str, list[str]] = {}
    for outcome in (*result.prepared, *result.estimated):
        for text in outcome.warnings:
            subjects = found.setdefault(text, [])
            if outcome.subject not in subjects:
                subjects.append(outcome.subject)
    return found


def _subjects(labels: list[str]) -> str:
    return ", ".join(labels[:5]) + (f" and {len(labels) - 5} more" if len(labels) > 5 else "")


def main(argv: Sequence[str] | None = None) -> int:
    """Run a group study.

    Returns
    -------
    int
        0 on success, 1 when some subjects failed or the study could not run
        (2 for bad arguments, from argparse), 130 on Ctrl-C (one line on
        stderr; the Dask client and its local cluster are closed first).
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return _study(parser, args)
    except KeyboardInterrupt:  # anywhere: importing, discovering, computing, writing
        print(f"{PROG}: interrupted; finished subject stages are cached in the output folder, run the same "
              "command again to resume.", file=sys.stderr)
        return 130


def _study(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """The study of ``args`` (:func:`main`, less Ctrl-C)."""
    level = (logging.WARNING, logging.INFO, logging.DEBUG)[min(args.verbose, 2)]
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    logging.captureWarnings(True)
    from fmri_oinfo.atomic import all_or_nothing, protect_inputs
    from fmri_oinfo.group.cluster import dask_client
    from fmri_oinfo.group.config import load_group_config
    from fmri_oinfo.group.outputs import write_group_outputs
    from fmri_oinfo.group.report import write_group_report
    from fmri_oinfo.group.run import run_group_study
    from fmri_oinfo.group.study import discover_study, study_inputs

    # Dask logs its own life (start, connections, a slow worker killed at shutdown) at INFO and WARNING:
    # only its errors unless -vv (set after importing it: its import sets the level).
    logging.getLogger("distributed").setLevel(logging.DEBUG if args.verbose >= 2 else logging.ERROR)
    overrides = {"pool": True} if args.pool else {}
    if args.candidate_source:
        overrides["candidate_source"] = args.candidate_source
    try:
        config = load_group_config(args.config, **overrides)
        subjects = [s.strip() for s in args.subjects.split(",") if s.strip()] if args.subjects else None
        study = discover_study(args.study_dir, args.participants, args.cohort_col or config.cohort_column or None,
                               subjects)
        if study.cohort_column is not None and len(study.cohorts) > 2:
            raise ValueError(
                f"--cohort-col {study.cohort_column!r} has {len(study.cohorts)} values {list(study.cohorts)}; the "
                "between-cohort comparison needs two: keep two cohorts with --subjects or use a two-valued column."
            )
        out_dir = args.out or args.study_dir / "derivatives" / "fmri-oinfo-group"
        inputs = study_inputs(study)
        with protect_inputs(inputs):
            _check_writable(out_dir, study)
    except (ValueError, OSError) as error:
        parser.error(str(error))
    cluster = args.cluster_config
    if cluster is None and config.cluster and args.scheduler is None and args.workers is None:
        cluster = Path(config.cluster)
    try:
        with protect_inputs(inputs):  # no write of the study (group tables, reports) may change an input
            with dask_client(args.scheduler, args.workers, cluster, processes=not args.threads,
                             quiet=args.verbose < 2) as client:
                result = run_group_study(study, config, out_dir, client, progress=True)
            warned = _warnings_by_message(result)
            warnings = [f"{text} ({_subjects(who)})" for text, who in warned.items()]
            with all_or_nothing():  # a full disk leaves no group table without its report
                files = write_group_outputs(result)
                report = write_group_report(result, files=files, warnings=warnings)
    except (ValueError, OSError, RuntimeError) as error:  # every subject failed; file-system errors
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return 1
    for text, who in warned.items():
        print(f"warning ({_subjects(who)}): {text}", file=sys.stderr)
    n_sig = 0 if result.results is None else int((result.results["label"] != "n.s.").sum())
    print(f"{len(result.succeeded)}/{len(study.subjects)} subjects, {len(result.sets)} sets, "
          f"{n_sig} significant group sets (q < {config.alpha})", end="")
    if result.difference is not None:
        print(f", {int((result.difference['label'] != 'n.s.').sum())} between-cohort differences", end="")
    print(f"\nreport: {report}\ntables: {files['subjects'].parent}")
    for failure in result.failures:
        print(f"FAILED {failure.subject} ({failure.step}): {failure.error}")
    return 1 if result.failures else 0


def _check_writable(folder: Path, study: Study) -> None:
    """Refuse an output folder that would change the study's inputs, or whose outputs the next run would read."""
    from fmri_oinfo.atomic import check_not_input
    from fmri_oinfo.group.subject import subject_folder
    from fmri_oinfo.pipeline.outputs import check_output_folder

    if folder.resolve() == study.root.resolve():
        raise ValueError(f"--out {folder} is STUDY_DIR itself: its sub-XX/ output folders would be read as subjects "
                         "by the next run; give another folder (the default is "
                         "STUDY_DIR/derivatives/fmri-oinfo-group).")
    for path in (folder, *(subject_folder(folder, s.label) for s in study.subjects)):
        check_not_input(path)
    check_output_folder(folder)
