"""Load, validate and compile rule files.

A rule file is YAML: one per site (``rules/kompas.tv.yaml``) or a shared set whose file
name starts with an underscore (``rules/_id-news.yaml``). Sites extend shared sets, so a
pattern like "Baca juga:" is written once. The shared set named ``default`` is what a
page of an unknown site gets.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import re
import types
import typing
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import timedelta, timezone
from pathlib import Path
from typing import Any, Literal

import regex
import yaml
from cssselect import HTMLTranslator, SelectorError
from lxml import etree
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .decode import read_bytes
from .errors import InputError, RuleError, RuleErrors
from .literals import LiteralIndex, fold, members

# The `regex` module's types: a field named `regex` would shadow the module in annotations.
RegexPattern = regex.Pattern
RegexMatch = regex.Match

DEFAULT_SET = "default"
MAX_RULE_FILE_BYTES = 10 * 1024 * 1024  # the bundled files are under 100 KB
VAR = re.compile(r"\{\{\s*([A-Za-z_][\w-]*)\s*\}\}")

# Named groups a pattern may capture; each feeds one metadata field.
METADATA_GROUPS = frozenset(
    {"author", "editor", "source", "dateline", "site", "publisher", "image_credit"}
    | {"day", "month", "year", "hour", "minute", "second", "tz"}
)

Where = Literal["any", "head", "lead", "last"]


# --- the file format, as pydantic models (validation only) ---------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


RULE_ID = r"^[a-z0-9][a-z0-9._-]*$"


class _PatternSpec(_Strict):
    id: str = Field(pattern=RULE_ID)
    pattern: str
    note: str | None = None


class RuleSpec(_PatternSpec):
    """A pattern rule of a section that reads every line alike: `where: any` only."""

    where: Literal["any"] = "any"


class LineSpec(_PatternSpec):
    """lines: `head` = the first 3 lines only (Settings.text.head_lines); `lead` / `last` = peeled off the
    article's first / last line while they match."""

    where: Where = "any"
    # Also drop the next line when it reads like a headline (a "Baca Juga" label on its own
    # line, its link's headline on the next).
    drop_next_headline: bool = False
    # The rule is also the site's signature: a line near the top of a text without a URL
    # that this rule matches names the site.
    signature: bool = False


class PrefixSpec(_PatternSpec):
    """prefixes: `lead` = the first body paragraph only; `any` = every paragraph."""

    where: Literal["any", "lead"] = "any"
    signature: bool = False  # as for lines: a line near the top starting with a match names the site


class SpanSpec(_PatternSpec):
    """spans: `head` = the first 3 lines, `lead` / `last` = the first / last paragraph."""

    where: Where = "any"


class BlockSpec(RuleSpec):
    """A label line that takes a block with it: the headline lines under it ("Baca Juga" and
    its links), or the text above it up to `max_chars` (an embedded post ends with its
    attribution, "— Name (@handle) December 20, 2021", after its text)."""

    takes: Literal["headlines", "above"] = "headlines"
    max_chars: int = Field(default=280, ge=1, le=5000)
    # takes: above — the line that opens the block ("View this post on Instagram"). When given,
    # the text above is taken only if the opener is found within max_chars, opener included.
    opener: str | None = None


class MatchSpec(_Strict):
    domains: list[str] = []
    signatures: list[RuleSpec] = []
    # Ids of this set's `lines` or `prefixes` rules that capture a `site` group: in the
    # default set, a line near the top of a text without a URL that one of them matches
    # names the site ("androidvodic.com" alone on a line, "Tuturpedia.com - " before the lead).
    text_hints: list[str] = []


class SelectorSpec(_Strict):
    """An element to remove: by `selector` (CSS, or XPath when it starts with "/" or "("),
    or by `classes`, whole class words any of which marks the element."""

    id: str = Field(pattern=RULE_ID)
    selector: str | None = None
    classes: list[str] = []
    note: str | None = None

    @model_validator(mode="after")
    def _one_way_to_select(self) -> SelectorSpec:
        if bool(self.selector) == bool(self.classes):
            raise ValueError("give either `selector` or `classes`")
        return self


class NamedSelectorSpec(_Strict):
    """A selector with an id, so that a file extending this one can `disable:` it."""

    id: str = Field(pattern=RULE_ID)
    selector: str
    note: str | None = None


SelectorEntry = str | NamedSelectorSpec


class ClassGuardSpec(_Strict):
    """What a class-word rule (`html.remove` with `classes`) never removes, since class
    words are generic: these elements themselves, and an element holding a paragraph longer
    than `max_paragraph_chars` (a clutter box holds headlines and labels, not prose)."""

    tags: list[str] = []
    max_paragraph_chars: int | None = Field(default=None, ge=1)


class HtmlSpec(_Strict):
    """Selectors for the HTML path; read by the HTML stages."""

    body: list[SelectorEntry] = []
    remove: list[SelectorSpec] = []
    author: list[SelectorEntry] = []
    editor: list[SelectorEntry] = []
    published: list[SelectorEntry] = []
    image_credit: list[SelectorEntry] = []  # the element holding a photo credit (its text, "Foto:" cut)
    # Caption elements (figcaption): a photo credit the `credits` rules find in one goes to
    # image_credits. Read before html.remove runs, so a rule may then remove the captions.
    caption: list[SelectorEntry] = []
    class_guard: ClassGuardSpec | None = None


class LabelSpec(_Strict):
    """Words that label a value rather than being it: cut from the start of a byline element
    ("Penulis: Budi" -> "Budi") and of a credit element ("Foto: Humas" -> "Humas")."""

    byline: list[str] = []
    credit: list[str] = []


