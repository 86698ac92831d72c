"""Region time-series tables given directly by the user (extraction skipped).

Accepted: a TSV or CSV file whose header row names the regions (one column per
region, one row per time point), or a 2-D NPY array of shape (T, N) with its
region names in a labels file (one name per line, or a TSV/CSV with a
``name`` column).
"""

from __future__ import annotations

import csv
import gzip
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from fmri_oinfo.inputs.entities import strip_extension
from fmri_oinfo.validation import check_timeseries

_SEPARATORS = {".tsv": "\t", ".tsv.gz": "\t", ".csv": ",", ".csv.gz": ","}

#: File endings of region tables.
TABLE_ENDINGS: tuple[str, ...] = (".tsv", ".tsv.gz", ".csv", ".csv.gz", ".npy")

#: Fewest regions (columns) of a table: O-information is defined for sets of 3 or more.
MIN_REGIONS = 3

#: File names that are never a subject's region table.
NOT_TABLES: tuple[str, ...] = (
    "_desc-confounds_timeseries", "_desc-confounds_regressors", "_labels", "participants", "_events",
)


def is_region_table(path: Path) -> bool:
    """Whether ``path`` is a file that can hold a subject's region time series (by its name)."""
    name = path.name
    return path.is_file() and name.lower().endswith(TABLE_ENDINGS) and not any(m in name for m in NOT_TABLES)


def tables_in(folder: Path) -> list[Path]:
    """The region tables anywhere under ``folder``, sorted."""
    return sorted(p for p in Path(folder).rglob("*") if is_region_table(p))


def _extension(path: Path) -> str:
    name = path.name.lower()
    for ext in (".tsv.gz", ".csv.gz", ".tsv", ".csv", ".npy"):
        if name.endswith(ext):
            return ext
    return path.suffix.lower()


def _read_labels(labels: str | Path | Sequence[str], source: Path) -> list[str]:
    if isinstance(labels, (str, Path)):
        labels_path = Path(labels)
        if not labels_path.is_file():
            raise FileNotFoundError(f"labels file {labels_path} for {source} does not exist.")
        if _extension(labels_path) in _SEPARATORS:
            table = pd.read_csv(labels_path, sep=_SEPARATORS[_extension(labels_path)], dtype=str)
            if "name" not in table.columns:
                raise ValueError(
                    f"{labels_path} has columns {list(table.columns)}; a labels table needs a 'name' column "
                    "(or give a text file with one region name per line)."
                )
            return table["name"].tolist()
        return [line.strip() for line in labels_path.read_text().splitlines() if line.strip()]
    return [str(name) for name in labels]


def _default_labels(path: Path) -> Path | None:
    stem = strip_extension(path)
    for name in (f"{stem}_labels.txt", f"{stem}.txt", f"{stem}_labels.tsv"):
        if (path.parent / name).is_file():
            return path.parent / name
    return None


def _load_npy(path: Path, labels: str | Path | Sequence[str] | None) -> pd.DataFrame:
    try:
        values = np.load(path, allow_pickle=False)
    except Exception as err:  # ValueError/EOFError/OSError for broken files
        raise ValueError(f"{path}: cannot read the NPY array ({type(err).__name__}: {err}); save it with numpy.save.") from None
    if values.ndim != 2:
        raise ValueError(f"{path} holds an array of shape {values.shape}; a 2-D array (time points, regions) is needed.")
    labels = labels if labels is not None else _default_labels(path)
    if labels is None:
        raise ValueError(
            f"{path}: an NPY table needs region names; give labels= (a text file with one name per line) "
            f"or put {strip_extension(path)}_labels.txt next to it."
        )
    names = _read_labels(labels, path)
    if len(names) != values.shape[1]:
        hint = " (the array looks transposed: save it as (time points, regions))" if len(names) == values.shape[0] else ""
        raise ValueError(f"{path} has {values.shape[1]} columns but {len(names)} region names{hint}.")
    return pd.DataFrame(values, columns=names)


def _header(path: Path, separator: str) -> list[str]:
    """The header row as written (pandas renames repeated names, ``R1`` -> ``R1.1``)."""
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8", newline="") as stream:
            return next(csv.reader(stream, delimiter=separator), [])
    except (OSError, UnicodeDecodeError, EOFError, csv.Error) as err:
        raise ValueError(f"{path}: cannot read the header row ({type(err).__name__}: {err}); "
                         "give a text table with one header row of region names.") from None


