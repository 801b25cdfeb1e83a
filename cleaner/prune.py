"""Remove clutter elements from a parsed page before extraction, as the site's rules say."""

from __future__ import annotations

from lxml import etree
from lxml.html import HtmlElement

from .models import Removal
from .rules import HtmlRule, RuleSet
from .settings import PruneSettings
from .textrules import normalise_space

PREVIEW_CHARS = 120
DEFAULT = PruneSettings()  # how much one removal may take: cleaner.settings
# Never visible text. Stripped in one C-level pass before the rules run, so neither the
# rules nor the extractor walk them; not recorded as removals since they hold no text.
NON_CONTENT_TAGS = ("script", "style", "noscript", "template", "svg", "canvas", "iframe", "object", "embed")


def strip_non_content(tree: HtmlElement) -> None:
    etree.strip_elements(tree, *NON_CONTENT_TAGS, etree.Comment, etree.ProcessingInstruction, with_tail=False)


def prune_tree(tree: HtmlElement, ruleset: RuleSet, settings: PruneSettings = DEFAULT) -> list[Removal]:
    """Drop every element a `html.remove` rule selects; each removal names its rule and selector."""
    doomed: dict[HtmlElement, HtmlRule] = {}
    for element, rule in _class_word_matches(tree, ruleset):
        doomed.setdefault(element, rule)
    for rule in ruleset.html_remove:
        if rule.selector:
            for element in rule.selector(tree):
                doomed.setdefault(element, rule)
    removed = []
    page_chars: int | None = None  # measured only when a removal is big enough to matter
    for element, rule in doomed.items():
        if _inside_removed(element, tree):
            continue  # went with an ancestor already
        chars = len(element.text_content())
        if chars > settings.big_removal_chars:
            page_chars = page_chars or len(tree.text_content())
            if chars > settings.most_of_the_page * page_chars:
                continue  # broken markup (an unclosed <nav> holding the article)
        removed.append(Removal(rule.id, preview(element), kind="element", selector=rule.shown))
        element.drop_tree()  # keeps the tail text, which belongs to the parent
    return removed


def _class_word_matches(tree: HtmlElement, ruleset: RuleSet) -> list[tuple[HtmlElement, HtmlRule]]:
    """Class-word rules, all in one pass over the elements that have a class. Guarded by the
    rules' html.class_guard, since class names are generic: never the page's main containers,
    never a block holding a long paragraph."""
    rules = [r for r in ruleset.html_remove if r.classes]
    if not rules:
        return []
    found = []
    every_word = frozenset().union(*(r.classes for r in rules))
    for element in tree.iter(etree.Element):  # a plain Python walk beats an XPath prefilter here
        classes = element.get("class")
        if not classes or every_word.isdisjoint(words := classes.split()):
            continue
        rule = next(r for r in rules if not r.classes.isdisjoint(words))
        if element.tag not in ruleset.guarded_tags and not _holds_long_paragraph(element, ruleset):
            found.append((element, rule))
    return found


def _holds_long_paragraph(element: HtmlElement, ruleset: RuleSet) -> bool:
    """The class guard's second half (html.class_guard.max_paragraph_chars)."""
    longest = ruleset.guard_paragraph_chars
    return longest is not None and any(len(p.text_content()) > longest for p in element.iter("p"))


def _inside_removed(element: HtmlElement, root: HtmlElement) -> bool:
    # A dropped subtree stays in lxml's document, so compare the topmost ancestor instead.
    ancestors = list(element.iterancestors())
    top = ancestors[-1] if ancestors else element
    return top is not root


def preview(element: HtmlElement) -> str:
    """The element's text, normalised, cut to PREVIEW_CHARS. Only as much of the text is read
    as the preview needs: a removed footer or comment thread can hold a book."""
    parts: list[str] = []
    read, check_at = 0, PREVIEW_CHARS
    for piece in element.itertext():
        parts.append(piece)
        read += len(piece)
        if read > check_at:  # enough, unless most of it was whitespace: look again at twice this
            if len(normalise_space(" ".join(parts))) > PREVIEW_CHARS:
                break
            check_at = 2 * read
    text = normalise_space(" ".join(parts))
    return text if len(text) <= PREVIEW_CHARS else text[: PREVIEW_CHARS - 1] + "…"
