"""An installed wheel carries its atlases and pipeline configurations, wherever pip puts it.

The wheel is built from this checkout (with the build backend already
installed: nothing is downloaded) and installed with ``--target`` into a
temporary folder; the commands then run from there, outside the source tree.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _run(args: list[str], cwd: Path, env: dict[str, str], timeout: float = 900) -> subprocess.CompletedProcess:
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    assert done.returncode == 0, f"{args} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
    return done


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """A wheel built from this checkout."""
    pytest.importorskip("setuptools", minversion="69")
    folder = tmp_path_factory.mktemp("wheel")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    _run([sys.executable, "-m", "pip", "wheel", "--no-build-isolation", "--no-deps", "-q", "-w", str(folder),
          str(REPO)], folder, env)
    [built] = folder.glob("fmri_oinfo-*.whl")
    return built


def _site_packages(prefix: Path) -> Path:
    return prefix / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"


def _install(wheel: Path, folder: Path, mode: str) -> dict[str, str]:
    """Install ``wheel`` with pip's ``--target``, ``--user`` (in a private user base) or ``--prefix``;
    returns the environment that imports it from there, outside the source tree."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.setdefault("MPLCONFIGDIR", str(folder / "mpl"))
    where = folder / mode
    if mode == "target":
        options, env["PYTHONPATH"] = ["--target", str(where)], str(where)
    elif mode == "user":  # a private user base, so that nothing lands in this machine's real user site
        import site

        if not site.ENABLE_USER_SITE:
            pytest.skip("this interpreter has no user site (a virtual environment without system packages)")
        env["PYTHONUSERBASE"] = str(where)
        options = ["--user"]
        env["PYTHONPATH"] = str(_site_packages(where))  # ahead of an editable install of the checkout
    else:
        options, env["PYTHONPATH"] = ["--prefix", str(where)], str(_site_packages(where))
    # --ignore-installed: an editable install of this checkout in a virtual environment would otherwise make
    # pip refuse a user install ("will lack sys.path precedence")
    _run([sys.executable, "-m", "pip", "install", "--no-deps", "--ignore-installed", "--no-warn-script-location", "-q",
          *options, str(wheel)], folder, env)
    return env


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """The package installed from the wheel with ``pip install --target``, and the environment to use it."""
    folder = tmp_path_factory.mktemp("install")
    return folder, _install(wheel, folder, "target")


@pytest.mark.parametrize("mode", ["target", "user", "prefix"])
def test_the_wheel_ships_atlases_and_configurations(wheel, tmp_path, mode):
    import json

    env = _install(wheel, tmp_path, mode)
    code = (
        "import fmri_oinfo, json\n"
        "from fmri_oinfo.resources import data_folder\n"
        "from fmri_oinfo.atlases import list_atlases\n"
        "from fmri_oinfo.pipeline.config import load_config, shipped_configs, PipelineConfig\n"
        "print(json.dumps({'package': fmri_oinfo.__file__, 'atlases': str(data_folder('atlases')),\n"
        "  'names': sorted(list_atlases()['name']), 'configs': shipped_configs(),\n"
        "  'default': load_config() == PipelineConfig() == load_config('default'),\n"
        "  'fast': load_config('fast').estimation.estimator}))\n"
    )
    found = json.loads(_run([sys.executable, "-c", code], tmp_path, env).stdout)
    where = str(tmp_path / mode)
    assert found["package"].startswith(where) and found["atlases"].startswith(where)  # not the source tree
    assert "seitzman2018" in found["names"] and len(found["names"]) == 6
    assert found["configs"] == ["default", "fast", "thorough"]
    assert found["default"] and found["fast"] == "gaussian"
    if mode == "target":
        help_text = _run([sys.executable, "-m", "fmri_oinfo.pipeline", "--help"], tmp_path, env).stdout
        assert "usage: fmri-oinfo" in help_text


@pytest.mark.slow
def test_the_installed_wheel_runs_the_demo_with_the_default_atlas_and_configuration(installed):
    folder, env = installed
    _run([sys.executable, "-m", "fmri_oinfo.demo", "demo_data"], folder, env)
    _run([sys.executable, "-m", "fmri_oinfo.pipeline", "demo_data/sub-01", "--out", "out/sub-01", "--quiet"],
         folder, env, timeout=1800)
    results = list((folder / "out" / "sub-01").glob("sub-01_*atlas-seitzman2018_oinfo.tsv"))
    assert len(results) == 1 and (folder / "out" / "sub-01" / "sub-01_report.html").is_file()
    assert (folder / "out" / "dataset_description.json").is_file()


def test_pyproject_lists_every_package_of_the_source_tree():
    import tomllib

    listed = set(tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(REPO).parts) for p in (REPO / "fmri_oinfo").rglob("__init__.py")}
    assert found <= listed, f"add {sorted(found - listed)} to [tool.setuptools] packages in pyproject.toml"
