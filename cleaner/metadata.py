"""Metadata found by rules: names, agencies, dates, and which rule found each."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from .models import Article
from .rules import RegexMatch, RuleSet

LIST_FIELDS = {"author": "authors", "editor": "editors", "source": "sources", "image_credit": "image_credits"}
ADDITIVE_FIELDS = frozenset({"sources", "image_credits"})
SCALAR_FIELDS = {"dateline": "dateline", "site": "site", "publisher": "original_publisher"}
DATE_GROUPS = ("day", "month", "year", "hour", "minute", "second", "tz")
NAME_SEPARATORS = re.compile(r"\s*(?:,|;|&|\||\s+dan\s+|\s+and\s+)\s*", re.IGNORECASE)
EDGE_PUNCTUATION = " \t.,;:-–—|*"


@dataclass
class Found:
    """Metadata collected while cleaning; the first value of a scalar field wins."""

    values: dict[str, object] = field(default_factory=dict)
    found_by: dict[str, str] = field(default_factory=dict)

    def set(self, key: str, value: str | None, rule: str) -> None:
        if value and key not in self.values:
            self.values[key] = value
            self.found_by[key] = rule

    def add(self, key: str, items: list[str], rule: str) -> None:
        bucket = self.values.setdefault(key, [])
        assert isinstance(bucket, list)
        for item in items:
            if item and item not in bucket:
                bucket.append(item)
                self.found_by.setdefault(key, rule)

    def apply_to(self, article: Article, *, keep_existing: bool = False) -> None:
        """Copy into the article. With keep_existing, fields it already has win, except that
        credits and sources, which add up, are merged."""
        for key, value in self.values.items():
            current = getattr(article, key)
            if keep_existing and current:
                if key in ADDITIVE_FIELDS:
                    current += [v for v in value if v not in current]  # type: ignore[union-attr]
                continue
            setattr(article, key, value)
            if key in self.found_by:
                article.found_by[key] = self.found_by[key]


def take_groups(match: re.Match[str] | RegexMatch[str], rule_id: str, ruleset: RuleSet, found: Found) -> bool:
    """Record what a rule's named groups captured. False when they do not make sense
    (a date that is not a date), so the caller can treat the rule as not matching."""
    groups = {k: v for k, v in match.groupdict().items() if v}
    published = None
    if any(g in groups for g in ("day", "year")):
        published = parse_date(groups, ruleset)
        if published is None:
            return False
    for group, key in LIST_FIELDS.items():
        if group in groups:
            values = split_names(groups[group])
            if group == "source":
                values = [ruleset.source_name(v) for v in values]
            found.add(key, values, rule_id)
    for group, key in SCALAR_FIELDS.items():
        if group in groups:
            found.set(key, normalise_scalar(group, groups[group]), rule_id)
    if published:
        found.set("published", published, rule_id)
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
    if not zone:
        return None
    value = ruleset.zone_offset(zone)
    m = re.fullmatch(r"(?:UTC|GMT)?\s*([+-])(\d{1,2}):?(\d{2})?", value.strip())
    if not m:
        return None
    sign = -1 if m.group(1) == "-" else 1
    return timezone(sign * timedelta(hours=int(m.group(2)), minutes=int(m.group(3) or 0)))


def find_visible_date(text: str, ruleset: RuleSet) -> str | None:
    """A date as a page shows it ("Rabu, 19 Juni 2024 | 10:05 WIB"), by the `dates` rules."""
    for rule in ruleset.dates:
        for match in rule.regex.finditer(text):
            found = Found()
            if take_groups(match, rule.id, ruleset, found) and "published" in found.values:
                return str(found.values["published"])
    return None


def find_credit(text: str, ruleset: RuleSet) -> str | None:
    """The photo credit in a caption's text, by the rules that capture image_credit: caption
    rules look at its end, line rules must match the whole caption, as they would a line."""
    for rule in ruleset.captions:
        if "image_credit" in rule.groups and (match := rule.regex.search(text)) and match["image_credit"]:
            return match["image_credit"].strip(EDGE_PUNCTUATION)
    for rule in ruleset.lines:
        if "image_credit" in rule.groups and (match := rule.regex.fullmatch(text)) and match["image_credit"]:
            return match["image_credit"].strip(EDGE_PUNCTUATION)
    return None
