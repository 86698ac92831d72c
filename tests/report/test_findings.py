"""The summary sentence and set rows read the result table and its attrs, and never recompute them."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from fmri_oinfo.report.example import example_context, example_regions, example_results
from fmri_oinfo.report.findings import (
    beyond_fc_summary,
    chosen_by_tags,
    count_findings,
    family_heads,
    labelled_sets,
    set_rows,
    summary_sentence,
)
from fmri_oinfo.report.render import render_report_html


def _table(labels: list[str], q: list[float], **attrs) -> pd.DataFrame:
    table = pd.DataFrame({"set": [("L_PCC", "R_PCC", "L_mPFC")] * len(labels), "o_info": [0.1] * len(labels),
                          "label": labels, "q_value": q})
    table.attrs = attrs
    return table


def test_sentence_of_the_contract_example():
    summary = summary_sentence(_table(["redundant", "redundant", "synergistic"] + ["n.s."] * 38, [0.01] * 41,
                                      n_tested=41, n_screened=4455100, alpha=0.05, error_rate="FDR")
                               .assign(inference="split-sample"))
    assert summary["sentence"] == ("3 sets labelled (2 redundant, 1 synergistic) of 41 tested, after split-sample "
                                   "testing at FDR 5 %; 4,455,100 sets screened.")
    assert (summary["n_labelled"], summary["n_redundant"], summary["n_synergistic"]) == (3, 2, 1)
    assert summary["why"] == ""


def test_counts_come_from_the_attrs_not_from_the_rows():
    # the table holds 2 rows, the attrs say 41 sets were tested: the attrs win (they are the statistics' claim)
    summary = summary_sentence(_table(["synergistic", "n.s."], [0.01, 0.3], n_tested=41, alpha=0.01,
                                      error_rate="FWER"))
    assert summary["sentence"] == "1 set labelled (1 synergistic) of 41 tested, after surrogate testing at FWER 1 %."


def test_older_table_takes_alpha_from_the_parameters_or_leaves_it_out():
    table = _table(["redundant", "n.s."], [0.01, 0.3])
    assert summary_sentence(table, alpha=0.05)["sentence"] == (
        "1 set labelled (1 redundant) of 2 tested, after surrogate testing at FDR 5 %.")
    assert summary_sentence(table)["sentence"] == "1 set labelled (1 redundant) of 2 tested, after surrogate testing (FDR)."


def test_nothing_labelled_says_why():
    table = _table(["n.s.", "n.s."], [0.2, 0.08], alpha=0.05)
    summary = summary_sentence(table)
    assert summary["sentence"].startswith("No set labelled of 2 tested")
    assert summary["why"] == "No set reached q < 0.05: the smallest q-value was 0.08, of set L_PCC, R_PCC, L_mPFC."
    unreachable = _table(["n.s."], [1.0], alpha=0.05, reachable=False,
                         reachability_note="300 sets with 99 surrogates cannot reach q < 0.05.")
    assert summary_sentence(unreachable)["why"] == "300 sets with 99 surrogates cannot reach q < 0.05."
    empty = _table([], [], alpha=0.05)
    assert summary_sentence(empty)["why"] == "No set was tested: the candidate strategies chose none."


def test_chosen_by_tags_are_short_with_words():
    tags = chosen_by_tags("screen:synergy;search:greedy;network:Visual;network:spanning;mystery")
    assert [t["tag"] for t in tags] == ["screen S", "greedy", "Visual", "networks", "mystery"]
    assert tags[2]["words"] == "a set within the Visual network"
    assert tags[4]["words"] == "mystery"
    assert chosen_by_tags("") == []


def test_set_rows_carry_members_with_anatomy_and_coordinates():
    regions = example_regions()
    regions["anatomy"] = ["left cortex"] * len(regions)
    results = example_results()
    rows = set_rows(labelled_sets(results, "synergistic"), regions)
    assert [r["rank"] for r in rows] == [1, 2]
    first = rows[0]
    assert [m["name"] for m in first["members"]] == ["L_M1", "R_V4", "L_mPFC"]
    assert first["members"][0] == {"name": "L_M1", "network": "Motor", "anatomy": "left cortex", "x": -38.0,
                                   "y": -22.0, "z": 56.0, "carrier": True}
    assert first["o_info"] == pytest.approx(-0.27) and first["p_irreducible"] == pytest.approx(0.001)
    assert first["inference"] == "split-sample" and first["irreducible"] is True
    second = rows[1]  # carriers R_M1, L_SMA, R_PCC: L_V1 does not carry the set
    assert [m["carrier"] for m in second["members"]] == [True, True, True, False]
    # without an anatomy column the hemisphere comes from x; without coordinates nothing is guessed
    plain = set_rows(labelled_sets(results, "redundant", 1), example_regions())
    assert [m["anatomy"] for m in plain[0]["members"]] == ["left hemisphere", "right hemisphere", "left hemisphere"]
    unplaced = set_rows(labelled_sets(results, "redundant", 1), example_regions().assign(x=float("nan")))
    assert [m["anatomy"] for m in unplaced[0]["members"]] == ["", "", ""]


def _family_table() -> pd.DataFrame:
    """The demo's case: a redundant 4-set and its four labelled 3-subsets, one family; and one synergistic set."""
    sets = [("A", "B", "C"), ("A", "B", "C", "D"), ("A", "B", "D"), ("A", "C", "D"), ("B", "C", "D"),
            ("E", "F", "G"), ("A", "E", "G")]
    table = pd.DataFrame({
        "set": sets, "order": [len(s) for s in sets], "o_info": [0.3, 0.9, 0.3, 0.3, 0.3, -0.2, 0.01],
        "o_info_ratio": [0.1, 0.2, 0.1, 0.1, 0.1, -0.05, 0.001], "o_info_se": [0.05] * 7,
        "ci_low": [0.2, 0.8, 0.2, 0.2, 0.2, -0.3, -0.08], "ci_high": [0.4, 1.0, 0.4, 0.4, 0.4, -0.1, 0.1],
        "label_ci_low": [0.15, 0.75, 0.15, 0.15, 0.15, -0.35, float("nan")],
        "label_ci_high": [0.45, 1.05, 0.45, 0.45, 0.45, -0.05, float("nan")],
        "q_value": [0.001, 0.002, 0.003, 0.003, 0.003, 0.004, 0.6],
        "label": ["redundant"] * 5 + ["synergistic", "n.s."],
        "family": [1, 1, 1, 1, 1, 2, 0], "family_role": ["within", "head", "within", "within", "within", "head", ""],
    })
    table.attrs = {"n_tested": 7, "alpha": 0.05, "error_rate": "FDR", "label_ci_level": 1 - 6 * 0.05 / 7}
    return table


