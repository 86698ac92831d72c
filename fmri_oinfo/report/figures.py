"""Report-only figures (quality control, O-information by order, nulls) and embedding.

Brain maps and connectomes come from :mod:`fmri_oinfo.maps` and
:mod:`fmri_oinfo.graphs`; this module draws the remaining figures of the
report and turns any matplotlib figure into a ``data:`` URI so that the HTML
file needs nothing beside itself.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

#: Colour of each result label (redundancy warm, synergy cool, n.s. grey).
LABEL_COLORS: dict[str, str] = {"redundant": "#c0392b", "synergistic": "#2471a3", "n.s.": "#9e9e9e"}

#: How many sets the null-distribution figure shows at most.
MAX_NULL_PANELS = 8


def figure_to_data_uri(figure: Figure, dpi: int = 110) -> str:
    """Render ``figure`` as a base64 PNG ``data:`` URI and close it.

    Parameters
    ----------
    figure : matplotlib.figure.Figure
    dpi : int, default=110

    Returns
    -------
    str
        ``"data:image/png;base64,..."``.
    """
    buffer = io.BytesIO()
    try:
        figure.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    finally:
        plt.close(figure)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _seconds_axis(n_volumes: int, t_r: float | None) -> tuple[np.ndarray, str]:
    if t_r:
        return np.arange(n_volumes) * float(t_r), "time (s)"
    return np.arange(n_volumes, dtype=float), "volume"


def _mark_censored(axes, censored: Sequence[int], times: np.ndarray) -> None:
    for index, volume in enumerate(censored):
        if 0 <= volume < times.size:
            axes.axvline(times[volume], color="#e67e22", alpha=0.35, linewidth=1.0,
                         label="censored" if index == 0 else None)


def carpet_figure(
    timeseries: pd.DataFrame,
    networks: Sequence[str] | None = None,
    censored: Sequence[int] = (),
    t_r: float | None = None,
) -> Figure:
    """Carpet plot of region time series, z-scored per region.

    Parameters
    ----------
    timeseries : pandas.DataFrame of shape (T, N)
        Region time series, one column per region.
    networks : sequence of str or None
        Network of each column; rows are grouped by network when given.
    censored : sequence of int
        Censored volume indices, marked in orange.
    t_r : float or None
        Repetition time (s) for the time axis; volumes are counted when None.

    Returns
    -------
    matplotlib.figure.Figure
    """
    values = timeseries.to_numpy(dtype=float)  # (T, N)
    scale = values.std(axis=0)
    z = (values - values.mean(axis=0)) / np.where(scale > 0, scale, 1.0)  # (T, N)
    order = np.arange(z.shape[1])
    if networks is not None:
        order = np.argsort(np.asarray(networks, dtype=str), kind="stable")
    times, axis_label = _seconds_axis(z.shape[0], t_r)
    figure, axes = plt.subplots(figsize=(9.0, 3.4))
    image = axes.imshow(z[:, order].T, aspect="auto", cmap="gray", vmin=-2.5, vmax=2.5,
                        interpolation="nearest", extent=(times[0], times[-1] if times.size > 1 else 1.0,
                                                         z.shape[1] - 0.5, -0.5))
    _mark_censored(axes, censored, times)
    if networks is not None:
        sorted_networks = np.asarray(networks, dtype=str)[order]
        edges = np.flatnonzero(sorted_networks[1:] != sorted_networks[:-1]) + 0.5
        for edge in edges:
            axes.axhline(edge, color="#f1c40f", linewidth=0.8)
        bounds = np.concatenate([[-0.5], edges, [z.shape[1] - 0.5]])
        axes.set_yticks((bounds[:-1] + bounds[1:]) / 2.0,
                        [name or "no network" for name in sorted_networks[np.concatenate([[0], (edges + 0.5).astype(int)])]],
                        fontsize=8)
    axes.set_xlabel(axis_label)
    axes.set_ylabel("regions by network" if networks is not None else "region")
    axes.set_title(f"Region time series ({z.shape[1]} regions, {z.shape[0]} volumes)")
    colorbar = figure.colorbar(image, ax=axes, fraction=0.03, pad=0.01)
    colorbar.set_label("z-score")
    if len(censored):
        axes.legend(loc="upper right", fontsize=8)
    return figure


def framewise_displacement_figure(
    framewise_displacement: Sequence[float] | np.ndarray,
    censored: Sequence[int] = (),
    t_r: float | None = None,
) -> Figure:
    """Framewise displacement per volume with censored volumes marked.

    Parameters
    ----------
    framewise_displacement : array-like of shape (T,)
        FD in mm (NaN for the first volume is allowed).
    censored : sequence of int
        Censored volume indices.
    t_r : float or None
        Repetition time (s) for the time axis.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fd = np.asarray(framewise_displacement, dtype=float)  # (T,)
    times, axis_label = _seconds_axis(fd.size, t_r)
    figure, axes = plt.subplots(figsize=(9.0, 2.4))
    axes.plot(times, fd, color="#34495e", linewidth=1.0, label="FD")
    _mark_censored(axes, censored, times)
    finite = fd[np.isfinite(fd)]
    mean = float(finite.mean()) if finite.size else float("nan")
    axes.set_title(f"Framewise displacement (mean {mean:.3f} mm)")
    axes.set_xlabel(axis_label)
    axes.set_ylabel("FD (mm)")
    axes.set_xlim(times[0], times[-1] if times.size > 1 else 1.0)
    axes.legend(loc="upper right", fontsize=8)
    return figure


