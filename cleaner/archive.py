"""The page archive on disk, and the runs behind `cleaner fetch` and `cleaner scrape`.

Archive folder:

  DIR/manifest.sqlite               one row per URL (normalised): status, final URL, HTTP status,
                                    content type, charset, sha256, bytes, fetched_at (UTC), path,
                                    attempts, reason, the URL as given
  DIR/pages/<h[:2]>/<h>.html.gz     the page as served (after Content-Encoding), gzipped; h = sha1(url)
  DIR/pages/<h[:2]>/<h>.url         its final URL, so `cleaner clean DIR/pages` knows each page's URL

A page's files are written atomically before its manifest row, so a row marked done always
has its file; an interrupted run at worst fetches a page again. Everything is written by the
one task that consumes Fetcher.fetch_many, so neither SQLite nor the WARC file has concurrent
writers. A rerun skips what is settled (done, not HTML, disallowed while robots.txt is obeyed,
failed for good: 404 and 410 unless retry_failed) and retries the rest.

URLs are normalised (courlan: scheme and host lower-cased, default port, fragment, tracking
parameters such as utm_*, doubled slashes) and deduplicated before anything is fetched; each
is fetched once, under its normalised spelling, and the first spelling given is kept beside it.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import hashlib
import io
import json
import logging
import os
import sqlite3
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import astuple, dataclass, field, fields
from pathlib import Path
from types import TracebackType
from typing import IO, Any
from urllib.parse import urlsplit

from tqdm import tqdm

from . import logs
from .batch import JsonlLine, atomic_writer, jsonl_lines, parse_jsonl_line, write_atomic
from .core import Cleaner
from .errors import FetchError, InputError
from .fetch import (
    PERMANENT_HTTP_STATUSES,
    Fetcher,
    FetchResult,
    FetchSettings,
    Status,
    normalized_url,
    unique_urls,
)
from .inputs import read_html_bytes
from .models import Article

logger = logging.getLogger(__name__)

MANIFEST = "manifest.sqlite"
PAGES = "pages"
PAGE_SUFFIX = ".html.gz"
# Dropped from archived response headers: the body is stored decoded, in one piece.
HOP_BY_HOP_HEADERS = frozenset({"content-encoding", "transfer-encoding", "content-length"})


# --- the manifest -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ManifestRow:
    """What the archive knows about one URL."""

    url: str
    status: Status
    fetched_at: str
    final_url: str | None = None
    http_status: int | None = None
    content_type: str | None = None
    charset: str | None = None
    sha256: str | None = None
    bytes: int | None = None
    path: str | None = None  # relative to the archive folder
    attempts: int = 0
    reason: str | None = None
    given_url: str | None = None  # the URL as given, when its normalised spelling differs

    @property
    def permanent(self) -> bool:
        return self.status == "failed" and self.http_status in PERMANENT_HTTP_STATUSES

    @classmethod
    def of(cls, result: FetchResult, *, path: str | None = None, given: str | None = None) -> ManifestRow:
        body = result.body if result.status == "done" else None
        return cls(
            url=result.url,
            status=result.status,
            fetched_at=result.fetched_at,
            final_url=result.final_url,
            http_status=result.http_status,
            content_type=result.content_type,
            charset=result.charset,
            sha256=hashlib.sha256(body).hexdigest() if body is not None else None,
            bytes=len(body) if body is not None else None,
            path=path,
            attempts=result.attempts,
            reason=result.reason,
            given_url=given if given != result.url else None,
        )


COLUMNS = tuple(f.name for f in fields(ManifestRow))
SCHEMA = """
CREATE TABLE IF NOT EXISTS pages (
    url TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    fetched_at TEXT NOT NULL,
    final_url TEXT,
    http_status INTEGER,
    content_type TEXT,
    charset TEXT,
    sha256 TEXT,
    bytes INTEGER,
    path TEXT,
    attempts INTEGER NOT NULL,
    reason TEXT,
    given_url TEXT
)
"""


def page_name(url: str) -> str:
    """The archive file of a URL, relative to the archive folder."""
    digest = hashlib.sha1(url.encode("utf-8")).hexdigest()
    return f"{PAGES}/{digest[:2]}/{digest}{PAGE_SUFFIX}"


class Archive:
    """An archive folder: pages plus manifest. Use as a context manager (closes the manifest)."""

    def __init__(self, root: str | Path):
        self.root = Path(root)
        if self.root.exists() and not self.root.is_dir():
            raise FetchError(f"archive {self.root} exists and is not a folder")
        self.root.mkdir(parents=True, exist_ok=True)
        self._db = _open_manifest(self.root / MANIFEST)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def row(self, url: str) -> ManifestRow | None:
        found = self._db.execute(f"SELECT {', '.join(COLUMNS)} FROM pages WHERE url = ?", (url,)).fetchone()
        return ManifestRow(*found) if found else None

    def rows(self) -> Iterator[ManifestRow]:
        for found in self._db.execute(f"SELECT {', '.join(COLUMNS)} FROM pages ORDER BY url"):
            yield ManifestRow(*found)

    def is_settled(self, url: str, *, respect_robots: bool = True, retry_failed: bool = False) -> bool:
        """Whether a rerun has nothing left to do for this URL."""
        row = self.row(url)
        if row is None:
            return False
        if row.permanent:  # 404, 410: asking again changes nothing, unless told to
            return not retry_failed
        if row.status == "done":  # and its file is still there
            return row.path is not None and (self.root / row.path).is_file()
        if row.status == "disallowed":  # a run with --ignore-robots fetches it after all
            return respect_robots
        return row.status == "skipped-non-html"

    def store(self, result: FetchResult, *, given: str | None = None) -> ManifestRow:
        """Record a result: a done page's files first, then its manifest row."""
        row = ManifestRow.of(result, given=given)
        if result.status == "done" and result.body is not None:
            try:
                path = self._write_page(result.url, result.final_url, result.charset, result.body)
                row = ManifestRow.of(result, path=path, given=given)
            except OSError as exc:
                failed = _as_failed(result, f"cannot write page: {exc.strerror or exc}")
                row = ManifestRow.of(failed, given=given)
        placeholders = ", ".join("?" for _ in COLUMNS)
        with self._db:  # one transaction per row: a rerun never sees half of one
            self._db.execute(
                f"INSERT OR REPLACE INTO pages ({', '.join(COLUMNS)}) VALUES ({placeholders})", astuple(row)
            )
        return row

    def _write_page(self, url: str, final_url: str | None, charset: str | None, body: bytes) -> str:
        name = page_name(url)
        page = self.root / name
        stem = page.name.removesuffix(PAGE_SUFFIX)
        # Sidecars first: a page file never appears without them (`cleaner clean` reads them).
        write_atomic(page.with_name(stem + ".url"), (final_url or url) + "\n")
        if charset:  # the HTTP header's charset, which the page bytes alone may not tell
            write_atomic(page.with_name(stem + ".charset"), charset + "\n")
        with atomic_writer(page) as fh:
            fh.write(gzip.compress(body, compresslevel=6, mtime=0))
        return name


