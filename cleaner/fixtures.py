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
    """Every input under the roots, paired with its expected file (which may not exist yet).
    An entry named as an input that is no readable file (a dangling link, a folder named
    x.html) is a fixture too: its check says why it cannot be cleaned, rather than skip it.
    A root may also be one fixture, named by its input or by its expected file."""
    for root in map(Path, roots):
        if root.is_dir():
            yield from (_fixture(path) for path in sorted(root.rglob("*")) if _is_input(path))
        elif _is_input(root):
            yield _fixture(root)
        elif root.name.endswith(EXPECTED_SUFFIX) and root.parent.is_dir():
            beside = (_fixture(path) for path in sorted(root.parent.iterdir()) if _is_input(path))
            yield from (fixture for fixture in beside if fixture.expected == root)


def _is_input(path: Path) -> bool:
    return input_suffix(path) in SUFFIXES and not is_continuation(path)


def _fixture(path: Path) -> Fixture:
    return Fixture(path, path.with_name(stem_of(path) + EXPECTED_SUFFIX))


def orphans(roots: Iterable[str | Path], fixtures: Iterable[Fixture]) -> list[str]:
    """Expected files with no input beside them among the roots' `fixtures` (an input renamed
    or deleted): checked by nothing, they would pass in silence."""
    paired = {fixture.expected for fixture in fixtures}
    expected: set[Path] = set()
    for root in map(Path, roots):
        if root.is_dir():
            expected.update(root.rglob("*" + EXPECTED_SUFFIX))
        elif root.name.endswith(EXPECTED_SUFFIX):
            expected.add(root)
    return [f"{path}: no input beside it (checks nothing)" for path in sorted(expected - paired)]


def expected_site(fixture: Fixture) -> str | None:
    """The site the expected record names; None when it names none, or cannot be read (which
    `fixtures check` reports)."""
    try:
        record = json.loads(fixture.expected.read_bytes())
    except (OSError, ValueError):  # ValueError: JSON's errors, and bytes that are not UTF-8
        return None
    site = record.get("site") if isinstance(record, dict) else None
    return site if isinstance(site, str) and site else None


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
    roots = list(roots)
    fixtures = list(discover(roots))
    return [d for fixture in fixtures if (d := diff_fixture(cleaner, fixture))] + orphans(roots, fixtures)


def update_fixtures(cleaner: Cleaner, roots: Iterable[str | Path]) -> tuple[list[str], list[str]]:
    """The expected files rewritten, and why the fixtures that cannot be cleaned were left
    (expected files without an input among them)."""
    roots = list(roots)
    fixtures = list(discover(roots))
    changed, failed = [], orphans(roots, fixtures)
    for fixture in fixtures:
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
