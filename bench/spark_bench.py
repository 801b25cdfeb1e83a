"""Spark benchmark: the folder-bench corpus through `python -m cleaner.spark` at local[1] and
local[2], and through `cleaner clean --workers 1/2`, in one run.

The corpus is folder_bench's (half HTML pages from the fixtures, aeb-dev and
wcxb-dev-article, half texts, each copy varied), --docs documents in one folder for the CLI,
and the same documents as a Parquet table for Spark (the page bytes in a binary `html`
column, so both decode them the same way; the text in `text`; the file path as `input`),
written in 16 files before anything is timed. Spark runs get `--partitions 16` (a
round-robin spread: Spark would otherwise pack the small files into as many partitions as
cores, and one slow partition would hold the run) and no duplicate marking, as the CLI runs
have none; one more local[2] run marks near duplicates, to show what that costs.

Runs alternate CLI and Spark at each parallelism, for --rounds rounds; each is a fresh
process, timed wall-clock from start to exit, so Spark's times include starting its JVM.
Printed: docs/s of each run, the 1 -> 2 scaling of each, and Spark's overhead per document
(its seconds minus the CLI's at the same parallelism, over the documents), next to the fixed
cost of a Spark job (a local[1] run over the first 20 documents). The machine is shared
(2 cores, other sessions busy): read the spread between rounds, not one figure.

    .venv/bin/python bench/spark_bench.py [--docs 2000] [--rounds 1] [--work /tmp/sb]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from folder_bench import SHARED, build_corpus

BIN = Path(sys.executable).parent
PARTITIONS = 16
FIXED_DOCS = 20


def stop_jvm() -> None:
    """End this process's JVM: it outlives spark.stop() and would take CPU from every timed
    run. It exits when its stdin closes (pyspark's launch_gateway)."""
    from pyspark import SparkContext

    gateway = SparkContext._gateway
    if gateway is not None:
        gateway.shutdown()
        gateway.proc.stdin.close()
        gateway.proc.wait(timeout=60)
        SparkContext._gateway = None


def build_table(corpus: Path, table: Path, first: int | None = None) -> None:
    """The corpus's files as a Parquet table (input, url, html bytes, text), 16 files."""
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.master("local[2]").config("spark.ui.showConsoleProgress", "false")
    spark = builder.config("spark.ui.enabled", "false").getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    paths = [str(path.resolve()) for path in sorted(corpus.iterdir())[:first]]
    # Files are read by the tasks: the driver's 1 GB heap cannot hold thousands of pages.
    rows = spark.sparkContext.parallelize(paths, min(PARTITIONS, len(paths))).map(_row)
    spark.createDataFrame(rows, "input string, url string, html binary, text string").write.parquet(
        str(table)
    )
    spark.stop()


def _row(path: str) -> tuple[str, None, bytes | None, str | None]:
    if path.endswith(".html"):
        return (path, None, Path(path).read_bytes(), None)
    return (path, None, None, Path(path).read_text(encoding="utf-8"))


@dataclass
class Result:
    label: str
    docs: int
    seconds: float
    summary: str

    @property
    def rate(self) -> float:
        return self.docs / self.seconds


def run(label: str, argv: list[str], docs: int) -> Result:
    started = time.monotonic()
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    seconds = time.monotonic() - started
    if done.returncode not in (0, 1):
        sys.exit(f"{label} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    summary = next(
        (line for line in (done.stdout + done.stderr).splitlines() if line.startswith("Documents:")), ""
    )
    result = Result(label, docs, seconds, summary)
    print(f"{label:<34} {docs:>6} docs {seconds:>7.1f} s {result.rate:>7.1f} docs/s   {summary}", flush=True)
    return result


def print_report(results: dict[str, list[Result]], docs: int, rounds: int) -> None:
    best = {label: min(runs, key=lambda r: r.seconds) for label, runs in results.items()}
    cli1, cli2 = best["cleaner clean --workers 1"], best["cleaner clean --workers 2"]
    spark1, spark2 = best["spark local[1]"], best["spark local[2]"]
    start_cost = best[f"spark local[1], {FIXED_DOCS} docs"].seconds
    print(f"\n(best of {rounds} round(s))")
    print(f"1 -> 2: cleaner clean {cli2.rate / cli1.rate:.2f}x, spark {spark2.rate / spark1.rate:.2f}x")
    past_fixed = (spark1.seconds - start_cost) / (spark2.seconds - start_cost)
    print(f"1 -> 2 past Spark's fixed cost (the corpus part of each run): spark {past_fixed:.2f}x")
    for one, spark_run in ((cli1, spark1), (cli2, spark2)):
        extra = (spark_run.seconds - one.seconds) / docs * 1000
        print(f"Spark overhead per document vs {one.label}: {extra:+.1f} ms ({spark_run.label})")
    print(f"fixed cost of a Spark job (JVM, session, {FIXED_DOCS} docs, write): {start_cost:.1f} s")
    # Past the fixed cost: what each further document costs in Spark, against the CLI's per document.
    marginal = (spark1.seconds - start_cost) / (docs - FIXED_DOCS) * 1000
    per_doc = cli1.seconds / docs * 1000
    print(f"per further document at local[1]: {marginal:.1f} ms; cleaner clean --workers 1: {per_doc:.1f} ms")
    marking = best["spark local[2] + near duplicates"].seconds - spark2.seconds
    print(f"near-duplicate marking at local[2]: +{marking:.1f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=2_000)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--work", type=Path, help="work folder (default: a new temporary folder)")
    args = parser.parse_args()
    if not SHARED.is_dir():
        print(f"needs {SHARED}", file=sys.stderr)
        return 2
    work = args.work or Path(tempfile.mkdtemp(prefix="spark-bench-"))
    if work.exists():
        shutil.rmtree(work)
    corpus, table, few = work / "corpus", work / "corpus.parquet", work / "first.parquet"
    started = time.monotonic()
    build_corpus(corpus, work / "html-only", args.docs)
    build_table(corpus, table)
    build_table(corpus, few, first=FIXED_DOCS)
    stop_jvm()
    print(f"corpus: {args.docs} documents, folder and Parquet, built in {time.monotonic() - started:.0f} s")
    print(f"load average at the start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)

    cli = [str(BIN / "cleaner"), "clean", str(corpus), "--format", "jsonl", "-q"]
    spark = [sys.executable, "-m", "cleaner.spark", "--input", str(table), "--no-dedup", "--overwrite"]
    spark += ["--partitions", str(PARTITIONS)]
    results: dict[str, list[Result]] = {}

    def timed(label: str, argv: list[str], docs: int = args.docs) -> None:
        results.setdefault(label, []).append(run(label, argv, docs))

    for number in range(args.rounds):
        out = work / f"round{number}"
        timed("cleaner clean --workers 1", [*cli, "-o", str(out / "cli1"), "--workers", "1"])
        timed("spark local[1]", [*spark, "--master", "local[1]", "--output", str(out / "spark1")])
        timed("cleaner clean --workers 2", [*cli, "-o", str(out / "cli2"), "--workers", "2"])
        timed("spark local[2]", [*spark, "--master", "local[2]", "--output", str(out / "spark2")])
    fixed = [sys.executable, "-m", "cleaner.spark", "--input", str(few), "--no-dedup", "--master", "local[1]"]
    timed(f"spark local[1], {FIXED_DOCS} docs", [*fixed, "--output", str(work / "few")], FIXED_DOCS)
    dedup = [arg for arg in spark if arg != "--no-dedup"]
    timed(
        "spark local[2] + near duplicates", [*dedup, "--master", "local[2]", "--output", str(work / "dedup")]
    )

    print_report(results, args.docs, args.rounds)
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (a shared machine)")
    if not args.work:
        shutil.rmtree(work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
