"""The fetcher against the standards, on 127.0.0.1: robots.txt as RFC 9309 reads it, one fetch
per page however its URL is spelt, a total deadline, bounded decompression, odd redirects,
sitemap and feed discovery, failures that are final."""

from __future__ import annotations

import gzip
import json
import re
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cleaner import Fetcher, FetchSettings
from cleaner.cli import main
from cleaner.discover import discover
from cleaner.fetch import BodyDecoder, UndecodableBody, normalized_url, unique_urls
from cleaner.scrape import FetchOptions, run_fetch

from .test_fetch import (
    ARTICLES,
    SETTINGS,
    LocalSite,
    Route,
    _Handler,
    manifest,
    not_found,
    page,
    redirect,
    respond,
    robots,
)

Factory = Callable[[dict[str, Route]], LocalSite]
ARTICLE = page(ARTICLES["/article/1"])


@pytest.fixture
def site_factory() -> Iterator[Factory]:
    sites: list[LocalSite] = []

    def make(routes: dict[str, Route]) -> LocalSite:
        sites.append(LocalSite(routes).__enter__())
        return sites[-1]

    yield make
    for site in sites:
        site.__exit__()


# --- robots.txt ---------------------------------------------------------------------------

ROBOTS = """User-agent: *
Disallow: /*.html$
Disallow: /*?amp
"""
ALLOW_ONLY_NEWS = """User-agent: *
Disallow: /
Allow: /news/
"""


@pytest.mark.parametrize(
    ("robots_txt", "path", "allowed"),
    [
        (ROBOTS, "/read/story.html", False),  # wildcard plus end anchor
        (ROBOTS, "/read/story.html?page=2", True),  # `$`: the rule ends at .html, this URL does not
        (ROBOTS, "/read/story.htmlx", True),
        (ROBOTS, "/read/story?amp=1", False),  # wildcard before a query
        (ROBOTS, "/read/story?page=1&amp=1", True),  # `?amp` must follow the path directly
        (ROBOTS, "/read/story", True),
        (ALLOW_ONLY_NEWS, "/news/", True),  # the longer Allow wins over Disallow: /
        (ALLOW_ONLY_NEWS, "/news/2024/story", True),
        (ALLOW_ONLY_NEWS, "/sport/story", False),
    ],
)
def test_robots_wildcards_end_anchor_and_allow_precedence(
    site_factory: Factory, robots_txt: str, path: str, allowed: bool
) -> None:
    site = site_factory({"/robots.txt": robots(robots_txt), path.split("?", maxsplit=1)[0]: ARTICLE})
    result = Fetcher(SETTINGS).fetch(site.url(path))
    assert result.status == ("done" if allowed else "disallowed"), result.reason
    assert site.hits[path.split("?", maxsplit=1)[0]] == (1 if allowed else 0)


# --- URL normalisation ----------------------------------------------------------------------


def test_normalisation_drops_fragments_tracking_case_and_double_slashes() -> None:
    base = "http://127.0.0.1:8000/read/story"
    spellings = [
        base + "#comments",
        base + "?utm_source=fb&utm_medium=social",
        "HTTP://127.0.0.1:8000/read/story",
        "http://127.0.0.1:8000//read/story",
    ]
    assert {normalized_url(url) for url in spellings} == {base}
    assert normalized_url(base + "?id=3&utm_source=x") == base + "?id=3"  # real parameters stay
    assert normalized_url(base + "?b=2&a=1") == normalized_url(base + "?a=1&b=2")
    assert unique_urls([*spellings, base]) == {base: spellings[0]}  # the first spelling is kept


def test_four_spellings_of_one_page_are_fetched_once(site_factory: Factory, tmp_path: Path) -> None:
    site = site_factory({"/robots.txt": not_found, "/read/story": ARTICLE})
    url = site.url("/read/story")
    spellings = [
        url + "#comments",
        url + "?utm_source=fb",
        url.replace("http://", "HTTP://"),
        url.replace("/read", "//read"),
    ]
    summary = run_fetch(spellings, tmp_path / "archive", FetchOptions(settings=SETTINGS))
    assert site.hits["/read/story"] == 1
    assert (summary.total, summary.duplicates, summary.fetched) == (1, 3, 1)
    rows = manifest(tmp_path / "archive")
    assert list(rows) == [url]
    assert rows[url].given_url == spellings[0]  # the URL as given, next to the normalised one


