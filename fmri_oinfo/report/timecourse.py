"""The time-resolved sections of a subject report: local O-information over time, event-locked averages and
task contrasts.

- :class:`TimeResolved` - what the pipeline hands over: the local O-information table
  (``<prefix>_localoinfo.tsv``), the runs' events and the contrast table;
- :func:`shown_sets` - which sets are drawn: those the contrasts label, then the result table's findings;
- :func:`event_locked` and :func:`event_locked_figure` - the peri-stimulus mean of each set's local
  O-information per condition, with a t interval over the events;
- :func:`contrast_summary` - the findings' paragraph: which sets change with each contrast, the effect, its
  interval and q, in words;
- :func:`timecourse_section` - the section's template variables (the traces drawn above the carpet plot by
  :func:`fmri_oinfo.report.qc.carpet_figure`, on its time axis, with FD and the events).

Everything here reads tables; no statistic is recomputed except the descriptive peri-stimulus means and
the contrast's interval from its own estimate, standard error and degrees of freedom.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from scipy import stats as scipy_stats

from fmri_oinfo.report import qc
from fmri_oinfo.report.sections import embedded

#: Sets drawn over time and event-locked (contrast-labelled first, then findings).
SHOWN_SETS = 4

#: Seconds shown before each event's onset in the event-locked averages.
PRE_SECONDS = 10.0

#: Seconds shown after each event's end (the haemodynamic response's tail).
POST_SECONDS = 16.0

#: Seconds of the running mean drawn over each local trace.
SMOOTH_SECONDS = 20.0

#: Coverage of the intervals of the event-locked means and of the contrasts' effects.
INTERVAL_LEVEL = 0.95

#: What local O-information is, in two sentences, for the section's opening paragraph.
LOCAL_OINFO_WORDS = (
    "Local O-information is the O-information of a set at a single volume: the same sum of pointwise "
    "log-density ratios (total correlation minus dual total correlation) evaluated at that volume's values "
    "instead of averaged over the run (Scagliarini et al. 2022). Its mean over the run is the set's "
    "O-information; a negative value means that at that moment the regions' joint values are better explained "
    "by synergy (information only the whole set carries), a positive value by redundancy (the same information "
    "in several regions). Single volumes are noisy (they swing widely around their mean): read the trend over "
    "blocks, the event-locked averages and the contrasts' tests, not one volume."
)


@dataclass(frozen=True, eq=False)
class TimeResolved:
    """The time-resolved inputs of a subject report.

    Parameters
    ----------
    local : pandas.DataFrame
        Local O-information (nats), one row per row of the time series (kept volumes, runs in order), one
        column per set, named by its members joined with ``+`` (``<prefix>_localoinfo.tsv``).
    estimator : str
        Estimator of the local values.
    events : sequence of pandas.DataFrame
        Per run, in the time series' run order, its events (``onset``, ``duration``, ``trial_type``;
        seconds from the run's first volume); empty without events.
    contrasts : pandas.DataFrame or None
        The contrast table (columns ``set`` as tuples, ``contrast``, ``effect``, ``se``, ``t``, ``dof``,
        ``q``, ``label``; ``docs/results.md``), or None.
    alpha : float
        The FDR level of the contrasts' labels.
    """

    local: pd.DataFrame
    estimator: str = ""
    events: Sequence[pd.DataFrame] = field(default_factory=tuple)
    contrasts: pd.DataFrame | None = None
    alpha: float = 0.05

    def __post_init__(self) -> None:
        if not isinstance(self.local, pd.DataFrame):
            raise ValueError(f"TimeResolved.local is a {type(self.local).__name__}; pass the local O-information "
                             "table (volumes x sets) as a DataFrame.")


def column_name(members: Sequence[str]) -> str:
    """The local table's column of a set: its members joined with ``+``."""
    return "+".join(map(str, members))


def shown_sets(results: pd.DataFrame, contrasts: pd.DataFrame | None, columns: Sequence[str],
               n_sets: int = SHOWN_SETS) -> list[tuple[str, ...]]:
    """Sets to draw: those a contrast labels (by q), then the result table's labelled family heads (in its
    ranking), then its other labelled sets; only sets with a local column, each once, at most ``n_sets``."""
    chosen: list[tuple[str, ...]] = []
    available = set(columns)

    def add(members: Sequence[str]) -> None:
        key = tuple(map(str, members))
        if key not in chosen and column_name(key) in available and len(chosen) < n_sets:
            chosen.append(key)

    if contrasts is not None and len(contrasts):
        labelled = contrasts[contrasts["label"] != "n.s."].sort_values(["q", "p"] if "p" in contrasts else ["q"])
        for members in labelled["set"]:
            add(members)
    labelled = results[results["label"] != "n.s."] if "label" in results.columns else results.iloc[:0]
    if "family_role" in labelled.columns:
        labelled = pd.concat([labelled[labelled["family_role"] == "head"], labelled[labelled["family_role"] != "head"]])
    for members in labelled["set"]:
        add(members)
    return chosen


