"""Main content of a pruned page.

The site's `html.body` selectors first, tried in order (a site's current layout, then older
ones). Otherwise a cascade of generic extractors, each run only when the one before looks
suspect, and decided by evidence rather than trust in one of them:

1. trafilatura in precision mode: the cleanest text, and enough on most pages. It runs
   without trafilatura's own fallbacks (readability, jusText: most of its time), except
   on pages with too little paragraph markup to judge its result by;
2. when it holds much less text than the page's own prose blocks (paragraphs and list items
   of sentence length), trafilatura's readability fallback on its own, taken as trafilatura
   would take it (when the first result is under half as long). On aeb-dev and
   wcxb-dev-article this matched rerunning the extraction with the fallbacks on (F1 0.976
   and 0.945 both ways) at a third of the cost;
3. when the choice still holds too little, trafilatura in recall mode, then in its default
   mode; a candidate replaces the current choice only when it adds a good deal of text, that
   text is mostly sentences, and it keeps what the current choice had (agreement).

Every candidate's text comes from the elements trafilatura kept, read with our own walker:
trafilatura's text output adds "- " before list items and "|" between table cells, text
that is not on the page.
"""

from __future__ import annotations

import re
from copy import deepcopy
from dataclasses import dataclass, field
from typing import Any

import trafilatura
from lxml.html import HtmlElement
from trafilatura.external import try_readability

from .models import ExtractionMethod
from .rules import RuleSet
from .settings import ExtractSettings
from .textrules import normalise_space

INVISIBLE_TAGS = frozenset({"script", "style", "noscript", "template"})
DEFAULT = ExtractSettings()  # the cascade's thresholds: cleaner.settings
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
        # the element names of trafilatura's output tree
        "head",
        "list",
        "item",
        "quote",
        "code",
        "row",
        "lb",
    ]
)
CELL_TAGS = frozenset({"cell"})  # trafilatura's table cells: a space apart, on their row's line

# Comment threads: an element (not the page's or the article's own) with an id or class
# word starting "comment" ("comments", "comment-list", "commentlist"), but not a state of
# the page such as WordPress's "comments-open" on <body>.
COMMENT_WORD = re.compile(r"^comment(?!s?-(?:open|closed|count|link))", re.IGNORECASE)
PAGE_TAGS = frozenset({"html", "body", "main", "article"})
PROSE_BLOCKS = ("p", "li", "dd", "blockquote", "td", "pre")
INNER_SENTENCE_END = re.compile(r"\w[.!?。！？][\"”’)]?\s+\S")
SENTENCE_END = re.compile(r"[.!?…:;\"”’)\]。！？」』]$")

TRAFILATURA_OPTIONS: dict[str, Any] = {
    "include_comments": False,
    "include_tables": True,
    "include_images": False,
    "deduplicate": False,
    "with_metadata": False,
    # Any format but "python" leaves the body tree alone: "python" also renders its text, unused here.
    "output_format": "txt",
}
CANDIDATE_MODES = ("precision", "recall", "balanced")  # trafilatura's modes, in cascade order
# Modes whose candidate skips trafilatura's readability/jusText comparison: recall mode skips
# it anyway once its text is long, and running it changed 1 page of 802 (for the worse).
FAST_MODES = frozenset({"recall"})
MODE_OPTIONS: dict[str, dict[str, Any]] = {
    "precision": {"favor_precision": True},
    "recall": {"favor_recall": True},
    "balanced": {},
}
# The Article's `extraction` when a later candidate than the first was taken.
GENERIC_METHODS: dict[str, ExtractionMethod] = {
    "readability": "generic-readability",
    "recall": "generic-recall",
    "balanced": "generic-balanced",
    "prose-baseline": "generic-prose-baseline",
}


@dataclass(frozen=True)
class Extraction:
    lines: list[str]
    method: ExtractionMethod  # "site-selector", or "generic" with the winning candidate
    notes: list[str] = field(default_factory=list)  # why the site selector or first candidate was not used
    sentence_chars: int = 0  # the most text in sentences any candidate read on the page


@dataclass(frozen=True)
class Candidate:
    name: str
    lines: list[str]
    settings: ExtractSettings = DEFAULT

    @property
    def chars(self) -> int:
        return sum(len(line) for line in self.lines)

    @property
    def sentence_chars(self) -> int:
        return sentence_chars(self.lines, self.settings)


def extract_body(
    tree: HtmlElement, ruleset: RuleSet, url: str | None, settings: ExtractSettings = DEFAULT
) -> Extraction:
    notes: list[str] = []
    if ruleset.html_body:
        lines = site_body_lines(tree, ruleset, settings)
        if lines:
            return Extraction(lines, "site-selector", notes, sentence_chars(lines, settings))
        notes.append(
            f"{ruleset.name}: body selector {[s.text for s in ruleset.html_body]} matched no article text;"
            " used generic extraction"
        )
    return generic_extraction(tree, url, notes, settings)


