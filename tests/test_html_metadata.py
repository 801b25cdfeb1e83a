"""Page metadata: odd JSON-LD never raises; organisations are never authors; a site byline
beats JSON-LD; the publication time is given in the site's zone."""

from __future__ import annotations

import json

import pytest

from cleaner import Cleaner, pagemeta

from .conftest import rules_dir_with

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


# --- who wrote it, and when ---------------------------------------------------------------


def news_page(json_ld: dict, *, byline: str = "", extra: str = "") -> str:
    return (
        '<html><head><script type="application/ld+json">'
        + json.dumps({"@type": "NewsArticle", "headline": "Bus malam", **json_ld})
        + f"</script></head><body>{byline}{extra}{BODY}</body></html>"
    )


@pytest.mark.parametrize(
    ("author", "url", "expected"),
    [
        ({"@type": "Person", "name": "Tim Redaksi"}, "https://berita.example.id/a", []),
        ({"@type": "Person", "name": "Redaksi"}, "https://berita.example.id/a", []),
        ({"@type": "Organization", "name": "Berita Example"}, "https://berita.example.id/a", []),
        ({"@type": "Person", "name": "Kompas Cyber Media"}, "https://nasional.kompas.com/read/1", []),
        ({"@type": "Person", "name": "Rina Marlina"}, "https://nasional.kompas.com/read/1", ["Rina Marlina"]),
        (
            {"@type": "Person", "name": "Tim Redaksi Rina"},
            "https://berita.example.id/a",
            ["Tim Redaksi Rina"],
        ),
    ],
    ids=["desk", "redaksi", "organization-type", "outlet-company", "person", "not-a-whole-name"],
)
def test_an_organisation_is_never_an_author(
    cleaner: Cleaner, author: dict, url: str, expected: list[str]
) -> None:
    assert cleaner.clean_html(news_page({"author": author}), url=url).authors == expected


@pytest.mark.parametrize(
    ("author", "expected"),
    [
        ("By TOM KRISHER", ["TOM KRISHER"]),  # as AP pages write JSON-LD
        ({"@type": "Person", "name": "By Jane Doe"}, ["Jane Doe"]),
        ("Oleh: Budi", ["Budi"]),
        ("Reporter : Rina Marlina", ["Rina Marlina"]),
        ("By Ann Lee and Bob Roe", ["Ann Lee", "Bob Roe"]),
        # hard negatives: a label word that is part of a name
        ("Oleh Bilous", ["Oleh Bilous"]),  # a Ukrainian given name, not "by"
        ("Byron Smith", ["Byron Smith"]),
        ("Editora Santos", ["Editora Santos"]),
    ],
)
def test_a_byline_label_in_json_ld_is_not_part_of_the_name(
    cleaner: Cleaner, author: object, expected: list[str]
) -> None:
    assert cleaner.clean_html(news_page({"author": author}), url="https://example.com/a").authors == expected


@pytest.fixture(scope="module")
def byline_cleaner(tmp_path_factory: pytest.TempPathFactory) -> Cleaner:
    return Cleaner(
        rules_dir_with(
            tmp_path_factory.mktemp("site"),
            "contoh.co.id.yaml",
            "extends: [id-news]\nmatch: {domains: [contoh.co.id]}\ntimezone: WIB\nhtml:\n  author: ['.byline']\n",
        )
    )


def test_a_visible_byline_beats_json_ld(byline_cleaner: Cleaner) -> None:
    html = news_page(
        {"author": {"@type": "Person", "name": "Dewi Lestari"}},
        byline='<p class="byline">Penulis: Rina Marlina</p>',
    )
    article = byline_cleaner.clean_html(html, url="https://contoh.co.id/read/1")
    assert article.authors == ["Rina Marlina"] and article.found_by["authors"] == "contoh.co.id:html.author"


def test_the_same_names_keep_their_first_source(byline_cleaner: Cleaner) -> None:
    html = news_page(
        {"author": {"@type": "Person", "name": "Rina Marlina"}}, byline='<p class="byline">Rina Marlina</p>'
    )
    article = byline_cleaner.clean_html(html, url="https://contoh.co.id/read/1")
    assert article.found_by["authors"] == "json-ld:author"


