"""The subject run's writers: a set labelled beyond FC gives beyond-FC maps and graphs; none gives no such file."""

from __future__ import annotations

import json

import nibabel as nib
import numpy as np
import pandas as pd

from fmri_oinfo.pipeline import outputs

REGIONS = pd.DataFrame({
    "name": ["A", "B", "C", "D", "E"], "network": ["Default", "Default", "Visual", "Visual", ""],
    "x": [-40.0, 40.0, -20.0, 20.0, 0.0], "y": [-50.0, -50.0, -80.0, -80.0, 20.0], "z": [30.0, 30.0, 0.0, 0.0, 40.0],
})

#: A result table as the statistics write it: a multiplicative triplet and its labelled superset (one beyond-FC
#: family), O-information labels beside.
RESULTS = pd.DataFrame({
    "set": [("A", "B", "C"), ("A", "B", "C", "D"), ("C", "D", "E")],
    "order": [3, 4, 3], "o_info": [-0.01, -0.02, 0.3], "label": ["n.s.", "n.s.", "redundant"],
    "family": [0, 0, 1], "family_role": ["", "", "head"],
    "o_info_fmmi": [-0.42, -0.40, 0.31], "excess": [-0.41, -0.38, 0.01], "excess_se": [0.05, 0.06, 0.01],
    "excess_margin": [0.05, 0.05, 0.05], "excess_p": [1e-4, 1e-4, 1.0], "excess_q": [2e-4, 2e-4, 1.0],
    "excess_label": ["synergy beyond FC", "synergy beyond FC", ""],
})


def _label_image() -> nib.Nifti1Image:
    labels = np.zeros((5, 4, 3), dtype=np.int16)
    for j in range(5):
        labels[j, :3, :] = j + 1
    return nib.Nifti1Image(labels, np.diag([10.0, 10.0, 10.0, 1.0]))


def test_a_set_labelled_beyond_fc_gives_its_maps_graphs_and_sidecars(tmp_path):
    names = outputs.OutputNames(tmp_path, "sub-01", "sub-01")
    written = outputs.write_maps(RESULTS, REGIONS, _label_image(), names)
    written.update(outputs.write_graphs(RESULTS, REGIONS, names))
    assert written["map_synergy_beyond_fc"].name == "sub-01_desc-synergybeyondfc_map.nii.gz"
    assert "map_redundancy_beyond_fc" not in written  # no set is labelled redundancy beyond FC: no empty map
    assert written["graph_beyond_fc_hypergraph"].name == "sub-01_desc-beyondfc_graph.graphml"
    assert written["graph_synergy_beyond_fc"].name == "sub-01_desc-synergybeyondfc_graph.graphml"
    assert all(path.is_file() for path in written.values())
    assert set(written) <= set(outputs.FILE_ROLES)  # each file is described in the report's file list
    painted = np.asanyarray(nib.load(written["map_synergy_beyond_fc"]).dataobj)[:, 0, 0]
    np.testing.assert_allclose(painted, [0.41, 0.41, 0.41, 0.38, 0.0], atol=1e-6)  # the family once, by its largest
    sidecars = outputs.write_sidecars(written, RESULTS, "hash", "test")
    content = json.loads(sidecars["map_synergy_beyond_fc_sidecar"].read_text())
    assert "synergy beyond functional connectivity" in content["Description"]


def test_nothing_labelled_beyond_fc_writes_no_beyond_fc_file(tmp_path):
    names = outputs.OutputNames(tmp_path, "sub-01", "sub-01")
    written = outputs.write_maps(RESULTS.assign(excess_label=""), REGIONS, _label_image(), names)
    written.update(outputs.write_graphs(RESULTS.assign(excess_label=""), REGIONS, names))
    assert set(written) == {"map_redundancy", "map_synergy", "map_net_o_info", "graph_hypergraph",
                            "graph_redundancy", "graph_synergy"}
    assert not list(tmp_path.glob("*beyondfc*"))
