"""Folder benchmark: `cleaner clean` at 1 and 2 workers next to trafilatura's CLI, on a big folder.

Builds a corpus of --docs documents (default 20,000) in ONE folder, half HTML pages and half
texts, by repeating the repo's fixtures and seeds, the aeb-dev and wcxb-dev-article pages
(../shared/benchmarks) and the realid-dev naive texts; each copy is varied (a comment in a
page, a numbered line in a text) so no two files are equal. Then, in one run, it times:

  cleaner clean FOLDER --workers 1     (all documents)
  cleaner clean FOLDER --workers 2     (all documents)
  trafilatura --input-dir HTML --parallel 2   (the same HTML pages only) and
  cleaner clean HTML --workers 2       in --html-rounds rounds (default 2) of alternating order
  cleaner clean SMALL --workers 2      (the first --small documents, default 2,000)

and prints docs/s, the peak RSS of the whole process tree (sampled from /proc every 0.1 s),
the peak RSS of the largest single process, the 1 -> 2 worker scaling and the RSS at
--small vs --docs documents. Work happens under --work (default: a temporary folder); the
machine may be shared, so run it twice and read the spread (the HTML rounds show it too).

    .venv/bin/python bench/folder_bench.py [--docs 20000] [--small 2000] [--work /tmp/fb]
"""

from __future__ import annotations

import argparse
import gzip
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "benchmarks"
BIN = Path(sys.executable).parent


def _pages() -> list[bytes]:
    pages = [p.read_bytes() for p in sorted((REPO / "fixtures").rglob("*.html"))]
    for name in ("aeb-dev", "wcxb-dev-article"):
        pages += [gzip.decompress(p.read_bytes()) for p in sorted((SHARED / name / "html").glob("*.html.gz"))]
    return pages


def _texts() -> list[str]:
    files = sorted((REPO / "fixtures").rglob("*.txt")) + sorted((REPO / "seeds").glob("*.txt"))
    files += sorted((SHARED / "realid-dev").glob("*.naive_*.txt"))
    return [p.read_text(encoding="utf-8", errors="replace") for p in files]


