"""The metadata model and its one merge: which source wins each field (every pair of
sources, in the order pinned below), the lists that add up, a byline that only confirms
JSON-LD, organisations that are never people, pages joined; and the same model end to end."""

from __future__ import annotations

import dataclasses
import itertools
import json
import typing
from pathlib import Path

import pytest

import cleaner as cleaner_package
from cleaner import Cleaner
from cleaner.cli import main
from cleaner.core import HtmlTrace
from cleaner.extract import CANDIDATE_MODES, GENERIC_METHODS
from cleaner.metadata import FIELDS, LIST_FIELDS, Metadata, Source, join_pages, merge, parse_date, wanted
from cleaner.models import Article, ExtractionMethod

from .conftest import rules_dir_with

# Where each field comes from, best first, as the cleaner did before the merge was written
# down in one place. Written out here so that a change to the order fails a test.
ORDER: dict[str, list[Source]] = {
    "title": ["json-ld", "meta-tags", "html-title", "text"],
    "authors": ["site-html", "json-ld", "meta-tags", "text"],
    "editors": ["site-html", "text"],
    "published": ["json-ld", "meta-tags", "site-html", "htmldate", "text"],
    "dateline": ["text"],
    "site": ["site-detection", "text", "url"],
    "original_publisher": ["text"],
}
ADDING: dict[str, list[Source]] = {
    "sources": ["text"],
    "image_credits": ["site-html", "captions", "text"],
}
ALL_SOURCES: tuple[Source, ...] = typing.get_args(Source)


def given(name: str, source: Source, value: str) -> Metadata:
    """A source that gives field `name` the value `value` (a one-item list for a list field)."""
    found = Metadata()
    found.fill(name, [value] if name in LIST_FIELDS else value, f"rule-of-{source}")
    return found


def test_every_field_is_ordered_here() -> None:
    assert set(ORDER) | set(ADDING) == set(FIELDS)


@pytest.mark.parametrize(
    ("name", "better", "worse"),
    [(name, a, b) for name, order in ORDER.items() for a, b in itertools.combinations(order, 2)],
)
def test_the_better_source_wins(name: str, better: Source, worse: Source) -> None:
    for sources in ([better, worse], [worse, better]):  # the order they are given in does not count
        merged = merge({source: given(name, source, f"from {source}") for source in sources})
        expected = f"from {better}"
        assert getattr(merged, name) == ([expected] if name in LIST_FIELDS else expected)
        assert merged.found_by == {name: f"rule-of-{better}"}


@pytest.mark.parametrize(("name", "source"), [(name, s) for name, order in ORDER.items() for s in order])
def test_a_source_alone_gives_its_value(name: str, source: Source) -> None:
    merged = merge({source: given(name, source, "alone")})
    assert getattr(merged, name) == (["alone"] if name in LIST_FIELDS else "alone")


@pytest.mark.parametrize(
    ("name", "source"),
    [(name, s) for name, order in (ORDER | ADDING).items() for s in ALL_SOURCES if s not in order],
)
def test_a_source_a_field_does_not_list_is_ignored(name: str, source: Source) -> None:
    assert merge({source: given(name, source, "stray")}) == Metadata()


@pytest.mark.parametrize("name", ADDING)
def test_lists_that_add_up_take_every_source_in_order(name: str) -> None:
    order = ADDING[name]
    sources = {s: Metadata(**{name: [f"{s} 1", "shared"]}, found_by={name: s}) for s in order}
    merged = merge(dict(reversed(sources.items())))
    assert getattr(merged, name) == [f"{order[0]} 1", "shared"] + [f"{s} 1" for s in order[1:]]
    assert merged.found_by == {name: order[0]}  # the best source that gave any


def test_an_added_list_keeps_the_first_sources_list_as_given() -> None:
    byline = Metadata(image_credits=["ANTARA", "ANTARA"], found_by={"image_credits": "site"})
    merged = merge({"site-html": byline, "text": Metadata(image_credits=["ANTARA", "Dok"])})
    assert merged.image_credits == ["ANTARA", "ANTARA", "Dok"]


def test_a_byline_naming_the_same_people_only_confirms_json_ld() -> None:
    json_ld = Metadata(authors=["Rina", "Budi"], found_by={"authors": "json-ld:author"})
    same = Metadata(authors=["Budi", "Rina"], found_by={"authors": "site:html.author"})
    merged = merge({"site-html": same, "json-ld": json_ld})
    assert merged.authors == ["Rina", "Budi"] and merged.found_by["authors"] == "json-ld:author"
    other = Metadata(authors=["Budi"], found_by={"authors": "site:html.author"})
    merged = merge({"site-html": other, "json-ld": json_ld})
    assert merged.authors == ["Budi"] and merged.found_by["authors"] == "site:html.author"