def _open_manifest(path: Path) -> sqlite3.Connection:
    try:
        db = sqlite3.connect(path, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")  # one small transaction per page: WAL keeps them cheap
        db.execute("PRAGMA synchronous=NORMAL")  # a lost last row after a power cut means one refetch
        db.execute(SCHEMA)
        found = tuple(row[1] for row in db.execute("PRAGMA table_info(pages)"))
        if found == COLUMNS[:-1]:  # a manifest from before given_url: add the column, keep the rows
            db.execute("ALTER TABLE pages ADD COLUMN given_url TEXT")
            found = COLUMNS
    except sqlite3.Error as exc:
        raise FetchError(f"{path}: not a usable manifest: {exc}") from exc
    if found != COLUMNS:
        db.close()
        raise FetchError(f"{path}: not a cleaner manifest (columns {', '.join(found)})")
    return db


def _as_failed(result: FetchResult, reason: str) -> FetchResult:
    return FetchResult(
        result.url,
        "failed",
        result.fetched_at,
        reason=reason,
        final_url=result.final_url,
        http_status=result.http_status,
        content_type=result.content_type,
        charset=result.charset,
        attempts=result.attempts,
    )


# --- WARC ---------------------------------------------------------------------------------


class WarcSink:
    """Request and response records of fetched pages, appended to one WARC file (gzipped per
    record). Each pair goes out in a single write, so an interruption cannot cut one in half.
    The response record holds the body as decoded by httpx, with Content-Encoding,
    Transfer-Encoding and Content-Length rewritten to match it."""

    def __init__(self, path: Path, *, software: str):
        from warcio.warcwriter import WARCWriter  # optional output: imported only when asked for

        self._writer_class = WARCWriter
        path.parent.mkdir(parents=True, exist_ok=True)
        self._fh = path.open("ab")
        writer, buffer = self._writer()
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": software}))
        self._flush(buffer)

    def _writer(self) -> tuple[Any, io.BytesIO]:
        buffer = io.BytesIO()
        return self._writer_class(buffer, gzip=True), buffer

    def _flush(self, buffer: io.BytesIO) -> None:
        self._fh.write(buffer.getvalue())
        self._fh.flush()

    def write(self, result: FetchResult) -> None:
        from warcio.statusandheaders import StatusAndHeaders

        exchange, body = result.exchange, result.body
        if exchange is None or body is None:
            return
        writer, buffer = self._writer()
        headers = [(k, v) for k, v in exchange.response_headers if k.lower() not in HOP_BY_HOP_HEADERS]
        headers.append(("Content-Length", str(len(body))))
        response = writer.create_warc_record(
            exchange.url,
            "response",
            payload=io.BytesIO(body),
            length=len(body),  # known lengths: warcio need not buffer the payload in a temp file
            http_headers=StatusAndHeaders(
                f"{exchange.status_code} {exchange.reason_phrase}", headers, protocol=exchange.http_version
            ),
        )
        parts = urlsplit(exchange.url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        request = writer.create_warc_record(
            exchange.url,
            "request",
            payload=io.BytesIO(b""),
            length=0,
            http_headers=StatusAndHeaders(
                f"{exchange.method} {target} {exchange.http_version}",
                list(exchange.request_headers),
                is_http_request=True,
            ),
        )
        writer.write_request_response_pair(request, response)
        self._flush(buffer)

    def close(self) -> None:
        self._fh.close()


@contextlib.contextmanager
def _open_warc(path: Path | None, settings: FetchSettings) -> Iterator[WarcSink | None]:
    if path is None:
        yield None
        return
    sink = WarcSink(path, software=settings.user_agent)
    try:
        yield sink
    finally:
        sink.close()


# --- the run summary ----------------------------------------------------------------------


@dataclass
class FetchSummary:
    total: int = 0  # distinct URLs, after normalisation
    duplicates: int = 0  # other spellings of those, merged
    fetched: int = 0
    skipped: int = 0  # settled in an earlier run (done, or failed for good)
    non_html: int = 0
    disallowed: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (url, reason)
    permanent: int = 0  # of the failed, those a rerun does not retry (404, 410)
    bytes: int = 0
    seconds: float = 0.0
    cleaned: int | None = None  # scrape only
    empty: int = 0  # cleaned pages with no body text left
    from_archive: int = 0  # cleaned from pages an earlier run archived

    @property
    def ok(self) -> bool:
        return not self.failed

    @property
    def pages_per_second(self) -> float:
        return self.fetched / self.seconds if self.seconds > 0 else 0.0

    def add(self, row: ManifestRow) -> None:
        if row.status == "done":
            self.fetched += 1
            self.bytes += row.bytes or 0
        elif row.status == "skipped-non-html":
            self.non_html += 1
        elif row.status == "disallowed":
            self.disallowed += 1
        else:
            self.failed.append((row.url, row.reason or "unknown"))
            self.permanent += row.permanent

    def add_article(self, article: Article) -> None:
        self.cleaned = (self.cleaned or 0) + 1
        if article.status == "empty":
            self.empty += 1

    def render(self) -> str:
        merged = f" (+{self.duplicates} other spellings merged)" if self.duplicates else ""
        final = f" ({self.permanent} for good: a rerun skips them)" if self.permanent else ""
        lines = [
            f"URLs: {self.total} total{merged}, {self.fetched} fetched ({_size(self.bytes)}), {self.skipped} "
            f"skipped (settled earlier), {self.non_html} not HTML, {self.disallowed} disallowed by "
            f"robots.txt, {len(self.failed)} failed{final}",
            f"Speed: {self.fetched} pages in {self.seconds:.1f} s, {self.pages_per_second:.1f} pages/s",
        ]
        if self.cleaned is not None:
            lines.append(
                f"Cleaned: {self.cleaned} pages ({self.from_archive} from the archive), "
                f"{self.empty} with an empty body"
            )
        if self.failed:
            reasons = Counter(reason for _, reason in self.failed)
            width = max(map(len, reasons))
            lines += ["", "Failures by reason:"]
            lines += [f"  {reason:<{width}}  {count:>6}" for reason, count in sorted(reasons.items())]
            lines += ["", f"Failures ({len(self.failed)}):"]
            lines += [f"  {url}: {reason}" for url, reason in sorted(self.failed)]
        return "\n".join(lines)


def _size(count: int) -> str:
    if count < 1000:
        return f"{count} bytes"
    if count < 1_000_000:
        return f"{count / 1000:.1f} KB"
    return f"{count / 1_000_000:.1f} MB"


def _progress(total: int, enabled: bool, desc: str) -> tqdm[Any]:
    return tqdm(total=total, unit="page", file=sys.stderr, disable=not enabled, desc=desc)


# --- cleaner fetch ------------------------------------------------------------------------


def run_fetch(
    urls: Sequence[str],
    out_dir: str | Path,
    *,
    settings: FetchSettings | None = None,
    warc: Path | None = None,
    progress: bool = False,
    retry_failed: bool = False,
) -> FetchSummary:
    """Fetch every URL not yet settled in the archive at out_dir; return what happened.
    retry_failed: also fetch again what failed for good (404, 410) in an earlier run."""
    settings = settings or FetchSettings()
    return asyncio.run(_fetch_into_archive(urls, Path(out_dir), settings, warc, progress, retry_failed))


async def _fetch_into_archive(
    given: Sequence[str],
    out_dir: Path,
    settings: FetchSettings,
    warc_path: Path | None,
    progress: bool,
    retry_failed: bool,
) -> FetchSummary:
    targets = unique_urls(given)
    summary = FetchSummary(total=len(targets), duplicates=len(set(given)) - len(targets))
    started = time.monotonic()
    with Archive(out_dir) as archive, _open_warc(warc_path, settings) as warc:
        todo = [
            url
            for url in targets
            if not archive.is_settled(url, respect_robots=settings.respect_robots, retry_failed=retry_failed)
        ]
        summary.skipped = len(targets) - len(todo)
        with _progress(len(todo), progress, "fetching") as bar:
            async with contextlib.aclosing(Fetcher(settings).fetch_many(todo)) as results:
                async for result in results:
                    _keep(result, archive, warc, summary, given=targets[result.url])
                    bar.update()
    summary.seconds = time.monotonic() - started
    return summary


def _keep(
    result: FetchResult,
    archive: Archive | None,
    warc: WarcSink | None,
    summary: FetchSummary,
    *,
    given: str | None = None,
) -> bool:
    """Archive a result, count it; True when it is a page to clean."""
    row = archive.store(result, given=given) if archive else ManifestRow.of(result, given=given)
    summary.add(row)
    logger.info("%s: %s%s", row.url, row.status, f" ({row.reason})" if row.reason else "")
    if row.status != "done":
        return False
    if warc:
        warc.write(result)
    return True


# --- cleaner scrape -----------------------------------------------------------------------


class FailureLog:
    """OUT.failures.jsonl beside scrape's OUT.jsonl: one line per URL that failed, with its
    reason, HTTP status and whether it failed for good (404, 410). A rerun skips those unless
    told to retry them; the others are retried. Rewritten atomically at the end of a run, and
    removed when nothing is left in it."""

    def __init__(self, out: Path):
        self.path = out.with_name(out.name.removesuffix(".jsonl") + ".failures.jsonl")
        self.entries: dict[str, dict[str, Any]] = {}
        for offset, line in jsonl_lines(self.path):
            entry = parse_jsonl_line(line)
            if not isinstance(entry.get("url"), str):
                raise FetchError(f"{self.path}: the line at byte {offset} is not a cleaner failure record")
            self.entries[entry["url"]] = entry

    def failed_for_good(self, url: str) -> bool:
        return bool(self.entries.get(url, {}).get("permanent"))

    def add(self, row: ManifestRow) -> None:
        self.entries[row.url] = {
            "url": row.url,
            "input": row.given_url or row.url,
            "reason": row.reason,
            "http_status": row.http_status,
            "permanent": row.permanent,
            "fetched_at": row.fetched_at,
        }

    def forget(self, url: str) -> None:
        self.entries.pop(url, None)

    def finish(self) -> None:
        if not self.entries:
            self.path.unlink(missing_ok=True)
            return
        lines = (json.dumps(self.entries[url], ensure_ascii=False) for url in sorted(self.entries))
        write_atomic(self.path, "".join(line + "\n" for line in lines))


class JsonlOutput:
    """The JSONL file of `cleaner scrape`, one record per URL. Records are appended to
    OUT.part as they come, flushed one by one, so an interrupted run keeps them; finish()
    writes OUT atomically from the previous OUT and the part, then removes the part. A URL
    with a record in either is done; its record is kept as it is. Records are known by the
    normalised spelling of their `input` URL."""

    def __init__(self, path: Path):
        self.path = path
        self.part_path = path.with_name(path.name + ".part")
        self.records: dict[str, JsonlLine] = {}  # url -> where its newest record sits
        self._index(self.path)
        self.part_end = self._index(self.part_path)
        self.part: IO[bytes] | None = None

    def _index(self, file: Path) -> int:
        end = 0
        for offset, line in jsonl_lines(file):
            url = parse_jsonl_line(line).get("input")
            if not isinstance(url, str):  # not ours: refuse rather than drop someone's data on finish
                raise FetchError(f"{file}: the line at byte {offset} is not a cleaner record")
            self.records[normalized_url(url)] = JsonlLine(file, offset, len(line))
            end = offset + len(line)
        return end

    def has(self, url: str) -> bool:
        return url in self.records

    def start(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.part_end:  # cut a line the interrupted run left half written, then append
            self.part = self.part_path.open("r+b")
            self.part.truncate(self.part_end)
            self.part.seek(self.part_end)
        else:
            self.part = self.part_path.open("wb")

    def add(self, url: str, record: dict[str, Any]) -> None:
        assert self.part is not None, "start() first"
        data = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
        offset = self.part.tell()
        self.part.write(data)
        self.part.flush()
        self.records[url] = JsonlLine(self.part_path, offset, len(data))

    def finish(self, order: Sequence[str]) -> None:
        """Write OUT: the records of `order` in that order, then any others it held before."""
        assert self.part is not None, "start() first"
        os.fsync(self.part.fileno())
        ordered = [url for url in order if url in self.records]
        ordered += [url for url in self.records if url not in set(ordered)]
        with atomic_writer(self.path) as out, contextlib.ExitStack() as stack:
            opened: dict[Path, IO[bytes]] = {}
            for url in ordered:
                line = self.records[url]
                if line.file not in opened:
                    opened[line.file] = stack.enter_context(line.file.open("rb"))
                opened[line.file].seek(line.offset)
                out.write(opened[line.file].read(line.length))
        self.close()
        self.part_path.unlink(missing_ok=True)

    def close(self) -> None:
        if self.part is not None:
            self.part.close()
            self.part = None


def run_scrape(
    urls: Sequence[str],
    out: str | Path,
    *,
    cleaner: Cleaner,
    settings: FetchSettings | None = None,
    archive_dir: str | Path | None = None,
    warc: Path | None = None,
    progress: bool = False,
    retry_failed: bool = False,
) -> FetchSummary:
    """Fetch and clean every URL without a record in `out` (JSONL), streaming: each page is
    cleaned as it arrives. With archive_dir, pages are archived too, and pages already
    archived are cleaned from there instead of fetched again. URLs that failed for good in
    an earlier run (OUT.failures.jsonl, or the archive's manifest) are skipped unless
    retry_failed."""
    settings = settings or FetchSettings()
    output = JsonlOutput(Path(out))
    failures = FailureLog(Path(out))
    archive = Archive(archive_dir) if archive_dir is not None else None
    run = _ScrapeRun(output, failures, archive, cleaner, settings, retry_failed)
    try:
        return asyncio.run(run.scrape(urls, warc, progress))
    finally:
        output.close()
        if archive:
            archive.close()


@dataclass
class _ScrapeRun:
    output: JsonlOutput
    failures: FailureLog
    archive: Archive | None
    cleaner: Cleaner
    settings: FetchSettings
    retry_failed: bool

    async def scrape(self, given: Sequence[str], warc_path: Path | None, progress: bool) -> FetchSummary:
        targets = unique_urls(given)
        summary = FetchSummary(total=len(targets), duplicates=len(set(given)) - len(targets), cleaned=0)
        started = time.monotonic()
        todo = [url for url in targets if not self.output.has(url) and not self._failed_for_good(url)]
        archived, to_fetch = self._split_by_archive(todo)
        summary.skipped = len(targets) - len(archived) - len(to_fetch)
        self.output.start()
        with (
            _open_warc(warc_path, self.settings) as warc,
            _progress(len(archived) + len(to_fetch), progress, "scraping") as bar,
        ):
            for row in archived:  # no network: what an earlier run archived
                assert self.archive is not None and row.path is not None
                outcome = _clean_file(
                    self.cleaner,
                    self.archive.root / row.path,
                    url=row.final_url or row.url,
                    encoding=row.charset,
                )
                self._write_record(summary, row.url, targets[row.url], outcome)
                summary.from_archive += 1
                bar.update()
            async with contextlib.aclosing(Fetcher(self.settings).fetch_many(to_fetch)) as results:
                async for result in results:
                    await self._take(result, targets[result.url], warc, summary)
                    bar.update()
        self.output.finish(list(targets))
        self.failures.finish()
        summary.seconds = time.monotonic() - started
        return summary

    async def _take(
        self, result: FetchResult, given: str, warc: WarcSink | None, summary: FetchSummary
    ) -> None:
        if not _keep(result, self.archive, warc, summary, given=given):
            if result.status == "failed":
                self.failures.add(ManifestRow.of(result, given=given))
            return
        assert result.body is not None
        # In a thread: cleaning is CPU work, and the event loop must keep serving the fetches.
        outcome = await asyncio.to_thread(
            _clean_page,
            self.cleaner,
            result.body,
            url=result.final_url or result.url,
            encoding=result.charset,
        )
        self._write_record(summary, result.url, given, outcome)

    def _failed_for_good(self, url: str) -> bool:
        return not self.retry_failed and self.failures.failed_for_good(url)

    def _split_by_archive(self, urls: list[str]) -> tuple[list[ManifestRow], list[str]]:
        """(pages to clean from the archive, URLs to fetch); settled URLs without a page are neither."""
        if self.archive is None:
            return [], urls
        archived: list[ManifestRow] = []
        to_fetch: list[str] = []
        for url in urls:
            settled = self.archive.is_settled(
                url, respect_robots=self.settings.respect_robots, retry_failed=self.retry_failed
            )
            if not settled:
                to_fetch.append(url)
            elif (row := self.archive.row(url)) is not None and row.status == "done":
                archived.append(row)
        return archived, to_fetch

    def _write_record(self, summary: FetchSummary, url: str, given: str, outcome: Article | str) -> None:
        """Append a record as `cleaner clean --format jsonl` makes it, with the URL as given as
        `input` and its normalised spelling as `normalized_url`."""
        if isinstance(outcome, str):
            summary.failed.append((url, outcome))
            return
        self.failures.forget(url)
        self.output.add(url, {"input": given, "normalized_url": url, **outcome.to_dict()})
        summary.add_article(outcome)


def _clean_file(cleaner: Cleaner, path: Path, *, url: str, encoding: str | None) -> Article | str:
    try:
        body = read_html_bytes(path)
    except InputError as exc:
        return f"cannot read the archived page: {exc.reason}"
    return _clean_page(cleaner, body, url=url, encoding=encoding)


def _clean_page(cleaner: Cleaner, body: bytes, *, url: str, encoding: str | None) -> Article | str:
    """The article, or why the page could not be cleaned."""
    try:
        with logs.for_input(url):  # library warnings name the page
            return cleaner.clean_html(body, url=url, encoding=encoding)
    except InputError as exc:
        return f"cannot clean: {exc.reason}"
    except Exception as exc:  # a bug hit by one page must not stop the run
        logger.debug("cleaning %s failed", url, exc_info=True)
        return f"cannot clean: unexpected error: {type(exc).__name__}: {exc}"
