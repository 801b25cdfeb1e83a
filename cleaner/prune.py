"""Remove clutter elements from a parsed page before extraction, as the site's rules say."""

from __future__ import annotations

from lxml import etree
from lxml.html import HtmlElement

from .models import Removal
from .pagemeta import select
from .rules import RuleSet
from .textrules import normalise_space

PREVIEW_CHARS = 120
# Never visible text. Stripped in one C-level pass before the rules run, so neither the
# rules nor the extractor walk them; not recorded as removals since they hold no text.
NON_CONTENT_TAGS = ("script", "style", "noscript", "template", "svg", "canvas", "iframe", "object", "embed")


def strip_non_content(tree: HtmlElement) -> None:
    etree.strip_elements(tree, *NON_CONTENT_TAGS, etree.Comment, etree.ProcessingInstruction, with_tail=False)


def prune_tree(tree: HtmlElement, ruleset: RuleSet) -> list[Removal]:
    """Drop every element a `html.remove` rule selects; each removal names its rule and selector."""
    removed: list[Removal] = []
    for rule in ruleset.html_remove:
        for element in select(tree, rule.selector):
            if not isinstance(element, etree._Element) or element.getparent() is None:
                continue  # already gone with an ancestor, or the root itself
            removed.append(Removal(rule.id, preview(element), kind="element", selector=rule.selector))
            element.drop_tree()  # keeps the tail text, which belongs to the parent
    return removed


def preview(element: HtmlElement) -> str:
    text = normalise_space(element.text_content())
    return text if len(text) <= PREVIEW_CHARS else text[: PREVIEW_CHARS - 1] + "…"
