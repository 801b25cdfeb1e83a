"""The folder runner: outputs per format, failures with reasons, atomic files, resume."""

from __future__ import annotations

import errno
import json
import logging
import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cleaner import Article, Cleaner, storage
from cleaner.batch import (
    JSONL_FILE,
    PART_FILE,
    PENDING_FOLDER,
    STALE_MIN_PAGES,
    STATE_FILE,
    BatchOptions,
    Summary,
    collect_inputs,
    run_batch,
    serialize,
)
from cleaner.storage import BatchedFiles, FlushError

from .conftest import REPO

KOMPAS = """\
JAKARTA, KOMPAS.TV - Presiden meresmikan jalan tol baru di Jawa Tengah pada Senin (12/2/2024).
Baca juga: Harga Beras Naik Lagi di Pasar Induk Cipinang
Menurut Presiden, jalan tol ini akan mempercepat distribusi logistik antarkota.
Penulis: Budi Santoso
"""
BANJIR = """\
Banjir merendam ratusan rumah warga di Kabupaten Bekasi sejak Minggu malam.
Baca juga: Cuaca Ekstrem Diprediksi Berlanjut Sepekan
Badan Penanggulangan Bencana Daerah mencatat ketinggian air mencapai satu meter.
Warga berharap pemerintah segera memperbaiki tanggul yang jebol.
"""
PANEN = """\
Petani di Karawang mulai memanen padi lebih awal tahun ini.
Baca juga: Harga Gabah Kering Panen Turun
Dinas Pertanian menyebut hasil panen naik sekitar sepuluh persen.
"""
GOOD = {"kompas.txt": KOMPAS, "banjir.txt": BANJIR, "daerah/panen.txt": PANEN}


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """Three good texts (one in a subfolder), an empty file, a binary file and files to ignore."""
    root = tmp_path / "in"
    for rel, text in GOOD.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    (root / "kosong.txt").write_text("  \n", encoding="utf-8")
    (root / "gambar.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")
    (root / "catatan.md").write_text("not an input", encoding="utf-8")
    (root / ".tersembunyi.txt").write_text(BANJIR, encoding="utf-8")
    return root


def files_under(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def jsonl_records(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / JSONL_FILE).read_text(encoding="utf-8").splitlines()]


def run(corpus: Path, out: Path, cleaner: Cleaner, **kwargs) -> Summary:  # type: ignore[no-untyped-def]
    return run_batch([corpus], out, BatchOptions(**kwargs), cleaner=cleaner)


def assert_failures(summary: Summary, corpus: Path) -> None:
    assert dict(summary.failed) == {
        str(corpus / "kosong.txt"): "empty",
        str(corpus / "gambar.txt"): "binary data, not text",
    }


def test_inputs_are_walked_recursively_and_sorted(corpus: Path) -> None:
    inputs = collect_inputs([corpus])
    assert [i.rel for i in inputs] == [
        "banjir.txt", "gambar.txt", "kompas.txt", "kosong.txt", "daerah/panen.txt",
    ]  # fmt: skip
    assert inputs[0].source == str(corpus / "banjir.txt")


def test_json_mirrors_the_input_tree(corpus: Path, tmp_path: Path, cleaner: Cleaner) -> None:
    out = tmp_path / "out"
    summary = run(corpus, out, cleaner, fmt="json")
    assert (summary.total, summary.cleaned, summary.skipped) == (5, 3, 0)
    assert_failures(summary, corpus)
    assert files_under(out) == {"kompas.json", "banjir.json", "daerah/panen.json", STATE_FILE}
    record = json.loads((out / "daerah" / "panen.json").read_text(encoding="utf-8"))
    assert record["input"] == str(corpus / "daerah" / "panen.txt")
    assert record == {"input": record["input"], **Cleaner(REPO / "rules").clean_text(PANEN).to_dict()}
    assert "Baca juga" not in record["text"]
    assert summary.rules["id-news/baca-juga"] == 3
    assert summary.sites["kompas.tv"] == 1 and summary.sites["(unknown)"] == 2


def test_txt_holds_the_clean_text(corpus: Path, tmp_path: Path, cleaner: Cleaner) -> None:
    out = tmp_path / "out"
    summary = run(corpus, out, cleaner, fmt="txt")
    assert_failures(summary, corpus)
    assert files_under(out) == {"kompas.txt", "banjir.txt", "daerah/panen.txt", STATE_FILE}
    text = (out / "banjir.txt").read_text(encoding="utf-8")
    assert text.startswith("Banjir merendam ratusan rumah")
    assert "Baca juga" not in text


