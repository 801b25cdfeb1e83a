"""Article-body extraction benchmark on the public "article extraction benchmark" (AEB) data.

Scores each extractor with the AEB metric and times it, printing the extractors side by side.

Metric, per page: tokenise prediction and truth with the regex ``\\w+`` (Unicode), count their
4-token shingles (tuples of 4 consecutive tokens), TP = sum over shingles of min(pred count, true
count), FP = pred shingles - TP, FN = true shingles - TP; TP/FP/FN are normalised to sum to 1 and
precision = TP / (TP + FP), recall = TP / (TP + FN). Pages without shingles (texts under 4 tokens):
both sides empty -> (1, 1); empty prediction -> (0, 0); empty truth -> (0, 1). The reported
precision and recall are the means over pages and F1 is 2PR / (P + R) of those two means.

Timing: all pages are decompressed into memory first; each extractor is warmed up on one page,
then only its extraction calls are timed (one process), reported as pages per second. The
extractors run in turn for --rounds rounds (default 3) and each one's fastest round counts, so
that noise on a shared machine falls on all of them alike.

Usage::

    make bench
    .venv/bin/python bench/aeb.py [--data DIR] [--extractors trafilatura,readability,cleaner]
                                  [--per-page FILE.tsv] [--worst N]

The default data folder is ``../shared/benchmarks/aeb-dev`` next to the repo (optional data:
the benchmark exits 0 with a message if it is missing). Any folder with ``ground-truth.json``
(``{key: {"articleBody": str, "url": str}}``) and ``html/<key>.html.gz`` works with ``--data``.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import gzip
import importlib
import json
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO.parent / "shared" / "benchmarks" / "aeb-dev"
SHINGLE_SIZE = 4
REFERENCE = "trafilatura"

_TOKEN_RE = re.compile(r"\w+")

Extractor = Callable[[bytes, str], str]


# --- metric -------------------------------------------------------------------------------------


def tokens(text: str) -> list[str]:
    return _TOKEN_RE.findall(text or "")


def shingles(text: str, size: int = SHINGLE_SIZE) -> Counter[tuple[str, ...]]:
    """Counts of the tuples of ``size`` consecutive ``\\w+`` tokens of ``text``."""
    toks = tokens(text)
    return Counter(tuple(toks[i : i + size]) for i in range(len(toks) - size + 1))


def page_scores(pred: str, truth: str) -> tuple[float, float]:
    """Precision and recall of one page's predicted body against its true body."""
    pred_sh, true_sh = shingles(pred), shingles(truth)
    if not pred_sh and not true_sh:
        return 1.0, 1.0
    if not pred_sh:
        return 0.0, 0.0
    if not true_sh:
        return 0.0, 1.0
    tp = sum((pred_sh & true_sh).values())
    fp = sum(pred_sh.values()) - tp
    fn = sum(true_sh.values()) - tp
    total = tp + fp + fn
    tp_n, fp_n, fn_n = tp / total, fp / total, fn / total
    return tp_n / (tp_n + fp_n), tp_n / (tp_n + fn_n)


