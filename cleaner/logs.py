"""Logging for the command line: cleaner's own messages at the level -v/-q ask for, other
libraries' at WARNING, and every record tagged with the input being cleaned when it came.

Libraries (trafilatura, htmldate, courlan) log without saying which page they were given;
`for_input(name)` puts the name in a context variable that our handler's filter adds to
every record logged while it is set (handling is synchronous, in the caller's context), so
a trafilatura warning reads "WARNING [fixtures/x.html] trafilatura.core: ...". Python
warnings go through logging too (logging.captureWarnings), so they carry it as well.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
from collections.abc import Iterator

OWN = "cleaner"
FORMAT = "%(levelname)s %(input_tag)s%(name)s: %(message)s"
_current_input: contextvars.ContextVar[str | None] = contextvars.ContextVar("cleaner_input", default=None)


def level_for(verbosity: int, quiet: bool) -> int:
    """-q: errors only; none: warnings; -v: info; -vv: debug."""
    if quiet:
        return logging.ERROR
    return {0: logging.WARNING, 1: logging.INFO}.get(verbosity, logging.DEBUG)


def configure(level: int) -> None:
    """One stderr handler; cleaner's loggers at `level`, everyone else's at WARNING (or
    ERROR under -q). Safe to call again, e.g. in a worker process."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_cleaner", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(_tag_with_input)
    handler._cleaner = True  # type: ignore[attr-defined]  # ours, to replace on the next call
    root.addHandler(handler)
    root.setLevel(max(level, logging.WARNING))
    logging.getLogger(OWN).setLevel(level)
    logging.captureWarnings(False)  # re-arm: something (a test runner) may have replaced showwarning since
    logging.captureWarnings(True)


@contextlib.contextmanager
def for_input(name: str | None) -> Iterator[None]:
    """Tag the records logged inside with this input (a path or URL)."""
    token = _current_input.set(name)
    try:
        yield
    finally:
        _current_input.reset(token)


def current_input() -> str | None:
    return _current_input.get()


def configured_level() -> int | None:
    """The level configure() set in this process, None if it was not called: what a worker
    process needs to log as its parent does."""
    if not any(getattr(h, "_cleaner", False) for h in logging.getLogger().handlers):
        return None
    return logging.getLogger(OWN).level


def _tag_with_input(record: logging.LogRecord) -> bool:
    name = _current_input.get()
    record.input_tag = f"[{name}] " if name else ""
    return True
