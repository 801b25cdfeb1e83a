"""cleaner.literals: the literal texts a rule's matches must contain, and the index that
tells a line's candidate rules from them. Skipping a rule that matches would change output,
so every shortcut here is checked against the regex it stands for."""

from __future__ import annotations

import string
import sys

import pytest
import regex

from cleaner.literals import LiteralIndex, fold, indexable, members, required_literals
from cleaner.rules import load_rules

from .conftest import REPO


@pytest.mark.parametrize(
    ("pattern", "literals"),
    [
        (r"(?i)baca juga\s*:.*", ("baca juga",)),
        (r"(?:Foto|Photo|Sumber foto)\s*:\s*\w+", ("foto", "photo")),  # "sumber foto" holds "foto"
        (r".{0,400}?\s*\((?P<c>ANTARA(?: FOTO)?/[^()]{2,80})\)", ("antara",)),
        (r"(?=.*$(?<=Penulis|Editor)).{4,90}", ("editor", "penulis")),  # a lookaround's text is there too
        (r"(?:Halaman\s*)+\d+", ("halaman",)),  # repeated at least once
        (r"(?:Halaman\s*)?\d+", None),  # optional: nothing is required
        (r"Baca|\d+", None),  # an alternative without a literal
        (r"(?m)^Bisnis\.com\s*,", ("bisnis.com",)),  # an anchor keeps literals adjacent
        (r"\p{Lu}[a-z]+ News", None),  # the regex module's own syntax: not read
        (r"[[:alpha:]]News Today", None),  # ... which Python's parser may read otherwise
        (r"Café\s+\d+", None),  # "é" has case: not indexable, and nothing else is there
        (r".*©\s*\d{4}", ("©",)),  # a caseless symbol is
        (r"Berita (?:Agustus|Agu)\b", ("berita agu",)),  # the parser takes "Agu" out of both
    ],
)
def test_required_literals(pattern: str, literals: tuple[str, ...] | None) -> None:
    assert required_literals(pattern) == literals


def test_every_match_holds_a_required_literal() -> None:
    """On every line of the seeds and fixtures, a bundled pattern that matches anywhere in a
    line leaves one of its literals in the line's fold."""
    texts = [*(REPO / "seeds").glob("*.txt"), *(REPO / "fixtures").rglob("*.txt")]
    lines = {line for path in texts for line in path.read_text(encoding="utf-8").splitlines() if line}
    lines |= {line.swapcase() for line in lines}
    patterns = {rule.regex for rs in load_rules(REPO / "rules").sets.values() for rule in rs.whole_line_rules}
    checked = 0
    for pattern in patterns:
        literals = required_literals(pattern.pattern)
        if literals is None:
            continue
        for line in lines:
            if pattern.search(line):
                assert any(literal in fold(line) for literal in literals), (pattern.pattern, line)
                checked += 1
    assert checked > 500


def _letters_of_bundled_literals() -> set[str]:
    rules = load_rules(REPO / "rules")
    found: set[str] = set()
    for ruleset in rules.sets.values():
        for section in ("whole_line_rules", "lines", "blocks"):
            for rule in getattr(ruleset, section):
                found |= set("".join(required_literals(rule.regex.pattern) or ()))
    return found


def test_fold_agrees_with_the_regex_modules_case_insensitive_match() -> None:
    """For every indexable character (printable ASCII, and the caseless ones the bundled
    rules use), every code point the regex module matches to it case-insensitively folds
    (fold()) to the same text: a literal's fold is then in the fold of every text that matches it."""
    everything = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)
    characters = set(string.printable[:95]) | {c for c in _letters_of_bundled_literals() if indexable(c)}
    assert "©" in characters
    for character in sorted(characters):
        for flags in ("(?i)", "(?fi)", ""):
            for matched in regex.findall(f"{flags}[{regex.escape(character)}]", everything):
                assert fold(matched) == fold(character), (flags, character, hex(ord(matched)))


def test_indexable() -> None:
    assert indexable("Baca juga:") and indexable("©") and indexable("–")
    assert not indexable("é") and not indexable("ß") and not indexable("Ⓑ")


def test_literal_index_candidates() -> None:
    index = LiteralIndex([r"(?i)baca juga:.*", r".*\((?:Foto|Photo):[^()]+\)", r"\d+", r"Halaman \d+"])
    assert list(members(index.candidates(fold("BACA JUGA: Harga naik")))) == [0, 2]  # \d+ always
    assert list(members(index.candidates(fold("Sebuah gedung (FOTO: Ant)")))) == [1, 2]
    assert list(members(index.candidates(fold("Halaman 2")))) == [2, 3]
    assert list(members(index.candidates(""))) == [2]
    assert LiteralIndex([]).candidates("x") == 0
    assert LiteralIndex([r".*©\s*\w+"]).candidates(fold("a line without the mark")) == 0  # rare, if short
