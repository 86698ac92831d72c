"""CandidateConfig validation and the united entry point."""

import tomllib

import numpy as np
import pandas as pd
import pytest

from fmri_oinfo.candidates import CandidateConfig, choose_candidates
from fmri_oinfo.synthetic import GroundTruthSystem, redundant_block, sum_triplet

NAMES = ["a", "b", "c", "d", "e", "f", "g"]


@pytest.fixture(scope="module")
def data():
    system = GroundTruthSystem.from_blocks([redundant_block(3, 0.6), sum_triplet(0.5), np.eye(1)])
    return pd.DataFrame(system.sample(800, seed=0), columns=NAMES)


@pytest.fixture
def regions():
    return pd.DataFrame({"name": NAMES, "network": ["A", "A", "A", "B", "B", "B", ""]})


def test_union_keeps_every_reason(data, regions, tmp_path):
    groups_file = tmp_path / "sets.tsv"
    groups_file.write_text("a\tb\tc\nd e f g\n")
    config = CandidateConfig(
        strategies=("exhaustive", "networks", "screen", "user"), orders=(3,), top_k=1, n_control=0,
        network_modes=("within",), user_file=str(groups_file),
    )
    table = choose_candidates(data, config, regions=regions)
    assert len(table) == 35 + 1  # all 35 triplets, plus the user's 4-set
    reasons = dict(zip(table["set"], table["chosen_by"]))
    assert reasons[("a", "b", "c")] == "exhaustive;network:A;screen:redundancy;user"
    assert reasons[("d", "e", "f")] == "exhaustive;network:B;screen:synergy"
    assert reasons[("a", "d", "g")] == "exhaustive"
    assert reasons[("d", "e", "f", "g")] == "user"


def test_search_strategy_through_the_config(data):
    config = CandidateConfig(strategies=("search",), search_methods=("beam",), search_targets=("synergy",),
                             max_order=4, search_keep=1, beam_width=10)
    table = choose_candidates(data, config)
    assert table["set"].tolist()[0] == ("d", "e", "f")
    assert table["chosen_by"].tolist() == ["search:beam", "search:beam"]
    assert table["order"].tolist() == [3, 4]


def test_config_from_toml_and_its_errors():
    parsed = tomllib.loads('strategies = ["screen", "search"]\norders = [3, 4]\ntop_k = 7\n')
    config = CandidateConfig.from_mapping(parsed)
    assert config.strategies == ("screen", "search") and config.orders == (3, 4) and config.top_k == 7
    with pytest.raises(ValueError, match=r"unknown key candidates.topk \(did you mean top_k\?\)"):
        CandidateConfig.from_mapping({"topk": 3})
    with pytest.raises(ValueError, match=r"candidates.strategies: \['random'\] not known"):
        CandidateConfig(strategies=("random",))
    with pytest.raises(ValueError, match=r"candidates.orders=\[2\] must list integers >= 3"):
        CandidateConfig(orders=(2,))
    with pytest.raises(ValueError, match="candidates.user_file is not set"):
        CandidateConfig(strategies=("user",))
    with pytest.raises(ValueError, match="candidates.beam_width=0 must be at least 1"):
        CandidateConfig(beam_width=0)


def test_networks_strategy_needs_the_region_table(data):
    with pytest.raises(ValueError, match="needs the region metadata table"):
        choose_candidates(data, CandidateConfig(strategies=("networks",)))


def test_fewer_than_three_regions_is_named_as_such():
    """Two regions (an atlas that kept two) were told to give 'orders from 3 to 2'."""
    with pytest.raises(ValueError, match="O-information needs at least 3 regions and the data have 2"):
        CandidateConfig().check_budget(2)
