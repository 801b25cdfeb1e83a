"""Fetching against a real HTTP server on 127.0.0.1: retries, limits, robots.txt, politeness,
the archive and its manifest, resuming, WARC output, an interrupted run."""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import logging
import signal
import socket
import sqlite3
import struct
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import pairwise
from pathlib import Path

import httpx
import pytest

from cleaner import Cleaner, Fetcher, FetchError, FetchSettings
from cleaner.archive import ARCHIVE_MANIFEST, Archive, ManifestRow
from cleaner.fetch import _retry_after_seconds
from cleaner.scrape import FetchOptions, run_fetch
from cleaner.sniff import sniff_html, sniff_type

from .conftest import REPO

# --- a local site -------------------------------------------------------------------------

Route = Callable[["_Handler", int], None]  # (handler, 1-based hit number of its path) -> writes the response


class LocalSite:
    """A real HTTP/1.1 server (keep-alive) on 127.0.0.1 in a background thread. Counts
    requests per path, the 2xx responses it completed, and when each request arrived."""

    def __init__(self, routes: dict[str, Route]):
        self.routes = routes
        self.hits: Counter[str] = Counter()
        self.served: Counter[str] = Counter()
        self.arrivals: list[tuple[float, str]] = []  # (time.monotonic(), path)
        self.in_flight = 0
        self.max_in_flight = 0
        self.healed = False  # once set, the misbehaving routes serve a page instead
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        handler = type("Handler", (_Handler,), {"site": self})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.server.request_queue_size = 64
        self._thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    def __enter__(self) -> LocalSite:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_port}{path}"

    def arrive(self, path: str) -> int:
        with self._lock:
            self.hits[path] += 1
            self.arrivals.append((time.monotonic(), path))
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            return self.hits[path]

    def leave(self) -> None:
        with self._lock:
            self.in_flight -= 1


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as real servers do
    disable_nagle_algorithm = True  # headers and body are two writes: no delayed-ACK stalls
    timeout = 10  # an idle keep-alive connection's thread ends
    site: LocalSite

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        hit = self.site.arrive(path)
        try:
            self.site.routes.get(path, not_found)(self, hit)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up: expected for some routes
            self.close_connection = True
        finally:
            self.site.leave()

    def log_message(self, format: str, *args: object) -> None:
        pass


def respond(
    handler: _Handler,
    status: int,
    body: bytes = b"",
    content_type: str | None = "text/html; charset=utf-8",
    headers: dict[str, str] | None = None,
) -> None:
    handler.send_response(status)
    if content_type:
        handler.send_header("Content-Type", content_type)
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)
    handler.wfile.flush()
    if 200 <= status < 300:
        handler.site.served[handler.path] += 1


def not_found(handler: _Handler, hit: int) -> None:
    respond(handler, 404, b"not found", "text/plain")


def page(body: bytes, content_type: str | None = "text/html; charset=utf-8") -> Route:
    return lambda handler, hit: respond(handler, 200, body, content_type)


def fails_then(times: int, status: int, then: Route, headers: dict[str, str] | None = None) -> Route:
    def route(handler: _Handler, hit: int) -> None:
        if hit <= times:
            respond(handler, status, b"try again", "text/plain", headers)
        else:
            then(handler, hit)

    return route


def stalls(then: Route) -> Route:
    """Says nothing (past any read timeout) until the site is healed."""

    def route(handler: _Handler, hit: int) -> None:
        if handler.site.healed:
            then(handler, hit)
            return
        handler.site.stopping.wait(5)
        handler.close_connection = True

    return route


def resets(then: Route) -> Route:
    """Reads the request, then resets the connection without a response, until healed."""

    def route(handler: _Handler, hit: int) -> None:
        if handler.site.healed:
            then(handler, hit)
            return
        handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        handler.connection.close()  # linger 0: the close sends RST
        handler.close_connection = True

    return route


