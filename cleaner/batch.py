"""Clean folders of documents into an output folder: the engine behind `cleaner clean`.

One outcome per input (cleaned, skipped because its output is up to date, or failed with
a reason); a bad input never stops a run. Outputs are written atomically by this process,
also when the cleaning itself runs in worker processes.

Output formats:
  json    OUT/<input path relative to its folder, .json>: article.to_dict() plus "input"
  txt     OUT/<input path relative to its folder, .txt>: the clean text
  jsonl   OUT/articles.jsonl: one record per input, sorted by input path

Resume: OUT/.cleaner-run.json records the rules fingerprint and format of the last
complete run. A json/txt output is up to date when that record matches the current rules
and format and the output is not older than its input. jsonl resumes as every JSONL output
does (cleaner.storage.JsonlParts: records streamed into OUT/articles.jsonl.part, whose first
line names the rules and the time the part was started, then merged with the still-valid
records of the previous articles.jsonl, which then is replaced). Records in a part left by
an interrupted run count as done on the next run.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import json
import logging
import os
import re
import secrets
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal, Protocol

import orjson
from tqdm import tqdm

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

from . import compressed, logs
from .containers import (
    COMPRESSED_JSONL,
    JSONL_SUFFIXES,
    WARC_SUFFIXES,
    JsonlFields,
    container_kind,
    inflate,
    is_compressed_jsonl,
    jsonl_entries,
    warc_entries,
)
from .core import Cleaner
from .decode import MAX_BYTES, NOT_REGULAR
from .dedup import DEFAULT_THRESHOLD, DuplicateIndex, Mode, fingerprint, mark_duplicate
from .errors import CleanerError, InputError, describe
from .inputs import (
    SUFFIXES,
    Source,
    clean_path,
    clean_source,
    continuation_pages,
    escaped,
    folder_sources,
    header_charset_for,
    input_suffix,
    is_html,
    url_for,
)
from .limits import DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT
from .models import Article, Removal
from .pool import Lost, WorkerPool
from .rules import Rules
from .storage import (
    OUTPUT_LOST,
    BatchedFiles,
    Cleaned,
    Facts,
    Failed,
    FlushError,
    JsonlParts,
    Outcome,
    check_target,
    clean_one,
    filesystem_now,
    write_atomic,
)

logger = logging.getLogger(__name__)

Format = Literal["json", "jsonl", "txt"]
FORMATS: tuple[Format, ...] = ("json", "jsonl", "txt")
STATE_FILE = ".cleaner-run.json"
PENDING_FOLDER = ".cleaner-pending"  # json/txt outputs on their way to the disk
JSONL_FILE = "articles.jsonl"
PART_FILE = "articles.jsonl.part"
UNKNOWN_SITE = "(unknown)"
STALE_MIN_PAGES = 10  # below this, a rule that did not match says little


# --- input types --------------------------------------------------------------------------


def clean_file(cleaner: Cleaner, path: Path, *, max_bytes: int = MAX_BYTES) -> Article:
    """Read and clean one file by its kind. Raises InputError when it cannot be cleaned."""
    if input_suffix(path) is None:
        raise InputError(_unsupported_reason(path), path=str(path))
    return clean_path(cleaner, path, max_bytes=max_bytes)


def _unsupported_reason(path: Path) -> str:
    supported = ", ".join(sorted((*SUFFIXES, *WARC_SUFFIXES, *JSONL_SUFFIXES, *COMPRESSED_JSONL)))
    return f"unsupported file type {''.join(path.suffixes) or path.name!r} (supported: {supported})"


# --- walking the inputs -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Input:
    path: Path  # where to read it
    # relative to the folder it was found in (its file name when given as a file); a string,
    # not a Path: a million inputs are held at once, and only json/txt outputs need it
    rel: str
    problem: str | None = None  # why it cannot even be attempted (missing, unsupported type, a link loop)
    # The absolute, resolved path (bytes that are not UTF-8 escaped as \xNN): the input's name in
    # records and reports, and its key, so `dir` and `$PWD/dir` are the same input.
    source: str = ""
    resolved: Source | None = None  # its later pages, URL and charset, looked up once

    def to_source(self) -> Source:
        return self.resolved or Source(self.path)


def collect_inputs(
    paths: Iterable[str | Path],
    *,
    exclude: Path | None = None,
    jsonl: JsonlFields | None = None,
    staging: Path | None = None,
    max_bytes: int = MAX_BYTES,
) -> list[Input]:
    """Files given, and the supported files under folders given (recursively, sorted, hidden
    entries and the `exclude` folder left out). Each file once, in the order given. A WARC
    or JSONL file given is one input per document in it (cleaner.containers); a .jsonl.gz or
    .jsonl.zst is inflated into `staging` (a temporary folder the caller removes when the run
    is over)."""
    inputs: list[Input] = []
    seen: set[str] = set()
    excluded = exclude.resolve() if exclude else None
    for given in map(Path, paths):
        if given.is_dir():
            found = list(_walk(given, excluded))
        elif given.is_file() and container_kind(given):
            fields = jsonl or JsonlFields()
            found = list(_container_inputs(given, fields, staging=staging, max_bytes=max_bytes))
        elif given.is_file():
            problem = None if input_suffix(given) else _unsupported_reason(given)
            found = [_input(given, given.name, problem, given_file=True)]
        else:
            found = [_input(given, given.name, NOT_REGULAR if given.exists() else "not found")]
        for item in found:
            if item.source not in seen:
                seen.add(item.source)
                inputs.append(item)
    return inputs


def _walk(folder: Path, excluded: Path | None) -> Iterator[Input]:
    """Each folder is listed once; its inputs are resolved from that listing (folder_sources).
    A WARC file in it is one input per page it holds, as when given (a crawl comes as a folder
    of them). A JSONL file is read only when given: under a folder it may as well be records
    a run wrote, and cleaning those again would be wrong; a warning names those left out."""
    unreadable: list[Input] = []
    left_out: list[Path] = []

    def report(exc: OSError) -> None:  # a subfolder that cannot be listed is a failed input, not a crash
        where = Path(exc.filename or folder)
        problem = f"unreadable folder: {exc.strerror}"
        unreadable.append(_input(where, where.name or ".", problem))

    for root, real_root, files in _folders(folder, excluded, report):
        for source in folder_sources(root, files):
            rel = str(source.path.relative_to(folder))
            yield _input(source.path, rel, resolved=source, real_folder=real_root)
        for name in sorted(files):
            kind = None if name.startswith(".") else container_kind(Path(name))
            if kind == "warc":
                path = root / name
                yield from _container_inputs(path, JsonlFields(), rel=str(path.relative_to(folder)))
            elif kind == "jsonl":
                left_out.append(root / name)
    if left_out:
        logger.warning(
            "%d JSONL file(s) under %s not read (%s%s): a JSONL file is cleaned when given as an input",
            len(left_out),
            folder,
            escaped(left_out[0]),
            ", ..." if len(left_out) > 1 else "",
        )
    yield from unreadable


def _folders(
    top: Path, excluded: Path | None, report: Callable[[OSError], None]
) -> Iterator[tuple[Path, Path, list[str]]]:
    """Each folder under `top` (itself first, then depth first in name order, hidden ones and
    `excluded` left out), its real path and the names of what it holds besides folders, as
    os.walk gives them, without its recursion: in Python 3.11 a tree 1,000 folders deep
    stopped the run with RecursionError. Links to folders are not followed, so a link loop
    cannot trap it, and a folder's real path is its parent's and its name: resolving each
    anew costs a call per level, quadratic in the depth."""
    stack = [(top, top.resolve())]
    while stack:
        root, real_root = stack.pop()
        try:
            with os.scandir(root) as listing:
                entries = list(listing)
        except OSError as exc:
            report(exc)
            continue
        files, folders = [], []
        for entry in entries:
            try:
                is_folder = entry.is_dir()  # a link to a folder too: listed as one, never entered
            except OSError:
                is_folder = False
            if not is_folder:
                files.append(entry.name)
            elif not entry.is_symlink() and not entry.name.startswith("."):
                folders.append(entry.name)
        yield root, real_root, files
        inner = sorted(name for name in folders if real_root / name != excluded)
        stack += [(root / name, real_root / name) for name in reversed(inner)]


def _input(
    path: Path,
    rel: str,
    problem: str | None = None,
    *,
    resolved: Source | None = None,
    given_file: bool = False,
    real_folder: Path | None = None,
) -> Input:
    try:
        if real_folder is not None and not path.is_symlink():
            real = real_folder / path.name
        else:
            real = path.resolve(strict=problem != "not found")
    except (OSError, RuntimeError) as exc:  # a symlink loop, a dangling link
        reason = "symlink loop" if isinstance(exc, RuntimeError) or exc.errno == errno.ELOOP else exc.strerror
        return Input(path, rel, problem or f"cannot open: {reason}", source=escaped(path.absolute()))
    except ValueError:  # a NUL byte: no file system holds such a name
        return Input(path, rel, "not a file name: it holds a NUL byte", source=escaped(path.absolute()))
    source = escaped(real)
    if source != str(real):
        problem = problem or "file name is not valid UTF-8 (shown escaped)"
    if given_file and resolved is None and problem is None:
        pages = tuple(continuation_pages(path)) if is_html(path) else ()
        resolved = Source(path, pages=pages, url=url_for(path), charset=header_charset_for(path))
    return Input(path, rel, problem, source=source, resolved=resolved)


def _container_inputs(
    path: Path,
    fields: JsonlFields,
    *,
    rel: str | None = None,
    staging: Path | None = None,
    max_bytes: int = MAX_BYTES,
) -> Iterator[Input]:
    """One input per document of a WARC or JSONL file, named `<file>#<record id or line>`;
    json/txt outputs go to OUT/<rel, by default the file name>/<number>.json. A file that
    breaks off or is corrupt is one failed input after the documents read before the break
    (as the Spark job reads it): a bad byte near the end of a crawl loses nothing before it."""
    kind = container_kind(path)
    rel = rel or path.name
    real = escaped(path.resolve())
    if not path.is_file():  # a link to a device or a pipe, read for ever
        yield Input(path, rel, NOT_REGULAR, source=real)
        return
    readable, broken = path, None
    if is_compressed_jsonl(path):
        if staging is None:
            raise ValueError("a compressed JSONL input needs a staging folder to be inflated into")
        handle, name = tempfile.mkstemp(suffix=".jsonl", dir=staging)
        os.close(handle)
        readable = Path(name)
        broken = inflate(path, readable)
    try:
        entries = (
            warc_entries(path) if kind == "warc" else jsonl_entries(readable, fields, max_bytes=max_bytes)
        )
        for number, entry in enumerate(entries, start=1):
            source = Source(
                readable,
                url=entry.url,
                charset=entry.charset,
                container=kind,
                offset=entry.offset,
                kind=entry.kind,
                jsonl=fields if kind == "jsonl" else None,
            )
            name = f"{real}#{entry.name}"
            yield Input(path, f"{rel}/{number:07}", entry.problem, source=name, resolved=source)
    except Exception as exc:  # a corrupt container is one failed input, never the run
        broken = describe(exc)
    if broken:
        yield Input(path, rel, f"unreadable {kind} file: {broken}", source=real)


# --- the summary --------------------------------------------------------------------------


@dataclass
class Summary:
    total: int = 0
    cleaned: int = 0
    skipped: int = 0  # output already up to date
    failed: list[tuple[str, str]] = field(default_factory=list)  # (input, reason)
    sites: Counter[str] = field(default_factory=Counter)  # over cleaned documents
    rules: Counter[str] = field(default_factory=Counter)  # removal rule id -> hits, over cleaned documents
    empty: int = 0  # cleaned documents with no body text left
    duplicates: int = 0  # cleaned documents marked duplicate_of an earlier one (--dedup)
    html_pages: Counter[str] = field(default_factory=Counter)  # site -> pages cleaned from HTML
    by_body_selector: Counter[str] = field(default_factory=Counter)  # site -> of those, via html.body
    stale: list[str] = field(default_factory=list)  # rules of sites seen that never matched

    @property
    def ok(self) -> bool:
        return not self.failed

    def add_facts(self, facts: Facts) -> None:
        self.cleaned += 1
        site = facts.site or UNKNOWN_SITE
        self.sites[site] += 1
        self.rules.update(facts.rules)
        if facts.extraction != "text":
            self.html_pages[site] += 1
            self.by_body_selector[site] += facts.extraction == "site-selector"
        if facts.status == "empty":
            self.empty += 1

    def find_stale_rules(self, rules: Rules) -> None:
        """Rules of sites seen often enough that never matched: how a site redesign shows."""
        for site, pages in sorted(self.sites.items()):
            ruleset = rules.for_domain(site) if site != UNKNOWN_SITE else None
            if ruleset is None or pages < STALE_MIN_PAGES:
                continue
            html_pages, by_selector = self.html_pages[site], self.by_body_selector[site]
            if ruleset.html_body and html_pages and by_selector < html_pages:
                selectors = ", ".join(s.text for s in ruleset.html_body)
                self.stale.append(
                    f"{site}: html.body ({selectors}) matched {by_selector} of {html_pages} pages"
                )
            for rule_id in ruleset.own_rule_ids(html=html_pages > 0):
                if not self.rules[rule_id]:
                    self.stale.append(f"{site}: {rule_id} matched none of {pages} documents")

    def add_failure(self, source: str, reason: str) -> None:
        self.failed.append((source, reason))

    def counts(self) -> dict[str, int]:
        return {
            "total": self.total,
            "cleaned": self.cleaned,
            "skipped": self.skipped,
            "failed": len(self.failed),
            "empty": self.empty,
            "duplicates": self.duplicates,
        }

    def to_json(self) -> dict[str, Any]:
        """Everything the summary knows, uncut: for pipelines (`clean --summary-json`)."""
        return {
            "counts": self.counts(),
            "sites": dict(self.sites.most_common()),
            "rules": dict(self.rules.most_common()),
            "stale": self.stale,
            "failures": [{"input": source, "reason": reason} for source, reason in self.failures()],
        }

    def render(self) -> str:
        lines = [
            f"Documents: {self.total} total, {self.cleaned} cleaned, {self.skipped} skipped "
            f"(up to date), {len(self.failed)} failed, {self.empty} with an empty body"
            + (f", {self.duplicates} duplicates" if self.duplicates else "")
        ]
        lines += _section("Sites", self.sites)
        lines += _section("Top rules (hits in cleaned documents)", self.rules)
        if self.stale:
            lines += ["", f"Stale rules (sites with {STALE_MIN_PAGES}+ documents in this run):"]
            lines += [f"  {line}" for line in self.stale]
        if self.failed:
            lines += ["", f"Failures ({len(self.failed)}):"]
            lines += [f"  {_printable(source)}: {_printable(reason)}" for source, reason in self.failures()]
        return "\n".join(lines)

    def failures(self) -> list[tuple[str, str]]:
        """Sorted, since workers finish in any order; numbers by value, so a JSONL file's
        "line 9" comes before its "line 10"."""
        return sorted(self.failed, key=lambda failure: (_natural(failure[0]), failure[1]))


DIGITS = re.compile(r"(\d+)")
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _printable(text: str) -> str:
    """Control characters as \\xNN: a file name or a WARC record id may hold an escape
    sequence, which a terminal would obey (clear the screen, rewrite the lines above)."""
    return CONTROL.sub(lambda control: f"\\x{ord(control.group()):02x}", text)


def _natural(name: str) -> list[tuple[int, str]]:
    """A sort key that reads each run of digits as a number."""
    return [(int(part), "") if part.isdigit() else (-1, part) for part in DIGITS.split(name)]


SECTION_TOP = 25  # sites and rules listed in the summary; a big run has thousands
SECTION_WIDTH = 40  # a longer name runs past its count rather than pad every other row


def _section(title: str, counts: Counter[str], top: int = SECTION_TOP) -> list[str]:
    if not counts:
        return []
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    shown, rest = ranked[:top], ranked[top:]
    width = min(max(len(name) for name, _ in shown), SECTION_WIDTH)
    lines = ["", f"{title}:"] + [f"  {name:<{width}}  {count:>6}" for name, count in shown]
    if rest:
        lines.append(f"  ... {len(rest)} more, {sum(count for _, count in rest)} in all")
    return lines


# --- run state files ------------------------------------------------------------------


def _read_json_object(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _mtime_ns(path: Path) -> int | None:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return None


def _input_mtime(source: str) -> int | None:
    """The input's mtime; for a document in a container (`file#record`), the container's."""
    found = _mtime_ns(Path(source))
    if found is None and "#" in source:
        found = _mtime_ns(Path(source.rpartition("#")[0]))
    return found


ARTICLE_FIELDS = tuple(f.name for f in dataclasses.fields(Article))
# --fields lean: what a corpus pipeline keeps. paragraphs repeats text, removed is most of the bytes.
LEAN_FIELDS = tuple(f for f in ARTICLE_FIELDS if f not in {"paragraphs", "removed", "found_by"})


def serialize(source: str, article: Article, fmt: Format, fields: tuple[str, ...] | None = None) -> bytes:
    """The bytes an output holds for one article: done where it was cleaned (a worker), so
    the writing process only writes. `fields` limits a record to those Article fields."""
    if fmt == "txt":
        return (article.text + "\n").encode("utf-8") if article.text else b""
    record: dict[str, Any] = {"input": source}
    for key in fields or ARTICLE_FIELDS:
        record[key] = _plain(getattr(article, key))
    # orjson: json.dumps took 63 us a JSONL record (its indented output for json far longer), a
    # twentieth of cleaning a text; orjson 7. JSONL records are compact: no space after , and :.
    if fmt == "json":  # the same bytes as json.dumps(record, ensure_ascii=False, indent=2)
        return orjson.dumps(record, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)
    return orjson.dumps(record, option=orjson.OPT_APPEND_NEWLINE)


REMOVAL_FIELDS = tuple(f.name for f in dataclasses.fields(Removal))


def _plain(value: Any) -> Any:
    """An Article field as JSON data, the same as Article.to_dict() gives it: dataclasses.asdict
    deep-copies every value, which was a quarter of the time of a text document's run."""
    if isinstance(value, list):
        if value and isinstance(value[0], Removal):
            return [{key: getattr(item, key) for key in REMOVAL_FIELDS} for item in value]
        return list(value)
    if isinstance(value, dict):
        return dict(value)
    return value


