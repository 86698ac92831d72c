"""Cross-fitting: no row is scored by a member that trained on it.

The subject model's per-row values are only unbiased if the network that
scores a row never saw it (a network scores its own training rows too
highly).  Each member records the rows it drew training examples from
(``training_rows_``, written by the training loop itself), and the tests
below check the readout against that record, and the bias it prevents.
"""

import numpy as np
import pytest
import torch

from fmri_oinfo import estimate_oinfo
from fmri_oinfo.engine import SubjectFlowModel
from fmri_oinfo.engine.stacked import select_members
from fmri_oinfo.engine.subject_readout import member_corrections
from fmri_oinfo.synthetic import MultiplicativeSystem

#: A tiny fit whose members all learn (x3 = x1 x2 + noise is far from Gaussian), so their corrections differ.
TINY = dict(steps=60, eval_every=10, min_steps=0, width=16, context_dim=16, embed_dim=4, batch_size=64, time_draws=2,
            eval_size=128, folds=3, ensemble=2)


@pytest.fixture(scope="module")
def model():
    x = MultiplicativeSystem(0.3).sample(240, seed=0)
    return SubjectFlowModel(device="cpu", **TINY).fit(x, sets=[(0, 1, 2)])


def test_each_row_is_held_out_of_exactly_one_member_per_replicate(model):
    """The training loop's own record: in each replicate, one member never drew a row, the others did."""
    folds, ensemble = TINY["folds"], TINY["ensemble"]
    assert model.training_rows_.shape == (folds * ensemble, 240)
    for e in range(ensemble):
        trained = model.training_rows_[e * folds : (e + 1) * folds]  # (k, T)
        assert ((~trained).sum(axis=0) == 1).all()
        # the held-out rows are the replicate's contiguous fold (up to the wrap-around of a shifted replicate)
        for j in range(folds):
            held = np.flatnonzero(~trained[j])
            assert held.size == 80 and (np.diff(held) != 1).sum() <= 1


def test_every_row_is_scored_by_the_member_that_did_not_train_on_it(model):
    """Each row's value is the Gaussian part plus the correction of the one member that never drew that row.

    Every member's correction is recomputed at every row; the model's value must
    match the held-out member's to 1e-9 nats (same weights, same source draws),
    while the members that trained on the row give values at least 1e-6 away.
    """
    pairs = model.trained_pairs_
    values = model._pair_values(pairs)  # (P, E, T)
    gaussian = torch.stack([model._gaussian[p] for p in pairs])  # (P, T)
    table = model._pair_table(pairs)
    rows = torch.arange(model.n_samples_)
    folds = TINY["folds"]
    corrections = torch.stack([
        member_corrections(select_members(model.params_, slice(g, g + 1)), model.shape_, model.config_, model.z_,
                           table, rows, model.source_, model.offset_)
        for g in range(model.training_rows_.shape[0])
    ]).numpy()  # (G, P, T)
    for e in range(TINY["ensemble"]):
        added = (values[:, e, :] - gaussian).numpy()  # (P, T)
        scorer = e * folds + np.argmin(model.training_rows_[e * folds : (e + 1) * folds], axis=0)  # (T,)
        assert not model.training_rows_[scorer, np.arange(240)].any()
        held_out = corrections[scorer, :, np.arange(240)].T  # (P, T)
        np.testing.assert_allclose(added, held_out, rtol=0, atol=1e-9)
        for j in range(folds):  # the others would give other values: the check has power
            trained_here = model.training_rows_[e * folds + j]
            gap = np.abs(corrections[e * folds + j][:, trained_here] - added[:, trained_here]).max(axis=0)
            assert np.median(gap) > 1e-6


@pytest.mark.parametrize("seed", [0, 2])
def test_on_independent_regions_the_cross_fitted_network_adds_nothing(seed):
    """What cross-fitting is for: a network scored on its own training rows overstates dependence.

    40 rows of 3 independent regions and a network able to memorise them
    (400 steps at a high learning rate).  Cross-fitted, each member keeps the
    weights that did best on rows it never trained on, which here are its
    starting weights, so the TC is the Gaussian copula's to 0.02 nats.
    Trained on every row (no held-out fold), the same fit reports a TC 0.3-0.4
    nats above it (measured with seeds 0 and 2).
    """
    x = np.random.default_rng(seed).standard_normal((40, 3))
    options = dict(steps=400, eval_every=25, min_steps=0, patience=100, width=64, context_dim=64, embed_dim=4,
                   batch_size=128, time_draws=4, learning_rate=1e-2, eval_size=256, folds=2, ensemble=1)
    fmmi = SubjectFlowModel(device="cpu", seed=seed, **options).fit(x, sets=[(0, 1, 2)]).oinfo([(0, 1, 2)])
    copula = estimate_oinfo(x, [(0, 1, 2)], estimator="gaussian-copula")
    assert fmmi["tc"][0] == pytest.approx(copula["tc"][0], abs=0.02)