class RuleFileSpec(_Strict):
    name: str | None = None
    description: str | None = None
    extends: list[str] = []
    disable: list[str] = []
    match: MatchSpec = MatchSpec()
    vars: dict[str, str] = {}
    # Month names and abbreviations as pages print them, matched ignoring case; they also
    # make the {{month_name}} variable.
    months: dict[str, int] = {}
    timezones: dict[str, str] = {}  # zone names, matched ignoring case
    sources: dict[str, str] = {}  # agency codes to names, matched ignoring case
    # The endings of a domain name ("co.id"); they make the {{domain}} variable and tell a
    # web address from a person's name.
    domain_endings: list[str] = []
    labels: LabelSpec = LabelSpec()
    # Words of promotional lines, for `cleaner rules new` to point at; they remove nothing.
    promo_words: list[str] = []
    # The zone of times the site prints without one ("10:03"), e.g. "WIB" or "+07:00"; the
    # publication time is also given in this zone.
    timezone: str | None = None
    # jusText stop lists ("Indonesian", "English") that tell prose from menus in a text dump.
    stoplists: list[str] = []
    # Names that are never a person, so never an author or editor: the outlet's legal and
    # brand names, desk names ("Tim Redaksi"). Matched whole, ignoring case.
    organisations: list[str] = []
    cut: list[RuleSpec] = []
    blocks: list[BlockSpec] = []
    lines: list[LineSpec] = []
    prefixes: list[PrefixSpec] = []
    spans: list[SpanSpec] = []
    title_suffixes: list[RuleSpec] = []
    captions: list[RuleSpec] = []
    dates: list[RuleSpec] = []  # formats of visible dates, read from html.published elements
    credits: list[RuleSpec] = []  # photo credits in html.caption elements (group image_credit)
    html: HtmlSpec = HtmlSpec()


AnyRuleSpec = RuleSpec | LineSpec | PrefixSpec | SpanSpec | BlockSpec
Layers = list[tuple[str, Path, RuleFileSpec]]  # a set's files, parents first: (set name, path, spec)
SECTIONS = ("cut", "blocks", "lines", "prefixes", "spans", "title_suffixes", "captions", "dates", "credits")


def rule_file_schema() -> str:
    """The JSON Schema of a rule file, as rules/schema.json holds it: editors that read a
    `# yaml-language-server: $schema=schema.json` line complete and check rule files with it."""
    import json

    schema = RuleFileSpec.model_json_schema()
    schema["title"] = "cleaner rule file"
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


# --- compiled rules -----------------------------------------------------------------------


# Rule patterns are compiled with the `regex` module (compatible with `re`): its matcher defuses
# the classic catastrophic patterns ("(a+)+$", "(?:\\d+\\s*)+" on a long digit run) that make
# `re` backtrack for ever, and it checks for signals while matching, so the per-document time
# budget (cleaner.limits) can stop the rest.
@dataclass(frozen=True, slots=True)
class Rule:
    id: str  # "<set>/<rule id>", as it appears in Article.removed
    regex: RegexPattern[str]
    where: Where = "any"
    drop_next_headline: bool = False
    takes: Literal["headlines", "above"] = "headlines"  # blocks only
    max_chars: int = 280  # blocks taking the text above
    opener: RegexPattern[str] | None = None  # ... from this line on

    @property
    def groups(self) -> frozenset[str]:
        return frozenset(self.regex.groupindex)


# The sections a line is read by, as a RuleIndex sees them; whole_line_rules: every cut and
# whole-line rule. Spans and captions are searched for anywhere in a line, the others
# matched from its start.
IndexedSection = Literal["whole_line_rules", "lines", "blocks", "prefixes", "spans", "captions"]
INDEXED_SECTIONS: tuple[IndexedSection, ...] = typing.get_args(IndexedSection)
SEARCHED_SECTIONS = frozenset({"spans", "captions"})
# First characters a RuleIndex remembers the rules of: a text's alphabets need a few hundred; a
# hostile input starting each line with another code point must not grow a worker's memory.
MAX_FIRST_CHARACTERS = 4096


class RuleIndex:
    """Every rule of the sections a line is read by, one bit each, and the ones a text may
    match: those whose literals the text holds (one Aho-Corasick pass, literals.py) and, for a
    rule matched from the text's start, a match of which can start with the text's first
    character (the regex module's partial match, asked once per character). Most lines are
    left with no rule or one to try in a section, instead of the twenty it holds."""

    def __init__(self, sections: dict[IndexedSection, tuple[Rule, ...]]):
        self._rules: list[Rule] = []
        self._offsets: dict[IndexedSection, int] = {}
        self._masks: dict[IndexedSection, int] = {}  # a bit per rule of the section, from its offset
        for name, rules in sections.items():
            self._offsets[name] = len(self._rules)
            self._masks[name] = (1 << len(rules)) - 1
            self._rules += rules
        self._anchored = [name not in SEARCHED_SECTIONS for name in sections for _ in sections[name]]
        self._literals = LiteralIndex([rule.regex.pattern for rule in self._rules])
        self._by_first: dict[str, int] = {}  # a first character -> a bit set over the rules

    def bits(self, text: str) -> int:
        """The rules `text` may match, as a bit set: every one that does, and few that don't."""
        bits = self._by_first.get(first := text[:1])
        if bits is None:
            bits = sum(
                1 << i
                for i, rule in enumerate(self._rules)
                if not self._anchored[i] or rule.regex.fullmatch(first, partial=True)
            )
            if len(self._by_first) < MAX_FIRST_CHARACTERS:
                self._by_first[first] = bits
        return bits & self._literals.candidates(fold(text)) if bits else 0

    def bit(self, section: IndexedSection, position: int) -> int:
        """The bit of the rule at `position` in `section`."""
        return 1 << (self._offsets[section] + position)

    def pick(self, section: IndexedSection, bits: int) -> list[Rule]:
        """The rules of `section`, in order, whose bits are set."""
        offset = self._offsets[section]
        selected = bits >> offset & self._masks[section]
        return [self._rules[offset + i] for i in members(selected)] if selected else []


