"""Region extraction with real nilearn maskers on the demo subject (planted structure)."""

from __future__ import annotations

import itertools
import json
import shutil
from pathlib import Path

import nibabel as nib
import numpy as np
import pandas as pd
import pytest

from fmri_oinfo import estimate_oinfo
from fmri_oinfo.atlases import load_atlas
from fmri_oinfo.demo import make_demo_dataset
from fmri_oinfo.extract import RegionExtractor, RegionTimeseries, extract_timeseries, temporal_snr
from fmri_oinfo.inputs import find_runs


@pytest.fixture(scope="module")
def demo_root(tmp_path_factory) -> Path:
    return make_demo_dataset(tmp_path_factory.mktemp("demo") / "derivatives", n_subjects=1, n_volumes=300, seed=0)


@pytest.fixture(scope="module")
def truth(demo_root: Path) -> dict[str, list[str]]:
    content = json.loads((demo_root / "ground_truth.json").read_text())
    return {g["name"]: g["regions"] for g in content["sets"]}


@pytest.fixture(scope="module")
def default_ts(demo_root: Path) -> RegionTimeseries:
    return extract_timeseries(find_runs(demo_root / "sub-01"))


def _confounds_table(demo_root: Path) -> pd.DataFrame:
    (path,) = (demo_root / "sub-01" / "func").glob("*_desc-confounds_timeseries.tsv")
    return pd.read_csv(path, sep="\t", na_values="n/a")


def _min_pairwise_corr(data: pd.DataFrame, names: list[str]) -> float:
    corr = data[names].corr().to_numpy()
    return float(corr[np.triu_indices_from(corr, 1)].min())


def test_default_extraction_recovers_the_planted_groups(default_ts: RegionTimeseries, truth) -> None:
    data = default_ts.data
    assert _min_pairwise_corr(data, truth["redundant"]) > 0.5
    target = truth["synergistic_triplet"][2]
    assert all(data[target].corr(data[r]) > 0.4 for r in truth["synergistic_triplet"][:2])

    sets = [truth["redundant"], truth["synergistic_triplet"], truth["synergistic_5set"]]
    o_info = estimate_oinfo(data, sets, estimator="gaussian")["o_info"].to_numpy()
    assert o_info[0] > 0.2, o_info  # redundant: about +0.6 nats
    assert o_info[1] < -0.2, o_info  # synergistic triplet: about -0.5 nats
    assert o_info[2] < -0.3, o_info  # synergistic 5-set: about -1.1 nats
    # the 5-set's building blocks look independent: their triplets carry almost no O-information
    triplets = [list(t) for t in itertools.combinations(truth["synergistic_5set"][:4], 3)]
    assert np.abs(estimate_oinfo(data, triplets)["o_info"]).max() < 0.05


def test_default_metadata_and_standardisation(default_ts: RegionTimeseries, demo_root: Path) -> None:
    data, meta = default_ts.data, default_ts.metadata
    assert data.shape[0] == 300
    assert data.shape[1] + len(meta["dropped_regions"]) == 300
    assert list(default_ts.regions["name"]) == list(data.columns)
    assert list(default_ts.regions.columns) == ["name", "network", "x", "y", "z", "anatomy", "anatomy_distance_mm"]
    np.testing.assert_allclose(data.mean(axis=0), 0.0, atol=1e-10)
    np.testing.assert_allclose(data.std(axis=0, ddof=1), 1.0, rtol=1e-10)
    assert meta["t_r"] == 2.0 and meta["confound_strategy"] == "simple"
    assert meta["atlas"]["name"] == "seitzman2018" and meta["atlas"]["kind"] == "spheres"
    assert meta["cleaning"]["high_pass"] == 0.01 and meta["cleaning"]["low_pass"] == 0.1
    (run,) = meta["runs"]
    assert run["censored_volumes"] == [] and run["rows"] == [0, 300] and run["n_volumes"] == 300
    assert {"trans_x", "rot_z_derivative1_power2", "white_matter", "csf", "cosine00"} <= set(run["confound_columns"])
    fd = _confounds_table(demo_root)["framewise_displacement"].to_numpy()
    assert meta["framewise_displacement"][0] is None
    np.testing.assert_allclose(meta["framewise_displacement"][1:], fd[1:], rtol=1e-6)


