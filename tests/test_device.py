"""An FMMI fit prints none of torch's own ``torch.jit.script`` deprecation warnings."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

#: The smallest FMMI fit (a few training steps): its first torch.func.jvp loads torch's forward-mode decompositions.
TINY_FIT = """
import numpy as np
from fmri_oinfo.api import estimate_oinfo
x = np.random.default_rng(0).standard_normal((120, 3))
table = estimate_oinfo(x, [(0, 1, 2)], estimator="fmmi", device="cpu", steps=5, width=8, context_dim=8,
                       batch_size=32, folds=2, ensemble=1)
print(np.isfinite(table["o_info"]).all())
"""


def test_an_fmmi_fit_shows_no_torch_jit_deprecation():
    # a fresh process, every warning shown (-W default): pytest's own warning filters would hide the point
    done = subprocess.run([sys.executable, "-W", "default", "-c", TINY_FIT], cwd=REPO, capture_output=True,
                          text=True, check=True)
    assert done.stdout.strip() == "True"
    assert "torch.jit.script" not in done.stderr
