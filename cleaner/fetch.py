"""Fetching pages over HTTP: the only network code of the package.

One async core on one shared httpx.AsyncClient; `Fetcher.fetch(url)` is a thin blocking
wrapper around it. Per URL:

  robots.txt (per origin, fetched once per run through the same client and limits; protego,
             RFC 9309: wildcards, `$`, the longest match deciding between Allow and Disallow)
  -> a polite slot (global concurrency, per-host concurrency, minimum delay per host)
  -> GET with retries (tenacity: connection errors, timeouts, 429 and 5xx; Retry-After honoured),
     each try within a total deadline
  -> redirects followed here, hop by hop, so each hop passes robots.txt and politeness too
  -> the body streamed and decompressed chunk by chunk up to max_bytes
  -> HTML or not (Content-Type, sniffed when missing).

Every URL ends in a FetchResult with a status (done, failed, skipped-non-html, disallowed)
and, unless done, a reason. A bad page is an outcome, never an exception.
`fetch_many(urls, any_type=True)` takes any content type (sitemaps, feeds) instead of HTML only.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import logging
import zlib
from collections.abc import AsyncGenerator, AsyncIterator, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal
from urllib.parse import urljoin, urlsplit, urlunsplit

import courlan
import httpx
from protego import Protego
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
    wait_random,
)

from .errors import describe
from .fetchsettings import FetchSettings
from .sniff import HTML_TYPES, UNKNOWN_TYPES, media_type, sniff_html, sniff_type

logger = logging.getLogger(__name__)

Status = Literal["done", "failed", "skipped-non-html", "disallowed"]
Purpose = Literal["page", "document", "robots"]  # document: any content type


REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
ROBOTS_MAX_BYTES = 500 * 1024  # RFC 9309 2.5: parse at least the first 500 KiB, ignore the rest
ROBOTS_MAX_REDIRECTS = 5  # RFC 9309 2.3.1.2
WINDOW_PER_SLOT = 4  # URLs in progress per concurrency slot: keeps slots busy, memory bounded
REASON_DISALLOWED = "disallowed by robots.txt"
REASON_ROBOTS_UNREACHABLE = "robots.txt unreachable"
REASON_REDIRECT_LOOP = "redirect loop"
REASON_TOO_MANY_REDIRECTS = "too many redirects"
# Final answers: a rerun does not ask again unless told to (--retry-failed). Other 4xx may be
# a block or a mistake of the moment; 429 and 5xx are retried within the run already.
PERMANENT_HTTP_STATUSES = frozenset({404, 410})
# We decode bodies ourselves, chunk by chunk, so we offer only what zlib decodes.
ACCEPT_ENCODING = "gzip, deflate"
DECODE_PIECE = 64 * 1024  # the most bytes one decompression step may produce
ALLOW_ALL = Protego.parse("")


# --- settings and results -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Exchange:
    """The last request and response of a fetch, as a WARC writer needs them."""

    method: str
    url: str
    request_headers: tuple[tuple[str, str], ...]
    http_version: str
    status_code: int
    reason_phrase: str
    response_headers: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class FetchResult:
    """What became of one URL."""

    url: str  # as asked for
    status: Status
    fetched_at: str  # UTC, ISO 8601
    reason: str | None = None  # why it is not done
    final_url: str | None = None  # after redirects
    http_status: int | None = None
    content_type: str | None = None  # media type as the server declared it, e.g. "text/html"
    charset: str | None = None  # from the Content-Type header; pass it to Cleaner.clean_html(encoding=...)
    body: bytes | None = field(default=None, repr=False)  # the page, for done results only
    attempts: int = 0  # tries of the request that decided the outcome
    exchange: Exchange | None = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        return self.status == "done"

    @property
    def permanent(self) -> bool:
        """A failure that asking again will not change (404, 410)."""
        return self.status == "failed" and self.http_status in PERMANENT_HTTP_STATUSES


# --- the fetcher --------------------------------------------------------------------------


class Fetcher:
    """Fetch pages politely. Immutable; each `fetch_many` call is one run with its own
    robots.txt cache and politeness state.

    `client`: an httpx.AsyncClient to use instead of one of our own (its transport, proxies,
    event hooks); it is not closed here, and must belong to the event loop fetch_many runs in.
    """

    def __init__(self, settings: FetchSettings | None = None, *, client: httpx.AsyncClient | None = None):
        self.settings = settings or FetchSettings()
        self._client = client

    def fetch(self, url: str) -> FetchResult:
        """Fetch one URL, blocking. Inside a running event loop, use fetch_many instead."""
        return asyncio.run(_first(self.fetch_many([url])))

    async def fetch_many(
        self, urls: Iterable[str], *, any_type: bool = False
    ) -> AsyncGenerator[FetchResult, None]:
        """One result per URL, in the order they finish. Closing the generator early (break
        inside `contextlib.aclosing`, cancellation) cancels the fetches still running.
        any_type: keep bodies of every content type (a sitemap, a feed), not HTML only."""
        async with self._open_run() as run:
            async for result in run.fetch_all(urls, "document" if any_type else "page"):
                yield result

    def session(self) -> contextlib.AbstractAsyncContextManager[FetchRun]:
        """One run for several rounds of fetching that share robots.txt and politeness state
        (discovery: robots.txt, then sitemaps, then the sitemaps they list):
        `async with fetcher.session() as run: async for r in run.fetch_all(urls, "document")`."""
        return self._open_run()

    @contextlib.asynccontextmanager
    async def _open_run(self) -> AsyncIterator[FetchRun]:
        if self._client is not None:
            yield FetchRun(self._client, self.settings)
            return
        limits = httpx.Limits(
            max_connections=self.settings.concurrency, max_keepalive_connections=self.settings.concurrency
        )
        hooks = {"response": [_check_redirect_target]}
        async with httpx.AsyncClient(limits=limits, follow_redirects=False, event_hooks=hooks) as client:
            yield FetchRun(client, self.settings)


async def _check_redirect_target(response: httpx.Response) -> None:
    """Judge a redirect's Location before httpx parses it: httpx builds the next request even
    when not following it, and fails on `javascript:` or `mailto:` with a bare InvalidURL that
    no longer says where the redirect pointed."""
    location = response.headers.get("location")
    if response.status_code in REDIRECT_CODES and location is not None:
        try:
            _redirect_target(str(response.request.url), location)
        except _Stopped as stop:
            stop.http_status = response.status_code
            raise


async def _first(results: AsyncGenerator[FetchResult, None]) -> FetchResult:
    async with contextlib.aclosing(results):
        async for result in results:
            return result
    raise AssertionError("fetch_many yielded no result")


# --- one run ------------------------------------------------------------------------------


class _Stopped(Exception):
    """A fetch that ended without a page: its status, reason and what the server last said."""

    def __init__(
        self,
        reason: str,
        *,
        status: Status = "failed",
        http_status: int | None = None,
        final_url: str | None = None,
        attempts: int = 0,
    ):
        super().__init__(reason)
        self.reason, self.status, self.http_status = reason, status, http_status
        self.final_url, self.attempts = final_url, attempts


class _RetryableStatus(Exception):
    """429 or 5xx: worth another try, after `retry_after` seconds when the server says so."""

    def __init__(self, status_code: int, retry_after: float | None):
        super().__init__(f"HTTP {status_code}")
        self.status_code, self.retry_after = status_code, retry_after


@dataclass(slots=True)
class _Reply:
    """One response, read as far as the fetch needs it."""

    url: str
    status_code: int
    exchange: Exchange
    content_type: str | None = None
    charset: str | None = None
    location: str | None = None  # absolute redirect target
    body: bytes | None = None
    is_html: bool = False
    sniffed_type: str | None = None
    attempts: int = 0


class _HostGate:
    """Politeness for one host: at most `per_host` requests at once, their starts `delay` apart."""

    def __init__(self, per_host: int, delay: float):
        self.slots = asyncio.Semaphore(per_host)
        self.delay = delay
        self.next_start = 0.0

    def wait_time(self, now: float) -> float:
        return max(0.0, self.next_start - now)

    def claim(self, now: float) -> None:
        self.next_start = now + self.delay

    def hold(self, seconds: float, now: float) -> None:
        """The host asked for a pause (Retry-After): no request to it before then."""
        self.next_start = max(self.next_start, now + seconds)


class FetchRun:
    """State of one fetch_many call or session: the client, the limits, the robots.txt cache."""

    def __init__(self, client: httpx.AsyncClient, settings: FetchSettings):
        self.client, self.settings = client, settings
        self.slots = asyncio.Semaphore(settings.concurrency)
        self.gates: dict[str, _HostGate] = {}
        self.robots: dict[str, Protego | None] = {}  # None: unreachable
        self.robots_locks: dict[str, asyncio.Lock] = {}
        self.timeout = httpx.Timeout(
            connect=settings.connect_timeout,
            read=settings.read_timeout,
            write=settings.read_timeout,
            pool=None,  # our semaphore keeps requests within the pool; waiting for it is not a fault
        )
        # Exponential backoff plus jitter, so retries of many tasks do not arrive together.
        self.backoff = wait_exponential(
            multiplier=settings.backoff_base, max=settings.backoff_max
        ) + wait_random(0, settings.backoff_base)

    async def fetch_all(self, urls: Iterable[str], purpose: Purpose) -> AsyncGenerator[FetchResult, None]:
        todo = iter(urls)
        window = self.settings.concurrency * WINDOW_PER_SLOT
        pending: set[asyncio.Task[FetchResult]] = set()
        try:
            while True:
                while len(pending) < window and (url := next(todo, None)) is not None:
                    pending.add(asyncio.create_task(self.fetch(url, purpose)))
                if not pending:
                    return
                done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    yield task.result()
        finally:
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)

    async def fetch(self, url: str, purpose: Purpose = "page") -> FetchResult:
        try:
            return await self._fetch(url, purpose)
        except Exception as exc:  # a bug hit by one URL must not stop a run of thousands
            logger.debug("unexpected error fetching %s", url, exc_info=True)
            return FetchResult(url, "failed", _utc_now(), reason=f"unexpected error: {describe(exc)}")

    async def _fetch(self, url: str, purpose: Purpose) -> FetchResult:
        problem = _url_problem(url)
        if problem:
            return FetchResult(url, "failed", _utc_now(), reason=problem)
        try:
            reply = await self._follow(url, purpose)
        except _Stopped as stop:
            return FetchResult(
                url,
                stop.status,
                _utc_now(),
                reason=stop.reason,
                final_url=stop.final_url,
                http_status=stop.http_status,
                attempts=stop.attempts,
            )
        return _page_result(url, reply, purpose)

    # --- redirects and robots.txt ---

    async def _follow(self, url: str, purpose: Purpose) -> _Reply:
        """GET url, following redirects ourselves: each hop is checked against robots.txt and
        waits for its host's turn, and a loop is recognised as one."""
        seen = {url}
        max_redirects = self.settings.max_redirects if purpose == "page" else ROBOTS_MAX_REDIRECTS
        for _ in range(max_redirects + 1):
            if purpose != "robots" and self.settings.respect_robots:
                await self._check_robots(url)
            reply = await self._get(url, purpose)
            if reply.location is None:
                return reply
            logger.debug("%s redirects (%d) to %s", url, reply.status_code, reply.location)
            if reply.location in seen:
                raise _Stopped(
                    REASON_REDIRECT_LOOP,
                    http_status=reply.status_code,
                    final_url=url,
                    attempts=reply.attempts,
                )
            seen.add(reply.location)
            url = reply.location
        raise _Stopped(
            REASON_TOO_MANY_REDIRECTS, http_status=reply.status_code, final_url=url, attempts=reply.attempts
        )

    async def _check_robots(self, url: str) -> None:
        rules = await self.robots_for(url)
        if rules is None:  # RFC 9309 2.3.1.4: an unreachable robots.txt means disallow all
            raise _Stopped(REASON_ROBOTS_UNREACHABLE, final_url=url)
        if not rules.can_fetch(url, self.settings.user_agent):
            raise _Stopped(REASON_DISALLOWED, status="disallowed", final_url=url)

    async def robots_for(self, url: str) -> Protego | None:
        origin = _origin(url)
        # One fetch per origin: the first task loads, the others wait on the lock and read the cache.
        async with self.robots_locks.setdefault(origin, asyncio.Lock()):
            if origin not in self.robots:
                self.robots[origin] = await self._load_robots(origin)
                self._apply_crawl_delay(url, self.robots[origin])
        return self.robots[origin]

    async def _load_robots(self, origin: str) -> Protego | None:
        robots_url = origin + "/robots.txt"
        try:
            reply = await self._follow(robots_url, "robots")
        except _Stopped as stop:
            logger.debug("%s: %s", robots_url, stop.reason)
            return None
        if 200 <= reply.status_code < 300:
            return Protego.parse((reply.body or b"").decode("utf-8", errors="replace"))
        if 400 <= reply.status_code < 500:
            return ALLOW_ALL  # RFC 9309 2.3.1.3: "unavailable" (404, 403, ...) means allow all
        logger.debug("%s: HTTP %d", robots_url, reply.status_code)
        return None

    def _apply_crawl_delay(self, url: str, rules: Protego | None) -> None:
        delay = rules.crawl_delay(self.settings.user_agent) if rules else None
        if delay:
            gate = self._gate(url)
            gate.delay = max(gate.delay, min(float(delay), self.settings.max_wait))

    # --- one request, retried ---

    async def _get(self, url: str, purpose: Purpose) -> _Reply:
        tries = 0
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.settings.attempts),
            wait=self._wait_before_retry,
            retry=retry_if_exception(_is_transient),
            before_sleep=lambda state: _log_retry(url, state),
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    tries = attempt.retry_state.attempt_number
                    reply = await self._get_once(url, purpose, tries)
        except _RetryableStatus as exc:
            raise _gave_up(url, tries, exc.args[0], http_status=exc.status_code) from exc
        except _Stopped as stop:
            stop.attempts = tries
            logger.debug("GET %s failed (%s) on attempt %d", url, stop.reason, tries)
            raise
        except httpx.HTTPError as exc:
            raise _gave_up(url, tries, _transport_reason(exc)) from exc
        except TimeoutError as exc:  # the total deadline: a trickling server gets no second try
            raise _gave_up(url, tries, f"deadline exceeded ({self.settings.deadline:g} s)") from exc
        reply.attempts = tries
        return reply

    def _wait_before_retry(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _RetryableStatus) and exc.retry_after is not None:
            return min(exc.retry_after, self.settings.max_wait)
        return self.backoff(state)

    async def _get_once(self, url: str, purpose: Purpose, attempt: int) -> _Reply:
        headers = {"User-Agent": self.settings.user_agent, "Accept-Encoding": ACCEPT_ENCODING}
        request = self.client.build_request("GET", url, headers=headers, timeout=self.timeout)
        async with self._polite_slot(url):
            logger.debug("GET %s (attempt %d of %d)", url, attempt, self.settings.attempts)
            # The read timeout restarts with every byte; the deadline bounds the whole request.
            async with asyncio.timeout(self.settings.deadline):
                try:
                    response = await self.client.send(request, stream=True, follow_redirects=False)
                except httpx.InvalidURL as exc:  # an injected client, without _check_redirect_target
                    raise _Stopped(f"redirect to an invalid URL: {exc}", final_url=url) from exc
                try:
                    return await self._read(response, purpose)
                finally:
                    await response.aclose()

    @contextlib.asynccontextmanager
    async def _polite_slot(self, url: str) -> AsyncIterator[None]:
        """Wait for the host's turn, then for a global slot. The host's turn is claimed only
        once the global slot is held, so requests start at least the host's delay apart, and
        no global slot is held while merely waiting for a host."""
        gate = self._gate(url)
        loop = asyncio.get_running_loop()
        async with gate.slots:
            while True:
                await asyncio.sleep(gate.wait_time(loop.time()))
                await self.slots.acquire()
                if gate.wait_time(loop.time()) == 0:  # nothing awaited since: no one claimed it meanwhile
                    gate.claim(loop.time())
                    break
                self.slots.release()
            try:
                yield
            finally:
                self.slots.release()

    def _gate(self, url: str) -> _HostGate:
        host = urlsplit(url).hostname or ""
        if host not in self.gates:
            self.gates[host] = _HostGate(self.settings.per_host, self.settings.min_delay)
        return self.gates[host]

    async def _read(self, response: httpx.Response, purpose: Purpose) -> _Reply:
        url = str(response.request.url)
        logger.debug("GET %s -> %d", url, response.status_code)
        if response.status_code == 429 or response.status_code >= 500:
            retry_after = _retry_after_seconds(response.headers.get("retry-after"))
            if retry_after is not None:
                loop = asyncio.get_running_loop()
                self._gate(url).hold(min(retry_after, self.settings.max_wait), loop.time())
            raise _RetryableStatus(response.status_code, retry_after)
        reply = _Reply(
            url,
            response.status_code,
            _exchange(response),
            content_type=_media_type(response) or None,
            charset=response.charset_encoding,
        )
        if response.status_code in REDIRECT_CODES and "location" in response.headers:
            reply.location = _redirect_target(url, response.headers["location"])
        elif 200 <= response.status_code < 300:
            try:
                await self._read_body(response, reply, purpose)
            except _Stopped as stop:  # too large
                stop.http_status, stop.final_url = response.status_code, url
                raise
        return reply

    async def _read_body(self, response: httpx.Response, reply: _Reply, purpose: Purpose) -> None:
        if purpose == "robots":
            reply.body = await _read_limited(response, ROBOTS_MAX_BYTES, truncate=True)
            return
        if purpose == "document":
            reply.body = await _read_limited(response, self.settings.max_bytes, truncate=False)
            return
        declared = reply.content_type or ""
        if declared not in UNKNOWN_TYPES and declared not in HTML_TYPES:
            return  # a PDF or an image: not worth downloading
        body = await _read_limited(response, self.settings.max_bytes, truncate=False)
        if declared in HTML_TYPES or sniff_html(body):
            reply.body, reply.is_html = body, True
        else:
            reply.sniffed_type = sniff_type(body)


