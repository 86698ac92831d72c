"""Region time series from runs: nilearn maskers, confounds, censoring, QC.

How a subject's runs become one (T, N) table:

1. Every run is validated first (:func:`fmri_oinfo.inputs.check_runs`) and its
   confounds are loaded with nilearn's ``load_confounds_strategy`` preset
   (``simple`` by default when fMRIPrep confounds exist); volumes flagged by
   the preset (e.g. ``scrubbing``) or with framewise displacement above
   ``fd_threshold`` are censored through ``sample_mask``.  A run whose
   confounds leave fewer than ``MIN_RESIDUAL_DOF`` degrees of freedom is
   refused (over-regression makes every series zero).  Nothing is extracted
   before every run has passed.
2. Regions with no voxel inside a run's mask or field of view are dropped.
3. Each run is cleaned separately by the nilearn masker: confound regression,
   detrending and band-pass filtering with the run's TR, censored volumes
   removed.
4. Regions whose cleaned series is constant or near constant in any run are
   dropped.  Dropped regions are listed in a warning and in the metadata.
5. Each run is standardised on its own (``zscore_sample`` by default), then the
   runs are concatenated in time, in the order given.
"""

from __future__ import annotations

import json
import logging
import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nibabel as nib
import numpy as np
import pandas as pd

from fmri_oinfo.atlases import DEFAULT_ATLAS, Atlas, load_atlas, sphere_voxels
from fmri_oinfo.atomic import write_text_atomically
from fmri_oinfo.inputs import DEFAULT_MIN_VOLUMES, Run, check_runs, find_runs

logger = logging.getLogger(__name__)

#: Presets of ``nilearn.interfaces.fmriprep.load_confounds_strategy``.
CONFOUND_STRATEGIES = ("simple", "scrubbing", "compcor", "ica_aroma")

#: Fewest degrees of freedom left after confound regression.
MIN_RESIDUAL_DOF = 10

#: A region's standard deviation below this fraction of the median one counts as constant.
NEAR_CONSTANT = 1e-6

_STANDARDIZE = ("zscore_sample", "zscore", None)


# --------------------------------------------------------------------------- result


def _sidecar_path(path: Path) -> Path:
    name = path.name[: -len(".tsv")] if path.name.endswith(".tsv") else path.name
    return path.with_name(name + ".json")


@dataclass
class RegionTimeseries:
    """Region time series of one subject with their provenance.

    Attributes
    ----------
    data : pandas.DataFrame
        Shape (T, N): time points in rows, one column per region (names as str).
    regions : pandas.DataFrame
        Region table (``name``, ``network``, ``x``, ``y``, ``z``, and from the
        atlas ``anatomy`` and ``anatomy_distance_mm``: see
        :func:`fmri_oinfo.atlases.with_anatomy`), same order as the columns of ``data``.
    metadata : dict
        ``t_r`` (s), ``atlas``, ``confound_strategy``, ``cleaning``, ``runs``
        (per run: files, volumes, ``censored_volumes``, rows in ``data``,
        ``framewise_displacement`` of every volume in mm or None),
        ``censored_volumes`` (run name to volume indices), ``dropped_regions``
        (name, reason, runs), ``source_files``, ``framewise_displacement``
        (mm, one value per row of ``data``, None where unknown) and
        ``region_qc`` (region name to ``tsnr``, the temporal SNR of its raw
        signal before any cleaning, mean over runs, and ``coverage``, the
        smallest share over runs of its voxels inside the brain mask, None
        for maps atlases).
    """

    data: pd.DataFrame
    regions: pd.DataFrame
    metadata: dict[str, Any] = field(default_factory=dict)

    def save(self, path: str | Path) -> Path:
        """Write ``<path>`` (TSV, header of region names) and its JSON sidecar.

        Both files are written atomically.  Returns the TSV path.
        """
        path = Path(path)
        if not path.name.endswith(".tsv"):
            path = path.with_name(path.name + ".tsv")
        path.parent.mkdir(parents=True, exist_ok=True)
        sidecar = {
            "metadata": self.metadata,
            "regions": self.regions.to_dict(orient="records"),
        }
        write_text_atomically(path, self.data.to_csv(sep="\t", index=False, float_format="%.10g"))
        write_text_atomically(_sidecar_path(path), json.dumps(sidecar, indent=2, default=_json_default) + "\n")
        return path

    @classmethod
    def load(cls, path: str | Path) -> RegionTimeseries:
        """Read a table written by :meth:`save` (the sidecar must sit next to it)."""
        path = Path(path)
        sidecar = _sidecar_path(path)
        if not sidecar.is_file():
            raise FileNotFoundError(f"{sidecar} (the JSON sidecar of {path.name}) does not exist.")
        data = pd.read_csv(path, sep="\t")
        data.columns = [str(c) for c in data.columns]
        content = json.loads(sidecar.read_text())
        columns = ["name", "network", "x", "y", "z"]
        columns += [c for c in ("anatomy", "anatomy_distance_mm") if content["regions"] and c in content["regions"][0]]
        regions = pd.DataFrame(content["regions"], columns=columns)
        regions["network"] = regions["network"].fillna("").astype(str)
        return cls(data=data, regions=regions, metadata=content["metadata"])


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot store {type(value).__name__} in the JSON sidecar")


