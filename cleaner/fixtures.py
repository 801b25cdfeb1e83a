"""Regression fixtures: an input page or text next to `<name>.expected.json`.

`cleaner fixtures check` diffs current output against the expected files;
`cleaner fixtures update` rewrites them after a deliberate change, for a person to review
with `git diff` before committing.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .core import Cleaner
from .errors import InputError
from .inputs import SUFFIXES, clean_path, input_suffix, is_continuation, stem_of, url_for

EXPECTED_SUFFIX = ".expected.json"


@dataclass(frozen=True)
class Fixture:
    input: Path
    expected: Path

    @property
    def name(self) -> str:
        return str(self.expected)[: -len(EXPECTED_SUFFIX)]

    @property
    def url(self) -> str | None:
        return url_for(self.input)


def discover(roots: Iterable[str | Path]) -> Iterator[Fixture]:
    """Every input file under the roots, paired with its expected file (which may not exist yet)."""
    for root in map(Path, roots):
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            if input_suffix(path) in SUFFIXES and path.is_file() and not is_continuation(path):
                yield Fixture(path, path.with_name(stem_of(path) + EXPECTED_SUFFIX))


def produce(cleaner: Cleaner, fixture: Fixture) -> dict[str, Any]:
    # Nothing in an Article depends on the clock or the machine: the record is compared whole.
    return clean_path(cleaner, fixture.input).to_dict()


def dump(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, indent=2) + "\n"


def diff_fixture(cleaner: Cleaner, fixture: Fixture) -> str | None:
    """A unified diff between expected and actual output, or None when they agree; a
    fixture that cannot be cleaned or read is one line saying why, never the end of a check."""
    try:
        actual = dump(produce(cleaner, fixture))
    except InputError as exc:
        return f"{fixture.input}: cannot be cleaned: {exc.reason}"
    if not fixture.expected.exists():
        return f"{fixture.expected}: missing (run `cleaner fixtures update` and review it)"
    try:
        expected = fixture.expected.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return f"{fixture.expected}: unreadable ({exc}); `cleaner fixtures update` rewrites it"
    if actual == expected:
        return None
    lines = difflib.unified_diff(
        expected.splitlines(keepends=True),
        actual.splitlines(keepends=True),
        fromfile=f"{fixture.expected} (expected)",
        tofile=f"{fixture.input} (actual)",
    )
    return "".join(lines)


def check_fixtures(cleaner: Cleaner, roots: Iterable[str | Path]) -> list[str]:
    return [d for fixture in discover(roots) if (d := diff_fixture(cleaner, fixture))]


def update_fixtures(cleaner: Cleaner, roots: Iterable[str | Path]) -> tuple[list[str], list[str]]:
    """The expected files rewritten, and why the fixtures that cannot be cleaned were left."""
    changed, failed = [], []
    for fixture in discover(roots):
        try:
            actual = dump(produce(cleaner, fixture))
        except InputError as exc:
            failed.append(f"{fixture.input}: cannot be cleaned: {exc.reason}")
            continue
        if not fixture.expected.exists() or _read(fixture.expected) != actual:
            fixture.expected.write_text(actual, encoding="utf-8")
            changed.append(str(fixture.expected))
    return changed, failed


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None  # rewritten
