"""WARC and JSONL inputs, and input lists: each document is one input, read by the worker
that cleans it, and its record says where it came from."""

from __future__ import annotations

import gzip
import io
import json
import os
from pathlib import Path

import pytest
import zstandard
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from cleaner import Cleaner
from cleaner.batch import BatchOptions, collect_inputs, run_batch
from cleaner.cli import main
from cleaner.containers import JsonlFields

from .conftest import REPO
from .test_batch import KOMPAS, jsonl_records

PAGES = [
    REPO / "fixtures" / "kompas.tv" / f"{name}.html"
    for name in ("jembatan-lebak", "cabai-rawit-stale-layout")
]


def _url(page: Path) -> str:
    return page.with_suffix(".url").read_text(encoding="utf-8").strip()


def _response(
    writer: WARCWriter, url: str, body: bytes, content_type: str | None, status: str = "200 OK"
) -> None:
    declared = [("Content-Type", content_type)] if content_type else []
    headers = StatusAndHeaders(status, declared, protocol="HTTP/1.1")
    # a known length: warcio need not buffer the payload in a temporary file
    record = writer.create_warc_record(
        url, "response", payload=io.BytesIO(body), length=len(body), http_headers=headers
    )
    writer.write_record(record)


@pytest.fixture
def warc(tmp_path: Path) -> Path:
    """Two HTML pages, an image, a 404 page and a request record."""
    path = tmp_path / "crawl.warc.gz"
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        _response(writer, _url(PAGES[0]), PAGES[0].read_bytes(), "text/html; charset=UTF-8")
        _response(writer, "https://www.kompas.tv/logo.png", b"\x89PNG\r\n", "image/png")
        _response(
            writer, "https://www.kompas.tv/hilang", b"<html>not found</html>", "text/html", "404 Not Found"
        )
        request = writer.create_warc_record(
            "https://www.kompas.tv/",
            "request",
            payload=io.BytesIO(b""),
            length=0,
            http_headers=StatusAndHeaders("GET / HTTP/1.1", [], is_http_request=True),
        )
        writer.write_record(request)
        _response(writer, _url(PAGES[1]), PAGES[1].read_bytes(), "text/html")
    return path


def test_a_warc_gives_one_input_per_html_response(warc: Path, tmp_path: Path, cleaner: Cleaner) -> None:
    out = tmp_path / "out"
    summary = run_batch([warc], out, BatchOptions(fmt="jsonl", workers=2), cleaner=cleaner)
    assert (summary.total, summary.cleaned, summary.failed) == (2, 2, [])
    records = jsonl_records(out)
    for record in records:
        source, _, record_id = record["input"].partition("#")
        assert source == str(warc) and record_id.startswith("<urn:uuid:")
    by_url = {r["url"]: r for r in records}
    for page in PAGES:  # the same article as the page cleaned on its own
        expected = cleaner.clean_html(page.read_bytes(), url=_url(page)).to_dict()
        assert {k: v for k, v in by_url[_url(page)].items() if k != "input"} == expected
    assert (
        run_batch([warc], out, BatchOptions(fmt="jsonl"), cleaner=cleaner).skipped == 2
    )  # resumable like files


def test_a_folder_of_warc_files_is_read_and_its_jsonl_files_named_not_read(
    warc: Path, tmp_path: Path, cleaner: Cleaner, caplog: pytest.LogCaptureFixture
) -> None:
    crawl = tmp_path / "crawl"
    (crawl / "day2").mkdir(parents=True)
    warc.rename(crawl / "day2" / warc.name)
    (crawl / "kompas.txt").write_text(KOMPAS, encoding="utf-8")
    (crawl / "articles.jsonl").write_text(json.dumps({"text": KOMPAS}) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    summary = run_batch([crawl], out, BatchOptions(fmt="json"), cleaner=cleaner)
    assert (summary.total, summary.cleaned, summary.failed) == (3, 3, [])  # the text and two pages
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("[!.]*.json")) == [
        "day2/crawl.warc.gz/0000001.json",
        "day2/crawl.warc.gz/0000002.json",
        "kompas.json",
    ]
    assert "1 JSONL file(s) under" in caplog.text and "articles.jsonl" in caplog.text