def site_body_lines(tree: HtmlElement, ruleset: RuleSet, settings: ExtractSettings = DEFAULT) -> list[str]:
    """The lines of the first body selector, in the file's order (a site's current layout,
    then older ones), that holds article text; [] when none does."""
    for selector in ruleset.html_body:
        elements = selector(tree)
        outermost = [e for e in elements if not any(a in elements for a in e.iterancestors())]
        lines = [line for element in outermost for line in element_lines(element)]
        if sum(len(line) for line in lines) >= settings.min_body_chars:
            return lines
    return []


def generic_extraction(
    tree: HtmlElement, url: str | None, notes: list[str], settings: ExtractSettings = DEFAULT
) -> Extraction:
    prose = prose_chars(tree, settings)
    # trafilatura's fallbacks (readability, jusText) are most of its time: skipped where the
    # page's prose blocks can judge the result without them.
    judged = prose >= settings.few_prose_chars
    first = run_candidate(CANDIDATE_MODES[0], tree, url, fast=judged, settings=settings)
    if vouched_for(first, prose, settings):
        return Extraction(first.lines, "generic", notes, first.sentence_chars)
    # Suspect: the first candidate missed much of the page's prose. Ask the others.
    base = first  # what the later modes must improve on
    reasons = [f"generic: {first.name} extraction kept {first.chars} of {prose} characters of prose blocks"]
    most_sentences = first.sentence_chars
    if judged:
        other = readability_candidate(tree, settings)
        most_sentences = max(most_sentences, other.sentence_chars)
        verdict = readability_verdict(first, other)
        reasons.append(f"{other.name} ({other.chars} characters): {verdict}")
        if verdict.startswith("taken"):
            base = other
    best = base
    if not vouched_for(base, prose, settings):
        for mode in CANDIDATE_MODES[1:]:
            other = run_candidate(mode, tree, url, fast=mode in FAST_MODES, settings=settings)
            most_sentences = max(most_sentences, other.sentence_chars)
            verdict = compare(best, other, settings)
            reasons.append(f"{other.name} ({other.chars} characters): {verdict}")
            if verdict.startswith("taken"):
                best = other
                break  # a later mode never improved on a taken one (aeb-dev, wcxb-dev-article)
    if best.chars < max(settings.tiny_chars, settings.failed_share * prose):
        # Every extractor came back (nearly) empty, or with a sliver of the page's prose: the
        # prose blocks are the rescue. Not a competitor otherwise, since they also hold
        # comments and teasers.
        baseline = prose_candidate(tree, settings)
        most_sentences = max(most_sentences, baseline.sentence_chars)
        verdict = compare(best, baseline, settings)
        reasons.append(f"{baseline.name} ({baseline.chars} characters): {verdict}")
        if verdict.startswith("taken"):
            best = baseline
    notes.append("; ".join(reasons))
    method = "generic" if best is first else GENERIC_METHODS[best.name]
    return Extraction(best.lines, method, notes, most_sentences)


def readability_candidate(tree: HtmlElement, settings: ExtractSettings = DEFAULT) -> Candidate:
    """trafilatura's readability fallback on its own, on a copy of the pruned page: the fast
    first candidate skipped it, and running it alone costs a third of repeating the whole
    extraction with the fallbacks on."""
    body = try_readability(deepcopy(tree))
    return Candidate("readability", element_lines(body), settings)


def readability_verdict(first: Candidate, readability: Candidate) -> str:
    """readability replaces the first candidate as trafilatura's own fallback would have it:
    when the first is empty or under half as long, and not over twice as long."""
    own, algo = first.chars, readability.chars
    if not readability.lines or own > 2 * algo or (own and algo <= 2 * own):
        return "not taken: trafilatura would keep its own"
    return "taken: trafilatura's fallback would take it"


def vouched_for(candidate: Candidate, prose: int, settings: ExtractSettings = DEFAULT) -> bool:
    """A result that holds most of the page's prose blocks. Where the page has few of them
    (text between <br>s or in bare <div>s), that says little: see few_prose_chars."""
    return bool(candidate.lines) and candidate.chars >= settings.suspect_share * prose


def compare(current: Candidate, other: Candidate, settings: ExtractSettings = DEFAULT) -> str:
    """Whether `other` should replace `current`, with the evidence, as a short sentence
    that starts with "taken" or "not taken"."""
    if not other.lines:
        return "not taken: empty"
    if not current.lines:
        if other.sentence_chars:
            return "taken: the current choice is empty"
        return "not taken: no sentence in it"
    if (
        current.chars >= settings.replace_ratio * other.chars
        or other.chars - current.chars < settings.min_gain_chars
    ):
        return "not taken: adds little text"
    kept = set(current.lines)
    extra = [line for line in other.lines if line not in kept]
    extra_chars = sum(len(line) for line in extra) or 1
    sentence_share = sentence_chars(extra, settings) / extra_chars
    if current.chars < settings.failed_share * other.chars:
        # A checklist or a how-to whose steps carry no full stop: lines of prose length are
        # evidence enough when the choice kept next to nothing.
        long_lines = [line for line in extra if len(line.split()) >= settings.prose_min_words]
        wordy = sum(len(line) for line in long_lines) / extra_chars
        if wordy >= settings.min_sentence_share:
            return f"taken: the choice is under a tenth of it; {wordy:.0%} of the rest is prose-length"
    if sentence_share < settings.min_sentence_share:
        return f"not taken: the text it adds is {sentence_share:.0%} sentences"
    found = set(other.lines)
    agreement = sum(len(line) for line in current.lines if line in found) / (current.chars or 1)
    if agreement < settings.min_agreement and current.chars >= settings.tiny_chars:
        return f"not taken: keeps only {agreement:.0%} of the current choice"
    return f"taken: adds {other.chars - current.chars} characters, {sentence_share:.0%} in sentences"