# --- run state ----------------------------------------------------------------------------


def _previous_state(out_dir: Path, fingerprint: str, fmt: Format) -> dict[str, Any] | None:
    """The record of the last complete run into out_dir, if made with these rules and format.
    A stale record is deleted before any output is written: otherwise outputs of an
    interrupted run with other rules could later pass as made by the recorded rules."""
    path = out_dir / STATE_FILE
    state = _read_json_object(path)
    if state and state.get("fingerprint") == fingerprint and state.get("format") == fmt:
        return state
    path.unlink(missing_ok=True)
    return None


# --- output writers -----------------------------------------------------------------------


class _Writer(Protocol):
    def output_file(self, job: Input) -> Path | None: ...  # its own output file, if it gets one
    def is_up_to_date(self, job: Input) -> bool: ...
    def written_text(self, job: Input) -> str | None: ...  # an up-to-date record's text, if it holds one
    def start(self) -> None: ...
    def write(self, job: Input, payload: bytes) -> None: ...  # from serialize()
    def drop(self, job: Input) -> None: ...  # the input failed
    def finish(self) -> dict[str, Any]: ...  # returns what to add to the run state
    def close(self) -> None: ...  # also after an interruption
    def cleanup(self) -> None: ...  # after the run state is written


class _TreeWriter:
    """json and txt: one output file per input, mirroring the input tree. Files reach their
    names in batches, each flushed to the disk first (cleaner.storage.BatchedFiles)."""

    def __init__(self, out_dir: Path, fmt: Format, valid_since: int):
        self.out_dir, self.fmt, self.valid_since = out_dir, fmt, valid_since
        self.files = BatchedFiles(out_dir / PENDING_FOLDER)

    def output_file(self, job: Input) -> Path:
        rel = Path(job.rel)
        suffix = input_suffix(rel) or rel.suffix
        stem = rel.name[: len(rel.name) - len(suffix)]
        return self.out_dir / rel.parent / f"{stem}.{self.fmt}"

    def is_up_to_date(self, job: Input) -> bool:
        out_mtime, in_mtime = _mtime_ns(self.output_file(job)), _mtime_ns(job.path)
        if out_mtime is None or in_mtime is None:
            return False
        # strictly after the start: an output of the same clock tick may predate it
        return out_mtime >= in_mtime and (out_mtime > self.valid_since or self.valid_since == 0)

    def written_text(self, job: Input) -> str | None:
        try:
            data = self.output_file(job).read_bytes()
            if self.fmt == "txt":
                return data.decode("utf-8").removesuffix("\n") or None
            return _record_text(data)
        except (OSError, ValueError):  # ValueError: not UTF-8, not JSON
            return None

    def start(self) -> None:
        self.files.open()

    def write(self, job: Input, payload: bytes) -> None:
        path = self.output_file(job)
        check_target(path)
        self.files.write(path, payload)

    def drop(self, job: Input) -> None:
        pass  # a stale output of a now failing input is left alone; the failure is reported

    def finish(self) -> dict[str, Any]:
        self.files.flush()
        return {}

    def close(self) -> None:
        self.files.close()

    def cleanup(self) -> None:
        pass


