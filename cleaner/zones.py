"""Read a scraped text as a document: which lines are prose, and where the article is.

A whole-page dump holds the menu, the header, the article, sidebars and the footer, one text
node a line, with sentences broken at inline links ("Sholat" / "juga merupakan ..."). Rules name
the clutter they know; this module finds the rest by reading, in the spirit of jusText:

- lines that continue one another (the next starts in lower case or with punctuation) are read
  together as one *passage*, so a sentence cut by a link is judged whole;
- a passage is *prose* when it is long enough and reads like sentences (stop words, punctuation);
- the article is the run of passages with the most prose in it and the least of everything else
  (a maximum-sum segment: prose counts its length, every other line costs a little). What comes
  before it is the header zone, what comes after it the footer zone.

Nothing here rewrites text: it only says which input lines are what.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from operator import itemgetter
from typing import NamedTuple

from .settings import ZoneSettings

WORD = re.compile(r"[^\W\d_][\w'’-]*")
CLOSERS = "\"”’')]"  # what may follow a sentence's last mark: quotes, brackets
SENTENCE_MARKS = ".!?…:;"
STATEMENT_MARKS = ".…"
FINAL_MARKS = ".!?…"  # a line ending in one ended its sentence: the next line does not go on from it
LIST_ITEM = re.compile(r"\d{1,2}[.)]\s+\S")  # "1. Jalan Braga": a numbered list item
FIRST = itemgetter(0)
CONTINUES = re.compile(r"^[a-z,.;:!?)\]%”’]")  # a line that goes on from the one before it

DEFAULT = ZoneSettings()  # the thresholds: cleaner.settings


@functools.cache
def stopwords(languages: tuple[str, ...]) -> frozenset[str]:
    """The union of jusText's stop lists for these languages (jusText names: "Indonesian")."""
    import justext  # untyped: allowed in pyproject.toml [tool.mypy]

    words: set[str] = set()
    for language in languages:
        words |= justext.get_stoplist(language)
    return frozenset(words)


class Shape(NamedTuple):
    """What a passage looks like, measured once. (A named tuple: built for every passage of
    every text, it costs half what a frozen dataclass does.)"""

    words: int
    chars: int
    stop_share: float
    ends_sentence: bool
    ends_statement: bool  # with a full stop: a sentence, however many names it holds
    capitalised: float  # share of words starting with a capital letter
    settings: ZoneSettings = DEFAULT

    @property
    def is_prose(self) -> bool:
        limits = self.settings
        if (
            not self.ends_statement
            and self.words <= limits.headline_max_words
            and self.capitalised >= limits.headline_min_capitalised
        ):
            return False  # a headline, even one that asks ("..., Akan Tembus 100 Juta?")
        if self.words >= limits.long_passage_words and self.ends_sentence:
            return True
        return (
            self.words >= limits.prose_min_words
            and self.stop_share >= limits.prose_min_stop_share
            and (self.ends_sentence or self.words >= 2 * limits.prose_min_words)
        )

    @property
    def is_headline(self) -> bool:
        """A link's text: a few capitalised words that end no sentence ("Harga Cabai Naik Lagi")."""
        limits = self.settings
        return (
            limits.headline_min_words <= self.words <= limits.headline_max_words
            and self.capitalised >= limits.headline_min_capitalised
            and not self.ends_sentence
        )

    @property
    def is_short_sentence(self) -> bool:
        """A line like "Semoga bermanfaat!": too short to be evidence, but an article may end with it."""
        return 2 <= self.words < self.settings.prose_min_words and self.ends_sentence and self.capitalised < 1


def shape(text: str, stops: frozenset[str], settings: ZoneSettings = DEFAULT) -> Shape:
    # map() over C functions rather than comprehensions: this runs for every passage of every text
    words = WORD.findall(text)
    n = len(words) or 1
    stop = sum(map(stops.__contains__, _lowered_words(text, words))) / n if stops else 0.0
    capitalised = sum(map(str.isupper, map(FIRST, words))) / n
    last = _last_mark(text)
    return Shape(
        len(words), len(text), stop, last in SENTENCE_MARKS, last in STATEMENT_MARKS, capitalised, settings
    )


