"""Input files: which kind each is, how to read it, and the page URL that goes with it.

URL convention: a sidecar `<name>.url` next to the input (one line, the URL), else a
`urls.tsv` in the input's folder with lines `<file name><TAB><url>`; for HTML without
either, the page's own canonical link is used. A `<name>.charset` sidecar (written by
`cleaner fetch`) holds the charset the HTTP header declared.
"""

from __future__ import annotations

import glob
import gzip
import io
import logging
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from . import logs
from .containers import JsonlFields, read_jsonl_document, read_warc_page
from .core import Cleaner
from .decode import MAX_BYTES, decode_text, read_bytes, read_text
from .errors import InputError
from .models import Article
from .sniff import holds_markup, opens_as_html

TEXT_SUFFIXES = (".txt",)
HTML_SUFFIXES = (".html", ".htm", ".html.gz", ".htm.gz")
SUFFIXES = TEXT_SUFFIXES + HTML_SUFFIXES
URLS_FILE = "urls.tsv"  # not archive.ARCHIVE_MANIFEST, the manifest.sqlite of a page archive
SIDECAR_MAX_BYTES = 64 * 1024  # a URL or a charset: anything longer is not one

# A document under the other kind's name: a page saved as .txt, a JSONL text field holding a
# page or an article's HTML (a CMS export's "<p>...</p><p>...</p>"), a text saved as .html.
# Read by what it holds (cleaner.sniff), with a note saying so.
MISNAMED_NOTES = {  # by the kind a document was named as
    "text": "named as a text, but it opens with HTML markup: cleaned as HTML",
    "html": "named as a page, but it holds no markup: cleaned as text",
}

logger = logging.getLogger(__name__)


def input_suffix(path: Path) -> str | None:
    """The known suffix a file name ends with (the longest, so ".html.gz" beats ".gz")."""
    name = path.name.lower()
    return max((s for s in SUFFIXES if name.endswith(s) and name != s), key=len, default=None)


def is_html(path: Path) -> bool:
    return input_suffix(path) in HTML_SUFFIXES


def stem_of(path: Path) -> str:
    suffix = input_suffix(path) or path.suffix
    return path.name[: len(path.name) - len(suffix)]


CONTINUATION = re.compile(r"^(?P<base>.+)\.p(?P<number>\d+)$")


def continuation_of(path: Path) -> tuple[str, int] | None:
    """For `story.p2.html`, ("story", 2): a later page of the article in `story.html`."""
    match = CONTINUATION.match(stem_of(path))
    return (match["base"], int(match["number"])) if match else None


def is_continuation(path: Path) -> bool:
    """A later page whose first page sits next to it: it is cleaned together with that one."""
    found = continuation_of(path)
    return found is not None and path.with_name(found[0] + (input_suffix(path) or "")).is_file()


def continuation_pages(path: Path) -> list[Path]:
    """The later pages saved next to an HTML page: `story.p2.html`, `story.p3.html`, ..."""
    suffix = input_suffix(path) or ""
    numbered = []
    for candidate in path.parent.glob(f"{glob.escape(stem_of(path))}.p*{suffix}"):
        found = continuation_of(candidate)
        if found and found[0] == stem_of(path) and input_suffix(candidate) == suffix:
            numbered.append((found[1], candidate))
    return [page for _, page in sorted(numbered)]


def url_for(path: Path) -> str | None:
    return _sidecar(path, ".url") or _urls_file(path.parent).get(path.name)


def header_charset_for(path: Path) -> str | None:
    return _sidecar(path, ".charset")


def _sidecar(path: Path, suffix: str) -> str | None:
    """The sidecar's one line. One that cannot be read, is not UTF-8 or is too long to be a
    URL or a charset is left out with a warning: the document is still cleaned, without it."""
    sidecar = path.with_name(stem_of(path) + suffix)
    if not sidecar.is_file():
        return None
    try:
        with sidecar.open("rb") as fh:
            data = fh.read(SIDECAR_MAX_BYTES + 1)
        if len(data) > SIDECAR_MAX_BYTES:
            raise ValueError(f"over {SIDECAR_MAX_BYTES} bytes")
        return data.decode("utf-8").strip() or None
    except (OSError, ValueError) as exc:  # UnicodeDecodeError is a ValueError
        logger.warning("%s not read (%s): %s cleaned without it", escaped(sidecar), _reason(exc), path.name)
        return None


def _urls_file(folder: Path) -> dict[str, str]:
    """The URLs of `urls.tsv` in a folder, by file name. Read again when it changed: a
    long-lived process (an API user, a notebook) must see edits."""
    path = folder / URLS_FILE
    try:
        stat = path.stat()
    except OSError:
        return {}
    return _read_urls_file(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=64)  # keyed by mtime and size too: files given one by one share one read
def _read_urls_file(path: Path, mtime_ns: int, size: int) -> dict[str, str]:
    if not path.is_file():
        return {}
    urls = {}
    try:
        lines = path.read_bytes().splitlines()
    except OSError as exc:
        logger.warning("%s not read (%s)", escaped(path), _reason(exc))
        return {}
    undecodable = 0
    for raw in lines:
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            undecodable += 1  # its file is cleaned without a URL, the other lines still count
            continue
        name, _, url = line.partition("\t")
        if url.strip():
            urls[name.strip()] = url.strip()
    if undecodable:
        logger.warning("%s: %d line(s) not UTF-8, left out", escaped(path), undecodable)
    return urls