def test_jsonl_has_one_record_per_good_input(corpus: Path, tmp_path: Path, cleaner: Cleaner) -> None:
    out = tmp_path / "out"
    summary = run(corpus, out, cleaner, fmt="jsonl")
    assert_failures(summary, corpus)
    assert files_under(out) == {JSONL_FILE, STATE_FILE}  # no .part, no temporary files
    records = jsonl_records(out)
    assert [r["input"] for r in records] == sorted(str(corpus / rel) for rel in GOOD)
    assert all(r["paragraphs"] and r["status"] == "ok" for r in records)


@pytest.mark.parametrize("fmt", ["json", "jsonl", "txt"])
def test_rerun_skips_and_force_recleans(corpus: Path, tmp_path: Path, cleaner: Cleaner, fmt: str) -> None:
    out = tmp_path / "out"
    first = run(corpus, out, cleaner, fmt=fmt)
    before = {name: (out / name).read_bytes() for name in files_under(out) if name != STATE_FILE}
    again = run(corpus, out, cleaner, fmt=fmt)
    assert (again.cleaned, again.skipped) == (0, first.cleaned)
    assert len(again.failed) == 2  # failures are retried, not remembered as done
    assert {name: (out / name).read_bytes() for name in before} == before
    forced = run(corpus, out, cleaner, fmt=fmt, force=True)
    assert (forced.cleaned, forced.skipped) == (first.cleaned, 0)
    state = json.loads((out / STATE_FILE).read_text(encoding="utf-8"))
    assert state["fingerprint"] == cleaner.rules.fingerprint and state["format"] == fmt
    assert state["counts"]["cleaned"] == first.cleaned


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_a_changed_input_is_cleaned_again_alone(
    corpus: Path, tmp_path: Path, cleaner: Cleaner, fmt: str
) -> None:
    out = tmp_path / "out"
    run(corpus, out, cleaner, fmt=fmt)
    changed = corpus / "banjir.txt"
    changed.write_text(BANJIR.replace("ratusan", "ribuan"), encoding="utf-8")
    future = changed.stat().st_mtime + 3600  # newer than any output, without sleeping
    os.utime(changed, (future, future))
    summary = run(corpus, out, cleaner, fmt=fmt)
    assert (summary.cleaned, summary.skipped) == (1, 2)
    if fmt == "json":
        text = json.loads((out / "banjir.json").read_text(encoding="utf-8"))["text"]
    else:
        text = next(r["text"] for r in jsonl_records(out) if r["input"] == str(changed))
        assert len(jsonl_records(out)) == 3
    assert text.startswith("Banjir merendam ribuan rumah")


def test_changed_rules_clean_everything_again(corpus: Path, tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(REPO / "rules", rules)
    out = tmp_path / "out"
    run(corpus, out, Cleaner(rules), fmt="json")
    with (rules / "_default.yaml").open("a", encoding="utf-8") as fh:
        fh.write("\n# a comment changes the fingerprint\n")
    summary = run(corpus, out, Cleaner(rules), fmt="json")
    assert (summary.cleaned, summary.skipped) == (3, 0)


def test_workers_give_the_same_outputs(corpus: Path, tmp_path: Path, cleaner: Cleaner) -> None:
    for fmt in ("json", "jsonl"):
        one, two = tmp_path / f"one-{fmt}", tmp_path / f"two-{fmt}"
        s1 = run(corpus, one, cleaner, fmt=fmt, workers=1)
        s2 = run(corpus, two, cleaner, fmt=fmt, workers=2)
        assert s1.render() == s2.render()
        outputs = files_under(one) - {STATE_FILE}
        assert outputs == files_under(two) - {STATE_FILE}
        assert all((one / name).read_bytes() == (two / name).read_bytes() for name in outputs)


def test_no_more_workers_start_than_there_are_documents(
    corpus: Path, tmp_path: Path, cleaner: Cleaner, caplog: pytest.LogCaptureFixture
) -> None:
    """--workers 500 on a handful of documents started 500 Pythons, each compiling the rules:
    minutes on two cores before the first document."""
    caplog.set_level(logging.INFO, logger="cleaner")
    summary = run(corpus, tmp_path / "out", cleaner, fmt="jsonl", workers=500)
    assert summary.cleaned == 3
    assert f"{summary.total} to clean, {summary.total} workers" in caplog.messages


class InterruptingCleaner(Cleaner):
    """Stops the run (like Ctrl-C) when it meets a text containing `stop_at`."""

    stop_at = "Petani"

    def clean_text(self, text: str, *, url: str | None = None, site: str | None = None) -> Article:
        if self.stop_at in text:
            raise KeyboardInterrupt
        return super().clean_text(text, url=url, site=site)


def test_jsonl_resumes_after_an_interrupted_run(corpus: Path, tmp_path: Path, cleaner: Cleaner) -> None:
    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt):
        run(corpus, out, InterruptingCleaner(rules=cleaner.rules), fmt="jsonl")
    assert not (out / JSONL_FILE).exists()
    part = out / PART_FILE
    with part.open("ab") as fh:  # a record cut short by the interruption
        fh.write(b'{"input": "' + str(corpus / "daerah" / "panen.txt").encode() + b'", "te')
    summary = run(corpus, out, cleaner, fmt="jsonl")
    # banjir and kompas were done before the interruption; panen (met last) was not.
    assert (summary.cleaned, summary.skipped) == (1, 2)
    assert files_under(out) == {JSONL_FILE, STATE_FILE}
    assert [r["input"] for r in jsonl_records(out)] == sorted(str(corpus / rel) for rel in GOOD)


