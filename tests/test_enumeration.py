import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fmri_oinfo.enumeration import iter_combinations, n_combinations, unrank_combinations


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 12), data=st.data(), batch=st.integers(1, 50))
def test_streams_all_subsets_in_lexicographic_order(n, data, batch):
    k = data.draw(st.integers(1, n))
    got = np.concatenate(list(iter_combinations(n, k, batch)))
    want = np.array(list(itertools.combinations(range(n), k)))
    np.testing.assert_array_equal(got, want)
    assert n_combinations(n, k) == len(want)


def test_batches_are_bounded():
    sizes = [b.shape[0] for b in iter_combinations(30, 4, batch_size=1000)]
    assert max(sizes) == 1000 and sum(sizes) == math.comb(30, 4)


def test_unrank_random_access():
    ranks = np.array([0, 5, math.comb(100, 4) - 1])
    rows = unrank_combinations(100, 4, ranks)
    np.testing.assert_array_equal(rows[0], [0, 1, 2, 3])
    np.testing.assert_array_equal(rows[2], [96, 97, 98, 99])
    np.testing.assert_array_equal(rows[1], list(itertools.islice(itertools.combinations(range(100), 4), 5, 6))[0])


def test_bad_arguments():
    with pytest.raises(ValueError, match="between 1 and n"):
        unrank_combinations(3, 4, np.array([0]))
    with pytest.raises(ValueError, match=r"\[0, 3\)"):
        unrank_combinations(3, 2, np.array([3]))
    with pytest.raises(ValueError, match="batch_size"):
        next(iter_combinations(5, 2, 0))
