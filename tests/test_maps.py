"""Region scores, painted label images, atomic files and map figures."""

from __future__ import annotations

import ast
import os
import tempfile
from pathlib import Path

os.environ.setdefault("MPLCONFIGDIR", tempfile.mkdtemp(prefix="mplconfig-"))
os.environ.setdefault("MPLBACKEND", "Agg")

import matplotlib.pyplot as plt  # noqa: E402
import nibabel as nib  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from fmri_oinfo import maps  # noqa: E402

NAMES = ["A", "B", "C", "D", "E"]


@pytest.fixture
def regions() -> pd.DataFrame:
    return pd.DataFrame({
        "name": NAMES,
        "network": ["Default", "Default", "Visual", "Visual", ""],
        "x": [-40.0, 40.0, -20.0, 20.0, 0.0],
        "y": [-50.0, -50.0, -80.0, -80.0, 20.0],
        "z": [30.0, 30.0, 0.0, 0.0, 40.0],
    })


@pytest.fixture
def results() -> pd.DataFrame:
    return pd.DataFrame({
        "set": [("A", "B", "C"), ("A", "B", "D"), ("C", "D", "E"), ("A", "C", "E"), ("B", "D", "E")],
        "order": [3, 3, 3, 3, 3],
        "o_info": [0.5, 0.25, -0.4, -0.1, 0.02],
        "label": ["redundant", "redundant", "synergistic", "synergistic", "n.s."],
        "o_info_gradient": [(0.1, 0.2, 0.3), (0.3, 0.0, 0.1), (-0.2, -0.2, -0.4),
                            (-0.1, 0.0, -0.2), (0.0, 0.1, 0.0)],
    })


@pytest.fixture
def label_image() -> nib.Nifti1Image:
    """5 x 4 x 3 grid (10 mm voxels): region j fills column x == j (label j + 1), row y == 3 is background."""
    labels = np.zeros((5, 4, 3), dtype=np.int16)
    for j in range(5):
        labels[j, :3, :] = j + 1
    affine = np.diag([10.0, 10.0, 10.0, 1.0])
    affine[:3, 3] = [-20.0, -60.0, 0.0]
    return nib.Nifti1Image(labels, affine)


def test_region_scores_carry_anatomy_after_network(results, regions):
    """The anatomical names (atlases.with_anatomy) reach the scores table; a missing one reads as ""."""
    named = regions.assign(anatomy=["left precuneus", "right precuneus", None, "right lingual gyrus", "unlabelled"])
    scores = maps.region_scores(results, named)
    columns = list(maps.REGION_SCORE_COLUMNS)
    columns.insert(2, "anatomy")
    assert list(scores.columns) == columns
    assert scores["anatomy"].tolist() == ["left precuneus", "right precuneus", "", "right lingual gyrus", "unlabelled"]
    np.testing.assert_allclose(scores["redundancy"], maps.region_scores(results, regions)["redundancy"], atol=0)


def test_region_scores_sum_significant_sets(results, regions):
    scores = maps.region_scores(results, regions)
    assert list(scores.columns) == list(maps.REGION_SCORE_COLUMNS)
    assert scores["name"].tolist() == NAMES
    # A: redundant sets 0.5 + 0.25; synergistic set (A, C, E) with -0.1.
    expected_redundancy = [0.75, 0.75, 0.5, 0.25, 0.0]
    expected_synergy = [0.1, 0.0, 0.5, 0.4, 0.5]
    np.testing.assert_allclose(scores["redundancy"], expected_redundancy, atol=1e-12)
    np.testing.assert_allclose(scores["synergy"], expected_synergy, atol=1e-12)
    np.testing.assert_allclose(scores["net_o_info"], np.subtract(expected_redundancy, expected_synergy), atol=1e-12)
    assert scores["n_sets"].tolist() == [3, 3, 3, 3, 3]
    assert scores["n_redundant"].tolist() == [2, 2, 1, 1, 0]
    assert scores["n_synergistic"].tolist() == [1, 0, 2, 1, 2]
    # Mean gradient over every tested set containing the region (n.s. included).
    expected_gradient = [(0.1 + 0.3 - 0.1) / 3, (0.2 + 0.0 + 0.0) / 3, (0.3 - 0.2 + 0.0) / 3,
                         (0.1 - 0.2 + 0.1) / 3, (-0.4 - 0.2 + 0.0) / 3]
    np.testing.assert_allclose(scores["mean_gradient"], expected_gradient, atol=1e-12)