@dataclass(frozen=True, slots=True)
class Selector:
    text: str  # as written in the rule file
    xpath: etree.XPath

    def __call__(self, tree: etree._Element) -> list[etree._Element]:
        found = self.xpath(tree)
        return [e for e in found if isinstance(e, etree._Element)] if isinstance(found, list) else []

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (compile_selector, (self.text,))  # XPath objects do not pickle; recompile


@dataclass(frozen=True, slots=True)
class HtmlRule:
    id: str
    selector: Selector | None = None
    classes: frozenset[str] = frozenset()

    @property
    def shown(self) -> str:
        """How the rule selects, for removal records and explain."""
        return self.selector.text if self.selector else "class~=" + "|".join(sorted(self.classes))


@dataclass(frozen=True, slots=True)
class Signature:
    """A rule that recognises a site in a text without a URL: a `match.signatures` pattern,
    searched anywhere in the text ("text"), or a lines or prefixes rule (flagged `signature`,
    or named in `match.text_hints`) tried on each line as its section tries it: the whole
    line, or the line's start."""

    rule: Rule
    reads: Literal["text", "whole line", "line start"] = "text"

    @property
    def id(self) -> str:
        return self.rule.id

    def match_line(self, line: str) -> RegexMatch[str] | None:
        if self.reads == "whole line":
            return self.rule.regex.fullmatch(line)
        return self.rule.regex.match(line) if self.reads == "line start" else self.rule.regex.search(line)

    def found_in(self, text: str, lines: Sequence[str] | None = None) -> bool:
        """Whether the text shows the signature; `lines`: the text's non-empty lines, spaces
        normalised, when the caller has them already (one split for every site's signatures)."""
        if self.reads == "text":
            return self.rule.regex.search(text) is not None
        return any(self.match_line(line) for line in (lines if lines is not None else text_lines(text)))


class SignatureIndex:
    """The signatures of some rule sets, in order, and the ones a text may show: those whose
    literals its fold holds (literals.py). One pass over a text's head instead of a search
    per signature of every site."""

    def __init__(self, rulesets: Iterable[RuleSet]):
        self.entries = [(ruleset, signature) for ruleset in rulesets for signature in ruleset.signatures]
        self._literals = LiteralIndex([signature.rule.regex.pattern for _, signature in self.entries])

    def shown(self, text: str, lines: Sequence[str]) -> Iterator[tuple[RuleSet, Signature]]:
        """The (rule set, signature) pairs, in order, that a text may show: every one whose
        found_in(text, lines) holds, and few others. `lines`: the text's lines as line
        signatures read them (text_lines: spaces normalised, so a literal may be in them only)."""
        bits = self._literals.candidates(fold(text)) | self._literals.candidates(fold("\n".join(lines)))
        return (self.entries[i] for i in members(bits))


def text_lines(text: str) -> list[str]:
    """A text's non-empty lines, runs of spaces as one: what line rules are tried on."""
    return [line for raw in text.splitlines() if (line := " ".join(raw.split()))]


def month_key(name: str) -> str:
    """How a month name is looked up: "Agt." and "AGT" are "agt"."""
    return name.strip().lower().rstrip(".")


def zone_key(name: str) -> str:
    """How a zone name is looked up: "wib" is "WIB"."""
    return name.strip().upper()


def source_key(code: str) -> str:
    """How an agency code is looked up: "ANT" and "ant" are "ant"."""
    return " ".join(code.split()).casefold()


NEVER = re.compile(r"(?!)")  # the pattern of an empty word list: matches nothing