def f1_score(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def aggregate(scores: Sequence[tuple[float, float]]) -> tuple[float, float, float]:
    """Mean precision, mean recall over pages and the F1 of those two means."""
    if not scores:
        raise ValueError("no pages to aggregate")
    precision = statistics.fmean(p for p, _ in scores)
    recall = statistics.fmean(r for _, r in scores)
    return precision, recall, f1_score(precision, recall)


# --- data ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    key: str
    url: str
    html: bytes
    truth: str


def load_pages(data_dir: Path) -> list[Page]:
    """All pages of ``data_dir``, decompressed into memory, in ground-truth order."""
    truth = json.loads((data_dir / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for key, item in truth.items():
        html = gzip.decompress((data_dir / "html" / f"{key}.html.gz").read_bytes())
        pages.append(Page(key, item.get("url", ""), html, item.get("articleBody", "")))
    return pages


# --- extractors ---------------------------------------------------------------------------------


class Unavailable(Exception):
    """An extractor that cannot run here; the message says why."""


def make_trafilatura(**options: bool) -> Extractor:
    import trafilatura

    def extract(html: bytes, url: str) -> str:
        return trafilatura.extract(html, url=url, **options) or ""

    return extract


_BLOCK_TAGS = (
    "p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd", "pre",
    "blockquote", "table", "tr", "td", "th", "section", "article", "header", "footer", "figure",
    "figcaption",
)  # fmt: skip


def html_to_text(markup: str) -> str:
    """Text of an HTML fragment, one line per block element, whitespace collapsed."""
    import lxml.html
    from lxml.etree import ParserError

    if not markup.strip():
        return ""
    try:
        root = lxml.html.fromstring(markup)
    except ParserError:
        return ""
    for el in root.iter(*_BLOCK_TAGS):
        el.tail = "\n" + (el.tail or "")
        if el.tag != "br":
            el.text = "\n" + (el.text or "")
    lines = (" ".join(line.split()) for line in root.text_content().splitlines())
    return "\n".join(line for line in lines if line)


def make_readability() -> Extractor:
    try:
        from readability import Document
    except ImportError as exc:
        raise Unavailable(f"readability-lxml is not importable ({exc})") from exc

    def extract(html: bytes, url: str) -> str:
        return html_to_text(Document(html).summary())

    return extract


def make_cleaner() -> Extractor:
    try:
        cleaner = importlib.import_module("cleaner")
    except ImportError:
        sys.path.insert(0, str(REPO))
        try:
            cleaner = importlib.import_module("cleaner")
        except ImportError as exc:
            raise Unavailable(f"the cleaner package is not importable ({exc})") from exc
    if not hasattr(cleaner, "clean_html"):
        raise Unavailable("cleaner.clean_html does not exist yet")
    instance = cleaner.Cleaner()
    clean_html = getattr(instance, "clean_html", None)
    if clean_html is None:
        raise Unavailable("cleaner.Cleaner has no clean_html method yet")

    def extract(html: bytes, url: str) -> str:
        return clean_html(html, url=url).text or ""

    return extract


EXTRACTORS: dict[str, Callable[[], Extractor]] = {
    "trafilatura": make_trafilatura,
    "trafilatura-precision": lambda: make_trafilatura(favor_precision=True),
    "readability": make_readability,
    "cleaner": make_cleaner,
}


# --- running ------------------------------------------------------------------------------------


@dataclass
class Result:
    name: str
    predictions: list[str]
    scores: list[tuple[float, float]]
    seconds: float
    errors: list[str]

    @property
    def pages_per_second(self) -> float:
        return len(self.predictions) / self.seconds if self.seconds else float("inf")


def extract_all(extract: Extractor, pages: Sequence[Page]) -> tuple[list[str], float, list[str]]:
    """Predictions for all pages, the seconds spent in the extraction calls, and errors."""
    predictions: list[str] = []
    errors: list[str] = []
    start = time.perf_counter()
    for page in pages:
        try:
            predictions.append(extract(page.html, page.url))
        except Exception as exc:  # a crash scores as an empty prediction, reported below the table
            predictions.append("")
            errors.append(f"{page.key}: {type(exc).__name__}: {exc}")
    return predictions, time.perf_counter() - start, errors


def run_extractor(name: str, extract: Extractor, pages: Sequence[Page]) -> Result:
    with contextlib.suppress(Exception):  # warm-up (imports, lazy init); extract_all records errors
        extract(pages[0].html, pages[0].url)
    predictions, seconds, errors = extract_all(extract, pages)
    scores = [page_scores(pred, page.truth) for pred, page in zip(predictions, pages, strict=True)]
    return Result(name, predictions, scores, seconds, errors)


def run_rounds(extractors: dict[str, Extractor], pages: Sequence[Page], rounds: int) -> list[Result]:
    """Every extractor once per round, in turn, keeping each one's fastest round: machine noise
    (another process, a frequency change) then hits all of them alike instead of one."""
    results = {name: run_extractor(name, extract, pages) for name, extract in extractors.items()}
    for _ in range(rounds - 1):
        for name, extract in extractors.items():
            _, seconds, _ = extract_all(extract, pages)
            if seconds < results[name].seconds:
                results[name] = dataclasses.replace(results[name], seconds=seconds)
    return list(results.values())


def format_table(results: Sequence[Result]) -> str:
    reference = next((r for r in results if r.name == REFERENCE), None)
    width = max([len("extractor"), *(len(r.name) for r in results)])
    rows = [
        f"{'extractor':<{width}}  {'F1':>6}  {'precision':>9}  {'recall':>6}  {'pages/s':>8}"
        f"  {'vs ' + REFERENCE:>15}"
    ]
    for r in results:
        precision, recall, f1 = aggregate(r.scores)
        relative = f"{r.pages_per_second / reference.pages_per_second:.2f}" if reference else "-"
        rows.append(
            f"{r.name:<{width}}  {f1:>6.3f}  {precision:>9.3f}  {recall:>6.3f}"
            f"  {r.pages_per_second:>8.1f}  {relative:>15}"
        )
    return "\n".join(rows)


def notes_for(result: Result) -> Iterable[str]:
    if result.errors:
        count = len(result.errors)
        yield f"{result.name}: {count} page(s) raised and scored as empty, first: {result.errors[0]}"
    empty = sum(1 for pred in result.predictions if not shingles(pred)) - len(result.errors)
    if empty:
        yield f"{result.name}: no text (under {SHINGLE_SIZE} tokens) on {empty} page(s), scored precision 0"


def write_per_page(path: Path, pages: Sequence[Page], results: Sequence[Result]) -> None:
    lines = ["key\textractor\tprecision\trecall"]
    for r in results:
        for page, (p, rc) in zip(pages, r.scores, strict=True):
            lines.append(f"{page.key}\t{r.name}\t{p:.4f}\t{rc:.4f}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def format_worst(n: int, pages: Sequence[Page], result: Result) -> str:
    ranked = sorted(zip(pages, result.scores, strict=True), key=lambda item: f1_score(*item[1]))[:n]
    rows = [f"worst {len(ranked)} page(s) by F1 for {result.name}:", "    F1   prec    rec  key / url"]
    for page, (p, r) in ranked:
        rows.append(f"{f1_score(p, r):6.3f} {p:6.3f} {r:6.3f}  {page.key[:16]}  {page.url}")
    return "\n".join(rows)


# --- command line -------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, help=f"benchmark folder (default: {DEFAULT_DATA})")
    parser.add_argument(
        "--extractors",
        default=",".join(EXTRACTORS),
        help=f"comma-separated, from: {', '.join(EXTRACTORS)} (default: all available)",
    )
    parser.add_argument("--per-page", type=Path, metavar="FILE.tsv", help="write per-page precision/recall")
    parser.add_argument("--worst", type=int, default=0, metavar="N", help="print the N worst pages by F1")
    parser.add_argument(
        "--rounds", type=int, default=3, metavar="N", help="timing rounds; each extractor's fastest counts"
    )
    args = parser.parse_args(argv)
    args.names = [name.strip() for name in args.extractors.split(",") if name.strip()]
    unknown = [name for name in args.names if name not in EXTRACTORS]
    if unknown or not args.names:
        given = ", ".join(unknown) or "(none given)"
        parser.error(f"unknown extractor(s) {given}; choose from {', '.join(EXTRACTORS)}")
    if args.data is not None and not (args.data / "ground-truth.json").is_file():
        parser.error(f"{args.data} has no ground-truth.json")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    data_dir = args.data or DEFAULT_DATA
    if args.data is None and not (data_dir / "ground-truth.json").is_file():
        print(f"aeb: benchmark data not found at {data_dir}; skipping (optional data, use --data DIR)")
        return 0
    pages = load_pages(data_dir)
    if not pages:
        print(f"aeb: no pages in {data_dir}")
        return 1
    print(f"aeb: {len(pages)} pages from {data_dir}")

    extractors: dict[str, Extractor] = {}
    notes: list[str] = []
    for name in args.names:
        try:
            extractors[name] = EXTRACTORS[name]()
        except Unavailable as exc:
            notes.append(f"{name}: skipped, {exc}")
    results = run_rounds(extractors, pages, args.rounds)
    for result in results:
        notes.extend(notes_for(result))

    if results:
        print(format_table(results))
    for note in notes:
        print(f"note: {note}")
    if args.per_page and results:
        write_per_page(args.per_page, pages, results)
        print(f"per-page scores written to {args.per_page}")
    if args.worst > 0 and results:
        target = next((r for r in results if r.name == "cleaner"), results[0])
        print(format_worst(args.worst, pages, target))
    return 0


if __name__ == "__main__":
    sys.exit(main())
