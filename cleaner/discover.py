"""Finding article URLs: the sitemaps robots.txt names, (news) sitemaps and RSS/Atom feeds.

For a site: robots.txt's `Sitemap:` lines (else /sitemap.xml), and the feeds its home page
links (`<link rel="alternate" type="application/rss+xml">`); plus any sitemap or feed given.
Sitemap indexes are followed to the sitemaps they list, up to MAX_DOCUMENTS documents.
Every document comes through one Fetcher session, so robots.txt, politeness, the deadline
and max_bytes apply as to pages; a gzipped sitemap is inflated within max_bytes too.
ultimate-sitemap-parser reads each document: XML sitemaps (with the news extension), plain
text sitemaps, RSS and Atom.

A page's date is its news publication date, else its lastmod. With `since`, pages dated
before it are dropped, and so are undated ones (a filter by date cannot keep what it cannot
date); both counts are reported.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

from lxml import etree
from lxml import html as lxml_html

from . import logs
from .fetch import BodyDecoder, Fetcher, FetchResult, FetchRun, unique_urls
from .fetchsettings import FetchSettings

logger = logging.getLogger(__name__)

MAX_DOCUMENTS = 500  # sitemaps and feeds read in one discovery: an index of indexes stops here
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+xml")


@dataclass(frozen=True, slots=True)
class Found:
    url: str  # as the sitemap or feed lists it
    date: datetime | None  # timezone-aware; a date without a zone is taken as UTC
    source: str  # the sitemap or feed that listed it


@dataclass
class Discovery:
    found: list[Found] = field(default_factory=list)  # one per URL (normalised), in the order found
    documents: int = 0  # sitemaps and feeds read
    failures: list[tuple[str, str]] = field(default_factory=list)  # (document URL, reason)
    undated: int = 0  # dropped by `since`: no date
    older: int = 0  # dropped by `since`: dated before it
    truncated: bool = False  # MAX_DOCUMENTS reached

    @property
    def urls(self) -> list[str]:
        return [found.url for found in self.found]

    def render(self) -> str:
        line = f"Discovered {len(self.found)} URLs in {self.documents} sitemaps and feeds"
        if self.undated or self.older:
            line += f" ({self.older} older than --since and {self.undated} undated left out)"
        lines = [line]
        if self.truncated:
            lines.append(f"Stopped after {MAX_DOCUMENTS} documents.")
        lines += [f"  {url}: {reason}" for url, reason in self.failures]
        return "\n".join(lines)


def site_origin(site: str) -> str:
    """'kompas.com' or 'https://www.kompas.com/news' -> the origin, https when not said."""
    parts = urlsplit(site if "://" in site else f"https://{site}")
    return f"{parts.scheme}://{parts.netloc}"


def discover(
    site: str | None = None,
    *,
    sitemaps: Sequence[str] = (),
    feeds: Sequence[str] = (),
    since: datetime | None = None,
    settings: FetchSettings | None = None,
) -> Discovery:
    """Article URLs from a site's sitemaps and feeds and from the ones given. Blocking."""
    fetcher = Fetcher(settings or FetchSettings())
    return asyncio.run(_discover(fetcher, site, list(sitemaps) + list(feeds), since))


async def _discover(
    fetcher: Fetcher, site: str | None, documents: list[str], since: datetime | None
) -> Discovery:
    discovery = Discovery()
    async with fetcher.session() as run:
        if site is not None:
            documents += await _site_documents(run, site_origin(site))
        seen: set[str] = set()
        pages: list[Found] = []
        todo = list(unique_urls(documents))
        while todo and not discovery.truncated:
            room = MAX_DOCUMENTS - len(seen)
            discovery.truncated = len(todo) > room
            batch = todo[:room]
            seen.update(batch)
            todo = []
            async for result in run.fetch_all(batch, "document"):
                listed, subs = _read_document(result, fetcher.settings.max_bytes, discovery)
                pages += listed
                todo += [url for url in unique_urls(subs) if url not in seen and url not in todo]
    _keep_pages(discovery, pages, since)
    return discovery