def test_scrape_writes_one_record_for_four_spellings_with_both_urls(
    site_factory: Factory, tmp_path: Path
) -> None:
    site = site_factory({"/robots.txt": not_found, "/read/story": ARTICLE})
    url = site.url("/read/story")
    spellings = [url + "?utm_source=fb", url + "#comments", url.replace("http://", "HTTP://")]
    out = tmp_path / "out.jsonl"
    assert main(["scrape", *spellings, "-o", str(out), "--quiet", "--delay", "0"]) == 0
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(r["input"], r["normalized_url"]) for r in records] == [(spellings[0], url)]
    assert site.hits["/read/story"] == 1


# --- the total deadline ----------------------------------------------------------------------


def trickles(handler: _Handler, hit: int) -> None:
    """A byte every 0.1 s: never silent for long, never done."""
    body = ARTICLES["/article/1"]
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    for byte in body:
        if handler.site.stopping.wait(0.1):
            break
        handler.wfile.write(bytes([byte]))
        handler.wfile.flush()
    handler.close_connection = True


def test_a_trickling_body_ends_at_the_deadline(site_factory: Factory) -> None:
    site = site_factory({"/slow": trickles})
    settings = FetchSettings(min_delay=0, read_timeout=0.5, deadline=1.0, attempts=3, respect_robots=False)
    started = time.monotonic()
    result = Fetcher(settings).fetch(site.url("/slow"))
    elapsed = time.monotonic() - started
    assert (result.status, result.reason) == ("failed", "deadline exceeded (1 s)")
    assert result.attempts == 1  # a server that trickles is not asked again within the run
    assert elapsed < 3


# --- bounded decompression --------------------------------------------------------------------


def encoded(body: bytes, encoding: str) -> Route:
    def route(handler: _Handler, hit: int) -> None:
        respond(handler, 200, body, "text/html", {"Content-Encoding": encoding})

    return route


BOMB = gzip.compress(gzip.compress(b"\0" * (64 * 1024 * 1024), 9), 9)  # 64 MiB in a few hundred bytes