def set_notes(chosen: Sequence[tuple[str, ...]], contrasts: pd.DataFrame | None) -> list[str]:
    """One line per drawn set: its members, and the contrasts that label it (effect sign in words, q)."""
    notes = []
    for members in chosen:
        note = ", ".join(members)
        if contrasts is not None and len(contrasts):
            rows = contrasts[(contrasts["label"] != "n.s.") & contrasts["set"].map(lambda s: tuple(s) == members)]
            note += "".join(f"; {r['contrast']}: {r['label']} (q = {r['q']:.2g})" for _, r in rows.iterrows())
        notes.append(note)
    return notes


def event_blocks(events: Sequence[pd.DataFrame], runs: Sequence[Mapping[str, Any]],
                 t_r: float) -> list[tuple[float, float, str]]:
    """Events as ``(start, end, condition)`` on the acquired time line (runs end to end, seconds)."""
    blocks, offset = [], 0.0
    for run_events, run in zip(events, runs):
        for onset, duration, condition in run_events[["onset", "duration", "trial_type"]].itertuples(index=False):
            blocks.append((offset + float(onset), offset + float(onset) + max(float(duration), t_r), str(condition)))
        offset += int(run["n_volumes"]) * t_r
    return blocks


def _acquired(values: np.ndarray, runs: Sequence[Mapping[str, Any]]) -> list[np.ndarray]:
    """Per run, the values on its acquired volumes (NaN where censored)."""
    full, _, boundaries = qc.full_timeline(values[:, None], runs)
    return np.split(full[:, 0], boundaries)


def event_locked(values: np.ndarray, events: Sequence[pd.DataFrame], runs: Sequence[Mapping[str, Any]],
                 t_r: float, pre: float = PRE_SECONDS, post: float = POST_SECONDS,
                 level: float = INTERVAL_LEVEL) -> dict[str, pd.DataFrame]:
    """Peri-stimulus mean of a local time course per condition, with a t interval over the events.

    Parameters
    ----------
    values : array of shape (T,)
        Local values on the kept rows (runs in order, censored volumes left out).
    events : sequence of pandas.DataFrame
        Per run, its events (onsets in seconds from the run's first volume).
    runs : sequence of mapping
        Per run ``n_volumes`` and ``censored_volumes``.
    t_r : float
        Repetition time (s).
    pre, post : float
        Seconds before each onset and after the condition's longest event's end.
    level : float
        Coverage of the interval.

    Returns
    -------
    dict of str to pandas.DataFrame
        Per condition (in order of first appearance), one row per volume of the window: ``time`` (s from
        onset), ``mean``, ``low``, ``high`` (the t interval of the mean over the events that have a value
        there, ``mean +- t(level, n - 1) * sd / sqrt(n)``; NaN with fewer than 2) and ``n`` (events). Events
        are treated as independent draws, which they are not quite (neighbouring blocks share slow noise).
    """
    per_run = _acquired(np.asarray(values, dtype=float), runs)
    conditions = list(dict.fromkeys(str(c) for table in events for c in table["trial_type"]))
    out = {}
    for condition in conditions:
        longest = max(float(t.loc[t["trial_type"] == condition, "duration"].max()) for t in events
                      if (t["trial_type"] == condition).any())
        offsets = np.arange(-int(np.ceil(pre / t_r)), int(np.ceil((longest + post) / t_r)) + 1)  # (W,)
        epochs = []
        for run_values, table in zip(per_run, events):
            for onset in table.loc[table["trial_type"] == condition, "onset"]:
                index = int(round(float(onset) / t_r)) + offsets  # (W,)
                inside = (index >= 0) & (index < run_values.size)
                epoch = np.full(offsets.size, np.nan)
                epoch[inside] = run_values[index[inside]]
                epochs.append(epoch)
        matrix = np.vstack(epochs)  # (events, W)
        n = np.isfinite(matrix).sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(n > 0, np.nansum(matrix, axis=0) / np.maximum(n, 1), np.nan)
            sd = np.array([np.nanstd(column, ddof=1) if k > 1 else np.nan for column, k in zip(matrix.T, n)])
            half = scipy_stats.t.ppf(0.5 + level / 2, np.maximum(n - 1, 1)) * sd / np.sqrt(n)
        half = np.where(n > 1, half, np.nan)
        out[condition] = pd.DataFrame({"time": offsets * t_r, "mean": mean, "low": mean - half,
                                       "high": mean + half, "n": n})
    return out


