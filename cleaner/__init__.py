"""cleaner: boilerplate-stripping cleaner for (Indonesian) news pages."""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .core import Cleaner
from .errors import CleanerError, FetchError, InputError, RuleError
from .models import Article, Removal
from .settings import Settings

if TYPE_CHECKING:
    from .fetch import Fetcher, FetchResult
    from .fetchsettings import FetchSettings

__version__ = "0.1.0"
# The fetcher is loaded on first use: httpx and tenacity cost a user of clean_text time for nothing.
_LAZY = {"Fetcher", "FetchResult", "FetchSettings"}

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
    "Settings",
    "clean_html",
    "clean_text",
    "default_cleaner",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from . import fetch

        return getattr(fetch, name)
    raise AttributeError(f"module 'cleaner' has no attribute {name!r}")


logging.getLogger(__name__).addHandler(logging.NullHandler())


@lru_cache(maxsize=1)
def default_cleaner() -> Cleaner:
    """The Cleaner over the bundled rules, built on first use."""
    return Cleaner()


def clean_text(text: str, *, url: str | None = None, site: str | None = None) -> Article:
    return default_cleaner().clean_text(text, url=url, site=site)


def clean_html(
    html: bytes | str, *, url: str | None = None, encoding: str | None = None, site: str | None = None
) -> Article:
    return default_cleaner().clean_html(html, url=url, encoding=encoding, site=site)
