"""Network strategy: within-network and spanning sets from atlas labels."""

from itertools import combinations, product

import pandas as pd
import pytest

from fmri_oinfo.candidates import network_candidates

NAMES = ["v1", "v2", "v3", "v4", "d1", "d2", "d3", "s1", "s2", "x"]
LABELS = ["Visual"] * 4 + ["Default"] * 3 + ["SomMot"] * 2 + [""]


@pytest.fixture
def regions():
    return pd.DataFrame({"name": NAMES, "network": LABELS, "x": 0.0, "y": 0.0, "z": 0.0})


def test_within_network_sets_are_all_subsets_of_each_network(regions):
    table = network_candidates(NAMES, regions, [3], modes=["within"])
    by_reason = table.groupby("chosen_by")["set"].apply(set).to_dict()
    assert by_reason == {
        "network:Default": {("d1", "d2", "d3")},
        "network:Visual": set(combinations(["v1", "v2", "v3", "v4"], 3)),
    }


def test_spanning_sets_take_one_region_per_network(regions):
    table = network_candidates(NAMES, regions, [3], modes=["spanning"])
    expected = {
        tuple(sorted(t, key=NAMES.index))
        for t in product(["v1", "v2", "v3", "v4"], ["d1", "d2", "d3"], ["s1", "s2"])
    }
    assert set(table["set"]) == expected and len(table) == 4 * 3 * 2
    assert set(table["chosen_by"]) == {"network:spanning"}
    assert not any("x" in g for g in table["set"])  # unlabelled region left out


def test_network_cap_counts_both_modes(regions):
    with pytest.raises(ValueError, match=r"gives 29 sets, above max_sets=20"):
        network_candidates(NAMES, regions, [3], max_sets=20)  # 4 + 1 within + 24 spanning


def test_network_table_must_match_the_data(regions):
    with pytest.raises(ValueError, match=r"lacks columns \['network'\]"):
        network_candidates(NAMES, regions.drop(columns="network"), [3])
    with pytest.raises(ValueError, match=r"only in table: \['v1'\], only in data: \['w1'\]"):
        network_candidates(["w1"] + NAMES[1:], regions, [3])
    with pytest.raises(ValueError, match="no network labels"):
        network_candidates(NAMES, regions.assign(network=""), [3])