class _JsonlWriter:
    """jsonl: records streamed into articles.jsonl.part, merged into articles.jsonl at the end
    (cleaner.storage.JsonlParts: the resume shared with scrape). A record stays valid while
    its input exists and was not modified after its run started."""

    def __init__(self, out_dir: Path, fingerprint: str, state: dict[str, Any] | None):
        previous = state.get("started_ns") if state else None
        self.parts = JsonlParts(
            out_dir / JSONL_FILE,
            key_of=_record_input,
            run=fingerprint,
            final_valid_since=previous if isinstance(previous, int) else None,
            still_valid=_input_unchanged_since,
        )

    def output_file(self, job: Input) -> None:
        return None

    def is_up_to_date(self, job: Input) -> bool:
        return self.parts.has(job.source)

    def written_text(self, job: Input) -> str | None:
        try:
            data = self.parts.read(job.source)
            return _record_text(data) if data is not None else None
        except (OSError, ValueError):
            return None

    def start(self) -> None:
        self.parts.start()

    def write(self, job: Input, payload: bytes) -> None:
        self.parts.add(job.source, payload)

    def drop(self, job: Input) -> None:
        self.parts.drop(job.source)

    def finish(self) -> dict[str, Any]:
        self.parts.finish(sorted(self.parts.record_keys()))
        return {"started_ns": self.parts.started_ns}

    def close(self) -> None:
        self.parts.close()

    def cleanup(self) -> None:
        self.parts.remove_part()