# --------------------------------------------------------------------------- confounds


@dataclass(frozen=True)
class _RunConfounds:
    """Confounds, kept volumes and framewise displacement of one run."""

    table: pd.DataFrame | None
    sample_mask: np.ndarray | None  # kept volume indices, or None for all
    framewise_displacement: np.ndarray | None  # (n_volumes,)


def _resolve_strategy(confounds: str | None, runs: Sequence[Run]) -> str | None:
    if confounds in (None, "none", False):
        return None
    if confounds == "auto":
        with_tables = [r.confounds is not None for r in runs]
        if all(with_tables):
            return "simple"
        if any(with_tables):
            missing = [r.bold.name for r in runs if r.confounds is None]
            raise ValueError(
                f"confounds='auto': runs {missing} have no fMRIPrep confounds table while others do; "
                "give confounds=None or add the missing *_desc-confounds_timeseries.tsv."
            )
        return None
    if confounds not in CONFOUND_STRATEGIES:
        raise ValueError(f"confounds={confounds!r}; use 'auto', None or one of {CONFOUND_STRATEGIES}.")
    missing = [r.bold.name for r in runs if r.confounds is None]
    if missing:
        raise ValueError(
            f"confounds={confounds!r} needs fMRIPrep confounds (*_desc-confounds_timeseries.tsv + .json) next to "
            f"{missing[0]}; none was found. Use confounds=None for data without confounds."
        )
    return confounds


def _load_run_confounds(
    run: Run, strategy: str | None, options: Mapping[str, Any], fd_threshold: float | None, n_volumes: int
) -> _RunConfounds:
    fd = None
    if run.confounds is not None:
        columns = pd.read_csv(run.confounds, sep="\t")
        if "framewise_displacement" in columns:
            fd = pd.to_numeric(columns["framewise_displacement"], errors="coerce").to_numpy(dtype=float)
    table, sample_mask = None, None
    if strategy is not None:
        from nilearn.interfaces.fmriprep import load_confounds_strategy

        try:
            table, sample_mask = load_confounds_strategy(str(run.bold), denoise_strategy=strategy, **options)
        except Exception as err:  # nilearn raises ValueError/MissingConfound/FileNotFoundError
            raise ValueError(
                f"{run.confounds}: nilearn could not load the {strategy!r} confounds ({type(err).__name__}: {err}). "
                "Check that the .tsv and its .json come from fMRIPrep for this run, or choose another strategy."
            ) from None
    if fd_threshold is not None:
        if fd is None:
            raise ValueError(
                f"fd_threshold={fd_threshold} needs a framewise_displacement column; {run.bold.name} has "
                f"{'no confounds table' if run.confounds is None else f'none in {run.confounds.name}'}."
            )
        keep = np.flatnonzero(~(np.nan_to_num(fd, nan=0.0) > fd_threshold))
        sample_mask = keep if sample_mask is None else np.intersect1d(sample_mask, keep)
    if sample_mask is not None and len(sample_mask) == n_volumes:
        sample_mask = None
    return _RunConfounds(table, None if sample_mask is None else np.asarray(sample_mask, dtype=int), fd)


