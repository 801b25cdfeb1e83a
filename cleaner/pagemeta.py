"""Metadata a page states about itself: JSON-LD, meta tags, canonical link, site byline
selectors, caption credits, htmldate. Each source is read into its own Metadata; which one
wins is decided by metadata.merge()."""

from __future__ import annotations

import functools
import html
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from htmldate import find_date
from lxml import html as lxml_html

from . import metadata
from .decode import without_lone_surrogates
from .metadata import (
    EDGE_PUNCTUATION,
    Metadata,
    Source,
    find_credit,
    find_visible_date,
    parse_offset,
    split_names,
)
from .rules import Rule, RuleSet
from .sites import host_of
from .textrules import normalise_space

ARTICLE_TYPES = {
    "NewsArticle", "Article", "ReportageNewsArticle", "AnalysisNewsArticle", "BlogPosting",
    "OpinionNewsArticle", "ReviewNewsArticle", "Report", "LiveBlogPosting", "TechArticle",
}  # fmt: skip
ORGANIZATION_TYPES = {"Organization", "NewsMediaOrganization", "Corporation", "WebSite", "Brand"}
AUTHOR_META = (
    "author",
    "article:author",
    "dc.creator",
    "content_author",
    "parsely-author",
    "sailthru.author",
)
DATE_META = ("article:published_time", "og:published_time", "datePublished", "content_PublishedDate",
             "pubdate", "publishdate", "dc.date", "dc.date.issued", "date", "parsely-pub-date")  # fmt: skip
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")  # JSON's "\ud83d": half of a pair, or alone
# A CMS's empty date ("0001-01-01T00:00:00", "9999-12-31") is no publication date: it would
# outrank the true one of a later source.
PLAUSIBLE_YEARS = range(1900, 2101)
MAX_CREDIT_CHARS = 60  # longer text without a recognisable credit is a caption, not a credit


@dataclass
class PageFacts:
    """What a page states about itself: its own URL and names (which tell the outlet from a
    person, and name the site), and the metadata its JSON-LD, meta tags and <title> give.
    Within a source, the first value found wins."""

    url: str | None = None
    site_name: str | None = None
    publisher: str | None = None  # JSON-LD's publisher name: the outlet
    json_ld: Metadata = field(default_factory=Metadata)
    meta_tags: Metadata = field(default_factory=Metadata)
    html_title: Metadata = field(default_factory=Metadata)

    def sources(self) -> dict[Source, Metadata]:
        return {"json-ld": self.json_ld, "meta-tags": self.meta_tags, "html-title": self.html_title}


def read_page_meta(tree: lxml_html.HtmlElement, ruleset: RuleSet) -> PageFacts:
    """What the page states in JSON-LD, meta tags and its canonical link. The site is not
    known yet: `ruleset` (the default set) tells a web address from a person's name."""
    meta = PageFacts()
    for article in _json_ld_articles(tree):
        _take_json_ld(meta, article, ruleset)
    tags = _meta_tags(tree)
    meta.meta_tags.fill(
        "title", _clean_text(tags.get("og:title") or tags.get("twitter:title")), "meta:og:title"
    )
    meta.html_title.fill("title", _first_text(tree, "//title"), "html:title")
    meta.site_name = tags.get("og:site_name")
    meta.url = meta.url or _first_attr(tree, "//link[@rel='canonical']/@href") or tags.get("og:url")
    for name in DATE_META:
        meta.meta_tags.fill("published", normalise_iso_date(tags.get(name.lower())), f"meta:{name}")
    for name in AUTHOR_META:
        meta.meta_tags.fill("authors", _people(tags.get(name), meta, ruleset), f"meta:{name}")
    return meta


