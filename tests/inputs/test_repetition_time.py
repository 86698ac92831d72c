"""TR from the sidecar, else the header (with units), else the user; disagreements warn."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest

from fmri_oinfo.inputs import find_runs, resolve_t_r


def test_sidecar_wins_and_disagreement_names_both_values(tmp_path: Path, write_bold) -> None:
    bold = write_bold(tmp_path / "sub-01_task-rest_bold.nii.gz", t_r=1.5, shape=(4, 4, 4), n_volumes=5)
    sidecar = tmp_path / "sub-01_task-rest_bold.json"
    sidecar.write_text(json.dumps({"RepetitionTime": 2.0}))
    with pytest.warns(UserWarning, match=r"2 s from the sidecar .* but 1.5 s from the NIfTI header .*using 2 s"):
        assert resolve_t_r(bold, sidecar) == 2.0


def test_agreeing_sources_do_not_warn(tmp_path: Path, write_bold) -> None:
    bold = write_bold(tmp_path / "a.nii.gz", t_r=2.0, shape=(4, 4, 4), n_volumes=5)
    sidecar = tmp_path / "a.json"
    sidecar.write_text(json.dumps({"RepetitionTime": 2.004}))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert resolve_t_r(bold, sidecar, user_t_r=2.0) == pytest.approx(2.004)


@pytest.mark.parametrize(("stored", "unit", "expected"), [(2000.0, "msec", 2.0), (2.0, "sec", 2.0),
                                                           (800000.0, "usec", 0.8), (1500.0, "unknown", 1.5),
                                                           (0.72, "unknown", 0.72)])
def test_header_units(tmp_path: Path, write_bold, stored: float, unit: str, expected: float) -> None:
    bold = write_bold(tmp_path / "a.nii.gz", t_r=stored, time_unit=unit, shape=(4, 4, 4), n_volumes=5)
    assert resolve_t_r(bold, None) == pytest.approx(expected)


def test_user_t_r_used_when_files_have_none_and_warns_when_header_differs(tmp_path: Path, write_bold) -> None:
    bare = write_bold(tmp_path / "bare.nii.gz", t_r=None, shape=(4, 4, 4), n_volumes=5)
    assert resolve_t_r(bare, None, user_t_r=1.2) == 1.2
    with pytest.raises(ValueError, match=r"bare.nii.gz: no repetition time .* give it with t_r="):
        resolve_t_r(bare, None)
    headed = write_bold(tmp_path / "headed.nii.gz", t_r=2.0, shape=(4, 4, 4), n_volumes=5)
    with pytest.warns(UserWarning, match=r"2 s from the NIfTI header .* but 3 s from t_r given by the user"):
        assert resolve_t_r(headed, None, user_t_r=3.0) == 2.0


def test_bad_sidecar_and_bad_user_value(tmp_path: Path, write_bold) -> None:
    bold = write_bold(tmp_path / "a.nii.gz", shape=(4, 4, 4), n_volumes=5)
    broken = tmp_path / "a.json"
    broken.write_text("{not json")
    with pytest.raises(ValueError, match="a.json: cannot read the JSON sidecar"):
        resolve_t_r(bold, broken)
    broken.write_text(json.dumps({"RepetitionTime": -2}))
    with pytest.raises(ValueError, match="RepetitionTime is -2; it must be a positive number"):
        resolve_t_r(bold, broken)
    with pytest.raises(ValueError, match="t_r=0"):
        resolve_t_r(bold, None, user_t_r=0)


def test_find_runs_passes_user_t_r(tmp_path: Path, write_bold) -> None:
    write_bold(tmp_path / "scan.nii.gz", t_r=None, shape=(4, 4, 4), n_volumes=5)
    assert find_runs(tmp_path, t_r=0.9)[0].t_r == 0.9


@pytest.mark.parametrize("sidecar_t_r, user_t_r, where", [(720, None, "from the sidecar"),
                                                           (None, 2000.0, "from t_r given by the user")])
def test_a_repetition_time_in_milliseconds_is_refused(tmp_path: Path, write_bold, sidecar_t_r, user_t_r,
                                                      where) -> None:
    bare = write_bold(tmp_path / "bare.nii.gz", t_r=None, shape=(4, 4, 4), n_volumes=5)
    sidecar = tmp_path / "bare.json"
    if sidecar_t_r is not None:
        sidecar.write_text(json.dumps({"RepetitionTime": sidecar_t_r}))
    with pytest.raises(ValueError, match=rf"{where}.* looks like milliseconds .*give it in seconds: "
                                         rf"{(sidecar_t_r or user_t_r) / 1000:g}\."):
        resolve_t_r(bare, sidecar, user_t_r)
