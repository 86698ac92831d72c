"""A damaged stage cache is never trusted: a warning names the file and the stage is computed again."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest

from fmri_oinfo.pipeline import run_subject
from fmri_oinfo.pipeline.run import STAGES
from fmri_oinfo.pipeline.stages import NULL_FILE, RESULTS_FILE, TIMESERIES_VALUES


def _run(subject, config, out):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return run_subject(subject, config, out)


def _truncate(path):
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _garble(path):
    path.write_text(path.read_text()[:-40] + "}{ not json")


@pytest.mark.parametrize("stage, name, damage", [
    ("assessment", NULL_FILE, _truncate),
    ("assessment", RESULTS_FILE, _garble),
    ("extraction", TIMESERIES_VALUES, _truncate),
    ("assessment", "done.json", _garble),
])
def test_a_damaged_cached_file_is_named_and_its_stage_recomputed(table_subject, tiny_config, tmp_path,
                                                                 stage, name, damage):
    out = tmp_path / "out"
    first = _run(table_subject, tiny_config, out)
    results = pd.read_csv(first.results, sep="\t")
    [folder] = (out / ".cache").glob(f"{stage}-*")
    damage(folder / name)
    again = _run(table_subject, tiny_config, out)
    named = [text for text in again.warnings if str(folder / name) in text]  # the run's warnings, once each
    assert len(named) == 1 and f"cached {stage} stage cannot be used" in named[0] and "computing it again" in named[0]
    assert again.stages[stage] == "computed"
    assert [again.stages[s] for s in STAGES[:STAGES.index(stage)]] == ["reused"] * STAGES.index(stage)
    pd.testing.assert_frame_equal(pd.read_csv(again.results, sep="\t"), results)
    assert named[0] in json.loads(again.provenance.read_text())["warnings"]
    assert _run(table_subject, tiny_config, out).stages[stage] == "reused"  # repaired


def test_an_intact_cache_is_reused_with_its_exact_values(table_subject, tiny_config, tmp_path):
    out = tmp_path / "out"
    _run(table_subject, tiny_config, out)
    again = _run(table_subject, tiny_config, out)
    assert set(again.stages.values()) == {"reused"}
    [folder] = (out / ".cache").glob("extraction-*")
    marker = json.loads((folder / "done.json").read_text())
    assert set(marker["sha256"]) == {p.name for p in folder.iterdir()} - {"done.json"}
    assert np.load(folder / TIMESERIES_VALUES).shape == (120, 5)
