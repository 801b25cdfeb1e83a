"""Bytes to text, with a precise reason when an input cannot be cleaned."""

from __future__ import annotations

import codecs
import os
import re
import stat
from pathlib import Path

from charset_normalizer import from_bytes

from .errors import InputError

MAX_BYTES = 50 * 1024 * 1024
NOT_REGULAR = "not a regular file (a device, a pipe or a socket)"
BINARY_SNIFF = 8192
CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27))
BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def read_bytes(path: Path, *, max_bytes: int = MAX_BYTES) -> bytes:
    """A regular file's bytes, at most max_bytes. A name may stand for a device, a pipe or a
    socket (a link to /dev/zero, a FIFO): opened without blocking and refused, never read
    without end."""
    try:
        with open(os.open(path, os.O_RDONLY | os.O_NONBLOCK), "rb") as fh:  # noqa: PTH123  # from a descriptor
            info = os.fstat(fh.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise InputError(NOT_REGULAR, path=str(path))
            if info.st_size > max_bytes:
                raise InputError(f"too large: {info.st_size} bytes (limit {max_bytes})", path=str(path))
            data = fh.read(max_bytes + 1)  # the file may grow while it is read
    except OSError as exc:
        raise InputError(f"unreadable: {exc.strerror or exc}", path=str(path)) from exc
    if len(data) > max_bytes:
        raise InputError(f"too large: over {max_bytes} bytes", path=str(path))
    if not data.strip():
        raise InputError("empty", path=str(path))
    return data


def decode_text(data: bytes, *, path: str | None = None, declared: str | None = None) -> str:
    """A BOM first, then UTF-8 (what nearly every scraper writes), a declared encoding,
    UTF-8 with a few broken bytes, then detection. Binary data and text that no encoding
    explains are refused."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    if looks_binary(data):
        raise InputError("binary data, not text", path=path)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if declared:
        try:
            return data.decode(_python_codec(declared))
        except (LookupError, UnicodeDecodeError):
            pass
    if (text := _mostly_utf8(data)) is not None:
        return text
    best = from_bytes(data).best()
    if best is None:
        raise InputError("undecodable: no text encoding fits these bytes", path=path)
    return str(best)


def without_lone_surrogates(text: str) -> str:
    """`text` with each lone UTF-16 surrogate as U+FFFD, the character decoding puts for a bad
    byte. JSON gives one for an escape cut from its pair ("\\ud83d" of an emoji), in a JSONL
    document or a page's JSON-LD; no UTF-8 writer takes it, so a record holding one is lost."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return text


def read_text(path: Path, *, max_bytes: int = MAX_BYTES) -> str:
    text = decode_text(read_bytes(path, max_bytes=max_bytes), path=str(path))
    if not text.strip():
        raise InputError("empty", path=str(path))
    return text


def looks_binary(data: bytes) -> bool:
    head = data[:BINARY_SNIFF]
    if b"\x00" in head:
        return True
    controls = sum(head.count(bytes([b])) for b in CONTROL_BYTES)
    return controls > len(head) * 0.05


def _python_codec(name: str) -> str:
    name = name.strip().strip("\"'").lower()
    # Browsers read latin-1 and ascii labels as windows-1252 (WHATWG encoding standard).
    if name in {"iso-8859-1", "latin-1", "latin1", "us-ascii", "ascii", "iso8859-1"}:
        return "cp1252"
    return codecs.lookup(name).name


META_CHARSET = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_:.+-]+)""",
    re.IGNORECASE,
)
WIDE_UNICODE = ("utf-16", "utf-32")  # codecs.lookup names: "utf-16", "utf-16-le", "utf-32-be", ...
LATIN_FAMILIES = (
    "cp1250",
    "cp1252",
    "cp1254",
    "cp1257",
    "iso8859_1",
    "iso8859_2",
    "iso8859_15",
    "latin",
    "mac_",
    "ascii",
)


def sniff_meta_charset(data: bytes) -> str | None:
    """The charset a page declares in <meta charset> or http-equiv Content-Type, if any."""
    match = META_CHARSET.search(data[:4096])
    return match.group(1).decode("ascii") if match else None


def decode_html(data: bytes, *, declared: str | None = None, path: str | None = None) -> str:
    """Bytes of a page to text: BOM, then valid non-ASCII UTF-8, then the HTTP header's
    charset (`declared`), then <meta charset>, then UTF-8 with a few broken bytes, then detection. Binary data
    is refused; bad bytes in otherwise readable pages never are: they become U+FFFD."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    if looks_binary(data):
        raise InputError("binary data, not HTML", path=path)
    try:
        utf8: str | None = data.decode("utf-8")
    except UnicodeDecodeError:
        utf8 = None
    if utf8 is not None and not utf8.isascii():
        # Valid UTF-8 with characters beyond ASCII is UTF-8, whatever a label says: a legacy
        # code page's text is almost never valid UTF-8, and a site that declares ISO-8859-1
        # while it serves UTF-8 would otherwise come out as mojibake ("Kafé" as "KafÃ©").
        return utf8
    for label in (declared, sniff_meta_charset(data)):
        codec = _codec_or_none(label)
        if codec and codec.startswith(WIDE_UNICODE):
            # Bytes without a BOM and without NULs (those were refused as binary above) are not
            # UTF-16 or UTF-32, whatever the page says; browsers read such a label as UTF-8.
            codec = "utf-8"
        if codec:
            try:
                return data.decode(codec)
            except UnicodeDecodeError:
                if codec == "utf-8":  # a page that says UTF-8 and mostly is: keep it, mark the bad bytes
                    return data.decode(codec, errors="replace")
    if utf8 is not None:
        return utf8
    if (text := _mostly_utf8(data)) is not None:
        return text
    return data.decode(_detect(data), errors="replace")


def _mostly_utf8(data: bytes) -> str | None:
    """UTF-8 with a few broken bytes (a truncated download, a bad copy), decoded with each
    bad byte marked U+FFFD; None when the bytes are not mostly UTF-8. A legacy code page
    would turn every accented letter and curly quote of such a text into mojibake. The
    evidence: its valid multi-byte characters are at least as many as its bad bytes."""
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - data.count("\ufffd".encode())
    multibyte = sum(1 for char in text if char > "\x7f") - bad
    return text if multibyte >= max(bad, 1) else None


def _detect(data: bytes) -> str:
    """Detection for undeclared non-UTF-8 pages. Latin-script guesses are unreliable on short
    pages, and the web's default for them is windows-1252; trust the detector for other scripts."""
    best = from_bytes(data[:200_000]).best()
    if best is None or best.encoding.startswith(LATIN_FAMILIES):
        return "cp1252"
    return best.encoding


def _codec_or_none(label: str | None) -> str | None:
    if not label:
        return None
    try:
        return _python_codec(label)
    except LookupError:
        return None
