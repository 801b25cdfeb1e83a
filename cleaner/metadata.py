"""Metadata: the one model of what is known about a document besides its body, the one
merge of the sources that give it, and the reading of what text rules capture.

Every value comes from a source: the page's JSON-LD, its meta tags, its <title>, a site's
HTML selectors (byline, date, photo credit), caption elements, htmldate, the text rules
(credit lines, datelines, a detected title), site detection, the URL. Each field of
`Metadata` names its sources, best first; `merge()` reads those lists and nothing else
decides which source wins.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import Field, dataclass, field, fields, replace
from datetime import date, datetime, time, timezone
from typing import Any, Literal

from .rules import RegexMatch, RuleSet, utc_offset

Source = Literal[
    "json-ld",  # the page's JSON-LD (NewsArticle and kin)
    "meta-tags",  # <meta> tags: og:title, article:published_time, author, ...
    "html-title",  # the page's <title>
    "site-html",  # the site's html selectors: author, editor, published, image_credit
    "captions",  # credits in caption elements (html.caption), by the site's and the `credits` rules
    "htmldate",  # htmldate's quick search, a last resort for the date
    "text",  # text rules: credit lines, datelines, stamps, the title line of a text
    "site-detection",  # the site named by the caller, the URL's host or a signature in the text
    "url",  # the URL's host, for a site no rule file knows
]

# A site's byline beats JSON-LD and meta tags, which often name the editor or the outlet; but
# when it names the same people, it only confirms them and they keep the credit (and order).
CONFIRMED_BY: Mapping[Source, tuple[Source, ...]] = {"site-html": ("json-ld", "meta-tags")}


def first_of(*sources: Source, people: bool = False) -> dict[str, Any]:
    """A field's sources, best first: the first that gives a value gives the field. `people`:
    a list of names, never holding one the rules list as an organisation."""
    return {"sources": sources, "people": people}


def adding(*sources: Source) -> dict[str, Any]:
    """A list's sources: each adds, in this order, the values not yet there."""
    return {"sources": sources, "adds": True}


@dataclass(slots=True)
class Metadata:
    """What is known about a document, one typed field per value, and `found_by`: the id of
    the rule (or source) that gave each field. The fields are those of the Article record,
    in its order; each names the sources it comes from, best first."""

    title: str | None = field(default=None, metadata=first_of("json-ld", "meta-tags", "html-title", "text"))
    authors: list[str] = field(
        default_factory=list, metadata=first_of("site-html", "json-ld", "meta-tags", "text", people=True)
    )
    editors: list[str] = field(default_factory=list, metadata=first_of("site-html", "text", people=True))
    sources: list[str] = field(default_factory=list, metadata=adding("text"))
    published: str | None = field(
        default=None, metadata=first_of("json-ld", "meta-tags", "site-html", "htmldate", "text")
    )
    dateline: str | None = field(default=None, metadata=first_of("text"))
    site: str | None = field(default=None, metadata=first_of("site-detection", "text", "url"))
    original_publisher: str | None = field(default=None, metadata=first_of("text"))
    image_credits: list[str] = field(default_factory=list, metadata=adding("site-html", "captions", "text"))
    found_by: dict[str, str] = field(default_factory=dict)  # field name -> rule id

    def fill(self, name: str, value: str | list[str] | None, rule: str) -> None:
        """Give a field its value unless it has one: within a source, the first find wins."""
        if value and not getattr(self, name):
            setattr(self, name, value)
            self.found_by[name] = rule

    def add(self, name: str, items: Iterable[str], rule: str) -> None:
        """Add to a list field the items it does not hold yet; the first adds the credit."""
        values: list[str] = getattr(self, name)
        for item in items:
            if item and item not in values:
                values.append(item)
                self.found_by.setdefault(name, rule)

    def drop(self, name: str) -> None:
        setattr(self, name, [] if name in LIST_FIELDS else None)
        self.found_by.pop(name, None)

    def copy(self) -> Metadata:
        """A copy whose lists and found_by change without changing this one's."""
        copied = replace(self, found_by=dict(self.found_by))
        for name in LIST_FIELDS:
            setattr(copied, name, list(getattr(self, name)))
        return copied

    def values(self) -> dict[str, Any]:
        """The fields as keyword arguments for an Article (found_by apart)."""
        return {name: getattr(self, name) for name in FIELDS}


