"""The Cleaner: rules loaded and compiled once, then one call per document.

Text:  detect site -> text rules -> metadata
HTML:  decode -> parse -> page metadata -> detect site -> prune -> extract -> text rules -> metadata
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from htmldate import find_date
from lxml.html import HtmlElement

from .decode import decode_html
from .extract import extract_body, is_sentence
from .models import Article, Removal
from .pagemeta import PageMeta, in_page_zone, is_organisation, read_byline, read_page_meta
from .parse import load_page
from .prune import prune_tree, strip_non_content
from .rules import Rules, RuleSet, load_rules
from .settings import ExtractSettings, Settings
from .sites import SiteMatch, detect_site, host_of
from .textrules import TITLE_RULE, Line, TextResult, apply_text_rules, cut_title_suffixes, split_lines

logger = logging.getLogger(__name__)

NOT_ARTICLE_RULE = "builtin/not-an-article"


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
        match = detect_site(self.rules, text=text, url=url, site=site, settings=self.settings.sites)
        result = apply_text_rules(split_lines(text), match.ruleset, url=url, settings=self.settings.text)
        article = Article(url=url)
        _take_text_result(article, result)
        _settle_site(article, match)
        return _finish(article)

    def clean_html(
        self, html: bytes | str, *, url: str | None = None, encoding: str | None = None
    ) -> Article:
        """Clean a raw page. `encoding` is the charset an HTTP header declared, if known."""
        return self.clean_html_traced(html, url=url, encoding=encoding)[0]

    def clean_html_pages(
        self, pages: Sequence[bytes | str], *, url: str | None = None, encoding: str | None = None
    ) -> Article:
        """One article split over several pages ("Halaman 2"), pages in order: each is cleaned
        with the first page's URL, bodies are joined, metadata comes from the first page that has it."""
        if not pages:
            raise ValueError("no pages given")
        traced = [self.clean_html_traced(page, url=url, encoding=encoding) for page in pages]
        return _finish(_join_pages(traced))

    def clean_html_traced(
        self, html: bytes | str, *, url: str | None = None, encoding: str | None = None
    ) -> tuple[Article, list[str]]:
        """clean_html, also returning the extracted lines the text rules saw (for explain)."""
        text = html if isinstance(html, str) else decode_html(html, declared=encoding)
        tree, parse_note = load_page(text)
        if tree is None:
            return _finish(Article(url=url, extraction="generic", notes=["not an HTML page"])), []
        page = read_page_meta(tree, self.rules.default)
        url = url or page.url
        match = self._detect_page_site(url, page)
        read_byline(page, tree, match.ruleset)
        _fill_from_htmldate(page, tree)
        page.published = in_page_zone(page.published, match.ruleset, text)
        strip_non_content(tree)
        removed = prune_tree(tree, match.ruleset, self.settings.prune)
        extraction = extract_body(tree, match.ruleset, url, self.settings.extract)
        lines = [Line(index=i, position=i, text=t) for i, t in enumerate(extraction.lines)]
        title = _strip_title_suffixes(page.title, match.ruleset, _outlet_names(page, match.site))
        text_settings = self.settings.text
        result = apply_text_rules(lines, match.ruleset, title=title, locate=False, settings=text_settings)
        notes = [parse_note] if parse_note else []
        notes += extraction.notes
        article = Article(url=url, removed=removed, extraction=extraction.method, notes=notes)
        _take_page_meta(article, page, title)
        _take_text_result(article, result)
        _drop_organisations(article, match.ruleset)
        _settle_site(article, match)
        if extraction.sentence_chars < self.settings.min_article_chars and not _reads_like_an_article(
            article.paragraphs, self.settings.extract
        ):
            article.removed += [
                Removal(NOT_ARTICLE_RULE, text, kind="line", line=None) for text in article.paragraphs
            ]
            article.paragraphs = []
            article.notes.append("no article text: what was left reads like navigation, not sentences")
        return _finish(article), extraction.lines

    def _detect_page_site(self, url: str | None, page: PageMeta) -> SiteMatch:
        if url:
            return detect_site(self.rules, url=url)
        site_name = (page.site_name or "").lower()
        if "." in site_name and " " not in site_name:
            return detect_site(self.rules, site=site_name)
        return detect_site(self.rules)


