"""`cleaner scrape` and `cleaner fetch` end to end, in-process through main(), against a local
server: scraping gives the same records as fetching and then cleaning the archive."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cleaner import Article, Cleaner
from cleaner.cli import main
from cleaner.scrape import ScrapeOptions, run_scrape

from .test_fetch import (
    ARTICLES,
    CP1252_PAGE,
    CURLY,
    SETTINGS,
    LocalSite,
    Route,
    fixture_pages,
    page,
    redirect,
    robots,
)

FAST = ["--quiet", "--delay", "0", "--backoff", "0.05", "--attempts", "2"]


@pytest.fixture
def site() -> Iterator[LocalSite]:
    routes: dict[str, Route] = {
        "/robots.txt": robots("User-agent: *\nDisallow: /private/\n"),
        **{path: page(body) for path, body in ARTICLES.items()},
        **{path: page(body, "text/html") for path, body in fixture_pages(limit=10).items()},
        "/moved": redirect("/article/3", 301),
        "/cp1252": page(CP1252_PAGE, "text/html; charset=windows-1252"),
        "/doc.pdf": page(b"%PDF-1.4", "application/pdf"),
        "/private/x": page(ARTICLES["/article/1"]),
    }
    with LocalSite(routes) as running:
        yield running


def page_urls(site: LocalSite) -> list[str]:
    """The fixture pages: articles (one reached through a redirect) and saved fixture HTML."""
    return [site.url(p) for p in ["/article/1", "/article/2", "/moved", "/cp1252", *fixture_pages(limit=10)]]


def records_by_url(path: Path) -> dict[str, dict[str, Any]]:
    """Records keyed by the page URL, without "input" (a URL for scrape, a file path for clean)
    and scrape's "normalized_url"."""
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    skip = {"input", "normalized_url"}
    return {record["url"]: {k: v for k, v in record.items() if k not in skip} for record in records}


