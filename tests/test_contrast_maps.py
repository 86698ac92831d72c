"""Region maps of task contrasts: the labelled set with the largest |t| gives a region its value, painted in NIfTI."""

from __future__ import annotations

import json

import nibabel as nib
import numpy as np
import pandas as pd
import pytest

from fmri_oinfo.contrast_maps import contrast_label, contrast_region_scores, write_contrast_maps
from fmri_oinfo.report.example import example_regions, sphere_label_image


def contrasts() -> pd.DataFrame:
    rows = [
        (("L_M1", "R_M1", "L_SMA", "R_SMA"), "task - rest", -0.30, -5.0, "synergistic"),  # a 4-set
        (("L_M1", "R_M1", "L_SMA"), "task - rest", -0.20, -3.0, "synergistic"),  # its labelled subset
        (("L_V1", "R_V1", "L_V4"), "task - rest", 0.10, 4.0, "redundant"),
        (("L_PCC", "R_PCC", "L_mPFC"), "task - rest", 0.90, 10.0, "n.s."),  # not labelled: never mapped
        (("L_M1", "R_M1", "L_SMA"), "rest - task", 0.20, 3.0, "redundant"),
    ]
    return pd.DataFrame(rows, columns=["set", "contrast", "effect", "t", "label"])


def test_each_region_takes_the_largest_abs_t_labelled_set_holding_it_nested_sets_once():
    regions = example_regions()
    scores = contrast_region_scores(contrasts(), regions)
    assert scores["contrast"].drop_duplicates().tolist() == ["task - rest", "rest - task"]
    task = scores[scores["contrast"] == "task - rest"].set_index("name")
    assert task.loc["L_M1", ["effect", "t", "n_sets"]].tolist() == [-0.30, -5.0, 2]  # the 4-set, not -0.5
    assert task.loc["R_SMA", "set"] == "L_M1+R_M1+L_SMA+R_SMA"
    assert task.loc["L_V4", ["effect", "t", "n_sets"]].tolist() == [0.10, 4.0, 1]
    assert task.loc["L_PCC", ["effect", "t", "n_sets"]].tolist() == [0.0, 0.0, 0]  # n.s. set ignored
    assert task.loc["L_PCC", "set"] == ""
    rest = scores[scores["contrast"] == "rest - task"].set_index("name")
    assert rest.loc["L_SMA", "effect"] == 0.20 and rest.loc["R_SMA", "effect"] == 0.0
    bad = contrasts()
    bad.loc[0, "set"] = ("L_M1", "Nowhere")
    with pytest.raises(ValueError, match=r"names regions \['Nowhere'\] that the region table lacks"):
        contrast_region_scores(bad, regions)


def test_maps_paint_the_region_values_and_state_the_rule(tmp_path):
    regions = example_regions()
    label_image = sphere_label_image(regions)
    one = contrasts()[lambda t: t["contrast"] == "task - rest"]  # one glass brain: the test stays short
    written = write_contrast_maps(one, regions, label_image, tmp_path / "sub-01_task-x")
    effect = nib.load(written["contrast_taskMinusRest_effect"])
    assert effect.get_filename().endswith("sub-01_task-x_contrast-taskMinusRest_stat-effect_map.nii.gz")
    labels = np.asarray(label_image.dataobj)
    values = np.asarray(effect.dataobj)
    index = {name: j for j, name in enumerate(regions["name"])}
    assert np.allclose(values[labels == index["L_SMA"] + 1], -0.30)
    assert np.allclose(values[labels == index["L_V4"] + 1], 0.10)
    assert np.allclose(values[labels == index["L_PCC"] + 1], 0.0) and np.allclose(values[labels == 0], 0.0)
    t_map = np.asarray(nib.load(written["contrast_taskMinusRest_t"]).dataobj)
    assert np.allclose(t_map[labels == index["R_M1"] + 1], -5.0)
    sidecar = json.loads(written["contrast_taskMinusRest_effect_sidecar"].read_text())
    assert "largest |t|" in sidecar["Description"] and sidecar["Contrast"] == "task - rest"
    assert written["contrast_taskMinusRest_figure"].read_bytes()[:4] == b"\x89PNG"
    table = pd.read_csv(written["contrast_regions"], sep="\t")
    assert len(table) == len(regions)


def test_contrast_labels_are_bids_values():
    assert contrast_label("task - rest") == "taskMinusRest"
    assert contrast_label("0.5*faces + houses") == "05FacesPlusHouses"
    with pytest.raises(ValueError, match="no letter or digit"):
        contrast_label("*")


def test_time_resolved_outputs_import_neither_torch_nor_the_statistics():
    import subprocess
    import sys

    code = ("import sys, fmri_oinfo.contrast_maps, fmri_oinfo.report.timecourse; "
            "print(sorted(m for m in sys.modules if m == 'torch' or m.startswith(('fmri_oinfo.stats', "
            "'fmri_oinfo.engine', 'fmri_oinfo.candidates'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