def _join_pages(traced: list[tuple[Article, list[str]]]) -> Article:
    """The first page's article with the later pages' bodies appended; removal line numbers
    continue across pages, as if the extracted lines of all pages were one list."""
    joined, offset = traced[0][0], len(traced[0][1])
    for number, (page, lines) in enumerate(traced[1:], start=2):
        joined.paragraphs += page.paragraphs
        joined.removed += [replace(r, line=None if r.line is None else r.line + offset) for r in page.removed]
        joined.notes += [f"page {number}: {note}" for note in page.notes]
        offset += len(lines)
        for key in ("title", "published", "dateline", "original_publisher"):
            if not getattr(joined, key) and getattr(page, key):
                setattr(joined, key, getattr(page, key))
                joined.found_by[key] = page.found_by.get(key, "?")
        for key in ("authors", "editors", "sources", "image_credits"):
            bucket = getattr(joined, key)
            bucket += [value for value in getattr(page, key) if value not in bucket]
    return joined


def _reads_like_an_article(paragraphs: list[str], settings: ExtractSettings) -> bool:
    """Text without a single sentence (a home page, a menu, a list of headlines) is not an
    article, whatever an extractor salvaged from the page. A page that any extraction
    candidate read as a long run of sentences is an article, whatever is left here."""
    return any(_is_sentence(p, settings) for p in paragraphs)


def _is_sentence(paragraph: str, settings: ExtractSettings) -> bool:
    if paragraph.rstrip('"”’)]」』').endswith((".", "!", "?", "。", "！", "？")):
        return len(paragraph.split()) >= 5 or (" " not in paragraph and len(paragraph) >= 20)
    return is_sentence(paragraph, settings)  # a long paragraph with sentences inside


def _take_page_meta(article: Article, page: PageMeta, title: str | None) -> None:
    """What the page states about itself comes first; text rules fill the gaps."""
    article.title = title
    article.authors = list(page.authors)
    article.editors = list(page.editors)
    article.image_credits = list(page.image_credits)
    article.published = page.published
    for key in ("title", "authors", "editors", "image_credits", "published"):
        if key in page.found_by:
            article.found_by[key] = page.found_by[key]


def _take_text_result(article: Article, result: TextResult) -> None:
    article.removed += result.removed
    article.paragraphs = result.paragraphs
    if article.title is None and result.title:
        article.title = result.title
        article.found_by["title"] = TITLE_RULE
    result.found.apply_to(article, keep_existing=True)


def _drop_organisations(article: Article, ruleset: RuleSet) -> None:
    """Names the rules list as organisations (outlets, desks) are never authors or editors,
    whichever source gave them."""
    for key in ("authors", "editors"):
        people = [name for name in getattr(article, key) if not is_organisation(name, ruleset)]
        if len(people) < len(getattr(article, key)):
            setattr(article, key, people)
            if not people:
                article.found_by.pop(key, None)


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


def _outlet_names(page: PageMeta, site: str | None) -> set[str]:
    names = {n.lower() for n in (page.site_name, page.publisher) if n}
    if site:
        names |= {site, site.split(".")[0]}
    return names


def _fill_from_htmldate(page: PageMeta, tree: HtmlElement) -> None:
    """Last resort for a date the page does not state in JSON-LD or meta tags: htmldate,
    trafilatura's date finder, in its quick mode (URL, <time>, common markup)."""
    if page.published:
        return
    found = find_date(tree, url=page.url, extensive_search=False, original_date=True, outputformat="%Y-%m-%d")
    page.set("published", found, "htmldate")


def _settle_site(article: Article, match: SiteMatch) -> None:
    if match.site:
        article.site = match.site
        article.found_by["site"] = match.found_by or "builtin"
    elif article.url and not article.site:
        article.site = host_of(article.url)
    if article.original_publisher and article.original_publisher == article.site:
        # A site's own promo line names itself: it is the publisher, not a mirror.
        article.original_publisher = None
        article.found_by.pop("original_publisher", None)


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