def test_scrape_gives_what_clean_gives_over_the_archive(
    site: LocalSite, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    urls = page_urls(site)
    out, archive = tmp_path / "scraped.jsonl", tmp_path / "archive"
    assert main(["scrape", *urls, "-o", str(out), "--archive", str(archive), *FAST]) == 0
    assert f"URLs: {len(urls)} total, {len(urls)} fetched" in capsys.readouterr().out

    scraped = records_by_url(out)
    assert len(scraped) == len(urls)
    assert [json.loads(line)["input"] for line in out.read_text(encoding="utf-8").splitlines()] == urls
    assert scraped[site.url("/article/3")]["url"] == site.url("/article/3")  # cleaned under its final URL
    assert all(record["paragraphs"] for record in scraped.values())

    assert CURLY in scraped[site.url("/cp1252")]["paragraphs"]  # decoded by the header's charset
    cleaned = tmp_path / "cleaned"
    assert main(["clean", str(archive / "pages"), "-o", str(cleaned), "--format", "jsonl", "--quiet"]) == 0
    assert records_by_url(cleaned / "articles.jsonl") == scraped  # the .charset sidecar carries it

    # `cleaner fetch` builds the same archive.
    fetched = tmp_path / "fetched"
    assert main(["fetch", *urls, "-o", str(fetched), *FAST]) == 0
    cleaned_again = tmp_path / "cleaned-again"
    assert (
        main(["clean", str(fetched / "pages"), "-o", str(cleaned_again), "--format", "jsonl", "--quiet"]) == 0
    )
    assert records_by_url(cleaned_again / "articles.jsonl") == scraped
    assert sorted(p.name for p in (fetched / "pages").rglob("*")) == sorted(
        p.name for p in (archive / "pages").rglob("*")
    )


def test_scrape_rerun_and_resume_from_the_archive(
    site: LocalSite, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    urls = page_urls(site)
    archive = tmp_path / "archive"
    assert main(["fetch", *urls, "-o", str(archive), *FAST]) == 0
    hits = site.hits.copy()

    # The pages are archived already: scrape cleans them from there, without a request.
    out = tmp_path / "scraped.jsonl"
    assert main(["scrape", *urls, "-o", str(out), "--archive", str(archive), *FAST]) == 0
    assert site.hits == hits
    assert f"Cleaned: {len(urls)} pages ({len(urls)} from the archive)" in capsys.readouterr().out
    first = out.read_bytes()

    # A rerun finds every record in place: no request, no cleaning, the same file.
    assert main(["scrape", *urls, "-o", str(out), *FAST]) == 0
    assert site.hits == hits
    assert f"{len(urls)} skipped (settled earlier)" in capsys.readouterr().out
    assert out.read_bytes() == first
    assert not out.with_name(out.name + ".part").exists()


def test_scrape_resumes_from_a_part_without_a_header(site: LocalSite, tmp_path: Path) -> None:
    """A part left by a version that wrote no header line: its records are kept too."""
    urls = page_urls(site)
    out = tmp_path / "scraped.jsonl"
    assert main(["scrape", *urls[:2], "-o", str(out), *FAST]) == 0
    part = out.with_name(out.name + ".part")
    done = out.read_bytes()
    part.write_bytes(done + done.splitlines(keepends=True)[0][:40])  # the last one cut short
    out.unlink()
    hits = site.hits.copy()
    assert main(["scrape", *urls, "-o", str(out), *FAST]) == 0
    assert [
        site.hits[u.removeprefix(site.url(""))] - hits[u.removeprefix(site.url(""))] for u in urls[:2]
    ] == [0, 0]
    final_urls = [site.url("/article/3") if u == site.url("/moved") else u for u in urls]
    assert list(records_by_url(out)) == final_urls  # in the order given
    assert not part.exists()


class InterruptingCleaner(Cleaner):
    """Stops the run (like Ctrl-C) when it is given its `stop_after + 1`th page."""

    def __init__(self, stop_after: int):
        super().__init__()
        self.stop_after, self.pages = stop_after, 0

    def clean_html(self, html: str | bytes, **kwargs: Any) -> Article:
        self.pages += 1
        if self.pages > self.stop_after:
            raise KeyboardInterrupt
        return super().clean_html(html, **kwargs)


class CountingCleaner(Cleaner):
    """Counts the pages cleaned, by URL."""

    def __init__(self) -> None:
        super().__init__()
        self.cleaned: list[str] = []

    def clean_html(self, html: str | bytes, **kwargs: Any) -> Article:
        self.cleaned.append(kwargs["url"])
        return super().clean_html(html, **kwargs)


def test_scrape_resumes_from_the_part_an_interrupted_run_left(site: LocalSite, tmp_path: Path) -> None:
    urls = page_urls(site)
    out = tmp_path / "scraped.jsonl"
    options = ScrapeOptions(SETTINGS)
    with pytest.raises(KeyboardInterrupt):
        run_scrape(urls, out, InterruptingCleaner(stop_after=3), options)
    assert not out.exists()
    part = out.with_name(out.name + ".part")
    kept = [
        json.loads(line) for line in part.read_text(encoding="utf-8").splitlines()[1:]
    ]  # after the header
    assert len(kept) == 3
    with part.open("ab") as fh:  # a record cut short by the interruption
        fh.write(b'{"input": "' + urls[-1].encode() + b'", "te')

    hits = site.hits.copy()
    counting = CountingCleaner()
    summary = run_scrape(urls, out, counting, options)
    done_before = {record["normalized_url"] for record in kept}
    assert summary.skipped == 3 and summary.cleaned == len(urls) - 3  # nothing cleaned twice
    assert all(
        site.hits[u.removeprefix(site.url(""))] == hits[u.removeprefix(site.url(""))] for u in done_before
    )
    assert done_before.isdisjoint(counting.cleaned) and len(set(counting.cleaned)) == len(counting.cleaned)
    final_urls = [site.url("/article/3") if u == site.url("/moved") else u for u in urls]
    assert list(records_by_url(out)) == final_urls  # nothing lost, in the order given
    assert not part.exists()


def test_scrape_reports_skips_and_failures(
    site: LocalSite, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site.routes["/cp1252"] = page(CP1252_PAGE, "text/html; charset=windows-1252")
    urls = [site.url(p) for p in ["/article/1", "/doc.pdf", "/private/x", "/missing", "/cp1252"]]
    out = tmp_path / "scraped.jsonl"
    assert main(["scrape", *urls, "-o", str(out), *FAST]) == 1
    printed = capsys.readouterr().out
    assert "2 fetched" in printed and "1 not HTML" in printed and "1 disallowed by robots.txt" in printed
    assert f"{site.url('/missing')}: HTTP 404" in printed
    records = records_by_url(out)
    assert set(records) == {site.url("/article/1"), site.url("/cp1252")}
    assert CURLY in records[site.url("/cp1252")]["paragraphs"]  # decoded by the header's charset


def test_urls_file_and_usage_errors(
    site: LocalSite, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    listing = tmp_path / "urls.txt"
    listing.write_text(f"# seeds\n{site.url('/article/1')}\n\n{site.url('/article/2')}\n", encoding="utf-8")
    assert main(["fetch", "--urls", str(listing), "-o", str(tmp_path / "a"), *FAST]) == 0
    assert "2 fetched" in capsys.readouterr().out

    assert main(["fetch", "-o", str(tmp_path / "b"), "--quiet"]) == 2
    assert "no URLs" in capsys.readouterr().err
    assert main(["fetch", "--urls", str(tmp_path / "nope.txt"), "-o", str(tmp_path / "b")]) == 2
    assert main(["scrape", site.url("/article/1"), "-o", str(tmp_path), "--quiet"]) == 2
    assert "is a folder" in capsys.readouterr().err
    # Found out after the output's .part file was made ("cannot write x: File exists"), or not at all.
    afile = tmp_path / "afile"
    afile.write_text("x", encoding="utf-8")
    out = tmp_path / "hasil.jsonl"
    for argv, said in [
        (["fetch", "-o", str(afile)], f"-o {afile} exists and is not a folder"),
        (["fetch", "-o", str(tmp_path / "c"), "--warc", str(tmp_path)], f"--warc {tmp_path} is a folder"),
        (["scrape", "-o", str(afile / "x.jsonl")], f"-o {afile / 'x.jsonl'}: {afile} is not a folder"),
        (["scrape", "-o", str(out), "--warc", str(afile / "w.warc.gz")], f"{afile} is not a folder"),
        (
            ["scrape", "-o", str(out), "--archive", str(afile)],
            f"--archive {afile} exists and is not a folder",
        ),
    ]:
        assert main([*argv, site.url("/article/1"), "--quiet"]) == 2
        assert said in capsys.readouterr().err
        assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "afile", "urls.txt"]  # nothing made
    foreign = tmp_path / "notes.jsonl"
    foreign.write_text('{"note": "mine"}\n', encoding="utf-8")
    assert main(["scrape", site.url("/article/1"), "-o", str(foreign), *FAST]) == 2
    assert foreign.read_text(encoding="utf-8") == '{"note": "mine"}\n'
