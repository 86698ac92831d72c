"""Surrogate time series for the null of independent regions.

Both kinds keep each region's own autocorrelation (the thing that makes naive
shuffling of fMRI time points anti-conservative) and destroy the dependence
between regions:

- ``circular``: each region is rotated in time by its own uniformly random
  shift (the exact autocorrelation is kept, up to the wrap-around point);
- ``phase``: each region's Fourier phases are replaced by independent uniform
  phases, keeping its amplitude spectrum (hence its autocorrelation) exactly
  and its mean; the DC and Nyquist terms stay real.

:func:`member_surrogates` does the same to one region only: the others keep
their joint time course, which is the null of "this region is independent of
the others" used by the irreducibility test (:mod:`fmri_oinfo.stats.irreducible`).
"""

from __future__ import annotations

import numpy as np

#: Surrogate kinds by name.
SURROGATES: tuple[str, ...] = ("circular", "phase")


def circular_shifts(n_time: int, shape: tuple[int, ...], rng: np.random.Generator, min_shift: int = 0) -> np.ndarray:
    """Random circular shifts, uniform over ``[min_shift, n_time - min_shift]``.

    ``min_shift`` keeps a shifted region at least that many volumes away from
    its own alignment (use the autocorrelation length when one region is
    shifted against the others); it is capped at ``(n_time - 1) // 2``.
    """
    low = min(max(0, min_shift), (n_time - 1) // 2)
    return rng.integers(low, n_time - low + (1 if low else 0), size=shape)


def distinct_circular_shifts(n_time: int, min_shift: int = 0) -> np.ndarray:
    """Every shift :func:`circular_shifts` can draw, once each (ascending)."""
    low = min(max(0, min_shift), (n_time - 1) // 2)
    return np.arange(low, n_time - low + (1 if low else 0))


def circular_shift_surrogates(
    values: np.ndarray, n_surrogates: int, rng: np.random.Generator, min_shift: int = 0
) -> np.ndarray:
    """Rotate every region by an independent random shift.

    Parameters
    ----------
    values : numpy.ndarray, shape (T, M)
    n_surrogates : int
    rng : numpy.random.Generator
    min_shift : int, default=0
        See :func:`circular_shifts`.

    Returns
    -------
    numpy.ndarray, shape (n_surrogates, T, M)
    """
    n_time, n_regions = values.shape
    shifts = circular_shifts(n_time, (n_surrogates, 1, n_regions), rng, min_shift)  # (S, 1, M)
    rows = (np.arange(n_time)[None, :, None] + shifts) % n_time  # (S, T, M)
    return np.take_along_axis(values[None, :, :], rows, axis=1)  # (S, T, M)


def random_phases(n_surrogates: int, n_time: int, n_columns: int, rng: np.random.Generator) -> np.ndarray:
    """Uniform Fourier phases of real signals of ``n_time`` points, shape (S, T // 2 + 1, n_columns).

    0 at DC (the mean is kept) and, for even ``n_time``, at the Nyquist term
    (real for a real signal).  ``n_columns = 1`` gives one phase per
    frequency, to share between regions.
    """
    phases = rng.uniform(0.0, 2.0 * np.pi, size=(n_surrogates, n_time // 2 + 1, n_columns))
    phases[:, 0, :] = 0.0
    if n_time % 2 == 0:
        phases[:, -1, :] = 0.0
    return phases


def phase_randomized_surrogates(values: np.ndarray, n_surrogates: int, rng: np.random.Generator) -> np.ndarray:
    """Randomise the Fourier phases of every region independently.

    Parameters
    ----------
    values : numpy.ndarray, shape (T, M)
    n_surrogates : int
    rng : numpy.random.Generator

    Returns
    -------
    numpy.ndarray, shape (n_surrogates, T, M)
        Same amplitude spectrum per region as ``values``.
    """
    n_time, n_regions = values.shape
    spectrum = np.fft.rfft(values, axis=0)  # (F, M)
    rotated = spectrum[None, :, :] * np.exp(1j * random_phases(n_surrogates, n_time, n_regions, rng))  # (S, F, M)
    return np.fft.irfft(rotated, n=n_time, axis=1)  # (S, T, M)


def make_surrogates(values: np.ndarray, n_surrogates: int, kind: str, rng: np.random.Generator) -> np.ndarray:
    """Surrogates of ``values`` (T, M) of the given ``kind``, shape (n_surrogates, T, M)."""
    if kind == "circular":
        return circular_shift_surrogates(values, n_surrogates, rng)
    if kind == "phase":
        return phase_randomized_surrogates(values, n_surrogates, rng)
    raise ValueError(f"surrogate={kind!r} is not known; use one of {list(SURROGATES)}.")


def member_surrogates(
    values: np.ndarray, member: int, n_surrogates: int, kind: str, rng: np.random.Generator, min_shift: int = 0
) -> np.ndarray:
    """Surrogates where region ``member`` alone is shifted (or phase-randomised).

    Parameters
    ----------
    values : numpy.ndarray, shape (T, M)
    member : int
        Column replaced by its surrogate; every other column is kept as is.
    n_surrogates : int
    kind : {"circular", "phase"}
    rng : numpy.random.Generator
    min_shift : int, default=0
        Circular shifts lie in ``[min_shift, T - min_shift]`` (:func:`circular_shifts`).

    Returns
    -------
    numpy.ndarray, shape (n_surrogates, T, M)
    """
    column = values[:, [member]]  # (T, 1)
    if kind == "circular":
        moved = circular_shift_surrogates(column, n_surrogates, rng, min_shift)  # (S, T, 1)
    elif kind == "phase":
        moved = phase_randomized_surrogates(column, n_surrogates, rng)  # (S, T, 1)
    else:
        raise ValueError(f"surrogate={kind!r} is not known; use one of {list(SURROGATES)}.")
    out = np.repeat(values[None, :, :], n_surrogates, axis=0)  # (S, T, M)
    out[:, :, member] = moved[:, :, 0]
    return out