FIELDS = tuple(spec.name for spec in fields(Metadata) if "sources" in spec.metadata)
LIST_FIELDS = frozenset(spec.name for spec in fields(Metadata) if spec.default_factory is list)

# The named groups of text rules, and the field each fills.
LIST_GROUPS = {"author": "authors", "editor": "editors", "source": "sources", "image_credit": "image_credits"}
SCALAR_GROUPS = {"dateline": "dateline", "site": "site", "publisher": "original_publisher"}
NAME_SEPARATORS = re.compile(r"\s*(?:,|;|&|\||\s+dan\s+|\s+and\s+)\s*", re.IGNORECASE)
EDGE_PUNCTUATION = " \t.,;:-–—|*"


@dataclass(frozen=True, slots=True)
class _Offer:
    source: Source
    value: Any
    rule: str | None


def merge(given: Mapping[Source, Metadata], *, organisations: frozenset[str] = frozenset()) -> Metadata:
    """What each source gave, as one Metadata. Per field, in the order the field lists its
    sources: the first that gives a value wins (unless it only confirms a lower one, see
    CONFIRMED_BY), or, for a list that adds up, each adds the values not there yet. A name in
    `organisations` (lower-cased: outlets, desks) is never an author or editor, whichever
    source gives it. A site's own name is never its original publisher."""
    merged = Metadata()
    for spec in fields(Metadata):
        offers = _offers(spec, given, organisations)
        if not offers:
            continue
        if spec.metadata.get("adds"):
            winner, value = offers[0], _added_up(offers)
        else:
            winner = _confirmed(offers)
            value = list(winner.value) if isinstance(winner.value, list) else winner.value
        setattr(merged, spec.name, value)
        if winner.rule:
            merged.found_by[spec.name] = winner.rule
    if merged.original_publisher and merged.original_publisher == merged.site:
        merged.drop("original_publisher")  # a site's own promo line names itself: not a mirror
    return merged


def _offers(
    spec: Field[Any], given: Mapping[Source, Metadata], organisations: frozenset[str]
) -> list[_Offer]:
    """What the field's sources give, best first: only those that give a value."""
    offers = []
    for source in spec.metadata.get("sources", ()):
        found = given.get(source)
        if found is None:
            continue
        value = getattr(found, spec.name)
        if spec.metadata.get("people"):
            value = [name for name in value if not is_organisation(name, organisations)]
        if value:
            offers.append(_Offer(source, value, found.found_by.get(spec.name)))
    return offers


def _added_up(offers: list[_Offer]) -> list[str]:
    """The first offer's list as it was given, then each later one's values not yet there."""
    values = list(offers[0].value)
    for offer in offers[1:]:
        values += [item for item in offer.value if item not in values]
    return values


def _confirmed(offers: list[_Offer]) -> _Offer:
    """The best offer, or the first lower one it only confirms (the same value, or the same
    names in any order) from a source CONFIRMED_BY lists for it."""
    best = offers[0]
    confirming = CONFIRMED_BY.get(best.source, ())
    lower = next((offer for offer in offers[1:] if offer.source in confirming), None)
    if lower is not None and _same(lower.value, best.value):
        return lower
    return best


def _same(a: Any, b: Any) -> bool:
    return set(a) == set(b) if isinstance(a, list) and isinstance(b, list) else bool(a == b)


def is_organisation(name: str, organisations: frozenset[str]) -> bool:
    """Whether a name is one the rules list as an organisation (matched whole, ignoring case)."""
    return " ".join(name.split()).lower() in organisations


def wanted(name: str, source: Source, given: Mapping[Source, Metadata]) -> bool:
    """Whether `source` could still give field `name`: no better source gave it. For the
    sources that are costly to ask (htmldate)."""
    sources: tuple[Source, ...] = next(
        spec.metadata["sources"] for spec in fields(Metadata) if spec.name == name
    )
    better = sources[: sources.index(source)]
    return not any(getattr(given[s], name) for s in better if s in given)


