"""User strategy: sets read from a text file."""

import pytest

from fmri_oinfo.candidates import user_candidates

NAMES = ["Left Hippocampus", "Right Hippocampus", "Precuneus", "Cuneus", "Insula"]


def test_reads_tsv_names_comma_indices_and_skips_comments(tmp_path):
    path = tmp_path / "sets.tsv"
    path.write_text(
        "# my hypotheses\n"
        "Left Hippocampus\tRight Hippocampus\tPrecuneus\n"
        "\n"
        "4, 3, 0, 1\n"
        "Cuneus Insula 2\n"
    )
    table = user_candidates(path, NAMES)
    assert table["set"].tolist() == [
        ("Left Hippocampus", "Right Hippocampus", "Precuneus"),
        ("Left Hippocampus", "Right Hippocampus", "Cuneus", "Insula"),
        ("Precuneus", "Cuneus", "Insula"),
    ]
    assert table["order"].tolist() == [3, 4, 3]
    assert set(table["chosen_by"]) == {"user"}


def test_unknown_name_lists_close_matches(tmp_path):
    path = tmp_path / "sets.tsv"
    path.write_text("Left Hipocampus\tPrecuneus\tCuneus\n")
    with pytest.raises(ValueError, match=r"sets.tsv line 1: unknown region 'Left Hipocampus'\. "
                                         r"Close matches: \['Left Hippocampus', 'Right Hippocampus'\]"):
        user_candidates(path, NAMES)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0 1 9\n", "index 9 is out of range for 5 regions"),
        ("0 1 1\n", "listed twice"),
        ("0 1\n", "has 2 regions; O-information needs 3"),
        ("# nothing\n", "lists no sets"),
    ],
)
def test_bad_groups_are_refused(tmp_path, text, message):
    path = tmp_path / "g.txt"
    path.write_text(text)
    with pytest.raises(ValueError, match=message):
        user_candidates(path, NAMES)


def test_missing_file_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.tsv does not exist"):
        user_candidates(tmp_path / "missing.tsv", NAMES)
