"""Region time-series tables given by the user: TSV, CSV, NPY + labels, real nitime data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fmri_oinfo import estimate_oinfo
from fmri_oinfo.inputs import load_region_table


@pytest.fixture
def series() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    return pd.DataFrame(rng.standard_normal((40, 4)), columns=["PCC", "mPFC", "V1", "M1"])


@pytest.mark.parametrize(("name", "sep"), [("ts.tsv", "\t"), ("ts.csv", ","), ("ts.tsv.gz", "\t")])
def test_delimited_tables_round_trip(tmp_path: Path, series: pd.DataFrame, name: str, sep: str) -> None:
    path = tmp_path / name
    series.to_csv(path, sep=sep, index=False, float_format="%.17g")
    table = load_region_table(path)
    assert list(table.columns) == ["PCC", "mPFC", "V1", "M1"]
    np.testing.assert_allclose(table.to_numpy(), series.to_numpy(), rtol=0, atol=1e-15)


def test_npy_with_labels_file_list_and_default_name(tmp_path: Path, series: pd.DataFrame) -> None:
    path = tmp_path / "ts.npy"
    np.save(path, series.to_numpy())
    labels = tmp_path / "names.txt"
    labels.write_text("\n".join(series.columns) + "\n")
    np.testing.assert_array_equal(load_region_table(path, labels).to_numpy(), series.to_numpy())
    assert list(load_region_table(path, ["a", "b", "c", "d"]).columns) == ["a", "b", "c", "d"]
    (tmp_path / "ts_labels.txt").write_text("\n".join(series.columns))
    assert list(load_region_table(path).columns) == list(series.columns)
    table_labels = tmp_path / "labels.tsv"
    pd.DataFrame({"index": range(4), "name": list("wxyz")}).to_csv(table_labels, sep="\t", index=False)
    assert list(load_region_table(path, table_labels).columns) == list("wxyz")


def test_npy_errors_name_the_file_and_the_fix(tmp_path: Path, series: pd.DataFrame) -> None:
    path = tmp_path / "ts.npy"
    np.save(path, series.to_numpy())
    with pytest.raises(ValueError, match=r"ts.npy: an NPY table needs region names; give labels="):
        load_region_table(path)
    with pytest.raises(ValueError, match=r"has 4 columns but 40 region names \(the array looks transposed"):
        load_region_table(path, [f"r{i}" for i in range(40)])
    np.save(path, np.zeros((3, 4, 5)))
    with pytest.raises(ValueError, match=r"shape \(3, 4, 5\); a 2-D array"):
        load_region_table(path, list("abcd"))


def test_bad_tables(tmp_path: Path, series: pd.DataFrame) -> None:
    with pytest.raises(FileNotFoundError, match="missing.tsv does not exist"):
        load_region_table(tmp_path / "missing.tsv")
    text = tmp_path / "ts.txt"
    text.write_text("a b\n1 2\n")
    with pytest.raises(ValueError, match=r"unknown table format '.txt'"):
        load_region_table(text)
    nan = series.copy()
    nan.iloc[5, 2] = np.nan
    nan.to_csv(tmp_path / "nan.tsv", sep="\t", index=False)
    with pytest.raises(ValueError, match=r"nan.tsv has 1 NaN/inf values in regions \['V1'\]"):
        load_region_table(tmp_path / "nan.tsv")
    words = series.astype(object)
    words.iloc[0, 0] = "oops"
    words.to_csv(tmp_path / "words.csv", index=False)
    with pytest.raises(ValueError, match="words.csv: every column must be numeric"):
        load_region_table(tmp_path / "words.csv")
    series.to_csv(tmp_path / "ok.tsv", sep="\t", index=False)
    with pytest.raises(ValueError, match="labels= is for .npy arrays"):
        load_region_table(tmp_path / "ok.tsv", labels=["a"])


def test_real_resting_state_series_from_nitime() -> None:
    nitime = pytest.importorskip("nitime")
    path = Path(nitime.__file__).parent / "data" / "fmri_timeseries.csv"
    table = load_region_table(path)

    raw = np.genfromtxt(path, delimiter=",", skip_header=1)
    assert table.shape == (250, 31)
    assert table.columns[:4].tolist() == ["WM", "Vent", "Brain", "LCau"]
    np.testing.assert_allclose(table.to_numpy(), raw, rtol=1e-12)
    rois = table.iloc[:, 3:]
    result = estimate_oinfo(rois, [("LPCC", "RPCC", "LPrec"), ("LPut", "RPut", "LCau", "RCau")])
    assert result["set"].tolist() == [("LPCC", "RPCC", "LPrec"), ("LPut", "RPut", "LCau", "RCau")]
    assert np.isfinite(result["o_info"]).all()
    # bilateral homologues of real resting-state data are strongly coupled: total correlation well above zero
    assert (result["tc"] > 0.1).all()