@pytest.mark.parametrize(
    ("url", "published", "shown", "expected"),
    [
        # the rule file's timezone: the same instant, in WIB
        ("https://contoh.co.id/read/1", "2025-02-04T02:20:00+00:00", "", "2025-02-04T09:20:00+07:00"),
        ("https://contoh.co.id/read/1", "2025-02-04T02:20:00Z", "", "2025-02-04T09:20:00+07:00"),
        # no timezone in the rules, but the page prints one
        (
            "https://berita.example.id/a",
            "2025-02-04T01:20:00+00:00",
            "Selasa, 4 Feb 2025 09:20 WITA",
            "2025-02-04T09:20:00+08:00",
        ),
        # nothing says otherwise: the offset the page gave
        ("https://berita.example.id/a", "2025-02-04T02:20:00+00:00", "", "2025-02-04T02:20:00+00:00"),
        ("https://news.example.com/a", "2025-02-04T09:20:00-05:00", "", "2025-02-04T09:20:00-05:00"),
        ("https://contoh.co.id/read/1", "2025-02-04", "", "2025-02-04"),  # a bare date stays one
        # a foreign offset on a WIB site is kept: it may be a mislabelled server clock
        ("https://contoh.co.id/read/1", "2021-06-17T11:38:29-07:00", "", "2021-06-17T11:38:29-07:00"),
    ],
)
def test_published_in_the_sites_zone(
    byline_cleaner: Cleaner, url: str, published: str, shown: str, expected: str
) -> None:
    html = news_page({"datePublished": published}, extra=f"<div class='date'>{shown}</div>")
    assert byline_cleaner.clean_html(html, url=url).published == expected


@pytest.mark.parametrize(
    "published", ["2025-02-04T09:20:00+99:99", "2025-02-04T09:20:00-24:00", "2025-02-04 09:20:00 +9999"]
)
def test_an_impossible_offset_costs_only_the_date(cleaner: Cleaner, published: str) -> None:
    """htmldate raised on these, and the whole page failed."""
    html = (
        f'<html><head><meta property="article:published_time" content="{published}"></head>'
        f"<body>{BODY}</body></html>"
    )
    article = cleaner.clean_html(html, url="https://news.example.com/a")
    assert article.paragraphs and article.published is None


@pytest.mark.parametrize(
    ("placeholder", "expected"),
    [
        ("0001-01-01T00:00:00", "2025-02-04T09:20:00+07:00"),  # a CMS's empty date
        ("9999-12-31T23:59:59Z", "2025-02-04T09:20:00+07:00"),
        ("1899-12-31", "2025-02-04T09:20:00+07:00"),
        ("1971-03-20", "1971-03-20"),  # hard negative: an archive's true date stays
    ],
)
def test_a_placeholder_date_gives_way(byline_cleaner: Cleaner, placeholder: str, expected: str) -> None:
    """The JSON-LD date outranks the meta tag's, and 9999-12-31T23:59Z could not even be moved
    to WIB (OverflowError: the page failed)."""
    html = news_page(
        {"datePublished": placeholder},
        extra='<meta property="article:published_time" content="2025-02-04T09:20:00+07:00">',
    )
    assert byline_cleaner.clean_html(html, url="https://contoh.co.id/read/1").published == expected


def test_a_utc_time_at_the_end_of_time_stays_as_given(byline_cleaner: Cleaner) -> None:
    """Moved to the site's zone, 9999-12-31T23:59Z would be a day past the last date; the page
    failed with OverflowError."""
    moment = pagemeta.in_page_zone("9999-12-31T23:59:00+00:00", byline_cleaner.rules.sets["contoh.co.id"], "")
    assert moment == "9999-12-31T23:59:00+00:00"


@pytest.mark.parametrize(
    ("shown", "zone"),
    [
        ("Selasa, 4 Feb 2025 09:20 WITA", "WITA"),
        ("pukul 09.20 WIT.", "WIT"),
        ("09:20:15WIB", "WIB"),
        ("09:20 \n\t  WIB | 10:00 WITA", "WIB"),  # the first one printed
        ("WIB 09:20 WITA", "WITA"),  # a name without a time before it is not the zone
        ("109:20 WIB", None),  # not a time: the digits run on
        ("09:20 WITAS", None),  # not the name: the word runs on
        ("x9:20 WIB", None),
        ("09:2 WIB", None),
        ("Waktu Indonesia Barat (WIB)", None),
    ],
)
def test_zone_printed_after_a_time(shown: str, zone: str | None) -> None:
    ruleset = Cleaner().rules.default
    assert pagemeta._printed_zone(f"<p>Diterbitkan {shown}</p>", ruleset) == zone