def _json_ld_articles(tree: lxml_html.HtmlElement) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for script in tree.xpath("//script[@type='application/ld+json']"):
        source = CONTROL_CHARS.sub(" ", script.text_content() or "")
        try:
            data = json.loads(source)
            if SURROGATE_ESCAPE.search(source):
                data = _without_lone_surrogates(data)
            _collect_articles(data, found)
        except (ValueError, RecursionError):
            continue  # broken (or absurdly nested) JSON-LD is common; the other sources still count
    return found


def _without_lone_surrogates(node: Any) -> Any:
    """JSON data with every string's lone surrogates replaced (decode.without_lone_surrogates)."""
    if isinstance(node, str):
        return without_lone_surrogates(node)
    if isinstance(node, list):
        return [_without_lone_surrogates(item) for item in node]
    if isinstance(node, dict):
        return {key: _without_lone_surrogates(value) for key, value in node.items()}
    return node


def _collect_articles(node: Any, found: list[dict[str, Any]]) -> None:
    if isinstance(node, list):
        for item in node:
            _collect_articles(item, found)
    elif isinstance(node, dict):
        if _types(node) & ARTICLE_TYPES:
            found.append(node)
        if "@graph" in node:
            _collect_articles(node["@graph"], found)


def _types(node: dict[str, Any]) -> set[str]:
    kind = node.get("@type", [])
    return {kind} if isinstance(kind, str) else {k for k in kind if isinstance(k, str)}


def _take_json_ld(meta: PageFacts, article: dict[str, Any], ruleset: RuleSet) -> None:
    publisher = article.get("publisher")
    if isinstance(publisher, dict):
        meta.publisher = meta.publisher or _clean_text(publisher.get("name"))
    meta.json_ld.fill("title", _clean_text(article.get("headline")), "json-ld:headline")
    meta.json_ld.fill("published", normalise_iso_date(article.get("datePublished")), "json-ld:datePublished")
    meta.url = meta.url or _url_of(article.get("url")) or _url_of(article.get("mainEntityOfPage"))
    meta.json_ld.fill("authors", _json_ld_people(article.get("author"), meta, ruleset), "json-ld:author")


def _url_of(node: Any) -> str | None:
    """A JSON-LD URL as a string: pages give it as a string, an {"@id": ...} object or a list of either."""
    if isinstance(node, list):
        return next((url for item in node if (url := _url_of(item))), None)
    if isinstance(node, dict):
        return _url_of(node.get("@id") or node.get("url"))
    return node.strip() or None if isinstance(node, str) else None


def _json_ld_people(node: Any, meta: PageFacts, ruleset: RuleSet) -> list[str]:
    """Person authors only: an Organization as author is the outlet, not a writer."""
    items = node if isinstance(node, list) else [node]
    names: list[str] = []
    for item in items:
        if isinstance(item, dict):
            if _types(item) & ORGANIZATION_TYPES:
                continue
            names += _people(_clean_text(item.get("name")), meta, ruleset)
        elif isinstance(item, str):
            names += _people(item, meta, ruleset)
    return names


def _people(value: str | None, meta: PageFacts, ruleset: RuleSet) -> list[str]:
    """The names in a byline, a meta tag or JSON-LD, without a label before them, the outlet's
    own name or a URL."""
    if not value or not isinstance(value, str):
        return []
    outlets = {x.lower() for x in (meta.site_name, meta.publisher, host_of(meta.url)) if x}
    names = [_without_label(name, ruleset) for name in split_names(value)]
    return [n for n in names if n.lower() not in outlets and not ruleset.url_like.search(n) and len(n) < 80]


def _without_label(name: str, ruleset: RuleSet) -> str:
    """A name without the byline label a page wrote into its metadata (the rules'
    labels.byline): "By John Smith" and "Oleh: Budi" are John Smith and Budi. Without a colon
    only before two words or more, since a label word may be a name: "Oleh Bilous" is one."""
    label = ruleset.byline_label.match(name)
    if label is None:
        return name
    rest = name[label.end() :]
    return rest if ":" in label.group() or len(rest.split()) >= 2 else name


