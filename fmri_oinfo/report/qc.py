"""Quality-control figures of a subject report, in the manner of fMRIPrep and MRIQC reports.

- :func:`atlas_overlay_figure` - the atlas over the mean EPI (or the brain
  mask), with the mask's outline: coverage and registration at a glance;
- :func:`tsnr_figure` - temporal SNR of each region's raw signal, by network;
- :func:`framewise_displacement_figure` - FD per volume with the censoring
  threshold and the censored volumes;
- :func:`carpet_figure` - cleaned region signals over the acquired volumes,
  networks in a colour strip, censored volumes in their own colour;
- :func:`correlation_figure` - the region correlation matrix ordered by network.

Each takes arrays and tables and returns a matplotlib figure; nothing here is
a statistic of the O-information analysis.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import nibabel as nib
import numpy as np
import pandas as pd
from matplotlib.colors import ListedColormap, to_hex, to_rgb
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from fmri_oinfo.graphs import network_colors

#: Colour of censored volumes (distinct from every network colour of tab10/tab20).
CENSORED_COLOR = "#e6007e"

#: Colour of the censoring threshold and the brain-mask outline.
THRESHOLD_COLOR = "#7b241c"
MASK_COLOR = "#f4d03f"

#: Colour of local O-information traces.
LOCAL_COLOR = "#4a235a"


def _time_axis(n_volumes: int, t_r: float | None) -> tuple[np.ndarray, str]:
    if t_r:
        return np.arange(n_volumes) * float(t_r), "time (s)"
    return np.arange(n_volumes, dtype=float), "volume"


def network_order(networks: Sequence[str]) -> np.ndarray:
    """Column order that groups regions by network (networks alphabetical, regions kept in order)."""
    return np.argsort(np.asarray(networks, dtype=str), kind="stable")


def _network_strip(axes, sorted_networks: np.ndarray, palette: Mapping[str, str]) -> None:
    """A vertical colour strip naming the network of each row."""
    names = list(dict.fromkeys(sorted_networks))
    codes = np.array([names.index(n) for n in sorted_networks])[:, None]  # (N, 1)
    axes.imshow(codes, aspect="auto", interpolation="nearest",
                cmap=ListedColormap([palette[n] for n in names]), vmin=-0.5, vmax=len(names) - 0.5)
    axes.set_xticks([])
    axes.set_yticks([])


def _network_legend(figure: Figure, sorted_networks: np.ndarray, palette: Mapping[str, str],
                    anchor: tuple[float, float]) -> None:
    counts = pd.Series(sorted_networks).value_counts(sort=False)
    handles = [Patch(color=palette[n], label=f"{n or 'no network'} ({counts[n]})") for n in counts.index]
    figure.legend(handles=handles, loc="upper left", bbox_to_anchor=anchor, fontsize=7, frameon=False,
                  title="network (regions)", title_fontsize=7, handlelength=1.0)


def full_timeline(
    data: np.ndarray, runs: Sequence[Mapping[str, object]]
) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """Place kept rows back on the acquired volumes of every run.

    Parameters
    ----------
    data : array of shape (T_kept, N)
    runs : sequence of mapping
        Per run, in order: ``n_volumes`` (acquired) and ``censored_volumes``
        (indices within the run).

    Returns
    -------
    values : array of shape (T_acquired, N)
        Kept rows in place, NaN for censored volumes.
    censored : bool array of shape (T_acquired,)
    boundaries : list of int
        Row where each run after the first starts.
    """
    blocks, flags, boundaries, start = [], [], [], 0
    for index, run in enumerate(runs):
        n_volumes = int(run["n_volumes"])  # type: ignore[arg-type]
        censored = np.zeros(n_volumes, dtype=bool)
        censored[[int(v) for v in run.get("censored_volumes") or [] if 0 <= int(v) < n_volumes]] = True
        kept = int((~censored).sum())
        block = np.full((n_volumes, data.shape[1]), np.nan)
        block[~censored] = data[start:start + kept]
        start += kept
        if index:
            boundaries.append(sum(len(f) for f in flags))
        blocks.append(block)
        flags.append(censored)
    if start != data.shape[0]:
        raise ValueError(f"the runs keep {start} volumes but the time series has {data.shape[0]} rows.")
    return np.vstack(blocks), np.concatenate(flags), boundaries


def carpet_figure(
    timeseries: pd.DataFrame,
    networks: Sequence[str] | None = None,
    runs: Sequence[Mapping[str, object]] | None = None,
    t_r: float | None = None,
    framewise_displacement: Sequence[float | None] | None = None,
    threshold: float | None = None,
    local: Sequence[tuple[str, np.ndarray]] | None = None,
    events: Sequence[tuple[float, float, str]] | None = None,
    local_titles: Sequence[str] | None = None,
    smooth: int = 1,
) -> Figure:
    """Carpet plot of region signals (z-scored per region) over the acquired volumes, under their FD and DVARS.

    As in MRIQC and fMRIPrep reports, the traces sit above the carpet on the same time axis, so that a
    motion spike lines up with the band it leaves in the signals.

    Parameters
    ----------
    timeseries : pandas.DataFrame of shape (T, N)
        Cleaned region signals, kept volumes only.
    networks : sequence of str or None
        Network of each column; rows are grouped by network and named in a
        colour strip with a legend.
    runs : sequence of mapping or None
        Per run ``n_volumes`` and ``censored_volumes`` (see :func:`full_timeline`):
        censored volumes are shown where they were acquired, in
        :data:`CENSORED_COLOR`, and runs are separated by black lines.
        None: the rows are drawn as they are.
    t_r : float or None
        Repetition time (s) for the time axis.
    framewise_displacement : sequence of float or None, optional
        FD (mm) of every acquired volume, all runs in order (None or NaN where unknown); drawn above the
        DVARS trace when given, with ``threshold`` (mm, the censoring threshold) as a dashed line.
    threshold : float or None
    local : sequence of (str, array of shape (T,)), optional
        Traces drawn above all others, top first, each on its own axes with a zero line: ``(axis label,
        values on the kept rows)``, e.g. the local O-information of a set (placed on the acquired volumes as
        the carpet is).
    events : sequence of (float, float, str), optional
        ``(start, end, condition)`` in seconds on the acquired time line (runs end to end): shaded in every
        trace, one colour per condition (:func:`condition_colors`), named in a strip above the traces.
    local_titles : sequence of str, optional
        A line written inside each ``local`` panel (e.g. the set's members).
    smooth : int, default=1
        Above 1: each ``local`` trace is drawn thin and light, under its centred running mean over
        ``smooth`` acquired volumes (censored ones skipped), drawn bold.

    Returns
    -------
    matplotlib.figure.Figure
        Top to bottom: the condition strip (with ``events``), the ``local`` traces, FD (when given), DVARS
        of the region signals (:func:`region_dvars`), the carpet.
    """
    values = timeseries.to_numpy(dtype=float)  # (T, N)
    scale = values.std(axis=0)
    z = (values - values.mean(axis=0)) / np.where(scale > 0, scale, 1.0)  # (T, N)
    local = list(local or [])
    lengths = {np.asarray(v).shape[0] for _, v in local}
    if lengths - {values.shape[0]}:
        raise ValueError(f"local traces have {sorted(lengths)} rows but the time series has {values.shape[0]}.")
    stacked = np.column_stack([z] + [np.asarray(v, dtype=float) for _, v in local])  # (T, N + L)
    censored = np.zeros(z.shape[0], dtype=bool)
    boundaries: list[int] = []
    if runs:
        stacked, censored, boundaries = full_timeline(stacked, runs)
    z, local_values = stacked[:, :z.shape[1]], stacked[:, z.shape[1]:]
    order = network_order(networks) if networks is not None else np.arange(z.shape[1])
    times, axis_label = _time_axis(z.shape[0], t_r)
    step = times[1] - times[0] if times.size > 1 else 1.0
    extent = (times[0] - step / 2, times[-1] + step / 2, z.shape[1] - 0.5, -0.5)
    fd = None if framewise_displacement is None else np.array(
        [np.nan if v is None else float(v) for v in framewise_displacement])  # (T_acquired,)
    if fd is not None and fd.size != z.shape[0]:
        raise ValueError(f"framewise_displacement has {fd.size} volumes but the carpet has {z.shape[0]}.")
    titles = list(local_titles or [""] * len(local))
    traces = [(label, local_values[:, i], LOCAL_COLOR, None, True) for i, (label, _) in enumerate(local)]
    if fd is not None:
        traces.append(("FD (mm)", fd, "#34495e", threshold, False))
    traces.append(("DVARS (SD)", region_dvars(z), "#1f618d", None, False))
    events = list(events or [])
    palette = condition_colors([c for _, _, c in events])
    # layout in inches, so the carpet keeps its size however many traces sit above it
    heights = {"bottom": 0.55, "carpet": 3.2, "gap": 0.12, "qc": 0.8, "local": 1.05, "strip": 0.22, "top": 0.5}
    n_local = len(local)
    total = (heights["bottom"] + heights["carpet"] + heights["gap"] + (len(traces) - n_local) * heights["qc"]
             + n_local * heights["local"] + (heights["strip"] + 0.05 if events else 0.0) + heights["top"])
    figure = plt.figure(figsize=(9.0, total))
    left = 0.09 if networks is not None else 0.07
    axes = figure.add_axes((left, heights["bottom"] / total, 0.66, heights["carpet"] / total))
    top = heights["bottom"] + heights["carpet"] + heights["gap"]
    for index in reversed(range(len(traces))):
        label, trace, colour, line, signed = traces[index]
        height = heights["local"] if signed else heights["qc"]
        trace_axes = figure.add_axes((left, (top + 0.04) / total, 0.66, (height - 0.08) / total))
        top += height
        if signed and smooth > 1:
            trace_axes.plot(times, trace, color=colour, linewidth=0.5, alpha=0.35)
            trace_axes.plot(times, running_mean(trace, smooth), color=colour, linewidth=1.4)
            _robust_limits(trace_axes, trace)
        else:
            trace_axes.plot(times, trace, color=colour, linewidth=0.8)
        if line:
            trace_axes.axhline(line, color=THRESHOLD_COLOR, linestyle="--", linewidth=0.9)
        if signed:
            trace_axes.axhline(0.0, color="black", linewidth=0.6)
        else:
            trace_axes.set_ylim(bottom=0.0)
        if censored.any():
            trace_axes.scatter(times[censored], np.zeros(int(censored.sum())), s=8, color=CENSORED_COLOR, zorder=3)
        for row in boundaries:
            trace_axes.axvline(times[row] - step / 2, color="black", linewidth=1.0)
        for start, end, condition in events:
            trace_axes.axvspan(start - step / 2, end - step / 2, color=palette[condition], alpha=0.25, linewidth=0)
        trace_axes.set_xlim(extent[0], extent[1])
        if signed and titles[index]:
            trace_axes.text(0.005, 0.97, titles[index], fontsize=6.5,
                            transform=trace_axes.transAxes, va="top", ha="left",
                            bbox={"facecolor": "white", "alpha": 0.75, "linewidth": 0, "pad": 1.0})
        trace_axes.set_ylabel(label, fontsize=8 if not signed else 7)
        trace_axes.tick_params(labelsize=7, labelbottom=False)
        finite = trace[np.isfinite(trace)]
        if finite.size:
            text = (f"mean {finite.mean():.3g}\n< 0 in {100 * (finite < 0).mean():.0f} %\nof volumes" if signed
                    else f"mean {finite.mean():.2f}\nmax {finite.max():.2f}")
            trace_axes.text(1.01, 0.5, text, fontsize=7, transform=trace_axes.transAxes, va="center")
    if events:
        strip = figure.add_axes((left, (top + 0.02) / total, 0.66, heights["strip"] / total))
        for start, end, condition in events:
            strip.axvspan(start - step / 2, end - step / 2, color=palette[condition], linewidth=0)
        strip.set_xlim(extent[0], extent[1])
        strip.set_xticks([])
        strip.set_yticks([])
        strip.set_ylabel("events", fontsize=7, rotation=0, ha="right", va="center")
        figure.legend(handles=[Patch(color=palette[c], alpha=0.6, label=c) for c in palette], loc="center left",
                      bbox_to_anchor=(left + 0.67, (top + 0.02 + heights["strip"] / 2) / total), fontsize=7,
                      frameon=False, ncol=min(len(palette), 3), title="condition", title_fontsize=7)
        top += heights["strip"] + 0.05
    colormap = plt.get_cmap("gray").with_extremes(bad=CENSORED_COLOR)
    image = axes.imshow(np.ma.masked_invalid(z[:, order].T), aspect="auto", cmap=colormap, vmin=-2.5, vmax=2.5,
                        interpolation="nearest", extent=extent)
    for row in boundaries:
        axes.axvline(times[row] - step / 2, color="black", linewidth=1.2)
    axes.set_xlabel(axis_label)
    axes.set_yticks([])
    carpet_box = (heights["bottom"] / total, heights["carpet"] / total)
    colorbar_axes = figure.add_axes((left + 0.675, carpet_box[0], 0.012, carpet_box[1]))
    figure.colorbar(image, cax=colorbar_axes)
    colorbar_axes.set_title("z", fontsize=8)
    colorbar_axes.tick_params(labelsize=7)
    n_censored = int(censored.sum())
    title = f"Region signals ({z.shape[1]} regions, {z.shape[0]} volumes"
    title += f", {n_censored} censored)" if runs else ")"
    if local:
        title = "Local O-information over time, above the r" + title[1:]
    figure.suptitle(title, fontsize=10, x=left + 0.33, y=1.0 - 0.12 / total)
    if networks is not None:
        sorted_networks = np.asarray(networks, dtype=str)[order]
        network_palette = network_colors(list(sorted_networks))
        strip = figure.add_axes((left - 0.022, carpet_box[0], 0.018, carpet_box[1]), sharey=axes)
        _network_strip(strip, sorted_networks, network_palette)
        strip.set_ylabel("regions by network", fontsize=8)
        edges = np.flatnonzero(sorted_networks[1:] != sorted_networks[:-1]) + 0.5
        for edge in edges:
            axes.axhline(edge, color="white", linewidth=0.5, alpha=0.8)
        _network_legend(figure, sorted_networks, network_palette, (left + 0.72, sum(carpet_box)))
    else:
        axes.set_ylabel("region")
    if n_censored:
        figure.legend(handles=[Patch(color=CENSORED_COLOR, label="censored volume")], loc="lower left",
                      bbox_to_anchor=(left + 0.70, 0.0), fontsize=7, frameon=False)
    return figure


def _robust_limits(axes, trace: np.ndarray, share: float = 1.0) -> None:
    """Y limits from the 1st to 99th percentile of a noisy trace (and 0), so that its running mean is readable;
    the few single-volume spikes beyond run off the axes."""
    finite = trace[np.isfinite(trace)]
    if finite.size < 10:
        return
    low, high = np.percentile(finite, [share, 100 - share])
    low, high = min(low, 0.0), max(high, 0.0)
    margin = 0.08 * (high - low) if high > low else 1.0
    axes.set_ylim(low - margin, high + margin)


def running_mean(values: np.ndarray, width: int) -> np.ndarray:
    """Centred running mean over ``width`` samples, NaN samples skipped (NaN where the window has none)."""
    values = np.asarray(values, dtype=float)
    finite = np.isfinite(values)
    kernel = np.ones(int(width))
    total = np.convolve(np.where(finite, values, 0.0), kernel, mode="same")
    count = np.convolve(finite.astype(float), kernel, mode="same")
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def condition_colors(conditions: Sequence[str]) -> dict[str, str]:
    """One colour per task condition, in order of first appearance (ColorBrewer's Set2: light enough to
    shade behind a trace)."""
    names = list(dict.fromkeys(conditions))
    cycle = plt.get_cmap("Set2").colors
    return {name: to_hex(cycle[i % len(cycle)]) for i, name in enumerate(names)}


def framewise_displacement_figure(
    framewise_displacement: Mapping[str, Sequence[float | None]],
    censored: Mapping[str, Sequence[int]] | None = None,
    threshold: float | None = None,
    t_r: float | None = None,
) -> Figure:
    """Framewise displacement of every acquired volume, run after run.

    Parameters
    ----------
    framewise_displacement : mapping of str to sequence of float or None
        FD in mm of every volume, per run (None or NaN where unknown, as the
        first volume).
    censored : mapping of str to sequence of int or None
        Censored volume indices per run (marked in :data:`CENSORED_COLOR`).
    threshold : float or None
        Censoring threshold in mm (dashed line), when FD censoring was on.
    t_r : float or None
        Repetition time (s) for the time axis.

    Returns
    -------
    matplotlib.figure.Figure
        Title: mean FD, and the share of censored volumes.
    """
    censored = censored or {}
    traces = [np.array([np.nan if v is None else float(v) for v in fd]) for fd in framewise_displacement.values()]
    fd = np.concatenate(traces) if traces else np.zeros(0)  # (T_acquired,)
    flags = np.concatenate([
        np.isin(np.arange(trace.size), [int(v) for v in censored.get(run, [])])
        for run, trace in zip(framewise_displacement, traces)
    ]) if traces else np.zeros(0, dtype=bool)
    times, axis_label = _time_axis(fd.size, t_r)
    figure, axes = plt.subplots(figsize=(9.0, 2.6))
    axes.plot(times, fd, color="#34495e", linewidth=0.9, label="FD")
    if flags.any():
        axes.scatter(times[flags], np.nan_to_num(fd[flags], nan=0.0), s=14, color=CENSORED_COLOR, zorder=3,
                     label=f"censored ({int(flags.sum())})")
    if threshold:
        axes.axhline(threshold, color=THRESHOLD_COLOR, linestyle="--", linewidth=1.0,
                     label=f"threshold {threshold:g} mm")
    start = 0
    for trace in traces[:-1]:
        start += trace.size
        axes.axvline(times[start], color="black", linewidth=1.0)
    finite = fd[np.isfinite(fd)]
    share = 100.0 * flags.sum() / max(fd.size, 1)
    mean = f"{finite.mean():.3f} mm" if finite.size else "unknown"
    axes.set_title(f"Framewise displacement: mean {mean}; {int(flags.sum())} of {fd.size} volumes censored "
                   f"({share:.1f} %)", fontsize=10)
    axes.set_xlabel(axis_label)
    axes.set_ylabel("FD (mm)")
    if times.size > 1:
        axes.set_xlim(times[0], times[-1])
    axes.set_ylim(bottom=0.0)
    axes.legend(loc="upper right", fontsize=7, frameon=False, ncol=3)
    return figure


#: Framewise displacement thresholds (mm) whose exceedances are counted, as MRIQC and fMRIPrep report them
#: (0.2 mm: the common strict limit; 0.5 mm: the lenient one).
FD_THRESHOLDS: tuple[float, ...] = (0.2, 0.5)


def motion_summary(framewise_displacement: Mapping[str, Sequence[float | None]],
                   threshold: float | None = None) -> list[dict[str, object]]:
    """Per run: mean and largest FD, and the volumes whose FD exceeds each of :data:`FD_THRESHOLDS`.

    Parameters
    ----------
    framewise_displacement : mapping of str to sequence of float or None
        FD in mm of every acquired volume, per run (None or NaN where unknown).
    threshold : float or None
        The run's own censoring threshold, counted too when it is not already one of :data:`FD_THRESHOLDS`.

    Returns
    -------
    list of dict
        ``run``, ``n_volumes``, ``mean``, ``max`` (mm, None when unknown) and ``above``: a list of
        ``{"threshold", "count", "share"}`` (share in %, of the run's volumes), thresholds ascending.
    """
    thresholds = sorted({*FD_THRESHOLDS, *([float(threshold)] if threshold else [])})
    rows = []
    for run, trace in framewise_displacement.items():
        fd = np.array([np.nan if v is None else float(v) for v in trace])  # (T_run,)
        finite = fd[np.isfinite(fd)]
        above = [{"threshold": t, "count": int((finite > t).sum()),
                  "share": 100.0 * float((finite > t).sum()) / max(fd.size, 1)} for t in thresholds]
        rows.append({"run": run, "n_volumes": int(fd.size), "above": above,
                     "mean": float(finite.mean()) if finite.size else None,
                     "max": float(finite.max()) if finite.size else None})
    return rows


def region_dvars(values: np.ndarray) -> np.ndarray:
    """DVARS of region signals: root mean square over regions of the change from the previous volume.

    Parameters
    ----------
    values : array of shape (T, N)
        Region signals on the acquired volumes, z-scored per region (NaN for censored volumes).

    Returns
    -------
    numpy.ndarray of shape (T,)
        NaN for the first volume and next to censored volumes.  In units of
        each region's standard deviation: about sqrt(2 (1 - rho1)) for
        smooth noise with lag-1 autocorrelation rho1, higher at sudden
        changes that every region shares (motion, spikes).
    """
    change = np.diff(values, axis=0)  # (T - 1, N)
    return np.concatenate([[np.nan], np.sqrt(np.mean(change**2, axis=1))])


def tsnr_figure(regions: pd.DataFrame, tsnr: Sequence[float | None]) -> Figure:
    """Temporal SNR of each region's raw signal, one column of points per network.

    Parameters
    ----------
    regions : pandas.DataFrame
        Region table (``name``, ``network``).
    tsnr : sequence of float or None
        tSNR per region, in the order of ``regions`` (None where unknown).

    Returns
    -------
    matplotlib.figure.Figure
        Points coloured by network, the network median as a bar; regions
        below half the median tSNR are named (the five lowest).
    """
    values = np.array([np.nan if v is None else float(v) for v in tsnr])  # (N,)
    networks = regions["network"].fillna("").astype(str).replace("", "no network").to_numpy()
    names = sorted(set(networks))
    palette = network_colors([n for n in names if n != "no network"])
    palette["no network"] = palette.get("", "#7f7f7f")
    figure, axes = plt.subplots(figsize=(9.0, 3.0))
    rng = np.random.default_rng(0)
    for position, network in enumerate(names):
        chosen = (networks == network) & np.isfinite(values)
        x = position + rng.uniform(-0.25, 0.25, size=int(chosen.sum()))  # (regions in network,)
        axes.scatter(x, values[chosen], s=9, color=palette[network], alpha=0.8, edgecolors="none")
        if chosen.any():
            median = float(np.median(values[chosen]))
            axes.plot([position - 0.35, position + 0.35], [median, median], color="black", linewidth=1.2)
    finite = values[np.isfinite(values)]
    low = np.flatnonzero(np.isfinite(values) & (values < 0.5 * np.median(finite))) if finite.size else []
    for index in low[np.argsort(values[low])][:5] if len(low) else ():
        axes.annotate(str(regions["name"].iloc[index]), (names.index(networks[index]), values[index]),
                      xytext=(4, -2), textcoords="offset points", fontsize=6.5, color="#566573")
    axes.set_xticks(range(len(names)), names, rotation=35, ha="right", fontsize=7.5)
    axes.set_ylabel("tSNR")
    axes.set_ylim(bottom=0.0)
    median = f"{np.median(finite):.0f}" if finite.size else "unknown"
    axes.set_title(f"Temporal SNR of the raw region signals (median {median}; bar: network median; named: below "
                   "half the median)", fontsize=10)
    return figure


def correlation_figure(timeseries: pd.DataFrame, networks: Sequence[str] | None = None) -> Figure:
    """Pearson correlation matrix of the region signals, regions grouped by network.

    Parameters
    ----------
    timeseries : pandas.DataFrame of shape (T, N)
    networks : sequence of str or None
        Network of each column (colour strips and legend).

    Returns
    -------
    matplotlib.figure.Figure
    """
    values = timeseries.to_numpy(dtype=float)  # (T, N)
    order = network_order(networks) if networks is not None else np.arange(values.shape[1])
    with np.errstate(invalid="ignore", divide="ignore"):
        correlation = np.corrcoef(values[:, order].T)  # (N, N)
    np.fill_diagonal(correlation, np.nan)
    figure = plt.figure(figsize=(6.6, 5.0))
    axes = figure.add_axes((0.1, 0.08, 0.62, 0.82))
    colormap = plt.get_cmap("RdBu_r").with_extremes(bad="#ffffff")
    image = axes.imshow(np.ma.masked_invalid(correlation), cmap=colormap, vmin=-1.0, vmax=1.0,
                        interpolation="nearest")
    axes.set_xticks([])
    axes.set_yticks([])
    axes.set_title(f"Region correlation ({values.shape[1]} regions{', by network' if networks is not None else ''})",
                   fontsize=10)
    colorbar_axes = figure.add_axes((0.74, 0.08, 0.015, 0.3))
    figure.colorbar(image, cax=colorbar_axes).set_label("Pearson r", fontsize=8)
    colorbar_axes.tick_params(labelsize=7)
    if networks is not None:
        sorted_networks = np.asarray(networks, dtype=str)[order]
        palette = network_colors(list(sorted_networks))
        strip = figure.add_axes((0.075, 0.08, 0.02, 0.82), sharey=axes)
        _network_strip(strip, sorted_networks, palette)
        edges = np.flatnonzero(sorted_networks[1:] != sorted_networks[:-1]) + 0.5
        for edge in edges:
            axes.axhline(edge, color="black", linewidth=0.4)
            axes.axvline(edge, color="black", linewidth=0.4)
        _network_legend(figure, sorted_networks, palette, (0.76, 0.92))
    return figure


def atlas_overlay_figure(
    label_image: nib.Nifti1Image,
    background: nib.Nifti1Image | None = None,
    mask: nib.Nifti1Image | None = None,
    title: str = "Atlas regions over the mean EPI",
) -> Figure:
    """The atlas label image over the mean EPI (or the mask), with the brain mask's outline.

    Parameters
    ----------
    label_image : nibabel.Nifti1Image
        Atlas label image (0 background).
    background : nibabel.Nifti1Image or None
        Mean EPI (3-D); the mask is drawn instead when None, the MNI template
        when both are None.
    mask : nibabel.Nifti1Image or None
        Brain mask, drawn as an outline in :data:`MASK_COLOR`.
    title : str

    Returns
    -------
    matplotlib.figure.Figure
        Seven axial slices.
    """
    from nilearn import plotting

    labels = np.asanyarray(label_image.dataobj)
    n_labels = int(labels.max())
    colours = plt.get_cmap("tab20")(np.arange(max(n_labels, 1)) % 20)
    figure = plt.figure(figsize=(9.0, 2.3))
    kwargs = {"bg_img": background if background is not None else (mask if mask is not None else None)}
    if kwargs["bg_img"] is None:
        kwargs.pop("bg_img")
    with warnings.catch_warnings():  # nilearn converts a masked value of the background while choosing slices
        warnings.filterwarnings("ignore", "Warning: converting a masked element to nan", UserWarning)
        display = plotting.plot_roi(
            label_image, display_mode="z", cut_coords=7, figure=figure, cmap=ListedColormap(colours),
            alpha=0.75, annotate=True, black_bg=True, title=title, draw_cross=False, colorbar=False,
            interpolation="nearest", **kwargs,
        )
    if mask is not None and background is not None:
        display.add_contours(mask, levels=[0.5], colors=[to_rgb(MASK_COLOR)], linewidths=1.0)
    return figure
