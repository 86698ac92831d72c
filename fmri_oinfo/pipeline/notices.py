"""The warnings of a run, collected once each, shown on the terminal and kept for the outputs.

Inside :func:`collect_warnings`, every Python warning (``warnings.warn``, from
this package or a library) and every log record of level WARNING or above
from the package's loggers is kept once, in the order it first came, and
still reaches the terminal: Python warnings are logged through the logger
``fmri_oinfo.warnings`` (so they land where the package's log goes, and
never inside a progress bar when the command line writes its log through
tqdm), and when nobody has configured logging a stderr handler is added for
the duration.  The subject pipeline writes the list to its provenance file
and its report; the group command prints each warning once for the study.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import threading
import warnings
from collections.abc import Iterator

#: Logger that Python warnings are re-issued on.
WARNINGS_LOGGER = "fmri_oinfo.warnings"

_PACKAGE = logging.getLogger("fmri_oinfo")


class _Collector(logging.Handler):
    """Keeps the text of WARNING+ records of one thread, once each."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__(logging.WARNING)
        self.thread = threading.get_ident()
        self.messages = messages

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread != self.thread:
            return
        text = record.getMessage().strip()
        if text and text not in self.messages:
            self.messages.append(text)


def _has_output(logger: logging.Logger) -> bool:
    """Whether records of ``logger`` reach a handler (other than the last resort)."""
    current: logging.Logger | None = logger
    while current is not None:
        if current.handlers:
            return True
        current = current.parent if current.propagate else None
    return False


def warning_text(message: Warning | str, category: type[Warning]) -> str:
    """A Python warning as one line: the message, with its category unless it is a plain UserWarning."""
    text = " ".join(str(message).split())
    return text if category is UserWarning else f"{category.__name__}: {text}"


@contextlib.contextmanager
def collect_warnings() -> Iterator[list[str]]:
    """Collect the warnings emitted inside, once each, while still showing them.

    Yields
    ------
    list of str
        Filled as warnings come: one line per distinct warning.

    Notes
    -----
    Python's own once-per-location memory is reset inside (each run shows its
    warnings again, also in a worker process that runs many subjects); the
    filters in force (for example ``ignore`` of DeprecationWarning) apply.
    """
    messages: list[str] = []
    collector = _Collector(messages)
    terminal = None if _has_output(_PACKAGE) else logging.StreamHandler(sys.stderr)
    reissue = logging.getLogger(WARNINGS_LOGGER)
    shown: set[str] = set()

    def show(message, category, filename, lineno, file=None, line=None) -> None:  # noqa: ANN001
        text = warning_text(message, category)
        if text not in shown:
            shown.add(text)
            reissue.warning("%s", text)

    _PACKAGE.addHandler(collector)
    if terminal is not None:
        terminal.setLevel(logging.WARNING)
        _PACKAGE.addHandler(terminal)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("default", append=True)  # changes no decision; resets the once-per-location memory
            warnings.showwarning = show
            yield messages
    finally:
        _PACKAGE.removeHandler(collector)
        if terminal is not None:
            _PACKAGE.removeHandler(terminal)


def reissue(messages: list[str]) -> None:
    """Log warnings again (those of a stage reused from the cache), so that this run shows and keeps them."""
    logger = logging.getLogger(WARNINGS_LOGGER)
    for text in messages:
        logger.warning("%s", text)