def _check_dof(run: Run, confounds: _RunConfounds, n_volumes: int, detrend: bool, strategy: str | None, min_volumes: int) -> None:
    kept = n_volumes if confounds.sample_mask is None else len(confounds.sample_mask)
    if kept < min_volumes:
        raise ValueError(
            f"{run.bold}: censoring keeps {kept} of {n_volumes} volumes; the analysis needs at least {min_volumes}. "
            "Raise fd_threshold, choose a strategy without scrubbing, or lower min_volumes."
        )
    n_confounds = 0 if confounds.table is None else confounds.table.shape[1]
    residual = kept - n_confounds - 1 - int(detrend)
    if residual < MIN_RESIDUAL_DOF:
        raise ValueError(
            f"{run.bold}: the {strategy!r} strategy regresses {n_confounds} confounds (plus mean"
            f"{' and trend' if detrend else ''}) out of {kept} kept volumes, leaving {residual} degrees of freedom "
            f"(at least {MIN_RESIDUAL_DOF} needed): every cleaned series would be (close to) zero. Use a longer run, "
            "a lighter strategy (confounds=None, or 'simple' instead of 'scrubbing'/'compcor') or less censoring."
        )


# --------------------------------------------------------------------------- regions


def _region_voxels(atlas: Atlas, run: Run) -> tuple[np.ndarray, np.ndarray] | None:
    """Voxels of each region of ``atlas`` on the run's grid, and inside the run's mask.

    Returns ``(on_grid, in_mask)``, integer arrays of shape (N,); without a
    mask both are the voxels on the grid.  None for maps atlases (weights,
    not voxels).
    """
    bold = nib.load(str(run.bold))
    shape, affine = bold.shape[:3], bold.affine
    mask = None if run.mask is None else np.asanyarray(nib.load(str(run.mask)).dataobj) != 0
    n_regions = len(atlas.regions)
    if atlas.kind == "spheres":
        on_grid = np.array([len(v) for v in sphere_voxels(atlas.coords, atlas.radius_mm, affine, shape)])
        if mask is None:
            return on_grid, on_grid
        in_mask = np.array([len(v) for v in sphere_voxels(atlas.coords, atlas.radius_mm, affine, shape, mask)])
        return on_grid, in_mask
    if atlas.kind == "labels":
        from nilearn.image import resample_img

        labels = resample_img(
            atlas.image, target_affine=affine, target_shape=shape, interpolation="nearest",
            force_resample=True, copy_header=True,
        )
        data = np.asanyarray(labels.dataobj).astype(np.int64)
        on_grid = np.bincount(data.ravel(), minlength=n_regions + 1)[1:n_regions + 1]
        if mask is None:
            return on_grid, on_grid
        return on_grid, np.bincount((data * mask).ravel(), minlength=n_regions + 1)[1:n_regions + 1]
    return None


def _empty_regions(atlas: Atlas, voxels: tuple[np.ndarray, np.ndarray] | None) -> list[str]:
    """Regions with no voxel inside the mask (or grid); none for maps atlases (caught later as constant)."""
    if voxels is None:
        return []
    return [n for n, c in zip(atlas.regions["name"], voxels[1]) if c == 0]


def _coverage(voxels: tuple[np.ndarray, np.ndarray] | None) -> np.ndarray | None:
    """Share of each region's voxels on the grid that lie inside the mask, shape (N,)."""
    if voxels is None:
        return None
    on_grid, in_mask = voxels
    return np.where(on_grid > 0, in_mask / np.maximum(on_grid, 1), 0.0)


def temporal_snr(series: np.ndarray) -> np.ndarray:
    """Temporal signal-to-noise ratio of each column: mean over the linearly detrended standard deviation.

    Parameters
    ----------
    series : array of shape (T, N)
        Raw (uncleaned) region signals of one run.

    Returns
    -------
    numpy.ndarray of shape (N,)
        ``mean / std`` after removing a linear trend; NaN where the detrended
        series is constant.
    """
    times = np.arange(series.shape[0], dtype=float)
    design = np.column_stack([np.ones_like(times), times - times.mean()])  # (T, 2)
    coefficients, *_ = np.linalg.lstsq(design, series, rcond=None)  # (2, N)
    residual = series - design @ coefficients  # (T, N)
    spread = residual.std(axis=0, ddof=1)
    mean = series.mean(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):  # constant up to rounding: no tSNR
        return np.where(spread > 1e-9 * np.maximum(np.abs(mean), 1e-12), mean / spread, np.nan)