def test_region_scores_without_gradient_are_nan(results, regions):
    scores = maps.region_scores(results.drop(columns="o_info_gradient"), regions)
    assert scores["mean_gradient"].isna().all()
    np.testing.assert_allclose(scores["redundancy"].sum(), 2 * 3 * 0.5 / 2 + 3 * 0.25, atol=1e-12)


def test_region_scores_reject_unknown_regions_and_labels(results, regions):
    bad = results.copy()
    bad.loc[0, "set"] = ("A", "B", "Z")
    with pytest.raises(ValueError, match=r"names regions \['Z'\]"):
        maps.region_scores(bad, regions)
    bad = results.copy()
    bad.loc[0, "label"] = "significant"
    with pytest.raises(ValueError, match="unknown labels \\['significant'\\]"):
        maps.region_scores(bad, regions)
    with pytest.raises(ValueError, match=r"lacks columns \['network'\]"):
        maps.region_scores(results, regions.drop(columns="network"))
    with pytest.raises(ValueError, match="gradient of set .* has 2 values"):
        wrong = results.copy()
        wrong.at[0, "o_info_gradient"] = (0.1, 0.2)
        maps.region_scores(wrong, regions)


DEMO_FAMILY = pd.DataFrame({
    # A planted redundant 4-set and its four labelled 3-subsets (the demo's "5 redundant sets"): one family.
    "set": [("A", "B", "C", "D"), ("A", "B", "C"), ("A", "B", "D"), ("A", "C", "D"), ("B", "C", "D"),
            ("C", "D", "E")],
    "o_info": [0.9, 0.3, 0.35, 0.4, 0.45, -0.2],
    "label": ["redundant"] * 5 + ["synergistic"],
    "family": [1, 1, 1, 1, 1, 2],
    "family_role": ["head", "within", "within", "within", "within", "head"],
})


def test_a_family_gives_its_regions_its_value_once_not_summed_over_its_nested_sets(regions):
    scores = maps.region_scores(DEMO_FAMILY, regions)
    # Each region of the 4-set: the family's value 0.9 once (summing the five sets would give 1.6 to 1.7).
    np.testing.assert_allclose(scores["redundancy"], [0.9, 0.9, 0.9, 0.9, 0.0], atol=1e-12)
    assert scores["n_redundant"].tolist() == [1, 1, 1, 1, 0]
    np.testing.assert_allclose(scores["synergy"], [0.0, 0.0, 0.2, 0.2, 0.2], atol=1e-12)
    assert scores["n_sets"].tolist() == [4, 4, 5, 5, 1]


def test_a_weaker_outer_set_is_not_lost_and_disjoint_families_add(regions):
    table = pd.DataFrame({
        # Family 1: a strong 3-set inside a weaker labelled 4-set; family 2: a separate set sharing region D.
        "set": [("A", "B", "C"), ("A", "B", "C", "D"), ("D", "E", "A")],
        "o_info": [0.6, 0.2, 0.3],
        "label": ["redundant"] * 3,
        "family": [1, 1, 2],
    })
    scores = maps.region_scores(table, regions)
    # D is only in the weaker outer set of family 1 (0.2) and in family 2 (0.3); A, B, C take the stronger 0.6.
    np.testing.assert_allclose(scores["redundancy"], [0.6 + 0.3, 0.6, 0.6, 0.2 + 0.3, 0.3], atol=1e-12)
    assert scores["n_redundant"].tolist() == [2, 1, 1, 2, 1]
    # Without the family column every labelled set is its own family, as in older tables.
    alone = maps.region_scores(table.drop(columns="family"), regions)
    np.testing.assert_allclose(alone["redundancy"], [1.1, 0.8, 0.8, 0.5, 0.3], atol=1e-12)


def test_paint_label_image_puts_each_value_on_its_region(label_image):
    values = np.array([1.5, -2.0, 0.25, 3.0, 7.0])
    painted = maps.paint_label_image(label_image, values)
    data = painted.get_fdata()
    assert painted.shape == label_image.shape
    np.testing.assert_array_equal(painted.affine, label_image.affine)
    for j, value in enumerate(values):
        np.testing.assert_allclose(data[j, :3, :], value, atol=1e-6)
    np.testing.assert_array_equal(data[:, 3, :], 0.0)


