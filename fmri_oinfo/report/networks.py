"""The report section on networks as variables: which sets of networks are redundant or synergistic.

Reads the networks table (``<prefix>_networks.tsv``, :mod:`fmri_oinfo.pipeline.networks`) as it is:
labels, p/q-values and intervals come from it, never recomputed.  Beside the claims estimator's value
(the Gaussian copula by default) it shows FMMI's value, SE and non-Gaussian excess where the table has
them, and a glass brain of each network's redundancy and synergy painted on its regions.
"""

from __future__ import annotations

from typing import Any

import nibabel as nib
import numpy as np
import pandas as pd

from fmri_oinfo import network_maps
from fmri_oinfo.report.figures import figure_to_data_uri

#: Columns of the networks table the section shows, when present.
SHOWN_COLUMNS: tuple[str, ...] = ("o_info", "o_info_se", "o_info_ratio", "label_ci_low", "label_ci_high",
                                  "p_value", "p_irreducible", "q_value", "o_info_fmmi", "o_info_fmmi_se", "excess",
                                  "excess_label")


def _value(value: Any) -> Any:
    if isinstance(value, (float, np.floating)):
        return None if not np.isfinite(value) else float(value)
    return value


def _figures(table: pd.DataFrame, regions: pd.DataFrame, label_image: nib.Nifti1Image | None) -> list[dict]:
    values = network_maps.region_values(
        network_maps.network_scores(table, table.attrs["network_regions"]), table.attrs["network_regions"], regions)
    if label_image is None and not np.isfinite(values[["x", "y", "z"]].to_numpy(float)).all():
        return []
    items = []
    for kind in ("redundancy", "synergy"):
        title = f"Network {kind}: each network's regions painted with its value"
        try:
            items.append({"title": title, "uri": figure_to_data_uri(
                network_maps.network_map_figure(values, kind, label_image)), "caption": ""})
        except (ValueError, RuntimeError) as error:  # a figure that cannot be drawn is reported, not fatal
            items.append({"title": title, "uri": "", "error": str(error), "caption": ""})
    return items


def network_section(table: pd.DataFrame | None, regions: pd.DataFrame, label_image: nib.Nifti1Image | None,
                    top_n: int = 25) -> dict[str, Any] | None:
    """Template variables of the networks section; None when the run analysed no networks.

    Parameters
    ----------
    table : pandas.DataFrame or None
        The networks table, ranked, with ``attrs`` (``network_regions``, ``representation``, ``estimator``).
    regions : pandas.DataFrame
        The atlas regions (``name``, ``x``, ``y``, ``z``), in the label image's order.
    label_image : nibabel.Nifti1Image or None
    top_n : int, default=25
        Rows shown.
    """
    if table is None:
        return None
    attrs = table.attrs
    labelled = table[table["label"] != "n.s."]
    rows = []
    for row in table.head(top_n).to_dict(orient="records"):
        rows.append({"set": " / ".join(row["set"]), "order": int(row["order"]), "label": row["label"],
                     "p_value_is_bound": bool(row.get("p_value_is_bound", False)),
                     **{c: _value(row[c]) for c in SHOWN_COLUMNS if c in row}})
    counts = {kind: int((labelled["label"] == kind).sum()) for kind in ("redundant", "synergistic")}
    return {
        "n_tested": len(table), "n_labelled": len(labelled), "counts": counts,
        "estimator": attrs.get("estimator", ""), "representation": attrs.get("representation", ""),
        "networks": [{"name": name, "n_regions": len(members)}
                     for name, members in attrs.get("network_regions", {}).items()],
        "rows": rows, "total": len(table), "has_fmmi": "o_info_fmmi" in table.columns,
        "alpha": attrs.get("alpha"), "reachability_note": attrs.get("reachability_note", ""),
        "figures": _figures(table, regions, label_image),
    }