def _page_result(url: str, reply: _Reply, purpose: Purpose) -> FetchResult:
    def result(status: Status, *, reason: str | None = None, body: bytes | None = None) -> FetchResult:
        return FetchResult(
            url,
            status,
            _utc_now(),
            reason=reason,
            body=body,
            final_url=reply.url,
            http_status=reply.status_code,
            content_type=reply.content_type,
            charset=reply.charset,
            attempts=reply.attempts,
            exchange=reply.exchange,
        )

    if not 200 <= reply.status_code < 300:  # 4xx (not 429), a redirect without Location, ...
        return result("failed", reason=f"HTTP {reply.status_code}")
    if purpose == "document":
        return result("done", body=reply.body)
    if not reply.is_html:
        kind = reply.content_type or reply.sniffed_type or "unknown type"
        return result("skipped-non-html", reason=f"not HTML: {kind}")
    return result("done", body=reply.body)


# --- helpers ------------------------------------------------------------------------------


async def _read_limited(response: httpx.Response, limit: int, *, truncate: bool) -> bytes:
    """The decoded body, streamed; past `limit` bytes it is cut (truncate) or abandoned.
    Decompression runs here, a bounded piece at a time, so that a small compressed body
    that inflates to gigabytes is stopped at the limit, not after it is in memory."""
    declared = response.headers.get("content-length", "")
    if not truncate and declared.isdigit() and int(declared) > limit:
        raise _Stopped(f"too large: {declared} bytes declared (limit {limit})")
    try:
        return await _read_decoded(response, limit, truncate=truncate)
    except UndecodableBody as exc:
        raise _Stopped(str(exc)) from exc


