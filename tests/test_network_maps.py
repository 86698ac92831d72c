"""A value per network painted on its regions (NIfTI and glass brains)."""

from __future__ import annotations

import nibabel as nib
import numpy as np
import pandas as pd

from fmri_oinfo import network_maps

NETWORKS = {"A": ["r0", "r1"], "B": ["r2"], "C": ["r3", "r4"], "D": ["r5"]}


def _table() -> pd.DataFrame:
    """A redundant (A, B, C) of O 0.3 and a synergistic (B, C, D) of O -0.2; (A, B, D) not labelled."""
    return pd.DataFrame({"set": [("A", "B", "C"), ("B", "C", "D"), ("A", "B", "D")], "o_info": [0.3, -0.2, 0.05],
                         "label": ["redundant", "synergistic", "n.s."], "family": [1, 2, 0]})


def test_each_region_gets_its_networks_score_and_the_maps_paint_it(tmp_path):
    regions = pd.DataFrame({"name": [f"r{j}" for j in range(7)], "x": 0.0, "y": 0.0, "z": 0.0})  # r6: no network
    scores = network_maps.network_scores(_table(), NETWORKS)
    assert scores.set_index("network")["redundancy"].to_dict() == {"A": 0.3, "B": 0.3, "C": 0.3, "D": 0.0}
    assert scores.set_index("network")["synergy"].to_dict() == {"A": 0.0, "B": 0.2, "C": 0.2, "D": 0.2}
    values = network_maps.region_values(scores, NETWORKS, regions)
    np.testing.assert_allclose(values["net_o_info"], [0.3, 0.3, 0.1, 0.1, 0.1, -0.2, 0.0])
    labels = np.zeros((7, 4, 4), dtype=np.int16)
    for j in range(7):
        labels[j, 1:3, 1:3] = j + 1
    image = nib.Nifti1Image(labels, np.diag([4.0, 4.0, 4.0, 1.0]) @ np.array(
        [[1, 0, 0, -14], [0, 1, 0, -8], [0, 0, 1, -8], [0, 0, 0, 1]], dtype=float))
    written = network_maps.write_network_maps(values, image, tmp_path / "sub-01_networks")
    painted = np.asanyarray(nib.load(written["map_net_o_info"]).dataobj)
    np.testing.assert_allclose(painted[:, 1, 1], [0.3, 0.3, 0.1, 0.1, 0.1, -0.2, 0.0], rtol=1e-6)
    assert written["glassbrain_redundancy"].name == "sub-01_networks_desc-redundancy_glassbrain.png"
    assert written["glassbrain_synergy"].stat().st_size > 0
