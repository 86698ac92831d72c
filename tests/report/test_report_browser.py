"""Open the report in headless Chromium: no script errors, sections rendered, a screenshot.

Skipped where Chromium is not installed (Debian: ``apt-get install chromium``).
"""

from __future__ import annotations

import shutil
import subprocess

import pytest

from fmri_oinfo.report.render import SUBJECT_SECTIONS

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")


def test_report_renders_in_chromium_without_console_errors(rendered_report, tmp_path):
    screenshot = tmp_path / "report.png"
    completed = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr", "--v=0",
         "--window-size=1280,2000", "--virtual-time-budget=5000", f"--screenshot={screenshot}",
         "--dump-dom", rendered_report.as_uri()],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    console = [line for line in completed.stderr.splitlines() if ":CONSOLE" in line]
    errors = [line for line in console if "Uncaught" in line or "Failed to load resource" in line]
    assert errors == []
    dom = completed.stdout
    for anchor, heading in SUBJECT_SECTIONS:
        assert f'id="{anchor}"' in dom
        assert heading in dom
    assert dom.count("<iframe") == 2
    image = screenshot.read_bytes()
    assert image[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(image) > 50_000  # a blank page is a few kB
