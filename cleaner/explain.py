"""Human-readable account of what the cleaner did to one document and why."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from .metadata import FIELDS
from .models import Article, Removal
from .textrules import normalise_space

RED, DIM, BOLD, RESET = "\033[31m", "\033[2m", "\033[1m", "\033[0m"
Paint = Callable[[str, str], str]


def render_explain(text: str, article: Article, *, color: bool = False) -> str:
    """The input line by line: '-' removed (with the rule id), '~' trimmed (removed spans
    shown in [- -]), ' ' kept as is; then the metadata with the rule that found each field."""
    paint = _painter(color)
    out = [f"note: {note}" for note in article.notes]
    out += [paint(BOLD, "Input, line by line"), *_render_lines(text.splitlines(), article, paint)]
    return "\n".join(out + _render_metadata(article, paint))


def render_explain_html(lines: list[str], article: Article, *, color: bool = False) -> str:
    """For a page: how the body was found, the elements removed before extraction (rule,
    selector, text preview), then the extracted lines as render_explain shows text."""
    paint = _painter(color)
    site_selector = article.extraction == "site-selector"
    out = [paint(BOLD, "Body from: ") + ("site body selector" if site_selector else "generic extraction")]
    out += [f"  note: {note}" for note in article.notes]
    elements = [r for r in article.removed if r.kind == "element"]
    out += ["", paint(BOLD, f"Removed elements ({len(elements)})")]
    for r in elements:
        out.append(f"- {paint(DIM, f'[{r.rule}]')} {r.selector}: {paint(RED, _preview(r.text))}")
    out += ["", paint(BOLD, "Extracted lines"), *_render_lines(lines, article, paint)]
    return "\n".join(out + _render_metadata(article, paint))


def _render_lines(lines: list[str], article: Article, paint: Paint) -> list[str]:
    by_line: dict[int, list[Removal]] = defaultdict(list)
    for removal in article.removed:
        if removal.line is not None:
            by_line[removal.line].append(removal)
    return [
        _render_line(index, line, by_line.get(index, []), paint)
        for index, raw in enumerate(lines)
        if (line := normalise_space(raw))
    ]


def _render_metadata(article: Article, paint: Paint) -> list[str]:
    out = ["", paint(BOLD, "Metadata")]
    for field in FIELDS:
        value = getattr(article, field)
        if value:
            shown = ", ".join(value) if isinstance(value, list) else value
            rule = article.found_by.get(field, "?")
            out.append(f"  {field}: {shown}  {paint(DIM, f'[{rule}]')}")
    out.append(f"  status: {article.status}, {len(article.paragraphs)} paragraphs")
    return out


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
