"""Quality gate for clean_html on real pages: F1 floors pinned in bench/floors_html.json
(raised when the cleaner improves, never lowered), on aeb-dev and wcxb-dev-article with each
set's own metric (bench/aeb.py), and not one exception on any page of ../shared/benchmarks.
Skipped when the benchmark data is not there."""

from __future__ import annotations

import gzip
import json
from functools import cache
from pathlib import Path

import pytest

from cleaner import Cleaner

from .conftest import REPO, SHARED, load_bench

BENCHMARKS = SHARED / "benchmarks"
FLOORS = json.loads((REPO / "bench" / "floors_html.json").read_text(encoding="utf-8"))


aeb = load_bench("aeb")


def _data(name: str) -> Path:
    folder = BENCHMARKS / name
    if not (folder / "ground-truth.json").is_file():
        pytest.skip(f"benchmark data not found at {folder}")
    return folder


@cache
def _cleaned(name: str) -> tuple[object, list[str], list[str]]:
    """The set, the cleaner's text per page and the errors; computed once per session."""
    bench = aeb.load_set(_data(name))
    cleaner = Cleaner(REPO / "rules")
    texts, errors = [], []
    for page in bench.pages:
        try:
            texts.append(cleaner.clean_html(page.html, url=page.url or None).text)
        except Exception as exc:  # the gate reports every exception, then fails
            texts.append("")
            errors.append(f"{page.key}: {type(exc).__name__}: {exc}")
    return bench, texts, errors


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_f1_at_or_above_the_floor(name: str) -> None:
    bench, texts, _ = _cleaned(name)
    scores = aeb.score(bench, texts)
    floor = FLOORS[name]
    assert scores.f1 >= floor["f1"], f"{name}: F1 {scores.f1:.4f} under the floor {floor['f1']}"
    if "empty_long_max" in floor:
        assert scores.empty_long <= floor["empty_long_max"], f"{name}: {scores.empty_long} empty results"
    if "with_min" in floor:
        assert scores.with_share >= floor["with_min"]
    if "without_max" in floor:
        assert scores.without_share <= floor["without_max"]


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_no_exception_on_any_page(name: str) -> None:
    _, _, errors = _cleaned(name)
    assert errors == []


def test_no_exception_on_the_other_real_pages() -> None:
    """Every other page under ../shared/benchmarks, without a URL (metadata alone decides)."""
    pages = [p for p in BENCHMARKS.glob("*/*.html") if p.is_file()]
    pages += [p for p in BENCHMARKS.glob("*/html/*.html.gz") if p.parent.parent.name not in FLOORS]
    if not pages:
        pytest.skip(f"no other pages under {BENCHMARKS}")
    cleaner = Cleaner(REPO / "rules")
    for path in pages:
        data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
        cleaner.clean_html(data)  # raises -> fails, naming the page in the traceback