async def _read_decoded(response: httpx.Response, limit: int, *, truncate: bool) -> bytes:
    decoder = BodyDecoder(response.headers.get_list("content-encoding", split_commas=True))
    chunks: list[bytes] = []
    size = 0
    async for raw in response.aiter_raw():
        for piece in decoder.feed(raw):
            chunks.append(piece)
            size += len(piece)
            if size > limit:
                if truncate:
                    return b"".join(chunks)[:limit]
                raise _Stopped(f"too large: over {limit} bytes")
    for piece in decoder.finish():
        chunks.append(piece)
        size += len(piece)
        if size > limit and not truncate:
            raise _Stopped(f"too large: over {limit} bytes")
    return b"".join(chunks)[:limit]


class UndecodableBody(ValueError):
    """A body whose Content-Encoding is unknown or broken."""


class BodyDecoder:
    """Content-Encoding undone incrementally: each feed yields pieces of at most DECODE_PIECE
    bytes, however much the input inflates. Layers are undone in reverse order of listing."""

    def __init__(self, encodings: list[str]):
        layers = [e.strip().lower() for e in encodings if e.strip().lower() not in ("", "identity")]
        unknown = [e for e in layers if e not in ("gzip", "x-gzip", "deflate")]
        if unknown:
            raise UndecodableBody(f"unsupported Content-Encoding: {', '.join(unknown)}")
        self.layers = [_Inflater(e) for e in reversed(layers)]

    def feed(self, data: bytes) -> Iterator[bytes]:
        pieces: Iterable[bytes] = [data]
        for layer in self.layers:
            pieces = layer.feed_all(pieces)
        yield from (piece for piece in pieces if piece)

    def finish(self) -> Iterator[bytes]:
        """What the layers still hold at the end of the body, through the layers after them."""
        pieces: Iterable[bytes] = ()
        for layer in self.layers:
            pieces = layer.finish_all(pieces)
        yield from (piece for piece in pieces if piece)


