"""Atomic writes leave either the whole file or nothing, never touch an input, and say when the disk is full."""

import errno
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fmri_oinfo import atomic
from fmri_oinfo.atomic import (
    DiskFullError,
    InputOverwriteError,
    all_or_nothing,
    protect_inputs,
    remove_orphans,
    remove_output,
    temporary_folder,
    write_atomically,
    write_text_atomically,
)


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


def test_orphans_of_a_killed_writer_are_removed_at_once_and_live_temporaries_kept(tmp_path):
    # a writer killed in the middle of its write: its temporary file and staging folder stay behind
    killed = subprocess.run(
        [sys.executable, "-c", (
            "import os, sys\n"
            "from fmri_oinfo.atomic import temporary_folder, write_atomically\n"
            "def die(temporary):\n"
            "    temporary.write_text('partial')\n"
            "    os._exit(9)\n"
            "with temporary_folder(sys.argv[1], 'stage') as staging:\n"
            "    (staging / 'part.json').write_text('{}')\n"
            "    write_atomically(os.path.join(sys.argv[1], 'table.tsv'), die)\n"
        ), str(tmp_path)], check=False)
    assert killed.returncode == 9
    orphans = sorted(p.name for p in tmp_path.iterdir())
    assert len(orphans) == 2 and all(name.startswith(".tmp-") for name in orphans)
    (tmp_path / "result.tsv").write_text("kept")
    kept = []

    def write_while_cleaning(temporary: Path) -> None:
        temporary.write_text("being written")
        kept.extend(remove_orphans(tmp_path))  # another run cleaning the folder meanwhile
        assert temporary.is_file()

    with temporary_folder(tmp_path, "live") as staging:
        assert sorted(p.name for p in remove_orphans(tmp_path)) == orphans  # at once, whatever their age
        assert staging.is_dir()  # held by this process: kept
        write_atomically(tmp_path / "new.tsv", write_while_cleaning)
        assert staging.is_dir() and kept == []
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["new.tsv", "result.tsv", staging.name])


def test_without_locks_only_old_temporaries_are_orphans(tmp_path, monkeypatch):
    def no_locks(descriptor, operation):
        raise OSError(errno.ENOLCK, "no locks available")

    monkeypatch.setattr(atomic.fcntl, "flock", no_locks)  # a file system without flock (some NFS mounts)
    old, fresh = tmp_path / ".tmp-0123abcd.tsv", tmp_path / ".tmp-fresh.tsv"
    old.write_text("partial")
    fresh.write_text("being written")
    hour_ago = time.time() - 3600
    os.utime(old, (hour_ago, hour_ago))
    assert remove_orphans(tmp_path) == [old]
    assert [p.name for p in tmp_path.iterdir()] == [fresh.name]


def test_protected_inputs_are_never_written_removed_or_written_into(tmp_path):
    folder = tmp_path / "sub-01"
    folder.mkdir()
    table = folder / "sub-01_timeseries.tsv"
    table.write_text("a\tb\n1\t2\n")
    elsewhere = tmp_path / "input.tsv"
    elsewhere.write_text("kept\n")
    (tmp_path / "link").symlink_to(folder)
    with protect_inputs([folder, elsewhere]):
        for target in (table, tmp_path / "link" / table.name, folder / "new.tsv", elsewhere):
            with pytest.raises(InputOverwriteError, match=f"refusing to write {target}.*--out"):
                write_text_atomically(target, "output\n")
        with pytest.raises(InputOverwriteError, match="input file"):
            remove_output(elsewhere)
        with pytest.raises(InputOverwriteError, match="inside the input folder"):
            with temporary_folder(folder / ".cache", "stage"):
                pass
        write_text_atomically(tmp_path / "out" / table.name, "output\n")  # beside the inputs: fine
    assert table.read_text() == "a\tb\n1\t2\n" and elsewhere.read_text() == "kept\n"
    assert sorted(p.name for p in folder.iterdir()) == [table.name]
    write_text_atomically(elsewhere, "outside the block\n")  # the protection ends with its block
    assert elsewhere.read_text() == "outside the block\n"


def test_a_full_disk_names_the_folder_and_leaves_no_file_of_the_block(tmp_path, monkeypatch):
    folder = tmp_path / "out"
    write_text_atomically(folder / "earlier.tsv", "an earlier run\n")
    real_replace = os.replace

    def replace_on_a_full_disk(source, destination):
        if str(destination).endswith("provenance.json"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_replace(source, destination)

    monkeypatch.setattr(atomic.os, "replace", replace_on_a_full_disk)
    with pytest.raises(DiskFullError, match=f"no space left to write into {folder}.*free space") as raised:
        with all_or_nothing():
            write_text_atomically(folder / "results.tsv", "results\n")
            write_text_atomically(folder / "provenance.json", "{}\n")
    assert raised.value.errno == errno.ENOSPC
    assert sorted(p.name for p in folder.iterdir()) == ["earlier.tsv"]  # no results without provenance


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
