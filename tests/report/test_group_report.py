"""The group report on a study of region tables with hand-made group tables (columns of docs/results.md)."""

from __future__ import annotations

import itertools
import re

import numpy as np
import pandas as pd
import pytest

from fmri_oinfo.graphs import external_references
from fmri_oinfo.group import discover_study, load_group_config
from fmri_oinfo.group.example import make_table_study
from fmri_oinfo.group.report import GROUP_SECTIONS, MAP_FLOOR_NATS, group_report_html
from fmri_oinfo.group.run import GroupStudyResult
from fmri_oinfo.group.subject import SubjectOutcome
from fmri_oinfo.extract import RegionTimeseries


def _section(document: str, anchor: str) -> str:
    start = document.index(f'<section id="{anchor}">')
    return document[start:document.index("</section>", start)]


def _sets(names: list[str]) -> pd.DataFrame:
    sets = [tuple(c) for c in itertools.combinations(names, 3)]
    return pd.DataFrame({"set": pd.Series(sets, dtype=object), "order": 3, "chosen_by": "screen:synergy"})


def _mean_table(sets: pd.DataFrame) -> pd.DataFrame:
    """Row 0 (R0, R1, R2) strongly synergistic, row 1 weakly redundant (below the map floor), the rest n.s."""
    n = len(sets)
    table = sets.copy()
    table["o_info"] = np.r_[-0.3, 0.004, np.full(n - 2, 0.001)]
    table["o_info_se"] = 0.01
    table["ci_low"], table["ci_high"] = table["o_info"] - 0.02, table["o_info"] + 0.02
    table["p_value"] = np.r_[0.0002, 0.001, np.full(n - 2, 0.5)]
    table["q_value"] = np.r_[0.005, 0.02, np.full(n - 2, 0.6)]
    table["label"] = ["synergistic", "redundant"] + ["n.s."] * (n - 2)
    table["n_subjects"], table["cohen_d"], table["hedges_g"] = 8, -1.5, -1.4
    table.attrs = {"test": "sign-flip permutation of baseline-corrected values", "n_permutations": 4999,
                   "alpha": 0.05}
    return table


def _difference_table(sets: pd.DataFrame, direction: bool) -> pd.DataFrame:
    n = len(sets)
    table = sets.copy()
    table["mean_a"], table["mean_b"] = -0.1, -0.4
    table["n_a"], table["n_b"] = 4, 4
    table["difference"] = np.r_[0.3, -0.005, np.zeros(n - 2)]  # the second under the map floor
    table["difference_se"] = 0.05
    table["ci_low"], table["ci_high"] = table["difference"] - 0.1, table["difference"] + 0.1
    table["p_value"] = np.r_[0.0002, 0.002, np.full(n - 2, 0.7)]
    table["q_value"] = np.r_[0.01, 0.04, np.full(n - 2, 0.8)]
    table["cohen_d"], table["hedges_g"] = 2.0, 1.8
    table["label"] = ["higher in A", "higher in B"] + ["n.s."] * (n - 2)
    if direction:
        table["direction"] = ["patient > control, synergy", "control > patient, redundancy"] + [""] * (n - 2)
    table.attrs = {"cohort_a": "control", "cohort_b": "patient", "test": "label permutation",
                   "n_permutations": 4999, "alpha": 0.05}
    return table


@pytest.fixture(scope="module")
def study_result(tmp_path_factory):
    """A real study folder of 8 region tables (two cohorts), run outcomes and hand-made group tables."""
    root = make_table_study(tmp_path_factory.mktemp("study"), n_per_cohort=4, n_regions=6, n_volumes=40)
    study = discover_study(root, cohort_column="group")
    out = root / "derivatives" / "fmri-oinfo-group"
    regions = RegionTimeseries.load(root / "sub-01_timeseries.tsv").regions
    prepared, estimated = [], []
    for subject in study.subjects:
        folder = out / subject.label
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{subject.label}_report.html").write_text("<html></html>")
        qc = {"n_volumes": 40, "n_regions": 6, "n_dropped_regions": 0, "n_censored": 0, "mean_fd": None}
        prepared.append(SubjectOutcome(subject.label, "prepare", "computed", str(subject.source), str(folder),
                                       qc=qc, seconds=1.0))
        estimated.append(SubjectOutcome(subject.label, "estimate", "computed", str(subject.source), str(folder),
                                        files={"report": f"{subject.label}_report.html"}, seconds=2.0))
    (out / "group").mkdir(parents=True)
    (out / "group" / "group_results.tsv").write_text("set\n")
    config = load_group_config("fast")  # cohort_column "" in the file: --cohort-col gave it
    sets = _sets(regions["name"].tolist())

    def result(direction: bool = False, **changes) -> GroupStudyResult:
        values = dict(study=study, config=config, out_dir=out, prepared=tuple(prepared),
                      estimated=tuple(estimated), sets=sets, subject_values=pd.DataFrame(),
                      results=_mean_table(sets), difference=_difference_table(sets, direction),
                      regions=regions, seconds=12.0)
        values.update(changes)
        return GroupStudyResult(**values)

    return result


@pytest.fixture(scope="module")
def document(study_result) -> str:
    result = study_result()
    return group_report_html(result, result.out_dir / "group" / "group_report.html",
                             warnings=["sub-03: 2 regions dropped"])