def _record_text(data: bytes) -> str | None:
    """The text of a json or jsonl record; None when it has none (--fields without text)."""
    text = orjson.loads(data).get("text") if data.lstrip().startswith(b"{") else None
    return text if isinstance(text, str) and text else None


def _record_input(record: dict[str, Any], file: Path, offset: int) -> str | None:
    source = record.get("input")
    return source if isinstance(source, str) else None


def _input_unchanged_since(source: str, valid_since: int) -> bool:
    in_mtime = _input_mtime(source)
    return in_mtime is not None and in_mtime <= valid_since


# --- cleaning, in-process or in a pool ----------------------------------------------------


@dataclass(frozen=True, slots=True)
class Limits:
    """What applies to every document of a run, in whichever process cleans it."""

    max_bytes: int = MAX_BYTES
    timeout: float | None = DEFAULT_TIMEOUT  # seconds per document
    fields: tuple[str, ...] | None = None  # the Article fields json/jsonl records keep (None: all)
    dedup: Mode | None = None  # which fingerprint workers compute


def _attempt(cleaner: Cleaner, source: Source, name: str, fmt: Format, limits: Limits) -> Outcome:
    def clean() -> Article:
        return clean_source(cleaner, source, max_bytes=limits.max_bytes)

    def finish(article: Article) -> Cleaned:
        payload = serialize(name, article, fmt, limits.fields)
        found = fingerprint(article.text, limits.dedup) if limits.dedup else None
        return Cleaned(payload, Facts.of(article, found))

    return clean_one(clean, finish, limits.timeout)


