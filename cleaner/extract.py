"""Main content of a pruned page: the site's body selector when it holds an article, else trafilatura."""

from __future__ import annotations

from dataclasses import dataclass

import trafilatura
from lxml.html import HtmlElement

from .rules import RuleSet
from .textrules import normalise_space

INVISIBLE_TAGS = frozenset({"script", "style", "noscript", "template"})
MIN_BODY_CHARS = 200  # a body selector matching less than this is taken as stale
BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "section",
        "article",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "ul",
        "ol",
        "blockquote",
        "pre",
        "table",
        "tr",
        "td",
        "th",
        "dd",
        "dt",
        "dl",
        "figure",
        "figcaption",
        "header",
        "footer",
        "main",
        "aside",
        "br",
        "hr",
        "address",
        "center",
    ]
)


@dataclass(frozen=True)
class Extraction:
    lines: list[str]
    method: str  # "site-selector" or "generic"
    note: str | None = None  # why the site selector was not used, when it exists


def extract_body(tree: HtmlElement, ruleset: RuleSet, url: str | None) -> Extraction:
    note = None
    if ruleset.html_body:
        lines = site_body_lines(tree, ruleset)
        if sum(len(line) for line in lines) >= MIN_BODY_CHARS:
            return Extraction(lines, "site-selector")
        note = (
            f"{ruleset.name}: body selector {[s.text for s in ruleset.html_body]} matched no article text;"
            " used generic extraction"
        )
    return Extraction(generic_lines(tree, url), "generic", note)


def site_body_lines(tree: HtmlElement, ruleset: RuleSet) -> list[str]:
    for selector in ruleset.html_body:
        elements = selector(tree)
        outermost = [e for e in elements if not any(a in elements for a in e.iterancestors())]
        lines = [line for element in outermost for line in element_lines(element)]
        if lines:
            return lines
    return []


def generic_lines(tree: HtmlElement, url: str | None) -> list[str]:
    text = trafilatura.extract(
        tree,
        url=url,
        favor_precision=True,
        include_comments=False,
        include_tables=True,
        include_images=False,
        deduplicate=False,
        with_metadata=False,
    )
    return [clean for line in (text or "").splitlines() if (clean := normalise_space(line))]


def element_lines(element: HtmlElement) -> list[str]:
    """Visible text of an element, one line per block element (paragraph, heading, list item)."""
    parts: list[str] = []
    _collect(element, parts, is_root=True)
    return [clean for line in "".join(parts).split("\n") if (clean := normalise_space(line))]


def _collect(node: HtmlElement, parts: list[str], *, is_root: bool = False) -> None:
    tag = node.tag if isinstance(node.tag, str) else None  # comments and PIs show no text
    if tag is not None and tag not in INVISIBLE_TAGS:
        block = tag in BLOCK_TAGS
        parts.append("\n" if block else "")
        parts.append(node.text or "")
        for child in node:
            _collect(child, parts)
        parts.append("\n" if block else "")
    if node.tail and not is_root:
        parts.append(node.tail)
