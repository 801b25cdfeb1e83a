"""The text rule engine: lines in, body paragraphs and metadata out.

Stages run in a fixed order, each a small function over the surviving lines:
cut markers -> line rules -> title -> captions and repeats -> lead prefixes -> spans.
Every removal is recorded with the id of the rule that made it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .metadata import Found, take_groups
from .models import Removal, RemovalKind
from .rules import Rule, RuleSet

TITLE_RULE = "builtin/title"
TITLE_REPEAT_RULE = "builtin/title-repeat"
HEAD_LINES = 3  # "where: head" rules look at this many first lines
TITLE_MAX_WORDS = 30
TITLE_MAX_CHARS = 250
SENTENCE_END = (".", "!", "?", "…", ":", ";", ",", '."', ".”", "?”", "!”", '?"', '!"')

INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
SPACES = re.compile(r"[\s\u00a0\u2007\u202f]+")
BARE_PUNCTUATION = re.compile(r"[\W_]*")


def normalise_space(text: str) -> str:
    """The only rewriting the cleaner does to kept text: invisible characters out,
    runs of (non-breaking) whitespace to one space, ends stripped."""
    return SPACES.sub(" ", text.translate(INVISIBLE)).strip()


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
    found: Found


@dataclass
class _Doc:
    """Lines are marked dropped, not taken out of the list, so that a stage over a long
    document stays linear; `alive()` is the surviving lines, in order."""

    lines: list[Line]
    ruleset: RuleSet
    found: Found = field(default_factory=Found)
    removed: list[Removal] = field(default_factory=list)
    title: str | None = None
    title_variants: set[str] = field(default_factory=set)

    _compacted: bool = True

    def alive(self) -> list[Line]:
        if not self._compacted:
            self.lines = [line for line in self.lines if not line.dropped]
            self._compacted = True
        return self.lines

    def next_alive(self, line: Line) -> Line | None:
        lines = self.lines
        for i in range(lines.index(line) + 1, len(lines)):
            if not lines[i].dropped:
                return lines[i]
        return None

    def drop(self, line: Line, rule: str, kind: RemovalKind = "line") -> None:
        line.dropped = True
        self._compacted = False
        self.removed.append(Removal(rule=rule, text=line.text, kind=kind, line=line.index))

    def cut_span(self, line: Line, match: re.Match[str], rule: Rule) -> None:
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


def apply_text_rules(lines: list[Line], ruleset: RuleSet, *, title: str | None = None) -> TextResult:
    """Run every text stage over `lines`. A known `title` (from HTML metadata) skips title detection."""
    doc = _Doc(lines=list(lines), ruleset=ruleset)
    cut_at_markers(doc)
    drop_matching_lines(doc)
    if title:
        doc.title = title
        doc.title_variants = {title}
    else:
        take_title(doc)
    drop_captions_and_repeats(doc)
    strip_prefixes(doc)
    strip_spans(doc)
    removed = sorted(doc.removed, key=lambda r: -1 if r.line is None else r.line)  # stable: input order
    return TextResult(
        paragraphs=[line.text for line in doc.alive()], title=doc.title, removed=removed, found=doc.found
    )


def cut_at_markers(doc: _Doc) -> None:
    """A marker line such as "Terkini Lainnya" ends the article: it and all after it go.
    A marker with no body above it is only dropped itself, so a marker can never empty a page."""
    for i, line in enumerate(doc.alive()):
        rule = _first_fullmatch(doc.ruleset.cut, line.text)
        if rule is None:
            continue
        if i == 0:
            doc.drop(line, rule.id)
            return cut_at_markers(doc)
        for tail in doc.alive()[i:]:
            doc.drop(tail, rule.id, kind="cut")
        return None
    return None


def drop_matching_lines(doc: _Doc) -> None:
    """Whole-line rules: "Baca juga: ...", stamps, promos, credit lines (their groups become metadata)."""
    for line in doc.alive():
        if line.dropped:  # taken with the line before it (drop_next_headline)
            continue
        for rule in doc.ruleset.lines:
            if rule.where == "head" and line.position >= HEAD_LINES:
                continue
            if rule.where in ("lead", "last"):
                continue
            if _take_fullmatch(doc, line, rule):
                break
    for where, pick in (("lead", 0), ("last", -1)):
        # Edge rules peel lines off the start or end while they keep matching.
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
        if following and doc.next_alive(following) and looks_like_title(following.text):
            doc.drop(following, rule.id)
    return True


def take_title(doc: _Doc) -> None:
    """The first surviving line is the title when it reads like one and body follows."""
    lines = doc.alive()
    if len(lines) < 2 or not looks_like_title(lines[0].text):
        return
    line = lines[0]
    doc.drop(line, TITLE_RULE)
    title, cuts = cut_title_suffixes(line.text, doc.ruleset)
    doc.removed += [Removal(rule=rule, text=text, kind="span", line=line.index) for rule, text in cuts]
    doc.title = title
    doc.title_variants = {line.text, title}


def cut_title_suffixes(title: str, ruleset: RuleSet) -> tuple[str, list[tuple[str, str]]]:
    """The title without the site's suffixes (" - News"), and (rule id, text) of each cut."""
    cuts = []
    for rule in ruleset.title_suffixes:
        if match := rule.regex.search(title):
            cuts.append((rule.id, match.group(0).strip()))
            title = title[: match.start()].rstrip()
    return title, cuts


