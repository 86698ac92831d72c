"""The bad-input corpus: each case gets one clear message naming the file or key and the fix,
exit status 1 and no output written (every input is generated here)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fmri_oinfo import estimate_mi, estimate_oinfo, iter_oinfo
from fmri_oinfo.pipeline.cli import main as subject_command

#: Settings that keep a run that gets that far short (the cases below fail before it starts).
FAST = ["--config", "fast", "--device", "cpu"]


def _table(path: Path, n_rows: int = 120, n_columns: int = 6, seed: int = 0) -> Path:
    values = np.random.default_rng(seed).standard_normal((n_rows, n_columns))
    pd.DataFrame(values, columns=[f"R{j}" for j in range(n_columns)]).to_csv(path, sep="\t", index=False)
    return path


def _refused(capsys, argv: list[str], out: Path, *fragments: str) -> str:
    """Run the subject command; check exit 1, every fragment in the one error line, and nothing written."""
    code = subject_command([*argv, "--out", str(out), *FAST])
    error = capsys.readouterr().err
    assert code == 1, error
    lines = [line for line in error.splitlines() if line.startswith("fmri-oinfo: error:")]
    assert len(lines) == 1, error
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    assert not out.exists() or not any(out.iterdir()), sorted(out.rglob("*"))
    return lines[0]


def test_transposed_table(tmp_path, capsys):
    table = _table(tmp_path / "sub-01_timeseries.tsv", n_rows=6, n_columns=300)
    _refused(capsys, [str(table)], tmp_path / "out", "sub-01_timeseries.tsv", "6 rows and 300 columns",
             "looks transposed", "(time points, regions)")


def test_table_shorter_than_min_volumes(tmp_path, capsys):
    table = _table(tmp_path / "sub-01_timeseries.tsv", n_rows=40, n_columns=6)
    _refused(capsys, [str(table)], tmp_path / "out", "sub-01_timeseries.tsv", "40 rows", "at least 50",
             "min_volumes")


@pytest.mark.parametrize(
    "n_rows, n_columns, fragments",
    [
        (0, 6, ("is empty", "a header of 6 region name(s) but no rows", "at least 50")),
        (4, 6, ("has 4 rows (time points)", "at least 50 (inputs.min_volumes)")),
        (5, 6, ("has 5 rows (time points)", "at least 50 (inputs.min_volumes)")),
    ],
)
def test_empty_or_short_table_is_not_called_transposed(tmp_path, capsys, n_rows, n_columns, fragments):
    table = _table(tmp_path / "sub-01_timeseries.tsv", n_rows=n_rows, n_columns=n_columns)
    line = _refused(capsys, [str(table)], tmp_path / "out", "sub-01_timeseries.tsv", *fragments)
    assert "transposed" not in line


def test_a_file_with_nothing_in_it(tmp_path, capsys):
    table = tmp_path / "sub-01_timeseries.tsv"
    table.write_text("")
    _refused(capsys, [str(table)], tmp_path / "out", "sub-01_timeseries.tsv is empty", "header row of region names")


@pytest.mark.parametrize("n_columns", [1, 2])
def test_a_table_with_fewer_than_three_regions(tmp_path, capsys, n_columns):
    """A one-column table was told to give 'orders from 3 to 1'."""
    table = _table(tmp_path / "sub-01_timeseries.tsv", n_rows=120, n_columns=n_columns)
    line = _refused(capsys, [str(table)], tmp_path / "out", "sub-01_timeseries.tsv",
                    f"O-information needs at least 3 regions and the table has {n_columns}")
    assert "orders from 3" not in line


@pytest.mark.parametrize("suffix, separator", [(".tsv", "\t"), (".csv", ",")])
def test_duplicate_region_names_in_a_table(tmp_path, capsys, suffix, separator):
    path = tmp_path / f"sub-01_timeseries{suffix}"
    values = np.random.default_rng(0).standard_normal((120, 4))
    header = separator.join(["R1", "R2", "R1", "R3"])
    body = "\n".join(separator.join(f"{v:.6f}" for v in row) for row in values)
    path.write_text(header + "\n" + body + "\n")
    _refused(capsys, [str(path)], tmp_path / "out", path.name, "repeats the region name(s) ['R1']", "unique name")


def test_comma_separated_table_named_tsv(tmp_path, capsys):
    path = tmp_path / "sub-01_timeseries.tsv"
    pd.DataFrame(np.random.default_rng(0).standard_normal((120, 4)), columns=list("ABCD")).to_csv(path, index=False)
    _refused(capsys, [str(path)], tmp_path / "out", path.name, "comma-separated", "rename it .csv")


def test_a_subject_folder_holding_a_table_is_read_like_the_group_command(tmp_path, capsys):
    folder = tmp_path / "sub-07"
    folder.mkdir()
    _table(folder / "sub-07_timeseries.tsv", n_rows=6, n_columns=300)  # found, then refused as transposed
    _refused(capsys, [str(folder)], tmp_path / "out", "sub-07_timeseries.tsv", "looks transposed")


def test_order_beyond_what_the_screen_can_score(tmp_path, capsys):
    table = _table(tmp_path / "sub-01_timeseries.tsv", n_rows=200, n_columns=120)
    _refused(capsys, [str(table), "--orders", "50"], tmp_path / "out", "candidates.orders has 50",
             "candidates.max_screened", "max_order")


def test_output_folder_that_is_a_file(tmp_path, capsys):
    table = _table(tmp_path / "sub-01_timeseries.tsv")
    out = tmp_path / "results"
    out.write_text("not a folder")
    code = subject_command([str(table), "--out", str(out), *FAST])
    error = capsys.readouterr().err
    assert code == 1 and "--out" in error and "is a file; give a folder" in error
    assert out.read_text() == "not a folder"


def test_output_folder_below_a_file(tmp_path, capsys):
    table = _table(tmp_path / "sub-01_timeseries.tsv")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code = subject_command([str(table), "--out", str(blocker / "sub-01"), *FAST])
    error = capsys.readouterr().err
    assert code == 1 and "cannot be written" in error and "give a folder you can write to" in error


def test_unknown_config_key_and_binary_config(tmp_path, capsys):
    table = _table(tmp_path / "sub-01_timeseries.tsv")
    config = tmp_path / "mine.toml"
    config.write_text("[statistics]\nn_surogates = 9\n")
    code = subject_command([str(table), "--out", str(tmp_path / "out"), "--config", str(config)])
    error = capsys.readouterr().err
    assert code == 1 and "unknown key statistics.n_surogates (did you mean n_surrogates" in error
    config.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    code = subject_command([str(table), "--out", str(tmp_path / "out"), "--config", str(config)])
    error = capsys.readouterr().err
    assert code == 1 and "mine.toml is not a text file" in error
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("relative", [False, True])
def test_config_that_is_a_folder(tmp_path, capsys, monkeypatch, relative):
    """A folder was reported as a config file that 'does not exist' (a bare name, as pipelines/<name>.toml)."""
    table = _table(tmp_path / "sub-01_timeseries.tsv")
    (tmp_path / "settings").mkdir()
    monkeypatch.chdir(tmp_path)
    config = "settings" if relative else str(tmp_path / "settings")
    code = subject_command([str(table), "--out", str(tmp_path / "out"), "--config", config])
    error = capsys.readouterr().err
    assert code == 1
    assert f"config file {config} is a folder; give a TOML file" in error and "does not exist" not in error
    assert not (tmp_path / "out").exists()


def test_the_bold_image_given_as_atlas(fmriprep_subject, tmp_path, capsys):
    bold = next(fmriprep_subject.rglob("*space-MNI152NLin2009cAsym_desc-preproc_bold.nii.gz"))
    _refused(capsys, [str(fmriprep_subject), "--atlas", str(bold), "--space", "MNI152NLin2009cAsym"],
             tmp_path / "out", "extraction.atlas", "the subject's BOLD image")


def test_an_all_zero_image(fmriprep_subject, tmp_path, capsys):
    import nibabel as nib

    bold = next(fmriprep_subject.rglob("*space-MNI152NLin2009cAsym_desc-preproc_bold.nii.gz"))
    image = nib.load(bold)
    nib.save(nib.Nifti1Image(np.zeros(image.shape, np.float32), image.affine, image.header), bold)
    _refused(capsys, [str(fmriprep_subject), "--space", "MNI152NLin2009cAsym"], tmp_path / "out",
             bold.name, "is all zero", "holds no fMRI signal")


@pytest.mark.parametrize(
    "edit, fragments",
    [
        (lambda t: t.assign(csf=["n/a"] * 3 + ["0.1"] * (len(t) - 3)), ("column 'csf'", "row 2", "only the first row")),
        (lambda t: t.assign(white_matter=["high"] + ["0.1"] * (len(t) - 1)), ("column 'white_matter'", "'high'",
                                                                              "not a number")),
    ],
)
def test_confounds_with_gaps_or_text(fmriprep_subject, tmp_path, capsys, edit, fragments):
    confounds = next(fmriprep_subject.rglob("*_desc-confounds_timeseries.tsv"))
    table = pd.read_csv(confounds, sep="\t", dtype=str)
    edit(table).to_csv(confounds, sep="\t", index=False)
    _refused(capsys, [str(fmriprep_subject), "--space", "MNI152NLin2009cAsym"], tmp_path / "out",
             confounds.name, *fragments)


def test_a_repetition_time_in_milliseconds_is_named_as_such(fmriprep_subject, tmp_path, capsys):
    """RepetitionTime 720 (ms for 0.72 s) was blamed on extraction.low_pass (above the Nyquist frequency)."""
    sidecar = next(fmriprep_subject.rglob("*space-MNI152NLin2009cAsym_desc-preproc_bold.json"))
    sidecar.write_text(json.dumps({"RepetitionTime": 720}))
    line = _refused(capsys, [str(fmriprep_subject), "--space", "MNI152NLin2009cAsym"], tmp_path / "out",
                    sidecar.name, "720 s", "looks like milliseconds", "give it in seconds: 0.72")
    assert "low_pass" not in line


def test_comma_separated_confounds(fmriprep_subject, tmp_path, capsys):
    confounds = next(fmriprep_subject.rglob("*_desc-confounds_timeseries.tsv"))
    pd.read_csv(confounds, sep="\t").to_csv(confounds, index=False)
    _refused(capsys, [str(fmriprep_subject), "--space", "MNI152NLin2009cAsym"], tmp_path / "out",
             confounds.name, "comma-separated", "tab")


def test_huge_values_are_estimated_as_their_rescaled_copy():
    """Values near 1e300 overflow a covariance; the estimate must equal that of the same data at unit scale."""
    x = np.random.default_rng(0).standard_normal((500, 4))
    x[:, 3] = x[:, 0] + x[:, 1] + 0.5 * x[:, 3]
    sets = [(0, 1, 3), (0, 1, 2)]
    reference = estimate_oinfo(x, sets)
    for scale in (1e300, 1e-300):
        scaled = estimate_oinfo(x * scale, sets)
        np.testing.assert_allclose(scaled["o_info"], reference["o_info"], rtol=1e-12)


@pytest.mark.parametrize("estimator", ["gaussian", "gaussian-copula"])
def test_a_region_that_is_the_sum_of_two_others(estimator):
    """Its sets' TC is infinite and O-information undefined, with a warning naming which region is which
    combination (the closed form gave a finite O of -16.96 with no warning); other sets are untouched."""
    x = np.random.default_rng(0).standard_normal((300, 4))
    x[:, 2] = x[:, 0] + x[:, 1] if estimator == "gaussian" else x[:, 0]  # ranks: a sum is not degenerate
    data = pd.DataFrame(x, columns=["R0", "R1", "R2", "R3"])
    note = "'R2' is a linear combination of 'R0', 'R1'" if estimator == "gaussian" else "'R2' is a copy"
    with pytest.warns(RuntimeWarning, match=rf"2 set\(s\) hold regions that are exact functions of each other "
                                            rf"\(set \('R0', 'R1', 'R2'\): {note}.*Drop or merge"):
        table = estimate_oinfo(data, [("R0", "R1", "R2"), ("R0", "R1", "R2", "R3"), ("R0", "R1", "R3")],
                               estimator=estimator)
    assert (table["tc"][:2] == np.inf).all() and not np.isfinite(table["o_info"][:2]).any()
    np.testing.assert_allclose(table["o_info"][2], estimate_oinfo(data, [("R0", "R1", "R3")],
                                                                  estimator=estimator)["o_info"][0])


def test_a_duplicated_region_with_fmmi_is_refused_before_fitting():
    """The subject model regresses regions on each other: a raw torch _LinAlgError (or, with smooth
    marginals, a finite meaningless value); now the closed forms' explanation, before any training."""
    x = np.random.default_rng(0).standard_normal((120, 4))
    x[:, 3] = 2.0 * x[:, 0]
    data = pd.DataFrame(x, columns=["R0", "R1", "R2", "R3"])
    with pytest.raises(ValueError, match=r"set \('R0', 'R1', 'R3'\): 'R3' is a copy \(up to scale\) of 'R0'\).*"
                                         "cannot score such a set"):
        estimate_oinfo(data, [("R0", "R1", "R2"), ("R0", "R1", "R3")], estimator="fmmi", device="cpu",
                       marginals="copula", steps=1, eval_every=1, min_steps=0, folds=2, ensemble=1)
    with pytest.raises(ValueError, match=r"set \('R0', 'R3'\): 'R3' is a copy \(up to scale\) of 'R0'"):
        next(iter_oinfo(data, 3, estimator="fmmi", device="cpu", steps=1, eval_every=1, min_steps=0, folds=2,
                        ensemble=1))  # any set may be asked: copied pairs are refused


