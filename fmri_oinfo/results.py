"""The result table on disk: one TSV and its JSON sidecar, written and read here only.

The subject pipeline's output (``<prefix>_oinfo.tsv`` + ``.json``), its
stage cache (``results.tsv`` + ``results.json``, exact floats so that a
resumed run is byte-identical) and the group study's tables
(``group_results.tsv``, ``group_difference.tsv``) use this one format:

- tuples (``set``, ``carriers``, ``member_null_mean``, ``o_info_gradient``)
  as JSON lists in their cell;
- floats to ``digits`` significant digits (None: the shortest exact
  representation), ``n/a`` for missing values;
- the table's ``attrs`` (``docs/results.md``) under ``"Statistics"`` in the
  sidecar, beside descriptive fields.

A leaf module (pandas and json only): the outputs and the report may read it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

#: Result-table columns holding tuples, written as JSON lists.
TUPLE_COLUMNS: tuple[str, ...] = ("set", "carriers", "member_null_mean", "o_info_gradient")

#: Tuple columns of numbers (the others hold names).
_NUMBER_TUPLES: tuple[str, ...] = ("member_null_mean", "o_info_gradient")


def _plain(value: Any) -> Any:
    """A JSON-ready value: numpy scalars and arrays as Python ones, tuples as lists."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def result_table_text(table: pd.DataFrame, digits: int | None = 10) -> str:
    """The result table as TSV text.

    Parameters
    ----------
    table : pandas.DataFrame
    digits : int or None, default=10
        Significant digits of floats; None writes each float exactly (its
        shortest round-trip representation).
    """
    out = table.copy()
    for column in TUPLE_COLUMNS:
        if column not in out.columns:
            continue
        if column in _NUMBER_TUPLES:
            rounded = (lambda v: float(v)) if digits is None else (lambda v: float(f"{v:.{digits}g}"))
            out[column] = [json.dumps([rounded(v) for v in g]) for g in out[column]]
        else:
            out[column] = [json.dumps([str(m) for m in g]) for g in out[column]]
    return out.to_csv(sep="\t", index=False, float_format=None if digits is None else f"%.{digits}g",
                      na_rep="n/a")


def result_sidecar_text(table: pd.DataFrame, **fields: Any) -> str:
    """The JSON sidecar of a result table: ``fields`` and the table's ``attrs`` under ``"Statistics"``."""
    return json.dumps({**_plain(fields), "Statistics": _plain(dict(table.attrs))}, indent=2) + "\n"


def sidecar_path(path: str | Path) -> Path:
    """The sidecar beside a ``.tsv`` table."""
    return Path(path).with_suffix(".json")


def read_result_table(path: str | Path) -> pd.DataFrame:
    """Read a result table written with :func:`result_table_text` (tuples back as tuples, ``attrs`` from the sidecar).

    Raises
    ------
    ValueError
        Naming the file, when a cell or the sidecar cannot be read.
    """
    path = Path(path)
    table = pd.read_csv(path, sep="\t", na_values="n/a", keep_default_na=False)
    try:
        for column in TUPLE_COLUMNS:
            if column in table.columns:
                table[column] = pd.Series([tuple(json.loads(g)) for g in table[column]], dtype=object)
        sidecar = sidecar_path(path)
        if sidecar.is_file():
            content = json.loads(sidecar.read_text(encoding="utf-8"))
            table.attrs = content.get("Statistics", content)  # older tables: the attrs alone
    except (ValueError, TypeError) as error:
        raise ValueError(f"{path} (or its sidecar {sidecar_path(path).name}) cannot be read as a result table: "
                         f"{error}; write it again (delete it and rerun).") from error
    return table
