"""Ground-truth systems: samplers with closed-form or pointwise information measures.

Every system samples rows ``x`` (T, n * dims) and gives the **pointwise** total
correlation of any subset at given rows, ``log p_A(x_A) - sum_i log p_i(x_i)``
(:meth:`System.pointwise_subset_tc`).  Averaged over the rows an estimator saw,
these give the *in-sample oracle* (:meth:`System.in_sample_measures`), which
removes the sampling scatter that no estimator can beat; averaged over many
fresh rows, the population truth (closed form where there is one).

- :class:`GroundTruthSystem`: Gaussian and multivariate Student-t systems
  defined by a scale (correlation) matrix over variables that may each be a
  block of ``dims`` dimensions, optionally seen through per-variable monotone
  transforms (half-cube, normal CDF, exp, cube) that leave every measure
  unchanged.  Gaussian: ``TC(A) = 1/2 [sum_i log det S_ii - log det S_AA]``;
  Student-t with ``nu`` degrees of freedom (t marginals):
  ``TC(A) = sum_i h(nu, d_i) - h(nu, d_A) + 1/2 [sum_i log det S_ii - log det S_AA]``
  with ``h`` the entropy of a standard t vector (see the math note).
- :class:`MultiplicativeSystem`: ``x3 = x1 x2 + noise * e`` (synergy that no
  Gaussian estimator sees); ``p(x3)`` is a one-dimensional Gauss-Legendre integral.
- :class:`MixtureSystem`: two equally likely Gaussian components whose
  correlations have opposite signs on chosen pairs (normal marginals, no
  correlation left on those pairs, but dependence).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from scipy.linalg import block_diag
from scipy.special import digamma, gammaln, logsumexp, ndtr, ndtri

from fmri_oinfo.measures import SCALAR_QUANTITIES, SubsetPlan, measures_from_tc, subset_plan

#: Per-variable monotone maps that keep every information measure.
TRANSFORMS = {
    "half-cube": lambda x: x * np.sqrt(np.abs(x)),
    "normal-cdf": ndtr,
    "exp": np.exp,
    "cube": lambda x: x**3,
}

#: Inverses of :data:`TRANSFORMS` (observed values back to the latent system).
INVERSE_TRANSFORMS = {
    "half-cube": lambda y: np.sign(y) * np.abs(y) ** (2.0 / 3.0),
    "normal-cdf": ndtri,
    "exp": np.log,
    "cube": np.cbrt,
}

#: Rows drawn for population measures that have no closed form.
POPULATION_ROWS = 2_000_000


class System:
    """What every ground-truth system offers on top of its sampler.

    Subclasses define ``n_variables``, ``dims``, :meth:`sample` and
    :meth:`pointwise_subset_tc`; they may override :meth:`measures` with a
    closed form (the default averages pointwise values over
    :data:`POPULATION_ROWS` fresh rows).
    """

    n_variables: int
    dims: int = 1

    def sample(self, n_samples: int, seed: int | np.random.Generator = 0) -> np.ndarray:
        """Draw ``n_samples`` rows, shape (T, n * dims)."""
        raise NotImplementedError

    def pointwise_subset_tc(self, x: np.ndarray, masks: np.ndarray) -> np.ndarray:
        """Pointwise TC ``log p_A(x_A) - sum_i log p_i(x_i)`` of each subset at rows ``x``.

        Parameters
        ----------
        x : numpy.ndarray, shape (T, n * dims)
            Rows as :meth:`sample` returns them (transformed, if the system is).
        masks : numpy.ndarray of bool, shape (S, n)

        Returns
        -------
        numpy.ndarray, shape (T, S)
        """
        raise NotImplementedError

    def pointwise_set_measures(self, x: np.ndarray, members: np.ndarray) -> dict[str, np.ndarray]:
        """``tc``, ``dtc``, ``o_info``, ``s_info`` of one set at every row, each shape (T,).

        Every measure is linear in the subset TCs, so each row's measures follow
        from its pointwise subset TCs; their means over rows are the
        in-sample oracle, their means over the population the truth.
        """
        members = np.asarray(members, dtype=int)
        plan = subset_plan(members.size)
        masks = np.zeros((plan.n_subsets, self.n_variables), dtype=bool)
        masks[:, members] = plan.masks
        return measures_from_tc(self.pointwise_subset_tc(x, masks), plan)

    def in_sample_measures(self, x: np.ndarray, sets: np.ndarray) -> dict[str, np.ndarray]:
        """The in-sample oracle: mean over the rows ``x`` of each set's pointwise measures.

        Parameters
        ----------
        x : numpy.ndarray, shape (T, n * dims)
            The rows an estimator saw.
        sets : sequence of sequences of int
            Sets of any orders (at least 3 members each).

        Returns
        -------
        dict of str to numpy.ndarray, each shape (G,)
        """
        sets = np.atleast_2d(sets) if isinstance(sets, np.ndarray) else sets
        rows = [self.pointwise_set_measures(x, g) for g in sets]
        return {name: np.array([r[name].mean() for r in rows]) for name in SCALAR_QUANTITIES}

    def pointwise_mi(self, x: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Pointwise mutual information between variable sets ``a`` and ``b`` at rows ``x``, shape (T,)."""
        masks = np.zeros((3, self.n_variables), dtype=bool)
        masks[0, np.r_[a, b]] = True
        masks[1, a] = True
        masks[2, b] = True
        tc = self.pointwise_subset_tc(x, masks)
        return tc[:, 0] - tc[:, 1] - tc[:, 2]

    def pointwise_measures(self, n_samples: int, seed: int | np.random.Generator = 0) -> dict[str, np.ndarray]:
        """Measures of the whole system at ``n_samples`` fresh rows, each shape (n_samples,)."""
        return self.pointwise_set_measures(self.sample(n_samples, seed), np.arange(self.n_variables))

    def pointwise_tc(self, n_samples: int, seed: int | np.random.Generator = 0) -> np.ndarray:
        """Total correlation of all variables at ``n_samples`` fresh rows, shape (n_samples,).

        Works for any number of variables, two included (then it is the
        pointwise mutual information).
        """
        x = self.sample(n_samples, seed)
        return self.pointwise_subset_tc(x, np.ones((1, self.n_variables), dtype=bool))[:, 0]

    def measures(self, sets: np.ndarray, gradient: bool = False) -> dict[str, np.ndarray]:
        """Population TC, DTC, O-information, S-information per set (Monte Carlo by default)."""
        if gradient:
            raise ValueError(f"gradient=True needs a closed-form system; {type(self).__name__} has none.")
        return self.in_sample_measures(self.sample(POPULATION_ROWS, seed=12345), sets)

    def oracle_sd(self, n_samples: int, quantity: str = "o_info", n_draws: int = 100_000, seed: int = 0) -> float:
        """Seed-to-seed sd of an estimate that knew the true densities.

        The oracle averages the pointwise measure over ``n_samples`` rows; its
        sd, ``sd(pointwise) / sqrt(n_samples)``, is the efficient floor for any
        estimator's spread across data sets of that size.  An estimator whose
        error is many oracle sds is limited by what it learns, not by the sample.

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
class GroundTruthSystem(System):
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
    transform : str, tuple of (str or None), or None, default=None
        Name of a marginal transform in :data:`TRANSFORMS` for every variable,
        or one name (or None) per variable.
    """

    scale: np.ndarray = field(repr=False)
    dims: int = 1
    nu: float | None = None
    transform: str | tuple[str | None, ...] | None = None

    def __post_init__(self) -> None:
        np.linalg.cholesky(self.scale)  # raises LinAlgError when not positive definite
        names = self._transforms
        if len(names) != self.n_variables:
            raise ValueError(
                f"transform has {len(names)} entries for {self.n_variables} variables; give one per variable."
            )
        for name in names:
            if name is not None and name not in TRANSFORMS:
                raise ValueError(f"transform={name!r}; use one of {sorted(TRANSFORMS)}.")
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
    def _transforms(self) -> tuple[str | None, ...]:
        if self.transform is None or isinstance(self.transform, str):
            return (self.transform,) * self.n_variables
        return tuple(self.transform)

    @property
    def _full_scale(self) -> np.ndarray:
        return np.kron(self.scale, np.eye(self.dims))

    def _sample_latent(self, n_samples: int, rng: np.random.Generator) -> np.ndarray:
        full = self._full_scale
        z = rng.standard_normal((n_samples, full.shape[0])) @ np.linalg.cholesky(full).T
        if self.nu is not None:
            z = z / np.sqrt(rng.chisquare(self.nu, size=(n_samples, 1)) / self.nu)
        return z

    def _apply(self, z: np.ndarray, maps: dict) -> np.ndarray:
        out = z.copy()
        for i, name in enumerate(self._transforms):
            if name is not None:
                cols = slice(i * self.dims, (i + 1) * self.dims)
                out[:, cols] = maps[name](z[:, cols])
        return out

    def sample(self, n_samples: int, seed: int | np.random.Generator = 0) -> np.ndarray:
        """Draw ``n_samples`` rows, shape (T, n * dims); variable i is columns ``i*dims:(i+1)*dims``."""
        return self._apply(self._sample_latent(n_samples, np.random.default_rng(seed)), TRANSFORMS)

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

    def pointwise_subset_tc(self, x: np.ndarray, masks: np.ndarray) -> np.ndarray:
        """Pointwise TC of each subset at rows ``x``, shape (T, S) (see :meth:`System.pointwise_subset_tc`).

        The measures are invariant to the marginal transforms, so they are
        evaluated on the latent rows (the transforms undone).
        """
        z = self._apply(np.asarray(x, dtype=np.float64), INVERSE_TRANSFORMS)
        masks = np.atleast_2d(np.asarray(masks, dtype=bool))
        singles = np.stack([self._log_density(z, np.array([i])) for i in range(self.n_variables)], axis=1)
        return np.stack([self._log_density(z, np.flatnonzero(m)) - singles[:, m].sum(axis=1) for m in masks], axis=1)

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

    def subset_tc(self, sets: np.ndarray, plan: SubsetPlan) -> np.ndarray:
        """Exact TC of every planned subset of every set, shape (G, S)."""
        sets = np.atleast_2d(sets)
        return np.array([[self.tc(g[m]) for m in plan.masks] for g in sets])

    def measures(self, sets: np.ndarray, gradient: bool = False) -> dict[str, np.ndarray]:
        """Exact TC, DTC, O-information, S-information (and gradient) per set."""
        sets = np.atleast_2d(sets)
        plan = subset_plan(sets.shape[1], gradient=gradient)
        return measures_from_tc(self.subset_tc(sets, plan), plan)


