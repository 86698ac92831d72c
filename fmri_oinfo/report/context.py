"""What a subject report is made from: one frozen dataclass of inputs.

The pipeline fills a :class:`ReportContext` from the result table, the region
table, the atlas image, the extraction metadata and the configuration, and
hands it to :func:`fmri_oinfo.report.render_report`.
"""

from __future__ import annotations

import importlib.metadata
import platform
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import nibabel as nib
import numpy as np
import pandas as pd

import fmri_oinfo

#: Distributions whose versions every report lists (torch is read from metadata, never imported).
REPORTED_PACKAGES: tuple[str, ...] = (
    "numpy", "scipy", "pandas", "nibabel", "nilearn", "networkx",
    "matplotlib", "jinja2", "torch", "dask",
)


def package_versions(packages: Sequence[str] = REPORTED_PACKAGES) -> dict[str, str]:
    """Installed versions of ``packages`` (``"not installed"`` when absent), Python and fmri-oinfo.

    Parameters
    ----------
    packages : sequence of str
        Distribution names.

    Returns
    -------
    dict of str to str
    """
    versions = {"python": platform.python_version(), "fmri-oinfo": fmri_oinfo.__version__}
    for name in packages:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


@dataclass(frozen=True, eq=False)
class ReportContext:
    """Everything a subject report shows.

    Parameters
    ----------
    subject : str
        Subject label shown in the title, e.g. ``"sub-01"``.
    results : pandas.DataFrame
        Result table from :mod:`fmri_oinfo.stats` (``set``, ``order``,
        ``chosen_by``, ``o_info``, ``o_info_se``, ``tc``, ``dtc``, ``s_info``,
        ``ci_low``, ``ci_high``, ``p_value``, ``q_value``, ``label`` and
        optionally ``o_info_gradient``), in nats.
    regions : pandas.DataFrame
        Region metadata table (``name``, ``network``, ``x``, ``y``, ``z``), in
        the column order of the time series.
    atlas : str
        Atlas name (or file name) as given by the user.
    parameters : mapping
        Every parameter of the run (nested mappings allowed), shown verbatim.
    label_image : nibabel.Nifti1Image or None, default=None
        Atlas label image in MNI space (label ``j + 1`` is region ``j``);
        without it maps are drawn as markers and the surface view is omitted.
        Regions may lack coordinates (NaN ``x``, ``y``, ``z``): without
        coordinates and label image the brain maps are left out, and without
        coordinates the connectome figures and 3-D views are left out; the
        report says why (``no_coordinates_reason``).
    timeseries : pandas.DataFrame or None, default=None
        Region time series (T x N), for the carpet plot.
    framewise_displacement : array-like of shape (T,) or None, default=None
        Framewise displacement per volume in mm.
    censored_volumes : mapping of str to sequence of int, or sequence of int
        Censored volume indices per run (or for the single run).
    dropped_regions : mapping of str to str, or sequence of (name, reason)
        Regions dropped during extraction and why.
    confound_strategy : str, default=""
        Confound strategy used during extraction.
    t_r : float or None, default=None
        Repetition time in seconds (time axis of the QC plots).
    source_files : sequence of str, default=()
        Input files, listed in the report.
    null_distributions : array of shape (n_sets, n_surrogates), pandas.DataFrame or None
        Surrogate O-information values (nats).  An array has one row per row
        of ``results``; a DataFrame is long, with columns ``set`` and
        ``o_info_null`` (one row per surrogate value).  When ``results`` has
        an ``o_info_test`` column (the null's estimator differs from the
        estimation's), the nulls are compared with ``o_info_test``.
    package_versions : mapping of str to str or None, default=None
        Versions to list; the installed versions are read when None.
    top_n : int, default=25
        Rows in each table of top redundant and synergistic sets.
    interactive : bool, default=True
        Embed the interactive 3-D graph views (about 2.5 MB each).
    title : str or None, default=None
        Page title; ``"O-information report: <subject>"`` when None.
    no_coordinates_reason : str, default="the region table has no MNI coordinates"
        Shown where brain figures are left out because regions lack
        coordinates, e.g. ``"the input was a region table"``.
    """

    subject: str
    results: pd.DataFrame
    regions: pd.DataFrame
    atlas: str
    parameters: Mapping[str, Any]
    label_image: nib.Nifti1Image | None = None
    timeseries: pd.DataFrame | None = None
    framewise_displacement: Sequence[float] | np.ndarray | None = None
    censored_volumes: Mapping[str, Sequence[int]] | Sequence[int] = field(default_factory=dict)
    dropped_regions: Mapping[str, str] | Sequence[tuple[str, str]] = field(default_factory=dict)
    confound_strategy: str = ""
    t_r: float | None = None
    source_files: Sequence[str] = ()
    null_distributions: np.ndarray | pd.DataFrame | None = None
    package_versions: Mapping[str, str] | None = None
    top_n: int = 25
    interactive: bool = True
    title: str | None = None
    no_coordinates_reason: str = "the region table has no MNI coordinates"

    def __post_init__(self) -> None:
        if not isinstance(self.results, pd.DataFrame):
            raise ValueError(
                f"ReportContext.results is a {type(self.results).__name__}; pass the result table DataFrame."
            )
        if not isinstance(self.parameters, Mapping):
            raise ValueError(
                f"ReportContext.parameters is a {type(self.parameters).__name__}; pass a mapping of parameters."
            )
        if isinstance(self.top_n, bool) or not isinstance(self.top_n, (int, np.integer)) or self.top_n < 1:
            raise ValueError(f"ReportContext.top_n={self.top_n!r}; a positive integer is needed.")
        if self.timeseries is not None and not isinstance(self.timeseries, pd.DataFrame):
            raise ValueError(
                f"ReportContext.timeseries is a {type(self.timeseries).__name__}; "
                "pass the region time series as a DataFrame (T x N) or None."
            )

    def censored_by_run(self) -> dict[str, list[int]]:
        """Censored volume indices per run (one run called ``"run"`` for a flat list)."""
        if isinstance(self.censored_volumes, Mapping):
            return {str(run): sorted(int(v) for v in volumes) for run, volumes in self.censored_volumes.items()}
        return {"run": sorted(int(v) for v in self.censored_volumes)} if len(self.censored_volumes) else {}

    def dropped_list(self) -> list[tuple[str, str]]:
        """Dropped regions as ``(name, reason)`` pairs."""
        if isinstance(self.dropped_regions, Mapping):
            return [(str(k), str(v)) for k, v in self.dropped_regions.items()]
        return [(str(name), str(reason)) for name, reason in self.dropped_regions]

    def versions(self) -> dict[str, str]:
        """Package versions to list: given ones, else the installed ones."""
        return dict(self.package_versions) if self.package_versions is not None else package_versions()