def oinfo_by_order_figure(results: pd.DataFrame) -> Figure:
    """O-information of every tested set against its order, coloured by label.

    Parameters
    ----------
    results : pandas.DataFrame
        Result table with ``order``, ``o_info`` (nats) and ``label``.

    Returns
    -------
    matplotlib.figure.Figure
        Jittered points per order (red redundant, blue synergistic, grey n.s.)
        over a box plot, with the zero line.
    """
    orders = sorted(int(o) for o in results["order"].unique())
    figure, axes = plt.subplots(figsize=(6.5, 3.8))
    positions = {order: i for i, order in enumerate(orders)}
    boxes = [results.loc[results["order"] == o, "o_info"].to_numpy(dtype=float) for o in orders]
    axes.boxplot(boxes, positions=list(range(len(orders))), widths=0.5, showfliers=False,
                 medianprops={"color": "black"}, boxprops={"color": "#7f8c8d"})
    rng = np.random.default_rng(0)
    for label, color in LABEL_COLORS.items():
        subset = results[results["label"] == label]
        if subset.empty:
            continue
        x = subset["order"].map(positions).to_numpy(dtype=float)
        x = x + rng.uniform(-0.18, 0.18, size=x.size)  # (sets,)
        axes.scatter(x, subset["o_info"].to_numpy(dtype=float), s=14, color=color, alpha=0.75,
                     label=f"{label} ({len(subset)})", zorder=3, edgecolors="none")
    axes.axhline(0.0, color="black", linewidth=0.8, linestyle="--")
    axes.set_xticks(range(len(orders)), [str(o) for o in orders])
    axes.set_xlabel("order (regions per set)")
    axes.set_ylabel("O-information (nats)")
    axes.set_title("O-information by order (> 0 redundant, < 0 synergistic)")
    axes.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return figure