def _last_mark(text: str) -> str:
    """The text's last character before closing quotes and brackets: "." for both "... naik."
    and "... naik.”"; a space when there is none (in no set of marks, where "" is in every
    one). A character test, not a regex searched from every position of the passage."""
    return text.removesuffix("\n").rstrip(CLOSERS)[-1:] or " "


def _lowered_words(text: str, words: list[str]) -> Iterable[str]:
    """The words of the lowered text. ASCII text lowers letter for letter, so these are its
    words lowered; elsewhere lowering may split or join words ("İ" lowers to two characters)."""
    return map(str.lower, words) if text.isascii() else WORD.findall(text.lower())


class Passage(NamedTuple):
    first: int  # index into the lines given to read_passages
    last: int
    shape: Shape
    clutter: bool  # a rule recognised one of its lines
    list_item: bool = False  # a short numbered item: an article's list, not a menu


def read_passages(
    texts: list[str], clutter: list[bool], stops: frozenset[str], settings: ZoneSettings = DEFAULT
) -> list[Passage]:
    """Group lines that continue one another; a clutter line always stands alone."""
    passages: list[Passage] = []
    start = 0
    for i in range(1, len(texts) + 1):
        if i < len(texts) and not clutter[i] and not clutter[i - 1] and _continues(texts[i - 1], texts[i]):
            continue
        joined = " ".join(texts[start:i])
        form = shape(joined, stops, settings)
        item = bool(LIST_ITEM.match(joined)) and form.words <= settings.list_item_max_words
        passages.append(Passage(start, i - 1, form, any(clutter[start:i]), item))
        start = i
    return passages


def _continues(before: str, line: str) -> bool:
    return bool(CONTINUES.match(line)) and _last_mark(before) not in FINAL_MARKS


def locate_article(passages: list[Passage], settings: ZoneSettings = DEFAULT) -> tuple[int, int] | None:
    """The passages (first, last index) that hold the article: the segment with the highest
    sum of prose characters minus a cost per other line. When that segment holds too little
    of the text's prose to be sure of it (an article of lists and short lines, broken up by
    menus), the span from the first prose passage to the last is taken instead: the header and
    the footer still go, nothing between. None when the text has too little prose to tell."""
    best_sum, best = 0.0, None
    running, start = 0.0, 0
    for i, passage in enumerate(passages):
        if running < 0:
            running, start = 0.0, i
        running += _weight(passage, settings)
        if running > best_sum:
            best_sum, best = running, (start, i)
    if best is None or best_sum < settings.min_article_chars:
        return None
    first, last = best
    prose = [i for i, p in enumerate(passages) if p.shape.is_prose and not p.clutter]
    held = sum(passages[i].shape.chars for i in prose if first <= i <= last)
    if held < settings.min_segment_share * sum(passages[i].shape.chars for i in prose):
        first, last = prose[0], prose[-1]
    while last + 1 < len(passages) and _ends_article(passages[last + 1]):
        last += 1
    return first, last


def _weight(passage: Passage, settings: ZoneSettings) -> float:
    if passage.clutter:
        return -settings.clutter_cost
    if passage.shape.is_prose:
        return passage.shape.chars
    if passage.shape.is_short_sentence:
        return 0.0
    if passage.list_item:
        return passage.shape.chars / 2
    lines = passage.last - passage.first + 1
    if passage.shape.words > 3 and not passage.shape.is_headline:
        return -settings.plain_line_cost * lines
    return -settings.line_cost * lines


def _ends_article(passage: Passage) -> bool:
    return not passage.clutter and passage.shape.is_short_sentence
