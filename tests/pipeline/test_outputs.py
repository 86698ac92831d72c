"""Outputs of a subject run: never over an input, all or nothing on a full disk, byte-identical on a re-run."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import warnings
from datetime import datetime, timezone
from pathlib import Path

import nibabel as nib
import numpy as np
import pytest

from fmri_oinfo import atomic
from fmri_oinfo.pipeline import run_subject
from fmri_oinfo.pipeline.cli import main


def _tree(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (relative name -> SHA-256)."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _run(subject: Path, config, out: Path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return run_subject(subject, config, out)


def test_no_output_folder_can_change_the_input_table(table_subject, tiny_config, tmp_path, capsys):
    description = tmp_path / "dataset_description.json"  # the user's own dataset (raw BIDS)
    description.write_text('{"Name": "my study", "BIDSVersion": "1.9.0"}\n')
    before = _tree(tmp_path)
    (tmp_path / "link").symlink_to(table_subject)
    table = table_subject / "sub-01_timeseries.tsv"
    # the subject folder itself, a symbolic link to it, a folder inside it, and the table's folder with the table given
    for subject, out in ((table_subject, table_subject), (table_subject, tmp_path / "link"),
                         (table_subject, table_subject / "derivatives"), (table, table_subject)):
        assert main([str(subject), "--out", str(out), "--quiet"]) == 1
        error = capsys.readouterr().err
        assert error.startswith("fmri-oinfo: error: refusing to write ") and "never changes its inputs" in error
        assert "give --out a folder outside the inputs" in error
        assert _tree(tmp_path) == before  # nothing changed, nothing added
    outputs = _run(table_subject, tiny_config, tmp_path)  # a parent of the subject folder: outputs beside it
    assert outputs.timeseries == tmp_path / "sub-01_timeseries.tsv" and outputs.results.is_file()
    assert {k: v for k, v in _tree(tmp_path).items() if k in before} == before  # the user's files, untouched
    assert any(f"{description} describes another dataset; it was left as it is" in w for w in outputs.warnings)
    assert _run(table_subject, tiny_config, tmp_path).stages["outputs"] == "reused"  # a second run works


def test_an_image_folder_holding_earlier_outputs_is_refused_as_output_before_it_is_read(tmp_path, capsys):
    folder = tmp_path / "sub-01"
    folder.mkdir()
    image = nib.Nifti1Image(np.zeros((2, 2, 2, 60), dtype=np.float32), np.eye(4))
    nib.save(image, folder / "sub-01_bold.nii.gz")
    nib.save(nib.Nifti1Image(np.zeros((2, 2, 2), dtype=np.float32), np.eye(4)),
             folder / "sub-01_atlas-x_desc-synergy_map.nii.gz")  # an earlier version's output, read as a run
    before = _tree(folder)
    assert main([str(folder), "--out", str(folder), "--quiet"]) == 1
    error = capsys.readouterr().err
    assert f"refusing to write {folder}: it is the input folder {folder}" in error and "repetition time" not in error
    assert _tree(folder) == before


def test_a_full_disk_leaves_no_output_of_the_run_and_names_the_folder(table_subject, tiny_config, tmp_path,
                                                                      monkeypatch):
    out = tmp_path / "out"
    real_replace = os.replace

    def replace_on_a_full_disk(source, destination):
        if str(destination).endswith("_provenance.json"):  # the last file of the run
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_replace(source, destination)

    monkeypatch.setattr(atomic.os, "replace", replace_on_a_full_disk)
    with pytest.raises(atomic.DiskFullError, match=f"no space left to write into {out} .*give --out"):
        _run(table_subject, tiny_config, out)
    assert [p.name for p in out.iterdir()] == [".cache"]  # no result table without provenance or manifest
    assert not list(out.rglob(".tmp-*"))
    monkeypatch.undo()
    outputs = _run(table_subject, tiny_config, out)  # the disk has room again: the run completes
    assert outputs.provenance.is_file() and (out / ".fmri-oinfo-outputs.json").is_file()


def test_two_runs_with_the_same_seed_write_byte_identical_report_and_graphs(table_subject, tiny_config, tmp_path):
    first, second = (_run(table_subject, tiny_config, tmp_path / name) for name in ("a", "b"))
    assert first.report.read_bytes() == second.report.read_bytes()
    today = datetime.now(timezone.utc).strftime("%Y-%m-%d")  # a clock time differs between runs a minute apart
    assert today not in first.report.read_text(encoding="utf-8")
    assert json.loads(first.provenance.read_text())["finished"].startswith(today)  # the time is kept there
    assert set(first.graphs) == {"hypergraph", "redundancy", "synergy"}
    for kind, path in first.graphs.items():
        assert path.read_bytes() == second.graphs[kind].read_bytes()


def test_a_rerun_removes_the_temporaries_of_a_killed_run_at_once(table_subject, tiny_config, tmp_path):
    out = tmp_path / "derivatives" / "sub-01"
    _run(table_subject, tiny_config, out)
    # what a run killed mid-write leaves: no live process holds them, however fresh they are
    orphans = [out / ".tmp-0123456789ab.tsv", out.parent / ".tmp-ba9876543210.json", out / ".cache" / ".tmp-stage-x"]
    for path in orphans[:2]:
        path.write_text("partial")
    orphans[2].mkdir()
    (orphans[2] / "results.json").write_text("{")
    assert set(_run(table_subject, tiny_config, out).stages.values()) == {"reused"}
    assert not any(path.exists() for path in orphans)
