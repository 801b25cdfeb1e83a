"""cleaner.spark in local mode (local[2], one session for the module): a WARC built here and
the fixtures go through the Spark job and give the CLI's records field by field; failures
are error rows, never failed tasks; near duplicates are marked as `cleaner clean --dedup near`
marks them, and the five seeds (one event, five articles) stay apart.

Skipped, with the reason, where pyspark or Java is missing."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pyspark", reason="pyspark is not installed: pip install 'cleaner[spark]'")
if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
    pytest.skip("no Java (JAVA_HOME or java on PATH): Spark needs Java 17+", allow_module_level=True)

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from cleaner import Cleaner
from cleaner.batch import BatchOptions, run_batch
from cleaner.containers import JsonlFields
from cleaner.models import Article
from cleaner.spark import (
    RECORD_SCHEMA,
    JobOptions,
    clean_documents,
    errors_of,
    records_of,
    run_job,
)
from cleaner.spark.job import build_parser, main
from cleaner.spark.readers import jsonl_documents, warc_documents

from .conftest import REPO
from .test_batch import jsonl_records

HTML_PAGES = sorted((REPO / "fixtures").rglob("*.html"))[:12]
TEXTS = sorted((REPO / "fixtures").rglob("*.txt"))[:10]
SEEDS = sorted((REPO / "seeds").glob("*.txt"))


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # workers with cleaner installed
    session = (
        SparkSession.builder.master("local[2]")
        .appName("cleaner-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def _url(page: Path) -> str | None:
    sidecar = page.with_suffix(".url")
    return sidecar.read_text(encoding="utf-8").strip() if sidecar.is_file() else None


def _response(
    writer: WARCWriter, url: str, body: bytes, content_type: str | None, status: str = "200 OK"
) -> None:
    declared = [("Content-Type", content_type)] if content_type else []  # a server may declare none
    headers = StatusAndHeaders(status, declared, protocol="HTTP/1.1")
    record = writer.create_warc_record(
        url, "response", payload=io.BytesIO(body), length=len(body), http_headers=headers
    )
    writer.write_record(record)


def build_warc(path: Path) -> None:
    """The HTML fixtures as responses, between records the CLI skips (an image, a 404, a PDF
    served without a type), a page served without a type, and three pages that cannot be
    cleaned: binary bytes served as HTML, an empty body, and a last record cut short."""
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        for number, page in enumerate(HTML_PAGES):
            url = _url(page) or f"https://contoh.id/halaman-{number}"
            _response(writer, url, page.read_bytes(), "text/html; charset=UTF-8")
            if number == 3:
                _response(writer, "https://contoh.id/logo.png", b"\x89PNG\r\n\x1a\n", "image/png")
                _response(
                    writer, "https://contoh.id/hilang", b"<html>hilang</html>", "text/html", "404 Not Found"
                )
        _response(writer, "https://contoh.id/rusak", b"\x00\x01\x02" * 400 + b"<html>", "text/html")
        _response(writer, "https://contoh.id/kosong", b"  \n ", "text/html")
        _response(writer, "https://contoh.id/tanpa-jenis", HTML_PAGES[1].read_bytes(), None)
        _response(writer, "https://contoh.id/laporan.pdf", b"%PDF-1.7\n" + b"\x00" * 40, None)
        whole = fh.tell()
        _response(writer, "https://contoh.id/terpotong", HTML_PAGES[0].read_bytes(), "text/html")
        fh.truncate(whole + (fh.tell() - whole) // 2)  # a download that broke off


def _record_id(warc: Path, url: str) -> str:
    from warcio.archiveiterator import ArchiveIterator

    with warc.open("rb") as fh:
        for record in ArchiveIterator(fh):
            if record.rec_headers.get_header("WARC-Target-URI") == url:
                return str(record.rec_headers.get_header("WARC-Record-ID"))
    raise LookupError(url)


def build_jsonl(path: Path) -> None:
    """The text fixtures, a page in the text field (cleaned as HTML, as the CLI does), a line
    that is not JSON, one whose text is blank, one with its text under another name, and a
    blank line (no document, no failure)."""
    lines = [json.dumps({"url": _url(text), "text": text.read_text(encoding="utf-8")}) for text in TEXTS]
    lines[4:4] = [
        json.dumps({"url": _url(HTML_PAGES[0]), "text": HTML_PAGES[0].read_text(encoding="utf-8")}),
        "{bukan json",
        json.dumps({"url": "https://contoh.id/kosong", "text": "   "}),
        json.dumps({"url": "https://contoh.id/lain", "body": "Teks di kolom lain."}),
        "",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def read_jsonl_folder(folder: Path) -> list[dict[str, Any]]:
    """What Spark's JSON writer wrote: a folder of part files, one record a line."""
    return [
        json.loads(line)
        for part in sorted(folder.glob("part-*"))
        for line in part.read_text("utf-8").splitlines()
    ]


