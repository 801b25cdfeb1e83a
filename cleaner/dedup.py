"""Duplicates within one run: exact (the same clean text) and near (MinHash, datasketch).

Workers compute each article's fingerprint (cheap, and where the text is); the writing
process keeps the index and marks a record `duplicate_of` the first record it saw with the
same text (exact), or whose word 5-shingles overlap it by at least the threshold (near,
estimated Jaccard similarity). A mirror that republishes an article with its own stamp is
near; different articles about the same event share facts, not runs of five words, and are
not duplicates. "First" is the first in input order, whatever the workers (records are
settled in that order). A resumed run reads back the records written before its
interruption and indexes each at its place in that order (batch._index_written), so it
marks what one uninterrupted run marks.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from dataclasses import dataclass
from typing import Literal

from .shingles import normalised_words, shingles_of

Mode = Literal["exact", "near"]
PERMUTATIONS = 128
DEFAULT_THRESHOLD = 0.8
SCHEME = "affine32"  # datasketch's hashing scheme, named where signatures are made and read back


def checked_threshold(value: float) -> float:
    """A near-duplicate threshold: a Jaccard similarity above 0 and at most 1 (nan is not one)."""
    if not 0 < value <= 1:
        raise ValueError(f"a Jaccard similarity above 0 and at most 1, not {value}")
    return value


def threshold_arg(value: str) -> float:
    """`--dedup-threshold` as both commands read it (checked_threshold)."""
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    try:
        return checked_threshold(number)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


@dataclass(frozen=True, slots=True)
class Fingerprint:
    exact: str  # sha1 of the text, case and spacing folded
    signature: bytes | None = None  # MinHash values (uint32, the affine32 scheme), for near duplicates


def fingerprint(text: str, mode: Mode) -> Fingerprint | None:
    words = normalised_words(text)
    if not words:
        return None  # an empty body duplicates nothing
    exact = hashlib.sha1(" ".join(words).encode("utf-8")).hexdigest()
    if mode == "exact":
        return Fingerprint(exact)
    # the [dedup] extra; only --dedup near needs it; datasketch ships no type information
    from datasketch import MinHash

    # The same shingles as the Spark job's (cleaner.shingles), so duplicate_of means one thing.
    shingles = [shingle.encode("utf-8") for shingle in shingles_of(words)]
    minhash = MinHash(num_perm=PERMUTATIONS, scheme=SCHEME)
    minhash.update_batch(shingles)
    return Fingerprint(exact, minhash.hashvalues.tobytes())


class DuplicateIndex:
    """The originals seen so far: by exact hash, and (near) by MinHash LSH bands.

    datasketch's MinHashLSH keeps a set of keys per band bucket: 3.7 KB a document, 3.7 GB
    for a million. Only the first original of a bucket matters here (the original of a
    duplicate is the first in input order among its candidates, and the first of a union of
    buckets is the first of their firsts), so each band maps a bucket to one number: 1 KB a
    document. The bands are datasketch's for the threshold (MinHashLSH.b and .r)."""

    def __init__(self, mode: Mode, threshold: float = DEFAULT_THRESHOLD):
        self.mode, self.threshold = mode, checked_threshold(threshold)
        self.exact: dict[str, str] = {}
        self.sources: list[str] = []  # the originals, in the order they were indexed
        self.bands: list[dict[int, int]] = []  # per band: bucket -> the first original in it
        self.rows = 0
        if mode == "near":
            from datasketch import MinHashLSH

            shape = MinHashLSH(threshold=threshold, num_perm=PERMUTATIONS)
            self.bands, self.rows = [{} for _ in range(shape.b)], shape.r

    def original_of(self, source: str, found: Fingerprint | None) -> str | None:
        """The first source with the same or a near text, else None (and `source` is indexed)."""
        if found is None:
            return None
        if found.exact in self.exact:
            return self.exact[found.exact]
        buckets = self._buckets(found.signature) if self.bands and found.signature else []
        firsts = [band[bucket] for band, bucket in zip(self.bands, buckets, strict=False) if bucket in band]
        if firsts:
            return self.sources[min(firsts)]
        number = len(self.sources)
        self.sources.append(source)
        self.exact[found.exact] = source
        for band, bucket in zip(self.bands, buckets, strict=False):
            band[bucket] = number
        return None

    def _buckets(self, signature: bytes) -> list[int]:
        """The signature's bucket in each band: a hash of its band's rows (uint32 each)."""
        width = self.rows * 4
        return [hash(signature[i * width : (i + 1) * width]) for i in range(len(self.bands))]


def mark_duplicate(payload: bytes, original: str) -> bytes:
    """A serialized json/jsonl record with `"duplicate_of": original` added as its last key."""
    value = json.dumps(original, ensure_ascii=False).encode("utf-8")
    if payload.endswith(b"\n}\n"):  # json, indented
        return payload[:-3] + b',\n  "duplicate_of": ' + value + b"\n}\n"
    if payload.endswith(b"}\n"):  # jsonl
        return payload[:-2] + b', "duplicate_of": ' + value + b"}\n"
    return payload  # txt: no place for it; the summary counts it