def run_candidate(
    mode: str, tree: HtmlElement, url: str | None, *, fast: bool = False, settings: ExtractSettings = DEFAULT
) -> Candidate:
    """trafilatura in one mode on the pruned tree (it works on a copy), read as lines; `fast`
    skips its comparison with readability and jusText."""
    options = {**TRAFILATURA_OPTIONS, **MODE_OPTIONS[mode]}
    document = trafilatura.bare_extraction(tree, url=url, fast=fast, **options)
    body = getattr(document, "body", None)
    return Candidate(mode, element_lines(body) if body is not None else [], settings)


def prose_blocks(tree: HtmlElement, settings: ExtractSettings = DEFAULT) -> list[HtmlElement]:
    """The page's prose blocks: paragraphs, list items, cells (innermost only) of sentence
    length that are not mostly link text (a list of related headlines is not prose). Blocks
    in a comment thread count only when there is no prose outside one: readers' prose can
    outweigh a short article many times, but a page may also hold its article in a
    container named like a thread."""
    blocks = [block for block in tree.iter(*PROSE_BLOCKS) if _is_prose_block(block, settings)]
    threads: dict[HtmlElement, bool] = {}  # the blocks' ancestors, each looked at once
    outside = [block for block in blocks if not any(_is_thread(a, threads) for a in block.iterancestors())]
    return outside or blocks


def _is_prose_block(block: HtmlElement, settings: ExtractSettings) -> bool:
    if next(block.iterdescendants(*PROSE_BLOCKS), None) is not None:
        return False  # the innermost block counts
    text = block.text_content()
    words = settings.prose_min_words
    long_enough = len(text) >= words * 2 and len(text.split()) >= words
    return long_enough and _link_chars(block) <= settings.max_link_share * len(text)


def _is_thread(element: HtmlElement, known: dict[HtmlElement, bool]) -> bool:
    verdict = known.get(element)
    if verdict is None:
        verdict = known[element] = is_comment_thread(element)
    return verdict


def is_comment_thread(element: HtmlElement) -> bool:
    """An element with an id or class word starting "comment" (see COMMENT_WORD)."""
    names = f"{element.get('id', '')} {element.get('class', '')}"
    return (
        "omment" in names
        and element.tag not in PAGE_TAGS
        and any(COMMENT_WORD.match(word) for word in names.split())
    )


def _link_chars(block: HtmlElement) -> int:
    return sum(len(link.text_content()) for link in block.iter("a"))


def prose_chars(tree: HtmlElement, settings: ExtractSettings = DEFAULT) -> int:
    """Roughly how much text an article extraction of this page should hold."""
    return sum(len(" ".join(block.text_content().split())) for block in prose_blocks(tree, settings))


def prose_candidate(tree: HtmlElement, settings: ExtractSettings = DEFAULT) -> Candidate:
    """A text-density baseline over the pruned page: its prose blocks, in page order."""
    lines = [line for block in prose_blocks(tree, settings) for line in element_lines(block)]
    return Candidate("prose-baseline", lines, settings)


def is_sentence(line: str, settings: ExtractSettings = DEFAULT) -> bool:
    """A line that ends like a sentence and is long enough to be one, or a long line with
    sentences inside it (a paragraph ending in a link or a "»")."""
    words = len(line.split())
    if SENTENCE_END.search(line):
        return words >= settings.sentence_min_words or (
            len(line) >= settings.sentence_min_chars and len(line) >= 10 * words
        )
    return words >= settings.long_line_words and INNER_SENTENCE_END.search(line) is not None


def sentence_chars(lines: list[str], settings: ExtractSettings = DEFAULT) -> int:
    return sum(len(line) for line in lines if is_sentence(line, settings))


def element_lines(element: HtmlElement) -> list[str]:
    """Visible text of an element, one line per block element (paragraph, heading, list item,
    table row); table cells are separated by a space."""
    parts: list[str] = []
    _collect(element, parts, is_root=True)
    return [clean for line in "".join(parts).split("\n") if (clean := normalise_space(line))]


def _collect(node: HtmlElement, parts: list[str], *, is_root: bool = False) -> None:
    tag = node.tag if isinstance(node.tag, str) else None  # comments and PIs show no text
    if tag is not None and tag not in INVISIBLE_TAGS:
        block = tag in BLOCK_TAGS
        separator = " " if tag in CELL_TAGS else "\n" if block else ""
        parts.append(separator)
        parts.append(node.text or "")
        for child in node:
            _collect(child, parts)
        parts.append(separator)
    if node.tail and not is_root:
        parts.append(node.tail)
