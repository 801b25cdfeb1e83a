"""Tools for rule authors: list the sites, check the rule files, scaffold a new site."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from .core import Cleaner
from .errors import RuleError, RuleErrors
from .fixtures import EXPECTED_SUFFIX, discover, expected_site
from .inputs import clean_path, is_html, stem_of, url_for
from .models import Article
from .rules import Rules, RuleSet, load_rules
from .sites import domain_name
from .textrules import SENTENCE_END

CREDIT_LIKE = re.compile(r"^[A-Z][\w /.-]{1,25}\s*:\s*\S")
ARCHIVE_NAME = re.compile(r"[0-9a-f]{40}")  # the sha1 of the URL, as `cleaner fetch` names pages
CODE_AT_END = re.compile(r"\([^()]{1,20}/[^()]{1,20}\)\s*$")
# A host name: dot-separated labels of letters, digits and inner hyphens (xn-- for IDN).
DOMAIN = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]")
RULE_TEMPLATE = """\
# yaml-language-server: $schema=schema.json
name: {domain}
description: TODO one line on the outlet and what its pages carry.
extends: [id-news]

match:
  domains: [{domain}]
  # signatures:                  # text evidence when there is no URL, e.g. its dateline stamp
  #   - id: dateline-stamp
  #     pattern: "[A-Z]+, {stamp}\\\\s*[-–]"

# lines:                         # a line that fully matches is dropped
#   - id: promo
#     pattern: "(?i)..."
# prefixes:                      # stripped from the start of the first paragraph
#   - id: dateline
#     where: lead
#     pattern: "(?P<dateline>[A-Z]+), {stamp}\\\\s*{{{{dash}}}}\\\\s*"
# title_suffixes:
#   - id: site-name
#     pattern: "\\\\s+[-|]\\\\s+{title}$"

# html:
#   body: ["div.article-content"]   # the article container
#   remove:
#     - id: related
#       selector: ".related-box"
#   author: [".author-name"]
#   published: ["time[datetime]"]
"""


@dataclass(frozen=True)
class SiteRow:
    name: str
    domains: tuple[str, ...]
    rules: int
    text_fixtures: int
    html_fixtures: int


def site_rows(rules: Rules, fixture_roots: Iterable[Path]) -> list[SiteRow]:
    """One row per site rule file; fixtures are counted by the site their expected output names."""
    text: Counter[str] = Counter()
    html: Counter[str] = Counter()
    for fixture in discover(fixture_roots):
        if site := expected_site(fixture):
            ruleset = rules.for_domain(site)
            if ruleset is not None:
                (html if is_html(fixture.input) else text)[ruleset.name] += 1
    return [
        SiteRow(
            ruleset.name,
            ruleset.domains,
            len(ruleset.own_rule_ids()) + len(ruleset.signatures) + len(ruleset.html_body),
            text[ruleset.name],
            html[ruleset.name],
        )
        for ruleset in sorted(rules.sites, key=lambda r: r.name)
    ]


def render_site_table(rows: Iterable[SiteRow]) -> str:
    rows = list(rows)
    width = max([len(r.name) for r in rows] + [4])
    lines = [f"{'site':<{width}}  rules  text  html  domains"]
    for r in rows:
        counts = f"{r.rules:>5}  {r.text_fixtures:>4}  {r.html_fixtures:>4}"
        lines.append(f"{r.name:<{width}}  {counts}  {', '.join(r.domains)}")
    lines.append(f"{len(rows)} sites")
    return "\n".join(lines)


def check_rule_folder(
    rules_dir: Path | None, fixture_roots: Iterable[Path]
) -> tuple[Rules | None, list[str]]:
    """Every rule file loads (schema, regexes, selectors, unique ids) and every site has fixtures."""
    try:
        rules = load_rules(rules_dir)
    except RuleErrors as exc:
        return None, [str(error) for error in exc.errors]
    except RuleError as exc:
        return None, [str(exc)]
    roots = list(fixture_roots)
    problems = []
    for row in site_rows(rules, roots):
        if not row.text_fixtures and not row.html_fixtures:
            where = roots[0] / row.name if roots else Path(row.name)
            problems.append(f"{row.name}: no fixture with an expected output (in {where}/)")
    return rules, problems


def site_domain(name: str) -> str:
    """The domain a new site's files are named after ("www.Kompas.com" -> "kompas.com");
    ValueError for anything else: the name becomes a file name ("../x", "a b!")."""
    domain = domain_name(name)
    if not DOMAIN.fullmatch(domain):
        raise ValueError(f"{name!r} is not a domain name (like kompas.com)")
    return domain


def scaffold_site(domain: str, rules_dir: Path, fixtures_dir: Path, page: Path | None = None) -> list[Path]:
    """Write rules/<domain>.yaml and, from a saved page, fixtures/<domain>/<page>. Returns what it wrote."""
    domain = site_domain(domain)
    rule_file = rules_dir / f"{domain}.yaml"
    if rule_file.exists():
        raise FileExistsError(f"{rule_file} exists already")
    label = domain.split(".")[0]
    rule_file.write_text(
        RULE_TEMPLATE.format(
            domain=domain, stamp=_yaml_escaped(re.escape(domain.upper())), title=label.capitalize()
        ),
        encoding="utf-8",
    )
    written = [rule_file]
    if page is not None:
        target = fixtures_dir / domain / fixture_name(page)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(page, target)
        written.append(target)
        for kind in (".url", ".charset"):  # an archived page's URL and HTTP charset come along
            sidecar = page.with_name(stem_of(page) + kind)
            if sidecar.exists():
                shutil.copyfile(sidecar, target.with_name(stem_of(target) + kind))
                written.append(target.with_name(stem_of(target) + kind))
    return written


def fixture_name(page: Path) -> str:
    """The fixture's file name: the page's own, unless it is an archive's hash name
    (pages/ab/<sha1>.html.gz), which says nothing: then the last words of its URL's path."""
    stem, suffix = stem_of(page), page.name[len(stem_of(page)) :]
    url = url_for(page)
    if not (ARCHIVE_NAME.fullmatch(stem) and url):
        return page.name
    segments = [s for s in urlsplit(url).path.split("/") if s]
    words = re.sub(r"\.(?:s?html?|php|aspx?)$", "", segments[-1] if segments else "", flags=re.I)
    slug = re.sub(r"[^a-z0-9]+", "-", words.lower()).strip("-")[:80].strip("-")
    return (slug or urlsplit(url).hostname or stem) + suffix


