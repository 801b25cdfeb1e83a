"""The Spark job: read documents, clean them in the executors, mark near duplicates, write.

    python -m cleaner.spark --input 'crawl/*.warc.gz' --output out.parquet [--rules DIR]

(or the same arguments after `spark-submit [options] <path of cleaner/spark/__main__.py>`).
Records go to --output (Parquet, or JSONL when it ends in .jsonl or --output-format says
so), error rows (input, stage, reason) to --errors, by default beside the output.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from ..argtypes import positive_int, seconds
from ..containers import JsonlFields
from ..decode import MAX_BYTES
from ..dedup import DEFAULT_THRESHOLD, threshold_arg
from ..errors import RuleError
from ..limits import DEFAULT_TIMEOUT
from .clean import clean_partition, ship_rules
from .readers import hadoop_file_system, read_by_name
from .schema import OUTCOME_SCHEMA, RECORD_SCHEMA, STAGES

OUTPUT_FORMATS = ("parquet", "jsonl")


def clean_documents(
    documents: Any,
    *,
    rules: str | Path | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
    max_bytes: int = MAX_BYTES,
) -> Any:
    """Documents (DOCUMENT_SCHEMA, or any DataFrame with url and html/text columns) to a
    DataFrame of OUTCOME_SCHEMA: per input an article, or the stage and reason it failed."""
    spark = documents.sparkSession
    shipped = ship_rules(spark.sparkContext, rules) if rules is not None else None
    clean = partial(clean_partition, rules=shipped, timeout=timeout or None, max_bytes=max_bytes)
    return spark.createDataFrame(documents.rdd.mapPartitions(clean), OUTCOME_SCHEMA)


def records_of(outcomes: Any, *, keep_order: bool = False) -> Any:
    """The cleaned records of OUTCOME_SCHEMA rows, as RECORD_SCHEMA (duplicate_of null);
    with keep_order, also the `order` column, which mark_duplicates(order_by="order") uses."""
    from pyspark.sql import functions as F

    order = ["order"] if keep_order else []
    return outcomes.where(F.col("article").isNotNull()).select(
        "input", "article.*", F.lit(None).cast("string").alias("duplicate_of"), *order
    )


def errors_of(outcomes: Any) -> Any:
    from pyspark.sql import functions as F

    return outcomes.where(F.col("article").isNull()).select("input", "stage", "reason")


def write_table(
    table: Any, path: str, fmt: str, *, partition_by: str | None = None, overwrite: bool = False
) -> None:
    """Parquet, or JSONL as Spark writes it: a folder of part files, one record a line, nulls
    kept (as the CLI writes them), keys in the schema's order."""
    writer = table.write.mode("overwrite" if overwrite else "errorifexists")
    if partition_by:
        writer = writer.partitionBy(partition_by)
    if fmt == "jsonl":
        writer.option("ignoreNullFields", "false").json(path)
    else:
        writer.parquet(path)


@dataclass
class JobSummary:
    documents: int = 0
    records: int = 0
    empty: int = 0
    duplicates: int = 0
    errors: dict[str, int] = field(default_factory=dict)  # stage -> count

    def render(self) -> str:
        failed = sum(self.errors.values())
        stages = ", ".join(f"{stage} {count}" for stage, count in sorted(self.errors.items()))
        return (
            f"Documents: {self.documents} total, {self.records} cleaned, {failed} failed"
            + (f" ({stages})" if stages else "")
            + f", {self.empty} with an empty body, {self.duplicates} duplicates"
        )


@dataclass
class JobOptions:
    inputs: list[str]
    output: str
    output_format: str = "parquet"
    errors: str | None = None
    rules: str | None = None
    fields: JsonlFields = field(default_factory=lambda: JsonlFields(html="html"))
    dedup: bool = True
    threshold: float = DEFAULT_THRESHOLD
    timeout: float | None = DEFAULT_TIMEOUT
    max_bytes: int = MAX_BYTES
    partitions: int | None = None
    partition_by_site: bool = False
    overwrite: bool = False


