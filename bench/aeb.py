"""Article-body benchmark: the cleaner next to trafilatura and readability, on real pages.

One run scores every extractor on every benchmark set found (default: ``aeb-dev`` and
``wcxb-dev-article`` under ``../shared/benchmarks``), each with the set's own metric, and
times it. Extractors are interleaved page by page (their order rotates from page to page), so
noise on a shared machine falls on all of them alike.

AEB metric (``aeb-dev``), per page: tokenise prediction and truth with the regex ``\\w+``
(Unicode), count their 4-token shingles, TP = sum over shingles of min(pred count, true count),
FP = pred shingles - TP, FN = true shingles - TP; TP/FP/FN are normalised to sum to 1 and
precision = TP / (TP + FP), recall = TP / (TP + FN). Pages without shingles (texts under 4
tokens): both sides empty -> (1, 1); empty prediction -> (0, 0); empty truth -> (0, 1). The
reported precision and recall are the means over pages and F1 is 2PR / (P + R) of those means.

WCXB metric (a set whose truth has ``with``/``without`` snippets), per page: word precision,
recall and F1 between lower-cased ``\\w+`` tokens as multisets (empty truth: 1 if the prediction
is empty too, else 0; empty prediction: 0), averaged over pages; plus the mean share of
``with`` snippets found and of ``without`` snippets leaked (lower-cased substring test).

Reported per set and extractor: F1, precision, recall (and with/without for WCXB), the number
of empty results (no word at all; for WCXB also those where the truth has 500+ characters),
exceptions, and pages/s over the extraction calls only (pages are decompressed first; with
``--rounds N`` each page's fastest call counts). For the cleaner it also counts which
extraction path produced each body (``Article.extraction``).

Usage::

    make bench
    .venv/bin/python bench/aeb.py [--sets aeb-dev,wcxb-dev-article] [--data DIR]...
                                  [--extractors cleaner,trafilatura,...] [--rounds N]
                                  [--per-page FILE.tsv] [--worst N]

Missing data is not an error: the benchmark says so and exits 0. Any folder with
``ground-truth.json`` (``{key: {"articleBody": str, "url": str, ...}}``) and
``html/<key>.html.gz`` works with ``--data``.
"""

from __future__ import annotations

import argparse
import gzip
import importlib
import json
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCHMARKS = REPO.parent / "shared" / "benchmarks"
DEFAULT_SETS = ("aeb-dev", "wcxb-dev-article")
SHINGLE_SIZE = 4
REFERENCE = "trafilatura"
LONG_TRUTH_CHARS = 500  # WCXB: an empty result where the truth has this much text is a miss

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


def word_scores(pred: str, truth: str) -> tuple[float, float, float]:
    """WCXB: word precision, recall and F1 of one page (lower-cased tokens as multisets)."""
    pred_words, true_words = Counter(tokens(pred.lower())), Counter(tokens(truth.lower()))
    if not true_words:
        return (1.0, 1.0, 1.0) if not pred_words else (0.0, 0.0, 0.0)
    if not pred_words:
        return 0.0, 0.0, 0.0
    overlap = sum((pred_words & true_words).values())
    precision = overlap / sum(pred_words.values())
    recall = overlap / sum(true_words.values())
    return precision, recall, f1_score(precision, recall)


def snippet_share(text: str, snippets: Sequence[str]) -> float:
    """Share of the snippets found in the text (lower-cased substring), 1.0 when there are none."""
    if not snippets:
        return 1.0
    lowered = text.lower()
    return sum(1 for s in snippets if s.lower() in lowered) / len(snippets)


# --- data ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    key: str
    url: str
    html: bytes
    truth: str
    with_snippets: tuple[str, ...] = ()
    without_snippets: tuple[str, ...] = ()


@dataclass(frozen=True)
class BenchSet:
    name: str
    pages: list[Page]
    metric: str  # "aeb" (4-shingles) or "wcxb" (word F1 + snippets)