def event_locked_figure(locked: Mapping[str, Mapping[str, pd.DataFrame]], durations: Mapping[str, float],
                        level: float = INTERVAL_LEVEL) -> Figure:
    """One panel per set: the event-locked mean local O-information of each condition, with its interval.

    Parameters
    ----------
    locked : mapping of str to mapping of str to pandas.DataFrame
        Per set label, :func:`event_locked`'s output.
    durations : mapping of str to float
        Per condition, its typical (median) event duration in seconds, shaded from onset.
    level : float
        Coverage of the intervals, for the legend.
    """
    n_panels = len(locked)
    columns = min(n_panels, 2)
    rows = int(np.ceil(n_panels / columns))
    figure, axes = plt.subplots(rows, columns, figsize=(4.6 * columns, 2.9 * rows), squeeze=False)
    conditions = list(dict.fromkeys(c for per_set in locked.values() for c in per_set))
    palette = qc.condition_colors(conditions)
    for panel, (label, per_condition) in zip(axes.flat, locked.items()):
        for condition, table in per_condition.items():
            colour = _darker(palette[condition])
            n_events = int(table["n"].max())
            panel.plot(table["time"], table["mean"], color=colour, linewidth=1.4,
                       label=f"{condition} ({n_events} events)")
            panel.fill_between(table["time"], table["low"], table["high"], color=colour, alpha=0.2, linewidth=0)
            panel.axvspan(0.0, durations.get(condition, 0.0), color=palette[condition], alpha=0.08, linewidth=0)
        panel.axhline(0.0, color="black", linewidth=0.6)
        panel.axvline(0.0, color="grey", linewidth=0.8, linestyle=":")
        panel.set_title(textwrap.fill(label, 70), fontsize=7.5)
        panel.set_xlabel("time from event onset (s)", fontsize=8)
        panel.set_ylabel("local O (nats)", fontsize=8)
        panel.tick_params(labelsize=7)
        panel.legend(fontsize=7, frameon=False, loc="best")
    for panel in list(axes.flat)[n_panels:]:
        panel.set_visible(False)
    figure.suptitle(f"Event-locked local O-information: mean over events, {100 * level:g} % interval", fontsize=10)
    figure.tight_layout()
    return figure


def _darker(colour: str, factor: float = 0.65) -> tuple[float, float, float]:
    """A darker shade of a (light) condition colour, for lines over its own shading."""
    from matplotlib.colors import to_rgb

    return tuple(factor * c for c in to_rgb(colour))  # type: ignore[return-value]


def _contrast_words(contrast: str) -> dict[str, str]:
    """What a negative and a positive effect of ``contrast`` mean, in words."""
    parts = [p.strip() for p in contrast.split(" - ")]
    if len(parts) == 2 and all(parts):
        first, second = parts
        return {"negative": f"lower local O-information during {first} than during {second}: more synergy (or "
                            f"less redundancy) during {first}",
                "positive": f"higher local O-information during {first} than during {second}: more redundancy "
                            f"(or less synergy) during {first}"}
    return {"negative": f"the contrast {contrast} lowers the local O-information (towards synergy)",
            "positive": f"the contrast {contrast} raises the local O-information (towards redundancy)"}