def test_a_double_gzip_bomb_stops_at_max_bytes_without_inflating(site_factory: Factory) -> None:
    site = site_factory({"/bomb": encoded(BOMB, "gzip, gzip")})
    assert len(BOMB) < 2000
    tracemalloc.start()
    try:
        result = Fetcher(SETTINGS).fetch(site.url("/bomb"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (result.status, result.reason) == ("failed", f"too large: over {SETTINGS.max_bytes} bytes")
    assert peak < 8 * SETTINGS.max_bytes  # the limit and a few pieces, not 64 MiB


@pytest.mark.parametrize(
    ("body", "encoding"),
    [
        (gzip.compress(gzip.compress(ARTICLES["/article/2"])), "gzip, gzip"),
        (zlib.compress(ARTICLES["/article/2"]), "deflate"),
        (zlib.compress(ARTICLES["/article/2"])[2:-4], "deflate"),  # raw deflate, as some servers send it
        (gzip.compress(ARTICLES["/article/2"][:500]) + gzip.compress(ARTICLES["/article/2"][500:]), "gzip"),
        (ARTICLES["/article/2"], "identity"),
    ],
    ids=["gzip-gzip", "deflate", "raw-deflate", "two-members", "identity"],
)
def test_encoded_bodies_decode_to_the_page(site_factory: Factory, body: bytes, encoding: str) -> None:
    site = site_factory({"/robots.txt": not_found, "/page": encoded(body, encoding)})
    result = Fetcher(SETTINGS).fetch(site.url("/page"))
    assert result.ok, result.reason
    assert result.body == ARTICLES["/article/2"]


def test_broken_or_unknown_encodings_fail_with_a_reason(site_factory: Factory) -> None:
    site = site_factory(
        {"/robots.txt": not_found, "/br": encoded(b"\x1b\x00", "br"), "/junk": encoded(b"not gzip", "gzip")}
    )
    results = {r.url: r for r in _fetch_all([site.url("/br"), site.url("/junk")])}
    assert results[site.url("/br")].reason == "unsupported Content-Encoding: br"
    assert results[site.url("/junk")].reason == "undecodable response body"
    with pytest.raises(UndecodableBody):
        list(BodyDecoder(["gzip"]).feed(b"\x1f\x8bnonsense"))


def _fetch_all(urls: list[str]) -> list[object]:
    import asyncio

    async def collect() -> list[object]:
        return [r async for r in Fetcher(SETTINGS).fetch_many(urls)]

    return asyncio.run(collect())


# --- redirects ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "location",
    [
        "javascript:void(0)",
        "javascript: window.location='/x'",
        "mailto:a@b.c",
        "data:text/html,hi",
        "ftp://x/y",
    ],
)
def test_a_redirect_to_a_non_http_url_says_so(site_factory: Factory, location: str) -> None:
    site = site_factory({"/robots.txt": not_found, "/js": redirect(location)})
    result = Fetcher(SETTINGS).fetch(site.url("/js"))
    assert (result.status, result.reason) == ("failed", f"redirect to a non-HTTP URL: {location!r}")
    assert (result.http_status, result.final_url) == (302, site.url("/js"))


def test_a_redirect_to_an_unparsable_url_says_so(site_factory: Factory) -> None:
    site = site_factory({"/robots.txt": not_found, "/bad": redirect("http://[bad")})
    result = Fetcher(SETTINGS).fetch(site.url("/bad"))
    assert (result.status, result.reason) == ("failed", "redirect to an invalid URL: 'http://[bad'")


# --- permanent failures ------------------------------------------------------------------------


def test_scrape_records_404s_as_final_and_retries_them_on_request(
    site_factory: Factory, tmp_path: Path
) -> None:
    site = site_factory(
        {"/robots.txt": not_found, "/article/1": ARTICLE, "/gone": lambda h, n: respond(h, 410, b"")}
    )
    urls = [site.url("/article/1"), site.url("/missing"), site.url("/gone")]
    out = tmp_path / "out.jsonl"
    fast = ["--quiet", "--delay", "0", "--attempts", "1"]
    assert main(["scrape", *urls, "-o", str(out), *fast]) == 1
    failures = [json.loads(line) for line in (tmp_path / "out.failures.jsonl").read_text().splitlines()]
    assert {(f["url"], f["http_status"], f["permanent"]) for f in failures} == {
        (site.url("/missing"), 404, True),
        (site.url("/gone"), 410, True),
    }
    # A rerun: nothing is asked again, and the run is a success.
    assert main(["scrape", *urls, "-o", str(out), *fast]) == 0
    assert (site.hits["/missing"], site.hits["/gone"]) == (1, 1)
    assert main(["scrape", *urls, "-o", str(out), *fast, "--retry-failed"]) == 1
    assert (site.hits["/missing"], site.hits["/gone"]) == (2, 2)
    assert site.hits["/article/1"] == 1  # its record is there: never fetched again


# --- discovery ---------------------------------------------------------------------------------


def xml(text: str, content_type: str = "application/xml") -> Route:
    return page(text.encode(), content_type)


NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
NEWS_NS = 'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"'


def news_entry(path: str, when: str) -> str:
    return (
        f"<url><loc>{{base}}{path}</loc><news:news><news:publication><news:name>Contoh</news:name>"
        f"<news:language>id</news:language></news:publication>"
        f"<news:publication_date>{when}</news:publication_date><news:title>T</news:title></news:news></url>"
    )


def discovery_site(site_factory: Factory) -> LocalSite:
    routes: dict[str, Route] = {}
    site = site_factory(routes)
    base = site.url("")
    routes.update(
        {
            "/robots.txt": robots(f"User-agent: *\nDisallow: /private/\nSitemap: {base}/sitemap-index.xml\n"),
            "/sitemap-index.xml": xml(
                f'<?xml version="1.0"?><sitemapindex {NS}><sitemap><loc>{base}/news-sitemap.xml</loc></sitemap>'
                f"<sitemap><loc>{base}/old.xml.gz</loc></sitemap>"
                f"<sitemap><loc>{base}/private/sitemap.xml</loc></sitemap></sitemapindex>"
            ),
            "/news-sitemap.xml": xml(
                f'<?xml version="1.0"?><urlset {NS} {NEWS_NS}>'
                + (
                    news_entry("/news/today", "2024-06-20T08:50:00+07:00")
                    + news_entry("/news/yesterday", "2024-06-19T10:00:00+07:00")
                    + f"<url><loc>{base}/news/today#top</loc></url>"  # the same page again
                ).replace("{base}", base)
                + "</urlset>"
            ),
            "/old.xml.gz": page(
                gzip.compress(
                    f'<?xml version="1.0"?><urlset {NS}><url><loc>{base}/archive/2019</loc>'
                    f"<lastmod>2019-01-01</lastmod></url><url><loc>{base}/about</loc></url></urlset>".encode()
                ),
                "application/gzip",
            ),
            "/private/sitemap.xml": xml("<urlset/>"),
            "/": page(
                b'<html><head><link rel="alternate" type="application/rss+xml" href="/rss">'
                b'<link rel="alternate" type="application/atom+xml" href="/atom.xml"></head><body></body></html>'
            ),
            "/rss": xml(
                f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>{base}/</link>'
                f"<item><title>i</title><link>{base}/news/from-rss</link>"
                "<pubDate>Thu, 20 Jun 2024 09:00:00 +0700</pubDate></item></channel></rss>",
                "application/rss+xml",
            ),
            "/atom.xml": xml(
                '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>'
                f'<entry><title>e</title><link href="{base}/news/from-atom"/>'
                "<published>2024-05-01T00:00:00Z</published></entry></feed>",
                "application/atom+xml",
            ),
        }
    )
    return site


def test_discover_reads_robots_sitemaps_indexes_gzip_and_feeds(site_factory: Factory) -> None:
    site = discovery_site(site_factory)
    found = discover(site.url(""), settings=SETTINGS)
    listed = (
        "/news/today",
        "/news/yesterday",
        "/archive/2019",
        "/about",
        "/news/from-rss",
        "/news/from-atom",
    )
    assert sorted(found.urls) == sorted(site.url(path) for path in listed)  # /news/today#top merged
    by_url = {f.url: f for f in found.found}
    assert by_url[site.url("/news/today")].date == datetime.fromisoformat("2024-06-20T08:50:00+07:00")
    assert by_url[site.url("/archive/2019")].date == datetime(2019, 1, 1, tzinfo=UTC)
    assert found.failures == [(site.url("/private/sitemap.xml"), "disallowed by robots.txt")]
    assert site.hits["/private/sitemap.xml"] == 0


def test_discover_since_keeps_what_is_dated_on_or_after(site_factory: Factory) -> None:
    site = discovery_site(site_factory)
    since = datetime(2024, 6, 20, tzinfo=UTC)  # 2024-06-20 00:00 UTC
    found = discover(site.url(""), since=since, settings=SETTINGS)
    assert sorted(found.urls) == [site.url("/news/from-rss"), site.url("/news/today")]
    assert (found.older, found.undated) == (3, 1)  # yesterday, 2019, the Atom entry; /about has no date


def test_discover_command_and_scrape_by_sitemap(
    site_factory: Factory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = discovery_site(site_factory)
    for path in ("/news/today", "/news/yesterday", "/news/from-rss"):
        site.routes[path] = ARTICLE
    fast = ["--quiet", "--delay", "0", "--attempts", "1"]
    assert main(["discover", site.url(""), "--since", "2024-06-20", *fast]) == 1  # one sitemap is disallowed
    captured = capsys.readouterr()
    assert sorted(captured.out.splitlines()) == [site.url("/news/from-rss"), site.url("/news/today")]
    assert "Discovered 2 URLs" in captured.err and "disallowed by robots.txt" in captured.err

    out = tmp_path / "news.jsonl"
    sitemap = site.url("/news-sitemap.xml")
    assert main(["scrape", "--sitemap", sitemap, "--since", "2024-06-19", "-o", str(out), *fast]) == 0
    inputs = sorted(json.loads(line)["input"] for line in out.read_text().splitlines())
    assert inputs == [site.url("/news/today"), site.url("/news/yesterday")]


def test_fetch_by_feeds_with_since(
    site_factory: Factory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = discovery_site(site_factory)
    site.routes["/news/from-rss"] = ARTICLE
    feeds = ["--feed", site.url("/rss"), "--feed", site.url("/atom.xml")]  # repeatable
    archive = tmp_path / "archive"
    args = ["fetch", *feeds, "--since", "2024-06-01", "-o", str(archive), "--delay", "0", "--attempts", "1"]
    assert main(args) == 0
    assert list(manifest(archive)) == [site.url("/news/from-rss")]  # the Atom entry is from May
    assert "Discovered 1 URLs in 2 sitemaps and feeds (1 older than --since" in capsys.readouterr().err
    assert site.hits["/news/from-atom"] == 0


def test_sitemap_parser_warnings_name_the_sitemap(
    site_factory: Factory, capsys: pytest.CaptureFixture[str]
) -> None:
    routes: dict[str, Route] = {"/robots.txt": not_found}
    site = site_factory(routes)
    routes["/odd.xml"] = xml(
        f'<?xml version="1.0"?><urlset {NS}><url><loc>{site.url("/a")}</loc><priority>7</priority></url></urlset>'
    )
    assert main(["discover", "--sitemap", site.url("/odd.xml"), "--delay", "0"]) == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [site.url("/a")]
    assert re.search(rf"WARNING \[{re.escape(site.url('/odd.xml'))}\] usp\.\S+: .*7", captured.err), (
        captured.err
    )


def test_discover_without_a_site_or_documents_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["discover"]) == 2
    assert main(["discover", "x", "--since", "June"]) == 2
