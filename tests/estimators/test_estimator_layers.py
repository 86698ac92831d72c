"""One estimator abstraction: the contract outside ``estimators/``, the computing cores inside; the engine stays pure."""

import ast
from pathlib import Path

import numpy as np
import pytest

import fmri_oinfo
import fmri_oinfo.engine as engine
from fmri_oinfo.estimators import ESTIMATORS, CopulaOInfo, FMMIOInfo, estimator_from_name
from fmri_oinfo.estimators.gaussian import GaussianEstimator
from fmri_oinfo.measures import measures_from_tc, subset_plan

PACKAGE = Path(fmri_oinfo.__file__).parent


def imported_packages(source: Path) -> set[str]:
    tree = ast.parse(source.read_text())
    names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    names |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    return names


def imported_names(source: Path) -> set[str]:
    tree = ast.parse(source.read_text())
    return {alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) for alias in node.names}


def test_engine_imports_neither_estimators_nor_pandas():
    for source in sorted(Path(engine.__file__).parent.rglob("*.py")):
        for name in imported_packages(source):
            assert not name.startswith("fmri_oinfo.estimators"), source
            assert name.split(".")[0] not in ("pandas", "nibabel", "nilearn"), source


def test_only_the_estimators_package_builds_a_computing_core():
    """Outside ``estimators/`` an estimator is a contract object; the cores are its internals."""
    cores = {"GaussianEstimator", "FMMIEstimator", "Estimator", "make_estimator", "REGISTRY"}
    for source in sorted(PACKAGE.rglob("*.py")):
        if source.parent.name == "estimators":
            continue
        assert not imported_names(source) & cores, source


def test_estimator_from_name_builds_every_estimator():
    assert ESTIMATORS == ("gaussian", "gaussian-copula", "fmmi")
    assert type(estimator_from_name("gaussian-copula")) is CopulaOInfo
    assert type(estimator_from_name("fmmi")) is FMMIOInfo
    with pytest.raises(ValueError, match="estimator='knn' is not known"):
        estimator_from_name("knn")


@pytest.mark.parametrize("name, typo, valid", [("gaussian-copula", "bias_corection", "bias_correction"),
                                                ("fmmi", "stepz", "steps")])
def test_an_option_typo_is_a_value_error_listing_the_valid_options(name, typo, valid):
    """The docstrings promise a ValueError; the constructor's TypeError named no valid option."""
    with pytest.raises(ValueError, match=rf"estimator='{name}' has no option\(s\) \['{typo}'\].*'{valid}'"):
        estimator_from_name(name, **{typo: 1})


def test_gaussian_measures_follow_the_plan():
    x = np.random.default_rng(0).standard_normal((500, 5))
    groups = np.array([[0, 1, 2], [2, 3, 4]])
    plan = subset_plan(3, gradient=True)
    estimator = GaussianEstimator(device="cpu").fit(x)
    got = estimator.measures(groups, plan)
    want = measures_from_tc(estimator.total_correlations(groups, plan).tc, plan)
    np.testing.assert_allclose(got.values[:, 2], want["o_info"])
    np.testing.assert_allclose(got.values[:, 4:], want["gradient"])
    assert got.standard_error is None


@pytest.mark.parametrize("name", ESTIMATORS)
def test_measures_before_fit_is_a_not_fitted_error(name):
    from fmri_oinfo.exceptions import NotFittedError

    with pytest.raises(NotFittedError, match="is not fitted yet; call its fit"):
        estimator_from_name(name, device="cpu").measures([(0, 1, 2)])


def test_the_closed_forms_array_level_before_fit_is_a_not_fitted_error():
    from fmri_oinfo.exceptions import NotFittedError

    estimator = CopulaOInfo(device="cpu")
    with pytest.raises(NotFittedError, match="is not fitted yet"):
        estimator.total_correlations(np.array([[0, 1, 2]]), subset_plan(3))
    with pytest.raises(NotFittedError, match="is not fitted yet"):
        next(estimator.iter_exhaustive(3))
    with pytest.raises(NotFittedError, match="is not fitted yet"):
        estimator.correlation()


def test_the_estimators_import_the_statistics_only_when_a_null_or_resample_runs():
    """``stats`` imports the estimators; the estimators' ``null``/``resample`` import ``stats`` inside the method
    (docs/architecture.md), so no module of ``estimators/`` names ``fmri_oinfo.stats`` at import time."""
    for source in sorted((PACKAGE / "estimators").glob("*.py")):
        tree = ast.parse(source.read_text())
        top = {node.module or "" for node in tree.body if isinstance(node, ast.ImportFrom)}
        top |= {alias.name for node in tree.body if isinstance(node, ast.Import) for alias in node.names}
        assert not any(name.startswith("fmri_oinfo.stats") for name in top), source
