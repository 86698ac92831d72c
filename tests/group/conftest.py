"""Fast group-study settings: a pipeline configuration with the Gaussian estimator and a [group] table."""

from __future__ import annotations

from pathlib import Path

import pytest

#: Every triplet (pre-specified: tested on the whole run), Gaussian estimator, 99 per-subject surrogates
#: (the baselines), no per-subject maps/graphs/report.
FAST_STUDY_TOML = """
[candidates]
strategies = ["exhaustive"]
orders = [3]
[estimation]
estimator = "gaussian"
fmmi_column = false
device = "cpu"
[statistics]
n_surrogates = 99
n_bootstrap = 0
[outputs]
maps = false
graphs = false
report = false
[group]
n_permutations = 1999
"""


@pytest.fixture()
def config_file(tmp_path: Path) -> Path:
    """A group configuration file with :data:`FAST_STUDY_TOML`."""
    path = tmp_path / "study.toml"
    path.write_text(FAST_STUDY_TOML)
    return path
