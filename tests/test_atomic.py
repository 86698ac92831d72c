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


def test_a_reader_of_the_old_file_keeps_the_whole_old_file(tmp_path):
    """The new file is moved into place (a rename), never copied over the old one.

    A reader that opened the old version (a viewer, another stage) keeps
    reading it whole while the new version takes its name; writing in place
    (copy, then unlink the temporary) would truncate and overwrite the very
    file it is reading, and a reader could see a half-written file.
    """
    target = tmp_path / "results.tsv"
    old, new = "old\n" * 10_000, "new\n" * 20_000
    write_text_atomically(target, old)
    with open(target, encoding="utf-8") as reader:
        assert reader.read(4) == "old\n"
        write_text_atomically(target, new)
        rest = reader.read()
    unchanged = rest == old[4:]  # the rest of the old file (compared outside assert: no 80 kB diff on failure)
    assert unchanged, f"the open old file now reads {len(rest)} characters starting {rest[:8]!r}"
    assert target.read_text(encoding="utf-8") == new


def test_the_final_file_is_the_one_the_writer_wrote(tmp_path):
    """The temporary the writer filled becomes the final file (same inode): nothing is copied after the write."""
    target = tmp_path / "map.nii.gz"
    target.write_bytes(b"previous")
    written = {}

    def write(temporary: Path) -> None:
        temporary.write_bytes(b"complete")
        written["inode"] = temporary.stat().st_ino

    write_atomically(target, write)
    assert target.stat().st_ino == written["inode"]
    assert target.read_bytes() == b"complete" and [p.name for p in tmp_path.iterdir()] == ["map.nii.gz"]


def test_a_failed_write_leaves_the_old_file_whole(tmp_path):
    target = tmp_path / "table.tsv"
    write_text_atomically(target, "old\ncontent\n")

    def broken(temporary: Path) -> None:
        temporary.write_text("half", encoding="utf-8")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space left"):
        write_atomically(target, broken)
    assert target.read_text(encoding="utf-8") == "old\ncontent\n"
    assert [p.name for p in tmp_path.iterdir()] == ["table.tsv"]
