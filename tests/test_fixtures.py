"""Every fixture page against its reviewed expected output. After a deliberate change run
`cleaner fixtures update`, then review `git diff fixtures seeds` before committing."""

from __future__ import annotations

import pytest

from cleaner import Cleaner
from cleaner.fixtures import diff_fixture, discover

from .conftest import REPO

FIXTURES = list(discover([REPO / "fixtures", REPO / "seeds"]))


def test_there_are_fixtures() -> None:
    assert len(FIXTURES) >= 6


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda f: str(f.input.relative_to(REPO)))
def test_fixture(cleaner: Cleaner, fixture) -> None:  # type: ignore[no-untyped-def]
    diff = diff_fixture(cleaner, fixture)
    assert diff is None, "\n" + diff


def test_every_site_rule_file_has_a_fixture(cleaner: Cleaner) -> None:
    covered = {cleaner.clean_text(f.input.read_text(encoding="utf-8"), url=f.url).site for f in FIXTURES}
    missing = {s.name for s in cleaner.rules.sites} - covered
    assert not missing, f"site rule files without a fixture: {sorted(missing)}"
