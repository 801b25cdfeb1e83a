"""Files that hold many documents: WARC archives and JSONL files.

The run's main process only scans them: where each document starts (a byte offset), its
URL and, for WARC, its record id and HTTP charset. The worker that cleans a document reads
it itself from that offset, so a container of millions of documents is never held in memory
and its content never passes between processes.

WARC (`.warc`, `.warc.gz`, read with warcio): response records with a 2xx status and an
HTML content type, or none and a body that opens like a page; the record's target URI is
the page URL and the Content-Type charset the declared encoding. A record or a file cut
short is a failed input (warcio reads what is there without a word). A gzipped WARC is
gzipped per record, which is what makes an offset a place to start reading.

JSONL (`.jsonl`, `.jsonl.gz`, `.jsonl.zst`): one JSON object per line; the field named by `html_field`
holds a page or the one named by `text_field` a text (`html_field` wins when both are set
and present), `url_field` its URL. A line that is not a JSON object or has neither content
field is a failed input; a blank line is skipped. A compressed stream cannot be entered in
the middle, so a `.jsonl.gz` or `.jsonl.zst` is first inflated into the run's staging folder
(one pass; the copy is deleted at the end of the run) and read from there.
"""

from __future__ import annotations

import json
import re
import tempfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, NamedTuple

from . import compressed
from .errors import InputError
from .sniff import HTML_TYPES, SNIFF_BYTES, UNKNOWN_TYPES, media_type, sniff_html

WARC_SUFFIXES = (".warc", ".warc.gz")
JSONL_SUFFIXES = (".jsonl",)
COMPRESSED_JSONL = (".jsonl.gz", ".jsonl.zst")
CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
BLOCK = 1 << 16
GZIP_MAGIC = b"\x1f\x8b"
MAX_EMPTY_TAIL = 4096  # an empty gzip member is 20 bytes


@dataclass(frozen=True, slots=True)
class JsonlFields:
    """Which fields of a JSONL object hold what (`clean --html-field/--text-field/--url-field`).
    A dotted name reaches into nested objects (see field_value)."""

    html: str | None = None
    text: str | None = "text"
    url: str | None = "url"


def field_value(obj: dict[str, Any], name: str) -> Any:
    """obj[name], or None. A name the object does not hold, with dots in it, is a path into
    nested objects: "warc_headers.warc-target-uri" is where OSCAR's records keep their URL."""
    if name in obj or "." not in name:
        return obj.get(name)
    value: Any = obj
    for part in name.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


@dataclass(frozen=True, slots=True)
class Entry:
    """One document inside a container: where it starts and what is known of it up front."""

    offset: int
    name: str  # its name in records: the WARC record id, or "line N"
    url: str | None = None
    charset: str | None = None
    kind: str = "html"  # "html" or "text"
    problem: str | None = None  # why the entry holds no document (a failed input)


def container_kind(path: Path) -> str | None:
    name = path.name.lower()
    if name.endswith(WARC_SUFFIXES):
        return "warc"
    if name.endswith((*JSONL_SUFFIXES, *COMPRESSED_JSONL)):
        return "jsonl"
    return None


def is_compressed_jsonl(path: Path) -> bool:
    return path.name.lower().endswith(COMPRESSED_JSONL)


def inflate(path: Path, into: Path) -> str | None:
    """Write the inflated `path` (.gz or .zst) to `into`; the reason it broke off, if it did
    (corrupt or cut short), when what came before it is written all the same."""
    try:
        with path.open("rb") as raw, compressed.reader(raw, path.name) as source, into.open("wb") as target:
            target.writelines(source)  # line by line: every whole line before a break is kept
    except compressed.stream_errors() as exc:
        kind = "gzip" if compressed.compression_of(path.name) == ".gz" else "zstd"
        return f"corrupt {kind}: {exc}"
    return None


