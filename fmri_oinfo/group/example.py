"""A generated group study of region tables, for tests, benchmarks and trying the command.

``make_table_study(root)`` writes ``sub-XX_timeseries.tsv`` (+ JSON sidecar
with region coordinates) for two cohorts and a ``participants.tsv`` with a
``group`` column.  Regions ``R0..R{N-1}`` are independent standard normal
noise, except the planted synergistic triplet ``R0, R1, R2``:
``R2 = R0 + R1 + noise * e``, with ``noise_a`` in cohort ``control`` and
``noise_b`` in cohort ``patient`` (smaller noise: stronger synergy).  With
``noise_a = noise_b = None`` nothing is planted (a null study).  Optionally
(``loading_a`` / ``loading_b``) a redundant 4-set ``R3..R6``: one common
factor added to each of the four regions with that loading, so the 4-set and
its four 3-subsets are all redundant (one family of nested findings).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from fmri_oinfo.extract import RegionTimeseries

#: The planted synergistic set.
PLANTED_SET: tuple[str, ...] = ("R0", "R1", "R2")

#: The planted redundant 4-set (with ``loading_a`` / ``loading_b``).
PLANTED_FOUR: tuple[str, ...] = ("R3", "R4", "R5", "R6")


def _regions(n_regions: int) -> pd.DataFrame:
    angle = 2 * np.pi * np.arange(n_regions) / n_regions
    return pd.DataFrame({
        "name": [f"R{j}" for j in range(n_regions)],
        "network": ["Planted" if j < 3 else "Other" for j in range(n_regions)],
        "x": np.round(50 * np.cos(angle), 1), "y": np.round(60 * np.sin(angle) - 15, 1), "z": 20.0,
    })


def make_table_study(
    root: str | Path,
    n_per_cohort: int = 10,
    n_regions: int = 8,
    n_volumes: int = 200,
    noise_a: float | None = 2.0,
    noise_b: float | None = 0.5,
    seed: int = 0,
    loading_a: float | None = None,
    loading_b: float | None = None,
) -> Path:
    """Write a two-cohort study of region tables; returns ``root``.

    Parameters
    ----------
    root : str or pathlib.Path
        Folder to write (created).
    n_per_cohort : int, default=10
        Subjects in each of ``control`` and ``patient``.
    n_regions : int, default=8
    n_volumes : int, default=200
    noise_a, noise_b : float or None
        Noise of the planted ``R2 = R0 + R1 + noise e`` in ``control`` and
        ``patient``; None leaves ``R2`` independent (no planted set).
    seed : int, default=0
    loading_a, loading_b : float or None
        Loading of a common factor on ``R3..R6`` in ``control`` and
        ``patient`` (the planted redundant 4-set); None plants none (needs
        ``n_regions >= 7`` otherwise).
    """
    if n_regions < 4 or n_per_cohort < 2 or n_volumes < 20:
        raise ValueError("make_table_study needs n_regions >= 4, n_per_cohort >= 2 and n_volumes >= 20.")
    if (loading_a is not None or loading_b is not None) and n_regions < 7:
        raise ValueError(f"n_regions={n_regions}: the planted 4-set R3..R6 needs n_regions >= 7.")
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    regions = _regions(n_regions)
    rng = np.random.default_rng(seed)
    rows = []
    for k in range(2 * n_per_cohort):
        label = f"sub-{k + 1:02d}"
        cohort, noise, loading = ("control", noise_a, loading_a) if k % 2 == 0 else ("patient", noise_b, loading_b)
        values = rng.standard_normal((n_volumes, n_regions))  # (T, N)
        if noise is not None:
            values[:, 2] = values[:, 0] + values[:, 1] + noise * values[:, 2]
        if loading is not None:
            values[:, 3:7] += loading * rng.standard_normal((n_volumes, 1))
        data = pd.DataFrame(values, columns=regions["name"].tolist())
        RegionTimeseries(data, regions, {"t_r": 2.0, "source": "fmri_oinfo.group.example"}).save(
            root / f"{label}_timeseries.tsv")
        rows.append({"participant_id": label, "group": cohort})
    pd.DataFrame(rows).to_csv(root / "participants.tsv", sep="\t", index=False)
    return root
