"""What both drivers (`cleaner clean`, cleaner.batch; `cleaner scrape`, cleaner.scrape) share:
atomic files, the JSONL output with its part file (and so how a run resumes), and the
clean-one-input step with its `Cleaned | Failed` outcome.

Resume, for every JSONL output OUT: records are appended to OUT.part as each input is done,
flushed one by one. The part's first line names the run that started it (the rules
fingerprint, or none when records stay valid whatever the rules, and the time it started).
A rerun finds the part: when it names the same run, its records count as done, a last line
cut short by the interruption is cut off, and new records are appended after it; otherwise
the part is started afresh. At the end OUT is written atomically (a temporary file renamed
over it) from the still-valid records of the previous OUT and of the part, one per key, and
the part is removed. So an interrupted run loses at most the records it had not flushed, and
no input is cleaned twice.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import functools
import json
import os
import secrets
import shutil
import tempfile
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, TypeVar

from .dedup import Fingerprint
from .errors import InputError, describe
from .limits import DocumentTimeout, time_budget
from .models import Article

# --- atomic files -------------------------------------------------------------------------

# Write errors of the output as a whole (a full disk, a read-only or failing one): a run stops
# at the first, rather than work through a million documents to fail each write.
OUTPUT_LOST = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EIO})


def make_folders(folder: Path) -> None:
    """`folder` and its missing parents, as mkdir(parents=True, exist_ok=True) makes them but
    without its recursion: in Python 3.11 an output tree 1,000 folders deep (mirroring an
    input tree as deep) raised RecursionError."""
    missing = []
    while not folder.is_dir() and folder.parent != folder:
        missing.append(folder)
        folder = folder.parent
    for each in reversed(missing):
        try:
            each.mkdir()
        except FileExistsError:
            if not each.is_dir():
                raise


@contextlib.contextmanager
def atomic_writer(path: Path) -> Iterator[IO[bytes]]:
    """A file that appears at `path` complete or not at all: written to a temporary file in the
    same folder, fsynced, then renamed over `path`."""
    make_folders(path.parent)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    try:
        # Created inside the try, so a Ctrl-C right after creation still removes it.
        # os.open with 0o666 honours the umask, unlike mkstemp's 0o600.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_atomic(path: Path, text: str) -> None:
    with atomic_writer(path) as fh:
        fh.write(text.encode("utf-8"))


class BatchedFiles:
    """Files that reach their names in batches. Each is written into `pending` (a folder on
    the same file system); a batch is flushed to the disk at once, then each file is renamed
    to its name. One wait for the disk per batch instead of one per file (an fsync per file
    was a fifth of `cleaner clean`'s time on texts), and a file under its name is still
    complete on disk. An interruption keeps what it can flush; what is pending when a process
    is killed is lost whole, and the next `open` clears it."""

    def __init__(self, pending: Path, *, files: int = 256, seconds: float = 1.0):
        self.pending = pending
        self.max_files, self.max_seconds = files, seconds
        self.batch: list[tuple[Path, Path]] = []  # (pending file, its name)
        self.written = 0
        self.since = time.monotonic()

    def open(self) -> None:
        shutil.rmtree(self.pending, ignore_errors=True)  # what a killed run left
        make_folders(self.pending)

    def write(self, path: Path, data: bytes) -> None:
        tmp = self.pending / str(self.written)
        self.written += 1
        with tmp.open("xb") as fh:
            fh.write(data)
        self.batch.append((tmp, path))
        if len(self.batch) >= self.max_files or time.monotonic() - self.since >= self.max_seconds:
            self.flush()

    def flush(self) -> None:
        """Every pending file to the disk, then under its name. Raises FlushError when the disk
        fails them, or when a file cannot take its name: the caller checked each name when it
        was given (check_target), so the output folder changed under the run. Either way no
        later batch would fare better."""
        if self.batch:
            try:
                to_disk(self.pending, [tmp for tmp, _ in self.batch])
            except OSError as exc:
                reason = f"cannot flush finished outputs to the disk: {exc.strerror}"
                raise FlushError(exc.errno, reason, str(self.pending)) from exc
            for done, (tmp, path) in enumerate(self.batch):
                try:
                    make_folders(path.parent)
                    tmp.replace(path)
                except OSError as exc:
                    del self.batch[:done]
                    reason = f"cannot move a finished output into place: {exc.strerror}"
                    raise FlushError(exc.errno, reason, str(path)) from exc
            self.batch.clear()
        self.since = time.monotonic()

    def close(self) -> None:
        """Flush what is pending, unless the disk refuses it, and remove the pending folder."""
        try:
            self.flush()
        except OSError:
            self.batch.clear()  # the error that stopped the run, met again
        finally:
            shutil.rmtree(self.pending, ignore_errors=True)


class FlushError(OSError):
    """Finished outputs that could not be moved to their names: the run stops there."""


def check_target(path: Path) -> None:
    """Raise the OSError that moving a file to `path` would meet, as far as a look can tell:
    a batched output's name is checked when it is given, so that its input fails, not a
    later batch."""
    make_folders(path.parent)
    if path.is_dir():
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
    if len(os.fsencode(path.name)) > NAME_MAX:
        raise OSError(errno.ENAMETOOLONG, os.strerror(errno.ENAMETOOLONG), str(path))
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path.parent))


NAME_MAX = 255  # bytes in a file name: Linux's and macOS's file systems


def to_disk(folder: Path, files: list[Path]) -> None:
    """The data of `files` (all in `folder`) on the disk: one syncfs(2) of the folder's file
    system where the C library has it (Linux), else an fsync per file. A file system that
    refuses syncfs for want of support gets the fsyncs too; a failing disk is an error."""
    syncfs = _syncfs()
    if syncfs is not None:
        fd = os.open(folder, os.O_RDONLY)
        try:
            syncfs(fd)
            return
        except OSError as exc:
            if exc.errno in OUTPUT_LOST:
                raise
        finally:
            os.close(fd)
    for path in files:
        fd = os.open(path, os.O_RDWR)  # Windows flushes only a file opened for writing
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@functools.cache
def _syncfs() -> Callable[[int], None] | None:
    """libc's syncfs, which the os module does not offer, raising OSError as os functions do;
    None where there is none."""
    try:
        syncfs = ctypes.CDLL(None, use_errno=True).syncfs
    except (AttributeError, OSError, TypeError):  # no syncfs: macOS; no C library by that name: Windows
        return None

    def call(fd: int) -> None:
        if syncfs(fd) != 0:
            code = ctypes.get_errno()
            raise OSError(code, os.strerror(code))

    return call


def filesystem_now(folder: Path) -> int:
    """The time as the file system of `folder` stamps files (ns). Compared with file mtimes,
    which come from a coarser clock than time.time()."""
    with tempfile.TemporaryFile(dir=folder) as fh:
        return os.fstat(fh.fileno()).st_mtime_ns


# --- JSONL files --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class JsonlLine:
    """Where one JSONL record sits: its file and byte range."""

    file: Path
    offset: int
    length: int


def jsonl_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """(offset, line) of each complete line; a last line without its newline was cut short."""
    try:
        fh = path.open("rb")
    except FileNotFoundError:
        return
    with fh:
        offset = 0
        for line in fh:
            if not line.endswith(b"\n"):
                return
            yield offset, line
            offset += len(line)


def parse_jsonl_line(line: bytes) -> dict[str, Any]:
    """The JSON object on a line; {} when it is not one."""
    try:
        data = json.loads(line)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


# The key of a record (its input), or None to leave the line out; it may raise to refuse a
# file that is not ours. Called with the record, its file and its byte offset.
KeyOf = Callable[[dict[str, Any], Path, int], str | None]
# Whether the record of this key, made after `valid_since` (ns), is still valid.
StillValid = Callable[[str, int], bool]


def _always_valid(key: str, valid_since: int) -> bool:
    return True


class JsonlParts:
    """A JSONL output OUT with its part file OUT.part: the resume mechanism described at the
    top of this module. Records are bytes (one line each), known by a key (their input).

    run: the rules fingerprint the records depend on; a part of another run is not resumed.
    None: records stay valid whatever made them (scrape: its pages come from the network).
    final_valid_since: records of the previous OUT count when made after this time (ns); None
    leaves them out. still_valid: whether a record of a key is still valid (e.g. its input
    file was not modified since)."""

    def __init__(
        self,
        final: Path,
        *,
        key_of: KeyOf,
        run: str | None = None,
        final_valid_since: int | None = 0,
        still_valid: StillValid = _always_valid,
    ):
        self.final, self.part_path = final, final.with_name(final.name + ".part")
        self.run, self.key_of, self.still_valid = run, key_of, still_valid
        make_folders(final.parent)
        self.started_ns = filesystem_now(final.parent)  # taken before any input is checked or read
        self.part: IO[bytes] | None = None
        self.records: dict[str, JsonlLine] = {}  # key -> its newest valid record
        if final_valid_since is not None:
            self._index(self.final, jsonl_lines(self.final), final_valid_since)
        self.part_end = self._index_part()

    def _index_part(self) -> int | None:
        """Index the records of a part left by an interrupted run of the same kind.
        Returns the end of its last complete line, or None when there is no usable part."""
        lines = jsonl_lines(self.part_path)
        first = next(lines, None)
        if first is None:
            return None
        header = parse_jsonl_line(first[1]).get("run")
        if not isinstance(header, dict) and self.run is None:
            # A scrape part from before parts had a header: its records are as valid as any.
            return self._index(self.part_path, jsonl_lines(self.part_path), 0)
        if not isinstance(header, dict) or not isinstance(header.get("started_ns"), int):
            return None
        if header.get("fingerprint") != self.run:
            return None
        end = self._index(self.part_path, lines, header["started_ns"])
        return end or len(first[1])

    def _index(self, file: Path, lines: Iterable[tuple[int, bytes]], valid_since: int) -> int:
        """Returns the end of the last line read."""
        end = 0
        for offset, line in lines:
            end = offset + len(line)
            key = self.key_of(parse_jsonl_line(line), file, offset)
            if key is None:
                continue
            if self.still_valid(key, valid_since):
                self.records[key] = JsonlLine(file, offset, len(line))
            else:
                self.records.pop(key, None)
        return end

    def has(self, key: str) -> bool:
        return key in self.records

    def read(self, key: str) -> bytes | None:
        """The record of a key, as written; None when there is none."""
        line = self.records.get(key)
        if line is None:
            return None
        with line.file.open("rb") as fh:
            fh.seek(line.offset)
            return fh.read(line.length)

    def record_keys(self) -> list[str]:
        return list(self.records)

    def start(self) -> None:
        if self.part_end is None:
            self.part = self.part_path.open("wb")
            header = {"run": {"fingerprint": self.run, "started_ns": self.started_ns}}
            self._append((json.dumps(header) + "\n").encode("utf-8"))
        else:
            # Keep the interrupted run's records; cut off a truncated last line before appending.
            self.part = self.part_path.open("r+b")
            self.part.truncate(self.part_end)
            self.part.seek(self.part_end)

    def _append(self, data: bytes) -> JsonlLine:
        assert self.part is not None, "start() first"
        offset = self.part.tell()
        self.part.write(data)
        self.part.flush()  # per record, so an interrupted run keeps what it finished
        return JsonlLine(self.part_path, offset, len(data))

    def add(self, key: str, record: bytes) -> None:
        self.records[key] = self._append(record)

    def drop(self, key: str) -> None:
        self.records.pop(key, None)

    def finish(self, order: Iterable[str]) -> None:
        """Write OUT atomically: the records of the keys in `order`, in that order."""
        assert self.part is not None, "start() first"
        os.fsync(self.part.fileno())
        with atomic_writer(self.final) as out, contextlib.ExitStack() as stack:
            opened: dict[Path, IO[bytes]] = {}
            for key in order:
                line = self.records[key]
                if line.file not in opened:
                    opened[line.file] = stack.enter_context(line.file.open("rb"))
                opened[line.file].seek(line.offset)
                out.write(opened[line.file].read(line.length))

    def close(self) -> None:
        if self.part is not None:
            self.part.close()
            self.part = None

    def remove_part(self) -> None:
        """After the run is recorded as complete: until then the part is what a rerun resumes."""
        self.part_path.unlink(missing_ok=True)


# --- cleaning one input -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Facts:
    """What the run summaries need of a cleaned article."""

    site: str | None
    rules: tuple[str, ...]  # rule id of each removal
    extraction: str
    status: str
    fingerprint: Fingerprint | None = None  # for --dedup

    @classmethod
    def of(cls, article: Article, fingerprint: Fingerprint | None = None) -> Facts:
        rules = tuple(removal.rule for removal in article.removed)
        return cls(article.site, rules, article.extraction, article.status, fingerprint)


@dataclass(frozen=True, slots=True)
class Cleaned:
    payload: bytes  # the serialized output
    facts: Facts


@dataclass(frozen=True, slots=True)
class Failed:
    reason: str
    stage: str = "input"  # "timeout", "input" (the input's own fault) or "clean" (a bug)
    detail: str | None = None  # traceback of an unexpected error, for the debug log


Outcome = Cleaned | Failed
T = TypeVar("T")


def clean_one(
    clean: Callable[[], Article], finish: Callable[[Article], T], timeout: float | None
) -> T | Failed:
    """Clean one input within its time budget and make its result (`finish`, e.g. its
    record), or say why that failed. A bad input, or a bug it hits, never stops a run."""
    try:
        with time_budget(timeout):
            return finish(clean())
    except DocumentTimeout as exc:
        return Failed(exc.reason, "timeout")
    except InputError as exc:
        return Failed(exc.reason, "input")
    except Exception as exc:  # a bug hit by one document must not stop a run of thousands
        return Failed(f"unexpected error: {describe(exc)}", "clean", traceback.format_exc())