def _constant_regions(series: np.ndarray, names: Sequence[str]) -> list[str]:
    std = series.std(axis=0)  # (N,)
    scale = np.median(std[std > 0]) if np.any(std > 0) else 1.0
    bad = ~np.isfinite(series).all(axis=0) | (std <= NEAR_CONSTANT * scale)
    return [n for n, b in zip(names, bad) if b]


def _standardize(series: np.ndarray, method: str | None) -> np.ndarray:
    if method is None:
        return series
    ddof = 1 if method == "zscore_sample" else 0
    centred = series - series.mean(axis=0)
    return centred / series.std(axis=0, ddof=ddof)


def _region_qc(
    atlas: Atlas, voxels: list[tuple[np.ndarray, np.ndarray] | None], kept_names: list[str],
    tsnr: list[np.ndarray], final: list[str],
) -> dict[str, dict[str, float | None]]:
    """Per kept region: ``tsnr`` (mean over runs of the raw signal's tSNR) and ``coverage``
    (smallest share over runs of its voxels inside the brain mask; None for maps atlases)."""
    position = {name: j for j, name in enumerate(atlas.regions["name"])}
    kept = {name: j for j, name in enumerate(kept_names)}
    coverages = [c for c in (_coverage(v) for v in voxels) if c is not None]
    stacked = np.vstack(tsnr) if tsnr else np.full((1, len(kept_names)), np.nan)  # (runs, N_kept)
    seen = np.isfinite(stacked).sum(axis=0)  # (N_kept,) runs with a finite tSNR
    mean_tsnr = np.where(seen > 0, np.where(np.isfinite(stacked), stacked, 0.0).sum(axis=0) / np.maximum(seen, 1),
                         np.nan)  # (N_kept,) mean over runs, NaN where no run has one
    qc: dict[str, dict[str, float | None]] = {}
    for name in final:
        value = float(mean_tsnr[kept[name]])
        coverage = min(float(c[position[name]]) for c in coverages) if coverages else None
        qc[name] = {"tsnr": value if np.isfinite(value) else None, "coverage": coverage}
    return qc


# --------------------------------------------------------------------------- estimator