def test_region_qc_and_framewise_displacement_of_every_volume(default_ts: RegionTimeseries, demo_root: Path) -> None:
    meta = default_ts.metadata
    qc = meta["region_qc"]
    assert list(qc) == list(default_ts.data.columns)
    tsnr = np.array([q["tsnr"] for q in qc.values()])
    coverage = np.array([q["coverage"] for q in qc.values()])
    assert np.isfinite(tsnr).all() and tsnr.min() > 5  # raw demo signals: a baseline far above their noise
    assert ((coverage > 0) & (coverage <= 1)).all() and np.median(coverage) == 1.0
    fd = _confounds_table(demo_root)["framewise_displacement"].to_numpy()
    (run,) = meta["runs"]
    assert len(run["framewise_displacement"]) == run["n_volumes"] == 300 and run["framewise_displacement"][0] is None
    np.testing.assert_allclose(run["framewise_displacement"][1:], fd[1:], rtol=1e-6)


def test_temporal_snr_is_mean_over_detrended_spread() -> None:
    rng = np.random.default_rng(0)
    noise = rng.standard_normal((2000, 2))
    series = np.column_stack([100.0 + 0.01 * np.arange(2000), np.full(2000, 50.0)]) + np.array([2.0, 5.0]) * noise
    tsnr = temporal_snr(series)
    # the linear drift is removed before the spread: 110 / 2 and 50 / 5, within sampling error
    np.testing.assert_allclose(tsnr, [series[:, 0].mean() / 2.0, 10.0], rtol=0.05)
    assert np.isnan(temporal_snr(np.ones((10, 1)))[0])  # a constant series has no tSNR


def test_fd_threshold_censors_the_spikes(demo_root: Path, truth) -> None:
    fd = _confounds_table(demo_root)["framewise_displacement"].to_numpy()
    spikes = np.flatnonzero(fd > 0.5).tolist()
    assert 4 <= len(spikes) <= 8  # 4 planted spikes, each raising FD on entry and exit
    ts = extract_timeseries(demo_root / "sub-01", fd_threshold=0.5)
    assert ts.metadata["runs"][0]["censored_volumes"] == spikes
    assert ts.metadata["censored_volumes"] == {"task-rest": spikes}
    assert ts.data.shape[0] == 300 - len(spikes)
    assert len(ts.metadata["framewise_displacement"]) == ts.data.shape[0]
    assert max(v for v in ts.metadata["framewise_displacement"] if v is not None) <= 0.5
    assert _min_pairwise_corr(ts.data, truth["redundant"]) > 0.5


@pytest.mark.parametrize("strategy", ["scrubbing", "compcor"])
def test_other_nilearn_presets(demo_root: Path, truth, strategy: str) -> None:
    ts = extract_timeseries(demo_root / "sub-01", confounds=strategy)
    run = ts.metadata["runs"][0]
    assert ts.metadata["confound_strategy"] == strategy
    if strategy == "scrubbing":
        fd = _confounds_table(demo_root)["framewise_displacement"].to_numpy()
        assert set(np.flatnonzero(fd > 0.5)) <= set(run["censored_volumes"])
        assert ts.data.shape[0] == 300 - len(run["censored_volumes"])
        assert "white_matter_derivative1_power2" in run["confound_columns"]
    else:
        assert {f"a_comp_cor_{k:02d}" for k in range(5)} <= set(run["confound_columns"])
        assert ts.data.shape[0] == 300
    assert _min_pairwise_corr(ts.data, truth["redundant"]) > 0.4


def test_no_confounds_and_no_filtering(demo_root: Path) -> None:
    extractor = RegionExtractor(confounds=None, high_pass=None, low_pass=None, standardize=None)
    ts = extractor.fit_transform(find_runs(demo_root / "sub-01"))
    assert ts.metadata["confound_strategy"] is None
    assert ts.metadata["runs"][0]["confound_columns"] == []
    assert extractor.atlas_.n_regions == ts.data.shape[1]
    assert extractor.dropped_regions_ == ts.metadata["dropped_regions"]
    # not standardised: raw-scale series keep a variance far from 1
    assert abs(float(ts.data.var().median()) - 1.0) > 0.1