def join_pages(pages: Sequence[Metadata]) -> Metadata:
    """One article split over pages, in order: a single value from the first page that has
    it; the lists of all pages added up, each value once."""
    joined = pages[0].copy()
    for page in pages[1:]:
        for name in FIELDS:
            value, current = getattr(page, name), getattr(joined, name)
            if value and current and name in LIST_FIELDS:
                current += [item for item in value if item not in current]
            elif value and not current:
                setattr(joined, name, list(value) if name in LIST_FIELDS else value)
                if name in page.found_by:
                    joined.found_by[name] = page.found_by[name]
    return joined


def take_groups(
    match: re.Match[str] | RegexMatch[str], rule_id: str, ruleset: RuleSet, found: Metadata
) -> bool:
    """Record what a rule's named groups captured. False when they do not make sense
    (a date that is not a date), so the caller can treat the rule as not matching."""
    groups = {k: v for k, v in match.groupdict().items() if v}
    published = None
    if any(g in groups for g in ("day", "year")):
        published = parse_date(groups, ruleset)
        if published is None:
            return False
    for group, key in LIST_GROUPS.items():
        if group in groups:
            values = split_names(groups[group])
            if group == "source":
                values = [ruleset.source_name(v) for v in values]
            found.add(key, values, rule_id)
    for group, key in SCALAR_GROUPS.items():
        if group in groups:
            found.fill(key, normalise_scalar(group, groups[group]), rule_id)
    found.fill("published", published, rule_id)
    return True


def normalise_scalar(group: str, value: str) -> str:
    value = value.strip(EDGE_PUNCTUATION)
    if group == "dateline":
        return value.upper()
    if group in ("site", "publisher"):
        return value.lower().removeprefix("www.")
    return value


def split_names(value: str) -> list[str]:
    """'A, B dan C.' -> ['A', 'B', 'C']"""
    return [
        name.strip(EDGE_PUNCTUATION) for name in NAME_SEPARATORS.split(value) if name.strip(EDGE_PUNCTUATION)
    ]


def parse_date(groups: dict[str, str], ruleset: RuleSet) -> str | None:
    """ISO 8601 from captured date parts: with the offset when a time and zone are given,
    a bare date when no time is."""
    try:
        month_text = groups.get("month", "")
        month = int(month_text) if month_text.isdigit() else ruleset.month_number(month_text)
        year = int(groups["year"])
        if year < 100:
            year += 2000
        day = date(year, month or 0, int(groups["day"]))
    except (KeyError, ValueError, TypeError):
        return None
    if "hour" not in groups:
        return day.isoformat()
    try:
        moment = time(int(groups["hour"]), int(groups.get("minute", 0)), int(groups.get("second", 0)))
    except ValueError:
        return None
    offset = parse_offset(groups.get("tz") or ruleset.timezone, ruleset)
    return datetime.combine(day, moment, offset).isoformat()


def parse_offset(zone: str | None, ruleset: RuleSet) -> timezone | None:
    """The offset of a zone name ("WIB") or an offset as a page prints it; None for neither."""
    return utc_offset(ruleset.zone_offset(zone)) if zone else None


def find_visible_date(text: str, ruleset: RuleSet) -> str | None:
    """A date as a page shows it ("Rabu, 19 Juni 2024 | 10:05 WIB"), by the `dates` rules."""
    for rule in ruleset.dates:
        for match in rule.regex.finditer(text):
            found = Metadata()
            if take_groups(match, rule.id, ruleset, found) and found.published:
                return found.published
    return None


def find_credit(text: str, ruleset: RuleSet) -> str | None:
    """The photo credit in a caption's text, by the rules that capture image_credit: caption
    rules look at its end, line rules must match the whole caption, as they would a line."""
    for rule in ruleset.captions:
        if "image_credit" in rule.groups and (match := rule.regex.search(text)) and match["image_credit"]:
            return str(match["image_credit"]).strip(EDGE_PUNCTUATION)
    for rule in ruleset.lines:
        if "image_credit" in rule.groups and (match := rule.regex.fullmatch(text)) and match["image_credit"]:
            return str(match["image_credit"]).strip(EDGE_PUNCTUATION)
    return None
