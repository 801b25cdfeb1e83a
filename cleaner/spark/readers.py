"""Readers: the documents a job starts from, as DataFrames of DOCUMENT_SCHEMA.

WARC (`.warc`, `.warc.gz`): the HTML responses with a 2xx status, as `cleaner clean` reads
them (cleaner.containers.warc_pages); `input` is `<file>#<WARC-Record-ID>` and `url`
the record's WARC-Target-URI. JSONL (`.jsonl`, `.jsonl.gz`, `.jsonl.zst`): one JSON object per line, the
page in the html field or a text in the text field (html wins), named `<file>#line N`.
Local paths are named by their absolute path, as the CLI names them, so the two give the
same records.

Where a file is read: local paths (globs allowed) and http(s) URLs are opened by the Python
task itself, one task per file, which streams the file record by record: a Common Crawl
WARC over https never sits whole in memory. Any other URI (s3a://, hdfs://, gs://,
file://, globs allowed) is read through Spark's Hadoop file systems (SparkContext.binaryFiles),
which hands a task the whole file: size executors' memory for one file per core (a Common
Crawl WARC is about 1 GB).

Tables (Parquet, or any format Spark reads): columns `html` (string or binary) and/or
`text`, `url`, and optionally `input` (else the URL names a record, else `<file>#<row id>`).
"""

from __future__ import annotations

import glob
import io
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from .. import compressed
from ..containers import (
    JsonlFields,
    bounded_lines,
    container_kind,
    field_value,
    read_jsonl_line,
    too_large,
    warc_pages,
)
from ..decode import MAX_BYTES
from ..errors import describe
from .schema import DOCUMENT_SCHEMA

STREAMED_SCHEMES = ("http://", "https://")
HTTP_TIMEOUT = 120  # seconds without a byte before a streamed file counts as unreadable


def input_kind(path: str) -> str:
    """The kind of an input by its name: "warc", "jsonl" (as `clean` names them:
    cleaner.containers.container_kind) or "table"."""
    return container_kind(Path(path)) or "table"


def read_by_name(
    spark: Any, paths: list[str], *, fields: JsonlFields | None = None, max_bytes: int = MAX_BYTES
) -> Any:
    """Every input read by its kind (input_kind), as one DataFrame of DOCUMENT_SCHEMA."""
    fields = fields or JsonlFields(html="html")
    groups: dict[str, list[str]] = {}
    for path in paths:
        groups.setdefault(input_kind(path), []).append(path)
    frames = []
    if groups.get("warc"):
        frames.append(read_warc(spark, groups["warc"], max_bytes=max_bytes))
    if groups.get("jsonl"):
        frames.append(read_jsonl(spark, groups["jsonl"], fields=fields, max_bytes=max_bytes))
    if groups.get("table"):
        frames.append(read_table(spark, groups["table"], fields=fields))
    documents = frames[0]
    for frame in frames[1:]:
        documents = documents.unionByName(frame)
    return documents


# --- where files are read ---------------------------------------------------------------------


def is_streamed(path: str) -> bool:
    """Opened by the Python task itself (a local path or http/https), not through Hadoop."""
    return "://" not in path or path.lower().startswith(STREAMED_SCHEMES)


def streamed_files(paths: list[str]) -> list[tuple[str, str]]:
    """(where to open it, its name in records) for each file; local globs expanded on the
    driver, local names made absolute as the CLI makes them. A local path or pattern that
    matches nothing stays, to become an error row ("not found") instead of vanishing (a job
    whose only pattern matched nothing ended in an IndexError from inside Spark)."""
    from ..inputs import escaped

    files: list[tuple[str, str]] = []
    for path in paths:
        if "://" in path:
            files.append((path, path))
            continue
        # glob.glob, not Path.glob: the pattern may be absolute, or a folder with magic in it
        matches = sorted(glob.glob(path)) if glob.has_magic(path) else []  # noqa: PTH207
        files += [(match, escaped(Path(match).resolve())) for match in matches or [path]]
    return files


