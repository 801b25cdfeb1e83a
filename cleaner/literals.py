"""Which rules can match a text, told by the literal text their matches must contain.

Most lines match no rule, and asking each rule's regex in turn costs a call per rule per line.
A rule such as ``.{0,400}?\\s*\\((?:Foto|Photo)\\s*:...`` can only match a line that contains
"foto" or "photo" (case-folded), so the literals of every rule of a set go into one
Aho-Corasick automaton (pyahocorasick), and one pass over the line says which rules are worth
their regex. The literals come from Python's own regex parser; a pattern it cannot read (the
`regex` module's extensions) names none, and its rule is always tried.
"""

from __future__ import annotations

import functools
import re
import re._constants as re_constants  # type: ignore[import-not-found]  # the parser's node types
import re._parser as re_parser  # type: ignore[import-not-found]  # no public API reads a pattern's literals
from collections.abc import Iterable, Sequence
from typing import Any

import ahocorasick

POSIX_CLASS = re.compile(r"\[:\^?[a-z]+:\]")
_REPEATS = (re_constants.MAX_REPEAT, re_constants.MIN_REPEAT, re_constants.POSSESSIVE_REPEAT)


def fold(text: str) -> str:
    """`text` case-folded, as literals are compared: a rule's literal is in the fold of every
    text the rule matches, whether the rule ignores case or not. casefold() maps each character
    to the fold every case-insensitive match of it shares ("ſ" and "s", the Kelvin sign and
    "k"), except two the `regex` module also matches to an ASCII letter: "I" matches the
    dotless "ı", and "i" matches "İ", which folds to "i" and a combining dot."""
    folded = text.casefold()
    if folded.isascii():
        return folded
    if "ı" in folded:
        folded = folded.replace("ı", "i")
    return folded.replace("\u0307", "") if "\u0307" in folded else folded


@functools.lru_cache(maxsize=4096)  # sets inherit the same patterns
def required_literals(pattern: str) -> tuple[str, ...] | None:
    """Folded texts, one of which the fold of every match of `pattern` contains:
    "(?:Foto|Photo):\\s*\\w+" gives ("foto", "photo"). Of the choices a pattern offers (here
    also ":"), the one whose shortest literal is longest. None when there is none, or when the
    pattern is beyond Python's parser (the regex module's own syntax). Only literals whose
    case-insensitive matches all fold alike are offered (see indexable)."""
    if POSIX_CLASS.search(pattern):
        return None  # "[[:alpha:]]" is the regex module's; Python's parser reads another set
    try:
        found = _needed(re_parser.parse(pattern))
    except (re.error, RecursionError, OverflowError):
        return None
    return None if found is None else _minimal(fold(text) for text in found)


def indexable(literal: str) -> bool:
    """ASCII, or characters without case ("©", "–"): every character a case-insensitive
    match of them accepts folds as they do (tests/test_literals.py checks every code point)."""
    return literal.isascii() or all(c.upper() == c.lower() == c.casefold() == c for c in literal)


def _needed(nodes: Any) -> tuple[str, ...] | None:
    """The best set of texts one of which a match of this sequence of parser nodes contains."""
    choices: list[tuple[str, ...]] = []
    run = ""
    for op, value in nodes:
        if op is re_constants.LITERAL:
            run += chr(value)
            continue
        if op is re_constants.AT:  # an anchor takes no characters: the literals stay adjacent
            continue
        if run and indexable(run):
            choices.append((run,))
        run = ""
        if (inner := _inner(op, value)) is not None:
            choices.append(inner)
    if run and indexable(run):
        choices.append((run,))
    return max(choices, key=lambda texts: (min(map(len, texts)), -len(texts)), default=None)


def _inner(op: Any, value: Any) -> tuple[str, ...] | None:
    if op is re_constants.SUBPATTERN:  # a group, with or without flags of its own
        return _needed(value[3])
    if op is re_constants.ATOMIC_GROUP:
        return _needed(value)
    if op is re_constants.ASSERT:  # a lookahead or lookbehind: its text is in the line too
        return _needed(value[1])
    if op in _REPEATS and value[0] >= 1:  # repeated at least once
        return _needed(value[2])
    if op is re_constants.BRANCH:  # every alternative must offer a literal
        alternatives = [_needed(branch) for branch in value[1]]
        if any(a is None for a in alternatives):
            return None
        return tuple(text for a in alternatives if a for text in a)
    return None


def _minimal(texts: Iterable[str]) -> tuple[str, ...]:
    """Without the texts that contain another ("agustus" when "agu" is there): each is implied."""
    kept: list[str] = []
    for text in sorted(set(texts), key=len):
        if not any(shorter in text for shorter in kept):
            kept.append(text)
    return tuple(sorted(kept))


MIN_INDEXED = 3  # shorter letters ("id", "a") are in most lines: their rule is simply always tried


def _worth_indexing(literal: str) -> bool:
    return len(literal) >= MIN_INDEXED or not literal.isalnum()  # "(", "*" or "©" is in few lines


class LiteralIndex:
    """For a sequence of patterns: which of them a text may match, as a bit set (bit i =
    pattern i), from one pass of an automaton of their literals over the folded text. A
    pattern without literals worth indexing (MIN_INDEXED characters, or punctuation) is always
    a candidate."""

    def __init__(self, patterns: Sequence[str]):
        self.always = 0
        masks: dict[str, int] = {}
        for i, pattern in enumerate(patterns):
            literals = required_literals(pattern)
            if not literals or not all(map(_worth_indexing, literals)):
                self.always |= 1 << i
                continue
            for literal in literals:
                masks[literal] = masks.get(literal, 0) | 1 << i
        self._automaton: ahocorasick.Automaton | None = None  # None: no literal to look for
        if masks:
            self._automaton = ahocorasick.Automaton()
            for literal, mask in masks.items():
                self._automaton.add_word(literal, mask)
            self._automaton.make_automaton()

    def candidates(self, folded: str) -> int:
        """The patterns whose literals `folded` (the fold() of a text) holds, and those always tried."""
        found = self.always
        if self._automaton is not None:
            for _, mask in self._automaton.iter(folded):
                found |= mask
        return found


def members(bits: int) -> Iterable[int]:
    """The set bits' positions, lowest first."""
    while bits:
        low = bits & -bits
        yield low.bit_length() - 1
        bits ^= low
