"""Surrogates for the null of a linear process: every spectrum and cross-spectrum kept, the rest destroyed.

Functional connectivity (correlations at every lag) is a function of the
regions' power spectra and cross-spectra.  A surrogate that keeps both and is
otherwise random is a sample of the linear process with the data's
functional connectivity, so any statistic that differs between the data and
these surrogates measures structure that functional connectivity does not
explain.  Two kinds:

- ``shared-phase`` (Prichard & Theiler 1994, *Generating surrogate data for
  time series with several simultaneously measured variables*, Phys. Rev.
  Lett. 73: 951): one uniform random phase per frequency, added to every
  region's Fourier phase.  Amplitude spectra and every phase difference (the
  cross-spectra) are kept exactly; the values become Gaussian.
- ``iaaft`` (Schreiber & Schmitz 2000, *Surrogate time series*, Physica D
  142: 346, section 4.3): iterated amplitude-adjusted multivariate surrogates
  that also keep each region's distribution of values exactly.  Each
  iteration imposes the original amplitudes with the original phase
  differences, rotated by the common angle per frequency that best matches the
  current surrogate, then gives each region back its own values by rank.  The
  spectra are then kept approximately (the last step is the rank remapping).

Unlike :mod:`fmri_oinfo.stats.surrogates` (the null of independent regions,
which destroys cross-spectra), these are the null of the non-Gaussian excess
(``benchmarks/excess_null.py``).
"""

from __future__ import annotations

import numpy as np

from fmri_oinfo.stats.surrogates import random_phases

#: Linear-process surrogate kinds by name.
LINEAR_SURROGATES: tuple[str, ...] = ("shared-phase", "iaaft")

#: Most iterations of the multivariate IAAFT; it stops earlier when no rank changes.
IAAFT_MAX_ITERATIONS = 200


def shared_phase_surrogates(values: np.ndarray, n_surrogates: int, rng: np.random.Generator) -> np.ndarray:
    """Multivariate phase randomisation: the same random phase at each frequency for every region.

    Parameters
    ----------
    values : numpy.ndarray, shape (T, M)
    n_surrogates : int
    rng : numpy.random.Generator

    Returns
    -------
    numpy.ndarray, shape (n_surrogates, T, M)
        Every region's amplitude spectrum and every cross-spectrum of
        ``values`` exactly (so every lagged cross-covariance, circularly).
    """
    n_time = values.shape[0]
    spectrum = np.fft.rfft(values, axis=0)  # (F, M)
    rotated = spectrum[None] * np.exp(1j * random_phases(n_surrogates, n_time, 1, rng))  # (S, F, M)
    return np.fft.irfft(rotated, n=n_time, axis=1)


def _rank_remap(surrogates: np.ndarray, sorted_values: np.ndarray) -> np.ndarray:
    """Give every surrogate column the original column's values, in the surrogate's rank order."""
    ranks = np.argsort(np.argsort(surrogates, axis=1), axis=1)  # (S, T, M)
    return np.take_along_axis(np.broadcast_to(sorted_values[None], surrogates.shape), ranks, axis=1)


def iaaft_surrogates(
    values: np.ndarray, n_surrogates: int, rng: np.random.Generator, max_iterations: int = IAAFT_MAX_ITERATIONS
) -> np.ndarray:
    """Multivariate iterated amplitude-adjusted Fourier transform surrogates (Schreiber & Schmitz 2000).

    Parameters
    ----------
    values : numpy.ndarray, shape (T, M)
    n_surrogates : int
    rng : numpy.random.Generator
    max_iterations : int, default=IAAFT_MAX_ITERATIONS

    Returns
    -------
    numpy.ndarray, shape (n_surrogates, T, M)
        Each column a permutation of the original column (its distribution
        exactly); spectra and cross-spectra close to the original's.
    """
    n_time = values.shape[0]
    spectrum = np.fft.rfft(values, axis=0)  # (F, M)
    sorted_values = np.sort(values, axis=0)  # (T, M)
    surrogates = _rank_remap(shared_phase_surrogates(values, n_surrogates, rng), sorted_values)
    ranks = np.argsort(surrogates, axis=1)
    for _ in range(max_iterations):
        current = np.fft.rfft(surrogates, axis=1)  # (S, F, M)
        # the common rotation per frequency that brings the original spectrum closest to the current one
        angle = np.angle(np.sum(np.conj(spectrum)[None] * current, axis=2, keepdims=True))  # (S, F, 1)
        angle[:, 0] = 0.0
        if n_time % 2 == 0:
            angle[:, -1] = 0.0
        matched = np.fft.irfft(spectrum[None] * np.exp(1j * angle), n=n_time, axis=1)
        surrogates = _rank_remap(matched, sorted_values)
        new_ranks = np.argsort(surrogates, axis=1)
        if np.array_equal(new_ranks, ranks):
            break
        ranks = new_ranks
    return surrogates


def linear_surrogates(values: np.ndarray, n_surrogates: int, kind: str, rng: np.random.Generator) -> np.ndarray:
    """Surrogates of ``values`` (T, M) that keep its spectra and cross-spectra, shape (n_surrogates, T, M).

    Parameters
    ----------
    values : numpy.ndarray, shape (T, M)
    n_surrogates : int
    kind : {"shared-phase", "iaaft"}
    rng : numpy.random.Generator
    """
    if kind == "shared-phase":
        return shared_phase_surrogates(values, n_surrogates, rng)
    if kind == "iaaft":
        return iaaft_surrogates(values, n_surrogates, rng)
    raise ValueError(f"kind={kind!r} is not a linear-process surrogate; use one of {list(LINEAR_SURROGATES)}.")