def _check_shape(path: Path, table: pd.DataFrame, min_volumes: int) -> None:
    """Refuse an empty, transposed or too short table, or one with fewer than :data:`MIN_REGIONS` regions.

    A table with fewer rows than columns is called transposed only when its
    columns would be enough time points; otherwise it is too short.
    """
    n_rows, n_columns = table.shape
    if n_rows == 0:
        raise ValueError(
            f"{path} is empty: a header of {n_columns} region name(s) but no rows. A region table needs one row "
            f"per time point (at least {min_volumes})."
        )
    if n_columns > n_rows and n_columns >= min_volumes:
        raise ValueError(
            f"{path} has {n_rows} rows and {n_columns} columns: a region table has time points in rows and one "
            "column per region, so it looks transposed. Save it as (time points, regions); it needs at least "
            f"{min_volumes} time points."
        )
    if n_rows < min_volumes:
        raise ValueError(
            f"{path} has {n_rows} rows (time points); the analysis needs at least {min_volumes} "
            "(inputs.min_volumes). Use a longer recording, or lower min_volumes."
        )
    if n_columns < MIN_REGIONS:
        raise ValueError(
            f"{path} has {n_columns} region column(s) {list(table.columns)}; O-information needs at least "
            f"{MIN_REGIONS} regions and the table has {n_columns}. Give one column per region."
        )


def load_region_table(path: str | Path, labels: str | Path | Sequence[str] | None = None,
                      min_volumes: int = 3) -> pd.DataFrame:
    """Load region time series that were extracted elsewhere.

    Parameters
    ----------
    path : str or pathlib.Path
        ``.tsv``/``.csv`` (optionally gzipped) with a header of region names, or
        ``.npy`` holding a (T, N) array.
    labels : str, pathlib.Path, sequence of str or None
        Region names of an NPY array: a text file (one per line), a TSV/CSV with
        a ``name`` column, or the names themselves.  Without it,
        ``<stem>_labels.txt`` next to the array is used.  Not used for TSV/CSV.
    min_volumes : int, default=3
        Fewest time points (rows) accepted (the pipeline's ``inputs.min_volumes``).

    Returns
    -------
    pandas.DataFrame
        Shape (T, N), float64, columns = region names (str), time in rows.

    Raises
    ------
    FileNotFoundError
        When the file does not exist.
    ValueError
        For unknown formats, an empty file or table, missing names,
        non-numeric, non-finite or constant columns, duplicate names, fewer
        than ``min_volumes`` time points or :data:`MIN_REGIONS` regions, or at
        least ``min_volumes`` columns but fewer rows (a transposed table).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"region table {path} does not exist.")
    ext = _extension(path)
    if ext == ".npy":
        table = _load_npy(path, labels)
    elif ext in _SEPARATORS:
        if labels is not None:
            raise ValueError(f"labels= is for .npy arrays; {path.name} names its regions in its header row.")
        header = _header(path, _SEPARATORS[ext])
        if not header:
            raise ValueError(f"{path} is empty; a region table needs a header row of region names and one row "
                             "per time point.")
        repeated = sorted({name for name in header if header.count(name) > 1})
        if repeated:
            raise ValueError(f"{path}: the header repeats the region name(s) {repeated[:10]}; give every column "
                             "a unique name.")
        if len(header) == 1 and _SEPARATORS[ext] == "\t" and "," in header[0]:
            raise ValueError(f"{path} is comma-separated but named .tsv; rename it .csv or separate columns "
                             "with tabs.")
        try:
            table = pd.read_csv(path, sep=_SEPARATORS[ext])
        except Exception as err:  # pandas raises several types for bad tables
            raise ValueError(f"{path}: cannot read the table ({type(err).__name__}: {err}).") from None
    else:
        raise ValueError(f"{path}: unknown table format {ext!r}; use .tsv, .csv (header of region names) or .npy.")
    table.columns = [str(c) for c in table.columns]
    _check_shape(path, table, max(3, min_volumes))
    values, names = check_timeseries(table, source=str(path))
    return pd.DataFrame(values, columns=names)
