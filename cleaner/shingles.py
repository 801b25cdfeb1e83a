"""Word shingles of a clean text: what near-duplicate marking compares, at every scale.

One definition for `cleaner clean --dedup near` (cleaner.dedup, MinHash with datasketch) and
for the Spark job (cleaner.spark.dedup, Spark ML's MinHashLSH), so that `duplicate_of` means
the same thing on one machine and on a cluster: two texts are near duplicates when the sets
of their word 5-grams overlap by at least the threshold (Jaccard similarity).

Normalisation: the text is lower-cased and split on any run of whitespace, so line breaks,
paragraph breaks and spacing do not count; punctuation stays attached to its word. A text of
fewer than SHINGLE_WORDS words is one shingle, the whole text. An empty text has no words
and no shingles: it duplicates nothing.
"""

from __future__ import annotations

SHINGLE_WORDS = 5  # long enough that two reports of one event share facts but not shingles


def normalised_words(text: str) -> list[str]:
    """The words of a text as duplicate marking sees them: lower-cased, whitespace folded."""
    return text.lower().split()


def word_shingles(text: str, size: int = SHINGLE_WORDS) -> set[str]:
    """The set of `size`-word runs of the text (joined by one space), in normalised words."""
    return shingles_of(normalised_words(text), size)


def shingles_of(words: list[str], size: int = SHINGLE_WORDS) -> set[str]:
    """word_shingles over words already normalised (for callers that need the words too)."""
    if not words:
        return set()
    span = min(size, len(words))
    return {" ".join(words[i : i + span]) for i in range(len(words) - span + 1)}
