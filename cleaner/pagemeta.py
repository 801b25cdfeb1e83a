"""Metadata a page states about itself: JSON-LD, meta tags, canonical link, site byline selectors."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from lxml import html as lxml_html

from .metadata import find_credit, find_visible_date, split_names
from .rules import RuleSet
from .sites import host_of

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
BYLINE_LABEL = re.compile(
    r"^\s*(?:Penulis|Reporter|Pewarta|Oleh|By|Author|Editor|Penyunting|Redaktur)\s*:?\s+", re.IGNORECASE
)
CREDIT_LABEL = re.compile(r"^\s*[(\[]?\s*(?:Foto|Photo|Sumber foto|Kredit)\s*:?\s*|[)\]]\s*$", re.IGNORECASE)
MAX_CREDIT_CHARS = 60  # longer text without a recognisable credit is a caption, not a credit
DESK_NAMES = frozenset({"redaksi", "tim redaksi", "admin", "administrator", "editor", "staff", "newsroom"})
URL_LIKE = re.compile(r"^(?:https?://|www\.)|\.(?:com|co\.id|id|net|org|tv)\b", re.IGNORECASE)


@dataclass
class PageMeta:
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    editors: list[str] = field(default_factory=list)
    image_credits: list[str] = field(default_factory=list)
    published: str | None = None
    url: str | None = None
    site_name: str | None = None
    publisher: str | None = None
    found_by: dict[str, str] = field(default_factory=dict)

    def set(self, key: str, value: Any, source: str) -> None:
        if value and not getattr(self, key):
            setattr(self, key, value)
            self.found_by[key] = source


def read_page_meta(tree: lxml_html.HtmlElement) -> PageMeta:
    """What the page states in JSON-LD, meta tags and its canonical link."""
    meta = PageMeta()
    for article in _json_ld_articles(tree):
        _take_json_ld(meta, article)
    tags = _meta_tags(tree)
    meta.set("title", tags.get("og:title") or tags.get("twitter:title"), "meta:og:title")
    meta.set("title", _first_text(tree, "//title"), "html:title")
    meta.set("site_name", tags.get("og:site_name"), "meta:og:site_name")
    meta.set("url", _first_attr(tree, "//link[@rel='canonical']/@href"), "html:canonical")
    meta.set("url", tags.get("og:url"), "meta:og:url")
    for name in DATE_META:
        meta.set("published", normalise_iso_date(tags.get(name.lower())), f"meta:{name}")
    for name in AUTHOR_META:
        meta.set("authors", _people(tags.get(name), meta), f"meta:{name}")
    return meta


def _json_ld_articles(tree: lxml_html.HtmlElement) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for script in tree.xpath("//script[@type='application/ld+json']"):
        try:
            data = json.loads(CONTROL_CHARS.sub(" ", script.text_content() or ""))
        except ValueError:
            continue  # broken JSON-LD is common; the other sources still count
        _collect_articles(data, found)
    return found


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


def _take_json_ld(meta: PageMeta, article: dict[str, Any]) -> None:
    publisher = article.get("publisher")
    if isinstance(publisher, dict):
        meta.set("publisher", _clean_text(publisher.get("name")), "json-ld:publisher")
    meta.set("title", _clean_text(article.get("headline")), "json-ld:headline")
    meta.set("published", normalise_iso_date(article.get("datePublished")), "json-ld:datePublished")
    meta.set("url", _url_of(article.get("url")) or _url_of(article.get("mainEntityOfPage")), "json-ld:url")
    meta.set("authors", _json_ld_people(article.get("author"), meta), "json-ld:author")


def _url_of(node: Any) -> str | None:
    """A JSON-LD URL as a string: pages give it as a string, an {"@id": ...} object or a list of either."""
    if isinstance(node, list):
        return next((url for item in node if (url := _url_of(item))), None)
    if isinstance(node, dict):
        return _url_of(node.get("@id") or node.get("url"))
    return node.strip() or None if isinstance(node, str) else None


def _json_ld_people(node: Any, meta: PageMeta) -> list[str]:
    """Person authors only: an Organization as author is the outlet, not a writer."""
    items = node if isinstance(node, list) else [node]
    names: list[str] = []
    for item in items:
        if isinstance(item, dict):
            if _types(item) & ORGANIZATION_TYPES:
                continue
            names += _people(_clean_text(item.get("name")), meta)
        elif isinstance(item, str):
            names += _people(item, meta)
    return names


def _people(value: str | None, meta: PageMeta) -> list[str]:
    if not value or not isinstance(value, str):
        return []
    outlets = {x.lower() for x in (meta.site_name, meta.publisher, host_of(meta.url)) if x}
    return [
        n for n in split_names(value) if n.lower() not in outlets and not URL_LIKE.search(n) and len(n) < 80
    ]


def read_byline(meta: PageMeta, tree: lxml_html.HtmlElement, ruleset: RuleSet) -> None:
    """The site's visible byline, editor and date, where JSON-LD and meta tags said nothing."""
    for key, selectors in (("authors", ruleset.html_author), ("editors", ruleset.html_editor)):
        for selector in selectors:
            texts = [_clean_text(BYLINE_LABEL.sub("", _shown(el))) for el in selector(tree)]
            meta.set(key, [n for t in texts for n in _people(t, meta)], f"{ruleset.name}:html.{key[:-1]}")
    for selector in ruleset.html_image_credit:
        credits = [_credit(_shown(el), ruleset) for el in selector(tree)]
        meta.set("image_credits", [c for c in credits if c], f"{ruleset.name}:html.image_credit")
    for selector in ruleset.html_published:
        for el in selector(tree):
            value = el.get("datetime") or _shown(el)
            published = normalise_iso_date(value) or find_visible_date(value, ruleset)
            meta.set("published", published, f"{ruleset.name}:html.published")


def _credit(text: str, ruleset: RuleSet) -> str | None:
    """A credit element's text is the credit; a whole caption holds one ("... (Foto: X)")."""
    text = " ".join(text.split())
    found = find_credit(text, ruleset)
    if found:
        return _clean_text(CREDIT_LABEL.sub("", found))
    label_cut = _clean_text(CREDIT_LABEL.sub("", text))
    return label_cut if label_cut and len(label_cut) <= MAX_CREDIT_CHARS else None


def _shown(element: Any) -> str:
    """What an element says: a <meta>'s content, else its text."""
    return str(element.get("content") or "") if element.tag == "meta" else str(element.text_content())


def normalise_iso_date(value: Any) -> str | None:
    """An ISO 8601 date as the page gives it (offset kept), or None if it is not one."""
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
    if not isinstance(value, str):
        return None
    return " ".join(value.split()) or None