def read_byline(meta: PageFacts, tree: lxml_html.HtmlElement, ruleset: RuleSet) -> Metadata:
    """The site's visible byline and editor, photo credits and date, by its html selectors:
    of each, the first selector that finds one."""
    found = Metadata()
    for key, selectors in (("authors", ruleset.html_author), ("editors", ruleset.html_editor)):
        for selector in selectors:
            texts = [_clean_text(ruleset.byline_label.sub("", _shown(el))) for el in selector(tree)]
            names = [n for t in texts for n in _people(t, meta, ruleset) if not is_organisation(n, ruleset)]
            if names:
                found.fill(key, list(dict.fromkeys(names)), f"{ruleset.name}:html.{key[:-1]}")
                break
    for selector in ruleset.html_image_credit:
        credits = [_credit(_shown(el), ruleset) for el in selector(tree)]
        found.fill("image_credits", [c for c in credits if c], f"{ruleset.name}:html.image_credit")
    for selector in ruleset.html_published:
        for el in selector(tree):
            value = el.get("datetime") or _shown(el)
            published = normalise_iso_date(value) or find_visible_date(value, ruleset)
            found.fill("published", published, f"{ruleset.name}:html.published")
    return found


def read_caption_credits(tree: lxml_html.HtmlElement, ruleset: RuleSet) -> Metadata:
    """Credits found in caption elements: by the site's own caption and line rules that
    capture a credit, then by the `credits` rules."""
    found = Metadata()
    rules = [(rule, rule.regex.search) for rule in ruleset.captions if _own_credit_rule(rule, ruleset)]
    rules += [(rule, rule.regex.fullmatch) for rule in ruleset.lines if _own_credit_rule(rule, ruleset)]
    rules += [(rule, rule.regex.search) for rule in ruleset.credits]
    if not rules:
        return found
    for selector in ruleset.html_caption:
        for element in selector(tree):
            text = " ".join(_shown(element).split())
            for rule, find in rules:
                match = find(text)
                credit = ((match and match.groupdict().get("image_credit")) or "").strip(EDGE_PUNCTUATION)
                if credit:
                    found.add("image_credits", [credit], rule.id)
                    break
    return found


def _own_credit_rule(rule: Rule, ruleset: RuleSet) -> bool:
    """A site's own rule that captures a photo credit; shared caption rules are written for
    caption lines in text and are too loose for every <figcaption> of the web."""
    return "image_credit" in rule.groups and rule.id.startswith(ruleset.name + "/")


def is_organisation(name: str, ruleset: RuleSet) -> bool:
    return metadata.is_organisation(name, ruleset.organisations)


def read_htmldate(tree: lxml_html.HtmlElement, url: str | None) -> Metadata:
    """A last resort for the date: htmldate, trafilatura's date finder, in its quick mode
    (URL, <time>, common markup)."""
    try:
        found = find_date(tree, url=url, extensive_search=False, original_date=True, outputformat="%Y-%m-%d")
    except (ValueError, OverflowError):  # htmldate's arithmetic on a page's "+99:99" offset
        found = None
    return Metadata(published=found, found_by={"published": "htmldate"} if found else {})


def in_page_zone(published: str | None, ruleset: RuleSet, page_text: str) -> str | None:
    """A time given in UTC, as the same instant in the site's zone: the rule file's
    `timezone`, else a zone the page prints next to a time ("10:05 WIB"). Any other offset
    is kept as the page gave it: a foreign offset on a WIB page is as likely a mislabelled
    server clock as a true instant, and converting it would move the date."""
    if not published or "T" not in published:
        return published
    try:
        moment = datetime.fromisoformat(published)
    except ValueError:
        return published
    if moment.utcoffset() != timedelta(0):
        return published
    zone = ruleset.timezone or _printed_zone(page_text, ruleset)
    offset = parse_offset(zone, ruleset)
    if offset is None:
        return published
    try:
        return moment.astimezone(offset).isoformat()
    except OverflowError:  # 9999-12-31T23:59Z, a placeholder, has no later day to move to
        return published