def read_named_document(
    path: Path, name: str, fields: JsonlFields, *, max_bytes: int
) -> tuple[Entry, str | bytes]:
    """One document of a container, named as its record's input names it after the "#"
    ("line 7", "<urn:uuid:...>"): its entry and its content (a WARC page's bytes, a JSONL
    field's string). For `cleaner explain FILE#NAME`."""
    kind = container_kind(path)
    with tempfile.TemporaryDirectory(prefix="cleaner-staging-") as staging:
        readable = path
        if is_compressed_jsonl(path):
            readable = Path(staging, "inflated.jsonl")
            inflate(path, readable)  # a file cut short still has the lines before the break
        entries = (
            warc_entries(path) if kind == "warc" else jsonl_entries(readable, fields, max_bytes=max_bytes)
        )
        entry = next((entry for entry in entries if entry.name == name), None)
        if entry is None:
            what = "a WARC record id or 'offset N'" if kind == "warc" else "'line N'"
            raise InputError(f"no document named {name!r} in it (a name is {what})", path=str(path))
        if entry.problem:
            raise InputError(entry.problem, path=f"{path}#{name}")
        if kind == "warc":
            return entry, read_warc_page(path, entry.offset, max_bytes=max_bytes)
        return entry, read_jsonl_document(readable, entry.offset, entry.kind, fields, max_bytes=max_bytes)


# --- WARC ------------------------------------------------------------------------------------


class WarcPage(NamedTuple):
    """One HTML response of a WARC stream, or a part of the stream that holds none whole."""

    offset: int  # where its record starts in the file
    name: str  # the WARC record id, or "offset N"
    url: str | None = None
    charset: str | None = None
    head: bytes = b""  # the body's first bytes, as many as asked for (encodings undone)
    problem: str | None = None  # why it cannot be cleaned: a record or a file cut short


def warc_entries(path: Path) -> Iterator[Entry]:
    """The HTML responses of a WARC file, in file order."""
    with path.open("rb") as fh:
        for page in warc_pages(fh):
            yield Entry(page.offset, page.name, url=page.url, charset=page.charset, problem=page.problem)


def warc_pages(stream: IO[bytes], *, keep: int = 0) -> Iterator[WarcPage]:
    """The HTML responses of a WARC stream (a 2xx status, and an HTML type or, when none is
    declared, a body that opens like a page), each with its body's first `keep` bytes. A
    record whose body the stream holds only part of, and bytes after the last whole record
    (a download or a copy that broke off), come as pages with a problem: never dropped
    without a word."""
    # only WARC input needs it; warcio ships no type information
    from warcio.archiveiterator import ArchiveIterator

    records = ArchiveIterator(stream)
    # Set before the first read. WARC only: warcio reads a first line it cannot parse as an
    # old ARC record if it can, and a garbled .warc was then 0 pages, with no failure.
    records.known_format = "warc"
    records.reader = _bounded_line_reader(records.fh)
    for record in records:
        declared, head = _html_response_type(record), b""
        if declared is not None:
            wanted = keep if declared in HTML_TYPES else max(keep, SNIFF_BYTES)
            head = record.content_stream().read(wanted) if wanted else b""
            if declared not in HTML_TYPES and not sniff_html(head):
                declared = None
        # Any record, a page or not: after one cut short, the file holds nothing more.
        missing = _missing_bytes(record)
        if declared is None and not missing:
            continue
        offset = records.offset  # where this record starts; get_record_offset() reads on past its end
        record_id = record.rec_headers.get_header("WARC-Record-ID")
        problem = f"cut short: the record lacks {missing} of its bytes" if missing else None
        yield WarcPage(
            offset,
            record_id or f"offset {offset}",
            record.rec_headers.get_header("WARC-Target-URI"),
            declared_charset(record) if declared else None,
            head[:keep],
            problem,
        )
    unread = records.fh.tell() - records.offset
    if unread > 0 and not _only_empty_members(stream, records.offset):
        # the stream ended inside a record's header: a gzip member cut short
        problem = f"cut short: the last {unread} bytes hold no whole record"
        yield WarcPage(records.offset, f"offset {records.offset}", problem=problem)


MAX_HEADER_LINE = 4 << 20  # far beyond a header line servers accept (8 KB) or a URL (Chrome: 2 MB)


class HeaderLineTooLong(ValueError):
    """A WARC or HTTP header line over MAX_HEADER_LINE: the bytes are no WARC record."""


