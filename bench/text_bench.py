"""Text-path benchmark: clean_text on real scraped text, beside doing nothing and clean_html.

For each set it scores, against the gold body and side by side in one run:
- ``identity``: the scraped text unchanged (a cleaner that scores below it made the text worse);
- ``clean_text`` on a whole-page dump (``naive_a``: the body's whole visible text, one text node
  a line: menus, sidebars, footers and the article) and on a paragraph dump (``naive_b``: every
  ``<p>`` and ``<h1>``-``<h3>`` text in document order);
- ``clean_html`` on the page itself, for reference.

Sets: ``realid-dev`` (nine real Indonesian pages with their dumps and gold; AEB metric),
``aeb-dev`` (AEB metric) and ``wcxb-dev-article`` (WCXB word F1), whose dumps are made here from
the pages the way ``realid-dev``'s were made. Timing: docs/s of ``clean_text`` over all dumps of
a set (fastest of ``--rounds``, interleaved with the other runs).

Usage::

    .venv/bin/python bench/text_bench.py [--sets realid,aeb,wcxb] [--limit N] [--per-page FILE]
    .venv/bin/python bench/text_bench.py --gate                # clean_text F1 against the pinned floors
    .venv/bin/python bench/text_bench.py --gate --update-floors  # raise the floors to today's figures

The quality gate (``bench/floors_text.json``, checked by ``tests/test_quality_gate_text.py``)
pins clean_text's F1 on both dump styles of every set, and for realid-dev the number of dumps
left below their identity score. Floors only rise: ``--update-floors`` refuses to lower one
unless ``--allow-regression`` says so, in a commit that explains why.

The data folders are ``../shared/benchmarks/*`` next to the repo; a missing one is skipped.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import lxml.html

sys.path.insert(0, str(Path(__file__).resolve().parent))
from aeb import aggregate, page_scores  # the AEB metric, one definition

REPO = Path(__file__).resolve().parent.parent
BENCHMARKS = REPO.parent / "shared" / "benchmarks"
FLOORS = Path(__file__).resolve().parent / "floors_text.json"
SETS = {"realid": "realid-dev", "aeb": "aeb-dev", "wcxb": "wcxb-dev-article"}
RUNS = ("identity_a", "identity_b", "clean_text_a", "clean_text_b", "clean_html")
WORD = re.compile(r"\w+")


@dataclass
class Doc:
    key: str
    url: str
    html: bytes
    naive_a: str
    naive_b: str
    truth: str


@dataclass
class Scores:
    pairs: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    seconds: dict[str, list[float]] = field(default_factory=dict)


# --- dumps, made the way realid-dev's were ---------------------------------------------------

SKIP_TEXT = "ancestor::script or ancestor::style or ancestor::template"


def naive_a(html: bytes) -> str:
    """The <body>'s whole visible text, a text node a line, lines stripped, blanks dropped."""
    body = _body(html)
    if body is None:
        return ""
    nodes = body.xpath(f".//text()[not({SKIP_TEXT})]")
    return "\n".join(s for s in (str(n).strip() for n in nodes) if s)


def naive_b(html: bytes) -> str:
    """Every <p> and <h1>-<h3> text in document order, joined by blank lines."""
    body = _body(html)
    if body is None:
        return ""
    texts = (" ".join(e.text_content().split()) for e in body.iter("p", "h1", "h2", "h3"))
    return "\n\n".join(t for t in texts if t)


def _body(html: bytes) -> lxml.html.HtmlElement | None:
    try:
        root = lxml.html.fromstring(html)
    except Exception:  # an unparsable page gives empty dumps, like a scraper that got nothing
        return None
    bodies = root.xpath("//body")
    return bodies[0] if bodies else root


# --- data ------------------------------------------------------------------------------------


def load_realid(folder: Path) -> list[Doc]:
    docs = []
    for gold_path in sorted(folder.glob("*.gold.json")):
        key = gold_path.name.removesuffix(".gold.json")
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        truth = gold["body"]
        if gold.get("dateline") and truth.startswith(gold["dateline"]):
            truth = truth[len(gold["dateline"]) :]  # the cleaner moves it to `dateline`
        docs.append(
            Doc(
                key,
                gold.get("url", ""),
                (folder / f"{key}.html").read_bytes(),
                (folder / f"{key}.naive_a.txt").read_text(encoding="utf-8"),
                (folder / f"{key}.naive_b.txt").read_text(encoding="utf-8"),
                truth,
            )
        )
    return docs


def load_benchmark(folder: Path, limit: int | None) -> list[Doc]:
    items = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    docs = []
    for key, item in list(items.items())[:limit]:
        html = gzip.decompress((folder / "html" / f"{key}.html.gz").read_bytes())
        truth = item.get("articleBody", "")
        docs.append(Doc(key, item.get("url", ""), html, naive_a(html), naive_b(html), truth))
    return docs


