"""Command line of the subject pipeline: arguments, logging, one clear error."""

from __future__ import annotations

import argparse
import logging
import sys
import tomllib
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fmri_oinfo.version import __version__

logger = logging.getLogger("fmri_oinfo.pipeline")

PROG = "fmri-oinfo"

EPILOG = """\
Without --out, results go to <parent>/derivatives/fmri-oinfo/sub-XX/, where
<parent> is the folder holding SUBJECT_DIR (or holding the input file).
Options given here override the --config file (default: pipelines/default.toml).
Re-running with the same inputs and configuration reuses finished stages
(cached in <out>/.cache/).
"""


def _orders(text: str) -> tuple[int, ...]:
    try:
        orders = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"--orders {text!r}: give integers separated by commas, e.g. 3,4") from None
    if not orders:
        raise argparse.ArgumentTypeError("--orders is empty; give e.g. 3,4")
    return orders


def shipped_defaults() -> dict[str, dict[str, Any]]:
    """The settings of ``pipelines/default.toml`` (the values a run takes without ``--config``), read without
    importing the pipeline, so that ``--help`` stays instant."""
    from fmri_oinfo.resources import data_folder

    with open(data_folder("pipelines") / "default.toml", "rb") as stream:
        return tomllib.load(stream)


def _shown(value: Any) -> str:
    """A default as the command line takes it: lists joined with commas."""
    return ",".join(str(v) for v in value) if isinstance(value, list) else str(value)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``fmri-oinfo`` (imports nothing heavy: ``--help`` answers at once).

    Each option that overrides a setting shows the default of ``pipelines/default.toml`` in its help.
    """
    defaults = shipped_defaults()

    def default(section: str, key: str, zero: str = "") -> str:
        value = defaults.get(section, {}).get(key, "")
        return f" (default: {zero if zero and not value else _shown(value)})"

    parser = argparse.ArgumentParser(
        prog=PROG, description="Redundancy and synergy (O-information) between brain regions of one subject.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("subject", type=Path, metavar="SUBJECT_DIR",
                        help="subject folder (fMRIPrep, BIDS or plain NIfTI, or holding one region table), "
                             "a 4-D NIfTI file, or a region time-series table (.tsv, .csv, .npy)")
    parser.add_argument("--out", type=Path, help="output folder (default: see below)")
    parser.add_argument("--config", help="pipeline TOML (a path, or a name in pipelines/: default, fast, thorough) (default: default)")
    parser.add_argument("--atlas", help="atlas name or path to a labels/maps NIfTI" + default("extraction", "atlas"))
    parser.add_argument("--atlas-dir", help="folder of pre-placed atlas files" + default("extraction", "atlas_dir", "$NILEARN_DATA"))
    parser.add_argument("--orders", type=_orders, help="set sizes screened, e.g. 3,4" + default("candidates", "orders"))
    parser.add_argument("--estimator", metavar="NAME", help="O-information estimator: gaussian, gaussian-copula, fmmi" + default("estimation", "estimator"))
    parser.add_argument("--device", metavar="DEVICE", help="torch device: auto, cpu, cuda" + default("estimation", "device"))
    parser.add_argument("--seed", type=int, help="seed of candidates, surrogates and estimators" + default("estimation", "seed"))
    parser.add_argument("--task", help="keep runs of this task" + default("inputs", "task", "any"))
    parser.add_argument("--session", help="keep runs of this session" + default("inputs", "session", "any"))
    parser.add_argument("--run", help="keep this run" + default("inputs", "run", "every run, concatenated"))
    parser.add_argument("--space", help="keep runs in this output space" + default("inputs", "space", "the only one, else MNI152"))
    parser.add_argument("--confounds", help="confound strategy: auto, none, simple, scrubbing, compcor, ica_aroma"
                             + default("extraction", "confounds"))
    parser.add_argument("--clean-table", action="store_true", default=None,
                        help="a region table as input: clean it as nilearn cleans extracted series (detrend, "
                             "band-pass, standardise as in [extraction]; needs --t-r)"
                             + default("extraction", "clean_table"))
    parser.add_argument("--t-r", type=float, help="repetition time (s) when the files do not give one"
                             + default("inputs", "t_r", "read from the files"))
    parser.add_argument("--events", help="BIDS *_events.tsv of a single run or region table; adds local "
                                         "O-information and task contrasts"
                                         + default("outputs", "events", "the one beside each BIDS run, or in "
                                                   "the raw BIDS dataset of fMRIPrep derivatives"))
    parser.add_argument("--contrast", action="append", dest="contrasts", metavar="EXPR",
                        help='task contrast of the local O-information, e.g. "task - rest" (repeatable)'
                             + default("outputs", "contrasts", "each condition against the others"))
    parser.add_argument("--networks", action="store_true", default=None,
                        help="also test sets of whole networks, each network one multivariate variable "
                             "(<prefix>_networks.tsv, network maps, a report section)" + default("networks", "enabled"))
    parser.add_argument("--network-components", type=int, metavar="K",
                        help="with --networks: each network as its first K principal components (0: all its "
                             "regions)" + default("networks", "components"))
    parser.add_argument("--network-assignment", metavar="TSV",
                        help="with --networks: a TSV with 'name' and 'network' columns, each region's network "
                             "(for atlases and region tables without network labels)"
                             + default("networks", "assignment", "the atlas's network labels"))
    loudness = parser.add_mutually_exclusive_group()
    loudness.add_argument("-v", "--verbose", action="store_true", help="detailed log and full tracebacks")
    loudness.add_argument("--quiet", action="store_true", help="only warnings and errors; no progress bar")
    return parser


class ProgressSafeHandler(logging.Handler):
    """Writes log lines through ``tqdm.write``, so that they never land inside a progress bar."""

    def emit(self, record: logging.LogRecord) -> None:
        from tqdm import tqdm

        try:
            tqdm.write(self.format(record), file=sys.stderr)
        except Exception:  # noqa: BLE001 - logging must never raise
            self.handleError(record)


def configure_logging(verbose: bool, quiet: bool) -> None:
    """The package's log (and its collected warnings) to stderr, through the progress bar."""
    level = logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO
    handler = ProgressSafeHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%H:%M:%S"))
    package = logging.getLogger("fmri_oinfo")
    package.handlers[:] = [handler]
    package.setLevel(level)
    package.propagate = False
    # The library modules log at INFO; keep the default log to the pipeline's own lines (warnings still show).
    if not verbose:
        for name in ("fmri_oinfo.extract", "fmri_oinfo.inputs", "fmri_oinfo.candidates", "fmri_oinfo.report",
                     "fmri_oinfo.maps", "fmri_oinfo.graphs", "fmri_oinfo.atlases", "fmri_oinfo.stats"):
            logging.getLogger(name).setLevel(logging.WARNING)
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        warnings.filterwarnings("ignore", category=FutureWarning)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the subject pipeline from the command line.

    Returns
    -------
    int
        0 on success; 1 with ``fmri-oinfo: error: <message>`` on stderr when
        the inputs, settings or file system are wrong (2 for bad arguments,
        from argparse).  Warnings of the run are shown once each, and kept in
        the provenance file and the report.
    """
    args = build_parser().parse_args(argv)
    configure_logging(args.verbose, args.quiet)
    try:
        from fmri_oinfo.pipeline.config import load_config
        from fmri_oinfo.pipeline.run import run_subject

        config = load_config(
            args.config, atlas=args.atlas, atlas_dir=args.atlas_dir, orders=args.orders,
            estimator=args.estimator, device=args.device, seed=args.seed, task=args.task,
            session=args.session, run=args.run, space=args.space, confounds=args.confounds, t_r=args.t_r,
            events=args.events, contrasts=args.contrasts,
            extraction__clean_table=args.clean_table, networks=args.networks,
            network_components=args.network_components, network_assignment=args.network_assignment,
        )
        outputs = run_subject(args.subject, config, args.out, progress=not args.quiet)
    except (ValueError, OSError) as err:  # bad input or settings; file-system errors (permissions, full disk)
        if args.verbose:
            logger.exception("failed")
        print(f"{PROG}: error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted; finished stages are cached, run the same command again to resume.",
              file=sys.stderr)
        return 130
    reused = [name for name, status in outputs.stages.items() if status == "reused"]
    logger.info("stages reused: %s", ", ".join(reused) if reused else "none")
    if not args.quiet:
        print(f"results: {outputs.results}")
        if outputs.report is not None:
            print(f"report:  {outputs.report}")
    return 0