def test_nested_labelled_sets_are_one_finding_in_the_sentence_and_the_cards():
    table = _family_table()
    summary = summary_sentence(table)
    assert (summary["n_labelled"], summary["n_findings"], summary["n_redundant_findings"]) == (6, 2, 1)
    assert summary["sentence"].startswith("2 findings (1 redundant, 1 synergistic) from 6 labelled sets of 7 tested")
    assert count_findings(table, "redundant") == 1
    heads = family_heads(table, "redundant")
    assert heads["set"].tolist() == [("A", "B", "C", "D")]  # the 4-set names the finding, not the top-ranked subset
    regions = pd.DataFrame({"name": list("ABCDEFG"), "network": [""] * 7, "x": [0.0] * 7, "y": [0.0] * 7,
                            "z": [0.0] * 7})
    [card] = set_rows(heads, regions, table)
    assert card["family"] == 1 and card["family_role"] == "head"
    assert card["family_sets"] == [["A", "B", "C"], ["A", "B", "D"], ["A", "C", "D"], ["B", "C", "D"]]
    assert card["o_info_ratio"] == pytest.approx(0.2)
    # Without family columns (older tables) every labelled set is its own finding.
    older = table.drop(columns=["family", "family_role"])
    assert summary_sentence(older)["sentence"].startswith("6 sets labelled (5 redundant, 1 synergistic) of 7 tested")
    assert len(family_heads(older, "redundant")) == 5


def test_the_interval_shown_beside_a_labelled_set_is_its_labels_interval_and_excludes_zero():
    table = _family_table()
    regions = pd.DataFrame({"name": list("ABCDEFG"), "network": [""] * 7, "x": [0.0] * 7, "y": [0.0] * 7,
                            "z": [0.0] * 7})
    rows = set_rows(table, regions, table)
    for row in rows:
        if row["label"] == "n.s.":
            assert row["interval"] == "bootstrap" and (row["ci_low"], row["ci_high"]) == (-0.08, 0.1)
            continue
        assert row["interval"] == "label"
        assert row["ci_low"] > 0 if row["label"] == "redundant" else row["ci_high"] < 0
    assert (rows[1]["ci_low"], rows[1]["ci_high"]) == (0.75, 1.05)


