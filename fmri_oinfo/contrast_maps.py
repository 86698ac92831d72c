"""Region maps of task contrasts of local O-information: where the sets that change with the task lie.

A contrast table (:func:`fmri_oinfo.local_contrasts`, ``docs/results.md``) tests sets, not regions.  A
region's value for a contrast comes from the labelled sets (``label`` not ``n.s.``) that contain it, by one
rule: **the set with the largest |t| among them gives the region its ``effect`` (nats) and its ``t``**;
``n_sets`` counts those sets.  A maximum, not a sum: nested labelled sets (a 4-set and its 3-subsets, which
a contrast labels together as the result table's families are) give a region one value, never their total,
so each family counts once as in :mod:`fmri_oinfo.maps`.  Regions in no labelled set get 0.

:func:`contrast_region_scores` gives the table; :func:`write_contrast_maps` paints it into the atlas label
image (NIfTI per contrast and statistic) and draws a glass brain per contrast.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import matplotlib.pyplot as plt
import nibabel as nib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from fmri_oinfo.atomic import write_text_atomically
from fmri_oinfo.maps import paint_label_image, save_figure, write_nifti

#: The rule, in words, for the maps' sidecars.
RULE = ("the value of the labelled set (label not n.s.) with the largest |t| among those containing the region "
        "(nested sets give one value, never a sum); 0 where no labelled set contains the region.")

#: What each statistic map holds.
STATISTICS = {"effect": "Effect (nats per unit regressor)", "t": "t statistic (AR(1) first-level GLM)"}

#: Columns of :func:`contrast_region_scores`.
SCORE_COLUMNS: tuple[str, ...] = ("contrast", "name", "network", "effect", "t", "n_sets", "set")


def contrast_label(contrast: str) -> str:
    """A BIDS entity value for a contrast name: ``"task - rest"`` -> ``"taskMinusRest"`` (letters and digits)."""
    words = re.sub(r"-", " Minus ", re.sub(r"\+", " Plus ", str(contrast)))
    parts = [w for w in re.split(r"[^A-Za-z0-9]+", words) if w]
    if not parts:
        raise ValueError(f"contrast {contrast!r} has no letter or digit to name its maps by; name the contrast.")
    return parts[0] + "".join(p[:1].upper() + p[1:] for p in parts[1:])


def contrast_region_scores(contrasts: pd.DataFrame, regions: pd.DataFrame) -> pd.DataFrame:
    """Each region's contrast effect and t from the labelled set with the largest |t| that contains it.

    Parameters
    ----------
    contrasts : pandas.DataFrame
        Contrast table: ``set`` (tuples of region names), ``contrast``, ``effect``, ``t``, ``label``.
    regions : pandas.DataFrame
        Region table (``name``; ``network`` when known), in atlas order (label ``j + 1`` is row ``j``).

    Returns
    -------
    pandas.DataFrame
        :data:`SCORE_COLUMNS`, one row per contrast and region (contrasts in table order, regions in
        atlas order): ``effect`` and ``t`` of the chosen set (0 where no labelled set contains the
        region), ``n_sets`` the labelled sets containing it, ``set`` the chosen set's members joined with
        ``+`` ("" where none).

    Raises
    ------
    ValueError
        When a column is missing, or a labelled set names a region the region table lacks.
    """
    missing = [c for c in ("set", "contrast", "effect", "t", "label") if c not in contrasts.columns]
    if missing or "name" not in regions.columns:
        raise ValueError(f"contrast maps need the contrast table's columns set, contrast, effect, t, label (missing "
                         f"{missing}) and the region table's name column; pass the tables the pipeline wrote.")
    names = regions["name"].astype(str).tolist()
    position = {name: j for j, name in enumerate(names)}
    networks = regions["network"].astype(str).tolist() if "network" in regions.columns else [""] * len(names)
    blocks = []
    for contrast, table in contrasts.groupby("contrast", sort=False):
        effect, t_value = np.zeros(len(names)), np.zeros(len(names))
        n_sets = np.zeros(len(names), dtype=int)
        chosen = [""] * len(names)
        best = np.zeros(len(names))  # |t| of the chosen set
        for record in table[table["label"] != "n.s."].to_dict(orient="records"):
            unknown = [m for m in record["set"] if str(m) not in position]
            if unknown:
                raise ValueError(f"the contrast table's set {list(record['set'])} names regions {unknown} that the "
                                 "region table lacks; pass the region table of the same run.")
            size = abs(float(record["t"]))
            for member in record["set"]:
                j = position[str(member)]
                n_sets[j] += 1
                if size > best[j]:
                    best[j], effect[j], t_value[j] = size, float(record["effect"]), float(record["t"])
                    chosen[j] = "+".join(map(str, record["set"]))
        blocks.append(pd.DataFrame({"contrast": str(contrast), "name": names, "network": networks, "effect": effect,
                                    "t": t_value, "n_sets": n_sets, "set": chosen}))
    if not blocks:
        return pd.DataFrame(columns=list(SCORE_COLUMNS))
    return pd.concat(blocks, ignore_index=True).loc[:, list(SCORE_COLUMNS)]


def plot_contrast_map(image: nib.Nifti1Image, title: str, colorbar_label: str) -> Figure:
    """A glass brain of a signed region map (blue: negative, towards synergy; red: positive)."""
    from nilearn import plotting

    values = np.asarray(image.dataobj, dtype=float)
    top = float(np.abs(values).max())
    figure = plt.figure(figsize=(8.0, 3.0))
    if top > 0:
        display = plotting.plot_glass_brain(image, figure=figure, colorbar=True, plot_abs=False, cmap="RdBu_r",
                                            vmin=-top, vmax=top, threshold=1e-9 * top, title=title,
                                            display_mode="lzry")
        colorbar = getattr(display, "_cbar", None)
        if colorbar is not None:
            colorbar.set_label(colorbar_label, fontsize=9)
    else:
        plotting.plot_glass_brain(None, figure=figure, display_mode="lzry",
                                  title=f"{title}: no set labelled")
    return figure


def write_contrast_maps(contrasts: pd.DataFrame, regions: pd.DataFrame, label_image: nib.Nifti1Image,
                        prefix: str | os.PathLike) -> dict[str, Path]:
    """Write each contrast's region maps (effect and t, NIfTI), a glass brain (PNG) and the scores (TSV).

    Parameters
    ----------
    contrasts : pandas.DataFrame
        Contrast table (``set`` as tuples).
    regions : pandas.DataFrame
        Region table in atlas order.
    label_image : nibabel.Nifti1Image
        Atlas label image (label ``j + 1`` is region ``j``).
    prefix : str or path-like
        Path prefix; files are ``{prefix}_contrast-<label>_stat-{effect,t}_map.nii.gz`` (each with a JSON
        sidecar stating the rule),
        ``{prefix}_contrast-<label>_map.png`` (<label>: :func:`contrast_label`) and
        ``{prefix}_desc-contrasts_regions.tsv``.

    Returns
    -------
    dict of str to pathlib.Path
        ``contrast_regions``, and per contrast label ``contrast_<label>_effect``, ``contrast_<label>_t``
        (and their ``_sidecar``), ``contrast_<label>_figure``.
    """
    scores = contrast_region_scores(contrasts, regions)
    written = {"contrast_regions": write_text_atomically(
        f"{prefix}_desc-contrasts_regions.tsv",
        scores.to_csv(sep="\t", index=False, float_format="%.10g", na_rep="n/a"))}
    used: set[str] = set()
    for contrast, table in scores.groupby("contrast", sort=False):
        label = contrast_label(str(contrast))
        if label in used:
            raise ValueError(f"contrasts {sorted(used)} and {contrast!r} name their maps alike ({label}); "
                             "give contrasts names that differ in letters or digits.")
        used.add(label)
        for statistic in ("effect", "t"):
            image = paint_label_image(label_image, table[statistic].to_numpy(dtype=float))
            path = f"{prefix}_contrast-{label}_stat-{statistic}_map"
            written[f"contrast_{label}_{statistic}"] = write_nifti(image, f"{path}.nii.gz")
            written[f"contrast_{label}_{statistic}_sidecar"] = write_text_atomically(f"{path}.json", json.dumps({
                "Description": f"{STATISTICS[statistic]} of the task contrast '{contrast}' of local O-information, "
                               f"per region: {RULE}",
                "Contrast": str(contrast), "Units": "nats" if statistic == "effect" else "t"}, indent=2) + "\n")
        effect = paint_label_image(label_image, table["effect"].to_numpy(dtype=float))
        n_labelled = int((table["n_sets"] > 0).sum())
        written[f"contrast_{label}_figure"] = save_figure(
            plot_contrast_map(effect, f"{contrast}: {n_labelled} regions in labelled sets",
                              "effect on local O (nats); < 0: towards synergy"),
            f"{prefix}_contrast-{label}_map.png")
    return written