def escaped(path: Path) -> str:
    """The path as text that any writer can encode: undecodable bytes of a file name become \\xNN."""
    return str(path).encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _reason(exc: Exception) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return "not UTF-8"
    return exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)


def read_html_bytes(path: Path, *, max_bytes: int = MAX_BYTES) -> bytes:
    data = read_bytes(path, max_bytes=max_bytes)
    if not path.name.lower().endswith(".gz"):
        return data
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            page = stream.read(max_bytes + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise InputError(f"corrupt gzip: {exc}", path=str(path)) from exc
    if len(page) > max_bytes:
        raise InputError(f"too large: over {max_bytes} bytes once decompressed", path=str(path))
    if not page.strip():
        raise InputError("empty", path=str(path))
    return page


def clean_path(
    cleaner: Cleaner, path: Path, *, max_bytes: int = MAX_BYTES, url: str | None = None
) -> Article:
    """Read and clean one file by its kind. Raises InputError when it cannot be cleaned."""
    pages = tuple(continuation_pages(path)) if is_html(path) else ()
    source = Source(path, pages=pages, url=url or url_for(path), charset=header_charset_for(path))
    return clean_source(cleaner, source, max_bytes=max_bytes)


@dataclass(frozen=True, slots=True)
class Source:
    """One input, resolved once where it was found: the file, its later pages (HTML), the
    page URL and the charset its HTTP header declared. Cleaning it needs no other lookup."""

    path: Path
    pages: tuple[Path, ...] = ()
    url: str | None = None
    charset: str | None = None
    # A document inside a WARC or JSONL file (cleaner.containers): where it starts, its kind
    # ("html" or "text") and, for JSONL, which fields hold what.
    container: str | None = None
    offset: int = 0
    kind: str = "html"
    jsonl: JsonlFields | None = None


def clean_source(cleaner: Cleaner, source: Source, *, max_bytes: int = MAX_BYTES) -> Article:
    """Read and clean one resolved input by its kind. Raises InputError when it cannot be cleaned."""
    path, url = source.path, source.url
    with logs.for_input(str(path)):  # library warnings name the file
        if source.container == "warc":
            page = read_warc_page(path, source.offset, max_bytes=max_bytes)
            return cleaner.clean_html(page, url=url, encoding=source.charset)
        if source.container == "jsonl":
            fields = source.jsonl or JsonlFields()
            document = read_jsonl_document(path, source.offset, source.kind, fields, max_bytes=max_bytes)
            return clean_document(cleaner, document, source.kind, url=url)
        if is_html(path):
            data = [read_html_bytes(page, max_bytes=max_bytes) for page in (path, *source.pages)]
            if len(data) > 1:
                return cleaner.clean_html_pages(data, url=url, encoding=source.charset)
            return clean_document(cleaner, data[0], "html", url=url, encoding=source.charset)
        return clean_document(cleaner, read_text(path, max_bytes=max_bytes), "text", url=url)


def clean_document(
    cleaner: Cleaner,
    document: str | bytes,
    named: str,
    *,
    url: str | None = None,
    encoding: str | None = None,
) -> Article:
    """A document named as a page ("html") or a text, cleaned as what it holds
    (kind_by_content), with a note when that is not what it was named."""
    kind = kind_by_content(document, named)
    if kind == "html":
        article = cleaner.clean_html(document, url=url, encoding=encoding)
    else:
        text = document if isinstance(document, str) else decode_text(document, declared=encoding)
        article = cleaner.clean_text(text, url=url)
    if kind != named:
        article.notes.append(MISNAMED_NOTES[named])
    return article


def kind_by_content(document: str | bytes, named: str) -> str:
    """What to clean a document as. A text that opens with HTML markup is HTML: its tags would
    otherwise become body text. A page without a single tag is a text: as a page it would
    come out empty ("not an HTML page")."""
    if named == "html":
        return "html" if holds_markup(document) else "text"
    return "html" if isinstance(document, str) and opens_as_html(document) else "text"


def folder_sources(folder: Path, names: list[str]) -> Iterator[Source]:
    """The inputs among the file names of one folder, in name order, each resolved from
    that one listing: later pages (`story.p2.html`) go with their first page instead of
    being inputs, sidecars and urls.tsv are read only when present. Linear in the folder
    size, where a lookup per file (a glob for its later pages) made a walk quadratic."""
    present = set(names)
    later: dict[tuple[str, str], list[tuple[int, str]]] = {}
    for name in names:
        suffix, found = input_suffix(Path(name)), continuation_of(Path(name))
        if suffix and found and name.endswith(suffix):
            later.setdefault((found[0], suffix), []).append((found[1], name))
    listed_urls = _urls_file(folder) if URLS_FILE in present else {}
    for name in sorted(names):
        path = Path(folder, name)
        suffix = input_suffix(path)
        if name.startswith(".") or suffix is None:
            continue
        found = continuation_of(path)
        if found and found[0] + suffix in present:  # a later page: cleaned with its first
            continue
        stem = stem_of(path)
        numbered = sorted(later.get((stem, suffix), [])) if is_html(path) else []
        pages = tuple(Path(folder, page) for _, page in numbered)
        url = _sidecar(path, ".url") if stem + ".url" in present else None
        charset = _sidecar(path, ".charset") if stem + ".charset" in present else None
        yield Source(path, pages=pages, url=url or listed_urls.get(name), charset=charset)