class _Inflater:
    def __init__(self, encoding: str):
        self.gzip = encoding in ("gzip", "x-gzip")
        self.first = True
        self._new()

    def _new(self, wbits: int | None = None) -> None:
        self.inflate = zlib.decompressobj(wbits or (zlib.MAX_WBITS | 16 if self.gzip else zlib.MAX_WBITS))

    def feed_all(self, pieces: Iterable[bytes]) -> Iterator[bytes]:
        for piece in pieces:
            yield from self.feed(piece)

    def finish_all(self, pieces: Iterable[bytes]) -> Iterator[bytes]:
        yield from self.feed_all(pieces)
        try:
            yield self.inflate.flush()  # at most what one step left pending: a few hundred bytes
        except zlib.error as exc:
            raise UndecodableBody("undecodable response body") from exc

    def feed(self, data: bytes) -> Iterator[bytes]:
        try:
            while data:
                if self.inflate.eof:  # a second gzip member follows the first
                    if not self.gzip:
                        return
                    self._new()
                try:
                    out = self.inflate.decompress(data, DECODE_PIECE)
                except zlib.error:
                    if not (self.first and not self.gzip):
                        raise
                    self._new(-zlib.MAX_WBITS)  # "deflate" sent as a raw stream, as some servers do
                    out = self.inflate.decompress(data, DECODE_PIECE)
                self.first = False
                yield out
                data = self.inflate.unconsumed_tail or self.inflate.unused_data
        except zlib.error as exc:
            raise UndecodableBody("undecodable response body") from exc


