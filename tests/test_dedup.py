"""Duplicates within a run: exact copies and mirrors are marked duplicate_of the first;
different articles about one event (the five seeds) are not."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from cleaner import Cleaner
from cleaner.batch import BatchOptions, run_batch
from cleaner.dedup import PERMUTATIONS, SCHEME, DuplicateIndex, Fingerprint, fingerprint, mark_duplicate
from cleaner.shingles import word_shingles

from .conftest import REPO
from .test_batch import InterruptingCleaner, jsonl_records

SEEDS = sorted((REPO / "seeds").glob("*.txt"))


def test_the_five_seeds_report_one_event_and_are_not_merged(tmp_path: Path, cleaner: Cleaner) -> None:
    for seed in SEEDS:
        shutil.copy(seed, tmp_path / seed.name)
    summary = run_batch(
        [tmp_path], tmp_path / "out", BatchOptions(fmt="jsonl", dedup="near"), cleaner=cleaner
    )
    assert (summary.cleaned, summary.duplicates) == (5, 0)
    assert all("duplicate_of" not in r for r in jsonl_records(tmp_path / "out"))


@pytest.mark.parametrize("mode", ["exact", "near"])
def test_copies_and_mirrors_point_at_the_first(tmp_path: Path, cleaner: Cleaner, mode: str) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    original = SEEDS[0].read_text(encoding="utf-8")
    (folder / "a.txt").write_text(original, encoding="utf-8")
    (folder / "b.txt").write_text(original.replace("\n", "\n\n"), encoding="utf-8")  # the same text
    # a mirror: the same article under another site's stamp, one body paragraph dropped (the
    # fourth line from the end; the last two are credit lines, which go in any case)
    paragraphs = original.splitlines()
    mirror = "\n".join(
        ["Diterbitkan ulang dari kompas.tv oleh Portal Berita Kita", *paragraphs[:-4], *paragraphs[-3:]]
    )
    (folder / "c.txt").write_text(mirror, encoding="utf-8")
    for seed in SEEDS[1:]:
        shutil.copy(seed, folder / seed.name)
    out = tmp_path / "out"
    summary = run_batch([folder], out, BatchOptions(fmt="jsonl", dedup=mode), cleaner=cleaner)  # type: ignore[arg-type]
    marks = {Path(r["input"]).name: r.get("duplicate_of") for r in jsonl_records(out)}
    first = str(folder / "a.txt")
    expected = {"a.txt": None, "b.txt": first, "c.txt": first if mode == "near" else None}
    expected |= {seed.name: None for seed in SEEDS[1:]}
    assert marks == expected
    assert summary.duplicates == (2 if mode == "near" else 1)


def test_the_original_is_the_first_in_input_order_whatever_the_workers(tmp_path: Path) -> None:
    """With two workers the original was the first copy to finish: here the last file, while
    the first copy waits behind a slow document in the other worker's batch. Two runs could
    mark different records."""
    folder = tmp_path / "in"
    folder.mkdir()
    seed = SEEDS[0].read_text(encoding="utf-8")
    (folder / "a-panjang.txt").write_text(SEEDS[1].read_text(encoding="utf-8") * 2000, encoding="utf-8")
    (folder / "b-asli.txt").write_text(seed, encoding="utf-8")
    for i in range(40):
        (folder / f"c-{i:02}.txt").write_text(f"{SEEDS[2 + i % 3].read_text(encoding='utf-8')}\n({i})\n")
    (folder / "z-salinan.txt").write_text(seed, encoding="utf-8")
    for fmt in ("json", "jsonl"):
        out = tmp_path / f"out-{fmt}"
        summary = run_batch([folder], out, BatchOptions(fmt=fmt, dedup="exact", workers=2))  # type: ignore[arg-type]
        assert summary.cleaned == 43
        if fmt == "json":
            record = json.loads((out / "z-salinan.json").read_text(encoding="utf-8"))
        else:
            record = next(r for r in jsonl_records(out) if r["input"].endswith("z-salinan.txt"))
        assert record["duplicate_of"] == str(folder / "b-asli.txt")


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_turning_dedup_on_for_a_finished_run_marks_its_records(
    tmp_path: Path, cleaner: Cleaner, fmt: str
) -> None:
    """The records of a run without --dedup were up to date for a rerun with it: "0 cleaned,
    2 skipped", and no record marked. A change of mode or threshold is a new output, as a
    change of --fields is."""
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("satu.txt", "dua.txt"):
        shutil.copy(SEEDS[1], folder / name)
    out = tmp_path / "out"
    options: dict[str, Any] = {"fmt": fmt, "workers": 1}
    assert run_batch([folder], out, BatchOptions(**options), cleaner=cleaner).duplicates == 0
    for dedup, cleaned in [("exact", 2), ("exact", 0), ("near", 2)]:
        summary = run_batch([folder], out, BatchOptions(**options, dedup=dedup), cleaner=cleaner)
        assert summary.cleaned == cleaned
    marked = (
        json.loads((out / "satu.json").read_text(encoding="utf-8"))
        if fmt == "json"
        else next(r for r in jsonl_records(out) if r["input"].endswith("satu.txt"))
    )
    assert marked["duplicate_of"] == str(folder / "dua.txt")


class StopAtB(InterruptingCleaner):
    stop_at = "HENTIKAN"


@pytest.mark.parametrize(("fmt", "mode"), [("json", "exact"), ("jsonl", "exact"), ("txt", "near")])
def test_a_resumed_run_marks_what_one_uninterrupted_run_marks(
    tmp_path: Path, cleaner: Cleaner, fmt: str, mode: str
) -> None:
    """The records written before an interruption were not indexed when the run resumed: a
    copy cleaned after it was marked the original of nothing."""
    folder = tmp_path / "in"
    folder.mkdir()
    seed = SEEDS[0].read_text(encoding="utf-8")
    (folder / "a.txt").write_text(seed, encoding="utf-8")
    (folder / "b.txt").write_text(SEEDS[1].read_text(encoding="utf-8") + "\nHENTIKAN\n", encoding="utf-8")
    (folder / "c.txt").write_text(seed, encoding="utf-8")
    out, whole = tmp_path / "out", tmp_path / "whole"
    options = BatchOptions(fmt=fmt, dedup=mode, workers=1)  # type: ignore[arg-type]
    with pytest.raises(KeyboardInterrupt):
        run_batch([folder], out, options, cleaner=StopAtB(rules=cleaner.rules))
    resumed = run_batch([folder], out, options, cleaner=cleaner)
    assert (resumed.skipped, resumed.cleaned, resumed.duplicates) == (1, 2, 1)
    assert run_batch([folder], whole, options, cleaner=cleaner).duplicates == 1
    if fmt != "txt":  # txt has no place for the mark; the counts above are what it shows
        assert sorted(files_of(out)) == sorted(files_of(whole))
        copy = "c.json" if fmt == "json" else None
        record = json.loads((out / copy).read_text()) if copy else jsonl_records(out)[-1]
        assert record["duplicate_of"] == str(folder / "a.txt")


def files_of(out: Path) -> list[tuple[str, bytes]]:
    return [(p.name, p.read_bytes()) for p in out.iterdir() if not p.name.startswith(".")]


def test_marks_in_json_records(tmp_path: Path, cleaner: Cleaner) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("satu.txt", "dua.txt"):
        shutil.copy(SEEDS[1], folder / name)
    run_batch([folder], tmp_path / "out", BatchOptions(fmt="json", dedup="exact"), cleaner=cleaner)
    marked = json.loads((tmp_path / "out" / "satu.json").read_text(encoding="utf-8"))  # dua.txt is met first
    assert marked["duplicate_of"] == str(folder / "dua.txt")
    assert "duplicate_of" not in json.loads((tmp_path / "out" / "dua.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("threshold", [0.5, 0.8, 0.95])
def test_the_lean_index_marks_what_datasketchs_lsh_marks(threshold: float) -> None:
    """DuplicateIndex keeps one number per band bucket instead of datasketch's set of keys
    (1.1 KB a document against 3.7 KB). The first of a candidate set is the first of its
    buckets' firsts, so the marks are the same: here over texts with near copies of many
    degrees (paragraphs dropped one by one, in both orders)."""
    import numpy as np
    from datasketch import LeanMinHash, MinHashLSH

    texts = []
    for seed in SEEDS:
        paragraphs = seed.read_text(encoding="utf-8").splitlines()
        texts += ["\n".join(paragraphs[i:]) for i in range(0, len(paragraphs), 2)]
        texts += ["\n".join(paragraphs[: len(paragraphs) - i]) for i in range(1, len(paragraphs), 3)]
    prints = [(f"doc-{i}", fingerprint(text, "near")) for i, text in enumerate(texts)]
    # and a text whose candidates are two originals: its first band is a's, its second b's
    rows = DuplicateIndex("near", threshold).rows
    a, b = np.full(PERMUTATIONS, 1, np.uint32), np.full(PERMUTATIONS, 2, np.uint32)
    c = np.concatenate([a[:rows], b[rows : 2 * rows], np.full(PERMUTATIONS - 2 * rows, 3, np.uint32)])
    prints += [(name, Fingerprint(name, sig.tobytes())) for name, sig in (("a", a), ("b", b), ("c", c))]

    lsh, order, exact = MinHashLSH(threshold=threshold, num_perm=PERMUTATIONS), {}, {}
    expected = []
    for source, found in prints:  # the index as it was, on datasketch's LSH
        assert found is not None and found.signature is not None
        minhash = LeanMinHash(
            seed=1, hashvalues=np.frombuffer(found.signature, dtype=np.uint32), scheme=SCHEME
        )
        near = lsh.query(minhash)
        first = exact.get(found.exact) or (min(near, key=order.__getitem__) if near else None)
        expected.append(first)
        if first is None:
            exact[found.exact], order[source] = source, len(order)
            lsh.insert(source, minhash)
    index = DuplicateIndex("near", threshold)
    marks = [index.original_of(source, found) for source, found in prints]
    assert marks == expected and 0 < sum(mark is not None for mark in marks) < len(marks)
    assert marks[-1] == "a"  # the first of its candidates


def test_empty_texts_duplicate_nothing() -> None:
    index = DuplicateIndex("near")
    assert fingerprint("   ", "near") is None
    assert index.original_of("a", fingerprint("", "near")) is None
    assert mark_duplicate(b"", "a") == b""  # txt output of an empty body


def test_shingles_are_word_5_grams_of_the_normalised_text() -> None:
    assert word_shingles("Satu  DUA\ntiga empat lima, enam") == {
        "satu dua tiga empat lima,",
        "dua tiga empat lima, enam",
    }
    assert word_shingles("Baru tiga kata") == {"baru tiga kata"}  # shorter than 5 words: one shingle
    assert word_shingles(" \n ") == set()


def test_near_marking_hashes_exactly_the_shared_shingles() -> None:
    """--dedup near and the Spark job (cleaner.spark.dedup) compare the same shingles."""
    from datasketch import MinHash

    text = SEEDS[0].read_text(encoding="utf-8")
    expected = MinHash(num_perm=PERMUTATIONS, scheme=SCHEME)
    expected.update_batch([shingle.encode("utf-8") for shingle in word_shingles(text)])
    found = fingerprint(text, "near")
    assert found is not None and found.signature == expected.hashvalues.tobytes()


@pytest.mark.parametrize("threshold", [0.0, 2.0, -1.0, float("nan")])
def test_a_threshold_outside_0_1_is_refused_with_a_clear_error(threshold: float) -> None:
    with pytest.raises(ValueError, match="Jaccard similarity above 0 and at most 1"):
        DuplicateIndex("near", threshold)