def open_file(path: str) -> IO[bytes]:
    if path.lower().startswith(STREAMED_SCHEMES):
        response: IO[bytes] = urllib.request.urlopen(path, timeout=HTTP_TIMEOUT)
        return response
    return Path(path).open("rb")


def _documents_of_files(spark: Any, paths: list[str], parse: Any) -> Any:
    """parse(stream, name) over every file: streamed ones one task per file, the others
    through Hadoop. Returns an RDD of DOCUMENT_SCHEMA tuples."""
    context = spark.sparkContext
    rdds = []
    streamed = streamed_files([p for p in paths if is_streamed(p)])
    if streamed:
        rdds.append(context.parallelize(streamed, len(streamed)).flatMap(lambda f: _parse_file(f, parse)))
    hadoop = [p for p in paths if not is_streamed(p)]
    found = [p for p in hadoop if _hadoop_matches(context, p)]
    if found:
        whole = context.binaryFiles(",".join(found))
        rdds.append(whole.flatMap(lambda item: parse(io.BytesIO(item[1]), item[0])))
    if missing := [p for p in hadoop if p not in found]:  # binaryFiles would fail the whole job
        rdds.append(context.parallelize([problem_row(p, order_key(p, 0), "not found") for p in missing], 1))
    return rdds[0] if len(rdds) == 1 else context.union(rdds)


def hadoop_file_system(context: Any, path: str) -> tuple[Any, Any]:
    """The Hadoop file system Spark reads and writes `path` with (local, hdfs://, s3a://, ...),
    and the path as a Hadoop Path."""
    hadoop_path = context._jvm.org.apache.hadoop.fs.Path(path)
    return hadoop_path.getFileSystem(context._jsc.hadoopConfiguration()), hadoop_path


def _hadoop_matches(context: Any, path: str) -> bool:
    """Whether a Hadoop path or pattern names any file."""
    file_system, hadoop_path = hadoop_file_system(context, path)
    statuses = file_system.globStatus(hadoop_path)
    return statuses is not None and len(statuses) > 0


def _parse_file(file: tuple[str, str], parse: Any) -> Iterator[tuple[Any, ...]]:
    where, name = file
    try:
        stream = open_file(where)
    except (OSError, ValueError) as exc:
        reason = "not found" if isinstance(exc, FileNotFoundError) else f"unreadable: {exc}"
        yield problem_row(name, order_key(name, 0), reason)
        return
    with stream:
        yield from parse(stream, name)


def order_key(file: str, position: int) -> str:
    """Sorts documents by file, then by position in it (DOCUMENT_SCHEMA's `order`)."""
    return f"{file}\t{position:012d}"


def problem_row(name: str, order: str, reason: str, url: str | None = None) -> tuple[Any, ...]:
    return (name, order, url, None, None, None, None, reason)


# --- WARC -------------------------------------------------------------------------------------


def read_warc(spark: Any, paths: list[str], *, max_bytes: int = MAX_BYTES) -> Any:
    """The HTML responses of WARC files, as a DataFrame of DOCUMENT_SCHEMA."""

    def parse(stream: IO[bytes], name: str) -> Iterator[tuple[Any, ...]]:
        return warc_documents(stream, name, max_bytes=max_bytes)

    return spark.createDataFrame(_documents_of_files(spark, paths, parse), DOCUMENT_SCHEMA)


def warc_documents(stream: IO[bytes], name: str, *, max_bytes: int = MAX_BYTES) -> Iterator[tuple[Any, ...]]:
    """One document row per HTML response of a WARC stream, read record by record
    (cleaner.containers.warc_pages). A record or a file that breaks off, or a corrupt file,
    gives an error row; the records before it stay."""
    position = 0
    try:
        # One byte over the cap is enough to tell that a page is too large (cleaner.containers).
        for page in warc_pages(stream, keep=max_bytes + 1):
            position += 1
            source, order = f"{name}#{page.name}", order_key(name, position)
            if page.problem:
                yield problem_row(source, order, page.problem, page.url)
            else:
                yield (source, order, page.url, page.head, page.charset, None, None, None)
    except Exception as exc:  # a corrupt file is an error row, never a failed task
        reason = f"unreadable warc file: {describe(exc)}"
        yield problem_row(name, order_key(name, position + 1), reason)


