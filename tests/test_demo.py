"""The demo dataset: fMRIPrep-shaped, small, fast, reproducible, with its ground truth."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import nibabel as nib
import numpy as np
import pandas as pd
import pytest

import fmri_oinfo
from fmri_oinfo.atlases import load_atlas
from fmri_oinfo.demo import main, make_demo_dataset
from fmri_oinfo.inputs import check_runs, find_runs


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[Path, float]:
    start = time.perf_counter()
    root = make_demo_dataset(tmp_path_factory.mktemp("demo") / "derivatives", n_subjects=3, n_volumes=300, seed=0)
    return root, time.perf_counter() - start


def test_three_subjects_in_seconds_and_a_few_megabytes(demo) -> None:
    root, seconds = demo
    assert seconds < 30.0  # about 2-3 s on an idle 2-core machine
    size = sum(p.stat().st_size for p in root.rglob("*") if p.is_file())
    assert size < 20e6
    assert sorted(p.name for p in root.iterdir()) == [
        "dataset_description.json", "ground_truth.json", "sub-01", "sub-02", "sub-03"]
    assert json.loads((root / "dataset_description.json").read_text())["DatasetType"] == "derivative"


def test_each_subject_is_a_valid_fmriprep_subject(demo) -> None:
    root, _ = demo
    atlas = load_atlas("seitzman2018")
    for subject in ("sub-01", "sub-02", "sub-03"):
        (run,) = find_runs(root / subject)
        assert run.layout == "fmriprep" and run.t_r == 2.0 and run.space == "MNI152NLin2009cAsym"
        assert run.confounds is not None and run.mask is not None
        assert check_runs([run], min_volumes=300, atlas_space=atlas.space, atlas_coords=atlas.coords) == [300]
        bold = nib.load(run.bold)
        assert bold.shape[3] == 300 and np.allclose(bold.header.get_zooms()[:3], 6.0)
        mask = np.asanyarray(nib.load(run.mask).dataobj) > 0
        assert 5_000 < mask.sum() < 12_000  # the MNI brain (about 1.8 l) in 6 mm voxels


def test_confounds_look_like_fmriprep(demo) -> None:
    root, _ = demo
    (path,) = (root / "sub-01" / "func").glob("*_desc-confounds_timeseries.tsv")
    table = pd.read_csv(path, sep="\t", na_values="n/a")
    assert len(table) == 300
    motion = ["trans_x", "trans_y", "trans_z", "rot_x", "rot_y", "rot_z"]
    expected = motion + [f"{m}_derivative1_power2" for m in motion] + [
        "white_matter", "csf", "global_signal", "framewise_displacement", "cosine00", "a_comp_cor_04"]
    assert set(expected) <= set(table.columns)
    assert pd.isna(table.loc[0, "framewise_displacement"]) and pd.isna(table.loc[0, "trans_x_derivative1"])
    fd = table["framewise_displacement"].to_numpy()[1:]
    assert 4 <= (fd > 0.5).sum() <= 8 and np.median(fd) < 0.2
    sidecar = json.loads(path.with_suffix(".json").read_text())
    assert sidecar["a_comp_cor_00"]["Mask"] == "combined"


def test_ground_truth(demo) -> None:
    root, _ = demo
    truth = json.loads((root / "ground_truth.json").read_text())
    sets = {g["name"]: g for g in truth["sets"]}
    assert {name: (g["kind"], len(g["regions"]), g["expected_o_info_sign"]) for name, g in sets.items()} == {
        "redundant": ("redundant", 4, 1),
        "synergistic_triplet": ("synergistic", 3, -1),
        "synergistic_5set": ("synergistic", 5, -1),
    }
    names = set(load_atlas("seitzman2018").regions["name"])
    planted = [r for g in truth["sets"] for r in g["regions"]]
    assert len(set(planted)) == 12 and set(planted) <= names
    assert truth["atlas"] == "seitzman2018" and truth["t_r"] == 2.0 and truth["subjects"] == ["sub-01", "sub-02", "sub-03"]


def test_subjects_differ_and_seeds_reproduce(demo, tmp_path: Path) -> None:
    root, _ = demo
    again = make_demo_dataset(tmp_path / "again", n_subjects=1, n_volumes=300, seed=0)
    other = make_demo_dataset(tmp_path / "other", n_subjects=1, n_volumes=300, seed=1)

    def bold(folder: Path, subject: str = "sub-01") -> np.ndarray:
        return np.asanyarray(nib.load(find_runs(folder / subject)[0].bold).dataobj)

    reference = bold(root)
    np.testing.assert_array_equal(bold(again), reference)
    assert not np.array_equal(bold(other), reference)
    assert not np.array_equal(bold(root, "sub-02"), reference)


def test_refuses_a_foreign_folder_and_bad_arguments(tmp_path: Path) -> None:
    (tmp_path / "mine.txt").write_text("keep me")
    with pytest.raises(ValueError, match="exists and holds other files; give a new or empty folder"):
        make_demo_dataset(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.txt"]
    with pytest.raises(ValueError, match="n_volumes=50; the demo needs at least 100 volumes"):
        make_demo_dataset(tmp_path / "new", n_volumes=50)
    with pytest.raises(ValueError, match="n_subjects=0"):
        make_demo_dataset(tmp_path / "new", n_subjects=0)
    assert not (tmp_path / "new").exists()


def test_an_earlier_demo_is_replaced(tmp_path: Path) -> None:
    make_demo_dataset(tmp_path / "d", n_subjects=2, n_volumes=100)
    make_demo_dataset(tmp_path / "d", n_subjects=1, n_volumes=100)
    assert sorted(p.name for p in (tmp_path / "d").iterdir()) == ["dataset_description.json", "ground_truth.json", "sub-01"]
    assert [p.name for p in tmp_path.iterdir()] == ["d"]  # no staging folder left behind


def test_command_line(tmp_path: Path, capsys) -> None:
    assert main([str(tmp_path / "cli"), "--subjects", "1", "--volumes", "100", "--seed", "3"]) == 0
    assert "run the pipeline on" in capsys.readouterr().out
    assert json.loads((tmp_path / "cli" / "ground_truth.json").read_text())["seed"] == 3
    with pytest.raises(SystemExit) as info:
        main([str(tmp_path / "bad"), "--volumes", "10"])
    assert info.value.code == 2
    repo = Path(fmri_oinfo.__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(repo), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, "-m", "fmri_oinfo.demo", str(tmp_path / "module"), "--subjects", "1",
                           "--volumes", "100"], capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "module" / "sub-01" / "func").is_dir()
