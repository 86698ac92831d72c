"""Atlas registry: shipped sphere atlases, pre-placed files, user atlases, maskers."""

from __future__ import annotations

from pathlib import Path

import nibabel as nib
import numpy as np
import pandas as pd
import pytest

from fmri_oinfo.atlases import (
    Atlas,
    MANIFEST_DIR,
    list_atlases,
    load_atlas,
    mni_grid,
    read_manifest,
    sphere_voxels,
)

CONTRACT = ["name", "network", "x", "y", "z"]
AFFINE_4MM = np.array([[4.0, 0, 0, -20.0], [0, 4.0, 0, -20.0], [0, 0, 4.0, -20.0], [0, 0, 0, 1]])


@pytest.fixture(autouse=True)
def _no_home_writes(tmp_path_factory, monkeypatch):
    """Point HOME at an empty folder and clear NILEARN_DATA; check nothing lands there."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("NILEARN_DATA", raising=False)
    yield
    assert list(home.iterdir()) == []


def test_registry_lists_every_manifest_and_what_is_offline() -> None:
    table = list_atlases()
    assert sorted(table["name"]) == sorted(read_manifest(p).name for p in MANIFEST_DIR.glob("*.toml"))
    shipped = set(table.loc[table["available"], "name"])
    assert shipped == {"seitzman2018", "power2011", "dosenbach2010"}
    assert table["citation"].str.len().gt(20).all() and table["licence"].str.len().gt(3).all()


@pytest.mark.parametrize(("name", "n_regions", "n_networks"),
                         [("seitzman2018", 300, 14), ("power2011", 264, 1), ("dosenbach2010", 160, 6)])
def test_shipped_sphere_atlases(name: str, n_regions: int, n_networks: int) -> None:
    atlas = load_atlas(name)
    assert atlas.kind == "spheres" and atlas.space == "MNI152" and atlas.radius_mm == 5.0
    assert list(atlas.regions.columns)[:5] == CONTRACT
    assert list(atlas.regions.columns)[5:] == ["anatomy", "anatomy_distance_mm"]  # tests/test_anatomy.py
    assert len(atlas.regions) == n_regions and atlas.regions["name"].is_unique
    assert atlas.regions["network"].nunique() == n_networks
    assert np.all(np.abs(atlas.coords) < 110)


def test_seitzman_names_follow_the_manifest() -> None:
    regions = load_atlas("seitzman2018").regions
    assert regions["name"].str.fullmatch(r"[A-Za-z]+_\d{3}").all()
    assert (regions["name"].str.split("_").str[0] == regions["network"]).all()


def test_seitzman_coarse_class_is_the_shipped_class_with_the_hemisphere() -> None:
    from nilearn import datasets

    from fmri_oinfo.atlases import _seitzman_anatomy

    bunch = datasets.fetch_coords_seitzman_2018(ordered_regions=True)
    coarse = pd.Series([_seitzman_anatomy(str(k), x) for k, x in zip(bunch.regions, bunch.rois["x"])])
    counts = coarse.str.split(" ", n=1).str[1].value_counts()
    # nilearn ships 239 cortical, 27 cerebellar, 16 basal-ganglia, 12 thalamic, 4 hippocampal, 2 amygdala regions
    assert counts.to_dict() == {"cortex": 239, "cerebellum": 27, "basal ganglia": 16, "thalamus": 12,
                                "hippocampus": 4, "amygdala": 2}
    cortex = coarse.str.endswith("cortex").to_numpy()
    sides = coarse[cortex].str.split(" ").str[0]
    assert ((sides == "left").to_numpy() == (bunch.rois["x"].to_numpy()[cortex] < 0)).mean() > 0.97


def test_sphere_label_image_on_the_mni_2mm_grid_is_reproducible() -> None:
    atlas = load_atlas("seitzman2018")
    image = atlas.label_image()
    affine, shape = mni_grid(2.0)
    assert image.shape == shape == (99, 117, 95)
    np.testing.assert_array_equal(image.affine, affine)
    data = np.asanyarray(image.dataobj)
    assert set(np.unique(data)) == set(range(301))
    # each region's nearest voxel carries its label
    vox = np.round(nib.affines.apply_affine(np.linalg.inv(affine), atlas.coords)).astype(int)
    assert np.mean(data[tuple(vox.T)] == np.arange(1, 301)) > 0.97
    # a 5 mm sphere on a 2 mm grid holds 57-81 voxels unless a neighbour takes some
    sizes = np.bincount(data.ravel())[1:]
    assert np.median(sizes) >= 57 and sizes.max() <= 81
    np.testing.assert_array_equal(np.asanyarray(atlas.label_image().dataobj), data)


def test_sphere_voxels_match_nilearn_spheres_masker() -> None:
    """Our voxel sets (used to find empty regions) equal those nilearn averages over."""
    from nilearn.maskers import NiftiSpheresMasker

    rng = np.random.default_rng(0)
    shape = (12, 12, 12)
    data = rng.standard_normal((*shape, 4))
    seeds = np.array([[0.0, 0.0, 0.0], [3.3, -7.1, 9.0], [-13.0, 10.0, 2.0], [7.0, 18.5, 18.5]])
    mask = np.ones(shape, bool)
    mask[8:] = False
    masker = NiftiSpheresMasker([tuple(s) for s in seeds], radius=5.0, allow_overlap=True, standardize=None,
                                mask_img=nib.Nifti1Image(mask.astype(np.uint8), AFFINE_4MM))
    expected = masker.fit_transform(nib.Nifti1Image(data, AFFINE_4MM))  # (4, 4)
    voxels = sphere_voxels(seeds, 5.0, AFFINE_4MM, shape, mask)
    flat = data.reshape(-1, 4)
    ours = np.column_stack([flat[v].mean(axis=0) for v in voxels])
    np.testing.assert_allclose(ours, expected, rtol=1e-6, atol=1e-6)
    assert [len(v) for v in voxels][0] == 7  # centre voxel + its 6 neighbours at 4 mm
    # a sphere outside the mask is empty for us, and nilearn refuses it: extraction drops it first
    (outside,) = sphere_voxels(np.array([[18.5, 18.5, 18.5]]), 5.0, AFFINE_4MM, shape, mask)
    assert len(outside) == 0
    with pytest.raises(ValueError, match="These spheres are empty"):
        NiftiSpheresMasker([(18.5, 18.5, 18.5)], radius=5.0, mask_img=masker.mask_img, standardize=None).fit_transform(
            nib.Nifti1Image(data, AFFINE_4MM))


def test_missing_files_say_which_files_to_put_where(tmp_path: Path) -> None:
    atlas_dir = tmp_path / "atlases_here"
    with pytest.raises(FileNotFoundError) as info:
        load_atlas("schaefer2018-400-7", atlas_dir=atlas_dir)
    message = str(info.value)
    assert "never downloaded" in message
    assert str(atlas_dir / "schaefer_2018" / "Schaefer2018_400Parcels_7Networks_order_FSLMNI152_2mm.nii.gz") in message
    assert str(atlas_dir / "schaefer_2018" / "Schaefer2018_400Parcels_7Networks_order.txt") in message
    assert not atlas_dir.exists()


def _labels_volume(n_labels: int) -> np.ndarray:
    data = np.zeros((10, 10, 10), dtype=np.int16)
    for k in range(n_labels):
        data[2 * k: 2 * k + 2, 2:8, 2:8] = k + 1
    return data


def test_preplaced_schaefer_files_are_used_through_nilearn_data(tmp_path: Path, monkeypatch) -> None:
    folder = tmp_path / "data" / "schaefer_2018"
    folder.mkdir(parents=True)
    nib.save(nib.Nifti1Image(_labels_volume(4), AFFINE_4MM),
             folder / "Schaefer2018_400Parcels_7Networks_order_FSLMNI152_2mm.nii.gz")
    (folder / "Schaefer2018_400Parcels_7Networks_order.txt").write_text(
        "1\t7Networks_LH_Vis_1\t120\t18\t131\t0\n2\t7Networks_LH_Default_1\t1\t2\t3\t0\n"
        "3\t7Networks_RH_Vis_1\t1\t2\t3\t0\n4\t7Networks_RH_Cont_1\t1\t2\t3\t0\n"
    )
    monkeypatch.setenv("NILEARN_DATA", str(tmp_path / "data"))
    atlas = load_atlas("schaefer2018-400-7")
    assert atlas.kind == "labels" and atlas.space == "MNI152NLin6Asym"
    assert atlas.regions["name"].tolist() == ["7Networks_LH_Vis_1", "7Networks_LH_Default_1",
                                              "7Networks_RH_Vis_1", "7Networks_RH_Cont_1"]
    assert atlas.regions["network"].tolist() == ["Vis", "Default", "Vis", "Cont"]
    # centroid of label 1 (voxels x 0-1, y and z 2-7) in mm
    np.testing.assert_allclose(atlas.coords[0], [-20 + 4 * 0.5, -20 + 4 * 4.5, -20 + 4 * 4.5])
    assert list_atlases().set_index("name").at["schaefer2018-400-7", "available"]


def test_preplaced_harvard_oxford_and_difumo(tmp_path: Path) -> None:
    ho = tmp_path / "fsl" / "data" / "atlases"
    (ho / "HarvardOxford").mkdir(parents=True)
    nib.save(nib.Nifti1Image(_labels_volume(3), AFFINE_4MM), ho / "HarvardOxford" / "HarvardOxford-cort-maxprob-thr25-2mm.nii.gz")
    (ho / "HarvardOxford-Cortical.xml").write_text(
        '<?xml version="1.0"?><atlas><data><label index="0" x="1" y="1" z="1">Frontal Pole</label>'
        '<label index="1" x="1" y="1" z="1">Insular Cortex</label>'
        '<label index="2" x="1" y="1" z="1">Superior Frontal Gyrus</label></data></atlas>'
    )
    atlas = load_atlas("harvard-oxford-cort-2mm", atlas_dir=tmp_path)
    assert atlas.regions["name"].tolist() == ["Frontal Pole", "Insular Cortex", "Superior Frontal Gyrus"]

    difumo = tmp_path / "difumo_atlases" / "64"
    (difumo / "2mm").mkdir(parents=True)
    maps = np.zeros((10, 10, 10, 64), np.float32)
    for k in range(64):
        maps[k % 10, (k // 10) % 10, 5, k] = 1.0
    nib.save(nib.Nifti1Image(maps, AFFINE_4MM), difumo / "2mm" / "maps.nii.gz")
    pd.DataFrame({"Component": range(1, 65), "Difumo_names": [f"mode {k}" for k in range(1, 65)],
                  "Yeo_networks7": ["DefaultB"] * 64}).to_csv(difumo / "labels_64_dictionary.csv", index=False)
    atlas = load_atlas("difumo64-2mm", atlas_dir=tmp_path)
    assert atlas.kind == "maps" and atlas.n_regions == 64
    assert atlas.regions["name"][63] == "mode 64" and set(atlas.regions["network"]) == {"DefaultB"}
    np.testing.assert_allclose(atlas.coords[12], [-20 + 4 * 2, -20 + 4 * 1, 0.0])
    labels = np.asanyarray(atlas.label_image().dataobj)
    assert labels[2, 1, 5] == 13 and labels[0, 0, 5] == 1 and labels[0, 0, 4] == 0


def test_user_labels_atlas_with_tsv_and_without(tmp_path: Path) -> None:
    data = _labels_volume(3) * 10  # labels 10, 20, 30
    path = tmp_path / "my_space-MNI152NLin6Asym_atlas.nii.gz"
    nib.save(nib.Nifti1Image(data, AFFINE_4MM), path)
    pd.DataFrame({"index": [30, 10, 20], "name": ["C", "A", "B"], "network": ["n2", "n1", ""]}).to_csv(
        tmp_path / "my_space-MNI152NLin6Asym_atlas.tsv", sep="\t", index=False)
    atlas = load_atlas(path)
    assert atlas.kind == "labels" and atlas.space == "MNI152NLin6Asym"
    assert atlas.regions["name"].tolist() == ["A", "B", "C"]
    assert atlas.regions["network"].tolist() == ["n1", "", "n2"]
    assert set(np.unique(np.asanyarray(atlas.label_image().dataobj))) == {0, 1, 2, 3}

    bare = tmp_path / "bare.nii.gz"
    nib.save(nib.Nifti1Image(data, AFFINE_4MM), bare)
    with pytest.warns(UserWarning, match=r"no bare.tsv \(columns index, name, network\)"):
        assert load_atlas(bare).regions["name"].tolist() == ["region_10", "region_20", "region_30"]


def test_user_maps_atlas(tmp_path: Path) -> None:
    maps = np.zeros((10, 10, 10, 2), np.float32)
    maps[..., 0] = 0.5
    maps[5, 5, 5, 1] = 1.0
    path = tmp_path / "maps.nii.gz"
    nib.save(nib.Nifti1Image(maps, AFFINE_4MM), path)
    atlas = load_atlas(path)
    assert atlas.kind == "maps" and atlas.regions["name"].tolist() == ["map_001", "map_002"]
    np.testing.assert_allclose(atlas.coords[1], [0.0, 0.0, 0.0])
    np.testing.assert_allclose(atlas.coords[0], [-2.0, -2.0, -2.0])


def test_unknown_name_and_bad_manifest(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"unknown atlas 'seitzman'.*close: \['seitzman2018'\]"):
        load_atlas("seitzman")
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "x"\nkind = "spheres"\n')
    with pytest.raises(ValueError, match=r"bad.toml: the atlas manifest lacks the key\(s\) \['title'"):
        load_atlas(bad)
    bad.write_text('colour = "red"\n' + (MANIFEST_DIR / "power2011.toml").read_text())
    with pytest.raises(ValueError, match=r"unknown key\(s\) \['colour'\]"):
        read_manifest(bad)


@pytest.mark.parametrize("kind", ["spheres", "labels", "maps"])
def test_maskers_are_real_nilearn_maskers(tmp_path: Path, kind: str) -> None:
    rng = np.random.default_rng(1)
    bold = nib.Nifti1Image(rng.standard_normal((10, 10, 10, 30)).astype(np.float32), AFFINE_4MM)
    if kind == "spheres":
        atlas = Atlas("toy", "spheres", "MNI152", pd.DataFrame(
            {"name": ["a", "b"], "network": ["", ""], "x": [0.0, 8.0], "y": [0.0, 8.0], "z": [0.0, 8.0]}), radius_mm=5.0)
    elif kind == "labels":
        nib.save(nib.Nifti1Image(_labels_volume(2), AFFINE_4MM), tmp_path / "l.nii.gz")
        with pytest.warns(UserWarning):
            atlas = load_atlas(tmp_path / "l.nii.gz")
    else:
        maps = np.zeros((10, 10, 10, 2), np.float32)
        maps[:5, ..., 0] = 1.0
        maps[5:, ..., 1] = 1.0
        nib.save(nib.Nifti1Image(maps, AFFINE_4MM), tmp_path / "m.nii.gz")
        atlas = load_atlas(tmp_path / "m.nii.gz")
    masker = atlas.make_masker(t_r=2.0, detrend=True)
    assert type(masker).__module__.startswith("nilearn.maskers")
    series = masker.fit_transform(bold)
    assert series.shape == (30, 2)
    assert np.abs(series.mean(axis=0)).max() < 1e-6  # detrended