# --- metrics ---------------------------------------------------------------------------------


def word_scores(pred: str, truth: str) -> tuple[float, float]:
    """WCXB's per-page word precision and recall (lower-cased \\w+ tokens as multisets)."""
    p, t = Counter(WORD.findall(pred.lower())), Counter(WORD.findall(truth.lower()))
    if not p or not t:
        return (1.0, 1.0) if not p and not t else (0.0, 0.0)
    common = sum((p & t).values())
    return common / sum(p.values()), common / sum(t.values())


def wcxb_f1(pairs: Sequence[tuple[float, float]]) -> tuple[float, float, float]:
    """WCXB averages the per-page F1; precision and recall are plain means."""
    f1s = [2 * p * r / (p + r) if p + r else 0.0 for p, r in pairs]
    return statistics.fmean(p for p, _ in pairs), statistics.fmean(r for _, r in pairs), statistics.fmean(f1s)


# --- runs ------------------------------------------------------------------------------------


def make_runs(cleaner: object) -> dict[str, Callable[[Doc], str]]:
    clean_text = cleaner.clean_text  # type: ignore[attr-defined]
    clean_html = cleaner.clean_html  # type: ignore[attr-defined]
    return {
        "identity_a": lambda d: d.naive_a,
        "identity_b": lambda d: d.naive_b,
        "clean_text_a": lambda d: clean_text(d.naive_a, url=d.url or None).text,
        "clean_text_b": lambda d: clean_text(d.naive_b, url=d.url or None).text,
        "clean_html": lambda d: clean_html(d.html, url=d.url or None).text,
    }


def score_set(
    docs: Sequence[Doc], metric: str, rounds: int, cleaner: object
) -> tuple[Scores, dict[str, list[str]]]:
    runs = make_runs(cleaner)
    scorer = word_scores if metric == "wcxb" else page_scores
    scores = Scores()
    outputs: dict[str, list[str]] = {}
    for round_no in range(rounds):
        for name, run in runs.items():  # interleaved: every run in every round
            if round_no and name.startswith("identity"):
                continue
            start = time.perf_counter()
            texts = [run(d) for d in docs]
            scores.seconds.setdefault(name, []).append(time.perf_counter() - start)
            if round_no == 0:
                outputs[name] = texts
                scores.pairs[name] = [scorer(t, d.truth) for t, d in zip(texts, docs, strict=True)]
    return scores, outputs


def summarise(scores: Scores, metric: str, n: int) -> dict[str, dict[str, float]]:
    agg = wcxb_f1 if metric == "wcxb" else aggregate
    table = {}
    for name in RUNS:
        precision, recall, f1 = agg(scores.pairs[name])
        row = {"f1": round(f1, 4), "precision": round(precision, 4), "recall": round(recall, 4)}
        if not name.startswith("identity"):
            row["docs_per_s"] = round(n / min(scores.seconds[name]), 1)
        table[name] = row
    worse = 0
    for style in "ab":
        pairs = zip(scores.pairs[f"clean_text_{style}"], scores.pairs[f"identity_{style}"], strict=True)
        worse += sum(1 for cleaned, identity in pairs if _f1(*cleaned) < _f1(*identity) - 1e-9)
    table["pages_below_identity"] = {"count": worse}
    return table


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def print_table(set_name: str, metric: str, n: int, table: dict[str, dict[str, float]]) -> None:
    print(f"\n{set_name}: {n} pages, metric {metric.upper()}")
    print(f"  {'run':<14} {'F1':>6} {'prec':>6} {'recall':>6} {'docs/s':>8}")
    for name in RUNS:
        row = table[name]
        speed = f"{row['docs_per_s']:8.1f}" if "docs_per_s" in row else f"{'':8}"
        print(f"  {name:<14} {row['f1']:6.3f} {row['precision']:6.3f} {row['recall']:6.3f} {speed}")
    print(f"  clean_text below identity on {table['pages_below_identity']['count']} dumps (of {2 * n})")


def write_per_page(path: Path, all_docs: dict[str, list[Doc]], all_scores: dict[str, Scores]) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write("set\tkey\t" + "\t".join(RUNS) + "\n")
        for set_name, docs in all_docs.items():
            pairs = all_scores[set_name].pairs
            for i, doc in enumerate(docs):
                f1s = (f"{_f1(*pairs[name][i]):.3f}" for name in RUNS)
                out.write(f"{set_name}\t{doc.key}\t" + "\t".join(f1s) + "\n")


# --- the quality gate ------------------------------------------------------------------------