class FailingCleaner(Cleaner):
    def clean_text(self, text: str, *, url: str | None = None, site: str | None = None) -> Article:
        if "Banjir" in text:
            raise ValueError("rusak")
        return super().clean_text(text, url=url, site=site)


def test_an_unexpected_error_fails_one_document_only(corpus: Path, tmp_path: Path, cleaner: Cleaner) -> None:
    summary = run(corpus, tmp_path / "out", FailingCleaner(rules=cleaner.rules), fmt="json")
    assert summary.cleaned == 2
    assert dict(summary.failed)[str(corpus / "banjir.txt")] == "unexpected error: ValueError: rusak"


def test_explicit_files_missing_and_unsupported(corpus: Path, tmp_path: Path, cleaner: Cleaner) -> None:
    inputs = [corpus / "kompas.txt", corpus / "catatan.md", corpus / "hilang.txt"]
    summary = run_batch(inputs, tmp_path / "out", BatchOptions(fmt="json"), cleaner=cleaner)
    assert summary.cleaned == 1
    failed = dict(summary.failed)
    assert failed[str(corpus / "hilang.txt")] == "not found"
    assert failed[str(corpus / "catatan.md")].startswith("unsupported file type '.md'")
    assert (tmp_path / "out" / "kompas.json").exists()


def test_too_large_is_a_failure(corpus: Path, tmp_path: Path, cleaner: Cleaner) -> None:
    summary = run_batch(
        [corpus / "kompas.txt"], tmp_path / "out", BatchOptions(max_bytes=10), cleaner=cleaner
    )
    assert summary.failed[0][1].startswith("too large:")


def test_same_relative_path_from_two_folders(corpus: Path, tmp_path: Path, cleaner: Cleaner) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "kompas.txt").write_text(BANJIR, encoding="utf-8")
    summary = run_batch(
        [corpus / "kompas.txt", other], tmp_path / "out", BatchOptions(fmt="json"), cleaner=cleaner
    )
    assert summary.cleaned == 1
    assert "already written" in dict(summary.failed)[str(other / "kompas.txt")]


def test_output_folder_inside_the_input_is_not_an_input(corpus: Path, cleaner: Cleaner) -> None:
    out = corpus / "hasil"
    run(corpus, out, cleaner, fmt="txt")
    summary = run(corpus, out, cleaner, fmt="txt")
    assert summary.total == 5


def test_summary_render_lists_sites_rules_and_failures(
    corpus: Path, tmp_path: Path, cleaner: Cleaner
) -> None:
    text = run(corpus, tmp_path / "out", cleaner).render()
    assert text.splitlines()[0].startswith("Documents: 5 total, 3 cleaned, 0 skipped")
    assert "kompas.tv" in text and "(unknown)" in text
    rule_lines = [line.split() for line in text.splitlines() if "/" in line and ":" not in line]
    counts = [int(parts[-1]) for parts in rule_lines]
    assert counts == sorted(counts, reverse=True) and ["id-news/baca-juga", "3"] in rule_lines
    assert f"{corpus / 'kosong.txt'}: empty" in text


