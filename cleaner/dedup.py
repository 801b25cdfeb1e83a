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
from typing import Any, Literal

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
    def __init__(self, mode: Mode, threshold: float = DEFAULT_THRESHOLD):
        self.mode, self.threshold = mode, checked_threshold(threshold)
        self.exact: dict[str, str] = {}
        self.order: dict[str, int] = {}
        self.lsh: Any = None
        if mode == "near":
            from datasketch import MinHashLSH

            self.lsh = MinHashLSH(threshold=threshold, num_perm=PERMUTATIONS)

    def original_of(self, source: str, found: Fingerprint | None) -> str | None:
        """The first source with the same or a near text, else None (and `source` is indexed)."""
        if found is None:
            return None
        if found.exact in self.exact:
            return self.exact[found.exact]
        minhash = None
        if self.lsh is not None and found.signature is not None:
            minhash = self._minhash(found.signature)
            near = self.lsh.query(minhash)
            if near:
                first: str = min(near, key=self.order.__getitem__)  # datasketch is untyped
                return first
        self.exact[found.exact] = source
        self.order[source] = len(self.order)
        if minhash is not None:
            self.lsh.insert(source, minhash)
        return None

    @staticmethod
    def _minhash(signature: bytes) -> Any:
        import numpy as np
        from datasketch import LeanMinHash

        return LeanMinHash(seed=1, hashvalues=np.frombuffer(signature, dtype=np.uint32), scheme=SCHEME)


def mark_duplicate(payload: bytes, original: str) -> bytes:
    """A serialized json/jsonl record with `"duplicate_of": original` added as its last key."""
    value = json.dumps(original, ensure_ascii=False).encode("utf-8")
    if payload.endswith(b"\n}\n"):  # json, indented
        return payload[:-3] + b',\n  "duplicate_of": ' + value + b"\n}\n"
    if payload.endswith(b"}\n"):  # jsonl
        return payload[:-2] + b', "duplicate_of": ' + value + b"}\n"
    return payload  # txt: no place for it; the summary counts it