def _printed_zone(page_text: str, ruleset: RuleSet) -> str | None:
    """The first zone name printed right after a time ("10:05 WIB"). The names are found
    first and a time looked for just before each: one regex for time and name together
    tried a match at every position of a long page."""
    if not ruleset.timezones:
        return None
    for name in _zone_names(tuple(ruleset.timezones)).finditer(page_text):
        end = name.start()
        while end > 0 and page_text[end - 1].isspace():  # the \s* between time and name
            end -= 1
        if TIME_AT_END.search(page_text, max(0, end - MAX_TIME_CHARS), end):
            return name.group()
    return None


MAX_TIME_CHARS = len("10:05:59")
TIME_AT_END = re.compile(r"\b\d{1,2}[:.]\d{2}(?::\d{2})?\Z")  # \b sees the text before `pos`


@functools.lru_cache(maxsize=64)
def _zone_names(names: tuple[str, ...]) -> re.Pattern[str]:
    """Any of the zone names as a word; the longest first, so "WITA" is not read as "WIT"."""
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?:{alternatives})\b")


def _credit(text: str, ruleset: RuleSet) -> str | None:
    """A credit element's text is the credit; a whole caption holds one ("... (Foto: X)")."""
    text = " ".join(text.split())
    found = find_credit(text, ruleset)
    if found:
        return _clean_text(ruleset.credit_label.sub("", found))
    label_cut = _clean_text(ruleset.credit_label.sub("", text))
    return label_cut if label_cut and len(label_cut) <= MAX_CREDIT_CHARS else None


def _shown(element: Any) -> str:
    """What an element says: a <meta>'s content, else its text."""
    return str(element.get("content") or "") if element.tag == "meta" else str(element.text_content())


def normalise_iso_date(value: Any) -> str | None:
    """An ISO 8601 date as the page gives it (offset kept), or None if it is not one (or
    is a placeholder: PLAUSIBLE_YEARS)."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = (
        value.strip().replace(" ", "T", 1)
        if re.match(r"\d{4}-\d\d-\d\d \d", value.strip())
        else value.strip()
    )
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.year not in PLAUSIBLE_YEARS:
        return None
    if len(text) <= 10:
        return moment.date().isoformat()
    return moment.isoformat()


def _meta_tags(tree: lxml_html.HtmlElement) -> dict[str, str]:
    tags: dict[str, str] = {}
    for el in tree.xpath("//meta[@content]"):
        key = (el.get("property") or el.get("name") or el.get("itemprop") or "").strip().lower()
        if key and key not in tags and el.get("content", "").strip():
            tags[key] = el.get("content").strip()
    return tags


def _first_text(tree: lxml_html.HtmlElement, xpath: str) -> str | None:
    found = tree.xpath(xpath)
    return _clean_text(found[0].text_content()) if found else None


def _first_attr(tree: lxml_html.HtmlElement, xpath: str) -> str | None:
    found = tree.xpath(xpath)
    return str(found[0]).strip() or None if found else None


def _clean_text(value: Any) -> str | None:
    """A string's text with invisible characters out and spaces normalised, as the body's,
    and character references the page escaped twice resolved."""
    if not isinstance(value, str):
        return None
    return normalise_space(_unescaped(value)) or None


# A character reference with its semicolon: "&#8216;", "&#x26;", "&amp;". Without one
# ("AT&T", "R&D") it is text.
CHARACTER_REFERENCE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def _unescaped(value: str) -> str:
    """A metadata value escaped twice in the page ("&amp;#8216;" in an attribute reads as
    "&#8216;" once parsed; WordPress titles often are), as a browser shows it. At most
    twice: "&amp;amp;" was meant as "&"."""
    for _ in range(2):
        if "&" not in value:
            break
        value = CHARACTER_REFERENCE.sub(lambda found: html.unescape(found.group()), value)
    return value
