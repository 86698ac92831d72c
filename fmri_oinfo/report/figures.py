"""Report-only figures of the results (O-information by order, null distributions) and embedding.

Brain maps and connectomes come from :mod:`fmri_oinfo.maps` and
:mod:`fmri_oinfo.graphs`, quality-control figures from
:mod:`fmri_oinfo.report.qc`; this module draws the remaining figures and
turns any matplotlib figure into a ``data:`` URI so that the HTML file needs
nothing beside itself.
"""

from __future__ import annotations

import base64
import io
import textwrap
from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from PIL import Image

#: Colour of each result label (redundancy warm, synergy cool, n.s. grey).
LABEL_COLORS: dict[str, str] = {"redundant": "#c0392b", "synergistic": "#2471a3", "n.s.": "#9e9e9e"}

#: How many sets the null-distribution figure shows at most.
MAX_NULL_PANELS = 8


#: How far from symmetric (share of its width) an axis may run and still be read as MNI x, left to right.
_SYMMETRY = 0.05


def mark_sides(figure: Figure) -> Figure:
    """Write L and R on every panel of a nilearn glass brain drawn without annotations that shows MNI x
    across (axial and coronal views), on the side where that hemisphere is drawn.

    A panel is read as showing MNI x when its horizontal data limits run from negative to positive,
    symmetric about 0 (nilearn's glass-brain outlines span about -78 to 78 mm); sagittal panels (MNI y
    across) are left alone.  The letters follow the data: L where x < 0 is drawn.

    Parameters
    ----------
    figure : matplotlib.figure.Figure
        A figure drawn by nilearn with ``annotate=False`` (for example :func:`fmri_oinfo.maps.plot_set_members`).

    Returns
    -------
    matplotlib.figure.Figure
        The same figure, marked.
    """
    for axes in figure.axes:
        low, high = axes.get_xlim()
        left, right = min(low, high), max(low, high)
        if not (left < 0 < right) or abs(left + right) > _SYMMETRY * (right - left):
            continue
        negative_on_left = low < high
        for text, x in (("L", 0.02), ("R", 0.98)):
            side = text if negative_on_left else {"L": "R", "R": "L"}[text]
            axes.text(x, 0.98, side, transform=axes.transAxes, ha="left" if x < 0.5 else "right", va="top",
                      fontsize=9, fontweight="bold", color="#1c2833")
    return figure


def figure_to_data_uri(figure: Figure, dpi: int = 100, image_format: str = "png") -> str:
    """Render ``figure`` as a base64 ``data:`` URI and close it.

    Parameters
    ----------
    figure : matplotlib.figure.Figure
    dpi : int, default=100
    image_format : {"png", "jpeg"}, default="png"
        JPEG (quality 85) for noise-like images such as carpet plots and
        correlation matrices, which PNG cannot compress; PNGs are stored with
        a 256-colour palette.

    Returns
    -------
    str
        ``"data:image/png;base64,..."`` or ``"data:image/jpeg;base64,..."``.
    """
    if image_format not in ("png", "jpeg"):
        raise ValueError(f"image_format={image_format!r}; use 'png' or 'jpeg'.")
    buffer = io.BytesIO()
    options = {"pil_kwargs": {"quality": 85}} if image_format == "jpeg" else {}
    try:
        figure.savefig(buffer, format=image_format, dpi=dpi, bbox_inches="tight", facecolor="white", **options)
    finally:
        plt.close(figure)
    data = buffer.getvalue() if image_format == "jpeg" else _palette_png(buffer.getvalue())
    return f"data:image/{image_format};base64," + base64.b64encode(data).decode("ascii")


def _palette_png(data: bytes) -> bytes:
    """The PNG with a 256-colour palette: about 4 times smaller for plots and glass brains, alike to the eye."""
    image = Image.open(io.BytesIO(data)).convert("RGB")
    quantized = image.quantize(colors=256, method=Image.Quantize.FASTOCTREE)
    palette = np.array(quantized.getpalette(), dtype=np.int16).reshape(-1, 3)  # (colours, 3)
    palette[(palette >= 250).all(axis=1)] = 255  # the page is white: keep the figure's white exact
    quantized.putpalette(palette.astype(np.uint8).ravel().tolist())
    buffer = io.BytesIO()
    quantized.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


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


