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
from typing import TYPE_CHECKING, Any

import nibabel as nib
import numpy as np
import pandas as pd

from fmri_oinfo.version import __version__

if TYPE_CHECKING:
    from fmri_oinfo.report.timecourse import TimeResolved

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
    versions = {"python": platform.python_version(), "fmri-oinfo": __version__}
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
        Result table from :mod:`fmri_oinfo.stats` (columns and ``attrs`` as in
        ``docs/results.md``; at least ``set``, ``o_info`` and ``label``), in
        the table's own ranking, in nats.  Counts, labels and rankings are
        read from it, never recomputed; columns a table lacks are left out.
    regions : pandas.DataFrame
        Region metadata table (``name``, ``network``, ``x``, ``y``, ``z`` and
        optionally ``anatomy``, the region's anatomical name shown on cards
        and in the atlas table: from :func:`fmri_oinfo.atlases.with_anatomy`,
        e.g. ``"left precentral gyrus"``), in the column order of the time series.
    atlas : str
        Atlas name (or file name) as given by the user.
    parameters : mapping
        Every parameter of the run (nested mappings allowed), shown verbatim
        in the collapsed parameters section and read by the methods paragraph.
    label_image : nibabel.Nifti1Image or None, default=None
        Atlas label image in MNI space (label ``j + 1`` is region ``j``);
        without it maps are drawn as markers and the surface view is omitted.
        Regions may lack coordinates (NaN ``x``, ``y``, ``z``): without
        coordinates and label image the brain maps are left out, and without
        coordinates the connectome figures and 3-D views are left out; the
        report says why (``no_coordinates_reason``).
    timeseries : pandas.DataFrame or None, default=None
        Region time series (T x N, kept volumes), for the carpet plot and the
        correlation matrix.
    framewise_displacement : array-like of shape (V,) or None, default=None
        Framewise displacement of every acquired volume (mm) of a single run,
        when ``extraction`` does not give it per run.
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
        ``o_info_null`` (one row per surrogate value).
    package_versions : mapping of str to str or None, default=None
        Versions to list; the installed versions are read when None.
    top_n : int, default=25
        Rows in each table of labelled redundant and synergistic sets.
    interactive : bool, default=True
        Embed the interactive 3-D graph views.
    full_views : bool, default=False
        With ``interactive``: nilearn's full views (plotly and the fsaverage
        mesh, about 2.5 MB each) instead of the light views (tens of kB).
    title : str or None, default=None
        Page title; ``"O-information report: <subject>"`` when None.
    no_coordinates_reason : str, default="the region table has no MNI coordinates"
        Shown where brain figures are left out because regions lack
        coordinates, e.g. ``"the input was a region table"``.
    extraction : mapping or None, default=None
        Extraction metadata (:attr:`fmri_oinfo.extract.RegionTimeseries.metadata`):
        atlas (kind, citation), cleaning, ``runs`` (volumes, censored volumes
        and framewise displacement of every volume), ``region_qc`` (tSNR and
        mask coverage per region).  Feeds the quality-control section and the
        methods paragraph; what it lacks is left out.
    mean_image : nibabel.Nifti1Image or None, default=None
        Mean EPI (3-D), background of the atlas overlay.
    mask_image : nibabel.Nifti1Image or None, default=None
        Brain mask of the run, outlined on the atlas overlay.
    output_files : sequence of (str, str), default=()
        ``(what, href)`` of every file of the run, linked from the report
        (``href`` relative to the report).
    warnings : sequence of str, default=()
        Warnings of the run, shown in their own section.
    time_resolved : TimeResolved or None, default=None
        Local O-information, task events and contrasts
        (:class:`fmri_oinfo.report.timecourse.TimeResolved`): the "Over time"
        section and the contrasts in the findings; left out when None.
    networks : pandas.DataFrame or None, default=None
        The networks table (``[networks] enabled``), shown in its own section
        (:mod:`fmri_oinfo.report.networks`).
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
    full_views: bool = False
    title: str | None = None
    no_coordinates_reason: str = "the region table has no MNI coordinates"
    extraction: Mapping[str, Any] | None = None
    mean_image: nib.Nifti1Image | None = None
    mask_image: nib.Nifti1Image | None = None
    output_files: Sequence[tuple[str, str]] = ()
    warnings: Sequence[str] = ()
    time_resolved: TimeResolved | None = None
    networks: pd.DataFrame | None = None

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
        if self.extraction is not None and not isinstance(self.extraction, Mapping):
            raise ValueError(
                f"ReportContext.extraction is a {type(self.extraction).__name__}; pass the extraction "
                "metadata mapping (RegionTimeseries.metadata) or None."
            )
        if isinstance(self.warnings, str):
            raise ValueError("ReportContext.warnings is a str; pass a sequence of warning messages.")

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

    def runs(self) -> list[dict[str, Any]]:
        """Per run ``name``, ``n_volumes``, ``censored_volumes`` and ``framewise_displacement`` (every volume).

        From ``extraction["runs"]`` when given; else one run built from
        ``framewise_displacement`` and ``censored_volumes``; else none.
        """
        runs = (self.extraction or {}).get("runs") or []
        if runs:
            return [{"name": str(r.get("name", f"run {i + 1}")), "n_volumes": int(r.get("n_volumes", 0)),
                     "censored_volumes": [int(v) for v in r.get("censored_volumes") or []],
                     "framewise_displacement": r.get("framewise_displacement")} for i, r in enumerate(runs)]
        if self.framewise_displacement is None:
            return []
        fd = [None if v is None or not np.isfinite(v) else float(v) for v in self.framewise_displacement]
        censored = sorted({v for volumes in self.censored_by_run().values() for v in volumes})
        name = next(iter(self.censored_by_run()), "run")
        return [{"name": name, "n_volumes": len(fd), "censored_volumes": censored, "framewise_displacement": fd}]

    def atlas_kind(self) -> str | None:
        """``spheres``, ``labels`` or ``maps`` when the extraction metadata says so, else None."""
        atlas = (self.extraction or {}).get("atlas")
        return str(atlas.get("kind")) if isinstance(atlas, Mapping) and atlas.get("kind") else None