def test_stale_rules_report_a_redesigned_site(tmp_path: Path, cleaner: Cleaner) -> None:
    """A site whose body selector stopped matching shows up in the summary."""
    stale_page = (REPO / "fixtures" / "kompas.tv" / "cabai-rawit-stale-layout.html").read_text(
        encoding="utf-8"
    )
    pages = tmp_path / "pages"
    pages.mkdir()
    for i in range(STALE_MIN_PAGES):
        (pages / f"p{i}.html").write_text(stale_page, encoding="utf-8")
        (pages / f"p{i}.url").write_text(f"https://www.kompas.tv/nasional/{i}/x\n", encoding="utf-8")
    summary = run_batch([pages], tmp_path / "out", BatchOptions(fmt="jsonl"), cleaner=cleaner)
    assert summary.sites["kompas.tv"] == STALE_MIN_PAGES
    assert f"kompas.tv: html.body (.article__body) matched 0 of {STALE_MIN_PAGES} pages" in summary.stale
    assert any(line.startswith("kompas.tv: kompas.tv/") for line in summary.stale)
    assert "Stale rules" in summary.render()


def test_no_stale_report_for_few_documents(tmp_path: Path, cleaner: Cleaner) -> None:
    summary = run_batch([REPO / "seeds"], tmp_path / "out", BatchOptions(fmt="jsonl"), cleaner=cleaner)
    assert summary.stale == [] and "Stale rules" not in summary.render()


# Text as records hold it: any character a str can be encoded with (no lone surrogates).
_TEXT = st.text(st.characters(blacklist_categories=["Cs"]), max_size=30)
_RECORD_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | _TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TEXT, inner, max_size=4),
    max_leaves=20,
)


@given(st.dictionaries(_TEXT, _RECORD_VALUES, max_size=6))
def test_orjson_indent_2_is_json_dumps_indent_2(record: dict[str, object]) -> None:
    """The json format is written with orjson: byte for byte what json.dumps(indent=2) gives,
    for any JSON record of text, numbers, lists and objects."""
    expected = json.dumps(record, ensure_ascii=False, indent=2).encode("utf-8")
    assert orjson.dumps(record, option=orjson.OPT_INDENT_2) == expected