def run_job(spark: Any, options: JobOptions) -> JobSummary:
    """The whole job. Cleaning runs once: its outcomes are kept (memory, else disk) for the
    duplicate marking, both writes and the counts."""
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    from .dedup import duplicate_marks

    errors_path = options.errors or default_errors_path(options.output, options.output_format)
    if not options.overwrite:  # found out now, not when the cleaning is done and its writes fail
        for path in (options.output, errors_path):
            if path_exists(spark, path):
                raise JobError(f"{path} exists; give --overwrite to replace it")
    documents = read_by_name(spark, options.inputs, fields=options.fields, max_bytes=options.max_bytes)
    if options.partitions:
        documents = documents.repartition(options.partitions)
    outcomes = clean_documents(
        documents, rules=options.rules, timeout=options.timeout, max_bytes=options.max_bytes
    ).persist(StorageLevel.MEMORY_AND_DISK)
    try:
        records = records_of(outcomes, keep_order=True)
        duplicates = 0
        if options.dedup:
            marks = duplicate_marks(records, order_by="order", threshold=options.threshold)
            duplicates = marks.count()
            records = records.drop("duplicate_of").join(marks, "input", "left")
        partition_by = "site" if options.partition_by_site else None
        write_table(
            records.select(*RECORD_SCHEMA.fieldNames()),
            options.output,
            options.output_format,
            partition_by=partition_by,
            overwrite=options.overwrite,
        )
        write_table(errors_of(outcomes), errors_path, options.output_format, overwrite=options.overwrite)
        # One global aggregate (a groupBy would shuffle into spark.sql.shuffle.partitions tasks).
        counts = outcomes.agg(
            F.count(F.lit(1)).alias("documents"),
            F.count("article").alias("cleaned"),
            F.count(F.when(F.col("article.status") == "empty", 1)).alias("empty"),
            *(F.count(F.when(F.col("stage") == stage, 1)).alias(stage) for stage in STAGES),
        ).first()
    finally:
        outcomes.unpersist()
    assert counts is not None
    errors = {stage: counts[stage] for stage in STAGES if counts[stage]}
    return JobSummary(counts["documents"], counts["cleaned"], counts["empty"], duplicates, errors)


class JobError(Exception):
    """The job cannot run as asked (an output that exists, an unreadable input list)."""


def path_exists(spark: Any, path: str) -> bool:
    """Whether `path` (local, or any Hadoop URI) exists, asked of the file system Spark writes with."""
    file_system, hadoop_path = hadoop_file_system(spark.sparkContext, path)
    return bool(file_system.exists(hadoop_path))


def default_errors_path(output: str, fmt: str) -> str:
    """out.parquet -> out.errors.parquet; out.jsonl -> out.errors.jsonl; out -> out.errors"""
    base = output.rstrip("/")
    suffix = {"parquet": ".parquet", "jsonl": ".jsonl"}[fmt]
    if base.endswith(suffix):
        return base[: -len(suffix)] + ".errors" + suffix
    return base + ".errors"


