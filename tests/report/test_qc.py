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
    carpet = [a for a in figure.axes if a.get_title().startswith("Region signals")][0]
    assert carpet.get_title() == "Region signals (12 regions, 10 volumes, 3 censored)"
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
