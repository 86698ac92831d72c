"""Atomic writes leave either the whole file or nothing."""

from pathlib import Path

import pytest

from fmri_oinfo.atomic import write_atomically, write_text_atomically


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
