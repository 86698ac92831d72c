"""A group study with a planted redundant 4-set: its labelled 3-subsets are one finding in tables, maps and report."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from fmri_oinfo.group import (
    dask_client,
    discover_study,
    load_group_config,
    run_group_study,
)
from fmri_oinfo.group.example import PLANTED_FOUR, PLANTED_SET, make_table_study
from fmri_oinfo.group.outputs import write_group_outputs
from fmri_oinfo.group.report import write_group_report
from fmri_oinfo.results import read_result_table

#: conftest's fast settings with 49 per-subject surrogates (the baselines), every 3- and 4-set.
STUDY_TOML = """
[candidates]
strategies = ["exhaustive"]
orders = [3, 4]
[estimation]
estimator = "gaussian"
fmmi_column = false
device = "cpu"
[statistics]
n_surrogates = 49
n_bootstrap = 0
[outputs]
maps = false
graphs = false
report = false
[group]
n_permutations = 1999
"""

SUBSETS = [PLANTED_FOUR[:3], PLANTED_FOUR[:2] + PLANTED_FOUR[3:], (PLANTED_FOUR[0], *PLANTED_FOUR[2:]),
           PLANTED_FOUR[1:]]


@pytest.fixture(scope="module")
def study_out(tmp_path_factory) -> Path:
    """12 subjects, 7 regions, every 3- and 4-set (70): the 4-set R3..R6 is more redundant in control."""
    root = tmp_path_factory.mktemp("families")
    config = root / "study.toml"
    config.write_text(STUDY_TOML)
    study = make_table_study(root / "study", n_per_cohort=6, n_regions=7, loading_a=1.5, loading_b=0.5,
                             n_volumes=120)
    with dask_client(n_workers=2, processes=False) as client:
        result = run_group_study(discover_study(study, cohort_column="group"), load_group_config(config),
                                 root / "out", client)
    files = write_group_outputs(result)
    write_group_report(result, files=files)
    RESULTS["study"] = result
    return root / "out" / "group"


#: The study's GroupStudyResult, kept by the fixture for tests that need more than its files.
RESULTS: dict = {}


def _read(path: Path) -> pd.DataFrame:
    return read_result_table(path).set_index("set")


@pytest.mark.parametrize("name, label", [("group_results.tsv", "redundant"), ("group_difference.tsv", "higher in A")])
def test_the_planted_4_set_and_its_3_subsets_are_one_family(study_out, name, label) -> None:
    table = _read(study_out / name)
    family = table.loc[[PLANTED_FOUR, *SUBSETS]]
    assert (family["label"] == label).all()
    assert family["family"].nunique() == 1 and family["family"].iloc[0] > 0
    assert family["family_role"].tolist() == ["head"] + ["within"] * 4
    # the planted synergistic triplet is labelled and a finding of its own; nothing else is labelled
    assert table.loc[[PLANTED_SET], "family_role"].item() == "head"
    assert table.loc[[PLANTED_SET], "family"].item() not in (0, family["family"].iloc[0])
    assert (table["label"] != "n.s.").sum() == 6


@pytest.mark.parametrize("mean", [True, False])
def test_group_maps_count_the_family_once(study_out, mean) -> None:
    """A region of the 4-set scores the family's largest |O| among its sets holding it, not their sum."""
    table = _read(study_out / ("group_results.tsv" if mean else "group_difference.tsv"))
    scores = pd.read_csv(study_out / f"group_desc-{'mean' if mean else 'difference'}_regionscores.tsv",
                         sep="\t").set_index("name")
    column = "o_info" if mean else "difference"
    for region in PLANTED_FOUR:
        holding = [g for g in [PLANTED_FOUR, *SUBSETS] if region in g]
        values = table.loc[holding, column].abs()
        assert scores.loc[region, "redundancy"] == pytest.approx(values.max(), rel=1e-6)
        assert scores.loc[region, "redundancy"] < 0.8 * values.sum()  # summing the nested sets is far above
        assert scores.loc[region, "n_redundant"] == 1


def test_the_report_lists_the_family_once_by_its_head(study_out) -> None:
    report = (study_out / "group_report.html").read_text()
    findings = report[report.index('<section id="findings">'):report.index('<section id="cohort">')]
    assert "2 findings (1 redundant, 1 synergistic) from 6 labelled sets" in findings
    assert "1 finding control &gt; patient, redundancy (5 sets)" in findings
    head = ", ".join(PLANTED_FOUR)
    # listed once per table (group mean, difference), named by the head, its subsets beside it
    assert findings.count(f"<b>{head}</b>") == 2
    assert "part of this finding (4 more sets): " + "; ".join(", ".join(g) for g in SUBSETS) in findings
    for subset in SUBSETS:
        assert f"<b>{', '.join(subset)}</b>" not in findings
    # the strongest set of each kind is marked inside its finding, not listed again below the findings
    assert "largest |O| of the redundant sets" in findings and "smallest q of the differences" in findings
    assert "Most redundant" not in findings and "Clearest difference" not in findings
    listed = re.sub(r"<[^>]+>", "", findings)
    for labelled in [PLANTED_FOUR, *SUBSETS, PLANTED_SET]:  # once per table (group mean, difference)
        assert len(re.findall(rf"(?<![\w,] ){re.escape(', '.join(labelled))}(?!, R)", listed)) <= 2
    # the difference map drawn from the direction's sets counts the family once
    assert ("|difference| of O-information (nats) of the 5 labelled sets containing each region, each of the "
            "1 finding ") in report


def test_the_report_warns_when_subjects_tables_look_uncleaned(study_out) -> None:
    """Clean generated tables raise no warning; raw intensities (a large mean) in one subject's series do."""
    from fmri_oinfo.group.report import uncleaned_tables

    result = RESULTS["study"]
    assert uncleaned_tables(result) is None
    assert "look uncleaned" not in (study_out / "group_report.html").read_text()
    subject = result.succeeded[0]
    series = study_out.parent / subject / f"{subject}_timeseries.tsv"
    clean = series.read_text()
    try:
        table = pd.read_csv(series, sep="\t")
        (table + 1000.0).to_csv(series, sep="\t", index=False)
        found = uncleaned_tables(result)
        assert found["subjects"] == [subject] and found["n_checked"] == len(result.succeeded)
        assert "raw intensities" in found["sign"]
        write_group_report(result)
        assert "1 of 12 subjects' region tables look uncleaned" in (study_out / "group_report.html").read_text()
    finally:
        series.write_text(clean)
