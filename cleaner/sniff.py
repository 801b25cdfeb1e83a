"""What a document is, from its first bytes, when its name or its Content-Type says little.

- A body served without a type: WHATWG MIME sniffing, the part a page cleaner needs
  (sniff_html, sniff_type). Shared by the fetcher and the WARC reader, which both meet
  servers that declare nothing.
- A document under the other kind's name (a page saved as .txt, a JSONL text field holding
  an article's HTML, a text saved as .html): opens_as_html and holds_markup, which
  cleaner.inputs.kind_by_content asks. They read more openings than WHATWG lists (a CMS
  export starts with <strong> or <span>), and text rather than bytes.
"""

from __future__ import annotations

import re

from .decode import BOMS, looks_binary

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
# A text that opens as an HTML page or fragment: a tag an HTML element is named by.
HTML_OPENING = re.compile(
    r"\ufeff?\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|(?:"
    r"html|head|body|article|main|section|div|p|h[1-6]|header|nav|figure|table|ul|ol|blockquote"
    r"|span|strong|b|em|i|a|img|br)[\s/>])",
    re.IGNORECASE | re.DOTALL,
)
MARKUP = re.compile(r"<[A-Za-z!/?]")  # a tag, comment, doctype or processing instruction
SNIFF_CHARS = 65536
WIDE_BOMS = tuple(bom for bom, codec in BOMS if codec != "utf-8-sig")  # UTF-16/32: "<" is not one byte


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


def opens_as_html(text: str) -> bool:
    """Whether a text opens as an HTML page or fragment does ("<!DOCTYPE html", "<html",
    "<p>", "<div class=...>"): with a tag an HTML element is named by, not just any "<"."""
    return HTML_OPENING.match(text[:SNIFF_CHARS]) is not None


def holds_markup(page: str | bytes) -> bool:
    """Whether a page has a tag in its first 64K characters. Binary data and UTF-16/32 pages
    count as markup: clean_html refuses or decodes them (the binary test runs only when no
    tag was found: clean_html makes it again)."""
    if isinstance(page, bytes):
        if page.startswith(WIDE_BOMS):
            return True
        head = page[:SNIFF_CHARS].decode("latin-1")  # the markup characters are ASCII
    else:
        head = page[:SNIFF_CHARS]
    if MARKUP.search(head) or not head.strip():
        return True
    return isinstance(page, bytes) and looks_binary(page)