def test_json_records_are_json_dumps_with_indent_2() -> None:
    article = Cleaner().clean_text(KOMPAS + "Dua “kutip”\u2028 dan tab\t.\n")
    written = serialize("in/a.txt", article, "json")
    assert written == (json.dumps(json.loads(written), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    assert json.loads(written)["paragraphs"] == article.paragraphs


def test_failures_are_listed_in_the_order_of_their_line_numbers() -> None:
    summary = Summary(total=3)
    summary.failed = [("d.jsonl#line 10", "b"), ("d.jsonl#line 9", "a"), ("c.jsonl#line 100", "c")]
    listed = [failure["input"] for failure in summary.to_json()["failures"]]
    assert listed == ["c.jsonl#line 100", "d.jsonl#line 9", "d.jsonl#line 10"]
    assert summary.render().index("line 9:") < summary.render().index("line 10:")


PAGE = (
    "<!DOCTYPE html>\n<html><head><title>Banjir di Bekasi</title></head><body>"
    "<nav><a href='/'>Beranda</a> <a href='/news'>Berita</a></nav><article>"
    + "".join(f"<p>{line}</p>" for line in BANJIR.splitlines() if not line.startswith("Baca"))
    + "</article></body></html>"
)


def test_a_page_saved_as_txt_and_a_text_saved_as_html_are_read_by_what_they_hold(
    tmp_path: Path, cleaner: Cleaner
) -> None:
    """A page saved as .txt came out with its markup as body text; a text saved as .html came
    out empty ("not an HTML page"). Each is now read as what it holds, with a note."""
    root = tmp_path / "in"
    root.mkdir()
    (root / "halaman.txt").write_text(PAGE, encoding="utf-8")
    (root / "teks.html").write_text(BANJIR, encoding="utf-8")
    (root / "tag.txt").write_text(
        "Tag <html> membuka halaman web.\n" + BANJIR, encoding="utf-8"
    )  # hard negative
    (root / "cinta.txt").write_text("<3 untuk semua warga.\n" + BANJIR, encoding="utf-8")  # hard negative
    (root / "lt.html").write_text(
        "<p>Harga 3 < 5 dan 7 > 2 menurut data pasar hari ini.</p>", encoding="utf-8"
    )
    run(root, tmp_path / "out", cleaner, fmt="jsonl")
    records = {Path(r["input"]).name: r for r in jsonl_records(tmp_path / "out")}
    page = records["halaman.txt"]
    assert page["extraction"] != "text" and page["title"] == "Banjir di Bekasi"
    assert "<" not in page["text"] and "Beranda" not in page["text"] and "ketinggian air" in page["text"]
    assert page["notes"][-1] == "named as a text, but it opens with HTML markup: cleaned as HTML"
    text = records["teks.html"]
    assert text["extraction"] == "text" and text["text"] == cleaner.clean_text(BANJIR).text
    assert text["notes"] == ["named as a page, but it holds no markup: cleaned as text"]
    assert records["tag.txt"]["extraction"] == "text" and "Tag <html> membuka" in records["tag.txt"]["text"]
    assert records["lt.html"]["extraction"] != "text"  # markup: a page, as named
    assert records["cinta.txt"]["extraction"] == "text"  # "<3" is no tag


def test_a_jsonl_text_field_holding_an_articles_html_is_cleaned_as_html(
    tmp_path: Path, cleaner: Cleaner
) -> None:
    """A CMS export's content field ("<p>...</p><p>...</p>") under --text-field came out with
    its tags as body text."""
    paragraphs = [line for line in BANJIR.splitlines() if not line.startswith("Baca")]
    fragment = "".join(f"<p>{line}</p>\n" for line in paragraphs[:1]) + "<p>Baca juga: Cuaca Ekstrem</p>\n"
    fragment += "".join(f"<p>{line}</p>\n" for line in paragraphs[1:])
    source = tmp_path / "export.jsonl"
    source.write_text(
        json.dumps({"url": "https://contoh.id/banjir", "text": fragment}) + "\n", encoding="utf-8"
    )
    run(source, tmp_path / "out", cleaner, fmt="jsonl")
    (record,) = jsonl_records(tmp_path / "out")
    assert record["paragraphs"] == paragraphs  # no tags, and the "Baca juga" line gone
    assert record["notes"][-1] == "named as a text, but it opens with HTML markup: cleaned as HTML"


def named(out: Path) -> set[str]:
    """The files under their own names: not those still pending."""
    return {name for name in files_under(out) if not name.startswith(f"{PENDING_FOLDER}/")}


def test_outputs_reach_their_names_in_batches_each_on_disk_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    seen_at_flush: list[tuple[list[str], set[str]]] = []  # (files flushed, names visible then)

    def to_disk(folder: Path, files: list[Path]) -> None:
        assert all(path.parent == folder for path in files)
        seen_at_flush.append(([path.read_text() for path in files], named(out)))

    monkeypatch.setattr(storage, "to_disk", to_disk)
    files = BatchedFiles(out / PENDING_FOLDER, files=3, seconds=3600)
    files.open()
    for name in ("a.json", "b.json"):
        files.write(out / "sub" / name, name.encode())
    assert not (out / "sub").exists()  # not yet: the batch is not full
    files.write(out / "c.json", b"c.json")
    files.write(out / "d.json", b"d.json")
    assert seen_at_flush == [(["a.json", "b.json", "c.json"], set())]  # on disk before any name
    assert named(out) == {"sub/a.json", "sub/b.json", "c.json"}
    files.close()  # what is pending is flushed too, and the pending folder goes
    assert seen_at_flush[1] == (["d.json"], {"sub/a.json", "sub/b.json", "c.json"})
    assert files_under(out) == {"sub/a.json", "sub/b.json", "c.json", "d.json"}
    assert not (out / PENDING_FOLDER).exists()
    assert (out / "sub" / "b.json").read_bytes() == b"b.json"


def test_a_folder_changed_under_the_run_stops_the_flush_keeping_what_moved(tmp_path: Path) -> None:
    files = BatchedFiles(tmp_path / PENDING_FOLDER, files=10, seconds=3600)
    files.open()
    files.write(tmp_path / "a.json", b"a")
    files.write(tmp_path / "sub" / "b.json", b"b")
    (tmp_path / "sub").write_text("a file where the output folder was to be")
    with pytest.raises(FlushError, match="cannot move a finished output into place") as error:
        files.flush()
    assert error.value.filename == str(tmp_path / "sub" / "b.json")
    assert (tmp_path / "a.json").read_bytes() == b"a"
    files.close()  # meets the same error: what could not move is given up, not retried for ever
    assert not (tmp_path / PENDING_FOLDER).exists()


def test_a_killed_runs_pending_outputs_are_cleared(corpus: Path, tmp_path: Path, cleaner: Cleaner) -> None:
    out = tmp_path / "out"
    (out / PENDING_FOLDER).mkdir(parents=True)
    (out / PENDING_FOLDER / "0").write_bytes(b'{"input": "cut short')
    summary = run(corpus, out, cleaner, fmt="json")
    assert summary.cleaned == 3
    assert files_under(out) == {"kompas.json", "banjir.json", "daerah/panen.json", STATE_FILE}


def test_an_output_that_cannot_take_its_name_fails_its_input_alone(
    corpus: Path, tmp_path: Path, cleaner: Cleaner
) -> None:
    out = tmp_path / "out"
    (out / "kompas.json").mkdir(parents=True)  # a folder where an output goes
    long_name = "x" * 251 + ".txt"  # a name the file system takes; its output, x*251.json, is one byte over
    (corpus / long_name).write_text(PANEN, encoding="utf-8")
    summary = run(corpus, out, cleaner, fmt="json")
    failed = dict(summary.failed)
    assert failed[str(corpus / "kompas.txt")] == "cannot write output: Is a directory"
    assert failed[str(corpus / long_name)] == "cannot write output: File name too long"
    assert summary.cleaned == 2
    assert files_under(out) == {"banjir.json", "daerah/panen.json", STATE_FILE}


def test_a_disk_that_fails_the_flush_names_no_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def failing(folder: Path, files: list[Path]) -> None:
        raise OSError(errno.EIO, os.strerror(errno.EIO), str(folder))

    monkeypatch.setattr(storage, "to_disk", failing)
    _assert_a_failed_flush_names_nothing(
        tmp_path, "a.json", "cannot flush finished outputs to the disk: Input/output error"
    )


def _assert_a_failed_flush_names_nothing(tmp_path: Path, name: str, error: str) -> None:
    files = BatchedFiles(tmp_path / PENDING_FOLDER, files=10, seconds=3600)
    files.open()
    files.write(tmp_path / name, b"a")
    with pytest.raises(FlushError, match=error):
        files.flush()
    files.close()
    assert files_under(tmp_path) == set()  # nothing under a name that the disk may not hold


def refusing(code: int) -> Callable[[int], None]:
    """A syncfs that the file system refuses with `code`."""

    def syncfs(fd: int) -> None:
        raise OSError(code, os.strerror(code))

    return syncfs


@pytest.mark.parametrize(
    "syncfs",
    [None, refusing(errno.ENOSYS), refusing(errno.EINVAL)],
    ids=["no syncfs (macOS)", "ENOSYS", "EINVAL"],
)
def test_without_a_working_syncfs_each_pending_file_is_fsynced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, syncfs: Callable[[int], None] | None
) -> None:
    synced: list[int] = []
    fsync = os.fsync
    monkeypatch.setattr(storage, "_syncfs", lambda: syncfs)
    monkeypatch.setattr(storage.os, "fsync", lambda fd: synced.append(fd) or fsync(fd))
    files = BatchedFiles(tmp_path / PENDING_FOLDER, files=2, seconds=3600)
    files.open()
    for name in "abcde":
        files.write(tmp_path / name, b"x")
    files.close()
    assert len(synced) == 5
    assert files_under(tmp_path) == set("abcde")


def test_a_syncfs_that_meets_a_failing_disk_stops_the_flush(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing(fd: int) -> None:
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(storage, "_syncfs", lambda: failing)
    _assert_a_failed_flush_names_nothing(tmp_path, "a", "Input/output error")


def test_syncfs_is_found_on_linux() -> None:
    if not sys.platform.startswith("linux"):
        pytest.skip("syncfs is Linux's")
    syncfs = storage._syncfs()
    assert syncfs is not None
    fd = os.open(".", os.O_RDONLY)
    try:
        syncfs(fd)  # no error
    finally:
        os.close(fd)
    with pytest.raises(OSError) as error:
        syncfs(-1)
    assert error.value.errno == errno.EBADF