def null_values_by_row(results: pd.DataFrame, null_distributions: np.ndarray | pd.DataFrame) -> dict[int, np.ndarray]:
    """Surrogate values per result row, from an array or a long DataFrame.

    Parameters
    ----------
    results : pandas.DataFrame
        Result table (``set`` as tuples), with a RangeIndex.
    null_distributions : array of shape (n_sets, n_surrogates) or pandas.DataFrame
        An array has one row per row of ``results``; a DataFrame has columns
        ``set`` and ``o_info_null``, one row per surrogate value.

    Returns
    -------
    dict of int to numpy.ndarray
        Row position in ``results`` to its surrogate O-information values.
    """
    if isinstance(null_distributions, pd.DataFrame):
        missing = [c for c in ("set", "o_info_null") if c not in null_distributions.columns]
        if missing:
            raise ValueError(
                f"null_distributions lacks columns {missing} (found {list(null_distributions.columns)}); "
                "use one row per surrogate value with columns set and o_info_null."
            )
        keys = [tuple(str(m) for m in g) for g in null_distributions["set"]]
        values = null_distributions["o_info_null"].to_numpy(dtype=float)
        grouped: dict[tuple[str, ...], list[float]] = {}
        for key, value in zip(keys, values):
            grouped.setdefault(key, []).append(value)
        position = {tuple(str(m) for m in g): i for i, g in enumerate(results["set"])}
        return {position[k]: np.asarray(v) for k, v in grouped.items() if k in position}
    array = np.asarray(null_distributions, dtype=float)
    if array.ndim != 2 or array.shape[0] != len(results):
        raise ValueError(
            f"null_distributions has shape {array.shape}; an array of shape (n_sets={len(results)}, "
            "n_surrogates) aligned with the result rows is needed."
        )
    return {i: array[i] for i in range(array.shape[0])}


def null_distribution_figure(
    results: pd.DataFrame,
    null_distributions: np.ndarray | pd.DataFrame,
    max_panels: int = MAX_NULL_PANELS,
) -> Figure:
    """Histograms of surrogate O-information with the observed value marked.

    Shows the most redundant and most synergistic sets that have surrogates
    (half the panels each when both exist).  The observed value is
    ``o_info_test`` when the table has it (the value the null was computed
    for), else ``o_info``.

    Parameters
    ----------
    results : pandas.DataFrame
        Result table (``set``, ``o_info``, ``p_value``, ``q_value``, ``label``).
    null_distributions : array or pandas.DataFrame
        See :func:`null_values_by_row`.
    max_panels : int, default=8

    Returns
    -------
    matplotlib.figure.Figure
    """
    table = results.reset_index(drop=True)
    nulls = null_values_by_row(table, null_distributions)
    if not nulls:
        raise ValueError("null_distributions matches no set of the result table.")
    observed = "o_info_test" if "o_info_test" in table.columns else "o_info"
    rows = table.loc[sorted(nulls)]
    top = rows.sort_values(observed, ascending=False).index.tolist()
    half = max_panels // 2
    chosen = list(dict.fromkeys(top[:half] + top[::-1][:half]))[:max_panels]
    chosen = sorted(chosen, key=lambda i: -table.at[i, observed])
    columns = min(4, len(chosen))
    lines = int(np.ceil(len(chosen) / columns))
    figure, axes_grid = plt.subplots(lines, columns, figsize=(2.7 * columns, 2.4 * lines), squeeze=False)
    for axes in axes_grid.ravel()[len(chosen):]:
        axes.set_visible(False)
    for axes, index in zip(axes_grid.ravel(), chosen):
        row = table.loc[index]
        color = LABEL_COLORS.get(row["label"], LABEL_COLORS["n.s."])
        axes.hist(nulls[index], bins=30, color="#bdc3c7", edgecolor="none")
        axes.axvline(row[observed], color=color, linewidth=2.0)
        members = ", ".join(row["set"])
        axes.set_title(members if len(members) <= 38 else members[:35] + "...", fontsize=7.5)
        details = []
        for column, name in (("p_value", "p"), ("q_value", "q")):
            if column in table.columns and pd.notna(row[column]):
                details.append(f"{name} = {row[column]:.3g}")
        low = min(float(np.min(nulls[index])), float(row[observed]))
        high = max(float(np.max(nulls[index])), float(row[observed]))
        padding = 0.08 * (high - low) if high > low else 0.05
        axes.set_xlim(low - padding, high + padding)
        observed_right = row[observed] > (low + high) / 2.0
        axes.text(0.03 if observed_right else 0.97, 0.95, "\n".join(details), transform=axes.transAxes,
                  fontsize=7, va="top", ha="left" if observed_right else "right")
        axes.tick_params(labelsize=7)
        axes.set_xlabel("O-information (nats)", fontsize=8)
    figure.suptitle("Surrogate null distributions (grey) and observed O-information (line)", fontsize=10)
    figure.tight_layout()
    return figure

