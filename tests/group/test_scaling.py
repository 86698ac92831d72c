"""Studies of many subjects with hundreds of common sets, also on cores that other processes keep busy."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fmri_oinfo.group import dask_client, discover_study, load_group_config, run_group_study
from fmri_oinfo.group.cluster import available_cores
from fmri_oinfo.group.example import make_table_study

#: 16 regions: C(16, 3) = 560 common triplets, whose list (127 kB by dask.sizeof) is over Dask's 100 kB
#: threshold for putting a task argument into the graph as its own data node.
N_REGIONS, N_SETS = 16, 560


@contextmanager
def busy_cores(n: int) -> Iterator[None]:
    """Keep ``n`` CPU cores busy with spinning processes for the duration."""
    spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(n)]
    try:
        yield
    finally:
        for spinner in spinners:
            spinner.kill()
            spinner.wait()


def _study(tmp_path: Path):
    root = make_table_study(tmp_path / "study", n_per_cohort=4, n_regions=N_REGIONS, n_volumes=120)
    return discover_study(root, cohort_column="group")


def test_eight_subjects_with_hundreds_of_common_sets(tmp_path: Path, config_file: Path) -> None:
    study = _study(tmp_path)
    config = load_group_config(config_file, n_permutations=99, statistics__n_surrogates=19)  # Dask is tested here
    with dask_client(n_workers=2, processes=False) as client:
        result = run_group_study(study, config, tmp_path / "out", client)
    assert result.failures == [] and len(result.succeeded) == 8
    assert len(result.sets) == N_SETS
    assert result.subject_values.groupby("subject").size().tolist() == [N_SETS] * 8
    assert result.results["o_info"].notna().all()


def test_a_study_on_cores_kept_busy_by_other_processes(tmp_path: Path, config_file: Path) -> None:
    study = _study(tmp_path)
    config = load_group_config(config_file, n_permutations=99, statistics__n_surrogates=19)  # Dask is tested here
    with busy_cores(available_cores()), dask_client(n_workers=2) as client:  # worker processes, loaded cores
        result = run_group_study(study, config, tmp_path / "out", client)
    assert result.failures == [] and len(result.succeeded) == 8
    assert result.subject_values.groupby("subject").size().tolist() == [N_SETS] * 8
