"""Worker processes that clean documents: work goes out in batches, one result per
document comes back as soon as it is done.

Each worker is started once (its initializer compiles the rules) and works through the
batches it is sent, reporting each document on its own. The pool therefore always knows
which document a worker is on, which gives each document a hard time limit: a worker
silent for longer than `hard_timeout` on one document is killed, that document alone is
reported lost, the rest of its batch goes to a fresh worker. A worker that dies (a crash,
the kernel's out-of-memory killer) costs the same: its current document only. A worker
whose memory passes `memory_mb` finishes its batch, says so and is replaced.

Every worker is stopped when the pool is left, also on Ctrl-C or SIGTERM (raised as
KeyboardInterrupt by the CLI); a worker whose parent vanished exits at its next read.
"""

from __future__ import annotations

import collections
import contextlib
import multiprocessing
import signal
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any

from .limits import rss_mb

READY, RECYCLE = "ready", "recycle"
STARTUP_TIMEOUT = 300.0  # seconds a new worker may take to import and compile the rules


@dataclass(frozen=True, slots=True)
class Lost:
    """A document whose worker was stopped or died while on it."""

    reason: str


def _worker_main(
    conn: Connection,
    work: Callable[..., Any],
    initializer: Callable[..., None],
    initargs: tuple[Any, ...],
    memory_mb: float | None,
) -> None:
    # Ctrl-C reaches the whole process group; the parent handles it and stops the workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    initializer(*initargs)
    if not _send(conn, READY):
        return
    while (batch := _receive(conn)) is not None:
        for key, args in batch:
            if not _send(conn, (key, work(*args))):
                return
        if memory_mb and rss_mb() > memory_mb:
            _send(conn, RECYCLE)
            return


def _send(conn: Connection, message: object) -> bool:
    """False when the parent is gone (or stopped the run): there is no one to report to."""
    try:
        conn.send(message)
    except OSError:
        return False
    return True


def _receive(conn: Connection) -> Any:
    """The next batch; None when the parent says stop or is gone."""
    try:
        return conn.recv()
    except (EOFError, OSError):
        return None


@dataclass
class _Worker:
    process: BaseProcess
    conn: Connection
    pending: collections.deque[tuple[Any, tuple[Any, ...]]] = field(default_factory=collections.deque)
    ready: bool = False
    since: float = field(default_factory=time.monotonic)  # when its current document started


