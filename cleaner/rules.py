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
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import regex
import yaml
from cssselect import HTMLTranslator, SelectorError
from lxml import etree
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .errors import RuleError, RuleErrors

DEFAULT_SET = "default"
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


class RuleSpec(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")
    pattern: str
    where: Where = "any"
    # lines rules: also drop the next line when it reads like a headline (a "Baca Juga"
    # label on its own line, its link's headline on the next).
    drop_next_headline: bool = False
    note: str | None = None


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


class SelectorSpec(_Strict):
    """An element to remove: by `selector` (CSS, or XPath when it starts with "/" or "("),
    or by `classes`, whole class words any of which marks the element."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")
    selector: str | None = None
    classes: list[str] = []
    note: str | None = None

    @model_validator(mode="after")
    def _one_way_to_select(self) -> SelectorSpec:
        if bool(self.selector) == bool(self.classes):
            raise ValueError("give either `selector` or `classes`")
        return self


class HtmlSpec(_Strict):
    """Selectors for the HTML path; read by the HTML stages."""

    body: list[str] = []
    remove: list[SelectorSpec] = []
    author: list[str] = []
    editor: list[str] = []
    published: list[str] = []
    image_credit: list[str] = []  # the element holding a photo credit (its text, "Foto:" cut)
    # Caption elements (figcaption): a photo credit the `credits` rules find in one goes to
    # image_credits. Read before html.remove runs, so a rule may then remove the captions.
    caption: list[str] = []


class RuleFileSpec(_Strict):
    name: str | None = None
    description: str | None = None
    extends: list[str] = []
    disable: list[str] = []
    match: MatchSpec = MatchSpec()
    vars: dict[str, str] = {}
    months: dict[str, int] = {}
    timezones: dict[str, str] = {}
    sources: dict[str, str] = {}
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
    lines: list[RuleSpec] = []
    prefixes: list[RuleSpec] = []
    spans: list[RuleSpec] = []
    title_suffixes: list[RuleSpec] = []
    captions: list[RuleSpec] = []
    dates: list[RuleSpec] = []  # formats of visible dates, read from html.published elements
    credits: list[RuleSpec] = []  # photo credits in html.caption elements (group image_credit)
    html: HtmlSpec = HtmlSpec()


SECTIONS = ("cut", "blocks", "lines", "prefixes", "spans", "title_suffixes", "captions", "dates", "credits")


# --- compiled rules -----------------------------------------------------------------------


# Rule patterns are compiled with the `regex` module (compatible with `re`): its matcher defuses
# the classic catastrophic patterns ("(a+)+$", "(?:\\d+\\s*)+" on a long digit run) that make
# `re` backtrack for ever, and it checks for signals while matching, so the per-document time
# budget (cleaner.limits) can stop the rest.
@dataclass(frozen=True, slots=True)
class Rule:
    id: str  # "<set>/<rule id>", as it appears in Article.removed
    regex: regex.Pattern[str]
    where: Where = "any"
    drop_next_headline: bool = False
    takes: Literal["headlines", "above"] = "headlines"  # blocks only
    max_chars: int = 280  # blocks taking the text above
    opener: regex.Pattern[str] | None = None  # ... from this line on

    @property
    def groups(self) -> frozenset[str]:
        return frozenset(self.regex.groupindex)


@dataclass(frozen=True, slots=True)
class Selector:
    text: str  # as written in the rule file
    xpath: etree.XPath

    def __call__(self, tree: etree._Element) -> list[etree._Element]:
        return [e for e in self.xpath(tree) if isinstance(e, etree._Element)]

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
class RuleSet:
    """Every rule that applies to one site, inherited rules first."""

    name: str
    domains: tuple[str, ...] = ()
    signatures: tuple[Rule, ...] = ()
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

    def may_match_a_line_rule(self, text: str) -> bool:
        """False when no cut or whole-line rule (where: any/head) matches `text`, which is
        most lines. (One alternation of all of them was slower with the regex module.)"""
        return any(rule.regex.fullmatch(text) for rule in self.whole_line_rules)

    def own_rule_ids(self, *, html: bool = True) -> list[str]:
        """Ids of the rules this site's own file defines (not inherited ones) that remove something."""
        sections = ("cut", "blocks", "lines", "prefixes", "spans", "title_suffixes", "captions")
        ids = [r.id for section in sections for r in getattr(self, section)]
        if html:
            ids += [r.id for r in self.html_remove]
        return [i for i in ids if i.startswith(self.name + "/")]

    def rules_with_group(self, group: str) -> Iterable[Rule]:
        for section in ("lines", "prefixes"):
            for rule in getattr(self, section):
                if group in rule.groups:
                    yield rule


@dataclass(frozen=True, slots=True)
class Rules:
    """All rule sets of one rules folder, resolved and compiled."""

    sets: dict[str, RuleSet]
    fingerprint: str  # changes whenever any rule file changes

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

    def for_site(self, site: str | None) -> RuleSet:
        if site and (ruleset := self.for_domain(site) or self.sets.get(site)):
            return ruleset
        return self.default


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
        raw_bytes = path.read_bytes()
        digest.update(path.name.encode() + b"\0" + raw_bytes)
        try:
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


def _parse_file(path: Path, raw: bytes) -> RuleFileSpec:
    try:
        data = yaml.safe_load(raw.decode("utf-8")) or {}
    except UnicodeDecodeError as exc:
        raise RuleError(str(path), f"not UTF-8: {exc}") from exc
    except yaml.YAMLError as exc:
        raise RuleError(str(path), f"invalid YAML: {_yaml_problem(exc)}") from exc
    if not isinstance(data, dict):
        raise RuleError(str(path), "a rule file must be a mapping of keys")
    try:
        spec = RuleFileSpec.model_validate(data)
    except ValidationError as exc:
        raise _validation_errors(path, data, exc) from exc
    _check_unique_ids(path, spec)
    _check_stoplists(path, spec)
    return spec


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
    sections = [(name, getattr(spec, name)) for name in SECTIONS] + [("html.remove", spec.html.remove)]
    for section, rules in sections:
        for index, rule in enumerate(rules):
            key = f"{section}[{index}].id"
            if rule.id in seen:
                message = f"duplicate rule id, also at {seen[rule.id]}"
                raise RuleError(str(path), message, rule=rule.id, key=key)
            seen[rule.id] = key


def _yaml_problem(exc: yaml.YAMLError) -> str:
    """PyYAML's multi-line message as one line: where, then what."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return f"line {mark.line + 1}, column {mark.column + 1}: {problem}" if mark else problem


def _validation_errors(path: Path, data: dict[str, Any], exc: ValidationError) -> RuleError:
    """One RuleError per problem. An unknown key close to an allowed one gets "did you mean",
    and the "Field required" it causes for that key is left out: it is the same typo."""
    found, suggested = [], set()
    for error in exc.errors():
        loc = error["loc"]
        message = error["msg"]
        if error["type"] == "extra_forbidden":
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
        field = model.model_fields.get(part) if isinstance(model, type) else None
        if field is None:
            return []
        model = field.annotation
        while typing.get_origin(model) in (list, tuple, dict, typing.Union, types.UnionType):
            model = next((a for a in typing.get_args(model) if a is not type(None)), None)
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


def _resolve(
    name: str, specs: dict[str, tuple[Path, RuleFileSpec]], seen: tuple[str, ...]
) -> list[tuple[str, Path, RuleFileSpec]]:
    """The chain of files a set is built from, parents first, each once."""
    path, spec = specs[name]
    if name in seen:
        raise RuleError(str(path), f"extends itself through {' -> '.join((*seen, name))}", key="extends")
    chain: list[tuple[str, Path, RuleFileSpec]] = []
    for parent in spec.extends:
        if parent not in specs:
            raise RuleError(str(path), f"extends unknown rule set {parent!r}", key="extends")
        for layer in _resolve(parent, specs, (*seen, name)):
            if layer[0] not in {c[0] for c in chain}:
                chain.append(layer)
    chain.append((name, path, spec))
    return chain


def _compile(name: str, path: Path, layers: list[tuple[str, Path, RuleFileSpec]]) -> RuleSet:
    variables: dict[str, str] = {}
    months: dict[str, int] = {}
    timezones: dict[str, str] = {}
    sources: dict[str, str] = {}
    organisations: set[str] = set()
    sections: dict[str, dict[str, Rule]] = {s: {} for s in SECTIONS}
    html_remove: dict[str, HtmlRule] = {}
    disabled: set[str] = set()
    for _, _, spec in layers:
        variables.update(spec.vars)
        months.update({k.lower(): v for k, v in spec.months.items()})
        timezones.update(spec.timezones)
        sources.update(spec.sources)
        organisations.update(" ".join(name.split()).lower() for name in spec.organisations)
        disabled.update(spec.disable)
    # The site's own rules are tried before inherited ones, and replace an inherited rule of the same id.
    for layer_name, layer_path, spec in reversed(layers):
        for section in SECTIONS:
            for index, rule_spec in enumerate(getattr(spec, section)):
                if rule_spec.id not in sections[section]:
                    key = f"{section}[{index}].pattern"
                    sections[section][rule_spec.id] = _compile_rule(
                        layer_name, layer_path, rule_spec, variables, key
                    )
        for index, rule_spec in enumerate(spec.html.remove):
            if rule_spec.id not in html_remove:
                html_remove[rule_spec.id] = _compile_html_rule(layer_name, layer_path, rule_spec, index)
    own = layers[-1][2]
    signatures = tuple(
        _compile_rule(name, path, s, variables, f"match.signatures[{i}].pattern")
        for i, s in enumerate(own.match.signatures)
    )

    def keep(rules: dict[str, Rule]) -> tuple[Rule, ...]:
        return tuple(r for short, r in rules.items() if short not in disabled and r.id not in disabled)

    whole_lines = tuple(r for r in keep(sections["lines"]) if r.where in ("any", "head"))
    return RuleSet(
        whole_line_rules=keep(sections["cut"]) + whole_lines,
        name=name,
        domains=tuple(d.lower().removeprefix("www.") for d in own.match.domains),
        signatures=signatures,
        months=months,
        timezones=timezones,
        sources=sources,
        organisations=frozenset(organisations),
        html_body=_compile_selectors(layers, "body"),
        html_remove=tuple(r for short, r in html_remove.items() if short not in disabled),
        html_author=_compile_selectors(layers, "author"),
        html_editor=_compile_selectors(layers, "editor"),
        html_image_credit=_compile_selectors(layers, "image_credit"),
        html_caption=_compile_selectors(layers, "caption"),
        timezone=next((spec.timezone for _, _, spec in reversed(layers) if spec.timezone), None),
        stoplists=next((tuple(spec.stoplists) for _, _, spec in reversed(layers) if spec.stoplists), ()),
        html_published=_compile_selectors(layers, "published"),
        **{section: keep(sections[section]) for section in SECTIONS},
    )


def _own_compile_errors(name: str, layers: list[tuple[str, Path, RuleFileSpec]]) -> list[RuleError]:
    """Each pattern and selector of a set's own file compiled on its own, to report them all
    (`_compile` stops at the first). Sets that inherit a broken file report nothing here: the
    broken file's own set does."""
    _, path, spec = layers[-1]
    variables: dict[str, str] = {}
    for _, _, layer in layers:
        variables.update(layer.vars)
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
    for key in ("body", "author", "editor", "published", "image_credit", "caption"):
        attempts.append(functools.partial(_compile_selectors, [layers[-1]], key))
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


def _compile_selectors(layers: list[tuple[str, Path, RuleFileSpec]], key: str) -> tuple[Selector, ...]:
    """The site's own selectors first, then inherited ones."""
    selectors = []
    for _, path, spec in reversed(layers):
        for index, text in enumerate(getattr(spec.html, key)):
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


def _compile_rule(set_name: str, path: Path, spec: RuleSpec, variables: dict[str, str], key: str) -> Rule:
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
    block: dict[str, object] = {}
    if isinstance(spec, BlockSpec):
        block = {"takes": spec.takes, "max_chars": spec.max_chars}
        if spec.opener:
            opener = RuleSpec(id=spec.id, pattern=spec.opener)
            opener_key = key.replace("pattern", "opener")
            block["opener"] = _compile_rule(set_name, path, opener, variables, opener_key).regex
    return Rule(
        id=rule_id,
        regex=pattern,
        where=spec.where,
        drop_next_headline=spec.drop_next_headline,
        **block,  # type: ignore[arg-type]
    )


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