_worker_cleaner: Cleaner | None = None


def _init_worker(cleaner: Cleaner, log_level: int | None) -> None:
    global _worker_cleaner  # noqa: PLW0603  # a worker process's own state, set once by the pool
    _worker_cleaner = cleaner  # unpickled once per worker: its rules are compiled once
    if log_level is not None:  # the CLI's logging (-v/-q, inputs named in warnings), as in the parent
        logs.configure(log_level)


def _attempt_in_worker(source: Source, name: str, fmt: Format, limits: Limits) -> Outcome:
    assert _worker_cleaner is not None, "worker started without _init_worker"
    return _attempt(_worker_cleaner, source, name, fmt, limits)


HARD_TIMEOUT_GRACE = 10.0  # the pool stops a worker this long after the document's own budget
MAX_BATCH = 32


def _attempt_all(
    jobs: list[Input], cleaner: Cleaner, workers: int, fmt: Format, limits: Limits, memory_mb: float | None
) -> Generator[tuple[int, Outcome], None, None]:
    """(place in `jobs`, outcome) pairs, in completion order when workers > 1."""
    if workers <= 1 or len(jobs) <= 1:
        for index, job in enumerate(jobs):
            yield index, _attempt(cleaner, job.to_source(), job.source, fmt, limits)
        return
    hard = limits.timeout + HARD_TIMEOUT_GRACE if limits.timeout else None
    # Batches small enough that every worker gets several, large enough to make the hand-over cheap.
    batch = max(1, min(MAX_BATCH, len(jobs) // (workers * 8)))
    items = ((i, (job.to_source(), job.source, fmt, limits)) for i, job in enumerate(jobs))
    initargs = (cleaner, logs.configured_level())
    with WorkerPool(
        workers,
        _attempt_in_worker,
        _init_worker,
        initargs,
        hard_timeout=hard,
        memory_mb=memory_mb,
        batch_size=batch,
    ) as pool:
        for index, result in pool.map(items):
            yield index, Failed(result.reason) if isinstance(result, Lost) else result


def in_input_order(
    outcomes: Generator[tuple[int, Outcome], None, None],
) -> Generator[tuple[int, Outcome], None, None]:
    """The (place, outcome) pairs in the order of their places, each held back until those
    before it are out. Workers finish in any order; what waits is a few batches' records, or
    those finished while a slow document takes its time budget."""
    held: dict[int, Outcome] = {}
    following = 0
    with contextlib.closing(outcomes):  # closed early (an interruption): the workers stop too
        for index, outcome in outcomes:
            held[index] = outcome
            while following in held:
                yield following, held.pop(following)
                following += 1


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


AUTO_MIN_DOCS = 40  # below this, starting workers costs more than it saves


def _worker_count(workers: int | Literal["auto"], todo: int) -> int:
    """Never more workers than documents: each one starts a Python and compiles the rules."""
    cores = available_cores()
    if workers == "auto":
        return 1 if todo < AUTO_MIN_DOCS else min(cores, todo)
    count = max(1, min(workers, todo))
    if count > cores:
        logger.warning("%d workers on %d cores: they take turns, each with its own memory", count, cores)
    return count


# --- the runner ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BatchOptions:
    """How `run_batch` cleans and writes.

    fmt: json, jsonl or txt. workers: 1 cleans in this process; N > 1 starts N worker
    processes; "auto" one per available core (in this process when there is little to do).
    force: clean again what is up to date. progress: a progress bar on stderr. max_bytes: the
    largest input read. timeout: seconds one document may take (None: no limit). memory_mb:
    a worker over it is replaced. fields: the Article fields json/jsonl records keep ("input"
    is always kept; None: all). jsonl: the fields of JSONL inputs that hold the page, the
    text and the URL. dedup: mark records `duplicate_of` an earlier one with the same
    ("exact") or a near ("near", over dedup_threshold) text."""

    fmt: Format = "json"
    workers: int | Literal["auto"] = 1
    force: bool = False
    progress: bool = False
    max_bytes: int = MAX_BYTES
    timeout: float | None = DEFAULT_TIMEOUT
    memory_mb: float | None = DEFAULT_MEMORY_MB
    fields: tuple[str, ...] | None = None
    jsonl: JsonlFields | None = None
    dedup: Mode | None = None
    dedup_threshold: float = DEFAULT_THRESHOLD

    def __post_init__(self) -> None:
        if self.fields is not None:  # a list given: kept as a tuple, the form workers receive
            object.__setattr__(self, "fields", tuple(self.fields))
        unknown = sorted(set(self.fields or ()) - set(ARTICLE_FIELDS))
        if unknown:
            raise ValueError(f"unknown field(s) {', '.join(unknown)}; known: {', '.join(ARTICLE_FIELDS)}")
        if self.fmt not in FORMATS:
            raise ValueError(f"unknown format {self.fmt!r}; expected one of {', '.join(FORMATS)}")
        if self.workers != "auto" and self.workers < 1:
            raise ValueError("workers must be at least 1")

    @property
    def limits(self) -> Limits:
        return Limits(self.max_bytes, self.timeout, self.fields, self.dedup)


def run_batch(
    inputs: Iterable[str | Path],
    out_dir: str | Path,
    options: BatchOptions | None = None,
    cleaner: Cleaner | None = None,
) -> Summary:
    """Clean every input into out_dir (a folder, or a JSONL stream: see is_stream_target)
    with the default options or those given, and return what happened to each."""
    options = options or BatchOptions()
    if cleaner is None:
        from . import default_cleaner

        cleaner = default_cleaner()
    duplicates = DuplicateIndex(options.dedup, options.dedup_threshold) if options.dedup else None
    run = _Run(cleaner, options, duplicates)
    with tempfile.TemporaryDirectory(prefix="cleaner-staging-") as staging:  # .jsonl.gz, .jsonl.zst inflated
        if is_stream_target(out_dir):
            if options.fmt != "jsonl":
                raise ValueError(f"-o {out_dir} writes JSONL; format {options.fmt!r} needs an output folder")
            jobs = collect_inputs(
                inputs, jsonl=options.jsonl, staging=Path(staging), max_bytes=options.max_bytes
            )
            summary = Summary(total=len(jobs))
            stream = _StreamWriter(Path(out_dir))
            _clean_all(_plan(jobs, stream, summary, force=True), stream, summary, run)
            return summary
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        with exclusive_use(out):
            jobs = collect_inputs(
                inputs, exclude=out, jsonl=options.jsonl, staging=Path(staging), max_bytes=options.max_bytes
            )
            return _run_locked(jobs, out, options.force, run)


@dataclass(frozen=True, slots=True)
class _Run:
    """How this run cleans: the same for every output kind."""

    cleaner: Cleaner
    options: BatchOptions
    duplicates: DuplicateIndex | None

    @property
    def fmt(self) -> Format:
        return self.options.fmt

    @property
    def limits(self) -> Limits:
        return self.options.limits


def _run_locked(jobs: list[Input], out: Path, force: bool, run: _Run) -> Summary:
    fmt, limits = run.fmt, run.limits
    fingerprint = run.cleaner.rules.fingerprint
    if limits.fields is not None and fmt != "txt":  # records with other fields are other outputs
        fingerprint += ":fields=" + ",".join(limits.fields)
    if run.duplicates is not None:  # so are records marked for duplicates, or marked otherwise
        fingerprint += f":dedup={run.duplicates.mode}"
        fingerprint += f"@{run.duplicates.threshold}" if run.duplicates.mode == "near" else ""
    state = _previous_state(out, fingerprint, fmt)
    writer: _Writer
    if fmt == "jsonl":
        writer = _JsonlWriter(out, fingerprint, state)
    else:
        writer = _TreeWriter(out, fmt, _tree_valid_since(out, fingerprint, fmt, state))
    summary = Summary(total=len(jobs))
    extra = _clean_all(_plan(jobs, writer, summary, force=force), writer, summary, run)
    _write_state(
        out,
        {"fingerprint": fingerprint, "format": fmt, **extra, "complete": True, "counts": summary.counts()},
    )
    writer.cleanup()
    return summary


def _clean_all(plan: _Plan, writer: _Writer, summary: Summary, run: _Run) -> dict[str, Any]:
    todo = plan.todo
    count = _worker_count(run.options.workers, len(todo))
    logger.info("%d to clean, %s", len(todo), f"{count} workers" if count > 1 else "in process")
    try:
        writer.start()
        shown = run.options.progress
        bar = tqdm(total=len(todo), unit="doc", file=sys.stderr, disable=not shown, desc="cleaning")
        outcomes = _attempt_all(todo, run.cleaner, count, run.fmt, run.limits, run.options.memory_mb)
        # One file or stdout: the same bytes with any workers. Duplicates: the first in input
        # order is the original, not the first to finish, so two runs mark the same records.
        if isinstance(writer, _StreamWriter) or run.duplicates is not None:
            outcomes = in_input_order(outcomes)
        # closing: an interruption while a record is written stops the workers at once too
        with bar, contextlib.closing(outcomes):
            for index, outcome in outcomes:
                if run.duplicates is not None:  # in input order: index counts up from 0
                    _index_written(plan.before[index], writer, run.duplicates)
                _settle(todo[index], outcome, writer, summary, run.duplicates)
                bar.update()
        extra = writer.finish()
    finally:
        writer.close()
    summary.find_stale_rules(run.cleaner.rules)
    return extra


def _index_written(jobs: Sequence[Input], writer: _Writer, duplicates: DuplicateIndex) -> None:
    """Records written by an earlier, interrupted run, indexed at their place in input order:
    a resumed run marks what one uninterrupted run would (their text is read back from the
    output and fingerprinted here; --fields without text leaves them out)."""
    for job in jobs:
        if text := writer.written_text(job):
            duplicates.original_of(job.source, fingerprint(text, duplicates.mode))


def is_stream_target(out: str | Path) -> bool:
    """`-` (stdout) or a FILE.jsonl / .jsonl.gz / .jsonl.zst that is not a folder: one JSONL stream."""
    path = Path(out)
    return str(out) == "-" or (container_kind(path) == "jsonl" and not path.is_dir())


class _StreamWriter:
    """`-o FILE.jsonl[.gz|.zst]` or `-o -`: every record of the run, in input order (each
    names its input), into one file that appears complete at the end (compressed for .gz
    and .zst), or onto stdout as each is out. No resume: a stream has no per-input outputs
    to keep."""

    def __init__(self, target: Path):
        self.target = target
        self.stdout = str(target) == "-"
        self.tmp: Path | None = None
        self.fh: IO[bytes] | None = None
        self.raw: IO[bytes] | None = None

    def output_file(self, job: Input) -> None:
        return None

    def is_up_to_date(self, job: Input) -> bool:
        return False

    def written_text(self, job: Input) -> None:
        return None

    def start(self) -> None:
        if self.stdout:
            self.fh = sys.stdout.buffer
            return
        self.target.parent.mkdir(parents=True, exist_ok=True)
        self.tmp = self.target.with_name(f".{self.target.name}.{secrets.token_hex(8)}.tmp")
        self.raw = self.tmp.open("xb")
        self.fh = compressed.writer(self.raw, self.target.name)

    def write(self, job: Input, payload: bytes) -> None:
        assert self.fh is not None
        self.fh.write(payload)
        if self.stdout:
            self.fh.flush()  # a reader downstream gets each record as it is done

    def drop(self, job: Input) -> None:
        pass

    def finish(self) -> dict[str, Any]:
        if self.stdout or self.fh is None or self.raw is None or self.tmp is None:
            return {}
        if self.fh is not self.raw:
            self.fh.close()  # the compressed stream's end
        self.raw.flush()
        os.fsync(self.raw.fileno())
        self.raw.close()
        self.tmp.replace(self.target)
        self.tmp = None
        return {}

    def close(self) -> None:
        if self.stdout:
            return
        for stream in (self.fh, self.raw):
            if stream is not None and not stream.closed:
                stream.close()
        if self.tmp is not None:  # not finished: interrupted
            self.tmp.unlink(missing_ok=True)

    def cleanup(self) -> None:
        pass


def _write_state(out: Path, state: dict[str, Any]) -> None:
    write_atomic(out / STATE_FILE, json.dumps(state, indent=2) + "\n")


def _tree_valid_since(out: Path, fingerprint: str, fmt: Format, state: dict[str, Any] | None) -> int:
    """json/txt: outputs written after this time (ns) were made with the current rules.
    A run with new rules records its start before writing anything, so a rerun after an
    interruption keeps what it finished; older outputs are never taken for new ones."""
    if state is not None:  # a run with these rules, complete or interrupted
        return int(state.get("started_ns", 0))  # a record without it: a complete run of an earlier version
    started = filesystem_now(out)
    _write_state(out, {"fingerprint": fingerprint, "format": fmt, "started_ns": started, "complete": False})
    return started


@contextlib.contextmanager
def exclusive_use(out: Path) -> Iterator[None]:
    """Hold an exclusive lock on the output folder for the whole run: a second run into the
    same folder would interleave its records with ours and replace our results."""
    if fcntl is None:  # not on a POSIX system: no advisory locks
        yield
        return
    fd = os.open(out, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise CleanerError(
                f"output folder {out} is in use by another cleaner run; "
                "wait for it to end or use another folder"
            ) from None
        yield
    finally:
        os.close(fd)  # releases the lock


@dataclass
class _Plan:
    todo: list[Input] = field(default_factory=list)  # the inputs to clean now
    # before[k]: the inputs skipped as up to date between todo[k - 1] and todo[k], in input
    # order: what a duplicate index must have seen when todo[k] is settled
    before: list[Sequence[Input]] = field(default_factory=list)


def _plan(jobs: list[Input], writer: _Writer, summary: Summary, *, force: bool) -> _Plan:
    """The inputs to clean now; the rest are counted as failed or skipped."""
    plan, skipped = _Plan(), []
    claimed: dict[Path, str] = {}  # output file -> input writing it (json/txt)
    for job in jobs:
        problem = job.problem or _collision(job, writer, claimed)
        if problem:
            summary.add_failure(job.source, problem)
        elif not force and writer.is_up_to_date(job):
            summary.skipped += 1
            skipped.append(job)
        else:
            plan.todo.append(job)
            plan.before.append(skipped or ())  # one empty tuple for all: a million inputs have a place each
            skipped = []
    return plan


def _collision(job: Input, writer: _Writer, claimed: dict[Path, str]) -> str | None:
    """Two folders can hold the same relative path; the second must not overwrite the first's output."""
    target = writer.output_file(job)
    if target is None:
        return None
    if target in claimed:
        return f"output {target} is already written for {claimed[target]}"
    claimed[target] = job.source
    return None


def _settle(
    job: Input, outcome: Outcome, writer: _Writer, summary: Summary, duplicates: DuplicateIndex | None
) -> None:
    if isinstance(outcome, Cleaned):
        outcome = _write(job, outcome, writer, summary, duplicates)
        if isinstance(outcome, Cleaned):
            summary.add_facts(outcome.facts)
            return
    if outcome.detail:
        logger.debug("%s failed:\n%s", job.source, outcome.detail)
    writer.drop(job)
    summary.add_failure(job.source, outcome.reason)


def _write(
    job: Input, cleaned: Cleaned, writer: _Writer, summary: Summary, duplicates: DuplicateIndex | None
) -> Outcome:
    payload = cleaned.payload
    original = duplicates.original_of(job.source, cleaned.facts.fingerprint) if duplicates else None
    if original is not None:
        payload = mark_duplicate(payload, original)
        summary.duplicates += 1
    try:
        writer.write(job, payload)
    except (BrokenPipeError, FlushError):
        raise  # the reader of `-o -` left, or the output folder changed: no input's failure
    except OSError as exc:
        if exc.errno in OUTPUT_LOST:
            raise  # no later record could be written either: stop, keeping what was written
        return Failed(f"cannot write output: {exc.strerror or exc}")
    return cleaned