def contrast_summary(contrasts: pd.DataFrame | None, alpha: float = 0.05,
                     level: float = INTERVAL_LEVEL) -> list[dict[str, Any]]:
    """Per contrast: how many sets it labels, and each labelled set's effect, interval, t, q and meaning.

    Parameters
    ----------
    contrasts : pandas.DataFrame or None
        The contrast table (``set`` as tuples).
    alpha : float
        Its FDR level (for the sentence).
    level : float
        Coverage of the effect's interval, ``effect +- t(level, dof) * se``.

    Returns
    -------
    list of dict
        ``contrast``, ``n_tested`` (sets with a finite test), ``n_labelled``, ``alpha``, ``sentence`` and
        ``sets`` (``names``, ``effect``, ``low``, ``high``, ``t``, ``q``, ``label``, ``meaning``), by q.
    """
    if contrasts is None or not len(contrasts):
        return []
    out = []
    for contrast, table in contrasts.groupby("contrast", sort=False):
        words = _contrast_words(str(contrast))
        tested = table[np.isfinite(table["t"].to_numpy(dtype=float))]
        labelled = table[table["label"] != "n.s."].sort_values("q", kind="stable")
        rows = []
        for record in labelled.to_dict(orient="records"):
            half = float(scipy_stats.t.ppf(0.5 + level / 2, record["dof"])) * float(record["se"])
            rows.append({"names": [str(m) for m in record["set"]], "effect": float(record["effect"]),
                         "low": float(record["effect"]) - half, "high": float(record["effect"]) + half,
                         "t": float(record["t"]), "q": float(record["q"]), "label": str(record["label"]),
                         "meaning": words["negative" if record["effect"] < 0 else "positive"]})
        if rows:
            sentence = (f"The contrast \u201c{contrast}\u201d changes the local O-information of {len(rows)} of "
                        f"{len(tested)} tested sets (Benjamini-Hochberg q < {alpha:g}).")
        else:
            sentence = (f"The contrast \u201c{contrast}\u201d changes the local O-information of none of the "
                        f"{len(tested)} tested sets (no Benjamini-Hochberg q < {alpha:g}).")
        out.append({"contrast": str(contrast), "n_tested": len(tested), "n_labelled": len(rows), "alpha": alpha,
                    "sentence": sentence, "sets": rows, "level": level})
    return out


def _contrast_brain(table: pd.DataFrame, contrast: str, regions: pd.DataFrame, label_image: Any) -> Figure:
    """Glass brain of one contrast's region t values (:func:`fmri_oinfo.contrast_maps.contrast_region_scores`)."""
    from fmri_oinfo.contrast_maps import contrast_region_scores, plot_contrast_map
    from fmri_oinfo.maps import paint_label_image

    scores = contrast_region_scores(table, regions)
    image = paint_label_image(label_image, scores["t"].to_numpy(dtype=float))
    return plot_contrast_map(image, f"{contrast}: {int((scores['n_sets'] > 0).sum())} regions in labelled sets",
                             "t of the contrast")