def test_save_and_load_round_trip(default_ts: RegionTimeseries, tmp_path: Path) -> None:
    path = default_ts.save(tmp_path / "sub-01_timeseries.tsv")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sub-01_timeseries.json", "sub-01_timeseries.tsv"]
    loaded = RegionTimeseries.load(path)
    assert list(loaded.data.columns) == list(default_ts.data.columns)
    np.testing.assert_allclose(loaded.data.to_numpy(), default_ts.data.to_numpy(), rtol=1e-9, atol=1e-12)
    pd.testing.assert_frame_equal(loaded.regions, default_ts.regions.reset_index(drop=True), check_dtype=False)
    assert loaded.metadata["t_r"] == 2.0
    assert loaded.metadata["runs"][0]["bold"] == default_ts.metadata["runs"][0]["bold"]
    with pytest.raises(FileNotFoundError, match="sidecar"):
        RegionTimeseries.load(tmp_path / "other.tsv")


def _copy_run(demo_root: Path, target: Path, entity: str) -> None:
    for path in (demo_root / "sub-01" / "func").iterdir():
        name = path.name.replace("task-rest_", f"task-rest_{entity}_")
        (target / "sub-01" / "func").mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target / "sub-01" / "func" / name)


def test_two_runs_are_cleaned_separately_then_concatenated(demo_root: Path, tmp_path: Path, truth) -> None:
    _copy_run(demo_root, tmp_path, "run-1")
    _copy_run(demo_root, tmp_path, "run-2")
    runs = find_runs(tmp_path / "sub-01")
    assert [r.entities["run"] for r in runs] == ["1", "2"]
    ts = extract_timeseries(runs)
    assert ts.data.shape[0] == 600
    assert [r["rows"] for r in ts.metadata["runs"]] == [[0, 300], [300, 600]]
    first, second = ts.data.iloc[:300].to_numpy(), ts.data.iloc[300:].to_numpy()
    np.testing.assert_allclose(first, second, atol=1e-9)  # identical runs, each cleaned on its own
    np.testing.assert_allclose(second.mean(axis=0), 0.0, atol=1e-10)


def test_empty_and_constant_regions_are_dropped_and_reported(demo_root: Path, tmp_path: Path, truth) -> None:
    _copy_run(demo_root, tmp_path, "run-1")
    func = tmp_path / "sub-01" / "func"
    (mask_path,) = func.glob("*_desc-brain_mask.nii.gz")
    (bold_path,) = func.glob("*_desc-preproc_bold.nii.gz")
    mask_img = nib.load(mask_path)
    mask = np.asanyarray(mask_img.dataobj).copy()
    mask[:8] = 0  # x <= -56 mm: the left-most regions have no voxel left (planted ones lie at x >= -42)
    nib.save(nib.Nifti1Image(mask, mask_img.affine), mask_path)
    atlas = load_atlas("seitzman2018")
    constant_name = truth["redundant"][0]
    bold = nib.load(bold_path)
    data = np.asanyarray(bold.dataobj).copy()
    from fmri_oinfo.atlases import sphere_voxels

    (voxels,) = sphere_voxels(atlas.coords[atlas.regions["name"] == constant_name], 5.0, bold.affine, mask.shape, mask != 0)
    data.reshape(-1, data.shape[3])[voxels] = 1000
    nib.save(nib.Nifti1Image(data, bold.affine, bold.header), bold_path)

    with pytest.warns(UserWarning, match=rf"dropped \d+ region\(s\) of atlas 'seitzman2018': .*{constant_name} \(constant"):
        ts = extract_timeseries(tmp_path / "sub-01")
    dropped = {d["name"]: d["reason"] for d in ts.metadata["dropped_regions"]}
    assert dropped[constant_name].startswith("constant")
    empty = [n for n, r in dropped.items() if r.startswith("empty")]
    expected_empty = atlas.regions.loc[atlas.regions["x"] < -64, "name"]
    assert len(expected_empty) >= 2 and set(expected_empty) <= set(empty)
    assert atlas.regions.set_index("name").loc[empty, "x"].max() < -50
    planted = [n for names in truth.values() for n in names]
    assert set(planted) - set(ts.data.columns) == {constant_name}
    assert not set(dropped) & set(ts.data.columns)
    assert ts.data.shape[1] == 300 - len(dropped)
    assert _min_pairwise_corr(ts.data, truth["redundant"][1:]) > 0.5