class RegionExtractor:
    """Extract cleaned region time series of one subject (nilearn style).

    Parameters
    ----------
    atlas : str, pathlib.Path or Atlas, default="seitzman2018"
        See :func:`fmri_oinfo.atlases.load_atlas`.
    confounds : {"auto", "simple", "scrubbing", "compcor", "ica_aroma"} or None, default="auto"
        Preset of ``nilearn.interfaces.fmriprep.load_confounds_strategy``;
        ``"auto"`` is ``"simple"`` when fMRIPrep confounds exist, else None.
        ``ica_aroma`` expects the runs to be fMRIPrep's AROMA-denoised images.
    high_pass, low_pass : float or None, default=0.01 and 0.1
        Band-pass cut-offs in Hz (None to skip either).
    detrend : bool, default=True
        Remove a linear trend per run.
    standardize : {"zscore_sample", "zscore"} or None, default="zscore_sample"
        Per-run standardisation before concatenation.
    fd_threshold : float or None, default=None
        Censor volumes whose framewise displacement (mm) exceeds it, on top of
        the preset's own censoring.
    min_volumes : int, default=50
        Fewest volumes per run, before and after censoring.
    smoothing_fwhm : float or None, default=None
        Spatial smoothing (mm) applied by the masker.
    atlas_dir : str, pathlib.Path or None
        Folder of pre-placed atlas files.
    confounds_options : mapping or None
        Extra keyword arguments of ``load_confounds_strategy`` (e.g.
        ``{"global_signal": "basic"}`` or ``{"fd_threshold": 0.3}`` for scrubbing).

    Attributes
    ----------
    atlas_ : Atlas
        The atlas restricted to the kept regions.
    dropped_regions_ : list of dict
        ``name``, ``reason`` and ``runs`` of each dropped region.
    timeseries_ : RegionTimeseries
    """

    def __init__(
        self,
        atlas: str | Path | Atlas = DEFAULT_ATLAS,
        confounds: str | None = "auto",
        high_pass: float | None = 0.01,
        low_pass: float | None = 0.1,
        detrend: bool = True,
        standardize: str | None = "zscore_sample",
        fd_threshold: float | None = None,
        min_volumes: int = DEFAULT_MIN_VOLUMES,
        smoothing_fwhm: float | None = None,
        atlas_dir: str | Path | None = None,
        confounds_options: Mapping[str, Any] | None = None,
    ) -> None:
        self.atlas = atlas
        self.confounds = confounds
        self.high_pass = high_pass
        self.low_pass = low_pass
        self.detrend = detrend
        self.standardize = standardize
        self.fd_threshold = fd_threshold
        self.min_volumes = min_volumes
        self.smoothing_fwhm = smoothing_fwhm
        self.atlas_dir = atlas_dir
        self.confounds_options = confounds_options

    def _check_params(self, t_r: float) -> None:
        for name in ("high_pass", "low_pass", "fd_threshold"):
            value = getattr(self, name)
            if value is not None and not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
                raise ValueError(f"{name}={value!r}; give a positive number or None.")
        if self.high_pass is not None and self.low_pass is not None and self.high_pass >= self.low_pass:
            raise ValueError(f"high_pass={self.high_pass} Hz must be below low_pass={self.low_pass} Hz.")
        nyquist = 0.5 / t_r
        if self.low_pass is not None and self.low_pass >= nyquist:
            raise ValueError(
                f"low_pass={self.low_pass} Hz is at or above the Nyquist frequency {nyquist:g} Hz of TR {t_r:g} s; "
                "lower it or set low_pass=None."
            )
        if self.standardize not in _STANDARDIZE:
            raise ValueError(f"standardize={self.standardize!r}; use one of {_STANDARDIZE}.")
        if not isinstance(self.min_volumes, int) or self.min_volumes < 3:
            raise ValueError(f"min_volumes={self.min_volumes!r}; give an integer of at least 3.")

    @staticmethod
    def _as_runs(runs: Sequence[Run] | Run | str | Path) -> list[Run]:
        if isinstance(runs, (str, Path)):
            return find_runs(runs)
        if isinstance(runs, Run):
            return [runs]
        return list(runs)

    def fit(self, runs: Sequence[Run] | Run | str | Path) -> RegionExtractor:
        """Validate the runs, clean them and extract region time series.

        Parameters
        ----------
        runs : sequence of Run, Run, or a subject folder
            Runs of one subject (see :func:`fmri_oinfo.inputs.find_runs`).

        Returns
        -------
        self
        """
        runs = self._as_runs(runs)
        atlas = self.atlas if isinstance(self.atlas, Atlas) else load_atlas(self.atlas, self.atlas_dir)
        t_rs = sorted({r.t_r for r in runs})
        if len(t_rs) > 1:
            raise ValueError(
                f"runs have different repetition times {t_rs} s; extract them separately "
                "(concatenating runs needs one TR)."
            )
        t_r = t_rs[0] if t_rs else float("nan")
        self._check_params(t_r)
        volumes = check_runs(runs, self.min_volumes, atlas.space, atlas.coords)
        strategy = _resolve_strategy(self.confounds, runs)
        options = dict(self.confounds_options or {})
        run_confounds = []
        for run, n_volumes in zip(runs, volumes):
            loaded = _load_run_confounds(run, strategy, options, self.fd_threshold, n_volumes)
            _check_dof(run, loaded, n_volumes, self.detrend, strategy, self.min_volumes)
            run_confounds.append(loaded)

        dropped: dict[str, dict[str, Any]] = {}
        voxels = [_region_voxels(atlas, run) for run in runs]
        for run, run_voxels in zip(runs, voxels):
            for name in _empty_regions(atlas, run_voxels):
                dropped.setdefault(name, {"name": name, "reason": "empty: no voxel inside the mask", "runs": []})
                dropped[name]["runs"].append(run.name)
        kept_names = [n for n in atlas.regions["name"] if n not in dropped]
        if not kept_names:
            raise ValueError(
                f"no region of atlas {atlas.name!r} has a voxel inside {runs[0].bold}; the image is probably not in "
                f"{atlas.space} space."
            )
        kept_atlas = atlas.subset(kept_names)

        series, tsnr = [], []
        for run, loaded in zip(runs, run_confounds):
            raw = kept_atlas.make_masker(
                mask_img=None if run.mask is None else str(run.mask), smoothing_fwhm=self.smoothing_fwhm,
            ).fit_transform(str(run.bold))
            tsnr.append(temporal_snr(np.asarray(raw, dtype=np.float64)))  # (N_kept,)
            masker = kept_atlas.make_masker(
                mask_img=None if run.mask is None else str(run.mask), t_r=t_r, high_pass=self.high_pass,
                low_pass=self.low_pass, detrend=self.detrend, standardize=None, smoothing_fwhm=self.smoothing_fwhm,
            )
            values = masker.fit_transform(str(run.bold), confounds=loaded.table, sample_mask=loaded.sample_mask)
            values = np.asarray(values, dtype=np.float64)  # (T_run, N_kept)
            if values.shape[1] != len(kept_names):
                raise RuntimeError(
                    f"{run.bold}: the masker returned {values.shape[1]} regions for {len(kept_names)} requested."
                )
            if np.all(np.abs(values) < 1e-12):
                raise ValueError(
                    f"{run.bold}: every cleaned region series is zero (over-regression: too many confounds for "
                    "the kept volumes); use a lighter confound strategy or less censoring."
                )
            series.append(values)

        constant: dict[str, list[str]] = {}
        for run, values in zip(runs, series):
            for name in _constant_regions(values, kept_names):
                constant.setdefault(name, []).append(run.name)
        for name, where in constant.items():
            dropped[name] = {"name": name, "reason": "constant or near-constant series after cleaning", "runs": where}
        final = [n for n in kept_names if n not in constant]
        if len(final) < 3:
            raise ValueError(
                f"only {len(final)} regions of atlas {atlas.name!r} carry signal in {runs[0].bold} "
                f"({len(dropped)} dropped); check the image, its mask and its space."
            )
        if dropped:
            listed = ", ".join(f"{d['name']} ({d['reason'].split(':')[0]})" for d in dropped.values())
            warnings.warn(f"dropped {len(dropped)} region(s) of atlas {atlas.name!r}: {listed}", UserWarning, stacklevel=2)
        columns = [kept_names.index(n) for n in final]
        blocks = [_standardize(values[:, columns], self.standardize) for values in series]

        self.atlas_ = kept_atlas.subset(final)
        self.dropped_regions_ = list(dropped.values())
        self.timeseries_ = RegionTimeseries(
            data=pd.DataFrame(np.vstack(blocks), columns=final),
            regions=self.atlas_.regions.copy(),
            metadata=self._metadata(runs, volumes, run_confounds, strategy, t_r, atlas, [len(b) for b in blocks]),
        )
        self.timeseries_.metadata["region_qc"] = _region_qc(atlas, voxels, kept_names, tsnr, final)
        logger.info("extracted %d regions x %d volumes from %d run(s)", len(final), sum(len(b) for b in blocks), len(runs))
        return self

    def fit_transform(self, runs: Sequence[Run] | Run | str | Path) -> RegionTimeseries:
        """Fit and return :attr:`timeseries_`."""
        return self.fit(runs).timeseries_

    def _metadata(
        self, runs: list[Run], volumes: list[int], run_confounds: list[_RunConfounds], strategy: str | None,
        t_r: float, atlas: Atlas, lengths: list[int],
    ) -> dict[str, Any]:
        import nilearn

        from fmri_oinfo.version import __version__

        run_meta, fd_rows, start = [], [], 0
        censored: dict[str, list[int]] = {}
        for run, n_volumes, loaded, length in zip(runs, volumes, run_confounds, lengths):
            kept = np.arange(n_volumes) if loaded.sample_mask is None else loaded.sample_mask
            censored[run.name] = sorted(set(range(n_volumes)) - set(kept.tolist()))
            if loaded.framewise_displacement is not None:
                fd_rows.extend(None if not np.isfinite(v) else float(v) for v in loaded.framewise_displacement[kept])
            else:
                fd_rows.extend([None] * length)
            run_meta.append(
                {
                    "name": run.name,
                    "layout": run.layout,
                    "bold": str(run.bold),
                    "confounds": None if run.confounds is None else str(run.confounds),
                    "mask": None if run.mask is None else str(run.mask),
                    "entities": dict(run.entities),
                    "n_volumes": n_volumes,
                    "censored_volumes": censored[run.name],
                    "confound_columns": [] if loaded.table is None else [str(c) for c in loaded.table.columns],
                    "framewise_displacement": None if loaded.framewise_displacement is None else [
                        None if not np.isfinite(v) else float(v) for v in loaded.framewise_displacement],
                    "rows": [start, start + length],
                }
            )
            start += length
        return {
            "t_r": t_r,
            "atlas": {"name": atlas.name, "kind": atlas.kind, "space": atlas.space, "n_regions": atlas.n_regions,
                      "source": atlas.source, "citation": atlas.citation, "radius_mm": atlas.radius_mm},
            "confound_strategy": strategy,
            "cleaning": {
                "high_pass": self.high_pass, "low_pass": self.low_pass, "detrend": self.detrend,
                "standardize": self.standardize, "fd_threshold": self.fd_threshold,
                "confounds_options": dict(self.confounds_options or {}), "smoothing_fwhm": self.smoothing_fwhm,
                "order": "per run: confounds + detrend + band-pass + censoring (nilearn), QC, standardise; then concatenate",
            },
            "runs": run_meta,
            "censored_volumes": censored,
            "dropped_regions": self.dropped_regions_,
            "source_files": [str(r.bold) for r in runs] + [str(r.confounds) for r in runs if r.confounds is not None],
            "framewise_displacement": fd_rows if any(v is not None for v in fd_rows) else None,
            "software": {"fmri_oinfo": __version__, "nilearn": nilearn.__version__},
        }