def build_corpus(folder: Path, html_only: Path, docs: int) -> None:
    """docs files in `folder` (half .html, half .txt); the pages also hard-linked into `html_only`."""
    pages, texts = _pages(), _texts()
    folder.mkdir(parents=True)
    html_only.mkdir(parents=True)
    for i in range(docs):
        if i % 2 == 0:
            page = pages[(i // 2) % len(pages)]
            path = folder / f"doc{i:06}.html"
            path.write_bytes(page.replace(b"</body>", f"<!-- copy {i} --></body>".encode(), 1))
            os.link(path, html_only / path.name)
        else:
            text = texts[(i // 2) % len(texts)]
            (folder / f"doc{i:06}.txt").write_text(f"{text.rstrip()}\n(dokumen {i})\n", encoding="utf-8")


def small_copy(folder: Path, small: Path, count: int) -> None:
    small.mkdir(parents=True)
    for path in sorted(folder.iterdir())[:count]:
        os.link(path, small / path.name)


# --- running with RSS sampling ------------------------------------------------------------------


def _tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(f"/proc/{entry.name}/stat").read_bytes()
                ppid = int(stat.rsplit(b")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found


def _rss_mb(pid: int) -> float:
    try:
        pages = int(Path(f"/proc/{pid}/statm").read_bytes().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return 0.0


@dataclass
class Result:
    label: str
    docs: int
    seconds: float
    tree_mb: float  # peak RSS of the whole process tree
    largest_mb: float  # peak RSS of its largest single process
    code: int
    cpu: float  # user + system seconds of the whole process tree

    @property
    def rate(self) -> float:
        return self.docs / self.seconds


def run(label: str, argv: list[str], docs: int, cwd: Path) -> Result:
    peaks = {"tree": 0.0, "largest": 0.0}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    process = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            sizes = [_rss_mb(pid) for pid in _tree(process.pid)]
            peaks["tree"] = max(peaks["tree"], sum(sizes))
            peaks["largest"] = max(peaks["largest"], max(sizes, default=0.0))
            done.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    code = process.wait()
    seconds = time.monotonic() - started
    done.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # workers are waited for by their parent: included
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return Result(label, docs, seconds, peaks["tree"], peaks["largest"], code, cpu)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=20_000)
    parser.add_argument("--small", type=int, default=2_000)
    parser.add_argument("--work", type=Path, help="work folder (default: a new temporary folder)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument(
        "--html-rounds", type=int, default=2, help="HTML comparisons, in alternating order (default 2)"
    )
    args = parser.parse_args()
    if not SHARED.is_dir():
        print(f"needs {SHARED}", file=sys.stderr)
        return 2
    work = args.work or Path(tempfile.mkdtemp(prefix="folder-bench-"))
    if work.exists():
        shutil.rmtree(work)
    corpus, html_only, small = work / "corpus", work / "html-only", work / "small"
    started = time.monotonic()
    build_corpus(corpus, html_only, args.docs)
    small_copy(corpus, small, args.small)
    html_docs = sum(1 for _ in html_only.iterdir())
    print(f"load average at the start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(
        f"corpus: {args.docs} documents in one folder ({html_docs} HTML, {args.docs - html_docs} text), "
        f"built in {time.monotonic() - started:.0f} s under {work}",
        flush=True,
    )

    cleaner = [str(BIN / "cleaner"), "clean", "--format", "jsonl", "-q"]

    def timed(label: str, argv: list[str], docs: int) -> Result:
        result = run(label, argv, docs, work)
        print(
            f"{label:<40} {result.docs:>6} docs {result.seconds:>7.1f} s {result.rate:>7.1f} docs/s  "
            f"({result.docs / result.cpu:>6.1f} per CPU s)  "
            f"peak RSS tree {result.tree_mb:>6.0f} MB, largest process {result.largest_mb:>5.0f} MB"
            + (f"  EXIT {result.code}" if result.code not in (0, 1) else ""),
            flush=True,
        )
        return result

    def whole(workers: int) -> Result:
        argv = [*cleaner, str(corpus), "-o", str(work / f"out{workers}"), "--workers", str(workers)]
        return timed(f"cleaner --workers {workers}", argv, args.docs)

    one, two = whole(1), whole(2)
    # The HTML comparison in rounds of alternating order (trafilatura first, then cleaner
    # first, ...), each into a fresh output: a machine whose speed drifts over minutes
    # favours neither, and the rounds show the spread.
    rounds: list[tuple[Result, Result]] = []  # (trafilatura, cleaner)
    for r in range(args.html_rounds):
        traf_argv = [str(BIN / "trafilatura"), "--input-dir", str(html_only), "-o", str(work / f"traf{r}")]
        ours_argv = [*cleaner, str(html_only), "-o", str(work / f"out-html{r}"), "--workers", "2"]
        specs = {
            "traf": (f"trafilatura --parallel 2 (HTML), round {r + 1}", [*traf_argv, "--parallel", "2"]),
            "ours": (f"cleaner --workers 2 (HTML), round {r + 1}", ours_argv),
        }
        order = ("traf", "ours") if r % 2 == 0 else ("ours", "traf")
        done = {key: timed(*specs[key], html_docs) for key in order}
        rounds.append((done["traf"], done["ours"]))
    few = timed(
        f"cleaner --workers 2, first {args.small}",
        [*cleaner, str(small), "-o", str(work / "out-small"), "--workers", "2"],
        args.small,
    )
    print(
        f"\n1 -> 2 workers: {two.rate / one.rate:.2f}x wall clock; "
        f"CPU seconds {one.cpu:.0f} (1 worker) vs {two.cpu:.0f} (2 workers)"
    )
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (a shared machine)")
    html_share = html_docs / args.docs
    for r, (traf, html) in enumerate(rounds, 1):
        print(
            f"HTML pages, 2 processes each, round {r}: cleaner {html.rate:.1f}/s "
            f"({html.docs / html.cpu:.1f} per CPU s), trafilatura {traf.rate:.1f}/s "
            f"({traf.docs / traf.cpu:.1f} per CPU s): {html.rate / traf.rate:.2f}x"
        )
    traf_seconds = sum(traf.seconds for traf, _ in rounds)
    ours_seconds = sum(html.seconds for _, html in rounds)
    print(f"HTML pages, all rounds: cleaner {traf_seconds / ours_seconds:.2f}x trafilatura's pages/s")
    print(
        f"trafilatura --parallel 2: {len(rounds) * html_docs / traf_seconds:.1f} HTML pages/s; "
        f"cleaner --workers 2 on the mixed folder: {two.rate:.1f} docs/s ({html_share:.0%} HTML)"
    )
    print(
        f"RSS at {args.small} vs {args.docs} documents (2 workers): "
        f"tree {few.tree_mb:.0f} vs {two.tree_mb:.0f} MB, "
        f"largest process {few.largest_mb:.0f} vs {two.largest_mb:.0f} MB"
    )
    if not args.keep and not args.work:
        shutil.rmtree(work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
