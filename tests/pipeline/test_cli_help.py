"""``--version`` and the defaults that ``--help`` shows, for the subject and group commands."""

from __future__ import annotations

import re

import pytest

from fmri_oinfo.group.cli import build_parser as group_parser
from fmri_oinfo.group.config import GroupConfig
from fmri_oinfo.pipeline.cli import build_parser
from fmri_oinfo.pipeline.config import load_config
from fmri_oinfo.version import __version__


def _help_defaults(parser) -> dict[str, str]:
    """``{--option: shown default}`` of every option whose help names a default."""
    shown = {}
    for action in parser._actions:
        match = re.search(r"\(default: ([^)]*)\)", action.help or "")
        if match and action.option_strings:
            shown[action.option_strings[-1]] = match.group(1)
    return shown


@pytest.mark.parametrize("parser", [build_parser(), group_parser()])
def test_version_prints_the_package_version(parser, capsys):
    with pytest.raises(SystemExit) as stop:
        parser.parse_args(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.split() == ["fmri-oinfo", __version__]


def test_help_shows_the_defaults_a_run_takes():
    """Each default shown is the value that a run without the option uses (the configuration's own)."""
    config = load_config(None)
    shown = _help_defaults(build_parser())
    expected = {
        "--atlas": config.extraction.atlas,
        "--orders": ",".join(str(o) for o in config.candidates.orders),
        "--estimator": config.estimation.estimator,
        "--device": config.estimation.device,
        "--seed": str(config.estimation.seed),
        "--confounds": config.extraction.confounds,
    }
    assert {key: shown[key] for key in expected} == expected
    # settings that are "off" by default say what happens instead of showing 0 or ""
    assert shown["--t-r"] == "read from the files" and config.inputs.t_r == 0
    assert shown["--task"] == "any" and config.inputs.task == ""
    documented = {a.option_strings[-1] for a in build_parser()._actions
                  if a.option_strings and a.dest not in ("help", "version", "verbose", "quiet", "out")}
    assert documented <= set(shown) | {"--out"}, documented - set(shown)


def test_group_help_shows_the_group_defaults():
    shown = _help_defaults(group_parser())
    assert shown["--candidate-source"].startswith(GroupConfig().candidate_source)
    for option in ("--participants", "--out", "--workers", "--subjects", "--config", "--scheduler"):
        assert option in shown, option