def test_findings_come_first_with_counts_of_the_tables(document):
    assert external_references(document) == []
    positions = [document.index(f'<section id="{anchor}">') for anchor, _ in GROUP_SECTIONS]
    assert positions == sorted(positions) and GROUP_SECTIONS[0][0] == "findings"
    findings = " ".join(_section(document, "findings").split())
    assert ("Group mean: 2 sets labelled (1 redundant, 1 synergistic) of 20 tested (sign-flip permutation of "
            "baseline-corrected values, FDR 5 %), 8 subjects.") in findings
    assert ("Between cohorts (control, patient): 2 of 20 sets differ (FDR 5 %): 1 control &gt; patient; "
            "1 patient &gt; control.") in findings
    # the strongest set is marked in its finding, not listed again below the findings
    assert ("<b>R0, R1, R2</b> (O = -0.3 nats, q = 0.005), <em>largest |O| of the synergistic sets</em>"
            in findings)
    assert "Most synergistic" not in findings and "Most redundant" not in findings
    assert "<table" not in findings


def test_cohort_column_subject_links_and_applied_parameters(document):
    cohort = _section(document, "cohort")
    assert "Cohort (column <code>group</code>)" in cohort
    assert "region tables" in cohort and "atlas" not in cohort  # no atlas line for table inputs
    links = re.findall(r'<a href="([^"]+)">report</a>', _section(document, "subjects"))
    assert links == [f"../sub-{k:02d}/sub-{k:02d}_report.html" for k in range(1, 9)]
    assert "Mean FD" not in _section(document, "subjects")  # QC columns that tables do not have
    parameters = _section(document, "parameters")
    assert "<code>group.cohort_column</code></td><td>group</td>" in parameters
    assert "extraction." not in parameters and "inputs." not in parameters  # tables: no extraction ran
    assert "estimation.fmmi." not in parameters and "group.n_surrogates" not in parameters
    assert "<code>candidates.strategies</code>" in parameters
    assert "sub-03: 2 regions dropped" in _section(document, "warnings")
    assert '<a href="group_results.tsv">' in _section(document, "files")


def test_maps_share_a_scale_have_a_floor_and_name_the_direction(document):
    maps = " ".join(_section(document, "maps").split())
    titles = re.findall(r"<h3>([^<]+)</h3>", maps)
    assert titles == ["Group mean: synergy", "Difference: control &gt; patient"]
    # the weak redundant set (0.004 nats summed per region) stays under the floor, and the report says so
    assert (f"Group mean: redundancy: 1 labelled set, but no region reaches {MAP_FLOOR_NATS:g} nats: not drawn."
            in maps)
    assert "Difference: patient &gt; control: 1 labelled set, but no region reaches" in maps
    assert "scale shared by the synergy maps of this report (0 to 0.3)" in maps
    assert "Summed |difference| of O-information (nats) of the 1 labelled sets" in maps


def test_direction_column_names_the_difference_maps(study_result):
    result = study_result(direction=True)
    document = group_report_html(result, result.out_dir / "group" / "group_report.html")
    maps = _section(document, "maps")
    assert "<h3>Difference: patient &gt; control, synergy</h3>" in maps
    difference = _section(document, "difference")
    assert "patient &gt; control, synergy" in difference and "control &gt; patient, redundancy" in difference


def test_unreachable_design_is_said_before_any_table(study_result):
    sets = _sets([f"R{j}" for j in range(6)])
    mean = _mean_table(sets).assign(label="n.s.")
    mean.attrs.update(reachable=False, reachability_note="4 subjects allow 16 sign flips: the smallest p is "
                                                         "0.0625, so no set can reach q < 0.05.")
    result = study_result(results=mean)
    document = group_report_html(result, result.out_dir / "group" / "group_report.html")
    note = "the smallest p is 0.0625, so no set can reach q &lt; 0.05."
    assert note in _section(document, "findings")
    assert document.index(note) < document.index("<table")
    assert "Group mean: No set labelled of 20 tested" in document


def test_group_table_shows_p_irreducible_and_defines_q_by_it(study_result):
    """With irreducibility tests, p irred. is a column of the group tables (its values shown), and q's
    tooltip says it is BH of max(p, p irred.); without them, neither appears."""
    sets = study_result().sets
    table = _mean_table(sets)
    table["p_irreducible"] = np.r_[0.0371, 0.0042, np.full(len(table) - 2, 0.9)]
    table.attrs = dict(_mean_table(sets).attrs)
    result = study_result(results=table)
    page = group_report_html(result, result.out_dir / "group" / "group_report.html")
    section = page[page.index('<section id="results">'):page.index("</section>", page.index('<section id="results">'))]
    assert "p&nbsp;irred.</th>" in section
    assert ">0.037</td>" in section and ">0.0042</td>" in section  # the values, not only the heading
    assert "max(p, p irred.)" in section and "<dt>p irred.</dt>" in section
    plain = study_result()
    without = group_report_html(plain, plain.out_dir / "group" / "group_report.html")
    results = without[without.index('<section id="results">'):]
    results = results[:results.index("</section>")]
    assert "irred" not in results