def test_a_byline_is_not_confirmed_by_a_credit_line() -> None:
    text = Metadata(authors=["Rina"], found_by={"authors": "id-news/credit.author"})
    byline = Metadata(authors=["Rina"], found_by={"authors": "site:html.author"})
    assert merge({"site-html": byline, "text": text}).found_by["authors"] == "site:html.author"


DESKS = frozenset({"tim redaksi", "redaksi"})


@pytest.mark.parametrize("name", ["authors", "editors"])
def test_an_organisation_is_never_a_person_whichever_source_names_it(name: str) -> None:
    for source in ORDER[name]:
        desk = Metadata(**{name: ["Tim  REDAKSI"]}, found_by={name: "desk rule"})
        assert merge({source: desk}, organisations=DESKS) == Metadata()


def test_a_source_naming_only_a_desk_leaves_the_field_to_the_next() -> None:
    desk = Metadata(authors=["Redaksi"], found_by={"authors": "json-ld:author"})
    person = Metadata(authors=["Redaksi", "Rina Marlina"], found_by={"authors": "id-news/credit.author"})
    merged = merge({"json-ld": desk, "text": person}, organisations=DESKS)
    assert merged.authors == ["Rina Marlina"] and merged.found_by["authors"] == "id-news/credit.author"


@pytest.mark.parametrize("person", ["Tim Redaksi Rina", "Rina Marlina", "Redaksiana"])
def test_a_person_is_kept_even_with_desk_words(person: str) -> None:
    merged = merge({"text": Metadata(authors=[person], editors=[person])}, organisations=DESKS)
    assert merged.authors == merged.editors == [person]


def test_a_site_is_never_its_own_original_publisher() -> None:
    text = Metadata(
        site="contoh.id", original_publisher="contoh.id", found_by={"original_publisher": "promo"}
    )
    assert merge({"text": text}).original_publisher is None
    mirror = Metadata(original_publisher="asli.id", found_by={"original_publisher": "promo"})
    merged = merge({"text": mirror, "url": Metadata(site="cermin.id")})
    assert merged.original_publisher == "asli.id" and merged.site == "cermin.id"
    assert "site" not in merged.found_by  # the URL's host is named by no rule


def test_htmldate_is_wanted_only_when_no_better_source_has_a_date() -> None:
    assert wanted("published", "htmldate", {"json-ld": Metadata(), "site-html": Metadata()})
    for source in ("json-ld", "meta-tags", "site-html"):
        assert not wanted("published", "htmldate", {source: given("published", source, "2024-01-01")})
    assert wanted("published", "htmldate", {"text": given("published", "text", "2024-01-01")})


def test_pages_join_single_values_from_the_first_that_has_one_and_add_lists() -> None:
    first = Metadata(title="Judul", authors=["Rina"], found_by={"title": "json-ld:headline", "authors": "a"})
    second = Metadata(
        title="Lain", authors=["Budi", "Rina"], dateline="JAKARTA", found_by={"dateline": "d", "authors": "b"}
    )
    third = Metadata(sources=["ant"], found_by={"sources": "s"})
    joined = join_pages([first, second, third])
    assert (joined.title, joined.authors, joined.dateline, joined.sources) == (
        "Judul",
        ["Rina", "Budi"],
        "JAKARTA",
        ["ant"],
    )
    assert joined.found_by == {"title": "json-ld:headline", "authors": "a", "dateline": "d", "sources": "s"}
    assert first.authors == ["Rina"]  # the pages are left as they were


# --- the model and the record -------------------------------------------------------------


def test_the_article_holds_the_metadata_fields_in_order_with_the_same_types() -> None:
    article_fields = [f.name for f in dataclasses.fields(Article)]
    start = article_fields.index(FIELDS[0])
    assert tuple(article_fields[start : start + len(FIELDS)]) == FIELDS
    article_hints, metadata_hints = typing.get_type_hints(Article), typing.get_type_hints(Metadata)
    assert all(article_hints[name] == metadata_hints[name] for name in FIELDS)


def test_every_extraction_method_is_a_literal_of_the_record() -> None:
    candidates = ["readability", *CANDIDATE_MODES[1:], "prose-baseline"]
    assert set(GENERIC_METHODS) == set(candidates)
    assert set(GENERIC_METHODS.values()) | {"text", "site-selector", "generic"} == set(
        typing.get_args(ExtractionMethod)
    )


# --- end to end -----------------------------------------------------------------------------

BODY = "<article>" + "<p>The council voted on Monday to extend the night bus service.</p>" * 8 + "</article>"


