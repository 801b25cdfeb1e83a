"""The cleaner's result: one Article per document."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

RemovalKind = Literal["line", "span", "cut", "element"]
Status = Literal["ok", "empty"]  # "empty": no body text survived
# How the body was found: the text as given, the site's body selector, or generic extraction,
# named after the extractor candidate it took when not the first ("generic-recall", ...).
ExtractionMethod = Literal[
    "text",
    "site-selector",
    "generic",
    "generic-readability",
    "generic-recall",
    "generic-balanced",
    "generic-prose-baseline",
]


@dataclass(frozen=True, slots=True)
class Removal:
    """One piece of input the cleaner dropped, and the rule that dropped it."""

    rule: str
    text: str
    kind: RemovalKind = "line"
    line: int | None = None  # index of the input line it came from (text path)
    selector: str | None = None  # the CSS/XPath selector that matched (HTML path)


# A record of `cleaner clean` is {"input": ..., **Article.to_dict()}; cleaner/spark/schema.py
# derives the Spark StructType of that record from these dataclasses' type hints. The
# metadata fields (title ... image_credits) are those of cleaner.metadata.Metadata, in its
# order (a test holds them equal); Metadata says where each comes from.
@dataclass(slots=True)
class Article:
    text: str = ""
    paragraphs: list[str] = field(default_factory=list)
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    editors: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    published: str | None = None
    dateline: str | None = None
    site: str | None = None
    original_publisher: str | None = None
    image_credits: list[str] = field(default_factory=list)
    url: str | None = None
    status: Status = "ok"
    extraction: ExtractionMethod = "text"
    removed: list[Removal] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # e.g. a site body selector that stopped matching
    found_by: dict[str, str] = field(default_factory=dict)  # metadata field -> rule id that found it

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict with a stable key order."""
        return asdict(self)
