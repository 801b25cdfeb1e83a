"""The text path's quality gate: clean_text's F1 on real whole-page and paragraph dumps must
stay at or above the floors pinned in bench/floors_text.json (see bench/text_bench.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cleaner import Cleaner

from .conftest import SHARED, load_bench

BENCH = Path(__file__).resolve().parent.parent / "bench"


def test_floors_file_pins_every_set() -> None:
    floors = json.loads((BENCH / "floors_text.json").read_text(encoding="utf-8"))
    assert set(floors) == {"realid", "aeb", "wcxb"}
    assert floors["realid"]["dumps_below_identity"] == 0
    assert all(0 < floors[s][f"clean_text_{x}"] <= 1 for s in floors for x in "ab")


def test_gate_flags_a_figure_below_its_floor() -> None:
    bench = load_bench("text_bench")
    floors = {"realid": {"clean_text_a": 0.9, "dumps_below_identity": 0}}
    assert bench.gate_failures({"realid": {"clean_text_a": 0.95, "dumps_below_identity": 0}}, floors) == []
    assert bench.gate_failures({"realid": {"clean_text_a": 0.89, "dumps_below_identity": 1}}, floors) == [
        "realid clean_text_a: 0.89 (floor 0.9)",
        "realid dumps_below_identity: 1 (floor 0)",
    ]


@pytest.mark.skipif(not (SHARED / "benchmarks").is_dir(), reason="../shared/benchmarks not present")
def test_clean_text_stays_at_or_above_its_floors(cleaner: Cleaner) -> None:
    bench = load_bench("text_bench")
    floors = json.loads((BENCH / "floors_text.json").read_text(encoding="utf-8"))
    figures = bench.gate_figures(SHARED / "benchmarks", cleaner)
    assert figures, "no benchmark set found"
    assert bench.gate_failures(figures, floors) == []
