"""Per-variable monotone maps towards normal marginals.

Every map here is strictly monotone per coordinate, so it keeps every
information measure; what it changes is how hard the flow is to learn.  Heavy
tails are the hard case: with Student-t (nu = 3) marginals the flow-matching
target has infinite fourth moments, and the learned field (hence every path
value) depends on the few extreme rows of the sample.  ``gaussianize`` removes
skew with a Yeo-Johnson power transform and heavy tails with the inverse of
Goerg's Lambert W x Gaussian model, ``y = z exp(delta z^2 / 2)``: both are
smooth, so near-deterministic relations (``x3 = x1 + x2``) stay sharp, which a
rank transform would blur.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import brentq
from scipy.special import lambertw, ndtri
from scipy.stats import kurtosis, kurtosistest, median_abs_deviation, rankdata, yeojohnson

#: The maps, by name (see :func:`normalise_marginals`).
MARGINALS = ("standardize", "power", "gaussianize", "copula")

#: One-sided z-score of the kurtosis test above which a column's tails are
#: treated as heavy (p = 0.001): light-tailed columns are left as they are.
HEAVY_TAIL_Z = 3.09

#: Upper bound of the tail parameter searched for.
MAX_TAIL_PARAMETER = 10.0


def standard_scores(x: np.ndarray) -> np.ndarray:
    """Each column of ``x`` (T, N) centred and divided by its population (``ddof=0``) standard deviation.

    With these scores ``z' z / T`` is the correlation matrix of ``x``: the
    closed-form Gaussian part's per-row values then average exactly to its
    closed form.
    """
    centred = x - x.mean(axis=0)
    return centred / centred.std(axis=0)


def normal_scores(x: np.ndarray) -> np.ndarray:
    """Map each column to N(0, 1) scores through its ranks (the Gaussian copula).

    Parameters
    ----------
    x : array of shape (T, N)

    Returns
    -------
    numpy.ndarray, shape (T, N)
        ``ndtri(rank / (T + 1))`` per column, ties averaged.  Every information
        quantity is invariant under this per-variable monotone map.
    """
    x = np.asarray(x, dtype=np.float64)
    ranks = rankdata(x, axis=0)  # (T, N)
    return ndtri(ranks / (x.shape[0] + 1))


def heavy_tail_inverse(y: np.ndarray, delta: float) -> np.ndarray:
    """Invert ``y = z exp(delta z^2 / 2)`` (Lambert W x Gaussian, heavy tails).

    Parameters
    ----------
    y : numpy.ndarray
        Centred, scaled values.
    delta : float
        Tail parameter (>= 0); 0 is the identity.

    Returns
    -------
    numpy.ndarray
        ``z = sign(y) sqrt(W(delta y^2) / delta)``, monotone in ``y``.
    """
    if delta <= 0.0:
        return y
    return np.sign(y) * np.sqrt(np.real(lambertw(delta * y * y)) / delta)


def fit_tail_parameter(y: np.ndarray) -> float:
    """Tail parameter that gives the inverted values a normal kurtosis (3).

    Returns 0 (no change) unless the kurtosis test finds heavier tails than a
    normal's at ``HEAVY_TAIL_Z``, so that Gaussian columns are not bent by
    sampling noise in their kurtosis.
    """
    if y.size < 20 or kurtosistest(y, alternative="greater").statistic <= HEAVY_TAIL_Z:
        return 0.0

    def excess(delta: float) -> float:
        return float(kurtosis(heavy_tail_inverse(y, delta)))

    if excess(MAX_TAIL_PARAMETER) > 0.0:
        return MAX_TAIL_PARAMETER
    return float(brentq(excess, 0.0, MAX_TAIL_PARAMETER, xtol=1e-6))


def gaussianize(column: np.ndarray) -> np.ndarray:
    """Yeo-Johnson (skew), then the Lambert W heavy-tail inverse (kurtosis).

    The centre and scale before the tail step are the median and the
    normalised median absolute deviation, which the extreme rows do not move.
    """
    x = yeojohnson(column)[0]
    scale = median_abs_deviation(x, scale="normal")
    y = (x - np.median(x)) / (scale if scale > 0 else x.std())
    return heavy_tail_inverse(y, fit_tail_parameter(y))


def normalise_marginals(samples: np.ndarray, marginals: str) -> np.ndarray:
    """Make every coordinate of (G, T, D) samples zero-mean, unit-variance.

    ``standardize``: z-scores; ``power``: a Yeo-Johnson power transform fitted
    by maximum likelihood first; ``gaussianize``: Yeo-Johnson, then the
    Lambert W heavy-tail inverse where the tails are heavy (:func:`gaussianize`);
    ``copula``: rank-based normal scores.
    """
    g, t, d = samples.shape
    flat = samples.transpose(1, 0, 2).reshape(t, g * d)  # (T, G*D)
    if marginals == "copula":
        flat = normal_scores(flat)
    elif marginals == "power":
        flat = np.column_stack([yeojohnson(column)[0] for column in flat.T])
    elif marginals == "gaussianize":
        flat = np.column_stack([gaussianize(column) for column in flat.T])
    flat = (flat - flat.mean(axis=0)) / flat.std(axis=0)
    return flat.reshape(t, g, d).transpose(1, 0, 2)