@dataclass(frozen=True, slots=True)
class RuleSet:
    """Every rule that applies to one site, inherited rules first."""

    name: str
    domains: tuple[str, ...] = ()
    signatures: tuple[Signature, ...] = ()
    text_hints: tuple[Signature, ...] = ()  # rules whose `site` group names a text's site
    cut: tuple[Rule, ...] = ()
    blocks: tuple[Rule, ...] = ()
    lines: tuple[Rule, ...] = ()
    prefixes: tuple[Rule, ...] = ()
    spans: tuple[Rule, ...] = ()
    title_suffixes: tuple[Rule, ...] = ()
    captions: tuple[Rule, ...] = ()
    dates: tuple[Rule, ...] = ()
    credits: tuple[Rule, ...] = ()
    organisations: frozenset[str] = frozenset()  # lower-cased
    # Look-up tables, keyed by month_key, zone_key and source_key when the rules compile.
    months: dict[str, int] = field(default_factory=dict)
    timezones: dict[str, str] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    html_body: tuple[Selector, ...] = ()
    html_remove: tuple[HtmlRule, ...] = ()
    html_author: tuple[Selector, ...] = ()
    html_editor: tuple[Selector, ...] = ()
    html_image_credit: tuple[Selector, ...] = ()
    html_caption: tuple[Selector, ...] = ()
    timezone: str | None = None
    html_published: tuple[Selector, ...] = ()
    stoplists: tuple[str, ...] = ()
    # Every cut and whole-line rule (where: any/head): what a line is first checked against.
    whole_line_rules: tuple[Rule, ...] = ()
    # The class-word guard (html.class_guard): elements a class-word rule never removes.
    guarded_tags: frozenset[str] = frozenset()
    guard_paragraph_chars: int | None = None
    # Compiled from word lists: labels cut from byline and credit elements, what reads as a
    # web address (not a person's name), a domain in text, and promo words (for authoring).
    byline_label: re.Pattern[str] = NEVER
    credit_label: re.Pattern[str] = NEVER
    url_like: re.Pattern[str] = NEVER
    domain_like: re.Pattern[str] = NEVER
    promo_words: re.Pattern[str] = NEVER
    _index: RuleIndex | None = field(default=None, init=False, compare=False, repr=False)  # see index

    def month_number(self, name: str) -> int | None:
        return self.months.get(month_key(name))

    def zone_offset(self, zone: str) -> str:
        """The offset a zone name stands for ("WIB" -> "+07:00"); anything else as given."""
        return self.timezones.get(zone_key(zone), zone)

    def source_name(self, code: str) -> str:
        """The agency an abbreviation stands for ("ANT" -> "Antara"); anything else as given."""
        return self.sources.get(source_key(code), code)

    def may_match_a_line_rule(self, text: str, candidates: int | None = None) -> bool:
        """False when no cut or whole-line rule (where: any/head) matches `text`, which is
        most lines. `candidates`: the text's RuleIndex bits, when the caller has them already.
        (One alternation of all the rules was slower with the regex module.)"""
        bits = self.index.bits(text) if candidates is None else candidates
        return any(rule.regex.fullmatch(text) for rule in self.index.pick("whole_line_rules", bits))

    def rules_for(self, section: IndexedSection, text: str) -> list[Rule]:
        """The rules of `section`, in order, that may match `text` (fully, from its start or
        anywhere in it, as the section reads a line): every one that does, and few that don't."""
        index = self.index
        return index.pick(section, index.bits(text))

    @property
    def index(self) -> RuleIndex:
        """The RuleIndex of this set's line sections, built on first use."""
        index = self._index
        if index is None:  # a cache on a frozen set: it never changes what the set answers
            index = RuleIndex({name: getattr(self, name) for name in INDEXED_SECTIONS})
            object.__setattr__(self, "_index", index)
        return index

    def own_rule_ids(self, *, html: bool = True) -> list[str]:
        """Ids of the rules this site's own file defines (not inherited ones) that remove something."""
        sections = ("cut", "blocks", "lines", "prefixes", "spans", "title_suffixes", "captions")
        ids = [r.id for section in sections for r in getattr(self, section)]
        if html:
            ids += [r.id for r in self.html_remove]
        return [i for i in ids if i.startswith(self.name + "/")]


@dataclass(frozen=True, slots=True)
class Rules:
    """All rule sets of one rules folder, resolved and compiled."""

    sets: dict[str, RuleSet]
    fingerprint: str  # changes whenever any rule file changes
    _signatures: dict[str, SignatureIndex] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )

    @property
    def default(self) -> RuleSet:
        return self.sets[DEFAULT_SET]

    @property
    def sites(self) -> list[RuleSet]:
        return [s for s in self.sets.values() if s.domains]

    @property
    def families(self) -> list[RuleSet]:
        """Shared sets that a site without a file joins when its text shows their signature."""
        return [s for s in self.sets.values() if s.signatures and not s.domains]

    def signatures(self, of: Literal["sites", "families"]) -> SignatureIndex:
        """The signatures of the sites, or of the families, indexed on first use."""
        index = self._signatures.get(of)
        if index is None:
            index = self._signatures[of] = SignatureIndex(self.sites if of == "sites" else self.families)
        return index

    def for_domain(self, host: str) -> RuleSet | None:
        """The site rule set for a host name, subdomains included."""
        host = host.lower().rstrip(".")
        best: tuple[int, RuleSet] | None = None
        for ruleset in self.sites:
            for domain in ruleset.domains:
                if (host == domain or host.endswith("." + domain)) and (
                    best is None or len(domain) > best[0]
                ):
                    best = (len(domain), ruleset)
        return best[1] if best else None


# --- loading ------------------------------------------------------------------------------


def bundled_rules_dir() -> Path:
    """The rules shipped with cleaner: inside the wheel, or the repo's top-level rules/."""
    here = Path(__file__).resolve().parent
    packaged = here / "_rules"
    return packaged if packaged.is_dir() else here.parent / "rules"


def load_rules(directory: str | Path | None = None) -> Rules:
    """Load, validate and compile a rules folder. Raises RuleError naming file, rule and key;
    with several broken files or keys, a RuleErrors that lists every one of them."""
    directory = Path(directory) if directory else bundled_rules_dir()
    if not directory.is_dir():
        raise RuleError(str(directory), "rules folder not found")
    files = sorted(directory.glob("*.yaml")) + sorted(directory.glob("*.yml"))
    specs: dict[str, tuple[Path, RuleFileSpec]] = {}
    errors: list[RuleError] = []
    digest = hashlib.sha256()
    for path in files:
        try:
            raw_bytes = _read_rule_file(path)
            digest.update(path.name.encode() + b"\0" + raw_bytes)
            spec = _parse_file(path, raw_bytes)
        except RuleError as exc:  # go on: the author wants every broken file in one run
            errors.extend(exc.errors if isinstance(exc, RuleErrors) else [exc])
            continue
        name = spec.name or path.stem.lstrip("_")
        if name in specs:
            message = f"rule set {name!r} is also defined in {specs[name][0]}"
            errors.append(RuleError(str(path), message, key="name"))
            continue
        specs[name] = (path, spec)
    if DEFAULT_SET not in specs and not errors:
        raise RuleError(str(directory), f"no rule set named {DEFAULT_SET!r} (expected _default.yaml)")
    sets = {}
    for name, (path, _) in specs.items():
        try:
            layers = _resolve(name, specs, ())
        except RuleError as exc:
            errors.append(exc)
            continue
        try:
            sets[name] = _compile(name, path, layers)
        except RuleError as exc:  # then every broken pattern or selector of the set's own file
            found = _own_compile_errors(name, layers) or [exc]  # or the inherited one, once
            errors += [e for e in found if str(e) not in map(str, errors)]
    if errors:
        raise errors[0] if len(errors) == 1 else RuleErrors(errors)
    return Rules(sets=sets, fingerprint=digest.hexdigest()[:16])


