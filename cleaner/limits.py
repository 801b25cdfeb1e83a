"""Bounds on the cleaning of one document: a time budget and a memory reading.

The time budget is an alarm signal: its handler raises inside whatever the document is
doing, Python code or a rule pattern (the `regex` module checks for signals while it
matches), and the document fails with the stage it was in. C code that never checks for
signals (a parser deep in a page) is not stopped by it; the worker pool (cleaner.pool)
stops such a worker from outside as well.
"""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import sys
import threading
import time
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any

from .errors import InputError

DEFAULT_TIMEOUT = 30.0  # seconds per document; a news page takes well under one
DEFAULT_MEMORY_MB = 1024  # a worker process over this is replaced after its current batch


# not stages of the cleaning
RUNNERS = {"cleaner.limits", "cleaner.batch", "cleaner.pool", "cleaner.storage", "cleaner.scrape"}
HELPERS = {"cleaner.rules"}  # called by a stage: the stage is named, not them


class DocumentTimeout(InputError):
    """The document ran past its time budget."""


class _Expired(BaseException):
    # A BaseException, so that library code catching Exception cannot swallow the alarm.
    def __init__(self, stage: str):
        super().__init__(stage)
        self.stage = stage


# About 31 years. setitimer refuses much more ("timestamp out of range for platform time_t"),
# and every document failed under `--timeout inf` or 1e12: a budget that long is no budget.
LONGEST_TIMER = 1e9


def time_budget(seconds: float | None) -> contextlib.AbstractContextManager[None]:
    """Raise DocumentTimeout (naming the stage) when the block runs longer than `seconds`.
    Only the main thread receives signals: elsewhere, and with no budget, it does nothing."""
    in_main_thread = threading.current_thread() is threading.main_thread()
    if seconds is not None and seconds > 0 and hasattr(signal, "setitimer") and in_main_thread:
        return _Budget(min(seconds, LONGEST_TIMER))
    return contextlib.nullcontext()


class _Budget:
    """A class, not a generator: the timer is disarmed first thing on the way out, so an alarm
    that goes off just as the block ends (say, raising an InputError) cannot escape as a bare
    _Expired through contextlib's machinery.

    An alarm the host process had set (its own job timeout, pytest-timeout's) is kept: due
    after the block, it is armed again for the time it had left; due within it, the block
    ends there as a timeout, and the host's alarm goes off as the block is left."""

    def __init__(self, seconds: float):
        self.seconds, self.running = seconds, False
        self.previous: Any = None
        self.host_due: float | None = None  # when the host's alarm goes off (time.monotonic)
        self.host_interval = 0.0

    def __enter__(self) -> None:
        self.previous = signal.signal(signal.SIGALRM, self._expire)
        self.running = True
        host, self.host_interval = signal.getitimer(signal.ITIMER_REAL)
        if host > 0:
            self.host_due = time.monotonic() + host
            self.seconds = min(self.seconds, host)
        try:
            signal.setitimer(signal.ITIMER_REAL, self.seconds)
        except _Expired as exc:  # a budget so short that it ran out before the block began
            self.__exit__(type(exc), exc, None)

    def _expire(self, signum: int, frame: FrameType | None) -> None:
        # An alarm that Python delivers on the first line of __exit__ (the block has ended,
        # perhaps with its own error) is ignored: raised there, it would escape the block.
        if self.running and (frame is None or frame.f_code is not _EXIT_CODE):
            raise _Expired(_stage_of(frame))

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.running = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, self.previous)
        if self.host_due is not None:  # at its time, or at once when that has passed
            left = max(self.host_due - time.monotonic(), 1e-6)
            signal.setitimer(signal.ITIMER_REAL, left, self.host_interval)
        if isinstance(exc, _Expired):
            raise DocumentTimeout(f"timed out: over {self.seconds:g} s (stage: {exc.stage})") from None


_EXIT_CODE = _Budget.__exit__.__code__


def _stage_of(frame: FrameType | None) -> str:
    """The innermost function of the cleaner that was running, e.g. "textrules.apply_text_rules"."""
    while frame is not None:
        module = frame.f_globals.get("__name__", "")
        name = frame.f_code.co_name
        stage = module.startswith("cleaner.") and module not in RUNNERS | HELPERS
        if stage and not name.startswith("<"):  # a generator expression names no stage
            return f"{module.removeprefix('cleaner.')}.{name}"
        frame = frame.f_back
    return "cleaning"


def rss_mb() -> float:
    """This process's resident memory now (Linux), else its peak."""
    try:
        pages = int(Path("/proc/self/statm").read_bytes().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak / 2**20 if sys.platform == "darwin" else peak / 2**10