def _is_transient(exc: BaseException) -> bool:
    return isinstance(
        exc, _RetryableStatus | httpx.TimeoutException | httpx.NetworkError | httpx.RemoteProtocolError
    )


def _log_retry(url: str, state: RetryCallState) -> None:
    exc = state.outcome.exception() if state.outcome else None
    wait = state.next_action.sleep if state.next_action else 0.0
    reason = exc.args[0] if isinstance(exc, _RetryableStatus) else _transport_reason(exc)
    logger.debug(
        "GET %s failed (%s) on attempt %d; retrying in %.2f s", url, reason, state.attempt_number, wait
    )


def _gave_up(url: str, tries: int, reason: str, *, http_status: int | None = None) -> _Stopped:
    logger.debug("GET %s failed (%s) on attempt %d; giving up", url, reason, tries)
    return _Stopped(reason, http_status=http_status, final_url=url, attempts=tries)


def _transport_reason(exc: BaseException | None) -> str:
    """A short, stable reason: the summary groups failures by it."""
    if isinstance(exc, httpx.ConnectTimeout):
        return "connect timeout"
    if isinstance(exc, httpx.ReadTimeout):
        return "read timeout"
    if isinstance(exc, httpx.TimeoutException):
        return "timeout"
    if isinstance(exc, httpx.ConnectError):
        return "cannot connect"
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError):
        return "connection reset"  # closed or reset by the server before a complete response
    if isinstance(exc, httpx.DecodingError):
        return "undecodable response body"
    return describe(exc) if exc is not None else "unknown transport error"


