"""Which site a document comes from: explicit argument, URL host, then evidence in the text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from .metadata import normalise_scalar
from .rules import Rules, RuleSet, text_lines
from .settings import SiteSettings

DEFAULT = SiteSettings()  # how far down a text is looked at: cleaner.settings
HOST_LABEL = re.compile(r"[\w-]{1,63}")  # letters of any script (IDN), digits, "_" and "-"
MAX_HOST = 253


@dataclass(frozen=True, slots=True)
class SiteMatch:
    site: str | None
    ruleset: RuleSet
    found_by: str | None  # "argument", "url", or the id of the rule that recognised it


def host_of(url: str | None) -> str | None:
    """The site a URL names ("https://www.kompas.com/a" and "kompas.com/a" are kompas.com);
    None when it names no host: a dump's url field may hold "-", "N/A" or any other text."""
    if not url or not isinstance(url, str):
        return None
    has_scheme = "//" in url
    try:
        host = urlsplit(url if has_scheme else "//" + url).hostname
    except ValueError:  # "http://[bad" and other unparsable hosts name no site
        return None
    if not host or not _is_host_name(host) or (not has_scheme and "." not in host.strip(".")):
        return None  # without a scheme, a bare word ("null", "-") is no host
    return domain_name(host)


def _is_host_name(host: str) -> bool:
    """DNS's shape: at most 253 characters, in labels of 1 to 63."""
    if ":" in host:
        return True  # an IPv6 address, which urlsplit checked
    labels = host.removesuffix(".").split(".")
    return len(host) <= MAX_HOST and all(HOST_LABEL.fullmatch(label) for label in labels)


def domain_name(host: str) -> str:
    """A host as rule files name it: lower case, without "www." and without the final dot of
    a fully qualified name ("www.kompas.com." is kompas.com)."""
    return host.lower().rstrip(".").removeprefix("www.")


def detect_site(
    rules: Rules,
    *,
    text: str = "",
    url: str | None = None,
    site: str | None = None,
    settings: SiteSettings = DEFAULT,
) -> SiteMatch:
    if site:
        match = _named(rules, domain_name(site), "argument")
    elif host := host_of(url):
        match = _named(rules, host, "url")
    else:
        match = detect_site_from_text(rules, text, settings)
    return _with_family(rules, match, text)


def _with_family(rules: Rules, match: SiteMatch, text: str) -> SiteMatch:
    """A site without its own rule file whose text shows a family's signature (a mirror's
    stamp and partner links, say) gets that family's rules."""
    if match.ruleset is not rules.default or not text:
        return match
    lines = text_lines(text)
    for family, signature in rules.signatures("families").shown(text, lines):
        if signature.found_in(text, lines):
            return SiteMatch(match.site, family, match.found_by or signature.id)
    return match


def detect_site_from_text(rules: Rules, text: str, settings: SiteSettings = DEFAULT) -> SiteMatch:
    head = text[: settings.head_chars]
    lines = text_lines(head)
    for ruleset, signature in rules.signatures("sites").shown(head, lines):
        if signature.found_in(head, lines):
            return SiteMatch(ruleset.domains[0], ruleset, signature.id)
    # A domain stamp line or "Domain.com - " prefix (the default set's match.text_hints) names the site.
    head_lines = [line.strip() for line in head.splitlines() if line.strip()][: settings.head_lines]
    for hint in rules.default.text_hints:
        for line in head_lines:
            match = hint.match_line(line)
            if match and match.group("site"):
                return _named(rules, normalise_scalar("site", match.group("site")), hint.id)
    return SiteMatch(None, rules.default, None)


def _named(rules: Rules, host: str, found_by: str) -> SiteMatch:
    ruleset = rules.for_domain(host)
    if ruleset is None:
        return SiteMatch(host, rules.default, found_by)
    # Report the registrable domain the rules know ("kompas.tv"), not the subdomain.
    known = max((d for d in ruleset.domains if host == d or host.endswith("." + d)), key=len)
    return SiteMatch(known, ruleset, found_by)