def without_null_mark(record: dict[str, Any]) -> dict[str, Any]:
    """The CLI writes duplicate_of only when a record is a duplicate; a Spark column is null."""
    return {k: v for k, v in record.items() if not (k == "duplicate_of" and v is None)}


def test_the_record_schema_is_the_clis_record() -> None:
    fields = [f.name for f in Article.__dataclass_fields__.values()]
    assert RECORD_SCHEMA.fieldNames() == ["input", *fields, "duplicate_of"]
    removal = RECORD_SCHEMA["removed"].dataType.elementType  # type: ignore[attr-defined]
    assert removal.fieldNames() == ["rule", "text", "kind", "line", "selector"]


def test_warc_and_jsonl_give_the_clis_records_and_failures(spark: Any, tmp_path: Path) -> None:
    warc, texts = tmp_path / "crawl.warc.gz", tmp_path / "texts.jsonl"
    build_warc(warc)
    build_jsonl(texts)
    rules = REPO / "rules"
    cli_out = tmp_path / "cli"
    summary = run_batch(
        [warc, texts],
        cli_out,
        BatchOptions(fmt="jsonl", jsonl=JsonlFields(html="html"), workers=1),
        cleaner=Cleaner(rules),
    )
    cli = {r["input"]: r for r in jsonl_records(cli_out)}
    assert len(cli) == len(HTML_PAGES) + len(TEXTS) + 2 and len(summary.failed) == 6
    assert cli[f"{warc}#{_record_id(warc, 'https://contoh.id/tanpa-jenis')}"]["paragraphs"]
    assert sum(record["extraction"] != "text" for name, record in cli.items() if ".jsonl#" in name) == 1

    out = tmp_path / "records.jsonl"
    job = run_job(
        spark,
        JobOptions(
            inputs=[str(warc), str(texts)],
            output=str(out),
            output_format="jsonl",
            rules=str(rules),
            dedup=False,
        ),
    )
    records = {r["input"]: without_null_mark(r) for r in read_jsonl_folder(out)}
    assert records.keys() == cli.keys()
    for name, record in cli.items():
        assert records[name] == record, name  # field by field, removals and found_by included
    errors = read_jsonl_folder(tmp_path / "records.errors.jsonl")
    assert {(e["input"], e["reason"]) for e in errors} == set(summary.failed)
    stages = {e["reason"]: e["stage"] for e in errors}
    assert stages["binary data, not HTML"] == "input"  # the undecodable record
    assert stages["not a JSON object"] == "read"
    assert stages["empty: no text in field 'html' or 'text'"] == "read"
    assert any(e["reason"].startswith("cut short: the record lacks") for e in errors)
    assert (job.records, job.errors, job.duplicates) == (len(cli), {"input": 2, "read": 4}, 0)