async def _site_documents(run: FetchRun, origin: str) -> list[str]:
    """The sitemaps robots.txt names (else /sitemap.xml), then the feeds the home page links."""
    robots = await run.robots_for(origin + "/")
    named = list(robots.sitemaps) if robots is not None else []
    documents = named or [origin + "/sitemap.xml"]
    async for home in run.fetch_all([origin + "/"], "page"):
        if home.ok and home.body:
            documents += _feed_links(home.body, home.final_url or home.url)
        else:
            logger.info("%s: no home page to find feeds on (%s)", origin, home.reason)
    return documents


def _feed_links(page: bytes, base: str) -> list[str]:
    try:
        tree = lxml_html.fromstring(page)
    except (ValueError, etree.ParserError):
        return []
    found = tree.xpath("//link[@href][contains(concat(' ', normalize-space(@rel), ' '), ' alternate ')]")
    elements = found if isinstance(found, list) else []
    links = [link for link in elements if isinstance(link, lxml_html.HtmlElement)]
    return [
        urljoin(base, link.get("href") or "")
        for link in links
        if (link.get("type") or "").lower() in FEED_TYPES
    ]


def _read_document(
    result: FetchResult, max_bytes: int, discovery: Discovery
) -> tuple[list[Found], list[str]]:
    """(the pages a sitemap or feed lists, the sitemaps an index lists)."""
    from usp.objects.sitemap import AbstractIndexSitemap, InvalidSitemap  # on use: only discovery needs it
    from usp.tree import sitemap_from_str

    if not result.ok or result.body is None:
        discovery.failures.append((result.url, result.reason or "failed"))
        return [], []
    discovery.documents += 1
    try:
        text = _inflated(result.body, max_bytes).decode("utf-8", errors="replace")
    except ValueError as exc:
        discovery.failures.append((result.url, str(exc)))
        return [], []
    with logs.for_input(result.url):  # usp's warnings ("Invalid priority: 2") name the sitemap
        parsed = sitemap_from_str(text)
    if isinstance(parsed, InvalidSitemap):
        discovery.failures.append((result.url, f"not a sitemap or feed: {parsed.reason}"))
        return [], []
    if isinstance(parsed, AbstractIndexSitemap):
        return [], [sub.url for sub in parsed.sub_sitemaps]
    found = [Found(page.url, _page_date(page), result.url) for page in parsed.all_pages()]
    logger.info("%s: %d URLs", result.url, len(found))
    return found, []


def _inflated(body: bytes, max_bytes: int) -> bytes:
    """A sitemap.xml.gz is gzip inside the body (not a Content-Encoding): inflate it, bounded."""
    if not body.startswith(b"\x1f\x8b"):
        return body
    pieces, size = [], 0
    decoder = BodyDecoder(["gzip"])
    for piece in itertools.chain(decoder.feed(body), decoder.finish()):  # lazily: counted as it comes
        size += len(piece)
        if size > max_bytes:
            raise ValueError(f"too large: inflates to over {max_bytes} bytes")
        pieces.append(piece)
    return b"".join(pieces)


def _page_date(page: object) -> datetime | None:
    story = getattr(page, "news_story", None)
    when: datetime | None = (story.publish_date if story else None) or getattr(page, "last_modified", None)
    if when is None:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _keep_pages(discovery: Discovery, pages: Iterable[Found], since: datetime | None) -> None:
    seen: set[str] = set()
    for page in pages:
        key = next(iter(unique_urls([page.url])))
        if key in seen:
            continue
        seen.add(key)
        if since is not None and page.date is None:
            discovery.undated += 1
        elif since is not None and page.date is not None and page.date < since:
            discovery.older += 1
        else:
            discovery.found.append(page)