def random_correlation(n: int, seed: int | np.random.Generator = 0, strength: float = 0.6) -> np.ndarray:
    """A random correlation matrix with mixed-sign entries.

    ``W W^T + I`` scaled to a unit diagonal, with ``W`` (n, max(1, n // 2))
    standard normal loadings times ``strength`` (larger: stronger correlations).
    """
    rng = np.random.default_rng(seed)
    loadings = strength * rng.standard_normal((n, max(1, n // 2)))  # (n, k)
    cov = loadings @ loadings.T + np.eye(n)
    d = np.sqrt(np.diag(cov))
    return cov / np.outer(d, d)


def _gauss_legendre(lo: float, hi: float, n_nodes: int) -> tuple[np.ndarray, np.ndarray]:
    x, w = np.polynomial.legendre.leggauss(n_nodes)
    return lo + (hi - lo) * (x + 1) / 2, w * (hi - lo) / 2


class _TwoCausesSystem(System):
    """Three variables: independent N(0, 1) causes ``x1``, ``x2`` and an effect ``x3 = effect(x1, x2, e)``."""

    @property
    def n_variables(self) -> int:
        """Three variables."""
        return 3

    def _effect(self, x1: np.ndarray, x2: np.ndarray, e: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def sample(self, n_samples: int, seed: int | np.random.Generator = 0) -> np.ndarray:
        """Draw rows ``(x1, x2, x3)``, shape (n_samples, 3)."""
        rng = np.random.default_rng(seed)
        x1, x2, e = rng.standard_normal((3, n_samples))
        return np.column_stack([x1, x2, self._effect(x1, x2, e)])


@dataclass(frozen=True)
class MultiplicativeSystem(_TwoCausesSystem):
    """``x1, x2 ~ N(0, 1)`` independent and ``x3 = x1 x2 + noise * e``.

    Every pair is uncorrelated, so a Gaussian (or Gaussian-copula) estimator
    reports no dependence at all, while the triplet is synergistic.  Densities:
    ``p(x3 | x1, x2) = N(x1 x2, noise^2)``, ``p(x3 | x1) = N(0, x1^2 + noise^2)``,
    and ``p(x3) = E_u N(x3; 0, u^2 + noise^2)`` over ``u ~ N(0, 1)``, a
    one-dimensional Gauss-Legendre integral (in ``u = noise sinh w``, which
    smooths its peak at ``u = 0``).

    Parameters
    ----------
    noise : float, default=0.5
        Standard deviation of the additive noise (smaller: more synergy).
    n_nodes : int, default=256
        Gauss-Legendre nodes of the integral over ``u``.
    """

    noise: float = 0.5
    n_nodes: int = 256
    dims: int = 1

    def __post_init__(self) -> None:
        if self.noise <= 0:
            raise ValueError(f"noise={self.noise} must be positive.")

    def _effect(self, x1: np.ndarray, x2: np.ndarray, e: np.ndarray) -> np.ndarray:
        return x1 * x2 + self.noise * e

    def _nodes(self) -> tuple[np.ndarray, np.ndarray]:
        """Nodes ``u`` and weights of ``integral f(u) phi(u) du`` (the phi included)."""
        s = self.noise
        w, weight = _gauss_legendre(-np.arcsinh(12.0 / s), np.arcsinh(12.0 / s), self.n_nodes)
        u = s * np.sinh(w)
        return u, weight * s * np.cosh(w) * np.exp(-0.5 * u * u) / np.sqrt(2 * np.pi)

    def log_p3(self, x3: np.ndarray, chunk: int = 8192) -> np.ndarray:
        """``log p(x3)``, shape (T,)."""
        u, weight = self._nodes()
        var = u * u + self.noise**2  # (n_nodes,)
        out = np.empty(len(x3))
        for start in range(0, len(x3), chunk):
            x = x3[start : start + chunk, None]  # (b, 1)
            log_terms = -0.5 * (np.log(2 * np.pi * var) + x * x / var) + np.log(weight)  # (b, n_nodes)
            out[start : start + chunk] = logsumexp(log_terms, axis=1)
        return out

    def pointwise_subset_tc(self, x: np.ndarray, masks: np.ndarray) -> np.ndarray:
        """Pointwise TC of each subset at rows ``x``, shape (T, S)."""
        x1, x2, x3 = np.asarray(x, dtype=np.float64).T
        s2 = self.noise**2
        log_p3 = self.log_p3(x3)

        def log_normal(value: np.ndarray, var: np.ndarray | float) -> np.ndarray:
            return -0.5 * (np.log(2 * np.pi * var) + value * value / var)

        by_subset = {
            (True, True, True): log_normal(x3 - x1 * x2, s2) - log_p3,  # x1, x2 independent
            (True, False, True): log_normal(x3, x1 * x1 + s2) - log_p3,
            (False, True, True): log_normal(x3, x2 * x2 + s2) - log_p3,
        }
        zero = np.zeros(len(x3))
        return np.stack([by_subset.get(tuple(bool(v) for v in m), zero) for m in np.atleast_2d(masks)], axis=1)

    def _entropy_x3(self) -> float:
        """Differential entropy of ``x3`` (nats), by quadrature over ``x3 = c sinh v``."""
        c = self.noise
        v, weight = _gauss_legendre(-np.arcsinh(60.0 / c), np.arcsinh(60.0 / c), 400)
        x3 = c * np.sinh(v)
        log_p = self.log_p3(x3)
        return float(-np.sum(weight * c * np.cosh(v) * np.exp(log_p) * log_p))

    def tc(self, subset: np.ndarray) -> float:
        """Exact total correlation (nats) of the variables in ``subset``."""
        members = set(np.asarray(subset, dtype=int).tolist())
        if 2 not in members or len(members) < 2:
            return 0.0
        h3 = self._entropy_x3()
        if members == {0, 1, 2}:  # I(X3; X1, X2), with I(X1; X2) = 0
            return float(h3 - 0.5 * np.log(2 * np.pi * np.e * self.noise**2))
        u, weight = self._nodes()
        return float(h3 - 0.5 * np.sum(weight * np.log(2 * np.pi * np.e * (u * u + self.noise**2))))

    def measures(self, sets: np.ndarray, gradient: bool = False) -> dict[str, np.ndarray]:
        """Exact TC, DTC, O-information, S-information (and gradient) per set."""
        sets = np.atleast_2d(sets)
        plan = subset_plan(sets.shape[1], gradient=gradient)
        return measures_from_tc(np.array([[self.tc(g[m]) for m in plan.masks] for g in sets]), plan)


@dataclass(frozen=True)
class HeteroscedasticSystem(_TwoCausesSystem):
    """``x1, x2 ~ N(0, 1)`` independent and ``x3 = x1 + exp(scale x2) e``: x2 sets x3's noise level.

    x2 is uncorrelated with everything, so the Gaussian part sees only the
    x1-x3 correlation; the dependence on x2 lives in the variance alone
    (heteroscedastic synergy).  Densities: ``p(x3 | x1, x2) = N(x1, v(x2))``
    with ``v(u) = exp(2 scale u)``, ``p(x3 | x2) = N(0, 1 + v(x2))``,
    ``p(x3 | x1) = E_u N(x3; x1, v(u))`` and ``p(x3) = E_u N(x3; 0, 1 + v(u))``
    over ``u ~ N(0, 1)`` (Gauss-Legendre nodes on [-9, 9]).

    Parameters
    ----------
    scale : float, default=0.5
        How strongly x2 sets the noise level (0: no dependence on x2).
    n_nodes : int, default=256
    """

    scale: float = 0.5
    n_nodes: int = 256
    dims: int = 1

    def __post_init__(self) -> None:
        if self.scale <= 0:
            raise ValueError(f"scale={self.scale} must be positive.")

    def _effect(self, x1: np.ndarray, x2: np.ndarray, e: np.ndarray) -> np.ndarray:
        return x1 + np.exp(self.scale * x2) * e

    def _log_mixture(self, value: np.ndarray, extra_var: float, chunk: int = 8192) -> np.ndarray:
        """``log E_u N(value; 0, extra_var + v(u))`` over ``u ~ N(0, 1)``, shape (T,)."""
        u, weight = _gauss_legendre(-9.0, 9.0, self.n_nodes)
        log_weight = np.log(weight) - 0.5 * u * u - 0.5 * np.log(2 * np.pi)
        var = extra_var + np.exp(2 * self.scale * u)  # (n_nodes,)
        out = np.empty(len(value))
        for start in range(0, len(value), chunk):
            y = value[start: start + chunk, None]  # (b, 1)
            out[start: start + chunk] = logsumexp(-0.5 * (np.log(2 * np.pi * var) + y * y / var) + log_weight, axis=1)
        return out

    def pointwise_subset_tc(self, x: np.ndarray, masks: np.ndarray) -> np.ndarray:
        """Pointwise TC of each subset at rows ``x``, shape (T, S)."""
        x1, x2, x3 = np.asarray(x, dtype=np.float64).T
        log_p3 = self._log_mixture(x3, 1.0)
        var = np.exp(2 * self.scale * x2)
        by_subset = {
            (True, True, True): -0.5 * (np.log(2 * np.pi * var) + (x3 - x1) ** 2 / var) - log_p3,
            (True, False, True): self._log_mixture(x3 - x1, 0.0) - log_p3,
            (False, True, True): -0.5 * (np.log(2 * np.pi * (1 + var)) + x3 * x3 / (1 + var)) - log_p3,
        }
        zero = np.zeros(len(x3))
        return np.stack([by_subset.get(tuple(bool(v) for v in m), zero) for m in np.atleast_2d(masks)], axis=1)

    def _entropy(self, extra_var: float) -> float:
        """Differential entropy (nats) of the mixture ``E_u N(0, extra_var + v(u))``, by quadrature in ``y = c sinh w``."""
        c = 0.1
        w, weight = _gauss_legendre(-np.arcsinh(400.0 / c), np.arcsinh(400.0 / c), 2000)
        y = c * np.sinh(w)
        log_p = self._log_mixture(y, extra_var)
        return float(-np.sum(weight * c * np.cosh(w) * np.exp(log_p) * log_p))

    def tc(self, subset: np.ndarray) -> float:
        """Exact total correlation (nats) of the variables in ``subset``."""
        members = set(np.asarray(subset, dtype=int).tolist())
        if 2 not in members or len(members) < 2:
            return 0.0
        h3 = self._entropy(1.0)
        if members == {0, 1, 2}:  # h(x3 | x1, x2) = E 1/2 log(2 pi e v(x2)) = 1/2 log(2 pi e)
            return float(h3 - 0.5 * np.log(2 * np.pi * np.e))
        if members == {0, 2}:
            return float(h3 - self._entropy(0.0))
        u, weight = _gauss_legendre(-9.0, 9.0, self.n_nodes)
        density = weight * np.exp(-0.5 * u * u) / np.sqrt(2 * np.pi)
        return float(h3 - 0.5 * np.sum(density * np.log(2 * np.pi * np.e * (1 + np.exp(2 * self.scale * u)))))

    def measures(self, sets: np.ndarray, gradient: bool = False) -> dict[str, np.ndarray]:
        """Exact TC, DTC, O-information, S-information (and gradient) per set."""
        sets = np.atleast_2d(sets)
        plan = subset_plan(sets.shape[1], gradient=gradient)
        return measures_from_tc(np.array([[self.tc(g[m]) for m in plan.masks] for g in sets]), plan)


@dataclass(frozen=True)
class MixtureSystem(System):
    """Two equally likely zero-mean Gaussian components with opposite correlations.

    Component A has correlation matrix ``scale``; component B is ``D scale D``
    with ``D = diag(flip)`` (+1 or -1 per variable), so every pair with one
    flipped member has opposite correlations in the two components and none in
    the mixture.  Every marginal is N(0, 1); the dependence is not linear.  The
    density of any subset is the mixture of the components' subset densities;
    population measures are Monte-Carlo means of the pointwise values
    (:data:`POPULATION_ROWS` rows).

    Parameters
    ----------
    scale : numpy.ndarray, shape (n, n)
        Unit-diagonal correlation matrix of component A.
    flip : tuple of int
        +1 or -1 per variable.
    """

    scale: np.ndarray = field(repr=False)
    flip: tuple[int, ...] = ()
    dims: int = 1

    def __post_init__(self) -> None:
        np.linalg.cholesky(self.scale)
        if len(self.flip) != self.n_variables or not set(self.flip) <= {-1, 1}:
            raise ValueError(f"flip={self.flip}: give +1 or -1 for each of the {self.n_variables} variables.")
        if not np.allclose(np.diag(self.scale), 1.0):
            raise ValueError("scale must have a unit diagonal (normal marginals in both components).")

    @property
    def n_variables(self) -> int:
        """Number of variables n."""
        return self.scale.shape[0]

    @cached_property
    def _components(self) -> tuple[np.ndarray, np.ndarray]:
        d = np.asarray(self.flip, dtype=float)
        return self.scale, self.scale * np.outer(d, d)

    def sample(self, n_samples: int, seed: int | np.random.Generator = 0) -> np.ndarray:
        """Draw ``n_samples`` rows, shape (n_samples, n)."""
        rng = np.random.default_rng(seed)
        a, b = (np.linalg.cholesky(c) for c in self._components)
        z = rng.standard_normal((n_samples, self.n_variables))
        pick_b = rng.random(n_samples) < 0.5
        return np.where(pick_b[:, None], z @ b.T, z @ a.T)

    def _log_density(self, x: np.ndarray, variables: np.ndarray) -> np.ndarray:
        logs = []
        for cov in self._components:
            sub = cov[np.ix_(variables, variables)]
            _, logdet = np.linalg.slogdet(sub)
            quad = np.einsum("ti,ti->t", x[:, variables], np.linalg.solve(sub, x[:, variables].T).T)
            logs.append(-0.5 * (variables.size * np.log(2 * np.pi) + logdet + quad))
        return logsumexp(np.stack(logs), axis=0) - np.log(2.0)

    def pointwise_subset_tc(self, x: np.ndarray, masks: np.ndarray) -> np.ndarray:
        """Pointwise TC of each subset at rows ``x``, shape (T, S)."""
        x = np.asarray(x, dtype=np.float64)
        singles = -0.5 * (np.log(2 * np.pi) + x * x)  # (T, n): every marginal is N(0, 1)
        return np.stack(
            [self._log_density(x, np.flatnonzero(m)) - singles[:, m].sum(axis=1) for m in np.atleast_2d(masks)],
            axis=1,
        )


@dataclass(frozen=True)
class PlantedSearchSystem:
    """A search benchmark: a planted synergistic set among redundant factors.

    Attributes
    ----------
    system : GroundTruthSystem
        Gaussian sampler over all regions (exact measures available).
    synergistic : tuple of int
        Indices of the planted synergistic set, ascending.
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
    synergistic, and the whole set is strongly synergistic.
    """
    if order < 3:
        raise ValueError(f"order={order}: a planted synergistic set needs at least 3 members.")
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
    """Hide a synergistic set of ``order`` regions in a redundant factor background.

    Each background region loads ``loading`` on one of ``n_factors``
    independent factors (redundant clusters); a ``cross_fraction`` of them also
    load ``cross_loading`` on a second factor, which creates weakly synergistic
    decoy sets.  The planted set (:func:`planted_sum_block`) is independent
    of the background.  Region order is shuffled.

    Parameters
    ----------
    n_regions : int, default=100
    n_factors : int, default=5
    order : int, default=5
        Size of the planted synergistic set.
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