def test_failures_are_error_rows_and_the_task_goes_on(spark: Any, tmp_path: Path) -> None:
    page = HTML_PAGES[0].read_bytes()
    rows = [
        {"input": "bagus", "url": _url(HTML_PAGES[0]), "content": page},
        {"input": "biner", "url": "https://contoh.id/b", "content": b"\x00\xff" * 500},
        {"input": "teks", "url": "https://contoh.id/t", "text": SEEDS[0].read_text(encoding="utf-8")},
    ]
    documents = spark.createDataFrame(rows, "input string, url string, content binary, text string")
    outcomes = clean_documents(documents.repartition(1)).cache()  # one task meets all three
    assert {r.input for r in records_of(outcomes).collect()} == {"bagus", "teks"}
    assert [tuple(r) for r in errors_of(outcomes).collect()] == [("biner", "input", "binary data, not HTML")]
    # A run where nothing could be cleaned still writes its error rows (and marks nothing).
    bad = tmp_path / "rusak.jsonl"
    bad.write_text("{bukan json\n", encoding="utf-8")
    job = run_job(spark, JobOptions(inputs=[str(bad)], output=str(tmp_path / "kosong.parquet")))
    assert (job.documents, job.records, job.errors, job.duplicates) == (1, 0, {"read": 1}, 0)
    # A pattern that matches nothing is an error row; alone, it was an IndexError from Spark.
    pattern = str(tmp_path / "tidak-ada-*.warc.gz")
    job = run_job(spark, JobOptions(inputs=[pattern], output=str(tmp_path / "hampa.parquet")))
    assert (job.documents, job.errors) == (1, {"read": 1})
    (row,) = spark.read.parquet(str(tmp_path / "hampa.errors.parquet")).collect()
    assert row.reason == "not found" and row.input.endswith("tidak-ada-*.warc.gz")
    # So is one read through Hadoop: its "matches 0 files" failed the whole job.
    uri = f"file://{tmp_path}/tidak-ada-*.jsonl"
    job = run_job(spark, JobOptions(inputs=[uri, str(bad)], output=str(tmp_path / "hampa2.parquet")))
    assert (job.documents, job.errors) == (2, {"read": 2})
    # The per-document time budget holds inside the executors: a budget no page can meet.
    late = errors_of(clean_documents(documents, timeout=1e-4)).collect()
    assert {r.stage for r in late} >= {"timeout"} and all(
        r.reason.startswith("timed out") for r in late if r.stage == "timeout"
    )


def test_a_corrupt_warc_keeps_its_earlier_records_and_ends_in_an_error_row(tmp_path: Path) -> None:
    from warcio.archiveiterator import ArchiveIterator

    warc = tmp_path / "crawl.warc.gz"
    build_warc(warc)
    data = warc.read_bytes()
    records = ArchiveIterator(io.BytesIO(data))
    offsets = [records.get_record_offset() for _ in records]
    cut = offsets[3]  # garbage where the fourth record starts
    rows = list(warc_documents(io.BytesIO(data[:cut] + b"bukan WARC\r\n\r\n" + data[cut:]), "rusak.warc.gz"))
    assert [row[0].startswith("rusak.warc.gz#<urn:uuid:") for row in rows] == [True, True, True, False]
    assert rows[-1][-1].startswith("unreadable warc file:")


def test_a_jsonl_zst_gives_the_rows_of_the_jsonl_it_holds_and_an_error_row_when_cut_short(
    tmp_path: Path,
) -> None:
    import zstandard

    plain = tmp_path / "texts.jsonl"
    build_jsonl(plain)
    data = plain.read_bytes()
    packed = zstandard.ZstdCompressor().compress(data)
    fields = JsonlFields(html="html")

    def rows(stream: bytes, name: str) -> list[tuple[Any, ...]]:
        # named after their file, the rows differ in their input and order only
        documents = jsonl_documents(io.BytesIO(stream), name, fields)
        return [(row[0].partition("#")[2], *row[2:]) for row in documents]

    whole = rows(packed, "texts.jsonl.zst")
    assert whole == rows(data, "texts.jsonl") and len(whole) == len(data.splitlines()) - 1  # blank line
    cut = rows(packed[: len(packed) - 10], "texts.jsonl.zst")
    assert cut[-1][-1].startswith("unreadable jsonl file: EOFError: the zstd stream ends inside a frame")
    longest = max(map(len, data.splitlines(keepends=True)))
    bounded = list(jsonl_documents(io.BytesIO(data), "texts.jsonl", fields, max_bytes=longest - 1))
    too_large = [row for row in bounded if row[-1] and row[-1].startswith("too large: over")]
    assert len(too_large) == 1 and len(bounded) == len(whole)  # as `clean` reads it


