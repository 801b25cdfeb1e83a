"""Every threshold of the cleaning stages, in one typed, immutable object: `Cleaner(settings=...)`.

The defaults are the values the stages were tuned with (fixtures, seeds, aeb-dev,
wcxb-dev-article, realid-dev); change one only with the benchmarks run before and after.
Site knowledge (words, patterns, selectors) is not here: it is in the rule files.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class ZoneSettings:
    """Reading a whole-page text dump: what is prose, what is a headline, where the article is (zones.py)."""

    prose_min_words: int = 8
    prose_min_stop_share: float = 0.2  # with a stop list for the text's language
    long_passage_words: int = 25  # this long and sentence-shaped: prose in any language
    line_cost: int = 30  # what a non-prose line takes off the article's score, in characters
    plain_line_cost: int = 10  # a longer line in plain words (a list item, a line of code), not a headline
    clutter_cost: int = 30  # a line a rule recognised as clutter
    min_segment_share: float = 0.5  # of all prose in the segment, or the span of all prose is taken
    min_article_chars: int = 400  # below this much prose, nothing is zoned: the text is kept as it is
    headline_min_words: int = 3
    headline_max_words: int = 25
    headline_min_capitalised: float = 0.6
    list_item_max_words: int = 6  # longer numbered lines are more likely a "most read" list's headlines


@dataclass(frozen=True, slots=True)
class TextSettings:
    """The text rule stages (textrules.py)."""

    head_lines: int = 3  # "where: head" rules look at this many first lines
    title_max_words: int = 30
    title_max_chars: int = 250
    # A first line sharing this share of its words with the title repeats it.
    title_repeat_overlap: float = 0.8
    link_list_min: int = 3  # headline lines in a row that make a link list
    link_words_min: int = 4  # ... or this many lines of at most link_words_max words
    link_words_max: int = 2
    pair_max_words: int = 5  # a line this short may be half of a credit split over two lines
    pair_window: int = 30  # ... when it is within this many lines of the located article
    closing_tail_share: float = 0.25  # a closing line ends the article when less than this share follows it
    zones: ZoneSettings = field(default_factory=ZoneSettings)


@dataclass(frozen=True, slots=True)
class ExtractSettings:
    """The body extraction cascade (extract.py), checked on aeb-dev and wcxb-dev-article (bench/aeb.py)."""

    min_body_chars: int = 200  # a body selector matching less than this is taken as stale
    prose_min_words: int = 8  # a block of this many words reads as prose, not a menu entry
    max_link_share: float = 0.5  # ... unless more than this share of its text is link text
    suspect_share: float = 0.7  # first candidate holding less than this share of the page's prose: suspect
    few_prose_chars: int = 500  # under this much prose the page's prose blocks cannot vouch for a result
    replace_ratio: float = 0.7  # a candidate replaces the choice only if the choice is under this share of it
    min_gain_chars: int = 300  # ... and adds at least this much text
    min_sentence_share: float = 0.5  # ... of which at least this share is in sentences
    failed_share: float = 0.1  # a choice under this share of another's text failed: wordy lines are enough
    min_agreement: float = 0.5  # ... and keeps this share of the choice's text (unless the choice is tiny)
    tiny_chars: int = 500
    sentence_min_words: int = 6
    sentence_min_chars: int = 30  # scripts written without spaces (Japanese, Chinese, Thai): few long 'words'
    long_line_words: int = 40


@dataclass(frozen=True, slots=True)
class SiteSettings:
    """Finding the site of a text without a URL (sites.py)."""

    head_chars: int = 2000  # signatures are looked for near the top, where stamps and datelines are
    head_lines: int = 3  # text hints ("androidvodic.com" alone on a line) on this many first lines


@dataclass(frozen=True, slots=True)
class PruneSettings:
    """Removing clutter elements (prune.py)."""

    most_of_the_page: float = 0.5  # share of a page's text no removal rule may take in one element
    big_removal_chars: int = 1000  # removals smaller than this are never most of an article page


@dataclass(frozen=True, slots=True)
class Settings:
    # A page whose extraction read less text in sentences than this, and whose cleaned text
    # holds no sentence, is not an article (a home page, a menu).
    min_article_chars: int = 400
    text: TextSettings = field(default_factory=TextSettings)
    extract: ExtractSettings = field(default_factory=ExtractSettings)
    sites: SiteSettings = field(default_factory=SiteSettings)
    prune: PruneSettings = field(default_factory=PruneSettings)