def test_a_corrupt_warc_is_one_failure(tmp_path: Path, cleaner: Cleaner) -> None:
    broken = tmp_path / "rusak.warc.gz"
    broken.write_bytes(b"\x1f\x8b\x08\x00 not really gzip")
    summary = run_batch([broken], tmp_path / "out", BatchOptions(fmt="jsonl"), cleaner=cleaner)
    assert len(summary.failed) == 1 and summary.failed[0][1].startswith("unreadable warc file:")


def test_a_warc_corrupt_in_the_middle_keeps_the_pages_before_it(
    warc: Path, tmp_path: Path, cleaner: Cleaner
) -> None:
    from warcio.archiveiterator import ArchiveIterator

    with warc.open("rb") as fh:
        records = ArchiveIterator(fh)
        offsets = [records.get_record_offset() for _ in records]
    data = warc.read_bytes()
    broken = tmp_path / "rusak.warc.gz"  # the image's record (the second) garbled: pages 1 and 2 around it
    broken.write_bytes(data[: offsets[1]] + b"bukan gzip" * 5 + data[offsets[1] + 50 :])
    summary = run_batch([broken], tmp_path / "out", BatchOptions(fmt="jsonl"), cleaner=cleaner)
    assert (summary.total, summary.cleaned) == (2, 1)  # the page before the damage is kept
    assert [name for name, _ in summary.failed] == [str(broken)]
    assert summary.failed[0][1].startswith("unreadable warc file:")
    (record,) = jsonl_records(tmp_path / "out")
    assert record["url"] == _url(PAGES[0])


def test_a_warc_whose_tail_is_zeros_keeps_its_pages_and_fails_at_once(
    warc: Path, tmp_path: Path, cleaner: Cleaner
) -> None:
    """A writer that crashed leaves its file's tail zero-filled: one endless "line" where the
    next record's header belongs. warcio joins such a line block by block, copying all before
    each block: 300 MB of zeros ran for over ten minutes in the main process, before any
    cleaning. A header line is now bounded (4 MB) and read in linear time."""
    plain = tmp_path / "crawl.warc"
    plain.write_bytes(gzip.decompress(warc.read_bytes()) + bytes(5 << 20))
    summary = run_batch([plain], tmp_path / "out", BatchOptions(fmt="jsonl"), cleaner=cleaner)
    assert (summary.total, summary.cleaned) == (3, 2)  # both pages, then the zeros
    reason = "unreadable warc file: HeaderLineTooLong: a line over 4194304 bytes where a header belongs"
    assert summary.failed == [(str(plain), reason)]


def test_a_parser_message_quoting_its_input_is_cut_in_the_reason(tmp_path: Path, cleaner: Cleaner) -> None:
    """warcio's error quotes the "first line" it could not read: here 3 MB, which became the
    failure's reason, in the summary and in --summary-json."""
    junk = tmp_path / "sampah.warc"
    junk.write_bytes(b"BUKAN WARC " * 300_000 + b"\n")
    summary = run_batch([junk], tmp_path / "out", BatchOptions(fmt="jsonl"), cleaner=cleaner)
    ((_, reason),) = summary.failed
    assert reason.startswith("unreadable warc file: ArchiveLoadFailed: ") and len(reason) < 500
    assert reason.endswith(" characters)")


def test_a_response_without_a_content_type_is_cleaned_when_it_opens_like_a_page(
    tmp_path: Path, cleaner: Cleaner
) -> None:
    warc = tmp_path / "crawl.warc.gz"
    with warc.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        _response(writer, _url(PAGES[0]), PAGES[0].read_bytes(), None)  # the server declared nothing
        _response(writer, "https://www.kompas.tv/laporan.pdf", b"%PDF-1.7\n" + bytes(40), None)
        _response(writer, "https://www.kompas.tv/robots.txt", b"User-agent: *\nDisallow:\n", None)
    summary = run_batch([warc], tmp_path / "out", BatchOptions(fmt="jsonl"), cleaner=cleaner)
    assert (summary.total, summary.cleaned, summary.failed) == (1, 1, [])
    (record,) = jsonl_records(tmp_path / "out")
    assert record["url"] == _url(PAGES[0]) and record["paragraphs"]


def _records_end(warc: Path) -> list[int]:
    """Where each record of a gzipped WARC ends."""
    from warcio.archiveiterator import ArchiveIterator

    with warc.open("rb") as fh:
        records = ArchiveIterator(fh)
        return [records.get_record_offset() + records.get_record_length() for _ in records]


