"""The tables of the Spark job, with the record schema derived from the Article model.

RECORD_SCHEMA is what `cleaner clean` writes as one JSONL record, as a Spark StructType:
`input`, then every field of cleaner.models.Article in its order (Removal as a struct,
found_by as a map), then `duplicate_of` (null unless the record was marked a near duplicate).
It is built from the dataclasses' type hints, so a field added to Article is in the Spark
schema too, with no second list to keep in step.

ERROR_SCHEMA is one row per input that could not be cleaned: the input, the stage that
failed (STAGES) and the reason, worded as the CLI's summary words it.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from typing import Any, Literal

from pyspark.sql.types import (
    ArrayType,
    BinaryType,
    DataType,
    LongType,
    MapType,
    StringType,
    StructField,
    StructType,
)

from ..models import Article

# Why an input gave no record: its reader could not get a document out (a corrupt WARC, a
# line that is not JSON), the document cannot be cleaned (empty, binary, undecodable, too
# large), it ran past its time budget, or the cleaner failed on it (a bug, with its type).
STAGES = ("read", "input", "timeout", "clean")


def spark_type(hint: Any) -> tuple[DataType, bool]:
    """The Spark type of a model field's type hint, and whether it may be null."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType) and type(None) in args:
        (inner,) = [arg for arg in args if arg is not type(None)]
        return spark_type(inner)[0], True
    if hint is str or origin is Literal:
        return StringType(), False
    if hint is int:
        return LongType(), False
    if origin is list:
        return ArrayType(spark_type(args[0])[0], containsNull=False), False
    if origin is dict:
        return MapType(spark_type(args[0])[0], spark_type(args[1])[0], valueContainsNull=False), False
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return struct_of(hint), False
    raise TypeError(f"no Spark type for {hint!r}")


def struct_of(model: type) -> StructType:
    hints = typing.get_type_hints(model)
    fields = []
    for field in dataclasses.fields(model):
        kind, nullable = spark_type(hints[field.name])
        fields.append(StructField(field.name, kind, nullable))
    return StructType(fields)


ARTICLE_SCHEMA = struct_of(Article)
ARTICLE_FIELDS = tuple(ARTICLE_SCHEMA.fieldNames())

RECORD_SCHEMA = StructType(
    [
        StructField("input", StringType(), False),
        *ARTICLE_SCHEMA.fields,
        StructField("duplicate_of", StringType(), True),
    ]
)

ERROR_SCHEMA = StructType(
    [
        StructField("input", StringType(), False),
        StructField("stage", StringType(), False),  # one of STAGES
        StructField("reason", StringType(), False),
    ]
)

# What the cleaning step gives per input: an article or an error (stage and reason).
OUTCOME_SCHEMA = StructType(
    [
        StructField("input", StringType(), False),
        StructField("order", StringType(), False),  # see DOCUMENT_SCHEMA
        StructField("article", ARTICLE_SCHEMA, True),
        StructField("stage", StringType(), True),
        StructField("reason", StringType(), True),
    ]
)

# Documents to clean, as the readers give them. `order` sorts documents as `cleaner clean`
# meets them, which decides the "first" of duplicates: by file, then position in the file
# (`<file>\t<position, 12 digits>`); input names alone would not (WARC record ids are random,
# "line 10" sorts before "line 2"). `content` is a page's raw bytes (decoded by
# the cleaner, with `charset` from the HTTP header); `html` a page and `text` a text already
# decoded. `problem` is set when the reader could not get the document out (stage "read").
DOCUMENT_SCHEMA = StructType(
    [
        StructField("input", StringType(), False),
        StructField("order", StringType(), False),
        StructField("url", StringType(), True),
        StructField("content", BinaryType(), True),
        StructField("charset", StringType(), True),
        StructField("html", StringType(), True),
        StructField("text", StringType(), True),
        StructField("problem", StringType(), True),
    ]
)
