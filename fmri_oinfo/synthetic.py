"""Ground-truth systems: samplers whose information measures have closed forms.

Two families, both defined by a scale (correlation) matrix over variables that
may each be a block of ``dims`` dimensions:

- Gaussian: ``TC(A) = 1/2 [sum_i log det S_ii - log det S_AA]``;
- multivariate Student-t with ``nu`` degrees of freedom, whose marginals are
  t-distributed too, so that ``TC(A) = sum_i h(nu, d_i) - h(nu, d_A) +
  1/2 [sum_i log det S_ii - log det S_AA]`` with ``h`` the entropy of a standard
  t vector (see the math note).

An optional per-variable monotone transform (half-cube, normal CDF, exp) changes
the marginals and leaves every measure unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.linalg import block_diag
from scipy.special import digamma, gammaln, ndtr

from fmri_oinfo.measures import SCALAR_QUANTITIES, SubsetPlan, measures_from_tc, subset_plan

#: Per-variable monotone maps that keep every information measure.
TRANSFORMS = {
    "half-cube": lambda x: x * np.sqrt(np.abs(x)),
    "normal-cdf": ndtr,
    "exp": np.exp,
}


def student_t_entropy(nu: float, dim: int) -> float:
    """Differential entropy (nats) of a standard ``dim``-variate t vector."""
    half = (nu + dim) / 2.0
    return float(
        gammaln(nu / 2.0)
        - gammaln(half)
        + dim / 2.0 * np.log(nu * np.pi)
        + half * (digamma(half) - digamma(nu / 2.0))
    )


def redundant_block(k: int, rho: float) -> np.ndarray:
    """Correlation matrix of ``k`` variables all correlated at ``rho`` (redundant)."""
    return (1.0 - rho) * np.eye(k) + rho * np.ones((k, k))


def synergistic_block(k: int, rho: float) -> np.ndarray:
    """Synergistic block of the SOmegaI benchmark (Bounoua et al. 2024).

    Variable 0 is tied to variable 1 (``1/sqrt(k-1)``), variable 1 to the others
    (``rho/sqrt(k-1)``), and variable 0 to none of the others.
    """
    if k < 3:
        raise ValueError("a synergistic block needs k >= 3 variables.")
    sigma = np.eye(k)
    sigma[0, 1] = sigma[1, 0] = 1.0 / np.sqrt(k - 1)
    sigma[1, 2:] = sigma[2:, 1] = rho / np.sqrt(k - 1)
    return sigma


def sum_triplet(noise: float = 0.1) -> np.ndarray:
    """Correlation of ``(X1, X2, X1 + X2 + noise * e)``: a strongly synergistic triplet."""
    return planted_sum_block(3, noise)


@dataclass(frozen=True)
class GroundTruthSystem:
    """A sampler of n variables with closed-form information measures.

    Parameters
    ----------
    scale : numpy.ndarray, shape (n, n)
        Correlation (scale) matrix between variables; with ``dims > 1`` the
        full matrix is ``scale kron I_dims``.
    dims : int, default=1
        Dimensions per variable.
    nu : float or None, default=None
        Student-t degrees of freedom; None for a Gaussian.
    transform : str or None, default=None
        Name of a marginal transform in :data:`TRANSFORMS`.
    """

    scale: np.ndarray = field(repr=False)
    dims: int = 1
    nu: float | None = None
    transform: str | None = None

    def __post_init__(self) -> None:
        np.linalg.cholesky(self.scale)  # raises LinAlgError when not positive definite
        if self.transform is not None and self.transform not in TRANSFORMS:
            raise ValueError(f"transform={self.transform!r}; use one of {sorted(TRANSFORMS)}.")
        if self.nu is not None and self.nu <= 0:
            raise ValueError(f"nu={self.nu} must be positive.")

    @classmethod
    def from_blocks(cls, blocks: list[np.ndarray], **kwargs) -> "GroundTruthSystem":
        """Block-diagonal system of independent subsystems."""
        return cls(scale=block_diag(*blocks), **kwargs)

    @property
    def n_variables(self) -> int:
        """Number of variables n."""
        return self.scale.shape[0]

    @property
    def _full_scale(self) -> np.ndarray:
        return np.kron(self.scale, np.eye(self.dims))

    def _sample_latent(self, n_samples: int, rng: np.random.Generator) -> np.ndarray:
        full = self._full_scale
        z = rng.standard_normal((n_samples, full.shape[0])) @ np.linalg.cholesky(full).T
        if self.nu is not None:
            z = z / np.sqrt(rng.chisquare(self.nu, size=(n_samples, 1)) / self.nu)
        return z

    def sample(self, n_samples: int, seed: int | np.random.Generator = 0) -> np.ndarray:
        """Draw ``n_samples`` rows, shape (T, n * dims); variable i is columns ``i*dims:(i+1)*dims``."""
        z = self._sample_latent(n_samples, np.random.default_rng(seed))
        if self.transform is not None:
            z = TRANSFORMS[self.transform](z)
        return z

    def _log_density(self, z: np.ndarray, variables: np.ndarray) -> np.ndarray:
        """Log density of the latent (untransformed) marginal of ``variables`` at rows ``z``."""
        coords = (variables[:, None] * self.dims + np.arange(self.dims)).ravel()
        scale = self._full_scale[np.ix_(coords, coords)]
        dim = coords.size
        _, logdet = np.linalg.slogdet(scale)
        quad = np.einsum("ti,ti->t", z[:, coords], np.linalg.solve(scale, z[:, coords].T).T)
        if self.nu is None:
            return -0.5 * (dim * np.log(2 * np.pi) + logdet + quad)
        nu = self.nu
        norm = gammaln((nu + dim) / 2) - gammaln(nu / 2) - dim / 2 * np.log(nu * np.pi) - logdet / 2
        return norm - (nu + dim) / 2 * np.log1p(quad / nu)

    def _pointwise_subset_tc(self, z: np.ndarray, masks: np.ndarray) -> np.ndarray:
        """Log ratio ``log p_A(x_A) - sum_i log p_i(x_i)`` per row and subset mask, shape (T, S)."""
        singles = np.stack([self._log_density(z, np.array([i])) for i in range(self.n_variables)], axis=1)
        return np.stack([self._log_density(z, np.flatnonzero(m)) - singles[:, m].sum(axis=1) for m in masks], axis=1)

    def pointwise_tc(self, n_samples: int, seed: int | np.random.Generator = 0) -> np.ndarray:
        """Total correlation of single rows, shape (n_samples,): its mean is ``tc`` of all variables.

        A row's total correlation is the log ratio ``log p(x) - sum_i log p_i(x_i)``
        of the true densities (invariant to the marginal transform).  Works for
        any number of variables, two included (then it is the pointwise mutual
        information).
        """
        z = self._sample_latent(n_samples, np.random.default_rng(seed))
        return self._pointwise_subset_tc(z, np.ones((1, self.n_variables), dtype=bool))[:, 0]

    def pointwise_measures(self, n_samples: int, seed: int | np.random.Generator = 0) -> dict[str, np.ndarray]:
        """Measures of single rows (three or more variables): their means are the exact measures.

        Every measure is linear in the subset total correlations, so each row's
        measures follow from its pointwise subset TCs (see :meth:`pointwise_tc`).

        Parameters
        ----------
        n_samples : int
            Number of rows to draw.
        seed : int or numpy.random.Generator, default=0

        Returns
        -------
        dict of str to numpy.ndarray, each of shape (n_samples,)
            ``tc``, ``dtc``, ``o_info`` and ``s_info`` of every row.
        """
        z = self._sample_latent(n_samples, np.random.default_rng(seed))
        plan = subset_plan(self.n_variables)
        return measures_from_tc(self._pointwise_subset_tc(z, plan.masks), plan)

    def oracle_sd(self, n_samples: int, quantity: str = "o_info", n_draws: int = 100_000, seed: int = 0) -> float:
        """Seed-to-seed sd of an estimate that knew the true densities.

        The oracle averages the pointwise measure (:meth:`pointwise_tc`,
        :meth:`pointwise_measures`) over ``n_samples`` rows; its sd, ``sd(pointwise) / sqrt(n_samples)``,
        is the efficient (Cramer-Rao) floor for any estimator's spread across
        data sets of that size.  An estimator whose error is many oracle sds
        is limited by what it learns, not by the sample.

        Parameters
        ----------
        n_samples : int
            Sample size of the estimates to compare against.
        quantity : str, default="o_info"
            ``tc``, ``dtc``, ``o_info`` or ``s_info``.
        n_draws : int, default=100_000
            Rows used to measure the pointwise sd.
        seed : int, default=0

        Returns
        -------
        float
            Standard deviation in nats.
        """
        if quantity not in SCALAR_QUANTITIES:
            raise ValueError(f"quantity={quantity!r}; use one of {list(SCALAR_QUANTITIES)}.")
        if quantity == "tc":  # needs no subset plan, so pairs of variables work too
            pointwise = self.pointwise_tc(n_draws, seed=seed)
        else:
            pointwise = self.pointwise_measures(n_draws, seed=seed)[quantity]
        return float(np.std(pointwise) / np.sqrt(n_samples))

    def tc(self, subset: np.ndarray) -> float:
        """Exact total correlation (nats) of the variables in ``subset``."""
        idx = np.asarray(subset, dtype=int)
        if idx.size < 2:
            return 0.0
        _, logdet = np.linalg.slogdet(self.scale[np.ix_(idx, idx)])
        value = -0.5 * self.dims * logdet  # unit diagonal: log det S_ii = 0
        if self.nu is not None:
            value += idx.size * student_t_entropy(self.nu, self.dims) - student_t_entropy(
                self.nu, idx.size * self.dims
            )
        return float(value)

    def subset_tc(self, groups: np.ndarray, plan: SubsetPlan) -> np.ndarray:
        """Exact TC of every planned subset of every group, shape (G, S)."""
        groups = np.atleast_2d(groups)
        return np.array([[self.tc(g[m]) for m in plan.masks] for g in groups])

    def measures(self, groups: np.ndarray, gradient: bool = False) -> dict[str, np.ndarray]:
        """Exact TC, DTC, O-information, S-information (and gradient) per group."""
        groups = np.atleast_2d(groups)
        plan = subset_plan(groups.shape[1], gradient=gradient)
        return measures_from_tc(self.subset_tc(groups, plan), plan)


@dataclass(frozen=True)
class PlantedSearchSystem:
    """A search benchmark: a planted synergistic group among redundant factors.

    Attributes
    ----------
    system : GroundTruthSystem
        Gaussian sampler over all regions (exact measures available).
    synergistic : tuple of int
        Indices of the planted synergistic group, ascending.
    factor : numpy.ndarray of int, shape (n_regions,)
        Main factor of each background region; ``-1`` for planted regions.
    """

    system: GroundTruthSystem
    synergistic: tuple[int, ...]
    factor: np.ndarray = field(repr=False)


def planted_sum_block(order: int, noise: float) -> np.ndarray:
    """Correlation of ``(X1, ..., X_{k-1}, X1 + ... + X_{k-1} + noise * e)``.

    The first ``order - 1`` variables are independent, so every triplet among
    them has zero O-information; triplets with the sum are only weakly
    synergistic, and the whole group is strongly synergistic.
    """
    if order < 3:
        raise ValueError(f"order={order}: a planted synergistic group needs at least 3 members.")
    cov = np.eye(order)
    cov[-1, :-1] = cov[:-1, -1] = 1.0
    cov[-1, -1] = order - 1 + noise**2
    d = np.sqrt(np.diag(cov))
    return cov / np.outer(d, d)


def planted_search_system(
    n_regions: int = 100,
    n_factors: int = 5,
    order: int = 5,
    loading: float = 0.7,
    cross_loading: float = 0.7,
    cross_fraction: float = 0.5,
    noise: float = 0.2,
    seed: int | np.random.Generator = 0,
) -> PlantedSearchSystem:
    """Hide a synergistic group of ``order`` regions in a redundant factor background.

    Each background region loads ``loading`` on one of ``n_factors``
    independent factors (redundant clusters); a ``cross_fraction`` of them also
    load ``cross_loading`` on a second factor, which creates weakly synergistic
    decoy sets.  The planted group (:func:`planted_sum_block`) is independent
    of the background.  Region order is shuffled.

    Parameters
    ----------
    n_regions : int, default=100
    n_factors : int, default=5
    order : int, default=5
        Size of the planted synergistic group.
    loading, cross_loading : float, default=0.7
        Factor loadings; ``loading**2 + cross_loading**2`` must be below 1.
    cross_fraction : float, default=0.5
        Fraction of background regions with a second loading.
    noise : float, default=0.2
        Noise standard deviation of the planted sum.
    seed : int or numpy.random.Generator, default=0

    Returns
    -------
    PlantedSearchSystem
    """
    n_background = n_regions - order
    if n_background < n_factors:
        raise ValueError(
            f"n_regions={n_regions} leaves {n_background} background regions for "
            f"{n_factors} factors; increase n_regions."
        )
    if loading**2 + cross_loading**2 >= 1.0:
        raise ValueError(
            f"loading={loading} and cross_loading={cross_loading}: their squares must sum below 1."
        )
    rng = np.random.default_rng(seed)
    main = np.arange(n_background) % n_factors  # (n_background,)
    loadings = np.zeros((n_background, n_factors))  # (n_background, n_factors)
    loadings[np.arange(n_background), main] = loading
    crossed = rng.random(n_background) < cross_fraction
    second = (main + rng.integers(1, n_factors, n_background)) % n_factors
    loadings[np.flatnonzero(crossed), second[crossed]] = cross_loading
    background = loadings @ loadings.T  # (n_background, n_background)
    np.fill_diagonal(background, 1.0)
    scale = block_diag(background, planted_sum_block(order, noise))
    factor = np.concatenate([main, -np.ones(order, dtype=int)])

    perm = rng.permutation(n_regions)  # new position p holds old region perm[p]
    scale = scale[np.ix_(perm, perm)]
    factor = factor[perm]
    where = np.argsort(perm)  # old index -> new position
    planted = tuple(sorted(int(where[i]) for i in range(n_background, n_regions)))
    return PlantedSearchSystem(system=GroundTruthSystem(scale=scale), synergistic=planted, factor=factor)