def test_paint_label_image_rejects_bad_input(label_image):
    with pytest.raises(ValueError, match="labels up to 5 but 3 region values"):
        maps.paint_label_image(label_image, [1.0, 2.0, 3.0])
    fractional = nib.Nifti1Image(np.full((2, 2, 2), 0.5, dtype=np.float32), np.eye(4))
    with pytest.raises(ValueError, match="non-integer or negative"):
        maps.paint_label_image(fractional, [1.0])
    four_d = nib.Nifti1Image(np.ones((2, 2, 2, 3), dtype=np.int16), np.eye(4))
    with pytest.raises(ValueError, match=r"shape \(2, 2, 2, 3\); a 3-D label image"):
        maps.paint_label_image(four_d, [1.0])
    with pytest.raises(ValueError, match="nibabel.Nifti1Image is needed"):
        maps.paint_label_image(np.ones((2, 2, 2)), [1.0])


def test_write_region_maps_round_trip(results, regions, label_image, tmp_path):
    scores = maps.region_scores(results, regions)
    written = maps.write_region_maps(scores, label_image, tmp_path / "sub-01_atlas-toy")
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "sub-01_atlas-toy_desc-netoinfo_map.nii.gz",
        "sub-01_atlas-toy_desc-redundancy_map.nii.gz",
        "sub-01_atlas-toy_desc-synergy_map.nii.gz",
    ]
    synergy = nib.load(written["synergy"]).get_fdata()
    np.testing.assert_allclose(synergy[2, 0, 0], 0.5, atol=1e-6)
    np.testing.assert_allclose(synergy[1, 0, 0], 0.0, atol=1e-6)


def test_write_nifti_refuses_other_suffixes_and_writes_nothing(tmp_path):
    with pytest.raises(ValueError, match="must end with .nii or .nii.gz"):
        maps.write_nifti(nib.Nifti1Image(np.zeros((2, 2, 2)), np.eye(4)), tmp_path / "map.img")
    assert list(tmp_path.iterdir()) == []


def _colorbar_labels(figure) -> list[str]:
    return [a.get_ylabel() or a.get_xlabel() for a in figure.axes if (a.get_ylabel() or a.get_xlabel())]


