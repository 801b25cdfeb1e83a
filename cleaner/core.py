"""The Cleaner: rules loaded and compiled once, then one call per document.

Text:  detect site -> text rules -> metadata
HTML:  decode -> parse -> page metadata -> detect site -> prune -> extract -> text rules -> metadata

Metadata comes from several sources (page, site selectors, text rules, site detection); each
is read into its own Metadata and metadata.merge() decides which wins.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from lxml.html import HtmlElement

from .decode import decode_html, without_lone_surrogates
from .extract import extract_body, is_sentence
from .metadata import FIELDS, Metadata, Source, join_pages, merge, wanted
from .models import Article, Removal
from .pagemeta import (
    PageFacts,
    in_page_zone,
    read_byline,
    read_caption_credits,
    read_htmldate,
    read_page_meta,
)
from .parse import load_page
from .prune import prune_tree, strip_non_content
from .rules import Rules, RuleSet, load_rules
from .settings import ExtractSettings, Settings
from .sites import SiteMatch, detect_site, host_of
from .textrules import Line, apply_text_rules, cut_title_suffixes, split_lines

logger = logging.getLogger(__name__)

NOT_ARTICLE_RULE = "builtin/not-an-article"


@dataclass(frozen=True, slots=True)
class HtmlTrace:
    """A page's article, and the lines its extraction gave the text rules (for explain)."""

    article: Article
    lines: list[str]


class Cleaner:
    """Build once (it compiles every rule file), call per document. Immutable after
    construction, so it is safe to share between threads and to pickle into worker processes."""

    def __init__(
        self,
        rules_dir: str | Path | None = None,
        *,
        rules: Rules | None = None,
        settings: Settings | None = None,
    ):
        self.rules = rules if rules is not None else load_rules(rules_dir)
        self.settings = settings if settings is not None else Settings()  # every threshold of the stages

    def clean_text(self, text: str, *, url: str | None = None, site: str | None = None) -> Article:
        """Clean text that a scraper already pulled out of a page."""
        _check_types("clean_text", text, (str,), url, site)
        text, url = without_lone_surrogates(text), url and without_lone_surrogates(url)
        match = detect_site(self.rules, text=text, url=url, site=site, settings=self.settings.sites)
        result = apply_text_rules(split_lines(text), match.ruleset, url=url, settings=self.settings.text)
        found = merge(
            {"text": result.found, **_site_sources(match, url)}, organisations=match.ruleset.organisations
        )
        article = Article(
            **found.values(),
            found_by=found.found_by,
            url=url,
            paragraphs=result.paragraphs,
            removed=result.removed,
        )
        return _finish(article)

    def clean_html(
        self,
        html: bytes | str,
        *,
        url: str | None = None,
        encoding: str | None = None,
        site: str | None = None,
    ) -> Article:
        """Clean a raw page. `encoding` is the charset an HTTP header declared, if known;
        `site` names the site whose rules apply, as clean_text's does (else the URL's host)."""
        return self.clean_html_traced(html, url=url, encoding=encoding, site=site).article

    def clean_html_pages(
        self,
        pages: Sequence[bytes | str],
        *,
        url: str | None = None,
        encoding: str | None = None,
        site: str | None = None,
    ) -> Article:
        """One article split over several pages ("Halaman 2"), pages in order: each is cleaned
        with the first page's URL, bodies are joined, metadata comes from the first page that has it."""
        if not pages:
            raise ValueError("no pages given")
        traced = [self.clean_html_traced(page, url=url, encoding=encoding, site=site) for page in pages]
        return _finish(_join_pages(traced))

    def clean_html_traced(
        self,
        html: bytes | str,
        *,
        url: str | None = None,
        encoding: str | None = None,
        site: str | None = None,
    ) -> HtmlTrace:
        """clean_html, also giving the extracted lines the text rules saw (for explain)."""
        _check_types("clean_html", html, (str, bytes), url, site)
        if isinstance(html, str):
            text = without_lone_surrogates(html)
        else:
            text = decode_html(html, declared=encoding)
        url = url and without_lone_surrogates(url)
        tree, parse_note = load_page(text)
        if tree is None:
            return HtmlTrace(_finish(Article(url=url, extraction="generic", notes=["not an HTML page"])), [])
        page = read_page_meta(tree, self.rules.default)
        url = url or page.url
        match = self._detect_page_site(url, page, site)
        given = _page_sources(page, tree, match, text)  # before pruning: captions may be pruned
        strip_non_content(tree)
        removed = prune_tree(tree, match.ruleset, self.settings.prune)
        extraction = extract_body(tree, match.ruleset, url, self.settings.extract)
        lines = [Line(index=i, position=i, text=t) for i, t in enumerate(extraction.lines)]
        title = merge(given).title
        text_settings = self.settings.text
        result = apply_text_rules(lines, match.ruleset, title=title, locate=False, settings=text_settings)
        given |= {"text": result.found, **_site_sources(match, url)}
        found = merge(given, organisations=match.ruleset.organisations)
        notes = [parse_note] if parse_note else []
        notes += extraction.notes
        article = Article(
            **found.values(),
            found_by=found.found_by,
            url=url,
            paragraphs=result.paragraphs,
            removed=removed + result.removed,
            extraction=extraction.method,
            notes=notes,
        )
        if extraction.sentence_chars < self.settings.min_article_chars and not _reads_like_an_article(
            article.paragraphs, self.settings.extract
        ):
            article.removed += [
                Removal(NOT_ARTICLE_RULE, text, kind="line", line=None) for text in article.paragraphs
            ]
            article.paragraphs = []
            article.notes.append("no article text: what was left reads like navigation, not sentences")
        return HtmlTrace(_finish(article), extraction.lines)

    def _detect_page_site(self, url: str | None, page: PageFacts, site: str | None) -> SiteMatch:
        if url or site:
            return detect_site(self.rules, url=url, site=site)
        site_name = (page.site_name or "").lower()
        if "." in site_name and " " not in site_name:
            return detect_site(self.rules, site=site_name)
        return detect_site(self.rules)