def extract_timeseries(
    runs: Sequence[Run] | Run | str | Path,
    atlas: str | Path | Atlas = DEFAULT_ATLAS,
    confounds: str | None = "auto",
    high_pass: float | None = 0.01,
    low_pass: float | None = 0.1,
    detrend: bool = True,
    standardize: str | None = "zscore_sample",
    fd_threshold: float | None = None,
    min_volumes: int = DEFAULT_MIN_VOLUMES,
    smoothing_fwhm: float | None = None,
    atlas_dir: str | Path | None = None,
    confounds_options: Mapping[str, Any] | None = None,
    output: str | Path | None = None,
) -> RegionTimeseries:
    """Extract cleaned region time series of one subject.

    Parameters are those of :class:`RegionExtractor`, plus:

    runs : sequence of Run, Run, or a subject folder
        Runs of one subject (see :func:`fmri_oinfo.inputs.find_runs`).
    output : str, pathlib.Path or None
        When given, the result is also saved there (TSV + JSON sidecar, written
        atomically, only after every check has passed).

    Returns
    -------
    RegionTimeseries
        ``data`` is (T, N) with T the kept volumes of all runs, concatenated.

    Examples
    --------
    >>> from fmri_oinfo.inputs import find_runs                      # doctest: +SKIP
    >>> ts = extract_timeseries(find_runs("derivatives/sub-01"))      # doctest: +SKIP
    >>> ts.data.shape                                                 # doctest: +SKIP
    (300, 300)
    """
    result = RegionExtractor(
        atlas=atlas, confounds=confounds, high_pass=high_pass, low_pass=low_pass, detrend=detrend,
        standardize=standardize, fd_threshold=fd_threshold, min_volumes=min_volumes,
        smoothing_fwhm=smoothing_fwhm, atlas_dir=atlas_dir, confounds_options=confounds_options,
    ).fit_transform(runs)
    if output is not None:
        result.save(output)
    return result
