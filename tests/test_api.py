"""The public estimate_oinfo entry point: table shape, units, validation."""

import numpy as np
import pandas as pd
import pytest

from fmri_oinfo import estimate_oinfo
from fmri_oinfo.synthetic import GroundTruthSystem, redundant_block, synergistic_block


@pytest.fixture(scope="module")
def frame():
    system = GroundTruthSystem.from_blocks([redundant_block(3, 0.6), synergistic_block(4, 0.6)])
    x = system.sample(5000, seed=0)
    names = ["V1", "V2", "V3", "A1", "A2", "A3", "A4"]
    return pd.DataFrame(x, columns=names), system


def test_table_columns_and_order(frame):
    df, system = frame
    sets = [("A1", "A2", "A3", "A4"), ("V1", "V2", "V3"), (0, 3, 4)]
    table = estimate_oinfo(df, sets, gradient=True)
    assert list(table.columns) == ["set", "order", "tc", "dtc", "o_info", "s_info", "o_info_gradient"]
    assert table["set"].tolist() == [("A1", "A2", "A3", "A4"), ("V1", "V2", "V3"), ("V1", "A1", "A2")]
    assert table["order"].tolist() == [4, 3, 3]
    truth = [system.measures(np.array([g]))["o_info"][0] for g in ([3, 4, 5, 6], [0, 1, 2], [0, 3, 4])]
    np.testing.assert_allclose(table["o_info"], truth, atol=0.03)
    assert table.loc[0, "o_info"] < 0 < table.loc[1, "o_info"]
    assert len(table.loc[0, "o_info_gradient"]) == 4


def test_bits_are_nats_over_log2(frame):
    df, _ = frame
    nats = estimate_oinfo(df, [(0, 1, 2)])
    bits = estimate_oinfo(df, [(0, 1, 2)], units="bits")
    assert bits["o_info"][0] == pytest.approx(nats["o_info"][0] / np.log(2))
    assert bits.attrs["units"] == "bits"


@pytest.mark.parametrize(
    "data, sets, message",
    [
        (np.full((50, 4), np.nan), [(0, 1, 2)], "NaN/inf"),
        (np.c_[np.random.default_rng(0).standard_normal((50, 3)), np.ones(50)], [(0, 1, 3)], "constant"),
        (np.random.default_rng(0).standard_normal((4, 4)), [(0, 1, 2)], "at least 5"),
        (np.random.default_rng(0).standard_normal((50, 4)), [(0, 1, 1)], "twice"),
        (np.random.default_rng(0).standard_normal((50, 4)), [(0, 1, 9)], "out of range"),
        (np.random.default_rng(0).standard_normal((50, 4)), [(0, 1)], "3 or more"),
        (np.random.default_rng(0).standard_normal((50, 4)), [], "empty"),
        (np.random.default_rng(0).standard_normal(50), [(0, 1, 2)], "2-D"),
    ],
)
def test_bad_input_is_a_clear_value_error(data, sets, message):
    with pytest.raises(ValueError, match=message):
        estimate_oinfo(data, sets)


def test_unknown_names_suggest_close_matches(frame):
    df, _ = frame
    with pytest.raises(ValueError, match=r"unknown region 'V11'.*Close matches.*'V1'"):
        estimate_oinfo(df, [("V11", "V2", "V3")])


def test_unknown_estimator_and_options(frame):
    df, _ = frame
    with pytest.raises(ValueError, match="estimator='knn'"):
        estimate_oinfo(df, [(0, 1, 2)], estimator="knn")
    with pytest.raises(ValueError, match=r"estimator='gaussian' has no option\(s\) \['no_such_option'\]; "
                                         r"its options are \['batch_size', 'bias_correction'\]"):
        estimate_oinfo(df, [(0, 1, 2)], no_such_option=1)


def test_blocks_on_their_own_rows(frame):
    """Closed-form estimators estimate each block on its rows; FMMI answers every block from one model."""
    from fmri_oinfo.api import estimate_oinfo_on_rows

    df = frame[0].iloc[:1000]
    sets, test_block = [("V1", "V2", "V3"), (0, 2, 3, 4)], np.arange(500, 1000)
    whole, block = estimate_oinfo_on_rows(df, [(sets, None), (sets[:1], test_block)])
    pd.testing.assert_frame_equal(whole, estimate_oinfo(df, sets))
    pd.testing.assert_frame_equal(block, estimate_oinfo(df.iloc[test_block], sets[:1]))
    tiny = dict(steps=20, eval_every=10, min_steps=0, width=16, context_dim=16, embed_dim=4, batch_size=64,
                time_draws=2, eval_size=128, folds=2, ensemble=1)
    first, second = np.arange(300), np.arange(300, len(df))
    whole, a, b = estimate_oinfo_on_rows(df, [(sets, None), (sets, first), (sets, second)], estimator="fmmi",
                                         device="cpu", **tiny)
    # one model: each block averages the same per-row values (separate models would not add up)
    np.testing.assert_allclose((300 * a["o_info"] + 700 * b["o_info"]) / 1000, whole["o_info"], atol=1e-12)
    assert (a["o_info_se"] > whole["o_info_se"]).all()


@pytest.mark.parametrize(
    "sets, message",
    [
        (None, r"sets=None: give a list of sets"),
        (5, r"sets=5: give a list of sets"),
        (["ABC"], r"set 0 is 'ABC', not a sequence of members.*\[\('A', 'B', 'C'\)\]"),
        (("A", "B", "C"), r"set 0 is 'A', not a sequence of members"),
        ([(True, False, 2)], r"member True is a boolean, which would be read as region 1"),
        ([(0, 1, 2), (0, 2, 3, True)], r"set 1 .*member True is a boolean"),
    ],
)
def test_sets_that_would_be_misread_are_refused(sets, message):
    """A string is not read letter by letter, a boolean not as index 0 or 1, and None is not a TypeError."""
    data = pd.DataFrame(np.random.default_rng(0).standard_normal((50, 4)), columns=["A", "B", "C", "D"])
    with pytest.raises(ValueError, match=message):
        estimate_oinfo(data, sets)


def test_sets_given_as_python_sets_still_work():
    data = pd.DataFrame(np.random.default_rng(0).standard_normal((50, 4)), columns=["A", "B", "C", "D"])
    table = estimate_oinfo(data, [{"A", "B", "C"}])
    assert sorted(table.loc[0, "set"]) == ["A", "B", "C"]


@pytest.mark.parametrize("as_frame", [False, True])
def test_complex_data_are_refused_not_truncated(as_frame):
    x = np.random.default_rng(0).standard_normal((50, 4)) * (1 + 0.5j)
    data = pd.DataFrame(x, columns=["A", "B", "C", "D"]) if as_frame else x
    with pytest.raises(ValueError, match="complex numbers; region time series are real"):
        estimate_oinfo(data, [(0, 1, 2)])


def test_every_set_of_data_with_two_regions():
    with pytest.raises(ValueError, match="O-information needs at least 3 regions and the data have 2"):
        estimate_oinfo(np.random.default_rng(0).standard_normal((50, 2)), "all", order=3)


def test_the_package_lists_its_public_names_and_one_version():
    import importlib.metadata

    import fmri_oinfo
    from fmri_oinfo.version import __version__

    assert set(dir(fmri_oinfo)) == {"SubjectFlowModel", "__version__", "dynamic_oinfo", "estimate_mi",
                                    "estimate_oinfo", "iter_oinfo", "local_contrasts", "local_oinfo"}
    assert fmri_oinfo.__version__ == __version__ == importlib.metadata.version("fmri-oinfo")