def test_a_warc_read_locally_over_http_and_through_hadoop_gives_the_same_records(
    spark: Any, tmp_path: Path
) -> None:
    import functools
    import http.server
    import threading

    from cleaner.spark import read_warc

    warc = tmp_path / "crawl.warc.gz"
    build_warc(warc)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        ways = {
            "local": str(warc),
            "http": f"http://127.0.0.1:{server.server_address[1]}/crawl.warc.gz",  # streamed by the task
            "hadoop": warc.as_uri(),  # file:// goes through Spark's Hadoop file systems
        }
        found = {}
        for way, path in ways.items():
            rows = read_warc(spark, [path]).select("input", "url", "content").collect()
            found[way] = sorted((r.input.partition("#")[2], r.url, r.content) for r in rows)
    finally:
        server.shutdown()
        server.server_close()
    # the fixtures, two that cannot be cleaned, one without a type, one cut short (no content)
    assert len(found["local"]) == len(HTML_PAGES) + 4
    assert found["local"] == found["http"] == found["hadoop"]


def test_a_parquet_table_with_html_and_text_columns(spark: Any, tmp_path: Path) -> None:
    from cleaner.spark import read_table

    page, text = HTML_PAGES[1], TEXTS[1]
    rows = [
        (_url(page), page.read_text(encoding="utf-8"), None),
        (_url(text), None, text.read_text(encoding="utf-8")),
    ]
    table = tmp_path / "docs.parquet"
    spark.createDataFrame(rows, "url string, html string, text string").write.parquet(str(table))
    records = records_of(clean_documents(read_table(spark, [str(table)]))).collect()
    cleaner = Cleaner()
    expected = {
        _url(page): cleaner.clean_html(page.read_text(encoding="utf-8"), url=_url(page)).to_dict(),
        _url(text): cleaner.clean_text(text.read_text(encoding="utf-8"), url=_url(text)).to_dict(),
    }
    got = {
        r.input: {k: v for k, v in r.asDict(recursive=True).items() if k not in ("input", "duplicate_of")}
        for r in records
    }
    assert got == expected  # named by URL: a table without an input column

    # OSCAR's layout: the text under "content", the URL in a struct of WARC headers
    nested = tmp_path / "oscar.parquet"
    url = "https://www.kompas.tv/berita/1"
    schema = "content string, warc_headers struct<`warc-target-uri`: string>"
    spark.createDataFrame([(text.read_text(encoding="utf-8"), (url,))], schema).write.parquet(str(nested))
    oscar = JsonlFields(text="content", url="warc_headers.warc-target-uri")
    (row,) = records_of(clean_documents(read_table(spark, [str(nested)], fields=oscar))).collect()
    assert (row.input, row.url, row.site) == (url, url, "kompas.tv")
    line = json.dumps({"content": "Banjir melanda Jakarta. " * 20, "warc_headers": {"warc-target-uri": url}})
    ((_, _, line_url, *_),) = jsonl_documents(io.BytesIO(line.encode()), "oscar.jsonl", oscar)
    assert line_url == url


def planted_corpus(path: Path) -> dict[int, int | None]:
    """The five seeds and planted duplicates as JSONL lines; returns line -> line it duplicates."""
    seeds = [seed.read_text(encoding="utf-8") for seed in SEEDS]
    paragraphs = seeds[0].splitlines()
    mirror = "\n".join(
        ["Diterbitkan ulang dari kompas.tv oleh Portal Berita Kita", *paragraphs[:-4], *paragraphs[-3:]]
    )
    shortened = "\n".join(line for i, line in enumerate(seeds[1].splitlines()) if i != 6)
    texts = [
        seeds[0],  # 1
        seeds[1],  # 2
        seeds[0].replace("\n", "\n\n"),  # 3: the same text
        seeds[2],  # 4
        mirror,  # 5: near 1
        seeds[3],  # 6
        shortened,  # 7: near 2
        seeds[4],  # 8
        mirror,  # 9: a copy of 5, which is itself a duplicate: points at 1
        seeds[2] + "\n",  # 10: the same as 4 ("line 10" sorts before "line 2" by name)
    ]
    path.write_text("\n".join(json.dumps({"url": None, "text": t}) for t in texts) + "\n", encoding="utf-8")
    return {1: None, 2: None, 3: 1, 4: None, 5: 1, 6: None, 7: 2, 8: None, 9: 1, 10: 4}


