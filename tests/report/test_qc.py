"""Quality-control figures: censored volumes where they were acquired, thresholds, networks, overlays."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex
from matplotlib.contour import ContourSet

from fmri_oinfo.report import qc
from fmri_oinfo.report.example import example_regions, sphere_label_image

RUNS = [{"n_volumes": 6, "censored_volumes": [1, 4]}, {"n_volumes": 4, "censored_volumes": [0]}]


def test_full_timeline_puts_kept_rows_back_where_they_were_acquired():
    kept = np.arange(7, dtype=float)[:, None] * np.array([[1.0, 10.0]])  # (7 kept rows, 2 regions)
    values, censored, boundaries = qc.full_timeline(kept, RUNS)
    assert values.shape == (10, 2) and boundaries == [6]
    np.testing.assert_array_equal(censored, [0, 1, 0, 0, 1, 0, 1, 0, 0, 0])
    np.testing.assert_array_equal(values[:, 0], [0, np.nan, 1, 2, np.nan, 3, np.nan, 4, 5, 6])
    with pytest.raises(ValueError, match="the runs keep 7 volumes but the time series has 8 rows"):
        qc.full_timeline(np.zeros((8, 2)), RUNS)


def test_carpet_shows_networks_and_censored_volumes_in_their_own_colour():
    regions = example_regions()
    data = pd.DataFrame(np.random.default_rng(0).standard_normal((7, len(regions))), columns=regions["name"])
    figure = qc.carpet_figure(data, regions["network"].tolist(), RUNS, t_r=2.0)
    assert figure.get_suptitle() == "Region signals (12 regions, 10 volumes, 3 censored)"
    carpet = [a for a in figure.axes if a.images and a.get_xlabel() == "time (s)"][0]
    image = carpet.images[0]
    assert image.get_array().mask[:, [1, 4, 6]].all() and not image.get_array().mask[:, 0].any()
    assert to_hex(image.get_cmap().get_bad()) == qc.CENSORED_COLOR
    legend = [t.get_text() for lg in figure.legends for t in lg.get_texts()]
    assert legend == ["Default (4)", "Motor (4)", "Visual (4)", "censored volume"]
    # the network strip uses the network colours, none of them the censoring colour
    strip = [a for a in figure.axes if a.get_ylabel() == "regions by network"][0]
    colours = {to_hex(c) for c in strip.images[0].get_cmap().colors}
    assert len(colours) == 3 and qc.CENSORED_COLOR not in colours
    plt.close(figure)


def test_framewise_displacement_marks_threshold_and_censored_share():
    fd = {"run-1": [None, 0.1, 0.9, 0.1, 0.2, 0.1], "run-2": [None, 0.7, 0.1, 0.1]}
    figure = qc.framewise_displacement_figure(fd, {"run-1": [2], "run-2": [1]}, threshold=0.5, t_r=2.0)
    axes = figure.axes[0]
    assert axes.get_title() == "Framewise displacement: mean 0.287 mm; 2 of 10 volumes censored (20.0 %)"  # 2.3 / 8
    assert [t.get_text() for t in axes.get_legend().get_texts()] == ["FD", "censored (2)", "threshold 0.5 mm"]
    censored = [c for c in axes.collections if len(c.get_offsets())][0].get_offsets()
    np.testing.assert_allclose(censored, [[4.0, 0.9], [14.0, 0.7]])  # volume 2 of run 1, volume 1 of run 2 (s)
    plt.close(figure)


def test_tsnr_names_only_the_regions_far_below_the_median():
    regions = example_regions()
    tsnr = [60.0] * len(regions)
    tsnr[3], tsnr[5] = 20.0, None
    figure = qc.tsnr_figure(regions, tsnr)
    axes = figure.axes[0]
    assert [t.get_text() for t in axes.texts] == ["R_mPFC"]  # 20 < 60 / 2; the unknown one is left out
    assert "median 60" in axes.get_title()
    plt.close(figure)


def test_correlation_matrix_is_ordered_by_network():
    regions = example_regions().iloc[[0, 4, 1, 5]].reset_index(drop=True)  # Default, Visual, Default, Visual
    rng = np.random.default_rng(1)
    base = rng.standard_normal((300, 2))
    data = pd.DataFrame(np.column_stack([base[:, 0], base[:, 1], base[:, 0], base[:, 1]])
                        + 0.1 * rng.standard_normal((300, 4)), columns=regions["name"])
    figure = qc.correlation_figure(data, regions["network"].tolist())
    matrix = figure.axes[0].images[0].get_array()
    # grouped: L_PCC, R_PCC (Default) then L_V1, R_V1 (Visual): the correlated pairs sit next to each other
    assert matrix[0, 1] > 0.9 and matrix[2, 3] > 0.9 and abs(matrix[0, 2]) < 0.2
    assert matrix.mask[0, 0]  # the diagonal is not drawn
    plt.close(figure)


def test_atlas_overlay_draws_slices_with_the_mask_outline():
    from nilearn.datasets import load_mni152_brain_mask

    labels = sphere_label_image(example_regions())
    mask = load_mni152_brain_mask(resolution=4)
    figure = qc.atlas_overlay_figure(labels, mask, mask, "Atlas over the mask")
    assert len([a for a in figure.axes if a.get_visible()]) >= 7  # seven axial slices
    assert any(isinstance(c, ContourSet) for a in figure.axes for c in a.collections)  # the mask outline
    plt.close(figure)


def test_motion_summary_counts_volumes_above_each_threshold():
    fd = {"run-1": [None, 0.1, 0.9, 0.25, 0.2, 0.1], "run-2": [None, 0.7, 0.35, 0.1]}
    rows = qc.motion_summary(fd, threshold=0.3)
    assert [row["run"] for row in rows] == ["run-1", "run-2"]
    counts = [[(a["threshold"], a["count"]) for a in row["above"]] for row in rows]
    assert counts == [[(0.2, 2), (0.3, 1), (0.5, 1)], [(0.2, 2), (0.3, 2), (0.5, 1)]]  # 0.2 itself is not above
    assert rows[0]["max"] == 0.9 and rows[1]["above"][0]["share"] == 50.0  # 2 of 4 volumes
    assert rows[0]["mean"] == pytest.approx(1.55 / 5)  # the unknown first volume is left out


def test_dvars_peaks_where_every_region_jumps():
    rng = np.random.default_rng(0)
    values = rng.standard_normal((50, 20)) * 0.1
    values[30:] += 1.0  # a shared step between volumes 29 and 30 (a motion artefact)
    dvars = qc.region_dvars(values)
    assert np.isnan(dvars[0]) and int(np.nanargmax(dvars)) == 30
    np.testing.assert_allclose(dvars[5], np.sqrt(np.mean((values[5] - values[4]) ** 2)))
    values[10] = np.nan  # a censored volume: no change measured next to it
    assert np.isnan(qc.region_dvars(values)[[10, 11]]).all()


def test_fd_and_dvars_traces_sit_above_the_carpet_on_its_time_axis():
    regions = example_regions()
    data = pd.DataFrame(np.random.default_rng(1).standard_normal((7, len(regions))), columns=regions["name"])
    fd = [None, 0.1, 0.2, 1.5, 0.1, 0.1, 0.3, 0.1, 0.1, 0.2]  # 10 acquired volumes, a spike at volume 3
    figure = qc.carpet_figure(data, None, RUNS, t_r=2.0, framewise_displacement=fd, threshold=0.5)
    carpet = [a for a in figure.axes if a.images and a.get_xlabel() == "time (s)"][0]
    fd_axes = [a for a in figure.axes if a.get_ylabel() == "FD (mm)"][0]
    dvars_axes = [a for a in figure.axes if a.get_ylabel() == "DVARS (SD)"][0]
    box = carpet.get_position()
    for trace in (fd_axes, dvars_axes):
        assert trace.get_xlim() == pytest.approx(carpet.get_xlim())  # same time axis
        assert trace.get_position().x0 == pytest.approx(box.x0) and trace.get_position().y0 > box.y1  # above
    assert fd_axes.get_position().y0 > dvars_axes.get_position().y0  # FD on top, as MRIQC shows
    line = fd_axes.lines[0]
    assert line.get_xdata()[int(np.nanargmax(line.get_ydata()))] == 6.0  # the spike at volume 3, 6 s
    assert [ln.get_ydata()[0] for ln in fd_axes.lines[1:2]] == [0.5]  # the threshold
    with pytest.raises(ValueError, match="framewise_displacement has 9 volumes but the carpet has 10"):
        qc.carpet_figure(data, None, RUNS, t_r=2.0, framewise_displacement=fd[:9])
    plt.close("all")


def test_set_glass_brains_get_left_and_right_marks_where_each_hemisphere_is_drawn():
    from fmri_oinfo import maps
    from fmri_oinfo.report.figures import mark_sides

    members = pd.DataFrame({"x": [-40.0, -30.0, -20.0], "y": [-20.0, 10.0, 30.0], "z": [10.0, 20.0, 30.0]})
    figure = mark_sides(maps.plot_set_members(members, "#c0392b"))  # left, top and right views
    marked = [a for a in figure.axes if {t.get_text() for t in a.texts} >= {"L", "R"}]
    assert len(marked) == 1  # the top (axial) view only: the side views show no left and right
    axes = marked[0]
    letters = {t.get_text(): t.get_position()[0] for t in axes.texts if t.get_text() in ("L", "R")}
    assert letters["L"] < 0.5 < letters["R"]
    # the members, all in the left hemisphere, are drawn on the side marked L
    drawn = np.concatenate([c.get_offsets()[:, 0] for c in axes.collections if len(c.get_offsets())])
    centre = np.mean(axes.get_xlim())
    assert (drawn < centre).all() == (letters["L"] < 0.5)
    plt.close(figure)