def test_a_desk_is_never_the_author_of_a_text(cleaner: Cleaner) -> None:
    text = "{}\n\nPenulis: {}\nEditor: {}\n".format(
        "Jakarta - Pemerintah mengumumkan kebijakan baru yang berlaku mulai bulan depan bagi warga.",
        "{0}",
        "{0}",
    )
    desk = cleaner.clean_text(text.format("Tim Redaksi"))
    assert desk.authors == desk.editors == [] and "authors" not in desk.found_by
    person = cleaner.clean_text(text.format("Rina Marlina"))  # hard negative: a person stays
    assert person.authors == person.editors == ["Rina Marlina"]


@pytest.mark.parametrize(
    "head",
    [
        "<title>Bus\u200b malam\u00ad ke bandara</title>",
        '<meta property="og:title" content="Bus\u200b malam\u00ad ke bandara">',
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Bus\u200b malam\u00ad ke bandara"}'
        "</script>",
    ],
    ids=["title", "og-title", "json-ld"],
)
def test_a_title_has_no_invisible_characters(cleaner: Cleaner, head: str) -> None:
    article = cleaner.clean_html(f"<html><head>{head}</head><body>{BODY}</body></html>")
    assert article.title == "Bus malam ke bandara"


@pytest.fixture(scope="module")
def site_rules(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return rules_dir_with(
        tmp_path_factory.mktemp("site"),
        "contoh.co.id.yaml",
        "extends: [id-news]\nmatch: {domains: [contoh.co.id]}\nhtml:\n  author: ['.byline']\n",
    )


@pytest.fixture(scope="module")
def site_cleaner(site_rules: Path) -> Cleaner:
    return Cleaner(site_rules)


BYLINE_PAGE = f'<html><body><p class="byline">Rina Marlina</p>{BODY}</body></html>'


def test_html_takes_the_site_argument(site_cleaner: Cleaner) -> None:
    assert site_cleaner.clean_html(BYLINE_PAGE).authors == []  # no URL: the site is unknown
    article = site_cleaner.clean_html(BYLINE_PAGE, site="contoh.co.id")
    assert article.authors == ["Rina Marlina"] and article.site == "contoh.co.id"
    assert article.found_by["site"] == "argument"
    pages = site_cleaner.clean_html_pages([BYLINE_PAGE, BYLINE_PAGE], site="contoh.co.id")
    assert pages.authors == ["Rina Marlina"] and pages.site == "contoh.co.id"


def test_the_package_clean_html_takes_the_site_argument() -> None:
    page = '<html><head><link rel="canonical" href="https://a.example.com/x"></head><body>' + BODY
    assert cleaner_package.clean_html(page).site == "a.example.com"
    assert cleaner_package.clean_html(page, site="www.b.example.com").site == "b.example.com"


def test_explain_site_picks_the_rules_of_a_page(
    site_rules: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "page.html"
    page.write_text(BYLINE_PAGE, encoding="utf-8")
    assert main(["explain", str(page), "--rules", str(site_rules)]) == 0
    assert "Rina Marlina" not in capsys.readouterr().out.split("Metadata")[1]
    assert main(["explain", str(page), "--rules", str(site_rules), "--site", "contoh.co.id"]) == 0
    metadata = capsys.readouterr().out.split("Metadata")[1]
    assert "authors: Rina Marlina  [contoh.co.id:html.author]" in metadata
    assert "site: contoh.co.id  [argument]" in metadata


def test_clean_html_traced_gives_a_trace(cleaner: Cleaner) -> None:
    trace = cleaner.clean_html_traced(f"<html><body>{BODY}</body></html>")
    assert isinstance(trace, HtmlTrace) and trace.article.paragraphs
    assert trace.lines[0].startswith("The council voted")
    record = trace.article.to_dict()
    assert json.loads(json.dumps(record)) == record


@pytest.mark.parametrize(
    ("captured", "expected"),
    [
        ("WIB", "2025-02-04T09:20:00+07:00"),
        ("+0530", "2025-02-04T09:20:00+05:30"),
        ("GMT-3", "2025-02-04T09:20:00-03:00"),
        ("+99:99", "2025-02-04T09:20:00"),  # no zone a clock has: the time alone, not a failure
        ("GMT+24", "2025-02-04T09:20:00"),
    ],
)
def test_a_captured_zone_is_an_offset_or_nothing(cleaner: Cleaner, captured: str, expected: str) -> None:
    """A user rule's `tz` group may capture any offset a page prints; "+99:99" made
    datetime raise, and the document failed."""
    groups = {"day": "4", "month": "2", "year": "2025", "hour": "9", "minute": "20", "tz": captured}
    assert parse_date(groups, cleaner.rules.default) == expected
