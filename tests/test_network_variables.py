"""The atlas's networks as variables: each network as its regions, or as its first k principal components."""

import numpy as np
import pandas as pd
import pytest

from fmri_oinfo import estimate_oinfo
from fmri_oinfo.network_variables import network_variables, principal_components
from fmri_oinfo.synthetic import GroundTruthSystem, random_correlation

NAMES = [f"r{i}" for i in range(9)]
LABELS = ["DMN", "DMN", "VIS", "DMN", "VIS", "", "FPN", "FPN", "SMN"]


@pytest.fixture(scope="module")
def data():
    x = GroundTruthSystem(random_correlation(9, seed=4, strength=1.0)).sample(800, seed=0)
    return pd.DataFrame(x * np.arange(1, 10), columns=NAMES)  # unequal scales: PCs work on standardised columns


def _regions(labels=LABELS, names=NAMES):
    return pd.DataFrame({"name": names, "network": labels})


def test_each_labelled_network_is_one_variable_of_its_regions():
    assert network_variables(_regions(), NAMES) == {"DMN": ["r0", "r1", "r3"], "VIS": ["r2", "r4"],
                                                    "FPN": ["r6", "r7"], "SMN": ["r8"]}
    with pytest.raises(ValueError, match="no region has a network label"):
        network_variables(_regions([""] * 9), NAMES)
    with pytest.raises(ValueError, match="do not match"):
        network_variables(_regions(), NAMES[::-1])


def test_all_components_carry_the_networks_information(data):
    """With as many components as regions, a network's PCs are an invertible mix of its regions: same answer."""
    networks = network_variables(_regions(), NAMES)
    components, variables = principal_components(data, networks, k=3)
    assert variables["DMN"] == ["DMN:pc1", "DMN:pc2", "DMN:pc3"] and variables["SMN"] == ["SMN:pc1"]
    sets = [("DMN", "VIS", "FPN"), ("DMN", "VIS", "FPN", "SMN")]
    by_regions = estimate_oinfo(data, sets, variables=networks)
    by_components = estimate_oinfo(components, sets, variables=variables)
    for quantity in ("tc", "dtc", "o_info", "s_info"):
        np.testing.assert_allclose(by_components[quantity], by_regions[quantity], rtol=0, atol=1e-10)


def test_the_first_components_are_uncorrelated_and_ordered(data):
    components, variables = principal_components(data, {"DMN": ["r0", "r1", "r3"]}, k=2)
    assert list(components.columns) == ["DMN:pc1", "DMN:pc2"]
    corr = np.corrcoef(components.to_numpy(), rowvar=False)
    assert abs(corr[0, 1]) < 1e-10
    variance = components.var().to_numpy()
    assert variance[0] > variance[1]
    # fewer components keep less of the network than all of them
    z = (data[["r0", "r1", "r3"]] - data[["r0", "r1", "r3"]].mean()) / data[["r0", "r1", "r3"]].std(ddof=0)
    assert variance.sum() < z.var().sum()


def test_bad_arguments_are_value_errors(data):
    with pytest.raises(ValueError, match="positive number of principal components"):
        principal_components(data, {"DMN": ["r0", "r1"]}, k=0)
    with pytest.raises(ValueError, match="not in the data"):
        principal_components(data, {"DMN": ["r0", "nope"]}, k=1)