def test_labels_atlas_path(demo_root: Path, tmp_path: Path, truth) -> None:
    """The sphere label image saved as a user labels atlas goes through NiftiLabelsMasker."""
    atlas = load_atlas("seitzman2018")
    nib.save(atlas.label_image(), tmp_path / "spheres.nii.gz")
    pd.DataFrame({"index": np.arange(1, 301), "name": atlas.regions["name"], "network": atlas.regions["network"]}).to_csv(
        tmp_path / "spheres.tsv", sep="\t", index=False)
    extractor = RegionExtractor(atlas=tmp_path / "spheres.nii.gz")
    ts = extractor.fit_transform(demo_root / "sub-01")
    assert extractor.atlas_.kind == "labels"
    assert ts.data.shape[1] + len(extractor.dropped_regions_) == 300
    assert set(truth["redundant"]) <= set(ts.data.columns)
    assert _min_pairwise_corr(ts.data, truth["redundant"]) > 0.5


def test_maps_atlas_path(demo_root: Path, tmp_path: Path, truth) -> None:
    """Gaussian blobs at the planted regions go through NiftiMapsMasker."""
    atlas = load_atlas("seitzman2018")
    names = truth["redundant"] + truth["synergistic_triplet"]
    centres = atlas.coords[atlas.regions["name"].isin(names).to_numpy()]
    order = atlas.regions.loc[atlas.regions["name"].isin(names), "name"].tolist()
    affine = np.array([[3.0, 0, 0, -96.0], [0, 3.0, 0, -132.0], [0, 0, 3.0, -72.0], [0, 0, 0, 1]])
    grid = nib.affines.apply_affine(affine, np.stack(np.meshgrid(*map(np.arange, (65, 77, 63)), indexing="ij"), -1))
    maps = np.stack([np.exp(-((grid - c) ** 2).sum(-1) / (2 * 3.0**2)) for c in centres], axis=-1)
    maps[maps < 0.05] = 0
    nib.save(nib.Nifti1Image(maps.astype(np.float32), affine), tmp_path / "blobs.nii.gz")
    pd.DataFrame({"index": np.arange(1, len(order) + 1), "name": order, "network": ""}).to_csv(
        tmp_path / "blobs.tsv", sep="\t", index=False)
    ts = extract_timeseries(demo_root / "sub-01", atlas=tmp_path / "blobs.nii.gz")
    assert list(ts.data.columns) == order and ts.metadata["atlas"]["kind"] == "maps"
    assert _min_pairwise_corr(ts.data, truth["redundant"]) > 0.5


def test_parameter_errors(demo_root: Path, tmp_path: Path) -> None:
    runs = find_runs(demo_root / "sub-01")
    with pytest.raises(ValueError, match=r"low_pass=0.3 Hz is at or above the Nyquist frequency 0.25 Hz of TR 2 s"):
        extract_timeseries(runs, low_pass=0.3)
    with pytest.raises(ValueError, match=r"high_pass=0.1 Hz must be below low_pass=0.05 Hz"):
        extract_timeseries(runs, high_pass=0.1, low_pass=0.05)
    with pytest.raises(ValueError, match=r"confounds='aroma'; use 'auto', None or one of"):
        extract_timeseries(runs, confounds="aroma")
    with pytest.raises(ValueError, match=r"standardize='psc'"):
        extract_timeseries(runs, standardize="psc")
    plain = tmp_path / "plain"
    plain.mkdir()
    shutil.copy(runs[0].bold, plain / "rest.nii.gz")
    plain_runs = find_runs(plain)
    with pytest.raises(ValueError, match=r"confounds='simple' needs fMRIPrep confounds .* next to rest.nii.gz"):
        extract_timeseries(plain_runs, confounds="simple")
    with pytest.raises(ValueError, match=r"fd_threshold=0.5 needs a framewise_displacement column; rest.nii.gz has no confounds"):
        extract_timeseries(plain_runs, fd_threshold=0.5)
    other = type(runs[0])(bold=runs[0].bold, confounds=None, mask=None, t_r=1.0, entities={}, layout="plain")
    with pytest.raises(ValueError, match=r"different repetition times \[1.0, 2.0\]"):
        extract_timeseries([runs[0], other])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plain"]