def _read_rule_file(path: Path) -> bytes:
    """A rule file's bytes. A name in the folder may stand for a folder, a broken link or a
    device (a link to /dev/zero was read for ever): each is that file's error."""
    try:
        return read_bytes(path, max_bytes=MAX_RULE_FILE_BYTES)
    except InputError as exc:
        if exc.reason == "empty":
            return b""  # a file with nothing in it yet: a set without rules
        raise RuleError(str(path), exc.reason) from exc


def _parse_file(path: Path, raw: bytes) -> RuleFileSpec:
    try:
        data = yaml.safe_load(raw.decode("utf-8")) or {}
    except UnicodeDecodeError as exc:
        raise RuleError(str(path), f"not UTF-8: {exc}") from exc
    except yaml.YAMLError as exc:
        raise RuleError(str(path), f"invalid YAML: {_yaml_problem(exc)}") from exc
    except RecursionError as exc:  # PyYAML's parser recurses once per level
        raise RuleError(str(path), "invalid YAML: nested too deep") from exc
    if not isinstance(data, dict):
        raise RuleError(str(path), "a rule file must be a mapping of keys")
    if _values_over(data, MAX_RULE_FILE_VALUES):
        raise RuleError(str(path), f"over {MAX_RULE_FILE_VALUES} values once its YAML aliases are expanded")
    try:
        spec = RuleFileSpec.model_validate(data)
    except ValidationError as exc:
        raise _validation_errors(path, data, exc) from exc
    _check_unique_ids(path, spec)
    _check_stoplists(path, spec)
    _check_lookup_keys(path, spec)
    _check_timezones(path, spec)
    _check_generated_vars(path, spec)
    return spec


MAX_RULE_FILE_VALUES = 100_000  # the largest bundled file holds 674


def _values_over(data: object, limit: int) -> bool:
    """Whether the document holds more than `limit` values, aliases counted each time they
    are used: nine lists of nine aliases, nested eight deep, are 43 million values that
    validation and its messages expand (4 s and 750 MB; one level more, ten times that)."""
    stack, seen = [data], 0
    while stack:
        value = stack.pop()
        seen += 1
        if seen > limit:
            return True
        if isinstance(value, dict):
            stack += [*value.keys(), *value.values()]
        elif isinstance(value, list):
            stack += value
    return False


UTC_OFFSET = re.compile(r"(?:UTC|GMT)?\s*([+-])(\d{1,2}):?(\d{2})?")


def utc_offset(value: str) -> timezone | None:
    """ "+07:00", "UTC+7" or "GMT-0530" as a timezone; None when it is not an offset a clock
    can show (hours under 24, minutes under 60): a page's "+99:99" is no zone at all."""
    m = UTC_OFFSET.fullmatch(value.strip())
    if not m:
        return None
    hours, minutes = int(m.group(2)), int(m.group(3) or 0)
    if hours >= 24 or minutes >= 60:
        return None
    sign = -1 if m.group(1) == "-" else 1
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


LOOKUP_KEYS: dict[str, Callable[[str], str]] = {
    "months": month_key,
    "timezones": zone_key,
    "sources": source_key,
}
# Variables the rules make from word lists, never written by hand: one copy of each list.
GENERATED_VARS = {"month_name": "months", "domain": "domain_endings"}


def _check_lookup_keys(path: Path, spec: RuleFileSpec) -> None:
    """Look-up keys are matched ignoring case, so two keys that differ only in case are one
    key written twice ("Ant" and "ANT")."""
    for section, key_of in LOOKUP_KEYS.items():
        seen: dict[str, str] = {}
        for key in getattr(spec, section):
            normal = key_of(key)
            if normal in seen:
                message = f"{key!r} is the same key as {seen[normal]!r} (keys are matched ignoring case)"
                raise RuleError(str(path), message, key=f"{section}.{key}")
            seen[normal] = key


def _check_timezones(path: Path, spec: RuleFileSpec) -> None:
    """A zone name stands for a UTC offset; anything else would leave its times unzoned."""
    for zone, value in spec.timezones.items():
        if utc_offset(value) is None:
            message = f"{value!r} is not a UTC offset such as '+07:00'"
            raise RuleError(str(path), message, key=f"timezones.{zone}")


def _check_zone(layers: Layers, timezones: dict[str, str]) -> None:
    """The set's `timezone` (from the last layer that gives one) is an offset, or a zone name
    of its `timezones` ("WIB"), e.g. not "Asia/Jakarta"."""
    zone, path = next(((s.timezone, p) for _, p, s in reversed(layers) if s.timezone), (None, None))
    if zone and utc_offset(timezones.get(zone_key(zone), zone)) is None:
        message = f"{zone!r} is neither a UTC offset such as '+07:00' nor a name in `timezones`"
        raise RuleError(str(path), message, key="timezone")


def _check_generated_vars(path: Path, spec: RuleFileSpec) -> None:
    for var, source in GENERATED_VARS.items():
        if var in spec.vars:
            message = f"{{{{{var}}}}} is made from `{source}:`; list the words there instead"
            raise RuleError(str(path), message, key=f"vars.{var}")


def _check_stoplists(path: Path, spec: RuleFileSpec) -> None:
    """A stop list is named as jusText names it ("Indonesian"); a typo would fail every text."""
    if not spec.stoplists:
        return
    import justext  # imported here: most rule files name no stop list

    known = sorted(justext.get_stoplists())
    for index, name in enumerate(spec.stoplists):
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else " (jusText's names, e.g. 'Indonesian')"
            raise RuleError(str(path), f"unknown stop list {name!r}{hint}", key=f"stoplists[{index}]")


