"""Page metadata in every shape pages give it: clean_html never raises on odd JSON-LD."""

from __future__ import annotations

import json

import pytest

from cleaner import Cleaner

BODY = (
    "<article>"
    + "<p>The council voted on Monday to extend the night bus service to the airport.</p>" * 6
    + "</article>"
)


def with_json_ld(data: object) -> str:
    return (
        '<html><head><script type="application/ld+json">'
        + json.dumps(data)
        + f"</script></head><body>{BODY}</body></html>"
    )


@pytest.mark.parametrize(
    "data",
    [
        {"@type": "NewsArticle", "url": ["https://example.com/a", "https://example.com/amp/a"]},
        {"@type": "NewsArticle", "url": [], "mainEntityOfPage": [{"@id": "https://example.com/a"}]},
        {"@type": "NewsArticle", "url": 42, "headline": ["A", "B"], "datePublished": ["2024-01-01"]},
        {"@type": "NewsArticle", "url": {"@id": None}, "author": [[{"name": "Jane Doe"}], None, 7]},
        {"@type": ["NewsArticle", 3], "author": {"@type": "Person", "name": ["Jane", "Doe"]}},
        {"@type": "NewsArticle", "url": "http://[broken", "publisher": ["x"], "author": "Jane Doe"},
        [None, 1, "x", {"@graph": [{"@type": "Article", "url": [None, "https://example.com/b"]}]}],
    ],
    ids=["url-list", "entity-list", "numbers", "nested-lists", "name-list", "bad-host", "graph"],
)
@pytest.mark.parametrize("url", [None, "https://example.com/a"])
def test_odd_json_ld_never_raises(cleaner: Cleaner, data: object, url: str | None) -> None:
    article = cleaner.clean_html(with_json_ld(data), url=url)
    assert article.status == "ok"
    assert all(isinstance(name, str) for name in article.authors)
    assert article.url is None or isinstance(article.url, str)


def test_url_given_as_a_list_is_its_first_url(cleaner: Cleaner) -> None:
    data = {
        "@type": "NewsArticle",
        "url": ["https://www.example.com/a"],
        "author": {"@type": "Person", "name": "Jane Doe"},
    }
    article = cleaner.clean_html(with_json_ld(data))
    assert article.url == "https://www.example.com/a" and article.site == "example.com"
    assert article.authors == ["Jane Doe"]