def gate_figures(data: Path, cleaner: object) -> dict[str, dict[str, float]]:
    """clean_text's F1 on both dumps of every set present (and, for realid-dev, how many
    dumps it leaves below identity, and clean_html's F1 on its pages: the one Indonesian
    page set, which the HTML gate's benchmarks do not cover), as pinned in the floors file."""
    figures: dict[str, dict[str, float]] = {}
    for short, folder_name in SETS.items():
        folder = data / folder_name
        if not folder.is_dir():
            continue
        docs = load_realid(folder) if short == "realid" else load_benchmark(folder, None)
        metric = "wcxb" if short == "wcxb" else "aeb"
        agg = wcxb_f1 if metric == "wcxb" else aggregate
        scorer = word_scores if metric == "wcxb" else page_scores
        clean_text = cleaner.clean_text  # type: ignore[attr-defined]
        row: dict[str, float] = {}
        below = 0
        for style in "ab":
            pairs = []
            for doc in docs:
                dump = doc.naive_a if style == "a" else doc.naive_b
                cleaned = scorer(clean_text(dump, url=doc.url or None).text, doc.truth)
                below += _f1(*cleaned) < _f1(*scorer(dump, doc.truth)) - 1e-9
                pairs.append(cleaned)
            row[f"clean_text_{style}"] = round(agg(pairs)[2], 3)
        if short == "realid":
            row["dumps_below_identity"] = below
            clean_html = cleaner.clean_html  # type: ignore[attr-defined]
            pages = [page_scores(clean_html(doc.html, url=doc.url or None).text, doc.truth) for doc in docs]
            row["clean_html"] = round(aggregate(pages)[2], 3)
        figures[short] = row
    return figures


def gate_failures(figures: dict[str, dict[str, float]], floors: dict[str, dict[str, float]]) -> list[str]:
    """Every figure below its floor (or, for counts of bad pages, above its ceiling)."""
    failures = []
    for short, row in figures.items():
        for key, value in row.items():
            pinned = floors.get(short, {}).get(key)
            if pinned is None:
                continue
            worse = value > pinned if key == "dumps_below_identity" else value < pinned
            if worse:
                failures.append(f"{short} {key}: {value} (floor {pinned})")
    return failures


def update_floors(
    figures: dict[str, dict[str, float]], floors: dict[str, dict[str, float]], allow: bool
) -> int:
    failures = gate_failures(figures, floors)
    if failures and not allow:
        print("refusing to lower a floor (add --allow-regression, and say why in the commit):")
        print("\n".join("  " + f for f in failures))
        return 1
    merged = {short: {**floors.get(short, {}), **row} for short, row in figures.items()}
    FLOORS.write_text(json.dumps(merged, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {FLOORS}")
    return 0


def run_gate(args: argparse.Namespace, cleaner: object) -> int:
    floors = json.loads(FLOORS.read_text(encoding="utf-8")) if FLOORS.exists() else {}
    figures = gate_figures(args.data, cleaner)
    for short, row in figures.items():
        print(short, " ".join(f"{k}={v} (floor {floors.get(short, {}).get(k)})" for k, v in row.items()))
    if args.update_floors:
        return update_floors(figures, floors, args.allow_regression)
    failures = gate_failures(figures, floors)
    print("\n".join(failures) if failures else "all figures at or above their floors")
    return 1 if failures else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", default="realid,aeb,wcxb")
    parser.add_argument("--limit", type=int, help="first N pages of aeb/wcxb")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--data", type=Path, default=BENCHMARKS)
    parser.add_argument("--per-page", type=Path, help="write per-page F1 (TSV)")
    parser.add_argument("--dump", type=Path, help="write every output to this folder")
    parser.add_argument("--json", type=Path, help="write the summary figures as JSON")
    parser.add_argument("--gate", action="store_true", help="check clean_text's F1 against the floors")
    parser.add_argument("--update-floors", action="store_true", help="with --gate: raise the floors")
    parser.add_argument("--allow-regression", action="store_true", help="with --update-floors: may lower")
    args = parser.parse_args(argv)

    import cleaner

    instance = cleaner.Cleaner()
    if args.gate:
        return run_gate(args, instance)
    summary: dict[str, object] = {}
    all_docs: dict[str, list[Doc]] = {}
    all_scores: dict[str, Scores] = {}
    for short in args.sets.split(","):
        folder = args.data / SETS[short]
        if not folder.is_dir():
            print(f"{folder}: not present, skipped")
            continue
        docs = load_realid(folder) if short == "realid" else load_benchmark(folder, args.limit)
        metric = "wcxb" if short == "wcxb" else "aeb"
        scores, outputs = score_set(docs, metric, args.rounds, instance)
        table = summarise(scores, metric, len(docs))
        print_table(SETS[short], metric, len(docs), table)
        summary[short] = table
        all_docs[short], all_scores[short] = docs, scores
        if args.dump:
            for name, texts in outputs.items():
                target = args.dump / short / name
                target.mkdir(parents=True, exist_ok=True)
                for doc, text in zip(docs, texts, strict=True):
                    (target / f"{doc.key}.txt").write_text(text, encoding="utf-8")
    if args.per_page:
        write_per_page(args.per_page, all_docs, all_scores)
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
