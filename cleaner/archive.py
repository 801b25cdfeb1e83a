"""The page archive on disk (its manifest and page files) and WARC output. The runs that fill
them, `cleaner fetch` and `cleaner scrape`, are in cleaner.scrape.

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

import contextlib
import errno
import gzip
import hashlib
import io
import logging
import sqlite3
from collections.abc import Iterator
from dataclasses import astuple, dataclass, fields, replace
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

from .errors import FetchError
from .fetch import PERMANENT_HTTP_STATUSES, FetchResult, Status
from .fetchsettings import FetchSettings
from .storage import OUTPUT_LOST, atomic_writer, write_atomic

logger = logging.getLogger(__name__)

ARCHIVE_MANIFEST = "manifest.sqlite"  # not inputs.URLS_FILE, the urls.tsv beside input files
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
        self._db = _open_manifest(self.root / ARCHIVE_MANIFEST)

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
                if exc.errno in OUTPUT_LOST:
                    raise  # every later page would fail too: the fetch stops, the manifest kept
                failed = as_failed(result, f"cannot write page: {exc.strerror or exc}")
                row = ManifestRow.of(failed, given=given)
        placeholders = ", ".join("?" for _ in COLUMNS)
        insert = f"INSERT OR REPLACE INTO pages ({', '.join(COLUMNS)}) VALUES ({placeholders})"
        try:
            with self._db:  # one transaction per row: a rerun never sees half of one
                self._db.execute(insert, astuple(row))
        except sqlite3.OperationalError as exc:  # "database or disk is full": the archive is unusable
            raise OSError(errno.EIO, f"{self.root / ARCHIVE_MANIFEST}: {exc}") from exc
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


def as_failed(result: FetchResult, reason: str) -> FetchResult:
    """The same fetch, failed: without the page and the exchange it kept."""
    return replace(result, status="failed", reason=reason, body=None, exchange=None)


# --- WARC ---------------------------------------------------------------------------------


class WarcSink:
    """Request and response records of fetched pages, appended to one WARC file (gzipped per
    record). Each pair goes out in a single write, so an interruption cannot cut one in half.
    The response record holds the body as decoded by httpx, with Content-Encoding,
    Transfer-Encoding and Content-Length rewritten to match it."""

    def __init__(self, path: Path, *, software: str):
        # optional output: imported only when asked for; warcio ships no type information
        from warcio.warcwriter import WARCWriter

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
def open_warc(path: Path | None, settings: FetchSettings) -> Iterator[WarcSink | None]:
    if path is None:
        yield None
        return
    sink = WarcSink(path, software=settings.user_agent)
    try:
        yield sink
    finally:
        sink.close()
