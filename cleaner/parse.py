"""Text of a page to an lxml tree: trafilatura's loader, without libxml2's depth limit.

libxml2 stops parsing at 256 nested elements unless told otherwise (XML_PARSE_HUGE), and
what follows is silently lost: a page whose article sits inside 256 wrappers came out
empty. With huge_tree the limit is 2048; a page deeper than that is kept as far as it was
parsed and a note says so.
"""

from __future__ import annotations

import logging
import re
import threading

from lxml import etree
from lxml.html import HtmlComment, HtmlElement, HTMLParser, HtmlProcessingInstruction, fromstring
from trafilatura.utils import DOCTYPE_TAG, FAULTY_HTML, is_dubious_html, repair_faulty_html

logger = logging.getLogger(__name__)

DEPTH_NOTE = "the page nests elements deeper than the parser allows (2048): text after that point is lost"
HTML_TAG = re.compile(r"<html[\s>]", re.IGNORECASE)
# What trafilatura's INVALID_XML_CHARS matches, as characters
XML_INVALID = "".join(map(chr, [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF]))
_local = threading.local()  # an lxml parser is not safe to share between threads


def _parser() -> HTMLParser:
    if not hasattr(_local, "parser"):
        # trafilatura's own parser settings, plus huge_tree
        parser = HTMLParser(  # type: ignore[call-arg]  # lxml-stubs lack default_doctype
            collect_ids=False,
            default_doctype=False,
            encoding="utf-8",
            remove_comments=True,
            remove_pis=True,
            huge_tree=True,
        )
        # Every element an HtmlElement, looked up in C: lxml.html's own lookup calls Python for
        # each element touched (special classes for form fields, which nothing here uses), a
        # few percent of clean_html's time.
        lookup = etree.ElementDefaultClassLookup(
            element=HtmlElement, comment=HtmlComment, pi=HtmlProcessingInstruction
        )
        parser.set_element_class_lookup(lookup)
        _local.parser = parser
    return _local.parser  # type: ignore[no-any-return]


def load_page(text: str) -> tuple[HtmlElement | None, str | None]:
    """The page's tree (None when it is not HTML) and a note when the parser gave up early.
    Follows trafilatura.utils.load_html for text input, with the deep-tree parser. That loader
    takes markup without "html" in its first 50 characters and a single top element (a saved
    `<body><article>...`, a `<div>` fragment) for "not HTML"; given the <html> tag a browser
    would imply, lxml reads it like any page."""
    text = text.lstrip()
    if not text:
        return None, None
    if text.startswith("<") and not HTML_TAG.search(text[:4096]):
        text = "<html>" + text
    beginning = text[:50].lower()
    text = _repair(text, beginning)
    parser = _parser()
    tree = _parse(text, parser)
    if tree is None or len(tree) < 1:
        tree = _parse(text.encode("utf8", "surrogatepass"), parser)
    too_deep = any(e.type_name == "ERR_RESOURCE_LIMIT" for e in parser.error_log)
    if tree is not None and is_dubious_html(beginning) and len(tree) < 2:
        tree = None
    return tree, DEPTH_NOTE if tree is not None and too_deep else None


def _repair(text: str, beginning: str) -> str:
    """trafilatura's repair_faulty_html. It starts by deleting the characters XML forbids, a
    regex scan of the whole page (1.6 ms on the benchmark pages' 240,000 characters on average)
    that finds none on nearly every page. Looking for each with `in` takes a quarter of that,
    so without one the rest of the repair runs alone: its two fixes of the page's first lines."""
    if any(char in text for char in XML_INVALID):
        return repair_faulty_html(text, beginning)
    if "doctype" in beginning:  # libxml2/lxml bug 1955915: a DOCTYPE with a slash
        first, _, rest = text.partition("\n")
        text = DOCTYPE_TAG.sub("", first, count=1) + "\n" + rest
    for line in text[:4096].splitlines()[:4]:  # a self-closing <html/> in the first lines
        if "<html" in line and line.endswith("/>"):
            return FAULTY_HTML.sub(r"\1>", text, count=1)
    return text


def _parse(page: str | bytes, parser: HTMLParser) -> HtmlElement | None:
    try:
        return fromstring(page, parser=parser)
    except ValueError:  # "Unicode strings with encoding declaration are not supported"
        return None
    except Exception as exc:  # lxml refuses some inputs outright; trafilatura logs and goes on too
        logger.debug("lxml could not parse the page: %s", exc)
        return None
