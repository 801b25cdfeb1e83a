"""Human-readable account of what the cleaner did to one document and why."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from .models import Article, Removal
from .textrules import normalise_space

RED, GREEN, DIM, BOLD, RESET = "\033[31m", "\033[32m", "\033[2m", "\033[1m", "\033[0m"
METADATA_FIELDS = (
    "title", "site", "published", "dateline", "authors", "editors", "sources",
    "original_publisher", "image_credits",
)  # fmt: skip


def render_explain(text: str, article: Article, *, color: bool = False) -> str:
    """The input line by line: '-' removed (with the rule id), '~' trimmed (removed spans
    shown in [- -]), ' ' kept as is; then the metadata with the rule that found each field."""
    paint = _painter(color)
    by_line: dict[int, list[Removal]] = defaultdict(list)
    for removal in article.removed:
        if removal.line is not None:
            by_line[removal.line].append(removal)
    out = [paint(BOLD, "Input, line by line")]
    for index, raw in enumerate(text.splitlines()):
        line = normalise_space(raw)
        if line:
            out.append(_render_line(index, line, by_line.get(index, []), paint))
    unplaced = [r for r in article.removed if r.line is None]
    if unplaced:
        out += ["", paint(BOLD, "Removed elsewhere")]
        out += [f"- {paint(RED, _preview(r.text))}  {paint(DIM, f'[{r.rule}] ({r.kind})')}" for r in unplaced]
    out += ["", paint(BOLD, "Metadata")]
    record = article.to_dict()
    for field in METADATA_FIELDS:
        value = record[field]
        if value:
            shown = ", ".join(value) if isinstance(value, list) else value
            rule = article.found_by.get(field, "?")
            out.append(f"  {field}: {shown}  {paint(DIM, f'[{rule}]')}")
    out.append(f"  status: {article.status}, {len(article.paragraphs)} paragraphs")
    return "\n".join(out)


Paint = Callable[[str, str], str]


def _render_line(index: int, line: str, removals: list[Removal], paint: Paint) -> str:
    number = paint(DIM, f"{index + 1:>4} ")
    whole = next((r for r in removals if r.kind in ("line", "cut")), None)
    if whole:
        return f"{number}- {paint(RED, line)}  {paint(DIM, f'[{whole.rule}]')}"
    if not removals:
        return f"{number}  {line}"
    marked = line
    for removal in removals:
        tag = paint(RED, f"[-{removal.text}-]") + paint(DIM, f"{{{removal.rule}}}")
        marked = marked.replace(removal.text, tag, 1)
    return f"{number}~ {marked}"


def _preview(text: str, width: int = 100) -> str:
    text = normalise_space(text)
    return text if len(text) <= width else text[: width - 1] + "…"


def _painter(color: bool) -> Paint:
    def paint(code: str, text: str) -> str:
        return f"{code}{text}{RESET}" if color else text

    return paint