def test_a_region_that_is_the_sum_of_two_others_in_the_command(tmp_path, capsys):
    values = np.random.default_rng(0).standard_normal((120, 5))
    values[:, 2] = values[:, 0] + values[:, 1]
    table = tmp_path / "sub-01_timeseries.tsv"
    pd.DataFrame(values, columns=[f"R{j}" for j in range(5)]).to_csv(table, sep="\t", index=False)
    code = subject_command([str(table), "--out", str(tmp_path / "out"), *FAST, "--quiet"])
    error = capsys.readouterr().err
    assert code == 0, error
    assert "'R2' is a linear combination of 'R0', 'R1'" in error
    result = pd.read_csv(next((tmp_path / "out").glob("*_oinfo.tsv")), sep="\t", keep_default_na=False)
    dependent = result["set"].map(lambda s: all(f'"R{j}"' in s for j in range(3)))
    assert dependent.any() and (result.loc[dependent, "label"] == "n.s.").all(), result.loc[dependent]
    assert (result.loc[dependent, "o_info"].isin(["n/a", "-inf", "inf"])).all(), result.loc[dependent, "o_info"]


def test_mutual_information_of_a_block_with_itself():
    x = np.random.default_rng(0).standard_normal(300)
    with pytest.raises(ValueError, match="exact linear functions of each other"):
        estimate_mi(x, x)


@pytest.mark.parametrize("x_columns, y_columns, named", [(0, 1, "x"), (2, 0, "y")])
def test_mutual_information_of_an_empty_block(x_columns, y_columns, named):
    """A (T, 0) block crashed inside numpy's eigvalsh; it must be named."""
    values = np.random.default_rng(0).standard_normal((300, 3))
    with pytest.raises(ValueError, match=rf"{named} has shape \(300, 0\); .*at least one sample and one column"):
        estimate_mi(values[:, :x_columns], values[:, 2:2 + y_columns])


def test_warnings_reach_the_terminal_once_and_the_provenance(tmp_path, capsys):
    """A region table has no atlas image: the maps are skipped with a warning, shown once and recorded."""
    table = _table(tmp_path / "sub-01_timeseries.tsv", n_rows=120, n_columns=5)
    out = tmp_path / "out"
    code = subject_command([str(table), "--out", str(out), "--config", "fast", "--quiet"])
    error = capsys.readouterr().err
    assert code == 0, error
    assert error.count("NIfTI maps need an atlas label image") == 1
    provenance = json.loads(next(out.glob("*_provenance.json")).read_text())
    assert any("NIfTI maps need an atlas label image" in w for w in provenance["warnings"])