def test_near_duplicates_are_marked_as_on_one_machine(spark: Any, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.jsonl"
    expected = planted_corpus(corpus)
    name = {line: f"{corpus}#line {line}" for line in expected}
    cli_out = tmp_path / "cli"
    run_batch([corpus], cli_out, BatchOptions(fmt="jsonl", workers=1, dedup="near"), cleaner=Cleaner())
    cli = {r["input"]: r.get("duplicate_of") for r in jsonl_records(cli_out)}
    assert cli == {name[line]: name.get(first) for line, first in expected.items()}

    out = tmp_path / "records.parquet"
    job = run_job(spark, JobOptions(inputs=[str(corpus)], output=str(out), partition_by_site=True))
    written = spark.read.parquet(str(out))
    assert "site" in written.columns and (out / "site=kompas.tv").is_dir()
    marks = {row.input: row.duplicate_of for row in written.select("input", "duplicate_of").collect()}
    assert marks == cli
    assert job.duplicates == 5 and job.records == 10


def test_the_command(spark: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    warc = tmp_path / "crawl.warc.gz"
    build_warc(warc)
    out = tmp_path / "out.parquet"
    assert (
        main(["--input", str(tmp_path / "*.warc.gz"), "--output", str(out), "--rules", str(REPO / "rules")])
        == 0
    )
    assert (
        f"Documents: {len(HTML_PAGES) + 4} total, {len(HTML_PAGES) + 1} cleaned, 3 failed"
        in capsys.readouterr().out
    )
    assert spark.read.parquet(str(tmp_path / "out.errors.parquet")).count() == 3
    assert not spark.sparkContext._jsc.sc().isStopped()  # a session it did not start stays up

    broken = tmp_path / "rules"
    broken.mkdir()
    (broken / "contoh.id.yaml").write_text(
        "site: contoh.id\nlines:\n  - {id: x, pattern: '('}\n", encoding="utf-8"
    )
    assert main(["--input", str(warc), "--output", str(tmp_path / "x"), "--rules", str(broken)]) == 2
    assert "contoh.id.yaml" in capsys.readouterr().err

    # An existing output was found out when the cleaning was done and its write failed: a
    # traceback, and the job's hours lost. The input here does not exist: refused before it is read.
    missing = str(tmp_path / "tidak-ada.warc.gz")
    assert main(["--input", missing, "--output", str(out)]) == 2
    assert f"{out} exists; give --overwrite" in capsys.readouterr().err
    (tmp_path / "baru.errors.parquet").mkdir()
    assert main(["--input", missing, "--output", str(tmp_path / "baru.parquet")]) == 2
    assert "baru.errors.parquet exists" in capsys.readouterr().err
    assert not (tmp_path / "baru.parquet").exists()


@pytest.mark.parametrize(
    "argv",
    [
        ["--partitions", "0"],
        ["--max-bytes", "-1"],
        ["--timeout", "-5"],
        ["--timeout", "nan"],
        ["--input-list", "/nonexistent/list.txt"],
    ],
)
def test_bad_values_are_refused_before_spark_starts(
    argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--partitions 0 failed inside Spark after it started; a negative budget failed every document."""
    with pytest.raises(SystemExit) as stopped:
        main(["--input", str(tmp_path / "x.warc.gz"), "--output", str(tmp_path / "out"), *argv])
    assert stopped.value.code == 2 and argv[0] in capsys.readouterr().err


def test_the_readme_shows_every_option_of_the_spark_command() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## On Apache Spark") : readme.index("## Rule files")]
    synopsis = section[section.index("python -m cleaner.spark --input") :].split("```")[0]
    options = {o for a in build_parser()._actions for o in a.option_strings if o not in ("-h", "--help")}
    shown = set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", synopsis))
    assert shown == options
