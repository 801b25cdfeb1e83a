"""The runs behind `cleaner fetch` (URLs into a page archive, cleaner.archive) and `cleaner
scrape` (URLs into one JSONL file of cleaned records, archiving the pages too when asked).

Scrape output: OUT.jsonl, one record per URL, resumed as every JSONL output is
(cleaner.storage: a record in OUT or in OUT.part left by an interrupted run means the URL is
done), and OUT.failures.jsonl, the URLs that failed (FailureLog).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from tqdm import tqdm

from . import logs
from .archive import Archive, ManifestRow, WarcSink, open_warc
from .core import Cleaner
from .errors import FetchError, InputError
from .fetch import Fetcher, FetchResult, normalized_url, unique_urls
from .fetchsettings import FetchSettings
from .inputs import read_html_bytes
from .models import Article
from .storage import (
    Cleaned,
    Facts,
    Failed,
    JsonlParts,
    Outcome,
    clean_one,
    jsonl_lines,
    parse_jsonl_line,
    write_atomic,
)

logger = logging.getLogger(__name__)


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

    def add_cleaned(self, facts: Facts) -> None:
        self.cleaned = (self.cleaned or 0) + 1
        if facts.status == "empty":
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


@dataclass(frozen=True, slots=True)
class FetchOptions:
    """How `run_fetch` fetches. warc: also append each fetched page to this WARC file.
    progress: a progress bar on stderr. retry_failed: also fetch again what failed for good
    (404, 410) in an earlier run."""

    settings: FetchSettings = field(default_factory=FetchSettings)
    warc: Path | None = None
    progress: bool = False
    retry_failed: bool = False


def run_fetch(urls: Sequence[str], out_dir: str | Path, options: FetchOptions | None = None) -> FetchSummary:
    """Fetch every URL not yet settled in the archive at out_dir; return what happened."""
    return asyncio.run(_fetch_into_archive(urls, Path(out_dir), options or FetchOptions()))


async def _fetch_into_archive(given: Sequence[str], out_dir: Path, options: FetchOptions) -> FetchSummary:
    targets = unique_urls(given)
    summary = FetchSummary(total=len(targets), duplicates=len(set(given)) - len(targets))
    started = time.monotonic()
    settings = options.settings
    with Archive(out_dir) as archive, open_warc(options.warc, settings) as warc:
        todo = [
            url
            for url in targets
            if not archive.is_settled(
                url, respect_robots=settings.respect_robots, retry_failed=options.retry_failed
            )
        ]
        summary.skipped = len(targets) - len(todo)
        with _progress(len(todo), options.progress, "fetching") as bar:
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


@dataclass(frozen=True, slots=True)
class ScrapeOptions(FetchOptions):
    """How `run_scrape` fetches (FetchOptions), and archive: archive pages into this folder
    too, and clean pages already archived there instead of fetching them again."""

    archive: Path | None = None


def run_scrape(
    urls: Sequence[str], out: str | Path, cleaner: Cleaner, options: ScrapeOptions | None = None
) -> FetchSummary:
    """Fetch and clean every URL without a record in `out` (JSONL), streaming: each page is
    cleaned as it arrives. URLs that failed for good in an earlier run (OUT.failures.jsonl,
    or the archive's manifest) are skipped unless options.retry_failed."""
    options = options or ScrapeOptions()
    # Scraped records stay valid whatever rules made them: cleaning them again means fetching again.
    output = JsonlParts(Path(out), key_of=_record_url, run=None)
    failures = FailureLog(Path(out))
    archive = Archive(options.archive) if options.archive is not None else None
    run = _ScrapeRun(output, failures, archive, cleaner, options)
    try:
        return asyncio.run(run.scrape(urls))
    finally:
        output.close()
        if archive:
            archive.close()


def _record_url(record: dict[str, Any], file: Path, offset: int) -> str:
    """Records are known by the normalised spelling of their `input` URL."""
    url = record.get("input")
    if not isinstance(url, str):  # not ours: refuse rather than drop someone's data on finish
        raise FetchError(f"{file}: the line at byte {offset} is not a cleaner record")
    return normalized_url(url)


@dataclass
class _ScrapeRun:
    output: JsonlParts
    failures: FailureLog
    archive: Archive | None
    cleaner: Cleaner
    options: ScrapeOptions

    async def scrape(self, given: Sequence[str]) -> FetchSummary:
        targets = unique_urls(given)
        summary = FetchSummary(total=len(targets), duplicates=len(set(given)) - len(targets), cleaned=0)
        started = time.monotonic()
        todo = [url for url in targets if not self.output.has(url) and not self._failed_for_good(url)]
        archived, to_fetch = self._split_by_archive(todo)
        summary.skipped = len(targets) - len(archived) - len(to_fetch)
        self.output.start()
        with (
            open_warc(self.options.warc, self.options.settings) as warc,
            _progress(len(archived) + len(to_fetch), self.options.progress, "scraping") as bar,
        ):
            for row in archived:  # no network: what an earlier run archived
                assert self.archive is not None and row.path is not None
                page = _ArchivedPage(self.archive.root / row.path, row.final_url or row.url, row.charset)
                outcome = _clean_archived(self.cleaner, page, targets[row.url], row.url)
                self._write_record(summary, row.url, outcome)
                summary.from_archive += 1
                bar.update()
            async with contextlib.aclosing(Fetcher(self.options.settings).fetch_many(to_fetch)) as results:
                async for result in results:
                    await self._take(result, targets[result.url], warc, summary)
                    bar.update()
        self.output.finish(_in_order(targets, self.output))
        self.output.close()
        self.output.remove_part()
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
        page = _Page(result.body, result.final_url or result.url, result.charset)
        outcome = await asyncio.to_thread(_clean_page, self.cleaner, page, given, result.url)
        self._write_record(summary, result.url, outcome)

    def _failed_for_good(self, url: str) -> bool:
        return not self.options.retry_failed and self.failures.failed_for_good(url)

    def _split_by_archive(self, urls: list[str]) -> tuple[list[ManifestRow], list[str]]:
        """(pages to clean from the archive, URLs to fetch); settled URLs without a page are neither."""
        if self.archive is None:
            return [], urls
        archived: list[ManifestRow] = []
        to_fetch: list[str] = []
        for url in urls:
            settled = self.archive.is_settled(
                url,
                respect_robots=self.options.settings.respect_robots,
                retry_failed=self.options.retry_failed,
            )
            if not settled:
                to_fetch.append(url)
            elif (row := self.archive.row(url)) is not None and row.status == "done":
                archived.append(row)
        return archived, to_fetch

    def _write_record(self, summary: FetchSummary, url: str, outcome: Outcome) -> None:
        if isinstance(outcome, Failed):
            summary.failed.append((url, outcome.reason))
            return
        self.failures.forget(url)
        self.output.add(url, outcome.payload)
        summary.add_cleaned(outcome.facts)


def _in_order(targets: Iterable[str], output: JsonlParts) -> list[str]:
    """The records of this run's URLs in the order given, then any others OUT held before."""
    ordered = [url for url in targets if output.has(url)]
    done = set(ordered)
    return ordered + [url for url in output.record_keys() if url not in done]


@dataclass(frozen=True, slots=True)
class _Page:
    body: bytes
    url: str  # final URL, after redirects
    charset: str | None  # from the HTTP header


@dataclass(frozen=True, slots=True)
class _ArchivedPage:
    path: Path
    url: str
    charset: str | None


def _clean_archived(cleaner: Cleaner, page: _ArchivedPage, given: str, url: str) -> Outcome:
    try:
        body = read_html_bytes(page.path)
    except InputError as exc:
        return Failed(f"cannot read the archived page: {exc.reason}")
    return _clean_page(cleaner, _Page(body, page.url, page.charset), given, url)


def _clean_page(cleaner: Cleaner, page: _Page, given: str, url: str) -> Outcome:
    """The page's record as `cleaner clean --format jsonl` makes it, with the URL as given as
    `input` and its normalised spelling (`url`) as `normalized_url`; or why it failed."""

    def clean() -> Article:
        with logs.for_input(page.url):  # library warnings name the page
            return cleaner.clean_html(page.body, url=page.url, encoding=page.charset)

    def finish(article: Article) -> Cleaned:
        record = {"input": given, "normalized_url": url, **article.to_dict()}
        # compact, as clean writes JSONL
        return Cleaned(orjson.dumps(record, option=orjson.OPT_APPEND_NEWLINE), Facts.of(article))

    # No time budget: pages are cleaned in a thread, where no timer can stop them.
    outcome = clean_one(clean, finish, timeout=None)
    if isinstance(outcome, Cleaned):
        return outcome
    if outcome.detail:
        logger.debug("cleaning %s failed:\n%s", page.url, outcome.detail)
    return Failed(f"cannot clean: {outcome.reason}", outcome.stage, outcome.detail)
