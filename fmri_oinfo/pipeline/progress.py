"""Progress of the statistics stage: a bar fed by :func:`fmri_oinfo.stats.assess_sets`'s ``progress`` callback.

The estimator's refits on stacked surrogates and resamples call
``progress(n)`` with the sets each one scored; the closed-form route of the
surrogate test gathers every surrogate at once from lagged correlations and
calls it only for the data.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from tqdm import tqdm


@contextmanager
def progress_bar(enabled: bool) -> Iterator[Callable[[int], None]]:
    """A ``progress(n)`` callback advancing a bar of scored sets on stderr (shown when ``enabled``), closed after."""
    bar = tqdm(desc="  statistics", unit="set", disable=not enabled, file=sys.stderr, leave=False)
    try:
        yield bar.update
    finally:
        bar.close()
