"""The summary sentence and set rows read the result table and its attrs, and never recompute them."""

from __future__ import annotations

import pandas as pd
import pytest

from fmri_oinfo.report.example import example_regions, example_results
from fmri_oinfo.report.findings import chosen_by_tags, labelled_sets, set_rows, summary_sentence


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