def _bounded_line_reader(raw: IO[bytes]) -> Any:
    """warcio's reader of the raw stream, with a readline linear in the line's length and
    bounded. warcio's joins a line block by block, each join copying all before it: a WARC
    whose tail is zeros (as a writer that crashed leaves it) held the run 50 s on 50 MB of
    them, and four times that for each doubling. Header lines are all warcio reads by line;
    bodies are read by size."""
    from warcio.bufferedreaders import DecompressingBufferedReader
    from warcio.utils import BUFF_SIZE

    class BoundedLineReader(DecompressingBufferedReader):  # type: ignore[misc]  # warcio is untyped
        def readline(self, length: int | None = None) -> bytes:
            if length == 0:
                return b""
            self._fillbuff()
            if self.empty():
                return b""
            parts, size = [], 0
            while True:
                part = self.buff.readline(length - size if length else -1)
                parts.append(part)
                size += len(part)
                if part.endswith(b"\n") or (length and size >= length):
                    break
                if size > MAX_HEADER_LINE:
                    raise HeaderLineTooLong(f"a line over {MAX_HEADER_LINE} bytes where a header belongs")
                self._fillbuff()
                if self.empty():
                    break
            return b"".join(parts)

    return BoundedLineReader(raw, block_size=BUFF_SIZE)


def _html_response_type(record: Any) -> str | None:
    """The media type of a response worth a look (2xx, HTML or undeclared); None otherwise."""
    if record.rec_type != "response" or record.http_headers is None:
        return None
    if not (record.http_headers.get_statuscode() or "").startswith("2"):
        return None
    declared = media_type(record.http_headers.get_header("Content-Type"))
    return declared if declared in HTML_TYPES or declared in UNKNOWN_TYPES else None


def _missing_bytes(record: Any) -> int:
    """Reads the record to its end: how many bytes of its declared length were not there."""
    stream = record.raw_stream
    while stream.read(BLOCK):
        pass
    return max(getattr(stream, "limit", 0), 0)


def _only_empty_members(stream: IO[bytes], offset: int) -> bool:
    """Whether the bytes from `offset` on are empty gzip members or blank: what a copy that
    ends with an empty member leaves unread. False when they cannot be read again."""
    try:
        stream.seek(offset)
        rest = stream.read(MAX_EMPTY_TAIL + 1)
    except (OSError, AttributeError, ValueError):  # a stream read once (http)
        return False
    while rest.startswith(GZIP_MAGIC) and len(rest) <= MAX_EMPTY_TAIL:
        member = zlib.decompressobj(wbits=31)
        try:
            if member.decompress(rest).strip() or not member.eof:
                return False
        except zlib.error:
            return False
        rest = member.unused_data
    return not rest.strip()


def declared_charset(record: Any) -> str | None:
    """The charset of a response's HTTP Content-Type header, if it names one."""
    found = CHARSET.search(record.http_headers.get_header("Content-Type") or "")
    return found.group(1) if found else None


def read_warc_page(path: Path, offset: int, *, max_bytes: int) -> bytes:
    """The HTTP body of the record at `offset` (transfer and content encodings undone)."""
    from warcio.archiveiterator import ArchiveIterator

    try:
        with path.open("rb") as fh:
            fh.seek(offset)
            record = next(iter(ArchiveIterator(fh)))
            body = record.content_stream().read(max_bytes + 1)
    except (OSError, StopIteration, ValueError) as exc:
        raise InputError(f"unreadable WARC record at offset {offset}: {exc}", path=str(path)) from exc
    return checked_page(body, max_bytes=max_bytes, path=str(path))


def checked_page(body: bytes, *, max_bytes: int, path: str | None = None) -> bytes:
    """A response body read with at most max_bytes + 1 bytes, refused when too large or empty."""
    if len(body) > max_bytes:
        raise InputError(f"too large: over {max_bytes} bytes", path=path)
    if not body.strip():
        raise InputError("empty", path=path)
    return body


# --- JSONL -----------------------------------------------------------------------------------