def timecourse_section(timeresolved: TimeResolved | None, results: pd.DataFrame, timeseries: pd.DataFrame | None,
                       runs: Sequence[Mapping[str, Any]], t_r: float | None,
                       framewise_displacement: Sequence[float | None] | None = None,
                       threshold: float | None = None, networks: Sequence[str] | None = None,
                       regions: pd.DataFrame | None = None, label_image: Any = None) -> dict[str, Any]:
    """Template variables of the "Over time" section and the findings' contrast paragraph.

    Parameters
    ----------
    timeresolved : TimeResolved or None
        None: the section is left out (``present`` false).
    results : pandas.DataFrame
        The result table (which sets are findings).
    timeseries : pandas.DataFrame or None
        Region signals on the kept rows (the carpet).
    runs : sequence of mapping
        Per run ``n_volumes``, ``censored_volumes`` (:meth:`ReportContext.runs`); the local values are placed
        on the acquired volumes with them when they account for every row.
    t_r : float or None
        Repetition time (s): the time axis, and needed to place events.
    framewise_displacement : sequence of float or None, optional
        FD of every acquired volume (all runs), drawn between the local traces and DVARS.
    threshold : float or None
        FD censoring threshold (mm).
    networks : sequence of str or None
        Network of each time-series column (the carpet's strip).
    regions : pandas.DataFrame or None
        Region table in atlas order; with ``label_image``, each contrast that labels a set gets a glass
        brain of its region map (:mod:`fmri_oinfo.contrast_maps`).
    label_image : nibabel.Nifti1Image or None
        Atlas label image.

    Returns
    -------
    dict
        ``present``, ``explanation``, ``estimator``, ``sets`` (label and members of each drawn set),
        ``figures`` (embedded), ``contrasts`` (:func:`contrast_summary`), ``n_events``, ``conditions``.
    """
    if timeresolved is None:
        return {"present": False, "contrasts": []}
    local = timeresolved.local
    chosen = shown_sets(results, timeresolved.contrasts, list(local.columns))
    labels = [f"set {i + 1}" for i in range(len(chosen))]
    kept = sum(int(r["n_volumes"]) - len(r["censored_volumes"]) for r in runs)
    aligned = list(runs) if runs and kept == len(local) else [
        {"n_volumes": len(local), "censored_volumes": [], "framewise_displacement": None}]
    events = list(timeresolved.events) if t_r and len(timeresolved.events) == len(aligned) else []
    blocks = event_blocks(events, aligned, float(t_r)) if events else []
    figures = []
    traces = [(f"{label}\nlocal O (nats)", local[column_name(members)].to_numpy(dtype=float))
              for label, members in zip(labels, chosen)]
    notes = set_notes(chosen, timeresolved.contrasts)
    window = max(3, int(round(SMOOTH_SECONDS / float(t_r))) | 1) if t_r else 5
    if chosen and timeseries is not None and len(timeseries) == len(local):
        fd = framewise_displacement if framewise_displacement is not None and len(framewise_displacement) == sum(
            int(r["n_volumes"]) for r in aligned) else None
        figures.append(embedded(
            "Local O-information over time, above the carpet plot",
            lambda: qc.carpet_figure(timeseries, networks, aligned, t_r, fd, threshold, local=traces,
                                     events=blocks, local_titles=notes, smooth=window),
            "Top to bottom, on one time axis: " + ("the task events (shaded by condition, in every trace); "
                                                   if blocks else "")
            + "the local O-information of each set below (nats per volume, light; its axis spans the 1st to 99th "
            "percentile, so rare spikes run off it; bold: its running mean over "
            f"{window} volumes{f' ({window * float(t_r):g} s)' if t_r else ''}; below the zero line: synergy), "
            + ("framewise displacement (head motion, mm), " if fd is not None else "")
            + "DVARS of the region signals, and the carpet of region signals. A swing shared by the local trace, "
            "FD and DVARS is motion, not synergy.",
            image_format="jpeg",
        ))
    locked_sets = {}
    if chosen and blocks:
        for label, members in zip(labels, chosen):
            values = local[column_name(members)].to_numpy(dtype=float)
            locked_sets[f"{label}: {', '.join(members)}"] = event_locked(values, events, aligned, float(t_r))
        durations = pd.concat(events).groupby("trial_type", sort=False)["duration"].median().to_dict()
        figures.append(embedded(
            "Event-locked averages",
            lambda: event_locked_figure(locked_sets, durations),
            f"Mean local O-information of each set around the onsets of each condition's events (0 s: onset; "
            f"shaded from onset: the condition's median duration), from {PRE_SECONDS:g} s before to "
            f"{POST_SECONDS:g} s after its longest event; band: {100 * INTERVAL_LEVEL:g} % t interval of the mean "
            "over events, which treats events as independent (they share slow noise, so it is somewhat too "
            "narrow). The haemodynamic delay shifts a change by about 5 s after onset. Descriptive: the test is "
            "the contrast in the findings.",
        ))
    contrasts = timeresolved.contrasts
    if contrasts is not None and regions is not None and label_image is not None:
        for contrast, table in contrasts.groupby("contrast", sort=False):
            if (table["label"] != "n.s.").any():
                figures.append(embedded(
                    f"Where the sets that change with \u201c{contrast}\u201d lie",
                    lambda t=table, c=contrast: _contrast_brain(t, str(c), regions, label_image),
                    "Each region in a set that the contrast labels, coloured by the t of the labelled set with "
                    "the largest |t| that holds it (blue: the set's local O-information is lower during the "
                    "first condition, towards synergy; red: towards redundancy). t, not the effect, so that "
                    "sets with small local values stay visible; the effect (nats) and t maps are written "
                    "beside the report (NIfTI) by the same rule.", dpi=80))
    return {
        "present": True, "explanation": LOCAL_OINFO_WORDS, "estimator": timeresolved.estimator,
        "sets": [{"label": label, "names": list(members)} for label, members in zip(labels, chosen)],
        "figures": figures,
        "contrasts": contrast_summary(timeresolved.contrasts, timeresolved.alpha),
        "n_events": sum(len(e) for e in events),
        "conditions": list(dict.fromkeys(str(c) for e in events for c in e["trial_type"])),
        "n_columns": local.shape[1],
        "no_events_reason": "" if blocks else (
            "no events were given for this run" if not timeresolved.events
            else "the events could not be placed (no repetition time, or runs that do not match the events)"),
    }
