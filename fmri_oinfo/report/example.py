"""A small synthetic report context, to preview the report and to test it.

``python -m fmri_oinfo.report.example OUT.html`` writes an example report from
made-up numbers (12 regions in 3 networks, sphere label image on a 4 mm grid,
two redundant and two synergistic sets); it shows the layout, not a finding.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import nibabel as nib
import numpy as np
import pandas as pd

from fmri_oinfo.report.context import ReportContext
from fmri_oinfo.report.render import render_report

#: Example regions: (name, network, x, y, z in MNI mm).
EXAMPLE_REGIONS: tuple[tuple[str, str, float, float, float], ...] = (
    ("L_PCC", "Default", -8, -52, 28), ("R_PCC", "Default", 8, -52, 28),
    ("L_mPFC", "Default", -6, 52, -2), ("R_mPFC", "Default", 6, 52, -2),
    ("L_V1", "Visual", -10, -90, 0), ("R_V1", "Visual", 10, -90, 0),
    ("L_V4", "Visual", -30, -78, -12), ("R_V4", "Visual", 30, -78, -12),
    ("L_M1", "Motor", -38, -22, 56), ("R_M1", "Motor", 38, -22, 56),
    ("L_SMA", "Motor", -4, -8, 60), ("R_SMA", "Motor", 4, -8, 60),
)


def example_regions() -> pd.DataFrame:
    """The example region metadata table (name, network, x, y, z)."""
    return pd.DataFrame(EXAMPLE_REGIONS, columns=["name", "network", "x", "y", "z"])


def sphere_label_image(regions: pd.DataFrame, radius: float = 8.0, voxel_size: float = 4.0) -> nib.Nifti1Image:
    """Label image on an MNI grid with a sphere of ``radius`` mm per region (label j + 1).

    Parameters
    ----------
    regions : pandas.DataFrame
        Region table with x, y, z in MNI mm.
    radius : float, default=8.0
        Sphere radius in mm.
    voxel_size : float, default=4.0
        Isotropic voxel size in mm of a grid covering the MNI152 brain box.

    Returns
    -------
    nibabel.Nifti1Image
        int16 image; later regions overwrite earlier ones where spheres overlap.
    """
    origin = np.array([-90.0, -126.0, -72.0])
    shape = tuple(int(np.ceil(extent / voxel_size)) + 1 for extent in (180.0, 216.0, 180.0))
    affine = np.diag([voxel_size, voxel_size, voxel_size, 1.0])
    affine[:3, 3] = origin
    centres = np.indices(shape).reshape(3, -1).T * voxel_size + origin  # (voxels, 3)
    labels = np.zeros(centres.shape[0], dtype=np.int16)
    for j, centre in enumerate(regions[["x", "y", "z"]].to_numpy(dtype=float)):
        labels[np.linalg.norm(centres - centre, axis=1) <= radius] = j + 1
    return nib.Nifti1Image(labels.reshape(shape), affine)


def example_results(contract: bool = True) -> pd.DataFrame:
    """An example result table: two redundant, two synergistic and three n.s. sets.

    Parameters
    ----------
    contract : bool, default=True
        Include the columns and ``attrs`` of the selection-aware inference
        (``inference``, ``p_irreducible``, ``p_value_is_bound``,
        ``p_irreducible_is_bound``, ``irreducible``, ``carriers``;
        ``estimator``, ``alpha``, ``n_tested``, ``n_screened`` ...; see
        ``docs/results.md``); False gives an older table without them.

    Returns
    -------
    pandas.DataFrame
    """
    rows = [
        (("L_PCC", "R_PCC", "L_mPFC"), 0.42, 0.03, 0.0005, 0.002, "redundant", (0.15, 0.12, 0.2)),
        (("L_V1", "R_V1", "L_V4", "R_V4"), 0.31, 0.04, 0.001, 0.003, "redundant", (0.1, 0.1, 0.08, 0.09)),
        (("L_M1", "R_V4", "L_mPFC"), -0.27, 0.03, 0.0005, 0.002, "synergistic", (-0.1, -0.12, -0.08)),
        (("R_M1", "L_SMA", "R_PCC", "L_V1"), -0.18, 0.04, 0.002, 0.005, "synergistic", (-0.05, -0.07, -0.03, -0.06)),
        (("R_SMA", "L_M1", "R_mPFC"), 0.02, 0.03, 0.41, 0.55, "n.s.", (0.01, 0.0, 0.01)),
        (("L_V4", "R_SMA", "L_PCC"), -0.01, 0.03, 0.62, 0.7, "n.s.", (0.0, -0.01, 0.0)),
        (("R_V1", "L_SMA", "R_mPFC", "L_M1"), 0.015, 0.04, 0.5, 0.6, "n.s.", (0.0, 0.01, 0.0, 0.0)),
    ]
    table = pd.DataFrame(rows, columns=["set", "o_info", "o_info_se", "p_value", "q_value", "label",
                                        "o_info_gradient"])
    table["order"] = [len(g) for g in table["set"]]
    table["chosen_by"] = ["network:Default", "network:Visual", "screen:synergy", "search:beam;screen:synergy",
                          "screen:control", "screen:control", "screen:control"]
    table["ci_low"] = table["o_info"] - 1.96 * table["o_info_se"]
    table["ci_high"] = table["o_info"] + 1.96 * table["o_info_se"]
    table["tc"] = np.abs(table["o_info"]) + 0.5
    table["dtc"] = table["tc"] - table["o_info"]
    table["s_info"] = table["tc"] + table["dtc"]
    columns = ["set", "order", "chosen_by", "o_info", "o_info_se", "tc", "dtc", "s_info", "ci_low",
               "ci_high", "p_value", "q_value", "label", "o_info_gradient"]
    if not contract:
        return table[columns]
    table["inference"] = ["per-set", "per-set", "split-sample", "split-sample", "split-sample", "split-sample",
                          "split-sample"]
    table["p_irreducible"] = [0.001, 0.002, 0.001, 0.003, 0.3, 0.5, 0.4]
    table.loc[0, "p_value"] = 1 / (10 * 201)  # beyond the fitted tail's reach: the bound of 200 surrogates
    table["p_value_is_bound"] = [True, False, False, False, False, False, False]
    table["p_irreducible_is_bound"] = False
    table["irreducible"] = [True, True, True, True, False, False, False]
    table["carriers"] = [("L_PCC", "R_PCC", "L_mPFC"), ("L_V1", "R_V1", "L_V4", "R_V4"), ("L_M1", "R_V4", "L_mPFC"),
                         ("R_M1", "L_SMA", "R_PCC"), (), (), ()]
    table = table[columns[:12] + ["p_irreducible", "p_value_is_bound", "p_irreducible_is_bound", "label",
                                  "irreducible", "carriers", "inference", "o_info_gradient"]]
    table.attrs = {"estimator": "gaussian", "units": "nats", "error_rate": "FDR", "alpha": 0.05, "n_tested": 7,
                   "n_screened": 220, "n_screened_by": {"screen": 220}, "selection": {
                       "method": "sample splitting in time", "n_volumes": 200, "selection_volumes": [0, 95],
                       "gap_volumes": 10, "gap_rule": "autocorrelation length", "test_volumes": [105, 200]},
                   "tail": "gpd",
                   "surrogate": "circular", "n_surrogates": 200, "smallest_reportable_p": 1 / (10 * 201),
                   "reachable": True, "reachability_note": "",
                   "ci_level": 0.95, "n_bootstrap": 200}
    return table


def example_extraction(regions: pd.DataFrame, framewise_displacement: np.ndarray,
                       censored: list[int], seed: int = 0) -> dict:
    """Extraction metadata of the example, as :class:`fmri_oinfo.extract.RegionTimeseries` records it."""
    rng = np.random.default_rng(seed)
    return {
        "t_r": 2.0,
        "atlas": {"name": "example-spheres-8mm", "kind": "spheres", "space": "MNI152", "n_regions": len(regions),
                  "citation": "Made-up regions for the example report."},
        "confound_strategy": "simple",
        "cleaning": {"high_pass": 0.01, "low_pass": 0.1, "detrend": True, "standardize": "zscore_sample",
                     "fd_threshold": 0.5},
        "runs": [{"name": "run-1", "n_volumes": len(framewise_displacement), "censored_volumes": censored,
                  "framewise_displacement": [None if not np.isfinite(v) else float(v)
                                             for v in framewise_displacement]}],
        "censored_volumes": {"run-1": censored},
        "region_qc": {name: {"tsnr": float(rng.normal(60.0, 12.0)), "coverage": 1.0 if i != 7 else 0.82}
                      for i, name in enumerate(regions["name"])},
    }


def example_context(seed: int = 0, label_image: bool = True, interactive: bool = True,
                    contract: bool = True) -> ReportContext:
    """A complete example :class:`ReportContext` from made-up numbers.

    Parameters
    ----------
    seed : int, default=0
        Seed of the random time series, motion and surrogates.
    label_image : bool, default=True
        Include the sphere label image and a brain mask (else maps fall back
        to markers and the atlas overlay is left out).
    interactive : bool, default=True
        Embed the interactive 3-D views.
    contract : bool, default=True
        Result table with the selection-aware inference columns and attrs
        (see :func:`example_results`).

    Returns
    -------
    ReportContext
    """
    from nilearn.datasets import load_mni152_brain_mask

    rng = np.random.default_rng(seed)
    regions = example_regions()
    results = example_results(contract)
    n_volumes = 200
    censored = [57, 58, 140]
    timeseries = pd.DataFrame(rng.standard_normal((n_volumes - len(censored), len(regions))),
                              columns=regions["name"])
    fd = np.abs(rng.normal(0.12, 0.06, n_volumes))
    fd[censored] = [0.9, 0.7, 0.65]
    fd[0] = np.nan
    nulls = rng.normal(0.0, 0.05, (len(results), 200))
    return ReportContext(
        subject="sub-example",
        results=results,
        regions=regions,
        atlas="example-spheres-8mm",
        parameters={"estimator": "gaussian", "orders": [3, 4], "seed": seed,
                    "statistics": {"surrogates": 200, "surrogate_kind": "phase", "alpha": 0.05}},
        label_image=sphere_label_image(regions) if label_image else None,
        timeseries=timeseries,
        censored_volumes={"run-1": censored},
        dropped_regions={"L_Amygdala": "fewer than 50% of voxels inside the brain mask"},
        confound_strategy="simple (motion 6 + wm_csf, high-pass)",
        t_r=2.0,
        source_files=("sub-example_task-rest_desc-preproc_bold.nii.gz",),
        null_distributions=nulls,
        interactive=interactive,
        extraction=example_extraction(regions, fd, censored, seed),
        mask_image=load_mni152_brain_mask(resolution=4) if label_image else None,
        output_files=(("result table", "sub-example_oinfo.tsv"), ("region scores", "sub-example_regions.tsv")),
        warnings=("Example warning: 1 region was dropped (L_Amygdala).",),
    )


def main(argv: list[str] | None = None) -> int:
    """Write the example report to the path given on the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path, help="output .html file")
    parser.add_argument("--no-interactive", action="store_true", help="leave out the 3-D views (smaller file)")
    arguments = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    render_report(example_context(interactive=not arguments.no_interactive), arguments.output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
