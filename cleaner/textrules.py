"""The text rule engine: lines in, body paragraphs and metadata out.

Stages run in a fixed order, each a small function over the surviving lines:
cut markers -> line rules -> title -> captions and repeats -> lead prefixes -> spans.
Every removal is recorded with the id of the rule that made it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .metadata import Metadata, take_groups
from .models import Removal, RemovalKind
from .rules import IndexedSection, RegexMatch, Rule, RuleSet
from .settings import TextSettings
from .zones import Passage, locate_article, read_passages, shape, stopwords

TITLE_RULE = "builtin/title"
TITLE_REPEAT_RULE = "builtin/title-repeat"
HEADER_RULE = "builtin/header-zone"  # before the article: menus, breadcrumbs, captions, share words
FOOTER_RULE = "builtin/footer-zone"  # after the article: related lists, widgets, the page footer
LINK_LIST_RULE = "builtin/link-list"  # a run of headlines inside the article zone
DEFAULT = TextSettings()  # the thresholds: cleaner.settings
SENTENCE_END = (".", "!", "?", "…", ":", ";", ",", '."', ".”", "?”", "!”", '?"', '!"')

# Zero-width characters and the soft hyphen; and the C0 control characters that are not
# whitespace (NUL, ESC, DEL, ...): no text holds them, and many stores refuse a NUL.
INVISIBLE = dict.fromkeys(
    [*map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), *range(0x00, 0x09), *range(0x0E, 0x1C), 0x7F], None
)
BARE_PUNCTUATION = re.compile(r"[\W_]*")
TITLE_WORD = re.compile(r"\w+")
TITLE_KEY_MAX_CHARS = 300  # longer lines are never a title's repeat: not worth a key


def normalise_space(text: str) -> str:
    """The only rewriting the cleaner does to kept text: invisible characters out,
    runs of whitespace (Unicode's, non-breaking spaces included) to one space, ends stripped.
    str.split() splits at what str.isspace() and the regex `\\s` match, and is twice as fast as
    a regex; printable ASCII (a tab aside) holds no invisible character, and skips that step."""
    if not text.isascii() or not text.isprintable():
        text = text.translate(INVISIBLE)
    return " ".join(text.split())


@dataclass(slots=True, eq=False)
class Line:
    index: int  # input line number, 0-based
    position: int  # rank among the non-empty input lines
    text: str
    dropped: bool = False


@dataclass
class TextResult:
    paragraphs: list[str]
    title: str | None
    removed: list[Removal]
    found: Metadata  # what the rules' named groups captured, and the title line found


@dataclass
class _Doc:
    """Lines are marked dropped, not taken out of the list, so that a stage over a long
    document stays linear; `alive()` is the surviving lines, in order."""

    lines: list[Line]
    ruleset: RuleSet
    settings: TextSettings = DEFAULT
    found: Metadata = field(default_factory=Metadata)
    removed: list[Removal] = field(default_factory=list)
    title: str | None = None
    title_variants: set[str] = field(default_factory=set)
    # The article's first and last input lines once located (clean_text on a whole text);
    # None: every line is treated as article, as on extracted HTML.
    start: Line | None = None
    end: Line | None = None
    passages: list[tuple[Passage, list[Line]]] = field(default_factory=list)
    slug: str = ""  # the URL's path, whose words a title shares
    _may_match: dict[int, bool] = field(default_factory=dict)  # line index -> a line rule may match
    _candidates: dict[str, int] = field(default_factory=dict)  # a text -> its RuleIndex bits

    def may_match(self, line: Line) -> bool:
        """Whether a cut or whole-line rule may match the line, asked once per line."""
        known = self._may_match.get(line.index)
        if known is None:
            known = self.ruleset.may_match_a_line_rule(line.text, self.candidates(line.text))
            self._may_match[line.index] = known
        return known

    def rules_for(self, section: IndexedSection, text: str) -> list[Rule]:
        """RuleSet.rules_for, with one pass of the index per text and document."""
        return self.ruleset.index.pick(section, self.candidates(text))

    def candidates(self, text: str) -> int:
        """The RuleIndex bits of `text`: the rules of every section it may match."""
        bits = self._candidates.get(text)
        if bits is None:
            bits = self._candidates[text] = self.ruleset.index.bits(text)
        return bits

    _compacted: bool = True
    _positions: dict[int, int] | None = None  # line index -> place in self.lines

    def alive(self) -> list[Line]:
        if not self._compacted:
            self.lines = [line for line in self.lines if not line.dropped]
            self._compacted = True
            self._positions = None
        return self.lines

    def place(self, line: Line) -> int:
        """Where `line` stands in self.lines, without a search: many blocks stay linear."""
        if self._positions is None:
            self._positions = {x.index: i for i, x in enumerate(self.lines)}
        return self._positions[line.index]

    def next_alive(self, line: Line) -> Line | None:
        lines = self.lines
        for i in range(self.place(line) + 1, len(lines)):
            if not lines[i].dropped:
                return lines[i]
        return None

    def drop(self, line: Line, rule: str, kind: RemovalKind = "line") -> None:
        line.dropped = True
        self._compacted = False
        self.removed.append(Removal(rule=rule, text=line.text, kind=kind, line=line.index))

    def cut_span(self, line: Line, match: RegexMatch[str], rule: Rule) -> None:
        self.removed.append(Removal(rule=rule.id, text=match.group(0).strip(), kind="span", line=line.index))
        line.text = normalise_space(line.text[: match.start()] + " " + line.text[match.end() :])
        if BARE_PUNCTUATION.fullmatch(line.text):
            self.drop(line, rule.id)


def split_lines(text: str) -> list[Line]:
    lines: list[Line] = []
    for index, raw in enumerate(text.splitlines()):
        if clean := normalise_space(raw):
            lines.append(Line(index=index, position=len(lines), text=clean))
    return lines


def apply_text_rules(
    lines: list[Line],
    ruleset: RuleSet,
    *,
    title: str | None = None,
    locate: bool = True,
    url: str | None = None,
    settings: TextSettings = DEFAULT,
) -> TextResult:
    """Run every text stage over `lines`. A known `title` (from HTML metadata) skips title
    detection; `locate=False` (text an extractor already cut to the article) skips the zones.
    The page's `url`, if known, helps to tell its title from other headlines."""
    slug = url_path(url) if url else ""
    doc = _Doc(lines=list(lines), ruleset=ruleset, settings=settings, slug=slug)
    drop_blocks(doc, embeds=locate)
    if locate:
        locate_zones(doc)
    cut_at_markers(doc)
    drop_matching_lines(doc)
    drop_matching_passages(doc)
    if title:
        doc.title = title
        doc.title_variants = {title}
    else:
        take_title(doc)
    drop_captions_and_repeats(doc)
    drop_outside_article(doc)
    drop_edge_lines(doc)
    drop_link_lists(doc)
    strip_prefixes(doc)
    strip_spans(doc)
    removed = sorted(doc.removed, key=lambda r: -1 if r.line is None else r.line)  # stable: input order
    return TextResult(
        paragraphs=[line.text for line in doc.alive()], title=doc.title, removed=removed, found=doc.found
    )


def url_path(url: str) -> str:
    """The URL's path, or "" when the URL cannot be read ("http://[bad": a broken IPv6 host)."""
    try:
        return urlsplit(url).path
    except ValueError:
        return ""


def cut_at_markers(doc: _Doc) -> None:
    """A marker line such as "Terkini Lainnya" ends the article: it and all after it go. Only
    once the article has begun: a marker above the located article (a menu's "Terpopuler")
    is left to the header zone, and with no located article a marker above the first line of
    prose is only dropped itself. So a marker can never empty a page."""
    stops = stopwords(doc.ruleset.stoplists)
    begun = False
    for line in doc.alive():
        if doc.start is not None:
            begun = line.index > doc.start.index
        rule = _first_fullmatch(doc.ruleset.cut, line.text) if doc.may_match(line) else None
        if rule is None:
            begun = begun or (doc.start is None and shape(line.text, stops, doc.settings.zones).is_prose)
            continue
        if not begun:
            if doc.start is None:
                doc.drop(line, rule.id)
            continue
        for tail in doc.alive()[doc.place(line) :]:
            doc.drop(tail, rule.id, kind="cut")
        return


def drop_matching_lines(doc: _Doc) -> None:
    """Whole-line rules: "Baca juga: ...", stamps, promos, credit lines (their groups become
    metadata). A short line no rule matches is also read with the line after it, for what a
    scrape splits in two: "Reporter :" / "Tantri Setyorini", "Tommy Kurnia" / "Author"."""
    for line in doc.alive():
        if line.dropped:  # taken with the line before it
            continue
        if doc.may_match(line) and _take_line(doc, line):
            continue
        if _may_pair(doc, line):
            _take_pair(doc, line)


def _take_line(doc: _Doc, line: Line) -> bool:
    for rule in doc.rules_for("lines", line.text):
        if rule.where == "head" and line.position >= doc.settings.head_lines:
            continue
        if rule.where in ("lead", "last"):
            continue
        if _take_fullmatch(doc, line, rule):
            return True
    return False


def _may_pair(doc: _Doc, line: Line) -> bool:
    """Pairs are tried for short lines near the article, where bylines and credits sit."""
    if len(line.text.split()) > doc.settings.pair_max_words:
        return False
    if doc.start is None or doc.end is None:
        return True
    window = doc.settings.pair_window
    return doc.start.index - window <= line.index <= doc.end.index + window


def _take_pair(doc: _Doc, line: Line) -> None:
    following = doc.next_alive(line)
    if following is None or len(following.text.split()) > 2 * doc.settings.pair_max_words:
        return
    joined = f"{line.text} {following.text}"
    for rule in doc.rules_for("lines", joined):
        if rule.where not in ("any", "head") or rule.drop_next_headline:
            continue
        match = rule.regex.fullmatch(joined)
        if match and take_groups(match, rule.id, doc.ruleset, doc.found):
            doc.drop(line, rule.id)
            doc.drop(following, rule.id)
            return


def drop_edge_lines(doc: _Doc) -> None:
    """Edge rules peel lines off the article's start or end while they keep matching."""
    for where, pick in (("lead", 0), ("last", -1)):
        edge_rules = [r for r in doc.ruleset.lines if r.where == where]
        while doc.alive() and any(_take_fullmatch(doc, doc.alive()[pick], r) for r in edge_rules):
            pass


def _take_fullmatch(doc: _Doc, line: Line, rule: Rule) -> bool:
    match = rule.regex.fullmatch(line.text)
    if match is None or not take_groups(match, rule.id, doc.ruleset, doc.found):
        return False
    doc.drop(line, rule.id)
    if rule.drop_next_headline:
        following = doc.next_alive(line)
        # never the last line standing: a headline is followed by more of the article
        if following and doc.next_alive(following) and looks_like_title(following.text, doc.settings):
            doc.drop(following, rule.id)
    return True


def take_title(doc: _Doc) -> None:
    """The title is a title-like line above the article: the first surviving line when no
    article was located, else the header line sharing the most words with the lead."""
    lines = doc.alive()
    if len(lines) < 2:
        return
    if doc.start is None:
        line = lines[0] if looks_like_title(lines[0].text, doc.settings) else None
    else:
        header = [x for x in lines if x.index < doc.start.index]
        line = _best_title_line(header, _lead_words(doc), doc.settings) if header else None
    if line is None:
        return
    doc.drop(line, TITLE_RULE)
    title, cuts = cut_title_suffixes(line.text, doc.ruleset)
    doc.removed += [Removal(rule=rule, text=text, kind="span", line=line.index) for rule, text in cuts]
    doc.title = title
    doc.title_variants = {line.text, title}
    doc.found.fill("title", title, TITLE_RULE)


def _lead_words(doc: _Doc) -> set[str]:
    lead = [x.text for x in doc.alive() if doc.start is not None and x.index >= doc.start.index][:3]
    return {w.lower() for w in TITLE_WORD.findall(" ".join([*lead, doc.slug])) if len(w) > 3}


def _best_title_line(header: list[Line], lead: set[str], settings: TextSettings) -> Line | None:
    """Titles share their words with the lead (and the URL's slug); menus and other headlines
    share few. Of the lines that share about as many as the best one, the first: a title
    comes before its repeats (an image's alt text, a caption)."""
    scored = []
    for line in header:
        if _could_be_title(line.text, settings):
            words = {w.lower() for w in TITLE_WORD.findall(line.text) if len(w) > 3}
            scored.append((len(words & lead), line))
    top = max((score for score, _ in scored), default=0)
    return next((line for score, line in scored if score and score >= top / 2), None)


def _could_be_title(text: str, settings: TextSettings) -> bool:
    """Like looks_like_title, but a headline may ask or exclaim ("..., Akan Tembus 100 Juta?")."""
    return len(text.split()) >= 4 and looks_like_title(text.rstrip("?!"), settings)


def cut_title_suffixes(title: str, ruleset: RuleSet) -> tuple[str, list[tuple[str, str]]]:
    """The title without the site's suffixes (" - News"), and (rule id, text) of each cut."""
    cuts = []
    for rule in ruleset.title_suffixes:
        if match := rule.regex.search(title):
            cuts.append((rule.id, match.group(0).strip()))
            title = title[: match.start()].rstrip()
    return title, cuts


def looks_like_title(text: str, settings: TextSettings = DEFAULT) -> bool:
    words = text.split()
    return (
        2 <= len(words) <= settings.title_max_words
        and len(text) <= settings.title_max_chars
        and not text.endswith(SENTENCE_END)
        and (text[0].isupper() or text[0].isdigit() or text[0] in "\"“'‘")
    )


def drop_captions_and_repeats(doc: _Doc) -> None:
    """Drop the title repeated (in other capitals or quote marks too; as the first line left,
    also with a word more or less), and caption pairs: a line followed by the same line with a
    photo credit, "X" then "X (RIA Novosti)". The credit goes to image_credits."""
    previous: Line | None = None
    title_keys = {title_key(variant) for variant in doc.title_variants}
    for line in doc.alive():
        if line.text in doc.title_variants or (
            title_keys and len(line.text) <= TITLE_KEY_MAX_CHARS and title_key(line.text) in title_keys
        ):
            doc.drop(line, TITLE_REPEAT_RULE)
            continue
        for rule in doc.rules_for("captions", line.text):
            match = rule.regex.search(line.text)
            if match is None:
                continue
            base = line.text[: match.start()].rstrip()
            repeats_previous = previous is not None and previous.text == base
            if base in doc.title_variants or repeats_previous:
                take_groups(match, rule.id, doc.ruleset, doc.found)
                if repeats_previous and previous is not None:
                    doc.drop(previous, rule.id)
                doc.drop(line, rule.id)
                break
        else:
            previous = line
            continue
        previous = None
    lines = doc.alive()
    if lines and _close_to_the_title(lines[0].text, doc):
        doc.drop(lines[0], TITLE_REPEAT_RULE)  # the page's heading, worded a little differently


def _close_to_the_title(text: str, doc: _Doc) -> bool:
    """The first line shares nearly all its words with the title (a heading that adds or
    drops a word or the site's name) and reads like a title, not a sentence."""
    if not looks_like_title(text, doc.settings):
        return False
    words = set(title_key(text).split())
    return any(
        len(words & (title := set(title_key(v).split())))
        >= doc.settings.title_repeat_overlap * len(words | title)
        for v in doc.title_variants
    )


def title_key(text: str) -> str:
    """A title's words, case-folded: the same title in capitals, with other quote marks or
    without its final punctuation has the same key."""
    return " ".join(TITLE_WORD.findall(text.casefold()))


def strip_prefixes(doc: _Doc) -> None:
    """Datelines and stamps glued to the start of the first body paragraph ("lead" rules),
    or of any paragraph ("any" rules). Each rule strips once per line; rules may chain."""
    index = doc.ruleset.index
    for i, line in enumerate(doc.alive()):
        pending = [
            (rule, index.bit("prefixes", k))
            for k, rule in enumerate(doc.ruleset.prefixes)
            if rule.where == "any" or (rule.where == "lead" and i == 0)
        ]
        while pending and not line.dropped:
            candidates = doc.candidates(line.text)  # anew after a cut: the text changed
            for rule, bit in pending:
                if not candidates & bit:
                    continue
                match = rule.regex.match(line.text)
                if match and match.end() > 0 and take_groups(match, rule.id, doc.ruleset, doc.found):
                    pending.remove((rule, bit))
                    doc.cut_span(line, match, rule)
                    break
            else:
                break


def strip_spans(doc: _Doc) -> None:
    """Pieces inside a paragraph: end marks ("***"), desk codes ("(BBC/P-5)") at the end of
    the last paragraph. Their groups become metadata."""
    for k, rule in enumerate(doc.ruleset.spans):
        bit = doc.ruleset.index.bit("spans", k)
        targets = doc.alive()
        if rule.where == "lead":
            targets = targets[:1]
        elif rule.where == "last":
            targets = targets[-1:]
        elif rule.where == "head":
            targets = [line for line in targets if line.position < doc.settings.head_lines]
        for line in targets:
            while (
                not line.dropped
                and doc.candidates(line.text) & bit
                and (match := _first_valid_search(doc, line, rule))
            ):
                doc.cut_span(line, match, rule)


def _first_valid_search(doc: _Doc, line: Line, rule: Rule) -> RegexMatch[str] | None:
    for match in rule.regex.finditer(line.text):
        if match.end() > match.start() and take_groups(match, rule.id, doc.ruleset, doc.found):
            return match
    return None


def _first_fullmatch(rules: Sequence[Rule], text: str) -> Rule | None:
    return next((rule for rule in rules if rule.regex.fullmatch(text)), None)


def drop_blocks(doc: _Doc, *, embeds: bool) -> None:
    """A label line and the block it heads: "Baca Juga" and the headlines under it, or an
    embedded post's attribution and the post's text above it. One rule id for the block.
    Embeds only in scraped text: on a page they are elements, pruned before extraction, and
    a post's text in an extracted paragraph can't be told from the paragraph above it."""
    if not doc.ruleset.blocks:
        return
    for line in doc.alive():
        if line.dropped:
            continue
        rules = [r for r in doc.rules_for("blocks", line.text) if embeds or r.takes != "above"]
        rule = _first_fullmatch(rules, line.text)
        if rule is None:
            continue
        if rule.takes == "above":
            _drop_text_above(doc, line, rule)
        doc.drop(line, rule.id)
        if rule.takes == "headlines":
            following = doc.next_alive(line)
            while following and looks_like_headline(following.text, doc.ruleset, doc.settings):
                doc.drop(following, rule.id)
                following = doc.next_alive(following)


def _drop_text_above(doc: _Doc, label: Line, rule: Rule) -> None:
    """The lines above `label` within the rule's budget: all of them, or, when the rule names
    an opener, the lines from the opener down, and nothing when the opener is not in reach."""
    lines = doc.lines
    budget = rule.max_chars
    taken: list[Line] = []
    for i in range(doc.place(label) - 1, -1, -1):
        line = lines[i]
        if rule.opener is not None and rule.opener.fullmatch(line.text):
            taken.append(line)
            break
        if line.dropped:
            break  # the previous block
        budget -= len(line.text)
        if budget < 0 or (rule.opener is None and taken and len(line.text) > rule.max_chars // 2):
            break  # a long line further up is the article's own paragraph
        taken.append(line)
    else:
        if rule.opener is not None:
            return
    if rule.opener is not None and (not taken or not rule.opener.fullmatch(taken[-1].text)):
        return
    for line in reversed(taken):
        doc.drop(line, rule.id)


def looks_like_headline(text: str, ruleset: RuleSet, settings: TextSettings = DEFAULT) -> bool:
    return shape(text, stopwords(ruleset.stoplists), settings.zones).is_headline


def drop_matching_passages(doc: _Doc) -> None:
    """Line rules over passages split across lines: "Scroll down" / "untuk melanjutkan
    membaca", "Penulis" / ": Budi". Every line of a matching passage goes with the rule."""
    for _, lines in doc.passages:
        alive = [line for line in lines if not line.dropped]
        if len(alive) < 2:
            continue
        joined = " ".join(line.text for line in alive)
        for rule in doc.rules_for("lines", joined):
            if rule.where not in ("any", "head"):
                continue
            match = rule.regex.fullmatch(joined)
            if match and take_groups(match, rule.id, doc.ruleset, doc.found):
                for line in alive:
                    doc.drop(line, rule.id)
                break


def locate_zones(doc: _Doc) -> None:
    """Find the article in a whole text (see zones.py). Rule-matched clutter lines count
    against a stretch being the article."""
    lines = doc.alive()
    clutter = [doc.may_match(line) for line in lines]
    stops = stopwords(doc.ruleset.stoplists)
    passages = read_passages([line.text for line in lines], clutter, stops, doc.settings.zones)
    doc.passages = [(p, lines[p.first : p.last + 1]) for p in passages]
    found = locate_article(passages, doc.settings.zones)
    if found is not None:
        doc.start = lines[passages[found[0]].first]
        doc.end = lines[passages[found[1]].last]


def drop_outside_article(doc: _Doc) -> None:
    """What is left above the article (menus, breadcrumbs, captions, share words) and below
    it (related lists, widgets, the page footer) goes. A dateline alone on the line above the
    lead ("Liputan6.com, Jakarta") is read as the lead's prefix first."""
    if doc.start is None or doc.end is None:
        return
    start, end = doc.start.index, _closing_line(doc, doc.start.index, doc.end.index)
    header = [line for line in doc.alive() if line.index < start]
    if header and _opens_with_a_dateline(doc, header[-1]):
        start = header.pop().index  # a lead too short to read as prose: "JAKARTA - Harga naik."
    if header:
        _take_dateline_line(doc, header[-1])
    # The article's own edge lines sit just outside it: a desk code "(ant/dwi)" under the last
    # paragraph is read (its source is metadata) by its rule before the footer goes.
    last_rules = [r for r in doc.ruleset.lines if r.where == "last"]
    for line in [line for line in doc.alive() if line.index > end]:
        if not any(_take_fullmatch(doc, line, rule) for rule in last_rules):
            break
    for line in doc.alive():
        if line.index < start:
            doc.drop(line, HEADER_RULE)
        elif line.index > end:
            doc.drop(line, FOOTER_RULE)


def _closing_line(doc: _Doc, start: int, end: int) -> int:
    """Where the article ends: at a line only an article's last line can be (a `where: last`
    rule's desk code, "(mdk/yan)"), when little follows it inside the located article (a
    promo below the code that reads like prose); else where the zoning said."""
    last_rules = [r for r in doc.ruleset.lines if r.where == "last"]
    inside = [line for line in doc.alive() if start < line.index <= end]
    total = sum(len(line.text) for line in inside)
    after = 0
    for line in reversed(inside):
        if after > doc.settings.closing_tail_share * total:
            break
        if any(rule.regex.fullmatch(line.text) for rule in last_rules):
            return line.index
        after += len(line.text)
    return end


def _opens_with_a_dateline(doc: _Doc, line: Line) -> bool:
    """The line starts with a dateline (a lead prefix rule) and has text after it."""
    for rule in doc.ruleset.prefixes:
        if rule.where == "lead" and (match := rule.regex.match(line.text)) and match.end() < len(line.text):
            return True
    return False


def _take_dateline_line(doc: _Doc, line: Line) -> None:
    lead = doc.next_alive(line)
    if lead is None:
        return
    joined = f"{line.text} {lead.text}"
    for rule in doc.ruleset.prefixes:
        match = rule.regex.match(joined)
        if (
            rule.where == "lead"
            and match
            and len(line.text) <= match.end() <= len(line.text) + 1
            and take_groups(match, rule.id, doc.ruleset, doc.found)
        ):
            doc.drop(line, rule.id)
            return


def drop_link_lists(doc: _Doc) -> None:
    """Inside the article, a run of headline-like passages (a related-articles list whose
    label, if any, a rule already took) is a link list, and so is a run of a few words a
    line (a share bar or a menu split over lines: "Facebook" / "Twitter" / "Salin Link").
    A sub-heading stands alone, a numbered list is the article's, and lines a rule already
    dropped (a label, an ad slot) do not break a run."""
    headlines: list[Line] = []
    words: list[Line] = []
    settings = doc.settings
    for passage, lines in doc.passages:
        alive = [line for line in lines if not line.dropped]
        if not alive:
            continue
        whole = len(alive) == len(lines)
        if whole and passage.shape.is_headline and not passage.list_item:
            headlines += alive  # in place: a new list per passage made long runs quadratic
        else:
            headlines = _drop_run(doc, headlines, settings.link_list_min)
        if whole and _is_link_word(passage, settings):
            words += alive
        else:
            words = _drop_run(doc, words, settings.link_words_min)
    _drop_run(doc, headlines, settings.link_list_min)
    _drop_run(doc, words, settings.link_words_min)


def _is_link_word(passage: Passage, settings: TextSettings) -> bool:
    shape = passage.shape
    return 1 <= shape.words <= settings.link_words_max and not shape.ends_sentence and not passage.list_item


def _drop_run(doc: _Doc, run: list[Line], least: int) -> list[Line]:
    """Drop the run if it is long enough to be a list; an empty run to go on with."""
    if len(run) >= least:
        for line in run:
            if not line.dropped:
                doc.drop(line, LINK_LIST_RULE)
    return []
