"""Shared test settings: keep every side effect inside temporary folders."""

from __future__ import annotations

import os
import tempfile

# Matplotlib writes a font cache: keep it out of the home folder (and remove it
# after the run), and draw off-screen.
if "MPLCONFIGDIR" not in os.environ:
    _matplotlib_cache = tempfile.TemporaryDirectory(prefix="fmri-oinfo-mpl-")
    os.environ["MPLCONFIGDIR"] = _matplotlib_cache.name
os.environ.setdefault("MPLBACKEND", "Agg")