def null_panel_rows(table: pd.DataFrame, candidates: Sequence[int], max_panels: int,
                    alpha: float | None) -> list[int]:
    """Rows whose null the figure shows: the strongest labelled sets and the borderline ones.

    Parameters
    ----------
    table : pandas.DataFrame
        Result table in its own ranking (``label``, ``q_value``, ``o_info``).
    candidates : sequence of int
        Rows that have surrogates.
    max_panels : int
    alpha : float or None
        Label level; borderline sets are those whose q lies nearest to it.

    Returns
    -------
    list of int
        Up to ``max_panels`` rows: the first redundant and first synergistic
        rows of the ranking (a quarter of the panels each), then the rows whose
        q-value is nearest to ``alpha`` (labelled just below it and not labelled
        just above it), in the table's order.
    """
    rows = table.loc[list(candidates)]
    chosen: list[int] = []
    quarter = max(1, max_panels // 4)
    for label in ("redundant", "synergistic"):
        chosen += rows.index[rows["label"] == label][:quarter].tolist()
    q = pd.to_numeric(rows.get("q_value", pd.Series(np.nan, index=rows.index)), errors="coerce")
    if alpha is not None and q.notna().any():
        distance = (np.log(q.clip(lower=1e-12)) - np.log(alpha)).abs()
        for index in distance.sort_values(kind="stable").index:
            if len(chosen) >= max_panels:
                break
            if index not in chosen:
                chosen.append(index)
    for index in rows.index:
        if len(chosen) >= max_panels:
            break
        if index not in chosen:
            chosen.append(index)
    return sorted(chosen[:max_panels], key=lambda i: rows.index.get_loc(i))


def null_distribution_figure(
    results: pd.DataFrame,
    null_distributions: np.ndarray | pd.DataFrame,
    max_panels: int = MAX_NULL_PANELS,
    alpha: float | None = None,
) -> Figure:
    """Histograms of surrogate O-information with the observed value marked.

    Shows the strongest labelled sets and the borderline ones
    (:func:`null_panel_rows`); each panel is titled by the set's rank in the
    table and its members on up to three lines, with its p- and q-values.

    Parameters
    ----------
    results : pandas.DataFrame
        Result table (``set``, ``o_info``, ``p_value``, ``q_value``, ``label``)
        in its own ranking.
    null_distributions : array or pandas.DataFrame
        See :func:`null_values_by_row`.
    max_panels : int, default=8
    alpha : float or None
        Label level (borderline sets are chosen around it).

    Returns
    -------
    matplotlib.figure.Figure
    """
    table = results.reset_index(drop=True)
    nulls = null_values_by_row(table, null_distributions)
    if not nulls:
        raise ValueError("null_distributions matches no set of the result table.")
    chosen = null_panel_rows(table, sorted(nulls), max_panels, alpha)
    columns = min(4, len(chosen))
    lines = int(np.ceil(len(chosen) / columns))
    figure, axes_grid = plt.subplots(lines, columns, figsize=(2.5 * columns, 2.55 * lines), squeeze=False)
    for axes in axes_grid.ravel()[len(chosen):]:
        axes.set_visible(False)
    label_rank = table.groupby("label").cumcount() + 1  # rank within its label, as in the report's tables
    for axes, index in zip(axes_grid.ravel(), chosen):
        row = table.loc[index]
        color = LABEL_COLORS.get(row["label"], LABEL_COLORS["n.s."])
        observed = float(row["o_info"])
        axes.hist(nulls[index], bins=30, color="#bdc3c7", edgecolor="none")
        axes.axvline(observed, color=color, linewidth=2.0)
        members = textwrap.wrap(", ".join(row["set"]), width=34)
        if len(members) > 3:
            members = members[:2] + [f"... ({len(row['set'])} regions in all)"]
        name = row["label"] if row["label"] == "n.s." else f"{row['label']} #{label_rank[index]}"
        axes.set_title(name + "\n" + "\n".join(members), fontsize=7, color=color, loc="left")
        details = []
        for column, name in (("p_value", "p"), ("q_value", "q")):
            if column in table.columns and pd.notna(row[column]):
                relation = "<" if column == "p_value" and bool(row.get("p_value_is_bound", False)) else "="
                details.append(f"{name} {relation} {row[column]:.3g}")
        low = min(float(np.min(nulls[index])), observed)
        high = max(float(np.max(nulls[index])), observed)
        padding = 0.08 * (high - low) if high > low else 0.05
        axes.set_xlim(low - padding, high + padding)
        observed_right = observed > (low + high) / 2.0
        axes.text(0.03 if observed_right else 0.97, 0.95, "\n".join(details), transform=axes.transAxes,
                  fontsize=7, va="top", ha="left" if observed_right else "right")
        axes.tick_params(labelsize=6.5)
        axes.xaxis.set_major_locator(MaxNLocator(nbins=4))
        axes.set_yticks([])
        axes.set_xlabel("O-information (nats)", fontsize=7.5)
    figure.tight_layout()
    return figure