def suspicious_paragraphs(article: Article, ruleset: RuleSet) -> list[tuple[str, str]]:
    """Paragraphs that still look like clutter, with why: a starting point for the site's rules.
    Promo words and domain endings are the rules' (`promo_words:`, `domain_endings:`)."""
    found = []
    for paragraph in article.paragraphs:
        reason = _why_suspicious(paragraph, ruleset)
        if reason:
            found.append((reason, paragraph))
    return found


def _why_suspicious(paragraph: str, ruleset: RuleSet) -> str | None:
    if CREDIT_LIKE.match(paragraph) and len(paragraph) < 120:
        return "credit-like"
    if ruleset.promo_words.search(paragraph) and len(paragraph) < 300:
        return "promo-like"
    if CODE_AT_END.search(paragraph):
        return "end code"
    if len(paragraph) < 70 and not paragraph.endswith(SENTENCE_END):
        return "short, no sentence (link list? heading?)"
    if ruleset.domain_like.search(paragraph) and len(paragraph) < 160:
        return "names a domain"
    return None


def new_site_report(cleaner: Cleaner, fixture: Path, domain: str) -> str:
    # Without a URL sidecar the page is cleaned as the new site's, so its rules apply.
    article = clean_path(cleaner, fixture, url=url_for(fixture) or f"https://{domain}/")
    lines = [
        f"{fixture}: {len(article.paragraphs)} paragraphs, body from {article.extraction}, "
        f"{len(article.removed)} removals",
        f"  title: {article.title}",
        f"  authors: {article.authors}  editors: {article.editors}  published: {article.published}",
    ]
    suspects = suspicious_paragraphs(article, cleaner.rules.for_domain(domain) or cleaner.rules.default)
    if suspects:
        lines += ["", "Still looks like clutter (write rules for what really is):"]
        lines += [f"  [{why}] {text[:140]}" for why, text in suspects]
    else:
        lines += ["", "Nothing in the body looks like clutter by the simple checks."]
    expected = fixture.with_name(stem_of(fixture) + EXPECTED_SUFFIX)
    lines += [
        "",
        "Next: edit the rule file, check with `cleaner explain`, then",
        f"`cleaner fixtures update {fixture.parent}` and review {expected.name} line by line.",
    ]
    return "\n".join(lines)


def _yaml_escaped(pattern: str) -> str:
    """A regex as it must be written inside a double-quoted YAML string."""
    return pattern.replace("\\", "\\\\")
