"""cleaner: boilerplate-stripping cleaner for (Indonesian) news pages."""

from __future__ import annotations

import logging
from functools import lru_cache

from .core import Cleaner
from .errors import CleanerError, FetchError, InputError, RuleError
from .fetch import Fetcher, FetchResult, FetchSettings
from .models import Article, Removal

__all__ = [
    "Article",
    "Cleaner",
    "CleanerError",
    "FetchError",
    "FetchResult",
    "FetchSettings",
    "Fetcher",
    "InputError",
    "Removal",
    "RuleError",
    "clean_html",
    "clean_text",
]

logging.getLogger(__name__).addHandler(logging.NullHandler())


@lru_cache(maxsize=1)
def default_cleaner() -> Cleaner:
    """The Cleaner over the bundled rules, built on first use."""
    return Cleaner()


def clean_text(text: str, *, url: str | None = None, site: str | None = None) -> Article:
    return default_cleaner().clean_text(text, url=url, site=site)


def clean_html(html: bytes | str, *, url: str | None = None, encoding: str | None = None) -> Article:
    return default_cleaner().clean_html(html, url=url, encoding=encoding)
