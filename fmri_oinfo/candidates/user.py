"""User strategy: sets listed in a text file, by region name or column index.

One set per line; members separated by tabs (TSV), else commas, else
whitespace.  Blank lines and lines starting with ``#`` are skipped.  A member
that is a region name is that region; otherwise an integer is a column index.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from fmri_oinfo.candidates.table import candidate_table


def _split(line: str) -> list[str]:
    if "\t" in line:
        parts = line.split("\t")
    elif "," in line:
        parts = line.split(",")
    else:
        parts = line.split()
    return [p.strip() for p in parts if p.strip()]


def _member_index(token: str, index_of: dict[str, int], n_regions: int, where: str) -> int:
    if token in index_of:
        return index_of[token]
    if re.fullmatch(r"\d+", token):
        if int(token) < n_regions:
            return int(token)
        raise ValueError(f"{where}: index {token} is out of range for {n_regions} regions (0 to {n_regions - 1}).")
    near = difflib.get_close_matches(token, list(index_of), n=3, cutoff=0.5)
    hint = f" Close matches: {near}." if near else " No close matches; check the atlas' region names."
    raise ValueError(f"{where}: unknown region {token!r}.{hint}")


def user_candidates(path: str | Path, names: Sequence[str]) -> pd.DataFrame:
    """Read sets of regions from a text file.

    Parameters
    ----------
    path : str or pathlib.Path
        Text/TSV file, one set per line.
    names : sequence of str
        Region names in column order of the data.

    Returns
    -------
    pandas.DataFrame
        Candidate table with ``chosen_by="user"``, in file order.

    Raises
    ------
    FileNotFoundError
        When ``path`` does not exist.
    ValueError
        For unknown names (with close matches), out-of-range indices,
        repeated members, sets of fewer than 3 regions, or an empty file.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"file of sets {path} does not exist; give a text file with one set per line.")
    index_of = {str(name): j for j, name in enumerate(names)}
    sets = []
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        where = f"{path.name} line {number}"
        tokens = _split(line)
        members = [_member_index(t, index_of, len(names), where) for t in tokens]
        if len(set(members)) != len(members):
            raise ValueError(f"{where}: a region is listed twice in {tokens}; members must be distinct.")
        if len(members) < 3:
            raise ValueError(f"{where}: {tokens} has {len(members)} regions; O-information needs 3 or more.")
        sets.append(members)
    if not sets:
        raise ValueError(f"file of sets {path} lists no sets; write one set of 3 or more regions per line.")
    return candidate_table(sets, names, "user")