def test_a_warc_that_breaks_off_says_so_and_keeps_what_came_before(
    warc: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A download or a copy that stopped early: inside the last page's body, or inside the
    next record's header. Both were read as a whole file with fewer pages, exit 0."""
    data, ends = warc.read_bytes(), _records_end(warc)
    in_body, in_header = tmp_path / "in-body.warc.gz", tmp_path / "in-header.warc.gz"
    in_body.write_bytes(data[: len(data) - 200])
    in_header.write_bytes(data[: ends[-2] + 30])
    code = main(["clean", str(in_body), str(in_header), "-o", str(tmp_path / "out"), "-q"])
    assert code == 1
    out = capsys.readouterr().out
    assert "Documents: 4 total, 2 cleaned, 0 skipped (up to date), 2 failed" in out
    assert f"{in_body}#<urn:uuid:" in out and "cut short: the record lacks" in out
    assert f"{in_header}#offset {ends[-2]}: cut short: the last 30 bytes hold no whole record" in out


def test_a_warc_ending_in_an_empty_gzip_member_is_whole(warc: Path, tmp_path: Path, cleaner: Cleaner) -> None:
    padded = tmp_path / "padded.warc.gz"
    padded.write_bytes(warc.read_bytes() + gzip.compress(b"") + gzip.compress(b"\r\n"))
    summary = run_batch([padded], tmp_path / "out", BatchOptions(fmt="jsonl"), cleaner=cleaner)
    assert (summary.total, summary.cleaned, summary.failed) == (2, 2, [])


def test_explain_takes_one_document_of_a_container_named_as_its_record_input_names_it(
    warc: Path, tmp_path: Path, cleaner: Cleaner, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    run_batch([warc], out, BatchOptions(fmt="jsonl"), cleaner=cleaner)
    record = next(r for r in jsonl_records(out) if r["url"] == _url(PAGES[1]))
    assert main(["explain", record["input"]]) == 0
    shown = capsys.readouterr().out
    assert (
        "Body from: " in shown
        and f"status: {record['status']}, {len(record['paragraphs'])} paragraphs" in shown
    )
    dump = tmp_path / "dump.jsonl.zst"
    dump.write_bytes(zstandard.ZstdCompressor().compress(json.dumps({"text": KOMPAS}).encode() + b"\n"))
    assert main(["explain", f"{dump}#line 1"]) == 0
    assert "[id-news/baca-juga]" in capsys.readouterr().out  # the text cleaned, not its JSON line
    # The whole file, a name it does not hold, a "#" on a file that holds one document.
    assert main(["explain", str(warc)]) == 2
    assert "holds many documents: name one as" in capsys.readouterr().err
    assert main(["explain", f"{dump}#line 2"]) == 1
    assert "no document named 'line 2'" in capsys.readouterr().err
    text = tmp_path / "kompas.txt"
    text.write_text(KOMPAS, encoding="utf-8")
    assert main(["explain", f"{text}#line 1"]) == 2
    assert "is not a WARC or JSONL file" in capsys.readouterr().err


def test_jsonl_input_with_text_and_html_fields(tmp_path: Path, cleaner: Cleaner) -> None:
    source = tmp_path / "docs.jsonl"
    lines = [
        json.dumps({"url": "https://www.kompas.tv/a", "text": KOMPAS}),
        json.dumps({"link": "x", "body": "no known field"}),
        "{not json",
        json.dumps({"url": _url(PAGES[0]), "html": PAGES[0].read_text(encoding="utf-8")}),
        json.dumps([{"text": KOMPAS}]),  # a .json dump's array: says what it is
        "",  # a blank line: nothing to lose, no failure
    ]
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    summary = run_batch(
        [source], out, BatchOptions(fmt="jsonl", jsonl=JsonlFields(html="html")), cleaner=cleaner
    )
    # The line without a content field was skipped without a word before: a dump whose text
    # is under another name than --text-field says came out as "0 total".
    assert summary.total == 5
    assert summary.failed == [
        (f"{source}#line 2", "empty: no text in field 'html' or 'text'"),
        (f"{source}#line 3", "not a JSON object"),
        (f"{source}#line 5", "not a JSON object but an array: JSON Lines hold one object a line"),
    ]
    records = {r["input"]: r for r in jsonl_records(out)}
    assert (
        records[f"{source}#line 1"]["text"] == cleaner.clean_text(KOMPAS, url="https://www.kompas.tv/a").text
    )
    page = records[f"{source}#line 4"]
    assert page["extraction"] != "text" and page["url"] == _url(PAGES[0])


def test_a_dotted_field_name_reaches_into_nested_objects(tmp_path: Path, cleaner: Cleaner) -> None:
    """OSCAR keeps a record's URL at warc_headers.warc-target-uri: --url-field could not name it."""
    source = tmp_path / "oscar.jsonl"
    lines = [
        {"content": KOMPAS, "warc_headers": {"warc-target-uri": "https://www.kompas.tv/a"}},
        {"content": KOMPAS, "warc_headers.warc-target-uri": "https://www.kompas.tv/b"},  # a key so named wins
        {"content": KOMPAS, "warc_headers": "not an object"},
    ]
    source.write_text("\n".join(map(json.dumps, lines)) + "\n", encoding="utf-8")
    fields = JsonlFields(text="content", url="warc_headers.warc-target-uri")
    run_batch([source], tmp_path / "out", BatchOptions(fmt="jsonl", jsonl=fields), cleaner=cleaner)
    urls = [r["url"] for r in jsonl_records(tmp_path / "out")]
    assert urls == ["https://www.kompas.tv/a", "https://www.kompas.tv/b", None]


def test_a_line_over_max_bytes_is_one_failure_and_never_held(
    tmp_path: Path, cleaner: Cleaner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A JSON array saved as .jsonl is one line: the scan held all of it (a 650 MB array took
    the main process to 2 GB, for a "not a JSON object" failure). Now it is read through in
    chunks, and the lines after it are found where they are."""
    monkeypatch.setattr("cleaner.containers.LONG_LINE_CHUNK", 1000)  # several chunks below
    good = json.dumps({"url": "https://www.kompas.tv/a", "text": KOMPAS})
    array = json.dumps([{"text": KOMPAS}] * 100)
    source = tmp_path / "docs.jsonl"
    source.write_text("\n".join([good, array, good]) + "\n", encoding="utf-8")
    assert len(array) > 20_000 and len(good) < 10_000
    summary = run_batch(
        [source], tmp_path / "out", BatchOptions(fmt="jsonl", max_bytes=10_000), cleaner=cleaner
    )
    assert summary.failed == [(f"{source}#line 2", "too large: over 10000 bytes")]
    records = {r["input"]: r["text"] for r in jsonl_records(tmp_path / "out")}
    assert records[f"{source}#line 1"] == records[f"{source}#line 3"] != ""


@pytest.mark.parametrize("suffix", [".gz", ".zst"])
def test_a_compressed_jsonl_is_read_as_the_jsonl_it_holds_and_its_staging_copy_removed(
    tmp_path: Path, cleaner: Cleaner, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))  # where the run stages the inflated copy
    lines = [
        json.dumps({"url": f"https://www.kompas.tv/{i}", "text": f"{KOMPAS}\n(dokumen {i})"})
        for i in range(300)
    ]
    plain, packed = tmp_path / "dump.jsonl", tmp_path / f"dump.jsonl{suffix}"
    plain.write_text("\n".join(lines) + "\n", encoding="utf-8")
    half = len(lines) // 2  # a .zst of two frames, as `cat a.zst b.zst` makes
    frames = [
        zstandard.ZstdCompressor().compress("".join(f"{x}\n" for x in part).encode())
        for part in (lines[:half], lines[half:])
    ]
    packed.write_bytes(gzip.compress(plain.read_bytes()) if suffix == ".gz" else b"".join(frames))
    for source in (plain, packed):
        run_batch(
            [source], tmp_path / source.name.replace(".", "-"), BatchOptions(fmt="jsonl"), cleaner=cleaner
        )

    def by_line(out: Path) -> dict[str, dict[str, object]]:
        return {r.pop("input").rsplit("#", 1)[1]: r for r in jsonl_records(out)}

    unpacked = by_line(tmp_path / f"dump-jsonl-{suffix[1:]}")
    assert unpacked == by_line(tmp_path / "dump-jsonl") and len(unpacked) == 300
    assert not list(tmp_path.glob("cleaner-staging-*"))

    cut = tmp_path / f"putus.jsonl{suffix}"  # a dump cut short while it was written
    compressed = packed.read_bytes()
    cut.write_bytes(compressed[: len(compressed) * 3 // 4])  # for .zst: inside its second frame
    summary = run_batch([cut], tmp_path / "out-cut", BatchOptions(fmt="jsonl"), cleaner=cleaner)
    assert 0 < summary.cleaned < 300  # the lines before the break
    assert [(name, reason.split(":")[:2]) for name, reason in summary.failed] == [
        (str(cut), ["unreadable jsonl file", f" corrupt {'gzip' if suffix == '.gz' else 'zstd'}"])
    ]


def test_a_listed_path_that_is_missing_or_not_utf8_is_one_input(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "satu.txt").write_text(KOMPAS, encoding="utf-8")
    with open(os.fsencode(folder) + b"/caf\xe9.txt", "wb") as fh:  # noqa: PTH123  # a name that is not UTF-8
        fh.write(KOMPAS.encode())
    listing = tmp_path / "list.txt"
    listing.write_bytes(b"\n".join([os.fsencode(folder / "satu.txt"), os.fsencode(folder) + b"/caf\xe9.txt",
                                     os.fsencode(folder / "hilang.txt")]) + b"\n")  # fmt: skip
    out = tmp_path / "out"
    assert main(["clean", "--files-from", str(listing), "-o", str(out), "--format", "jsonl"]) == 1
    summary = run_batch([folder / "hilang.txt"], out, BatchOptions(fmt="jsonl"))
    assert summary.failed == [(str(folder / "hilang.txt"), "not found")]
    inputs = [r["input"] for r in jsonl_records(out)]
    assert inputs == [str(folder / "satu.txt")]  # the name that is not UTF-8 fails alone, as in a folder


def test_a_nul_separated_list_and_a_nul_in_a_name(tmp_path: Path) -> None:
    """`find -print0` lists names split by NUL bytes, so that a name may hold a newline. Read
    as lines, each NUL stayed in a name, and resolving it raised ValueError: a traceback, and
    no input of the run was cleaned."""
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("satu.txt", "dua\nbaris.txt"):
        (folder / name).write_text(KOMPAS, encoding="utf-8")
    listing = tmp_path / "list0"
    listing.write_bytes(
        b"\0".join(os.fsencode(folder / name) for name in ("satu.txt", "dua\nbaris.txt")) + b"\0"
    )
    out = tmp_path / "out"
    assert main(["clean", "--files-from", str(listing), "-o", str(out), "--format", "jsonl"]) == 0
    assert [r["input"] for r in jsonl_records(out)] == [
        str(folder / "dua\nbaris.txt"),
        str(folder / "satu.txt"),
    ]
    summary = run_batch(
        [folder / "satu.txt", tmp_path / "a\0b.txt"], tmp_path / "out2", BatchOptions(fmt="jsonl")
    )
    assert summary.cleaned == 1
    assert summary.failed == [(str(tmp_path / "a\0b.txt"), "not a file name: it holds a NUL byte")]
    assert "a\\x00b.txt: not a file name" in summary.render()  # control characters escaped on the terminal


def test_inputs_listed_in_a_file_or_on_stdin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("satu.txt", "dua.txt", "tiga.txt"):
        (folder / name).write_text(KOMPAS, encoding="utf-8")
    listing = tmp_path / "list.txt"
    listing.write_text(f"{folder / 'satu.txt'}\n\n{folder / 'dua.txt'}\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["clean", "--files-from", str(listing), "-o", str(out), "--format", "jsonl"]) == 0
    assert [r["input"] for r in jsonl_records(out)] == [str(folder / "dua.txt"), str(folder / "satu.txt")]
    stdin = io.TextIOWrapper(io.BytesIO(f"{folder / 'tiga.txt'}\n".encode()))  # read as bytes
    monkeypatch.setattr("sys.stdin", stdin)
    assert main(["clean", "--files-from", "-", "-o", str(tmp_path / "out2"), "--format", "jsonl"]) == 0
    assert [r["input"] for r in jsonl_records(tmp_path / "out2")] == [str(folder / "tiga.txt")]
    assert main(["clean", "-o", str(out)]) == 2
    assert "no input" in capsys.readouterr().err
    assert next(i.source for i in collect_inputs([listing])) == str(listing)  # a .txt is a text, not a list