class WorkerPool:
    """`with WorkerPool(...) as pool: for key, result in pool.map(items): ...`

    `work(*args)` runs in a worker for each (key, args) item and must not raise (catch and
    return the error); `result` is what it returned, or Lost when the worker was stopped
    or died on that document. Results come in completion order."""

    def __init__(
        self,
        workers: int,
        work: Callable[..., Any],
        initializer: Callable[..., None],
        initargs: tuple[Any, ...] = (),
        *,
        hard_timeout: float | None = None,
        memory_mb: float | None = None,
        batch_size: int = 16,
    ):
        self.size, self.work, self.initializer, self.initargs = workers, work, initializer, initargs
        self.hard_timeout, self.memory_mb, self.batch_size = hard_timeout, memory_mb, max(1, batch_size)
        # spawn: the same start method on every platform, and safe with threads (tqdm's monitor).
        self.context = multiprocessing.get_context("spawn")
        self.workers: list[_Worker] = []
        self.restarts = 0

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        interrupted = exc[0] is not None
        for worker in self.workers:
            self._stop(worker, kill=interrupted)
        self.workers = []

    def _start(self) -> _Worker:
        parent, child = self.context.Pipe(duplex=True)
        process = self.context.Process(
            target=_worker_main,
            args=(child, self.work, self.initializer, self.initargs, self.memory_mb),
            daemon=True,
        )
        process.start()
        child.close()
        worker = _Worker(process, parent)
        self.workers.append(worker)
        return worker

    def _stop(self, worker: _Worker, *, kill: bool) -> None:
        if not kill:
            with contextlib.suppress(OSError):
                worker.conn.send(None)
            worker.process.join(timeout=5)
        if worker.process.is_alive():
            worker.process.kill()
            worker.process.join()
        worker.conn.close()
        if worker in self.workers:
            self.workers.remove(worker)

    def map(self, items: Iterable[tuple[Any, tuple[Any, ...]]]) -> Iterator[tuple[Any, Any]]:
        source = iter(items)
        retry: collections.deque[tuple[Any, tuple[Any, ...]]] = collections.deque()

        def take(count: int) -> list[tuple[Any, tuple[Any, ...]]]:
            batch = [retry.popleft() for _ in range(min(count, len(retry)))]
            batch += [item for _, item in zip(range(count - len(batch)), source, strict=False)]
            return batch

        while len(self.workers) < self.size:
            self._start()
        exhausted = False
        while True:
            if not exhausted or retry:
                exhausted = self._top_up(take) and not retry
            busy = [w for w in self.workers if w.pending]
            if not busy:
                if exhausted and not retry:
                    return
                continue
            waitables = [w.conn for w in busy] + [w.process.sentinel for w in busy]
            wait(waitables, timeout=self._next_deadline(busy))
            for worker in busy:
                yield from self._collect(worker, retry)

    def _top_up(self, take: Callable[[int], list[tuple[Any, tuple[Any, ...]]]]) -> bool:
        """Keep up to two batches queued per worker, so none waits for the parent. Returns
        True when there was nothing left to send."""
        for worker in self.workers:
            if len(worker.pending) > self.batch_size:
                continue
            batch = take(self.batch_size)
            if not batch:
                return True
            if not worker.pending:
                worker.since = time.monotonic()
            worker.pending.extend(batch)
            worker.conn.send(batch)
        return False

    def _next_deadline(self, busy: list[_Worker]) -> float | None:
        limits = [self._limit(w) for w in busy]
        now = time.monotonic()
        return max(0.0, min(w.since + limit - now for w, limit in zip(busy, limits, strict=True)))

    def _limit(self, worker: _Worker) -> float:
        if not worker.ready:
            return STARTUP_TIMEOUT + (self.hard_timeout or 0)
        return self.hard_timeout or STARTUP_TIMEOUT * 12

    def _collect(self, worker: _Worker, retry: collections.deque[Any]) -> Iterator[tuple[Any, Any]]:
        """What the worker reported; then, if it is gone or over time, replace it."""
        try:
            while worker.conn.poll():
                message = worker.conn.recv()
                now = time.monotonic()
                if message == READY:
                    worker.ready, worker.since = True, now
                elif message == RECYCLE:
                    yield from self._replace(worker, retry, blame=None)
                    return
                else:
                    key, result = message
                    expected, _ = worker.pending.popleft()
                    assert key == expected, "a worker answered out of order"
                    worker.since = now
                    yield key, result
        except (EOFError, OSError):
            pass  # it died; its sentinel says so below
        if not worker.process.is_alive():
            worker.process.join()
            reason = _death(worker.process.exitcode)
            yield from self._replace(worker, retry, blame=reason)
        elif worker.pending and time.monotonic() - worker.since > self._limit(worker):
            limit = self._limit(worker)
            yield from self._replace(worker, retry, blame=f"timed out: worker stopped after {limit:g} s")

    def _replace(self, worker: _Worker, retry: collections.deque[Any], *, blame: str | None) -> Iterator[Any]:
        """Stop `worker`; its current document is reported lost (when blamed), the rest of
        its batches are sent again, to a new worker."""
        pending = list(worker.pending)
        worker.pending.clear()
        self._stop(worker, kill=True)
        self.restarts += 1
        if blame and pending:
            key, _ = pending.pop(0)
            yield key, Lost(blame)
        retry.extendleft(reversed(pending))
        self._start()


def _death(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        return f"worker died ({name}; out of memory?)"
    return f"worker died (exit code {exitcode})"