def _retry_after_seconds(value: str | None, *, now: datetime | None = None) -> float | None:
    """Retry-After as seconds from now: delta-seconds or an HTTP-date (RFC 9110 10.2.3)."""
    if not value or not value.strip():
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _media_type(response: httpx.Response) -> str:
    return media_type(response.headers.get("content-type"))


def _exchange(response: httpx.Response) -> Exchange:
    request = response.request
    return Exchange(
        method=request.method,
        url=str(request.url),
        request_headers=tuple(request.headers.items()),
        http_version=response.http_version,
        status_code=response.status_code,
        reason_phrase=response.reason_phrase,
        response_headers=tuple(response.headers.multi_items()),
    )


def _redirect_target(url: str, location: str) -> str:
    try:
        target = urljoin(url, location.strip())
        parts = urlsplit(target)
    except ValueError as exc:
        raise _Stopped(f"redirect to an invalid URL: {location!r}", final_url=url) from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise _Stopped(f"redirect to a non-HTTP URL: {location!r}", final_url=url)
    return urlunsplit(parts._replace(fragment=""))


def normalized_url(url: str) -> str:
    """One spelling per page (courlan): scheme and host lower-cased, the default port, tracking
    parameters (utm_*, fbclid, ...) and doubled slashes dropped, parameters sorted; and no
    fragment, which never reaches the server. A URL courlan cannot read is kept as it is."""
    try:
        normal = courlan.normalize_url(url.strip())
    except ValueError:
        return url
    return urlunsplit(urlsplit(normal)._replace(fragment=""))


def unique_urls(urls: Iterable[str]) -> dict[str, str]:
    """Normalised URL -> the first spelling given of it, in the order given."""
    found: dict[str, str] = {}
    for url in urls:
        found.setdefault(normalized_url(url), url)
    return found


def _url_problem(url: str) -> str | None:
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        return f"invalid URL: {exc}"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "invalid URL: not an http(s) URL with a host"
    return None


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.lower()}"


def _utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
