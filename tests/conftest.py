from __future__ import annotations

from pathlib import Path

import pytest

from cleaner import Cleaner

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def cleaner() -> Cleaner:
    return Cleaner(REPO / "rules")


def body_of(cleaner: Cleaner, text: str, **kwargs: str) -> list[str]:
    return cleaner.clean_text(text, **kwargs).paragraphs
