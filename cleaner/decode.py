"""Bytes to text, with a precise reason when an input cannot be cleaned."""

from __future__ import annotations

import codecs
from pathlib import Path

from charset_normalizer import from_bytes

from .errors import InputError

MAX_BYTES = 50 * 1024 * 1024
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
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(f"too large: {size} bytes (limit {max_bytes})", path=str(path))
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"unreadable: {exc.strerror or exc}", path=str(path)) from exc
    if not data.strip():
        raise InputError("empty", path=str(path))
    return data


def decode_text(data: bytes, *, path: str | None = None, declared: str | None = None) -> str:
    """UTF-8 first (what nearly every scraper writes), then a BOM, a declared encoding,
    then detection. Binary data and text that no encoding explains are refused."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    if _looks_binary(data):
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
    best = from_bytes(data).best()
    if best is None:
        raise InputError("undecodable: no text encoding fits these bytes", path=path)
    return str(best)


def read_text(path: Path, *, max_bytes: int = MAX_BYTES) -> str:
    text = decode_text(read_bytes(path, max_bytes=max_bytes), path=str(path))
    if not text.strip():
        raise InputError("empty", path=str(path))
    return text


def _looks_binary(data: bytes) -> bool:
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