def jsonl_entries(path: Path, fields: JsonlFields, *, max_bytes: int) -> Iterator[Entry]:
    """One entry per line that is not blank; lines are parsed here only for the URL and
    which content field is present (the content itself is read again by the worker). A line
    over max_bytes is a failed input, never held (see bounded_lines)."""
    with path.open("rb") as fh:
        offset = 0
        for number, (line, length) in enumerate(bounded_lines(fh, max_bytes), start=1):
            start, offset = offset, offset + length
            if line is None:
                yield Entry(start, f"line {number}", kind="text", problem=too_large(max_bytes))
            elif (read := read_jsonl_line(line, fields)) is not None:
                yield Entry(start, f"line {number}", url=read.url, kind=read.kind, problem=read.problem)


LONG_LINE_CHUNK = 1 << 20


def bounded_lines(stream: IO[bytes], limit: int) -> Iterator[tuple[bytes | None, int]]:
    """Each line of the stream and its length in bytes; a line longer than `limit` comes as
    None, read through in chunks but never held whole. A JSON array saved as one 5 GB "line"
    (a .json named .jsonl) held the whole of it, and its parse three times more."""
    while line := stream.readline(limit + 1):
        length = len(line)
        if length <= limit:
            yield line, length
            continue
        while not line.endswith(b"\n") and (line := stream.readline(LONG_LINE_CHUNK)):
            length += len(line)
        yield None, length


def too_large(max_bytes: int) -> str:
    return f"too large: over {max_bytes} bytes"


class JsonlLine(NamedTuple):
    """What one JSONL line holds, as both readers (`clean`, the Spark job) take it."""

    kind: str  # "html" or "text": the content field present (html wins)
    obj: dict[str, Any]
    url: str | None
    problem: str | None = None  # why the line holds no document (a failed input)


def read_jsonl_line(line: bytes, fields: JsonlFields) -> JsonlLine | None:
    """None for a blank line (a file's last newline doubled): it holds nothing to lose. A
    line that is not a JSON object, or whose content fields hold no string (a dump whose
    text is under another name than --text-field says), has a problem: a failed input,
    never skipped without a word."""
    if not line.strip():
        return None
    obj = _object(line)
    if obj is None:
        return JsonlLine("text", {}, None, _not_an_object(line))
    kind = _content_kind(obj, fields)
    if kind is None:
        names = " or ".join(repr(name) for name in (fields.html, fields.text) if name)
        return JsonlLine("text", obj, None, f"empty: no text in field {names}")
    url = field_value(obj, fields.url) if fields.url else None
    return JsonlLine(kind, obj, url if isinstance(url, str) else None)


def read_jsonl_document(path: Path, offset: int, kind: str, fields: JsonlFields, *, max_bytes: int) -> str:
    try:
        with path.open("rb") as fh:
            fh.seek(offset)
            line = fh.readline(max_bytes + 1)
    except OSError as exc:
        raise InputError(f"unreadable: {exc.strerror or exc}", path=str(path)) from exc
    if len(line) > max_bytes:
        raise InputError(too_large(max_bytes), path=str(path))
    obj = _object(line)
    if obj is None:
        raise InputError(_not_an_object(line), path=str(path))
    key = fields.html if kind == "html" else fields.text
    value = field_value(obj, key) if key else None
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"empty: no text in field {key!r}", path=str(path))
    return value


def _not_an_object(line: bytes) -> str:
    """Why a line is no document; a JSON array (a .json dump named .jsonl) says so."""
    if line.lstrip(b" \t\xef\xbb\xbf").startswith(b"["):
        return "not a JSON object but an array: JSON Lines hold one object a line"
    return "not a JSON object"


def _object(line: bytes) -> dict[str, Any] | None:
    try:
        obj = json.loads(line)
    except (ValueError, RecursionError):  # not JSON, or nested past the parser's depth
        return None
    return obj if isinstance(obj, dict) else None


def _content_kind(obj: dict[str, Any], fields: JsonlFields) -> str | None:
    if fields.html and isinstance(field_value(obj, fields.html), str):
        return "html"
    if fields.text and isinstance(field_value(obj, fields.text), str):
        return "text"
    return None