def _check_types(method: str, document: object, kinds: tuple[type, ...], url: object, site: object) -> None:
    """A TypeError that says what to give, rather than an AttributeError from deep inside."""
    if not isinstance(document, kinds):
        wanted = " or ".join(kind.__name__ for kind in kinds)
        hint = "; decode it, or give a page's bytes to clean_html" if isinstance(document, bytes) else ""
        raise TypeError(f"{method} takes the document as {wanted}, not {type(document).__name__}{hint}")
    for name, value in (("url", url), ("site", site)):
        if value is not None and not isinstance(value, str):
            raise TypeError(f"{method}: {name} must be a str or None, not {type(value).__name__}")


def _page_sources(page: PageFacts, tree: HtmlElement, match: SiteMatch, text: str) -> dict[Source, Metadata]:
    """What the page and the site's selectors give, titles without the outlet's name and
    times in the site's zone; htmldate only when no better source gave a date (it is slow)."""
    given = page.sources()
    given["site-html"] = read_byline(page, tree, match.ruleset)
    given["captions"] = read_caption_credits(tree, match.ruleset)
    if wanted("published", "htmldate", given):
        given["htmldate"] = read_htmldate(tree, page.url)
    outlets = _outlet_names(page, match.site)
    for found in given.values():
        found.published = in_page_zone(found.published, match.ruleset, text)
        found.title = _strip_title_suffixes(found.title, match.ruleset, outlets)
        if found.title is None:  # none given, or only the outlet's name
            found.found_by.pop("title", None)
    return given


def _site_sources(match: SiteMatch, url: str | None) -> dict[Source, Metadata]:
    """The site as detected (by the caller's argument, the URL or the text), and the URL's host."""
    detected = Metadata(site=match.site, found_by={"site": match.found_by or "builtin"} if match.site else {})
    return {"site-detection": detected, "url": Metadata(site=host_of(url))}


def _join_pages(traced: list[HtmlTrace]) -> Article:
    """The first page's article with the later pages' bodies appended; removal line numbers
    continue across pages, as if the extracted lines of all pages were one list."""
    joined, offset = traced[0].article, len(traced[0].lines)
    for number, trace in enumerate(traced[1:], start=2):
        page = trace.article
        joined.paragraphs += page.paragraphs
        joined.removed += [replace(r, line=None if r.line is None else r.line + offset) for r in page.removed]
        joined.notes += [f"page {number}: {note}" for note in page.notes]
        offset += len(trace.lines)
    found = join_pages([_metadata_of(trace.article) for trace in traced])
    return replace(joined, **found.values(), found_by=found.found_by)


def _metadata_of(article: Article) -> Metadata:
    return Metadata(**{name: getattr(article, name) for name in FIELDS}, found_by=dict(article.found_by))


def _reads_like_an_article(paragraphs: list[str], settings: ExtractSettings) -> bool:
    """Text without a single sentence (a home page, a menu, a list of headlines) is not an
    article, whatever an extractor salvaged from the page. A page that any extraction
    candidate read as a long run of sentences is an article, whatever is left here."""
    return any(_is_sentence(p, settings) for p in paragraphs)


def _is_sentence(paragraph: str, settings: ExtractSettings) -> bool:
    if paragraph.rstrip('"”’)]」』').endswith((".", "!", "?", "。", "！", "？")):
        return len(paragraph.split()) >= 5 or (" " not in paragraph and len(paragraph) >= 20)
    return is_sentence(paragraph, settings)  # a long paragraph with sentences inside


def _strip_title_suffixes(title: str | None, ruleset: RuleSet, outlets: set[str]) -> str | None:
    """Page titles carry the outlet name (" - Kompas.tv", " | Media Indonesia"): the site's
    title_suffixes rules cut it, and so does a separator followed by the outlet's own name."""
    if not title:
        return None
    title, _ = cut_title_suffixes(title, ruleset)
    head, _, tail = title.rpartition(_outlet_separator(title))
    if head and tail.strip().lower() in outlets:
        title = head.rstrip()
    return title or None


def _outlet_separator(title: str) -> str:
    return next((sep for sep in (" | ", " - ", " – ", " — ") if sep in title), "\0")


def _outlet_names(page: PageFacts, site: str | None) -> set[str]:
    names = {n.lower() for n in (page.site_name, page.publisher) if n}
    if site:
        names |= {site, site.split(".")[0]}
    return names


def _finish(article: Article) -> Article:
    article.text = "\n\n".join(article.paragraphs)
    article.status = "ok" if article.paragraphs else "empty"
    _log_outcome(article)
    return article


def _log_outcome(article: Article) -> None:
    """-v: one line per document; -vv: each removal too. The CLI tags them with the input."""
    if not logger.isEnabledFor(logging.INFO):
        return
    logger.info(
        "%s: site %s, %s, %d paragraphs, %d removals%s",
        article.status,
        article.site or "unknown",
        article.extraction,
        len(article.paragraphs),
        len(article.removed),
        "".join(f"; {note}" for note in article.notes),
    )
    if logger.isEnabledFor(logging.DEBUG):
        for removal in article.removed:
            preview = removal.text if len(removal.text) <= 70 else removal.text[:67] + "..."
            logger.debug("removed (%s) by %s: %r", removal.kind, removal.rule, preview)
