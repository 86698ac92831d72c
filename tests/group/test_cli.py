"""The group command never writes over its inputs, leaves no half set of files on a full disk, and stops on
Ctrl-C with one line and exit code 130."""

from __future__ import annotations

import errno
import hashlib
import os
from pathlib import Path

import pytest

from fmri_oinfo import atomic
from fmri_oinfo.group import cli, run
from fmri_oinfo.group.example import make_table_study


def _tree(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture()
def folder_study(tmp_path: Path) -> Path:
    """Four subjects, each a sub-XX/ folder holding its table (and sidecar)."""
    root = make_table_study(tmp_path / "study", n_per_cohort=2, n_regions=4, n_volumes=60)
    for table in sorted(root.glob("sub-*_timeseries.*")):
        folder = root / table.name.split("_")[0]
        folder.mkdir(exist_ok=True)
        table.rename(folder / table.name)
    return root


def test_no_output_folder_can_change_the_study(folder_study: Path, tmp_path: Path, capsys) -> None:
    before = _tree(folder_study)
    (tmp_path / "link").symlink_to(folder_study)
    for out, message in ((folder_study, "is STUDY_DIR itself"), (tmp_path / "link", "is STUDY_DIR itself"),
                         (folder_study / "sub-01", "is the input folder"),
                         (folder_study / "sub-01" / "derivatives", "lies inside the input folder"),
                         (folder_study / "participants.tsv", "is the input file")):
        with pytest.raises(SystemExit) as exited:
            cli.main([str(folder_study), "--out", str(out), "--threads", "--workers", "1"])
        assert exited.value.code == 2
        error = capsys.readouterr().err
        assert message in error and "give" in error
        assert _tree(folder_study) == before


def test_ctrl_c_closes_the_cluster_and_exits_130_with_one_line(folder_study: Path, tmp_path: Path, monkeypatch,
                                                               capsys) -> None:
    clients = []

    def interrupted(study, config, out_dir, client, progress=False):
        clients.append(client)
        raise KeyboardInterrupt

    monkeypatch.setattr(run, "run_group_study", interrupted)
    assert cli.main([str(folder_study), "--out", str(tmp_path / "out"), "--threads", "--workers", "1"]) == 130
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        f"{cli.PROG}: interrupted; finished subject stages are cached in the output folder, run the same command "
        "again to resume."]
    assert clients[0].status == "closed"  # the client (and its local cluster) were shut down


def test_a_full_disk_leaves_no_group_file_and_names_the_folder(tmp_path: Path, config_file: Path, monkeypatch,
                                                               capsys) -> None:
    study = make_table_study(tmp_path / "study", n_per_cohort=2, n_regions=4, n_volumes=60)
    out = tmp_path / "out"
    real_replace = os.replace

    def replace_on_a_full_disk(source, destination):
        if str(destination).endswith("report.html") and Path(destination).parent == out / "group":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))  # the group report, written last
        real_replace(source, destination)

    monkeypatch.setattr(atomic.os, "replace", replace_on_a_full_disk)
    assert cli.main([str(study), "--out", str(out), "--config", str(config_file), "--threads", "--workers", "1"]) == 1
    error = capsys.readouterr().err.splitlines()[-1]
    assert error.startswith(f"{cli.PROG}: error: [Errno 28] no space left to write into {out / 'group'}")
    assert "free space on that disk or give --out" in error
    assert not any((out / "group").iterdir())  # no group table without its report