# --- the command ------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m cleaner.spark",
        description="Clean WARC, JSONL or Parquet inputs on Apache Spark into Parquet or JSONL records "
        "(the records of `cleaner clean`), with error rows and near-duplicate marking.",
    )
    parser.add_argument(
        "--input",
        action="append",
        default=[],
        metavar="PATH",
        help="a WARC (.warc, .warc.gz), JSONL (.jsonl, .jsonl.gz, .jsonl.zst) or Parquet input: a local "
        "path or glob, an http(s) URL, or any Hadoop URI (s3a://, hdfs://, file://); repeatable",
    )
    parser.add_argument(
        "--input-list",
        metavar="FILE",
        help="a local file (.gz allowed) with one input a line, e.g. Common Crawl's warc.paths.gz",
    )
    parser.add_argument(
        "--input-prefix",
        default="",
        metavar="PREFIX",
        help="put before each line of --input-list (e.g. https://data.commoncrawl.org/)",
    )
    parser.add_argument("--output", metavar="PATH", help="where the records go (a folder); required")
    parser.add_argument(
        "--output-format",
        choices=OUTPUT_FORMATS,
        help="parquet or jsonl (default: jsonl when --output ends in .jsonl, else parquet)",
    )
    parser.add_argument(
        "--errors", metavar="PATH", help="where error rows go (default: OUTPUT.errors beside it)"
    )
    parser.add_argument(
        "--partition-by-site", action="store_true", help="write records in one folder per site"
    )
    parser.add_argument("--overwrite", action="store_true", help="replace existing outputs")
    parser.add_argument(
        "--rules", metavar="DIR", help="your rules folder, shipped to the executors (default: bundled)"
    )
    parser.add_argument(
        "--html-field", default="html", metavar="NAME", help="JSONL/Parquet field with a page (default: html)"
    )
    parser.add_argument(
        "--text-field", default="text", metavar="NAME", help="JSONL/Parquet field with a text (default: text)"
    )
    parser.add_argument(
        "--url-field", default="url", metavar="NAME", help="JSONL/Parquet field with the URL (default: url)"
    )
    parser.add_argument("--no-dedup", action="store_true", help="do not mark near duplicates")
    parser.add_argument(
        "--dedup-threshold",
        type=threshold_arg,
        metavar="J",
        default=DEFAULT_THRESHOLD,
        help=f"Jaccard similarity of word 5-shingles of a near duplicate (default: {DEFAULT_THRESHOLD})",
    )
    parser.add_argument(
        "--timeout",
        type=seconds,
        metavar="SECONDS",
        default=DEFAULT_TIMEOUT,
        help="seconds one document may take before it becomes an error row; 0: no limit "
        f"(default: {DEFAULT_TIMEOUT:g})",
    )
    parser.add_argument(
        "--max-bytes",
        type=positive_int,
        metavar="N",
        default=MAX_BYTES,
        help=f"largest document (default: {MAX_BYTES})",
    )
    parser.add_argument(
        "--partitions",
        type=positive_int,
        metavar="N",
        help="spread documents over N partitions before cleaning (few big files)",
    )
    parser.add_argument(
        "--master", metavar="URL", help="Spark master when not run by spark-submit (default: local[*])"
    )
    parser.add_argument(
        "--script", action="store_true", help="print the path of the script for spark-submit and exit"
    )
    return parser


def read_input_list(path: str, prefix: str) -> list[str]:
    import gzip

    opener = gzip.open if path.endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8") as fh:
            return [prefix + line.strip() for line in fh if line.strip() and not line.startswith("#")]
    except (OSError, EOFError, UnicodeDecodeError) as exc:  # EOFError: a .gz cut short
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise JobError(f"cannot read --input-list {path}: {reason}") from exc


def session(master: str | None, app_name: str = "cleaner") -> Any:
    """The SparkSession: spark-submit's when it started this process, else a local one."""
    from pyspark.sql import SparkSession

    if master is None and not _under_spark_submit():
        master = "local[*]"
    if master and master.startswith("local"):
        # Local Python workers must be this interpreter (the one with cleaner installed), not
        # whatever `python3` is first on PATH. On a cluster PYSPARK_PYTHON is the user's to set.
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.appName(app_name)
    return (builder.master(master) if master else builder).getOrCreate()


def _under_spark_submit() -> bool:
    return "SPARK_ENV_LOADED" in os.environ or "PYSPARK_GATEWAY_PORT" in os.environ


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.script:
        print(Path(__file__).with_name("__main__.py"))
        return 0
    inputs = list(args.input)
    if args.input_list:
        try:
            inputs += read_input_list(args.input_list, args.input_prefix)
        except JobError as exc:
            parser.error(str(exc))
    if not inputs:
        parser.error("no inputs: give --input or --input-list")
    if not args.output:
        parser.error("--output is required")
    fmt = args.output_format or ("jsonl" if args.output.rstrip("/").endswith(".jsonl") else "parquet")
    options = JobOptions(
        inputs=inputs,
        output=args.output,
        output_format=fmt,
        errors=args.errors,
        rules=args.rules,
        fields=JsonlFields(html=args.html_field, text=args.text_field, url=args.url_field),
        dedup=not args.no_dedup,
        threshold=args.dedup_threshold,
        timeout=args.timeout or None,
        max_bytes=args.max_bytes,
        partitions=args.partitions,
        partition_by_site=args.partition_by_site,
        overwrite=args.overwrite,
    )
    from pyspark.sql import SparkSession

    started_here = SparkSession.getActiveSession() is None  # else a caller's session: left up
    spark = session(args.master)
    try:
        summary = run_job(spark, options)
    except (RuleError, JobError) as exc:
        print(f"cleaner.spark: {exc}", file=sys.stderr)
        return 2
    finally:
        if started_here:
            spark.stop()
    print(summary.render())
    return 0
