"""The Cleaner: rules loaded and compiled once, then one call per document."""

from __future__ import annotations

from pathlib import Path

from .models import Article
from .rules import Rules, load_rules
from .sites import detect_site
from .textrules import apply_text_rules, split_lines


class Cleaner:
    """Build once (it compiles every rule file), call per document. Immutable after
    construction, so it is safe to share between threads and to pickle into worker processes."""

    def __init__(self, rules_dir: str | Path | None = None, *, rules: Rules | None = None):
        self.rules = rules if rules is not None else load_rules(rules_dir)

    def clean_text(self, text: str, *, url: str | None = None, site: str | None = None) -> Article:
        """Clean text that a scraper already pulled out of a page."""
        match = detect_site(self.rules, text=text, url=url, site=site)
        result = apply_text_rules(split_lines(text), match.ruleset)
        article = Article(url=url, title=result.title, paragraphs=result.paragraphs, removed=result.removed)
        if result.title:
            article.found_by["title"] = "builtin/title"
        result.found.apply_to(article)
        _settle_site(article, match.site, match.found_by)
        return _finish(article)


def _settle_site(article: Article, site: str | None, found_by: str | None) -> None:
    if site:
        article.site = site
        article.found_by["site"] = found_by or "builtin"
    if article.original_publisher and article.original_publisher == article.site:
        # A site's own promo line names itself: it is the publisher, not a mirror.
        article.original_publisher = None
        article.found_by.pop("original_publisher", None)


def _finish(article: Article) -> Article:
    article.text = "\n\n".join(article.paragraphs)
    article.status = "ok" if article.paragraphs else "empty"
    return article