def endless(size: int, *, declare: bool) -> Route:
    """A body of `size` bytes: with Content-Length, or chunked without it."""

    def route(handler: _Handler, hit: int) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        chunk = b"<p>" + b"x" * 16_000 + b"</p>\n"
        if declare:
            handler.send_header("Content-Length", str(size))
            handler.end_headers()
            for _ in range(size // len(chunk)):
                handler.wfile.write(chunk)
        else:
            handler.send_header("Transfer-Encoding", "chunked")
            handler.end_headers()
            for _ in range(size // len(chunk)):
                handler.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            handler.wfile.write(b"0\r\n\r\n")
        handler.close_connection = True

    return route


def redirect(to: str, status: int = 302) -> Route:
    return lambda handler, hit: respond(handler, status, b"", None, {"Location": to})


def robots(text: str) -> Route:
    return page(text.encode(), "text/plain")


@pytest.fixture
def site_factory() -> Iterator[Callable[[dict[str, Route]], LocalSite]]:
    sites: list[LocalSite] = []

    def make(routes: dict[str, Route]) -> LocalSite:
        site = LocalSite(routes).__enter__()
        sites.append(site)
        return site

    yield make
    for site in sites:
        site.__exit__()


# --- pages --------------------------------------------------------------------------------

STORY = [
    "Pemerintah Kota Bandung mulai menerapkan sistem ganjil genap di lima ruas jalan utama pada Senin pagi.",
    "Kebijakan itu diambil setelah kemacetan di pusat kota meningkat tajam selama musim liburan sekolah.",
    "Kepala Dinas Perhubungan mengatakan pengawasan akan dilakukan oleh petugas gabungan di setiap simpang.",
    "Warga diminta memanfaatkan angkutan umum dan menyesuaikan jam berangkat kerja selama masa uji coba.",
]
CURLY = "Pemilik kafé “Kopi Tubruk” berkata: ‘Kami buka lagi’ – setelah renovasi selesai pekan lalu."


def article_page(n: int, *, charset: str | None = "utf-8", extra: str = "") -> str:
    meta = f'<meta charset="{charset}">' if charset else ""
    paragraphs = "".join(f"<p>{p}</p>" for p in [*STORY, extra] if p)
    return (
        f"<!DOCTYPE html><html><head>{meta}<title>Berita nomor {n} - Contoh</title></head><body>"
        '<nav><a href="/">Beranda</a><a href="/news">News</a></nav>'
        f"<article><h1>Berita nomor {n}</h1>{paragraphs}<p>Penulis: Rina Marlina</p></article>"
        "<footer><p>Copyright © 2024 Contoh Media.</p></footer></body></html>"
    )


def fixture_pages(limit: int = 3) -> dict[str, bytes]:
    """Saved HTML pages of the repo's fixtures, if there are any, served as they are."""
    found = sorted((REPO / "fixtures").glob("**/*.html"))[:limit]
    return {f"/fixture/{path.parent.name}/{path.name}": path.read_bytes() for path in found}


ARTICLES = {f"/article/{n}": article_page(n).encode() for n in (1, 2, 3)}
CP1252_PAGE = article_page(9, charset=None, extra=CURLY).encode("cp1252")
SETTINGS = FetchSettings(
    concurrency=8,
    per_host=8,
    min_delay=0,
    connect_timeout=2,
    read_timeout=0.5,
    max_bytes=256 * 1024,
    max_redirects=5,
    attempts=3,
    backoff_base=0.05,
    backoff_max=0.2,
    max_wait=2,
)
HUGE = 4 * SETTINGS.max_bytes


def awkward_site_routes() -> dict[str, Route]:
    article = page(ARTICLES["/article/1"])
    routes: dict[str, Route] = {
        "/robots.txt": robots("User-agent: *\nDisallow: /private/\n"),
        **{path: page(body) for path, body in ARTICLES.items()},
        "/moved": redirect("/article/3", 301),
        "/flaky": fails_then(2, 500, article),
        "/busy": fails_then(1, 429, article, {"Retry-After": "1"}),
        "/stall": stalls(article),
        "/reset": resets(article),
        "/huge": endless(HUGE, declare=False),
        "/huge-declared": endless(HUGE, declare=True),
        "/loop-a": redirect("/loop-b"),
        "/loop-b": redirect("/loop-a"),
        "/private/secret": article,
        "/doc.pdf": page(b"%PDF-1.4 not a page", "application/pdf"),
        "/untyped.pdf": page(b"%PDF-1.4 not a page", None),
        "/untyped.html": page(ARTICLES["/article/2"], None),
        "/missing": not_found,
        "/cp1252": page(CP1252_PAGE, "text/html; charset=windows-1252"),
        **{path: page(body, "text/html") for path, body in fixture_pages().items()},
    }
    for n in range(8):  # a redirect chain longer than max_redirects, without a loop
        routes[f"/chain/{n}"] = redirect(f"/chain/{n + 1}")
    return routes


def manifest(root: Path) -> dict[str, ManifestRow]:
    with Archive(root) as archive:
        return {row.url: row for row in archive.rows()}


def leftovers(root: Path) -> list[Path]:
    """Temporary or hidden files: what an interrupted or broken write would leave."""
    return [p for p in root.rglob("*") if p.name.startswith(".") or p.name.endswith((".tmp", ".part"))]


# --- the archive run ----------------------------------------------------------------------


def test_fetch_run_records_every_outcome_and_a_rerun_retries_only_failures(
    site_factory: Callable[[dict[str, Route]], LocalSite], tmp_path: Path
) -> None:
    site = site_factory(awkward_site_routes())
    # /article/3 is only reached through /moved; /loop-b and the chain only through redirects too.
    skip = ("/robots.txt", "/loop-b", "/article/3")
    paths = [p for p in site.routes if p not in skip and not p.startswith("/chain/")]
    urls = [site.url(p) for p in [*paths, "/chain/0"]]
    root = tmp_path / "archive"

    summary = run_fetch(urls, root, FetchOptions(settings=SETTINGS))

    rows = manifest(root)
    assert set(rows) == set(urls)

    def row(path: str) -> ManifestRow:
        return rows[site.url(path)]

    done = [
        "/article/1",
        "/article/2",
        "/moved",
        "/flaky",
        "/busy",
        "/untyped.html",
        "/cp1252",
        *fixture_pages(),
    ]
    assert sorted(p for p in paths if row(p).status == "done") == sorted(done)
    assert row("/moved").final_url == site.url("/article/3")
    assert (row("/flaky").attempts, row("/busy").attempts) == (3, 2)
    assert (row("/cp1252").charset, row("/cp1252").content_type) == ("windows-1252", "text/html")

    failures = {
        p: (row(p).reason, row(p).attempts) for p in [*paths, "/chain/0"] if row(p).status == "failed"
    }
    assert failures == {
        "/stall": ("read timeout", 3),
        "/reset": ("connection reset", 3),
        "/huge": (f"too large: over {SETTINGS.max_bytes} bytes", 1),
        "/huge-declared": (f"too large: {HUGE} bytes declared (limit {SETTINGS.max_bytes})", 1),
        "/loop-a": ("redirect loop", 1),
        "/missing": ("HTTP 404", 1),
        "/chain/0": ("too many redirects", 1),
    }
    assert row("/missing").http_status == 404
    assert (row("/private/secret").status, row("/private/secret").reason) == (
        "disallowed",
        "disallowed by robots.txt",
    )
    assert (row("/doc.pdf").status, row("/doc.pdf").content_type) == ("skipped-non-html", "application/pdf")
    assert (row("/untyped.pdf").status, row("/untyped.pdf").reason) == (
        "skipped-non-html",
        "not HTML: application/pdf",
    )

    # Server side: each page served once, retries where they belong, nothing disallowed asked for.
    bodies = {**ARTICLES, "/flaky": ARTICLES["/article/1"], "/busy": ARTICLES["/article/1"]}
    bodies |= {"/untyped.html": ARTICLES["/article/2"], "/cp1252": CP1252_PAGE, **fixture_pages()}
    assert {p: site.served[p] for p in bodies} == dict.fromkeys(bodies, 1)
    assert site.hits["/robots.txt"] == 1
    assert site.hits["/private/secret"] == 0
    assert (site.hits["/flaky"], site.hits["/busy"], site.hits["/stall"], site.hits["/reset"]) == (3, 2, 3, 3)
    assert (site.hits["/missing"], site.hits["/doc.pdf"], site.hits["/loop-a"], site.hits["/loop-b"]) == (
        1,
        1,
        1,
        1,
    )
    assert sum(site.hits[f"/chain/{n}"] for n in range(8)) == SETTINGS.max_redirects + 1

    # The archive: a gzipped page and a URL sidecar per done URL, nothing else, no temp files.
    for url, entry in rows.items():
        if entry.status != "done":
            assert entry.path is None
            continue
        assert entry.path is not None
        stored = gzip.decompress((root / entry.path).read_bytes())
        path = "/article/3" if url == site.url("/moved") else url.removeprefix(site.url(""))
        assert stored == bodies[path]
        assert (entry.sha256, entry.bytes) == (hashlib.sha256(stored).hexdigest(), len(stored))
        sidecar = root / entry.path.replace(".html.gz", ".url")
        assert sidecar.read_text(encoding="utf-8").strip() == entry.final_url
        assert entry.fetched_at.endswith("+00:00")
    pages = list((root / "pages").rglob("*.html.gz"))
    assert len(pages) == len(done)  # each with its .url sidecar, and a .charset one when the header named it
    assert len(list((root / "pages").rglob("*.url"))) == len(done)
    assert leftovers(root) == []
    assert (summary.fetched, len(summary.failed), summary.non_html, summary.disallowed) == (
        len(done),
        7,
        2,
        1,
    )
    assert summary.bytes == sum(rows[site.url(p)].bytes or 0 for p in done)

    # Rerun: nothing for what is settled, another try for each failure (two of which now work).
    hits_before = site.hits.copy()
    site.healed = True
    again = run_fetch(urls, root, FetchOptions(settings=SETTINGS))
    new_hits = {
        path: count - hits_before[path] for path, count in site.hits.items() if count > hits_before[path]
    }
    # The 404 failed for good: it is settled too, until --retry-failed.
    retried = {"/stall", "/reset", "/huge", "/huge-declared", "/loop-a", "/loop-b"}
    assert set(new_hits) - {"/robots.txt"} - {f"/chain/{n}" for n in range(8)} == retried
    assert again.skipped == len(done) + 4  # the done pages, two non-HTML ones, the disallowed one, the 404
    rows = manifest(root)
    assert (row("/stall").status, row("/reset").status) == ("done", "done")
    assert row("/missing").status == "failed" and row("/missing").permanent
    assert site.hits["/missing"] == 1
    assert leftovers(root) == []
    run_fetch([site.url("/missing")], root, FetchOptions(settings=SETTINGS, retry_failed=True))
    assert site.hits["/missing"] == 2

    # A third run over the same URLs, all of them now settled or failing for good, minus those:
    settled = [u for u in urls if rows[u].status != "failed"]
    hits_before = site.hits.copy()
    third = run_fetch(settled, root, FetchOptions(settings=SETTINGS))
    assert site.hits == hits_before  # not even robots.txt
    assert third.skipped == len(settled)


def test_header_charset_is_recorded_and_decodes_the_page(
    site_factory: Callable[[dict[str, Route]], LocalSite], cleaner: Cleaner
) -> None:
    site = site_factory({"/cp1252": page(CP1252_PAGE, "text/html; charset=windows-1252")})
    result = Fetcher(FetchSettings(min_delay=0)).fetch(site.url("/cp1252"))
    assert (result.status, result.charset) == ("done", "windows-1252")
    assert result.body == CP1252_PAGE
    article = cleaner.clean_html(result.body, url=result.final_url, encoding=result.charset)
    assert CURLY in article.paragraphs


# --- politeness and robots.txt ------------------------------------------------------------


def test_requests_to_one_host_are_spaced_by_min_delay(
    site_factory: Callable[[dict[str, Route]], LocalSite],
) -> None:
    site = site_factory(
        {"/robots.txt": robots("User-agent: *\nAllow: /\n"), **{p: page(b) for p, b in ARTICLES.items()}}
    )
    settings = FetchSettings(concurrency=8, per_host=1, min_delay=0.2, attempts=1)
    urls = [site.url(p) for p in ARTICLES] + [site.url(p) + "?again" for p in ARTICLES]

    async def fetch_all() -> list[str]:
        return [result.status async for result in Fetcher(settings).fetch_many(urls)]

    assert asyncio.run(fetch_all()) == ["done"] * len(urls)
    times = sorted(t for t, _ in site.arrivals)
    assert len(times) == len(urls) + 1  # and robots.txt
    gaps = [later - earlier for earlier, later in pairwise(times)]
    # Starts are 0.2 s apart; an arrival lags its start by the time the server takes to pick
    # it up, so one gap may shrink under load (0.056 s was seen in a full test run) while the
    # span cannot: unspaced, these 11 requests arrive within a few hundredths of a second.
    assert times[-1] - times[0] >= 0.2 * len(gaps) - 0.15, gaps
    assert site.max_in_flight == 1


def test_robots_crawl_delay_is_obeyed(site_factory: Callable[[dict[str, Route]], LocalSite]) -> None:
    site = site_factory(
        {
            "/robots.txt": robots("User-agent: *\nCrawl-delay: 1\n"),
            **{p: page(b) for p, b in ARTICLES.items()},
        }
    )
    settings = FetchSettings(concurrency=4, per_host=4, min_delay=0, attempts=1)

    async def fetch_two() -> None:
        async for result in Fetcher(settings).fetch_many([site.url("/article/1"), site.url("/article/2")]):
            assert result.ok

    asyncio.run(fetch_two())
    pages = sorted(t for t, path in site.arrivals if path.startswith("/article/"))
    assert pages[1] - pages[0] >= 0.9


@pytest.mark.parametrize(
    ("robots_route", "status", "reason", "page_hits"),
    [
        (
            fails_then(99, 503, not_found),
            "failed",
            "robots.txt unreachable",
            0,
        ),  # RFC 9309: 5xx disallows all
        (not_found, "done", None, 1),  # 4xx allows all
        (
            robots("User-agent: cleaner\nDisallow: /\n\nUser-agent: *\nAllow: /\n"),
            "disallowed",
            "disallowed by robots.txt",
            0,
        ),
    ],
    ids=["robots-503", "robots-404", "robots-names-cleaner"],
)
def test_robots_txt_outcomes(
    site_factory: Callable[[dict[str, Route]], LocalSite],
    robots_route: Route,
    status: str,
    reason: str | None,
    page_hits: int,
) -> None:
    site = site_factory({"/robots.txt": robots_route, "/article/1": page(ARTICLES["/article/1"])})
    result = Fetcher(SETTINGS).fetch(site.url("/article/1"))
    assert (result.status, result.reason) == (status, reason)
    assert site.hits["/article/1"] == page_hits


def test_ignore_robots_fetches_without_asking(
    site_factory: Callable[[dict[str, Route]], LocalSite], tmp_path: Path
) -> None:
    site = site_factory(
        {"/robots.txt": robots("User-agent: *\nDisallow: /\n"), "/article/1": page(ARTICLES["/article/1"])}
    )
    root = tmp_path / "archive"
    run_fetch([site.url("/article/1")], root, FetchOptions(settings=SETTINGS))
    assert manifest(root)[site.url("/article/1")].status == "disallowed"
    # A disallowed URL is settled while robots.txt is obeyed, and fetched once it is not.
    ignoring = FetchSettings(**{**_fields(SETTINGS), "respect_robots": False})
    summary = run_fetch([site.url("/article/1")], root, FetchOptions(settings=ignoring))
    assert summary.fetched == 1
    assert site.hits["/robots.txt"] == 1 and site.hits["/article/1"] == 1
    assert manifest(root)[site.url("/article/1")].status == "done"


def _fields(settings: FetchSettings) -> dict[str, object]:
    return {name: getattr(settings, name) for name in settings.__dataclass_fields__}


# --- retries, logging, the library surface ------------------------------------------------


def test_retry_after_is_capped_by_max_wait(site_factory: Callable[[dict[str, Route]], LocalSite]) -> None:
    # A 20 s Retry-After with max_wait 0.1 s: the test would take 20 s if the cap were ignored.
    site = site_factory({"/busy": fails_then(1, 503, page(ARTICLES["/article/1"]), {"Retry-After": "20"})})
    settings = FetchSettings(min_delay=0, attempts=2, max_wait=0.1, respect_robots=False)
    result = Fetcher(settings).fetch(site.url("/busy"))
    assert (result.status, result.attempts) == ("done", 2)


def test_retry_after_parsing() -> None:
    now = datetime(2024, 6, 20, 8, 0, tzinfo=UTC)
    assert _retry_after_seconds("1") == 1.0
    assert _retry_after_seconds(format_datetime(now + timedelta(seconds=30), usegmt=True), now=now) == 30.0
    assert _retry_after_seconds(format_datetime(now - timedelta(seconds=30), usegmt=True), now=now) == 0.0
    assert _retry_after_seconds("soon") is None
    assert _retry_after_seconds(None) is None


def test_no_retry_on_other_4xx_and_every_attempt_is_logged(
    site_factory: Callable[[dict[str, Route]], LocalSite], caplog: pytest.LogCaptureFixture
) -> None:
    site = site_factory(
        {"/flaky": fails_then(2, 502, page(ARTICLES["/article/1"])), "/gone": fails_then(9, 410, not_found)}
    )
    caplog.set_level(logging.DEBUG, logger="cleaner.fetch")
    fetcher = Fetcher(FetchSettings(min_delay=0, attempts=3, backoff_base=0.05, respect_robots=False))
    assert fetcher.fetch(site.url("/flaky")).status == "done"
    gone = fetcher.fetch(site.url("/gone"))
    assert (gone.status, gone.reason, gone.attempts, site.hits["/gone"]) == ("failed", "HTTP 410", 1, 1)
    attempts = [r.getMessage() for r in caplog.records if "(attempt" in r.getMessage()]
    assert attempts == [f"GET {site.url('/flaky')} (attempt {n} of 3)" for n in (1, 2, 3)] + [
        f"GET {site.url('/gone')} (attempt 1 of 3)"
    ]
    assert sum("retrying in" in r.getMessage() for r in caplog.records) == 2


def test_fetch_many_with_an_injected_client(site_factory: Callable[[dict[str, Route]], LocalSite]) -> None:
    site = site_factory({p: page(b) for p, b in ARTICLES.items()})
    sent: list[str] = []

    async def note(request: httpx.Request) -> None:
        sent.append(request.url.path)

    async def run() -> tuple[list[str], bool]:
        async with httpx.AsyncClient(event_hooks={"request": [note]}) as client:
            fetcher = Fetcher(FetchSettings(min_delay=0), client=client)
            results = [r async for r in fetcher.fetch_many(site.url(p) for p in ARTICLES)]
            assert not client.is_closed  # the caller's client stays the caller's
            return sorted(r.final_url or "" for r in results if r.ok), client.is_closed

    done, _ = asyncio.run(run())
    assert done == sorted(site.url(p) for p in ARTICLES)
    assert sorted(sent) == ["/article/1", "/article/2", "/article/3", "/robots.txt"]
    assert "cleaner/" in Fetcher().settings.user_agent


def test_invalid_urls_fail_without_a_request() -> None:
    fetcher = Fetcher(FetchSettings(min_delay=0))
    assert fetcher.fetch("ftp://example.com/x").reason == "invalid URL: not an http(s) URL with a host"
    assert fetcher.fetch("not a url").status == "failed"


def test_settings_are_validated() -> None:
    with pytest.raises(ValueError, match="concurrency"):
        FetchSettings(concurrency=0)
    with pytest.raises(ValueError, match="min_delay"):
        FetchSettings(min_delay=-1)


def test_sniffing() -> None:
    assert sniff_html(b"\xef\xbb\xbf  <!DOCTYPE html><html>")
    assert sniff_html(b"\n<html lang='id'>")
    assert sniff_html(b"<p>hello</p>")
    assert not sniff_html(b"%PDF-1.7")
    assert not sniff_html(b"<pre>x</pre>")  # <p followed by "r": not a <p> tag
    assert not sniff_html(b'{"json": true}')
    assert sniff_type(b"%PDF-1.7") == "application/pdf"
    assert sniff_type(b"\x89PNG\r\n\x1a\n...") == "image/png"
    assert sniff_type(b"plain") is None


def test_a_foreign_manifest_is_refused(tmp_path: Path) -> None:
    with sqlite3.connect(tmp_path / ARCHIVE_MANIFEST) as db:
        db.execute("CREATE TABLE pages (x TEXT)")
    with pytest.raises(FetchError, match="not a cleaner manifest"):
        Archive(tmp_path)


# --- WARC ---------------------------------------------------------------------------------


def test_warc_holds_a_request_and_a_response_per_page(
    site_factory: Callable[[dict[str, Route]], LocalSite], tmp_path: Path
) -> None:
    from warcio.archiveiterator import ArchiveIterator

    site = site_factory(
        {**{p: page(b) for p, b in ARTICLES.items()}, "/doc.pdf": page(b"%PDF-1.4", "application/pdf")}
    )
    warc = tmp_path / "pages.warc.gz"
    urls = [site.url(p) for p in [*ARTICLES, "/doc.pdf", "/missing"]]
    run_fetch(urls, tmp_path / "archive", FetchOptions(settings=SETTINGS, warc=warc))
    run_fetch(
        urls, tmp_path / "archive", FetchOptions(settings=SETTINGS, warc=warc)
    )  # appends only what it fetched

    with warc.open("rb") as fh:
        records = [
            (r.rec_type, r.rec_headers.get_header("WARC-Target-URI"), r.content_stream().read())
            for r in ArchiveIterator(fh)
        ]
    assert [kind for kind, _, _ in records].count("warcinfo") == 2
    responses = {uri: body for kind, uri, body in records if kind == "response"}
    requests = [uri for kind, uri, _ in records if kind == "request"]
    assert responses == {site.url(p): body for p, body in ARTICLES.items()}
    assert sorted(requests) == sorted(responses)


# --- interruption -------------------------------------------------------------------------


def half_then_stall(body: bytes) -> Route:
    """Half the body, then silence until healed (or the site stops)."""

    def route(handler: _Handler, hit: int) -> None:
        if handler.site.healed:
            respond(handler, 200, body)
            return
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body[: len(body) // 2])
        handler.wfile.flush()
        handler.site.stopping.wait(30)
        handler.close_connection = True

    return route


def test_sigterm_leaves_no_partial_files_and_the_run_resumes(
    site_factory: Callable[[dict[str, Route]], LocalSite], tmp_path: Path
) -> None:
    site = site_factory(
        {**{p: page(b) for p, b in ARTICLES.items()}, "/slow": half_then_stall(ARTICLES["/article/1"])}
    )
    root = tmp_path / "archive"
    urls = [site.url(p) for p in [*ARTICLES, "/slow"]]
    command = [sys.executable, "-m", "cleaner", "fetch", *urls, "-o", str(root), "--quiet", "--delay", "0"]
    process = subprocess.Popen(
        [*command, "--read-timeout", "60"], cwd=REPO, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 30
        while site.hits["/slow"] == 0 and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.02)
        assert site.hits["/slow"] == 1, "the run never reached /slow"
        time.sleep(0.2)  # let it sit in the half-read body
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, stderr
    assert "interrupted" in stderr
    assert leftovers(root) == []
    rows = manifest(root)
    assert site.url("/slow") not in rows
    for entry in rows.values():
        assert entry.status == "done" and entry.path and (root / entry.path).is_file()

    site.healed = True
    hits_before = site.hits.copy()
    summary = run_fetch(urls, root, FetchOptions(settings=SETTINGS))
    assert summary.skipped == len(rows)
    assert all(
        site.hits[url.removeprefix(site.url(""))] == hits_before[url.removeprefix(site.url(""))]
        for url in rows
    )
    assert {row.status for row in manifest(root).values()} == {"done"}
    assert leftovers(root) == []


def test_a_full_manifest_stops_the_fetch_with_the_archive_named(tmp_path: Path) -> None:
    """sqlite's "database or disk is full" (here its own page limit, a real SQLITE_FULL) was
    a traceback; it is now an OSError naming the manifest, which the command reports as
    "cannot write to ARCHIVE" (exit 2)."""
    from cleaner.fetch import FetchResult

    with Archive(tmp_path / "arch") as archive:
        pages = archive._db.execute("PRAGMA page_count").fetchone()[0]
        archive._db.execute(f"PRAGMA max_page_count = {pages}")
        big = FetchResult(url="https://contoh.id/" + "a" * 20_000, status="failed", fetched_at="2026-01-01")
        with pytest.raises(OSError, match=r"manifest\.sqlite: database or disk is full"):
            archive.store(big)
