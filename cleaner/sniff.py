"""What a body is when its Content-Type says little: WHATWG MIME sniffing, the part a page
cleaner needs. Shared by the fetcher and the WARC reader, which both meet servers that
declare nothing."""

from __future__ import annotations

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# Content types that say nothing: the body is sniffed (WHATWG MIME sniffing lists these).
UNKNOWN_TYPES = frozenset({"", "application/octet-stream", "application/unknown", "unknown/unknown", "*/*"})
SNIFF_BYTES = 1024
# The tags that identify a page as HTML when nothing is declared.
HTML_OPENINGS = (
    b"<!doctype html", b"<html", b"<head", b"<script", b"<iframe", b"<h1", b"<div", b"<font",
    b"<table", b"<a", b"<style", b"<title", b"<b", b"<body", b"<br", b"<p", b"<!--",
)  # fmt: skip
TAG_END = (b" ", b">", b"\t", b"\n", b"\r", b"\x0c")
SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"PK\x03\x04", "application/zip"),
    (b"\x1f\x8b", "application/gzip"),
)


def media_type(content_type: str | None) -> str:
    """The media type of a Content-Type header, lower-cased ("text/html; charset=utf-8" ->
    "text/html"); "" when there is none."""
    return (content_type or "").split(";")[0].strip().lower()


def sniff_html(data: bytes) -> bool:
    """Whether undeclared bytes open like an HTML page (after a BOM and whitespace)."""
    head = data[:SNIFF_BYTES].removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n\x0c").lower()
    if head.startswith(b"<?xml"):  # XHTML served without a type
        return b"<html" in head
    return any(
        head.startswith(opening) and head[len(opening) : len(opening) + 1] in TAG_END
        for opening in HTML_OPENINGS
    )


def sniff_type(data: bytes) -> str | None:
    """The media type of a few common non-HTML formats, from their first bytes."""
    return next((kind for magic, kind in SIGNATURES if data.startswith(magic)), None)