def test_the_page_says_when_no_interval_tested_the_sign():
    """With label intervals the page says the sign needs them; without (n_bootstrap = 0) that it was not tested."""
    context = example_context(label_image=False, interactive=False)
    labelled = context.results["label"] != "n.s."
    results = context.results.assign(label_ci_low=context.results["ci_low"].where(labelled),
                                     label_ci_high=context.results["ci_high"].where(labelled))
    with_interval = replace(context, results=results)
    text = " ".join(render_report_html(with_interval).split())
    assert "the label's sign also needs the interval of O shown beside it" in text
    assert "so the label's sign was not tested" not in text
    without = " ".join(render_report_html(context).split())
    assert "no interval (no bootstrap), so the label's sign was not tested against one" in without


def test_structure_beyond_fc_is_stated_first_with_its_sets():
    """The beyond-FC sentence comes before the O-information findings, counts the excess labels and names their sets."""
    context = example_context(label_image=False, interactive=False)
    n = len(context.results)
    excess = [-0.31, 0.004] + [0.001] * (n - 2)
    labels = ["synergy beyond FC"] + [""] * (n - 1)
    results = context.results.assign(excess=excess, excess_se=0.02, excess_margin=0.05,
                                     excess_q=[0.001] + [1.0] * (n - 1), excess_label=labels)
    summary = beyond_fc_summary(results)
    assert summary["n_beyond"] == 1 and summary["n_synergy"] == 1 and summary["n_tested"] == n
    assert summary["sets"][0]["names"] == [str(m) for m in results["set"].iloc[0]]
    assert summary["sentence"].startswith(f"1 of {n} tested sets shows structure beyond functional connectivity")
    text = " ".join(render_report_html(replace(context, results=results)).split())
    o_info_sentence = summary_sentence(results)["sentence"][:20]
    assert text.index("shows structure beyond functional connectivity") < text.index(o_info_sentence)
    # the beyond-FC maps and graphs sit in its subsection, before the O-information findings
    assert (text.index("shows structure beyond functional connectivity") < text.index("Region synergy beyond FC")
            < text.index("Synergy beyond FC graph") < text.index(o_info_sentence))
    # no FMMI, no excess columns: no beyond-FC sentence (the template shows it only when there is one)
    assert beyond_fc_summary(context.results) is None
    # a table with none labelled says so
    none = beyond_fc_summary(results.assign(excess_label=""))
    assert none["n_beyond"] == 0 and none["sentence"].startswith(f"No set of {n} tested shows structure beyond")


def _beyond_fc_results(results: pd.DataFrame, labels: list[str]) -> pd.DataFrame:
    n = len(results)
    excess = [0.0] * n
    excess[4], excess[5] = -0.4, -0.3  # two sets labelled synergy beyond FC (not nested: two families)
    return results.assign(excess=excess, excess_se=0.05, excess_margin=0.05, excess_q=0.001,
                          excess_label=labels)


def test_beyond_fc_subsection_draws_maps_and_graphs_of_labelled_sets_only():
    from fmri_oinfo.report.sections import beyond_fc_section

    context = example_context(label_image=False, interactive=False)
    n = len(context.results)
    labels = [""] * n
    labels[4] = labels[5] = "synergy beyond FC"
    results = _beyond_fc_results(context.results, labels)
    section = beyond_fc_section(context, results, context.regions, placed=True)
    assert [item["title"] for item in section["figures"]] == ["Region synergy beyond FC", "Synergy beyond FC graph"]
    assert all(item["uri"].startswith("data:image/png") for item in section["figures"]) and not section["skipped"]
    assert section["n_families"] == 2
    # nothing labelled beyond FC: no figure, and the report says that no map was written
    none = beyond_fc_section(context, results.assign(excess_label=""), context.regions, placed=True)
    assert none["figures"] == [] and none["skipped"].startswith("no beyond-FC map or graph was written")
    # no coordinates and no label image: said, not drawn
    unplaced = beyond_fc_section(context, results, context.regions, placed=False)
    assert unplaced["figures"] == [] and "not drawn" in unplaced["skipped"]


def test_nested_beyond_fc_sets_are_one_finding_in_the_sentence():
    context = example_context(label_image=False, interactive=False)
    results = context.results.copy()
    results.loc[5, "set"] = ("R_SMA", "L_M1")  # not a real row shape, only containment matters: inside row 4
    labels = [""] * len(results)
    labels[4] = labels[5] = "synergy beyond FC"
    summary = beyond_fc_summary(_beyond_fc_results(results, labels))
    assert summary["n_beyond"] == 2 and summary["n_families"] == 1
    assert "(2 synergy; 1 finding: a set and its nested sets with the same label count once)" in summary["sentence"]