@pytest.mark.parametrize("with_image", [True, False])
def test_plot_region_map_saves_png_and_svg(results, regions, label_image, tmp_path, with_image):
    scores = maps.region_scores(results, regions)
    figure = maps.plot_region_map(scores, "synergy", label_image if with_image else None)
    assert "synergy (nats)" in _colorbar_labels(figure)
    png = maps.save_figure(figure, tmp_path / "synergy.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    figure = maps.plot_region_map(scores, "redundancy", label_image if with_image else None, title="Toy")
    assert "redundancy (nats)" in _colorbar_labels(figure)
    svg = maps.save_figure(figure, tmp_path / "redundancy.svg")
    assert b"<svg" in svg.read_bytes()[:400]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["redundancy.svg", "synergy.png"]
    with pytest.raises(ValueError, match="kind='both' is not supported"):
        maps.plot_region_map(scores, "both")


def test_colour_maps_start_at_a_visible_colour():
    for kind in ("redundancy", "synergy"):
        red, green, blue, _ = maps.kind_colormap(kind)(0.0)
        assert 0.2126 * red + 0.7152 * green + 0.0722 * blue < 0.85, kind  # not the near-white end
        assert maps.kind_colormap(kind)(1.0) == pytest.approx(plt.get_cmap(maps.KIND_CMAPS[kind])(1.0))


def test_shared_scale_and_floor(results, regions, label_image):
    scores = maps.region_scores(results, regions)
    figure = maps.plot_region_map(scores, "redundancy", label_image, vmax=2.0, floor=0.3,
                                  colorbar_label="summed |difference| (nats)")
    colorbar = [a for a in figure.axes if a.get_ylabel() == "summed |difference| (nats)"]
    assert len(colorbar) == 1 and colorbar[0].get_ylim()[1] == pytest.approx(2.0)  # the shared top, not 0.75
    def most_markers(figure) -> int:  # the top and front views show every marker; the side views one hemisphere
        return max(len(c.get_offsets()) for a in figure.axes for c in a.collections)

    # redundancy scores: A 0.75, B 0.75, C 0.5, D 0.25, E 0
    assert most_markers(maps.plot_region_map(scores, "redundancy", vmax=2.0, floor=0.3)) == 3
    assert most_markers(maps.plot_region_map(scores, "redundancy", vmax=2.0, floor=0.6)) == 2
    assert most_markers(maps.plot_region_map(scores, "redundancy")) == 4  # every positive score
    empty = maps.plot_region_map(scores, "redundancy", vmax=2.0, floor=0.8)  # an empty glass brain
    assert max((len(c.get_offsets()) for a in empty.axes for c in a.collections), default=0) == 0
    with pytest.raises(ValueError, match=r"floor=3.0 must lie in \[0, vmax=2\)"):
        maps.plot_region_map(scores, "redundancy", label_image, vmax=2.0, floor=3.0)


def test_set_members_figure(regions):
    figure = maps.plot_set_members(regions.iloc[:3], maps.KIND_COLORS["synergy"])
    assert len([a for a in figure.axes if a.get_visible()]) >= 3  # left, top and front views
    with pytest.raises(ValueError, match="without MNI coordinates"):
        maps.plot_set_members(regions.iloc[:3].assign(x=np.nan), "red")


def test_plot_surface_map_offline(results, regions, label_image, tmp_path):
    scores = maps.region_scores(results, regions)
    figure = maps.plot_surface_map(label_image, scores["redundancy"].to_numpy(), "redundancy")
    titles = sorted(a.get_title() for a in figure.axes if a.get_title())
    assert titles == ["left lateral", "left medial", "right lateral", "right medial"]
    assert "redundancy (nats)" in _colorbar_labels(figure)
    assert maps.save_figure(figure, tmp_path / "surface.png").stat().st_size > 10_000


def test_outputs_import_nothing_from_torch():
    package = Path(maps.__file__).parent
    sources = [package / "maps.py", package / "graphs.py", *sorted((package / "report").glob("*.py"))]
    for source in sources:
        tree = ast.parse(source.read_text())
        imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                    for alias in node.names}
        imported |= {(node.module or "").split(".")[0] for node in ast.walk(tree)
                     if isinstance(node, ast.ImportFrom)}
        assert "torch" not in imported, source
        modules = {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        assert not [m for m in modules if m.startswith("fmri_oinfo.stats")], source  # outputs test nothing


def test_regions_without_coordinates_are_scored_but_not_drawn_as_markers(results, regions, label_image):
    unplaced = regions.assign(x=np.nan, y=np.nan, z=np.nan)
    with pytest.raises(ValueError, match=r"regions \['A', 'B', 'C', 'D', 'E'\] have missing or non-finite"):
        maps.check_regions(unplaced)  # strict by default: callers that need coordinates keep their check
    assert maps.check_regions(unplaced, require_coordinates=False)["x"].isna().all()
    assert not maps.has_coordinates(unplaced) and maps.has_coordinates(regions)
    scores = maps.region_scores(results, unplaced)
    placed = maps.region_scores(results, regions)
    pd.testing.assert_frame_equal(scores.drop(columns=["x", "y", "z"]), placed.drop(columns=["x", "y", "z"]))
    assert scores[["x", "y", "z"]].isna().all().all()
    with pytest.raises(ValueError, match="without MNI coordinates and no label_image"):
        maps.plot_region_map(scores, "redundancy")
    figure = maps.plot_region_map(scores, "redundancy", label_image)  # the label image places the regions
    assert _colorbar_labels(figure) == ["redundancy (nats)"]
    with pytest.raises(ValueError, match=r"regions \['C'\] have infinite MNI coordinates"):
        maps.check_regions(regions.assign(x=[0.0, 1.0, np.inf, np.nan, 2.0]), require_coordinates=False)


BEYOND_FC = pd.DataFrame({
    # Synergy beyond FC: a triplet inside a weaker labelled 4-set (one family), and a set overlapping it without
    # nesting (its own family); redundancy beyond FC: one set; an unlabelled row with a large excess (ignored).
    "set": [("A", "B", "C"), ("A", "B", "C", "D"), ("A", "D", "E"), ("C", "D", "E"), ("B", "C", "E")],
    "o_info": [-0.5, -0.3, -0.05, 0.2, 0.01],
    "label": ["synergistic", "synergistic", "n.s.", "redundant", "n.s."],
    "excess": [-0.4, -0.25, -0.1, 0.3, -0.9],
    "excess_label": ["synergy beyond FC", "synergy beyond FC", "synergy beyond FC", "redundancy beyond FC", ""],
})


def test_beyond_fc_scores_count_each_family_once_by_hand(regions):
    scores = maps.beyond_fc_scores(BEYOND_FC, regions)
    assert list(scores.columns) == list(maps.BEYOND_FC_SCORE_COLUMNS)
    # A: family {ABC, ABCD} once at max(0.4, 0.25) = 0.4, plus family {ADE} 0.1 (summing the nested sets: 0.75).
    # D: only in the weaker outer set ABCD of the first family (0.25), plus ADE 0.1.
    np.testing.assert_allclose(scores["synergy_beyond_fc"], [0.5, 0.4, 0.4, 0.35, 0.1], atol=1e-12)
    assert scores["n_synergy_beyond_fc"].tolist() == [2, 1, 1, 2, 1]
    np.testing.assert_allclose(scores["redundancy_beyond_fc"], [0.0, 0.0, 0.3, 0.3, 0.3], atol=1e-12)
    assert scores["n_redundancy_beyond_fc"].tolist() == [0, 0, 1, 1, 1]


def test_beyond_fc_families_link_nested_sets_of_the_same_label_only():
    table = pd.DataFrame({
        "set": [("A", "B", "C"), ("A", "B", "C", "D"), ("B", "C", "D"), ("A", "B", "C", "E"), ("A", "B", "E")],
        "excess_label": ["synergy beyond FC", "synergy beyond FC", "synergy beyond FC", "redundancy beyond FC", ""],
    })
    keys = maps.beyond_fc_family_keys(table)
    # ABC < ABCD > BCD: one family through the 4-set; ABCE contains ABC but has the other label; ABE is unlabelled.
    assert keys.tolist() == ["b1", "b1", "b1", "b2", "r4"]
    assert maps.beyond_fc_family_keys(table.drop(columns="excess_label")).tolist() == [f"r{i}" for i in range(5)]


def test_beyond_fc_scores_without_excess_are_zero_and_unknown_labels_are_refused(regions):
    plain = BEYOND_FC.drop(columns=["excess", "excess_label"])
    scores = maps.beyond_fc_scores(plain, regions)
    assert not scores[["synergy_beyond_fc", "redundancy_beyond_fc"]].to_numpy().any()
    assert not maps.has_beyond_fc(plain) and maps.has_beyond_fc(BEYOND_FC)
    with pytest.raises(ValueError, match="unknown excess_label values \\['beyond'\\]"):
        maps.beyond_fc_scores(BEYOND_FC.assign(excess_label="beyond"), regions)


def test_write_beyond_fc_maps_writes_only_labelled_kinds(regions, label_image, tmp_path):
    scores = maps.beyond_fc_scores(BEYOND_FC, regions)
    written = maps.write_beyond_fc_maps(scores, label_image, tmp_path / "sub-01")
    assert written["synergy_beyond_fc"].name == "sub-01_desc-synergybeyondfc_map.nii.gz"
    painted = np.asanyarray(nib.load(written["synergy_beyond_fc"]).dataobj)
    np.testing.assert_allclose(painted[:, 0, 0], [0.5, 0.4, 0.4, 0.35, 0.1], atol=1e-6)
    assert painted[:, 3, :].max() == 0.0  # background stays 0
    only_synergy = maps.beyond_fc_scores(BEYOND_FC.iloc[:3], regions)
    assert set(maps.write_beyond_fc_maps(only_synergy, label_image, tmp_path / "b")) == {"synergy_beyond_fc"}
    none = maps.beyond_fc_scores(BEYOND_FC.assign(excess_label=""), regions)
    assert maps.write_beyond_fc_maps(none, label_image, tmp_path / "c") == {}
    assert not list(tmp_path.glob("c_*"))


def test_beyond_fc_glass_brain_draws_the_beyond_fc_column(regions, label_image, tmp_path):
    scores = maps.beyond_fc_scores(BEYOND_FC, regions)
    figure = maps.plot_region_map(scores, "synergy", label_image, column="synergy_beyond_fc")
    assert maps.save_figure(figure, tmp_path / "bfc.png").stat().st_size > 1000
    with pytest.raises(ValueError, match="no column 'synergy'"):
        maps.plot_region_map(scores, "synergy", label_image)
