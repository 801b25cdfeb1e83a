"""Cleaning inside Spark tasks: one Cleaner per Python worker, one outcome row per document.

`clean_partition` is the mapPartitions function. It builds the Cleaner once for the
partition (kept for the next partitions the same Python worker runs, since Spark reuses its
workers) from the bundled rules, or from a rules folder the driver shipped with
SparkContext.addFile (`ship_rules`). Each document is cleaned under the per-document time
budget of `cleaner clean` (cleaner.limits.time_budget: an alarm signal, which reaches
PySpark's workers because they run tasks on their main thread). Whatever one document does,
the task goes on: a failure becomes an error row (input, stage, reason), never a failed task.
"""

from __future__ import annotations

import dataclasses
import logging
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

from ..containers import checked_page
from ..core import Cleaner
from ..decode import MAX_BYTES
from ..errors import InputError
from ..inputs import clean_document
from ..limits import DEFAULT_TIMEOUT
from ..models import Article, Removal
from ..rules import load_rules
from ..storage import Failed, clean_one
from .schema import ARTICLE_FIELDS

logger = logging.getLogger(__name__)

RULES_PREFIX = "cleaner-rules-"
REMOVAL_FIELDS = tuple(field.name for field in dataclasses.fields(Removal))

_cleaners: dict[str | None, Cleaner] = {}  # per Python worker: rules name -> its Cleaner


def ship_rules(spark_context: Any, rules_dir: str | Path) -> str:
    """Check a rules folder on the driver (a broken rule fails the job before any task runs)
    and ship it to the executors. Returns the name clean_partition finds it by: it carries
    the rules' fingerprint, so rules changed within one Spark application are new files."""
    rules = load_rules(rules_dir)
    name = RULES_PREFIX + rules.fingerprint[:16]
    staged = Path(tempfile.gettempdir()) / "cleaner-spark" / name
    if not staged.is_dir():  # copied aside, then renamed: a staged folder is always complete
        staged.parent.mkdir(parents=True, exist_ok=True)
        partial = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=staged.parent))
        shutil.copytree(rules_dir, partial, dirs_exist_ok=True)
        try:
            partial.rename(staged)
        except OSError:  # another job staged the same rules meanwhile
            shutil.rmtree(partial, ignore_errors=True)
    spark_context.addFile(str(staged), recursive=True)  # the same path again is a no-op
    return name


def partition_cleaner(rules: str | None) -> Cleaner:
    """The Cleaner of this Python worker for the rules shipped as `rules` (None: bundled)."""
    if rules not in _cleaners:
        if rules is None:
            _cleaners[rules] = Cleaner()
        else:
            from pyspark import SparkFiles

            _cleaners[rules] = Cleaner(SparkFiles.get(rules))
    return _cleaners[rules]


def clean_partition(
    rows: Iterable[Any],
    *,
    rules: str | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
    max_bytes: int = MAX_BYTES,
) -> Iterator[tuple[Any, ...]]:
    """Rows with `url` and `html` (str or bytes) or `text`, and optionally `input` (the name in
    records; default the URL), `order`, `content` (raw page bytes), `charset` and `problem`
    (see DOCUMENT_SCHEMA), to rows of OUTCOME_SCHEMA: (input, order, article, None, None) or
    (input, order, None, stage, reason)."""
    cleaner = partition_cleaner(rules)
    for row in rows:
        yield clean_row(cleaner, row, timeout=timeout, max_bytes=max_bytes)


def clean_row(
    cleaner: Cleaner, row: Any, *, timeout: float | None = DEFAULT_TIMEOUT, max_bytes: int = MAX_BYTES
) -> tuple[Any, ...]:
    get: Callable[[str], Any] = row.get if isinstance(row, dict) else partial(getattr_or_none, row)
    url = get("url")
    name = get("input") or url or "(no input name)"
    order = get("order") or name
    if get("problem"):
        return (name, order, None, "read", get("problem"))
    # The clean-one step of every driver (cleaner.storage): its stage names the error row's.
    outcome = clean_one(lambda: _clean(cleaner, get, url, max_bytes), article_row, timeout)
    if isinstance(outcome, Failed):
        if outcome.detail:  # a bug, not the input's fault: its traceback goes to the executor's log
            logger.warning("%s failed:\n%s", name, outcome.detail)
        return (name, order, None, outcome.stage, outcome.reason)
    return (name, order, outcome, None, None)


def getattr_or_none(row: Any, key: str) -> Any:
    return getattr(row, key, None)


def _clean(cleaner: Cleaner, get: Callable[[str], Any], url: str | None, max_bytes: int) -> Article:
    content, html, text = get("content"), get("html"), get("text")
    if isinstance(html, (bytes, bytearray)):
        content, html = html, None
    if content is not None:
        page = checked_page(bytes(content), max_bytes=max_bytes)
        return cleaner.clean_html(page, url=url, encoding=get("charset"))
    if html is not None:
        return clean_document(cleaner, _checked_text(html, "html", max_bytes), "html", url=url)
    if text is not None:
        return clean_document(cleaner, _checked_text(text, "text", max_bytes), "text", url=url)
    raise InputError("empty: no html or text")


def _checked_text(value: str, field: str, max_bytes: int) -> str:
    # As the CLI words it for a JSONL document (cleaner.containers.read_jsonl_document).
    if len(value) > max_bytes:
        raise InputError(f"too large: over {max_bytes} bytes")
    if not value.strip():
        raise InputError(f"empty: no text in field {field!r}")
    return value


def article_row(article: Article) -> tuple[Any, ...]:
    """An Article as a row of ARTICLE_SCHEMA (fields in the model's order)."""
    values = []
    for key in ARTICLE_FIELDS:
        value = getattr(article, key)
        if key == "removed":
            value = [_removal_row(removal) for removal in value]
        values.append(value)
    return tuple(values)


def _removal_row(removal: Removal) -> tuple[Any, ...]:
    return tuple(getattr(removal, key) for key in REMOVAL_FIELDS)
