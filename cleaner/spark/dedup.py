"""Near duplicates across a whole corpus: Spark ML's MinHashLSH over cleaner.shingles.

The same definition as `cleaner clean --dedup near` (cleaner.dedup), so `duplicate_of` means
the same thing at both scales: the texts' normalised words and word 5-shingles come from one
function (cleaner.shingles), near means a Jaccard similarity of the shingle sets of at least
the threshold (0.8 by default, cleaner.dedup.DEFAULT_THRESHOLD), and a record is marked a
duplicate of the first earlier record it is equal or near to that is not itself a duplicate.
"Earlier" is the order `cleaner clean` meets documents in with one worker: by file, then
by position in the file (DOCUMENT_SCHEMA's `order`; input names by default). An empty text duplicates nothing.

How:
1. Exact: records with the same normalised words (the sha1 of cleaner.dedup) form a group;
   the first by input is its representative, the others duplicates of it.
2. Near, among representatives: the shingles hashed into sparse vectors (HashingTF), and
   MinHashLSH's approxSimilarityJoin gives the pairs within the threshold, each with its
   true Jaccard distance (LSH only chooses which pairs to compare).
3. The marking walks those pairs on the driver in input order, the rule the single-machine
   index applies as records arrive. Only pairs reach the driver, not texts; a corpus with
   many large clusters of near copies sends as many pairs as the clusters hold.
Single-machine marking compares a record only with MinHash candidates (estimated
similarity); here candidates are checked against the exact distance: on texts near the
threshold the two can differ.
"""

from __future__ import annotations

import hashlib
from typing import Any

from ..dedup import DEFAULT_THRESHOLD
from ..shingles import normalised_words, shingles_of

HASH_TABLES = 8  # a pair at similarity 0.8 is compared with probability 1 - 0.2**8
FEATURES = 1 << 24  # hash space of the shingles: collisions among a page's shingles are rare
SEED = 20240601  # a fixed seed: the same pairs on every run
EPSILON = 1e-9  # approxSimilarityJoin keeps distances strictly below its threshold


def text_fingerprint(text: str | None) -> tuple[str, list[str]] | None:
    """(sha1 of the normalised words, sorted shingles), or None for a text without words."""
    words = normalised_words(text or "")
    if not words:
        return None
    exact = hashlib.sha1(" ".join(words).encode("utf-8")).hexdigest()
    return exact, sorted(shingles_of(words))


def duplicate_marks(
    records: Any,
    *,
    order_by: str = "input",
    threshold: float = DEFAULT_THRESHOLD,
    hash_tables: int = HASH_TABLES,
) -> Any:
    """A DataFrame (input, duplicate_of) with a row for every record that duplicates another.
    `order_by` names the column whose order decides which record is first (unique per record:
    the job uses DOCUMENT_SCHEMA's `order`)."""
    from pyspark.ml.feature import HashingTF, MinHashLSH
    from pyspark.sql import Window
    from pyspark.sql import functions as F
    from pyspark.sql.types import ArrayType, StringType, StructField, StructType

    spark = records.sparkSession
    fingerprint_type = StructType(
        [StructField("exact", StringType()), StructField("shingles", ArrayType(StringType()))]
    )
    # Plain pickled rows: Arrow would need pandas and pyarrow, which the extra does not bring.
    fingerprint = F.udf(text_fingerprint, fingerprint_type, useArrow=False)
    # Records are known by their order key ("key") until the marks are named by input.
    found = (
        records.select("input", F.col(order_by).alias("key"), fingerprint("text").alias("fp"))
        .where(F.col("fp").isNotNull())
        .select("input", "key", "fp.exact", "fp.shingles")
        .withColumn("first", F.min("key").over(Window.partitionBy("exact")))
    ).persist()
    try:
        copies = found.where(F.col("key") != F.col("first")).select("key", "first")
        firsts = found.where(F.col("key") == F.col("first")).select("key", "shingles")
        vectors = HashingTF(
            inputCol="shingles", outputCol="features", numFeatures=FEATURES, binary=True
        ).transform(firsts)
        if firsts.isEmpty():  # no text at all: nothing to fit MinHashLSH on
            return spark.createDataFrame([], "input string, duplicate_of string")
        lsh = MinHashLSH(inputCol="features", outputCol="hashes", numHashTables=hash_tables, seed=SEED)
        pairs = (
            lsh.fit(vectors)
            .approxSimilarityJoin(vectors, vectors, 1 - threshold + EPSILON, distCol="distance")
            .select(F.col("datasetA.key").alias("a"), F.col("datasetB.key").alias("b"))
            .where(F.col("a") < F.col("b"))
            .distinct()
            .collect()
        )
        near = first_originals([(row.a, row.b) for row in pairs])
        near_marks = spark.createDataFrame(sorted(near.items()), "key string, original string")
        # A copy of a text that is itself a near duplicate points where its first copy points.
        copy_marks = copies.join(near_marks.withColumnRenamed("key", "first"), "first", "left").select(
            "key", F.coalesce("original", "first").alias("original")
        )
        names = found.select("key", "input")
        originals = names.select(F.col("key").alias("original"), F.col("input").alias("duplicate_of"))
        marks = near_marks.unionByName(copy_marks).join(names, "key").join(originals, "original")
        return marks.select("input", "duplicate_of").localCheckpoint()
    finally:
        found.unpersist()


def first_originals(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """From near pairs (a, b) with a before b: each record's original, the first earlier
    record near it that is not itself a duplicate (decided in input order)."""
    earlier: dict[str, list[str]] = {}
    for a, b in pairs:
        earlier.setdefault(b, []).append(a)
    originals: dict[str, str] = {}
    for record in sorted(earlier):  # every `a` before `record` is settled by now
        candidates = [a for a in earlier[record] if a not in originals]
        if candidates:
            originals[record] = min(candidates)
    return originals


def mark_duplicates(records: Any, **options: Any) -> Any:
    """records (RECORD_SCHEMA, and the column `order_by` names) with duplicate_of set where
    duplicate_marks found one. Options: those of duplicate_marks."""
    from pyspark.sql import functions as F

    marks = duplicate_marks(records, **options).withColumnRenamed("duplicate_of", "marked")
    columns = [
        F.col("marked").alias("duplicate_of") if c == "duplicate_of" else F.col(c) for c in records.columns
    ]
    return records.join(marks, "input", "left").select(*columns)
