"""The outputs as a BIDS derivative, a resumed run byte for byte, stale outputs of an earlier run."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings

import nibabel as nib
import pytest

from fmri_oinfo import __version__
from fmri_oinfo.pipeline import read_result_table, run_subject, stages
from fmri_oinfo.pipeline.config import with_overrides


def _run(subject, config, out):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return run_subject(subject, config, out)


def test_dataset_description_sidecars_and_mni_codes(demo_run):
    description = json.loads((demo_run.out_dir.parent / "dataset_description.json").read_text())
    assert description["DatasetType"] == "derivative"
    assert description["GeneratedBy"][0]["Name"] == "fmri-oinfo"
    assert description["GeneratedBy"][0]["Version"] == __version__
    provenance = json.loads(demo_run.provenance.read_text())
    for path in (demo_run.results, demo_run.region_scores, *demo_run.maps.values()):
        name = path.name[: -len(".nii.gz")] if path.name.endswith(".nii.gz") else path.stem
        sidecar = json.loads(path.with_name(name + ".json").read_text())
        assert sidecar["Units"] == "nats" and sidecar["Estimator"] == "gaussian", path.name
        assert sidecar["ConfigurationHash"] == provenance["config_key"]
    for path in demo_run.maps.values():
        header = nib.load(path).header
        assert (int(header["sform_code"]), int(header["qform_code"])) == (4, 4), path.name  # MNI152


def test_the_result_sidecar_gives_the_table_its_attrs_back(demo_run):
    table = read_result_table(demo_run.results)
    assert table.attrs["estimator"] == "gaussian" and table.attrs["error_rate"] == "FDR"
    assert isinstance(table.attrs["reachable"], bool) and isinstance(table.attrs["n_tested"], int)
    assert table.attrs["n_tested"] == len(table)


def test_a_run_resumed_after_the_extraction_is_byte_identical(demo_run, demo_root, small_config, tmp_path,
                                                                monkeypatch):
    """The extraction stage is reused from the cache: its time series must be the computed ones, exactly."""
    out = tmp_path / "sub-01"

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt("simulated interruption in the statistics stage")

    monkeypatch.setattr(stages, "assess", interrupted)
    with pytest.raises(KeyboardInterrupt):
        _run(demo_root / "sub-01", small_config, out)
    monkeypatch.undo()
    resumed = _run(demo_root / "sub-01", small_config, out)
    assert resumed.stages["extraction"] == "reused" and resumed.stages["assessment"] == "computed"
    assert resumed.results.read_bytes() == demo_run.results.read_bytes()
    assert resumed.region_scores.read_bytes() == demo_run.region_scores.read_bytes()


def test_outputs_switched_off_are_removed_from_the_earlier_run(demo_run, demo_root, small_config, tmp_path):
    out = tmp_path / "sub-01"
    first = _run(demo_root / "sub-01", small_config, out)
    assert first.report.is_file() and first.maps and first.graphs
    quiet = with_overrides(small_config, outputs__report=False, outputs__maps=False, outputs__graphs=False)
    second = _run(demo_root / "sub-01", quiet, out)
    assert not first.report.exists()
    assert not any(p.exists() for p in (*first.maps.values(), *first.graphs.values()))
    assert second.results.is_file() and second.region_scores.is_file()
    assert set(second.removed) >= {first.report.name, *(p.name for p in first.maps.values())}
    assert json.loads(second.provenance.read_text())["removed_stale_outputs"] == list(second.removed)


def test_help_answers_without_loading_the_heavy_libraries():
    """``--help`` is fast because it imports no numpy stack: checked by what it loads, not by a clock."""
    for module in ("fmri_oinfo.pipeline", "fmri_oinfo.group"):
        done = subprocess.run([sys.executable, "-m", module, "--help"], capture_output=True, text=True, check=False)
        assert done.returncode == 0 and "usage:" in done.stdout
        imported = subprocess.run(
            [sys.executable, "-c", f"import sys, runpy; sys.argv = ['x', '--help']\ntry:\n"
                                   f"    runpy.run_module('{module}', run_name='__main__')\nexcept SystemExit:\n"
                                   "    pass\nprint(sorted(m for m in ('torch', 'nilearn', 'pandas', 'distributed') "
                                   "if m in sys.modules))"],
            capture_output=True, text=True, check=False)
        assert imported.stdout.strip().endswith("[]"), imported.stdout
