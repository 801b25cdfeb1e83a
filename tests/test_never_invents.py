"""Property: the cleaner removes and normalises whitespace, it never writes text of its own."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cleaner import Cleaner
from cleaner.textrules import normalise_space

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