def _check_unique_ids(path: Path, spec: RuleFileSpec) -> None:
    """Ids name rules in every removal record, so one file may not use an id twice."""
    seen: dict[str, str] = {}
    for key, rule_id in _ids_in(spec):
        if rule_id in seen:
            message = f"duplicate rule id, also at {seen[rule_id]}"
            raise RuleError(str(path), message, rule=rule_id, key=key)
        seen[rule_id] = key


HTML_SELECTOR_KEYS = ("body", "author", "editor", "published", "image_credit", "caption")


def _ids_in(spec: RuleFileSpec) -> Iterable[tuple[str, str]]:
    """(key, id) of every rule and named selector a file defines: what `disable:` may name."""
    for section in SECTIONS:
        for index, rule in enumerate(getattr(spec, section)):
            yield f"{section}[{index}].id", rule.id
    for index, selector_spec in enumerate(spec.html.remove):
        yield f"html.remove[{index}].id", selector_spec.id
    for name in HTML_SELECTOR_KEYS:
        for index, entry in enumerate(getattr(spec.html, name)):
            if isinstance(entry, NamedSelectorSpec):
                yield f"html.{name}[{index}].id", entry.id


def _yaml_problem(exc: yaml.YAMLError) -> str:
    """PyYAML's multi-line message as one line: where, then what."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return f"line {mark.line + 1}, column {mark.column + 1}: {problem}" if mark else problem


def _validation_errors(path: Path, data: dict[str, Any], exc: ValidationError) -> RuleError:
    """One RuleError per problem. An unknown key close to an allowed one gets "did you mean",
    and the "Field required" it causes for that key is left out: it is the same typo."""
    found: list[tuple[tuple[int | str, ...], str]] = []
    suggested: set[tuple[int | str, ...]] = set()
    for error in exc.errors():
        loc = error["loc"]
        message = error["msg"]
        if error["type"] == "literal_error" and loc[-1] == "where":
            allowed = ", ".join(re.findall(r"'(\w+)'", str(error["ctx"]["expected"])))
            section = _key_path(tuple(part for part in loc[:-1] if not isinstance(part, int)))
            message = f"`where: {error['input']}` never runs in {section}; it reads where: {allowed}"
        elif error["type"] == "extra_forbidden":
            close = difflib.get_close_matches(str(loc[-1]), _fields_at(loc[:-1]), n=1, cutoff=0.6)
            message = f"unknown key; did you mean {close[0]!r}?" if close else "unknown key"
            suggested.update((*loc[:-1], name) for name in close)
        found.append((loc, message))
    problems = [
        RuleError(str(path), message, rule=_rule_id_at(data, loc), key=_key_path(loc))
        for loc, message in found
        if not (message == "Field required" and tuple(loc) in suggested)
    ]
    return problems[0] if len(problems) == 1 else RuleErrors(problems)


def _fields_at(loc: tuple[Any, ...]) -> list[str]:
    """The keys the schema allows at a location, e.g. ('lines', 1) -> RuleSpec's fields."""
    model: Any = RuleFileSpec
    for part in loc:
        if isinstance(part, int):
            continue
        is_model = isinstance(model, type) and issubclass(model, BaseModel)
        field = model.model_fields.get(part) if is_model else None
        if field is None:
            return []
        model = field.annotation
        while typing.get_origin(model) in (list, tuple, dict, typing.Union, types.UnionType):
            args = [a for a in typing.get_args(model) if a is not type(None)]
            # of `str | NamedSelectorSpec`, the model: its keys are the ones to suggest
            model = next((a for a in args if isinstance(a, type) and issubclass(a, BaseModel)), args[0])
    return list(model.model_fields) if isinstance(model, type) and issubclass(model, BaseModel) else []


def _key_path(loc: tuple[Any, ...]) -> str:
    """('lines', 0, 'pattern') -> 'lines[0].pattern'"""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + str(part)
    return out


def _rule_id_at(data: Any, loc: tuple[Any, ...]) -> str | None:
    """The id of the rule an error location points into, if any."""
    node, found = data, None
    for part in loc:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(node, dict) and isinstance(node.get("id"), str):
            found = node["id"]
    return found


def _resolve(name: str, specs: dict[str, tuple[Path, RuleFileSpec]], seen: tuple[str, ...]) -> Layers:
    """The chain of files a set is built from, parents first, each once."""
    path, spec = specs[name]
    if name in seen:
        raise RuleError(str(path), f"extends itself through {' -> '.join((*seen, name))}", key="extends")
    chain: Layers = []
    for parent in spec.extends:
        if parent not in specs:
            raise RuleError(str(path), f"extends unknown rule set {parent!r}", key="extends")
        for layer in _resolve(parent, specs, (*seen, name)):
            if layer[0] not in {c[0] for c in chain}:
                chain.append(layer)
    chain.append((name, path, spec))
    return chain


def _variables(layers: Layers) -> dict[str, str]:
    """Every layer's vars, and those made from word lists: {{month_name}} from `months:`
    (longest first, capitalised as pages print them), {{domain}} from `domain_endings:`."""
    variables: dict[str, str] = {}
    for _, _, spec in layers:
        variables.update(spec.vars)
    months = list(dict.fromkeys(month_key(k) for _, _, spec in layers for k in spec.months))
    if months:
        names = sorted(months, key=len, reverse=True)
        variables["month_name"] = "(?:" + "|".join(regex.escape(n.capitalize()) for n in names) + ")"
    if endings := _merged(layers, "domain_endings"):
        alternatives = "|".join(regex.escape(e) for e in endings)
        variables["domain"] = rf"(?:[A-Za-z0-9][A-Za-z0-9-]*\.)+(?i:{alternatives})\b"
    return variables


