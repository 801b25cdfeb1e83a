"""Property: the cleaner removes and normalises whitespace, it never writes text of its own."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cleaner import Cleaner
from cleaner.textrules import INVISIBLE, normalise_space

from .conftest import REPO

SEED_LINES = [
    line
    for path in sorted((REPO / "seeds").glob("*.txt"))
    for line in path.read_text(encoding="utf-8").splitlines()
]
CLUTTER = [
    "Baca juga: Judul Lain", "Terkini Lainnya", "Tautan Sahabat", "androidvodic.com", "Penulis: Budi",
    "Editor : Akmal", "Sumber : Associated Press", "***", "(BBC/P-5)", "News - ", "Tuturpedia.com – ",
    "JAKARTA, KOMPAS.com - ", "Kompas dunia | 20 Juni 2024, 08:50 WIB", " (RIA Novosti)", "ADVERTISEMENT",
]  # fmt: skip

fragment = st.one_of(
    st.sampled_from(SEED_LINES),
    st.sampled_from(CLUTTER),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=80),
)
line = st.lists(fragment, min_size=1, max_size=3).map("".join)
document = st.lists(line, max_size=25).map("\n".join)


def assembled_from(paragraph: str, source: str) -> bool:
    """True when the paragraph is the source line with pieces cut out: its words appear in
    the source in order, each word intact."""
    position = 0
    for word in paragraph.split(" "):
        found = source.find(word, position)
        if found < 0:
            return False
        position = found + len(word)
    return True


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document)
def test_every_paragraph_comes_from_one_input_line(text: str) -> None:
    article = CLEANER.clean_text(text)
    sources = [normalise_space(raw) for raw in text.splitlines()]
    for paragraph in article.paragraphs:
        assert paragraph.strip() == paragraph and paragraph
        assert any(paragraph == s or (paragraph in s) or assembled_from(paragraph, s) for s in sources), (
            paragraph
        )
    assert article.text == "\n\n".join(article.paragraphs)


@settings(max_examples=200, deadline=None)
@given(document)
def test_kept_and_removed_account_for_the_input(text: str) -> None:
    """Nothing disappears silently: every input line is kept, or its removal is recorded."""
    article = CLEANER.clean_text(text)
    recorded = {r.line for r in article.removed}
    kept = set(article.paragraphs)
    for index, raw in enumerate(text.splitlines()):
        line = normalise_space(raw)
        if line and line not in kept:
            assert index in recorded, (index, line)


CLEANER = Cleaner(REPO / "rules")


def test_normalise_space_is_the_regex_definition_on_every_character() -> None:
    """The fast normalise_space (str.split, translate only off ASCII) against its definition:
    invisible characters out, every run of regex whitespace to one space, ends stripped."""
    spaces = re.compile(r"[\s\u00a0\u2007\u202f]+")
    for code in range(0x110000):
        if 0xD800 <= code <= 0xDFFF:
            continue
        char = chr(code)
        text = f"{char}a {char}\u00a0b{char}{char}\u200bc{char}"
        assert normalise_space(text) == spaces.sub(" ", text.translate(INVISIBLE)).strip(), hex(code)