# --- JSONL ------------------------------------------------------------------------------------


def read_jsonl(
    spark: Any, paths: list[str], *, fields: JsonlFields | None = None, max_bytes: int = MAX_BYTES
) -> Any:
    """Documents of JSONL files, as a DataFrame of DOCUMENT_SCHEMA."""
    chosen = fields or JsonlFields(html="html")

    def parse(stream: IO[bytes], name: str) -> Iterator[tuple[Any, ...]]:
        return jsonl_documents(stream, name, chosen, max_bytes=max_bytes)

    return spark.createDataFrame(_documents_of_files(spark, paths, parse), DOCUMENT_SCHEMA)


def jsonl_documents(
    stream: IO[bytes], name: str, fields: JsonlFields, *, max_bytes: int = MAX_BYTES
) -> Iterator[tuple[Any, ...]]:
    """One document row per line that is not blank; as `cleaner clean` reads JSONL
    (cleaner.containers): a line that is not a JSON object, has neither field, or is over
    max_bytes (never held whole) is an error row."""
    try:
        lines = bounded_lines(compressed.reader(stream, name), max_bytes)
        for number, (line, _) in enumerate(lines, start=1):
            source, order = f"{name}#line {number}", order_key(name, number)
            if line is None:
                yield problem_row(source, order, too_large(max_bytes))
                continue
            read = read_jsonl_line(line, fields)
            if read is None:
                continue
            if read.problem:
                yield problem_row(source, order, read.problem)
                continue
            key = fields.html if read.kind == "html" else fields.text
            assert key is not None  # read_jsonl_line found a string under it
            value, url = field_value(read.obj, key), read.url
            if not value.strip():
                yield problem_row(source, order, f"empty: no text in field {key!r}", url)
            elif read.kind == "html":
                yield (source, order, url, None, None, value, None, None)
            else:
                yield (source, order, url, None, None, None, value, None)
    except compressed.stream_errors() as exc:  # a broken or cut-short .gz or .zst stream
        reason = f"unreadable jsonl file: {describe(exc)}"
        yield problem_row(name, order_key(name, 10**12 - 1), reason)


# --- tables -----------------------------------------------------------------------------------


def read_table(
    spark: Any, paths: list[str], *, fields: JsonlFields | None = None, fmt: str = "parquet"
) -> Any:
    """Documents of a table (Parquet by default) with html and/or text columns."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import BinaryType

    fields = fields or JsonlFields(html="html")
    table = spark.read.format(fmt).load(paths)

    def column(name: str | None) -> Any:
        return F.col(name) if name and _column_type(table.schema, name) else F.lit(None)

    names = [F.col("input")] if "input" in table.columns else []
    names += [F.col(fields.url)] if fields.url and _column_type(table.schema, fields.url) else []
    row_id = F.monotonically_increasing_id().cast("string")
    fallback = F.concat(F.input_file_name(), F.lit("#"), row_id)
    html = column(fields.html)
    is_binary = isinstance(_column_type(table.schema, fields.html), BinaryType)
    return table.select(
        F.coalesce(*names, fallback).alias("input"),
        F.concat(F.input_file_name(), F.lit("\t"), F.lpad(row_id, 20, "0")).alias("order"),
        column(fields.url).cast("string").alias("url"),
        (html if is_binary else F.lit(None)).cast("binary").alias("content"),
        F.lit(None).cast("string").alias("charset"),
        (F.lit(None) if is_binary else html).cast("string").alias("html"),
        column(fields.text).cast("string").alias("text"),
        F.lit(None).cast("string").alias("problem"),
    )


def _column_type(schema: Any, name: str | None) -> Any:
    """The type of the column `name` names, or None when the table has none: a dotted name
    reaches into struct columns ("warc_headers.warc-target-uri"), as in JSONL records."""
    from pyspark.sql.types import StructType

    if not name:
        return None
    if name in schema.names:
        return schema[name].dataType
    found: Any = schema
    for part in name.split("."):
        if not isinstance(found, StructType) or part not in found.names:
            return None
        found = found[part].dataType
    return found