def _merged(layers: Layers, key: str) -> list[str]:
    """A word list of every layer, parents first, each word once."""
    return list(dict.fromkeys(word for _, _, spec in layers for word in getattr(spec, key)))


def _word_pattern(words: list[str], template: str) -> re.Pattern[str]:
    """`template` with {} replaced by an alternation of the words (longest first), ignoring case."""
    if not words:
        return NEVER
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(template.replace("{}", alternatives), re.IGNORECASE)


def _check_disabled(layers: Layers) -> set[str]:
    """Every `disable:` entry names a rule or selector of the set's chain, by its id or by
    "<set>/<id>"; a typo is an error, not a rule that quietly keeps running."""
    known = {rule_id for _, _, spec in layers for _, rule_id in _ids_in(spec)}
    known |= {f"{name}/{rule_id}" for name, _, spec in layers for _, rule_id in _ids_in(spec)}
    for _, path, spec in layers:
        for index, rule_id in enumerate(spec.disable):
            if rule_id not in known:
                close = difflib.get_close_matches(rule_id, sorted(known), n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                message = f"disables {rule_id!r}, which no rule or selector of this set has{hint}"
                raise RuleError(str(path), message, rule=rule_id, key=f"disable[{index}]")
    return {rule_id for _, _, spec in layers for rule_id in spec.disable}


def _compile(name: str, path: Path, layers: Layers) -> RuleSet:
    disabled = _check_disabled(layers)
    variables = _variables(layers)
    tables: dict[str, dict[str, Any]] = {section: {} for section in LOOKUP_KEYS}
    organisations: set[str] = set()
    sections: dict[str, dict[str, Rule]] = {s: {} for s in SECTIONS}
    flagged: dict[str, Signature] = {}
    html_remove: dict[str, HtmlRule] = {}
    for _, _, spec in layers:
        for section, key_of in LOOKUP_KEYS.items():
            tables[section].update({key_of(k): v for k, v in getattr(spec, section).items()})
        organisations.update(" ".join(name.split()).lower() for name in spec.organisations)
    _check_zone(layers, tables["timezones"])
    # The site's own rules are tried before inherited ones, and replace an inherited rule of the same id.
    for layer_name, layer_path, spec in reversed(layers):
        for section in SECTIONS:
            for index, rule_spec in enumerate(getattr(spec, section)):
                if rule_spec.id not in sections[section]:
                    key = f"{section}[{index}].pattern"
                    rule = _compile_rule(layer_name, layer_path, rule_spec, variables, key)
                    sections[section][rule_spec.id] = rule
                    if getattr(rule_spec, "signature", False) and layer_name == name:
                        flagged[rule_spec.id] = Signature(rule, _line_reading(section))
        for index, rule_spec in enumerate(spec.html.remove):
            if rule_spec.id not in html_remove:
                html_remove[rule_spec.id] = _compile_html_rule(layer_name, layer_path, rule_spec, index)
    own = layers[-1][2]
    signatures = tuple(
        Signature(_compile_rule(name, path, s, variables, f"match.signatures[{i}].pattern"))
        for i, s in enumerate(own.match.signatures)
    )

    def enabled(rule_id: str) -> bool:
        return rule_id not in disabled and rule_id.partition("/")[2] not in disabled

    def keep(rules: dict[str, Rule]) -> tuple[Rule, ...]:
        return tuple(r for r in rules.values() if enabled(r.id))

    whole_lines = tuple(r for r in keep(sections["lines"]) if r.where in ("any", "head"))
    guard = next((s.html.class_guard for _, _, s in reversed(layers) if s.html.class_guard), None)
    endings = _merged(layers, "domain_endings")
    ending_words = "|".join(re.escape(e) for e in endings) or "(?!)"
    byline_labels = [word for _, _, s in layers for word in s.labels.byline]
    credit_labels = [word for _, _, s in layers for word in s.labels.credit]
    return RuleSet(
        whole_line_rules=keep(sections["cut"]) + whole_lines,
        name=name,
        domains=tuple(d.lower().removeprefix("www.") for d in own.match.domains),
        signatures=signatures + tuple(s for s in flagged.values() if enabled(s.id)),
        text_hints=_text_hints(path, own, sections),
        months=tables["months"],
        timezones=tables["timezones"],
        sources=tables["sources"],
        organisations=frozenset(organisations),
        html_body=_compile_selectors(layers, "body", enabled),
        html_remove=tuple(r for r in html_remove.values() if enabled(r.id)),
        html_author=_compile_selectors(layers, "author", enabled),
        html_editor=_compile_selectors(layers, "editor", enabled),
        html_image_credit=_compile_selectors(layers, "image_credit", enabled),
        html_caption=_compile_selectors(layers, "caption", enabled),
        timezone=next((spec.timezone for _, _, spec in reversed(layers) if spec.timezone), None),
        stoplists=next((tuple(spec.stoplists) for _, _, spec in reversed(layers) if spec.stoplists), ()),
        html_published=_compile_selectors(layers, "published", enabled),
        guarded_tags=frozenset(guard.tags) if guard else frozenset(),
        guard_paragraph_chars=guard.max_paragraph_chars if guard else None,
        byline_label=_word_pattern(byline_labels, r"^\s*(?:{})\s*:?\s+"),
        credit_label=_word_pattern(credit_labels, r"^\s*[(\[]?\s*(?:{})\s*:?\s*|[)\]]\s*$"),
        url_like=re.compile(rf"^(?:https?://|www\.)|\.(?:{ending_words})\b", re.IGNORECASE),
        domain_like=re.compile(rf"\b[\w-]+\.(?:{ending_words})\b", re.IGNORECASE),
        promo_words=_word_pattern(_merged(layers, "promo_words"), r"\b(?:{})\b"),
        **{section: keep(sections[section]) for section in SECTIONS},
    )


def _line_reading(section: str) -> Literal["whole line", "line start"]:
    return "line start" if section == "prefixes" else "whole line"


def _text_hints(path: Path, own: RuleFileSpec, sections: dict[str, dict[str, Rule]]) -> tuple[Signature, ...]:
    """The rules `match.text_hints` names, each read as its section reads a line."""
    hints = []
    for index, rule_id in enumerate(own.match.text_hints):
        key = f"match.text_hints[{index}]"
        section = next((s for s in ("lines", "prefixes") if rule_id in sections[s]), None)
        if section is None:
            message = f"names {rule_id!r}, which is no `lines` or `prefixes` rule of this set"
            raise RuleError(str(path), message, rule=rule_id, key=key)
        rule = sections[section][rule_id]
        if "site" not in rule.groups:
            raise RuleError(str(path), "a text hint must capture a `site` group", rule=rule_id, key=key)
        hints.append(Signature(rule, _line_reading(section)))
    return tuple(hints)


def _own_compile_errors(name: str, layers: Layers) -> list[RuleError]:
    """Each pattern and selector of a set's own file compiled on its own, to report them all
    (`_compile` stops at the first). Sets that inherit a broken file report nothing here: the
    broken file's own set does."""
    _, path, spec = layers[-1]
    variables = _variables(layers)
    attempts: list[Callable[[], object]] = []
    for section in SECTIONS:
        for index, rule in enumerate(getattr(spec, section)):
            key = f"{section}[{index}].pattern"
            attempts.append(functools.partial(_compile_rule, name, path, rule, variables, key))
    for index, rule in enumerate(spec.match.signatures):
        key = f"match.signatures[{index}].pattern"
        attempts.append(functools.partial(_compile_rule, name, path, rule, variables, key))
    for index, selector_spec in enumerate(spec.html.remove):
        attempts.append(functools.partial(_compile_html_rule, name, path, selector_spec, index))
    for key in HTML_SELECTOR_KEYS:
        attempts.append(functools.partial(_compile_selectors, [layers[-1]], key, lambda _: True))
    errors = []
    for attempt in attempts:
        try:
            attempt()
        except RuleError as exc:
            errors.append(exc)
    return errors


def compile_selector(text: str) -> Selector:
    """CSS, or XPath when it starts with / or (. Raises ValueError on a bad selector."""
    try:
        xpath = text if text.lstrip().startswith(("/", "(")) else HTMLTranslator().css_to_xpath(text)
        return Selector(text, etree.XPath(xpath))
    except (SelectorError, etree.XPathSyntaxError) as exc:
        raise ValueError(f"bad selector {text!r}: {exc}") from exc


def _compile_selectors(layers: Layers, key: str, enabled: Callable[[str], bool]) -> tuple[Selector, ...]:
    """The site's own selectors first, then inherited ones, but those disabled."""
    selectors = []
    for layer_name, path, spec in reversed(layers):
        for index, entry in enumerate(getattr(spec.html, key)):
            if isinstance(entry, NamedSelectorSpec) and not enabled(f"{layer_name}/{entry.id}"):
                continue
            text = entry.selector if isinstance(entry, NamedSelectorSpec) else entry
            try:
                selectors.append(compile_selector(text))
            except ValueError as exc:
                raise RuleError(str(path), str(exc), key=f"html.{key}[{index}]") from exc
    return tuple(selectors)


def _compile_html_rule(set_name: str, path: Path, spec: SelectorSpec, index: int) -> HtmlRule:
    if not spec.selector:
        return HtmlRule(f"{set_name}/{spec.id}", classes=frozenset(spec.classes))
    try:
        return HtmlRule(f"{set_name}/{spec.id}", selector=compile_selector(spec.selector))
    except ValueError as exc:
        raise RuleError(str(path), str(exc), rule=spec.id, key=f"html.remove[{index}].selector") from exc


def _compile_rule(set_name: str, path: Path, spec: AnyRuleSpec, variables: dict[str, str], key: str) -> Rule:
    source = _expand(spec.pattern, variables, path, spec.id, key)
    rule_id = f"{set_name}/{spec.id}"
    try:
        pattern = regex.compile(source)
    except regex.error as exc:
        raise RuleError(str(path), f"bad regex: {exc}", rule=spec.id, key=key) from exc
    unknown = set(pattern.groupindex) - METADATA_GROUPS
    if unknown:
        raise RuleError(
            str(path),
            f"unknown group name(s) {sorted(unknown)}; allowed: {sorted(METADATA_GROUPS)}",
            rule=spec.id,
            key=key,
        )
    if isinstance(spec, BlockSpec):
        opener = None
        if spec.opener:
            opener_spec = RuleSpec(id=spec.id, pattern=spec.opener)
            opener_key = key.replace("pattern", "opener")
            opener = _compile_rule(set_name, path, opener_spec, variables, opener_key).regex
        return Rule(rule_id, pattern, takes=spec.takes, max_chars=spec.max_chars, opener=opener)
    drop_next_headline = isinstance(spec, LineSpec) and spec.drop_next_headline
    return Rule(id=rule_id, regex=pattern, where=spec.where, drop_next_headline=drop_next_headline)


def _expand(pattern: str, variables: dict[str, str], path: Path, rule: str, key: str) -> str:
    """Substitute {{var}} references, allowing vars built from other vars."""
    for _ in range(8):
        if not VAR.search(pattern):
            return pattern

        def lookup(m: re.Match[str]) -> str:
            if m.group(1) not in variables:
                raise RuleError(str(path), f"unknown variable {{{{{m.group(1)}}}}}", rule=rule, key=key)
            return variables[m.group(1)]

        pattern = VAR.sub(lookup, pattern)
    raise RuleError(str(path), "variables nest too deeply (a cycle?)", rule=rule, key=key)
