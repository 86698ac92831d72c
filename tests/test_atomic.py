"""Atomic writes leave either the whole file or nothing."""

import os
import time
from pathlib import Path

import pytest

from fmri_oinfo.atomic import remove_orphans, write_atomically, write_text_atomically


def test_write_atomically_leaves_nothing_on_failure(tmp_path):
    target = tmp_path / "out.nii.gz"

    def broken(temporary: Path) -> None:
        assert temporary.name.endswith(".nii.gz")  # writers that read the suffix still work
        temporary.write_bytes(b"partial")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        write_atomically(target, broken)
    assert list(tmp_path.iterdir()) == []


def test_text_replaces_the_old_file_whole(tmp_path):
    target = tmp_path / "sub" / "table.tsv"
    write_text_atomically(target, "old\n")
    assert write_text_atomically(target, "new\ncontent\n") == target
    assert target.read_text(encoding="utf-8") == "new\ncontent\n"
    assert [p.name for p in target.parent.iterdir()] == ["table.tsv"]


def test_a_name_at_the_length_limit_still_has_a_temporary(tmp_path):
    limit = os.pathconf(tmp_path, "PC_NAME_MAX")
    target = tmp_path / ("sub-01_task-" + "x" * (limit - len("sub-01_task-") - len("_oinfo.tsv")) + "_oinfo.tsv")
    assert len(target.name) == limit
    write_text_atomically(target, "a\n")
    assert target.read_text() == "a\n"


def test_orphaned_temporaries_are_removed_and_fresh_ones_kept(tmp_path):
    old_file, old_folder, fresh = tmp_path / ".tmp-0123abcd.tsv", tmp_path / ".tmp-stage-x", tmp_path / ".tmp-fresh.tsv"
    old_file.write_text("partial")
    old_folder.mkdir()
    (old_folder / "part.json").write_text("{}")
    fresh.write_text("being written")
    (tmp_path / "result.tsv").write_text("kept")
    hour_ago = time.time() - 3600
    for path in (old_file, old_folder):
        os.utime(path, (hour_ago, hour_ago))
    assert sorted(p.name for p in remove_orphans(tmp_path)) == sorted([old_folder.name, old_file.name])
    assert sorted(p.name for p in tmp_path.iterdir()) == [fresh.name, "result.tsv"]