def load_pages(data_dir: Path) -> list[Page]:
    """All pages of ``data_dir``, decompressed into memory, in ground-truth order."""
    truth = json.loads((data_dir / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for key, item in truth.items():
        html = gzip.decompress((data_dir / "html" / f"{key}.html.gz").read_bytes())
        pages.append(
            Page(
                key,
                item.get("url", ""),
                html,
                item.get("articleBody", ""),
                tuple(item.get("with") or ()),
                tuple(item.get("without") or ()),
            )
        )
    return pages


def load_set(data_dir: Path) -> BenchSet:
    pages = load_pages(data_dir)
    metric = "wcxb" if any(p.with_snippets or p.without_snippets for p in pages) else "aeb"
    return BenchSet(data_dir.name, pages, metric)


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


CLEANER_PATHS: Counter[str] = Counter()  # Article.extraction of every cleaner call, by set


def make_cleaner() -> Extractor:
    try:
        cleaner = importlib.import_module("cleaner")
    except ImportError:
        sys.path.insert(0, str(REPO))
        try:
            cleaner = importlib.import_module("cleaner")
        except ImportError as exc:
            raise Unavailable(f"the cleaner package is not importable ({exc})") from exc
    instance = cleaner.Cleaner()

    def extract(html: bytes, url: str) -> str:
        article = instance.clean_html(html, url=url)
        CLEANER_PATHS[article.extraction] += 1
        if any(note.startswith("generic: ") for note in article.notes):
            CLEANER_PATHS["suspect: second candidate ran"] += 1
        return article.text or ""

    return extract


EXTRACTORS: dict[str, Callable[[], Extractor]] = {
    "cleaner": make_cleaner,
    "trafilatura": make_trafilatura,
    "trafilatura-precision": lambda: make_trafilatura(favor_precision=True),
    "readability": make_readability,
}


# --- running ------------------------------------------------------------------------------------


@dataclass
class Result:
    name: str
    predictions: list[str] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)  # per page, fastest round
    errors: list[str] = field(default_factory=list)
    paths: Counter[str] = field(default_factory=Counter)  # cleaner only: extraction path counts

    @property
    def pages_per_second(self) -> float:
        total = sum(self.seconds)
        return len(self.seconds) / total if total else float("inf")


def timed_call(extract: Extractor, page: Page) -> tuple[str, float, str | None]:
    start = time.perf_counter()
    try:
        text = extract(page.html, page.url)
        error = None
    except Exception as exc:  # a crash scores as an empty prediction and is reported
        text, error = "", f"{page.key}: {type(exc).__name__}: {exc}"
    return text, time.perf_counter() - start, error


def run_set(extractors: dict[str, Extractor], bench: BenchSet, rounds: int) -> list[Result]:
    """Every page through every extractor before the next page; the extractors' order rotates
    from page to page, so neither warm caches nor machine noise favour one of them."""
    names = list(extractors)
    results = {name: Result(name) for name in names}
    for name in names:  # warm-up: imports and lazy initialisation are not timed
        timed_call(extractors[name], bench.pages[0])
    CLEANER_PATHS.clear()
    for index, page in enumerate(bench.pages):
        order = names[index % len(names) :] + names[: index % len(names)]
        for name in order:
            text, seconds, error = timed_call(extractors[name], page)
            for _ in range(rounds - 1):
                seconds = min(seconds, timed_call(extractors[name], page)[1])
            result = results[name]
            result.predictions.append(text)
            result.seconds.append(seconds)
            if error:
                result.errors.append(error)
    if "cleaner" in results:
        results["cleaner"].paths = Counter({k: v // rounds for k, v in CLEANER_PATHS.items()})
    return [results[name] for name in names]


# --- scores -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scores:
    f1: float
    precision: float
    recall: float
    with_share: float | None  # WCXB only
    without_share: float | None
    empty: int  # results without a single word
    empty_long: int  # WCXB: empty where the truth has LONG_TRUTH_CHARS+ characters
    per_page: list[float]  # F1 per page


def score(bench: BenchSet, predictions: Sequence[str]) -> Scores:
    pairs = list(zip(bench.pages, predictions, strict=True))
    empty = [not tokens(pred) for _, pred in pairs]
    empty_long = sum(
        1 for (page, _), e in zip(pairs, empty, strict=True) if e and len(page.truth) >= LONG_TRUTH_CHARS
    )
    if bench.metric == "aeb":
        page_pr = [page_scores(pred, page.truth) for page, pred in pairs]
        precision, recall, f1 = aggregate(page_pr)
        return Scores(f1, precision, recall, None, None, sum(empty), 0, [f1_score(*s) for s in page_pr])
    words = [word_scores(pred, page.truth) for page, pred in pairs]
    return Scores(
        statistics.fmean(f for _, _, f in words),
        statistics.fmean(p for p, _, _ in words),
        statistics.fmean(r for _, r, _ in words),
        statistics.fmean(snippet_share(pred, page.with_snippets) for page, pred in pairs),
        statistics.fmean(snippet_share(pred, page.without_snippets) for page, pred in pairs),
        sum(empty),
        empty_long,
        [f for _, _, f in words],
    )


def format_table(bench: BenchSet, results: Sequence[Result]) -> str:
    reference = next((r for r in results if r.name == REFERENCE), None)
    width = max([len("extractor"), *(len(r.name) for r in results)])
    metric = "AEB 4-shingle F1" if bench.metric == "aeb" else "WCXB word F1"
    rows = [
        f"{bench.name}: {len(bench.pages)} pages, {metric}",
        f"{'extractor':<{width}}  {'F1':>6}  {'prec':>6}  {'recall':>6}  {'with':>6}  {'w/out':>6}"
        f"  {'empty':>5}  {'empty500':>8}  {'errors':>6}  {'pages/s':>7}  {'vs ' + REFERENCE:>15}",
    ]
    for r in results:
        s = score(bench, r.predictions)
        relative = f"{r.pages_per_second / reference.pages_per_second:.2f}" if reference else "-"
        with_share = f"{s.with_share:.3f}" if s.with_share is not None else "-"
        without_share = f"{s.without_share:.3f}" if s.without_share is not None else "-"
        empty_long = str(s.empty_long) if bench.metric == "wcxb" else "-"
        rows.append(
            f"{r.name:<{width}}  {s.f1:>6.3f}  {s.precision:>6.3f}  {s.recall:>6.3f}  {with_share:>6}"
            f"  {without_share:>6}  {s.empty:>5}  {empty_long:>8}  {len(r.errors):>6}"
            f"  {r.pages_per_second:>7.1f}  {relative:>15}"
        )
    return "\n".join(rows)


def notes_for(result: Result) -> list[str]:
    notes = []
    if result.errors:
        notes.append(f"{result.name}: {len(result.errors)} page(s) raised, first: {result.errors[0]}")
    if result.paths:
        total = len(result.predictions)
        shown = ", ".join(f"{k} {v} ({v / total:.0%})" for k, v in result.paths.most_common())
        notes.append(f"{result.name}: extraction paths: {shown}")
    return notes


def write_per_page(path: Path, sets: Sequence[tuple[BenchSet, list[Result]]]) -> None:
    lines = ["set\tkey\textractor\tf1"]
    for bench, results in sets:
        for r in results:
            for page, f1 in zip(bench.pages, score(bench, r.predictions).per_page, strict=True):
                lines.append(f"{bench.name}\t{page.key}\t{r.name}\t{f1:.4f}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def format_worst(n: int, bench: BenchSet, result: Result) -> str:
    per_page = score(bench, result.predictions).per_page
    ranked = sorted(zip(bench.pages, per_page, strict=True), key=lambda item: item[1])[:n]
    rows = [f"worst {len(ranked)} page(s) of {bench.name} by F1 for {result.name}:"]
    rows += [f"{f1:6.3f}  {page.key[:16]}  {page.url}" for page, f1 in ranked]
    return "\n".join(rows)


# --- command line -------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sets",
        default=",".join(DEFAULT_SETS),
        help=f"comma-separated set names under {BENCHMARKS} (default: {','.join(DEFAULT_SETS)})",
    )
    parser.add_argument(
        "--data", type=Path, action="append", help="a benchmark folder (repeatable); replaces --sets"
    )
    parser.add_argument(
        "--extractors",
        default=",".join(EXTRACTORS),
        help=f"comma-separated, from: {', '.join(EXTRACTORS)} (default: all available)",
    )
    parser.add_argument("--per-page", type=Path, metavar="FILE.tsv", help="write per-page F1")
    parser.add_argument("--worst", type=int, default=0, metavar="N", help="print the N worst pages by F1")
    parser.add_argument(
        "--rounds", type=int, default=1, metavar="N", help="calls per page and extractor; the fastest counts"
    )
    args = parser.parse_args(argv)
    args.names = [name.strip() for name in args.extractors.split(",") if name.strip()]
    unknown = [name for name in args.names if name not in EXTRACTORS]
    if unknown or not args.names:
        given = ", ".join(unknown) or "(none given)"
        parser.error(f"unknown extractor(s) {given}; choose from {', '.join(EXTRACTORS)}")
    for folder in args.data or []:
        if not (folder / "ground-truth.json").is_file():
            parser.error(f"{folder} has no ground-truth.json")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    folders = args.data or [BENCHMARKS / name.strip() for name in args.sets.split(",") if name.strip()]
    present = [f for f in folders if (f / "ground-truth.json").is_file()]
    for missing in sorted(set(folders) - set(present)):
        print(f"aeb: benchmark data not found at {missing}; skipping it (optional data)")
    if not present:
        return 0
    extractors: dict[str, Extractor] = {}
    for name in args.names:
        try:
            extractors[name] = EXTRACTORS[name]()
        except Unavailable as exc:
            print(f"note: {name}: skipped, {exc}")
    done = []
    for folder in present:
        bench = load_set(folder)
        if not bench.pages:
            print(f"aeb: no pages in {folder}")
            continue
        results = run_set(extractors, bench, args.rounds)
        done.append((bench, results))
        print(format_table(bench, results))
        for result in results:
            for note in notes_for(result):
                print(f"note: {note}")
        if args.worst > 0 and results:
            target = next((r for r in results if r.name == "cleaner"), results[0])
            print(format_worst(args.worst, bench, target))
        print()
    if args.per_page and done:
        write_per_page(args.per_page, done)
        print(f"per-page scores written to {args.per_page}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
