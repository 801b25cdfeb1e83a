"""cleaner on Apache Spark (the [spark] extra: `pip install cleaner[spark]`, Java 17+).

    from cleaner.spark import read_by_name, clean_documents, records_of, errors_of, mark_duplicates

    documents = read_by_name(spark, ["crawl/*.warc.gz"])     # or read_warc / read_jsonl / read_table
    outcomes = clean_documents(documents, rules="my_rules/")  # rules shipped to the executors
    records = mark_duplicates(records_of(outcomes))           # RECORD_SCHEMA: the CLI's JSONL record
    errors = errors_of(outcomes)                              # ERROR_SCHEMA: input, stage, reason

Or as a mapPartitions function over your own rows of (url, html) or (url, text):
`rdd.mapPartitions(clean_partition)` gives rows of OUTCOME_SCHEMA.
The command: `python -m cleaner.spark --help` (cleaner.spark.job).
"""

from __future__ import annotations

try:
    import pyspark  # noqa: F401
except ImportError as exc:  # pragma: no cover - depends on the install
    raise ImportError("cleaner.spark needs pyspark: pip install 'cleaner[spark]' (and Java 17+)") from exc

from .clean import clean_partition, clean_row, ship_rules
from .dedup import duplicate_marks, mark_duplicates
from .job import JobOptions, JobSummary, clean_documents, errors_of, records_of, run_job, write_table
from .readers import read_by_name, read_jsonl, read_table, read_warc
from .schema import DOCUMENT_SCHEMA, ERROR_SCHEMA, OUTCOME_SCHEMA, RECORD_SCHEMA

__all__ = [
    "DOCUMENT_SCHEMA",
    "ERROR_SCHEMA",
    "OUTCOME_SCHEMA",
    "RECORD_SCHEMA",
    "JobOptions",
    "JobSummary",
    "clean_documents",
    "clean_partition",
    "clean_row",
    "duplicate_marks",
    "errors_of",
    "mark_duplicates",
    "read_by_name",
    "read_jsonl",
    "read_table",
    "read_warc",
    "records_of",
    "run_job",
    "ship_rules",
    "write_table",
]
