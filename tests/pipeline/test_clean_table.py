"""The table route's cleaning option: cleans a drifting table with the TR, refuses without it."""

from __future__ import annotations


import numpy as np
import pandas as pd

from fmri_oinfo.inputs.table_cleaning import uncleaned_signs
from fmri_oinfo.pipeline import load_config
from fmri_oinfo.pipeline.cli import main
from fmri_oinfo.pipeline.inputs import gather_inputs
from fmri_oinfo.pipeline.stages import extract


def _drifting_table(folder):
    rng = np.random.default_rng(0)
    values = rng.standard_normal((120, 5)).cumsum(axis=0) * 0.2 + np.linspace(0, 20, 120)[:, None] + 500.0
    path = folder / "sub-01_task-rest_timeseries.tsv"
    pd.DataFrame(values, columns=[f"R{j}" for j in range(5)]).to_csv(path, sep="\t", index=False)
    return path


def test_clean_table_without_repetition_time_exits_with_the_fix(tmp_path, capsys):
    table = _drifting_table(tmp_path)
    assert main([str(table), "--out", str(tmp_path / "out"), "--clean-table", "--quiet"]) == 1
    error = capsys.readouterr().err
    assert "repetition time" in error and "--t-r" in error
    assert not (tmp_path / "out" / "sub-01_task-rest_oinfo.tsv").exists()


def test_clean_table_cleans_the_series_analysed_and_records_it(tmp_path):
    table = _drifting_table(tmp_path)
    original = table.read_bytes()
    raw = pd.read_csv(table, sep="\t")
    assert uncleaned_signs(raw)  # drifts and raw intensities
    config = load_config("fast", t_r=2.0, extraction__clean_table=True)
    inputs = gather_inputs(table, config)
    timeseries = extract(inputs, config)
    assert uncleaned_signs(timeseries.data) == []
    np.testing.assert_allclose(timeseries.data.std(ddof=1), 1.0, rtol=1e-9)
    assert timeseries.metadata["cleaning"]["by"] == "nilearn.signal.clean"
    plain = extract(inputs, load_config("fast", t_r=2.0))  # the option is off by default: the table as given
    np.testing.assert_array_equal(plain.data.to_numpy(), raw.to_numpy())
    assert table.read_bytes() == original  # the user's file is never changed
