"""The subject command end to end on the demo subject: outputs, planted sets,
reuse of finished stages, resume after an interruption, bad input."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import warnings

import networkx as nx
import nibabel as nib
import numpy as np
import pandas as pd
import pytest

from fmri_oinfo import estimate_oinfo, graphs
from fmri_oinfo.pipeline import load_config, main, read_result_table, run_subject
from fmri_oinfo.pipeline.cache import DONE_MARKER
from fmri_oinfo.pipeline.config import with_overrides


def _tsv_bytes(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.tsv"))}


def test_outputs_are_written_with_bids_names(demo_run):
    prefix = "sub-01_task-rest_atlas-seitzman2018"
    assert demo_run.results.name == f"{prefix}_oinfo.tsv"
    assert demo_run.timeseries.name == f"{prefix}_timeseries.tsv"
    assert demo_run.timeseries.with_suffix(".json").is_file()
    assert {k: p.name for k, p in demo_run.maps.items()} == {
        "redundancy": f"{prefix}_desc-redundancy_map.nii.gz", "synergy": f"{prefix}_desc-synergy_map.nii.gz",
        "net_o_info": f"{prefix}_desc-netoinfo_map.nii.gz"}
    assert demo_run.graphs["synergy"].name == f"{prefix}_desc-synergy_graph.graphml"
    assert demo_run.report.name == "sub-01_report.html"
    for path in [demo_run.results, demo_run.region_scores, demo_run.config, demo_run.provenance,
                 *demo_run.maps.values(), *demo_run.graphs.values(), demo_run.report]:
        assert path.is_file() and path.stat().st_size > 0, path
    assert not list(demo_run.out_dir.glob(".*.tmp*"))
    assert demo_run.stages == dict.fromkeys(("extraction", "candidates", "assessment", "outputs"), "computed")


def test_maps_and_report_show_the_results(demo_run):
    image = nib.load(demo_run.maps["synergy"])
    assert image.ndim == 3 and float(np.asanyarray(image.dataobj).max()) > 0.1
    html = demo_run.report.read_text()
    assert "Top redundant sets" in html or "redundant" in html
    assert "Visual_141" in html  # a planted synergistic region appears in the report


def test_report_shows_the_cached_null_distributions(demo_run):
    folder = next(demo_run.out_dir.glob(".cache/assessment-*"))
    null = np.load(folder / "null_o_info.npy")
    results = read_result_table(demo_run.results)
    assert null.dtype == np.float32 and null.shape == (len(results), 99)
    # the cached null reproduces every p-value of the result table (rows aligned with the ranked table;
    # only where the empirical p-value was used: the float32 cache moves values in the fitted tail)
    exceed = (np.abs(null) >= np.abs(results["o_info"].to_numpy(np.float32))[:, None]).sum(axis=1)
    empirical = exceed >= 10
    assert empirical.sum() >= 5
    np.testing.assert_allclose((1 + exceed[empirical]) / 100, results["p_value"][empirical], rtol=1e-12)
    html = demo_run.report.read_text()
    statistics = html[html.index('<section id="statistics">'):]
    statistics = statistics[:statistics.index("</section>")]
    assert f"{len(results)} sets with surrogates (99 surrogates per set, median)" in statistics
    assert statistics.count('<img src="data:image/png;base64,') == 2  # orders and nulls
    assert "No null distributions were given." not in html


def test_report_links_every_output_and_shows_the_quality_control(demo_run):
    html = demo_run.report.read_text()
    files = html[html.index('<section id="files">'):]
    files = files[:files.index("</section>")]
    links = re.findall(r'<a href="([^"]+)">', files)
    written = [demo_run.results, demo_run.timeseries, demo_run.region_scores, *demo_run.maps.values(),
               *demo_run.graphs.values(), demo_run.config, demo_run.provenance]
    described = [demo_run.results, demo_run.region_scores, *demo_run.maps.values()]  # each with a JSON sidecar
    sidecars = [p.name.removesuffix(".nii.gz").removesuffix(".tsv") + ".json" for p in described]
    assert sorted(links) == sorted([p.name for p in written] + [demo_run.timeseries.with_suffix(".json").name]
                                   + sidecars)
    assert all((demo_run.report.parent / link).is_file() for link in links)
    quality = html[html.index('<section id="quality">'):]
    quality = quality[:quality.index("</section>")]
    for title in ("Atlas over the data", "Temporal SNR per region",
                  "Carpet plot with framewise displacement and DVARS", "Region correlation matrix"):
        assert f"<h3>{title}</h3>\n  <img" in quality, title
    assert "<h3>Head motion</h3>" in quality and "FD &gt; 0.5 mm" in quality  # the demo's planted FD spikes
    assert "regions lie entirely inside the brain mask" in " ".join(quality.split())
    assert "extracted with nilearn" in html and "Seitzman BA" in html  # methods and the atlas reference


def test_provenance_lists_inputs_versions_and_stages(demo_run, demo_root):
    provenance = json.loads(demo_run.provenance.read_text())
    bold = next(i for i in provenance["inputs"] if i["path"].endswith("desc-preproc_bold.nii.gz"))
    assert len(bold["sha256"]) == 64
    assert {"numpy", "nilearn", "torch", "fmri-oinfo"} <= set(provenance["software"])
    assert set(provenance["stages"]) == {"extraction", "candidates", "assessment", "outputs"}
    assert provenance["total_seconds"] > 0


def test_planted_groups_top_the_table_with_their_sign(demo_run, ground_truth):
    table = read_result_table(demo_run.results)
    n_significant = int((table["label"] != "n.s.").sum())
    assert (table["label"].iloc[:n_significant] != "n.s.").all()  # significant sets come first
    planted = {name: [set(g["regions"]) for g in ground_truth["sets"] if np.sign(g["expected_o_info_sign"]) == s]
               for name, s in (("redundant", 1), ("synergistic", -1))}
    for planted_set in ground_truth["sets"]:
        wanted = "redundant" if planted_set["expected_o_info_sign"] > 0 else "synergistic"
        rows = table[[set(g) == set(planted_set["regions"]) for g in table["set"]]]
        assert len(rows) == 1, planted_set["name"]
        assert rows["label"].iloc[0] == wanted
        assert np.sign(rows["o_info"].iloc[0]) == planted_set["expected_o_info_sign"]
    # every labelled set is planted structure: a planted set of its sign or a real subset of one (the
    # triplets of the redundant 4-set); a planted set padded with other regions is never labelled
    for region_set, label in zip(table["set"], table["label"]):
        if label != "n.s.":
            assert any(set(region_set) <= p for p in planted[label]), (region_set, label)


def test_rerun_reuses_every_stage_and_changes_no_table(demo_run, demo_root, small_config):
    before = _tsv_bytes(demo_run.out_dir)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        again = run_subject(demo_root / "sub-01", small_config, demo_run.out_dir)
    assert again.stages == dict.fromkeys(("extraction", "candidates", "assessment", "outputs"), "reused")
    assert _tsv_bytes(demo_run.out_dir) == before


def test_interrupted_run_resumes_to_identical_outputs(demo_run, demo_root, small_config, tmp_path, monkeypatch):
    out = tmp_path / "sub-01"

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt("simulated interruption while writing the graphs")

    monkeypatch.setattr(graphs, "write_graphs", interrupted)
    with warnings.catch_warnings(), pytest.raises(KeyboardInterrupt):
        warnings.simplefilter("ignore")
        run_subject(demo_root / "sub-01", small_config, out)
    assert not list(out.rglob(".*.tmp*"))  # no half-written file
    assert not list(out.glob(".cache/outputs-*/" + DONE_MARKER))
    assert len(list(out.glob(f".cache/*/{DONE_MARKER}"))) == 3
    monkeypatch.undo()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        resumed = run_subject(demo_root / "sub-01", small_config, out)
    assert resumed.stages == {"extraction": "reused", "candidates": "reused", "assessment": "reused",
                              "outputs": "computed"}
    assert _tsv_bytes(out) == _tsv_bytes(demo_run.out_dir)
    assert resumed.graphs["hypergraph"].read_bytes() == demo_run.graphs["hypergraph"].read_bytes()


def test_changed_statistics_recompute_from_their_stage(demo_run, demo_root, small_config, tmp_path):
    out = tmp_path / "sub-01"
    shutil.copytree(demo_run.out_dir / ".cache", out / ".cache")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        outputs = run_subject(demo_root / "sub-01", with_overrides(small_config, statistics__n_surrogates=49), out)
    assert outputs.stages == {"extraction": "reused", "candidates": "reused", "assessment": "computed",
                              "outputs": "computed"}
    assert read_result_table(outputs.results)["p_value"].min() == pytest.approx(1 / 50)


def test_region_table_input_skips_extraction_and_maps(demo_run, tmp_path, capsys):
    table = tmp_path / "sub-07_task-rest_timeseries.tsv"
    shutil.copy(demo_run.timeseries, table)
    code = main([str(table), "--config", "fast", "--quiet", "--orders", "3"])
    assert code == 0
    out = tmp_path / "derivatives" / "fmri-oinfo" / "sub-07"  # the documented default output folder
    results = read_result_table(out / "sub-07_task-rest_oinfo.tsv")
    assert len(results) > 10 and {"redundant", "synergistic"} <= set(results["label"])
    assert not list(out.glob("*_map.nii.gz"))  # no atlas image: no NIfTI maps
    provenance = json.loads((out / "sub-07_task-rest_provenance.json").read_text())
    assert set(provenance["skipped_outputs"]) == {"maps", "report_brain_views"}
    assert "the input was a region table" in provenance["skipped_outputs"]["maps"]
    # the rest is written: region scores (coordinates n/a), GraphML without coordinates, the report
    scores = pd.read_csv(out / "sub-07_task-rest_desc-scores_regions.tsv", sep="\t", na_values="n/a",
                         keep_default_na=False)
    assert scores["x"].isna().all() and len(scores) == len(pd.read_csv(table, sep="\t", nrows=0).columns)
    assert (scores["synergy"] > 0).any() and (scores["redundancy"] > 0).any()
    synergy = nx.read_graphml(out / "sub-07_task-rest_desc-synergy_graph.graphml")
    assert synergy.number_of_edges() > 0 and not any("x" in d for _, d in synergy.nodes(data=True))
    html = (out / "sub-07_report.html").read_text()
    assert graphs.external_references(html) == []
    assert "Brain maps are not drawn: no coordinates: the input was a region table" in html
    assert "Visual_141" in html  # a planted synergistic region in the set tables


def test_fmmi_wiring_with_tiny_training(demo_run, tmp_path):
    table = tmp_path / "sub-08_timeseries.tsv"
    series = pd.read_csv(demo_run.timeseries, sep="\t").iloc[:, :5]
    series.to_csv(table, sep="\t", index=False)
    config = load_config("default", candidates__strategies=["exhaustive"], statistics__n_surrogates=19,
                         statistics__n_bootstrap=0, device="cpu",
                         estimation__fmmi={"steps": 50, "width": 16, "context_dim": 16, "batch_size": 64,
                                           "folds": 2, "ensemble": 2})
    outputs = run_subject(table, config, tmp_path / "out")
    results = read_result_table(outputs.results)
    assert len(results) == 10  # C(5, 3)
    assert np.isfinite(results["o_info_fmmi"]).all() and np.isfinite(results["o_info_fmmi_se"]).all()
    assert (results["o_info_fmmi_se"] > 0).all()  # cross-fitted rows and replicate spread: never 0
    # the claims are the copula's (default.toml); FMMI sits in its own descriptive columns
    assert results.attrs["estimator"] == "gaussian-copula"
    copula = estimate_oinfo(series, list(results["set"]), estimator="gaussian-copula")
    np.testing.assert_allclose(results["o_info"], copula["o_info"], rtol=1e-8)
    assert results["o_info_se"].isna().all()  # no bootstrap and no error of the copula's own


def test_missing_subject_exits_with_one_message(tmp_path, capsys):
    out = tmp_path / "out"
    code = main([str(tmp_path / "nowhere"), "--out", str(out), "--config", "fast"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("fmri-oinfo: error: ") and "nowhere does not exist" in err
    assert "Traceback" not in err and not out.exists()


def test_three_d_image_exits_non_zero_and_writes_nothing(tmp_path):
    subject = tmp_path / "sub-09"
    subject.mkdir()
    nib.save(nib.Nifti1Image(np.ones((4, 4, 4), dtype=np.float32), np.eye(4)), subject / "bold.nii.gz")
    out = tmp_path / "out"
    result = subprocess.run([sys.executable, "-m", "fmri_oinfo.pipeline", str(subject), "--out", str(out),
                             "--config", "fast", "--t-r", "2"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "fmri-oinfo: error:" in result.stderr and "is 3-D (4, 4, 4)" in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["sub-09"]


def test_bad_config_key_exits_with_its_name(tmp_path, capsys):
    config = tmp_path / "mine.toml"
    config.write_text("[statistics]\nn_surogates = 10\n")
    code = main([str(tmp_path), "--config", str(config)])
    assert code == 1 and "statistics.n_surogates" in capsys.readouterr().err
