"""Local worker processes ignore Ctrl-C, so that only the command stops and closes them in order."""

from __future__ import annotations

import signal
import subprocess
import sys

from fmri_oinfo.group.cluster import _deaf_to_ctrl_c

SHOW_SIGINT = "import signal; print(signal.getsignal(signal.SIGINT) is signal.SIG_IGN)"


def _child_sigint() -> str:
    return subprocess.run([sys.executable, "-c", SHOW_SIGINT], capture_output=True, text=True,
                          check=True).stdout.strip()


def test_processes_started_inside_ignore_ctrl_c_and_this_one_does_not():
    handler = signal.getsignal(signal.SIGINT)
    with _deaf_to_ctrl_c(processes=True):
        assert _child_sigint() == "True"
    assert signal.getsignal(signal.SIGINT) is handler
    assert _child_sigint() == "False"
    with _deaf_to_ctrl_c(processes=False):  # threads: nothing to protect, nothing changed
        assert signal.getsignal(signal.SIGINT) is handler
