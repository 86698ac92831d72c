"""Shared test settings: keep every side effect inside temporary folders."""

from __future__ import annotations

import os
import tempfile

# Matplotlib writes a font cache: keep it out of the home folder, and draw off-screen.
os.environ.setdefault("MPLCONFIGDIR", tempfile.mkdtemp(prefix="fmri-oinfo-mpl-"))
os.environ.setdefault("MPLBACKEND", "Agg")