def looks_like_title(text: str) -> bool:
    words = text.split()
    return (
        2 <= len(words) <= TITLE_MAX_WORDS
        and len(text) <= TITLE_MAX_CHARS
        and not text.endswith(SENTENCE_END)
        and (text[0].isupper() or text[0].isdigit() or text[0] in "\"“'‘")
    )


def drop_captions_and_repeats(doc: _Doc) -> None:
    """Drop the title repeated as a caption, and caption pairs: a line followed by the same
    line with a photo credit, "X" then "X (RIA Novosti)". The credit goes to image_credits."""
    previous: Line | None = None
    for line in doc.alive():
        if line.text in doc.title_variants:
            doc.drop(line, TITLE_REPEAT_RULE)
            continue
        for rule in doc.ruleset.captions:
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


def strip_prefixes(doc: _Doc) -> None:
    """Datelines and stamps glued to the start of the first body paragraph ("lead" rules),
    or of any paragraph ("any" rules). Each rule strips once per line; rules may chain."""
    for i, line in enumerate(doc.alive()):
        rules = [r for r in doc.ruleset.prefixes if r.where == "any" or (r.where == "lead" and i == 0)]
        pending = list(rules)
        while pending and not line.dropped:
            for rule in pending:
                match = rule.regex.match(line.text)
                if match and match.end() > 0 and take_groups(match, rule.id, doc.ruleset, doc.found):
                    pending.remove(rule)
                    doc.cut_span(line, match, rule)
                    break
            else:
                break


def strip_spans(doc: _Doc) -> None:
    """Pieces inside a paragraph: end marks ("***"), desk codes ("(BBC/P-5)") at the end of
    the last paragraph. Their groups become metadata."""
    for rule in doc.ruleset.spans:
        targets = doc.alive()
        if rule.where == "lead":
            targets = targets[:1]
        elif rule.where == "last":
            targets = targets[-1:]
        elif rule.where == "head":
            targets = [line for line in targets if line.position < HEAD_LINES]
        for line in targets:
            while not line.dropped and (match := _first_valid_search(doc, line, rule)):
                doc.cut_span(line, match, rule)


def _first_valid_search(doc: _Doc, line: Line, rule: Rule) -> re.Match[str] | None:
    for match in rule.regex.finditer(line.text):
        if match.end() > match.start() and take_groups(match, rule.id, doc.ruleset, doc.found):
            return match
    return None


def _first_fullmatch(rules: tuple[Rule, ...], text: str) -> Rule | None:
    return next((rule for rule in rules if rule.regex.fullmatch(text)), None)
