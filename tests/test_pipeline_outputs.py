"""Outputs for pipelines: lean records, the summary as JSON, a summary that stays short."""

from __future__ import annotations

import gzip
import json
from collections import Counter
from pathlib import Path

import pytest
import zstandard

from cleaner import Cleaner
from cleaner.batch import LEAN_FIELDS, BatchOptions, Summary, run_batch, serialize
from cleaner.cli import main

from .conftest import REPO
from .test_batch import GOOD, InterruptingCleaner, jsonl_records


@pytest.fixture
def texts(tmp_path: Path) -> Path:
    root = tmp_path / "in"
    for rel, text in GOOD.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    (root / "kosong.txt").write_text(" \n", encoding="utf-8")
    return root


def test_lean_records_drop_the_bulky_fields_and_keep_the_body(texts: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    argv = ["clean", str(texts), "-o", str(out), "--format", "jsonl", "--workers", "1"]
    assert main([*argv, "--fields", "lean"]) == 1  # kosong.txt is empty
    records = jsonl_records(out)
    assert all(list(r) == ["input", *LEAN_FIELDS] for r in records)
    assert all("removed" not in r and "paragraphs" not in r and r["text"] for r in records)
    # Other fields are other outputs: a rerun with all fields redoes every record.
    assert main([*argv, "-q"]) == 1
    assert all("removed" in r for r in jsonl_records(out))


def test_fields_chosen_by_name(texts: Path, tmp_path: Path, cleaner: Cleaner) -> None:
    out = tmp_path / "out"
    run_batch([texts], out, BatchOptions(fmt="json", fields=["url", "text"]), cleaner=cleaner)
    record = json.loads((out / "kompas.json").read_text(encoding="utf-8"))
    assert list(record) == ["input", "url", "text"]
    with pytest.raises(ValueError, match="unknown field"):
        run_batch([texts], out, BatchOptions(fields=["txet"]), cleaner=cleaner)
    assert main(["clean", str(texts), "-o", str(out), "--fields", "txet"]) == 2


def test_the_summary_as_json_has_every_failure(texts: Path, tmp_path: Path) -> None:
    summary_file = tmp_path / "summary.json"
    argv = [
        "clean",
        str(texts),
        "-o",
        str(tmp_path / "out"),
        "--workers",
        "1",
        "--summary-json",
        str(summary_file),
    ]
    assert main(argv) == 1
    data = json.loads(summary_file.read_text(encoding="utf-8"))
    assert data["counts"] == {
        "total": 4,
        "cleaned": 3,
        "skipped": 0,
        "failed": 1,
        "empty": 0,
        "duplicates": 0,
    }
    assert data["failures"] == [{"input": str(texts / "kosong.txt"), "reason": "empty"}]
    assert data["rules"]["id-news/baca-juga"] == 3


def test_the_summary_as_json_on_stdout(
    texts: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """'-' wrote a file named '-'."""
    assert main(["clean", str(texts), "-o", str(tmp_path / "out"), "--summary-json", "-"]) == 1
    captured = capsys.readouterr()
    assert json.loads(captured.out)["counts"]["cleaned"] == 3 and "Documents: 4 total" in captured.err
    assert not (Path.cwd() / "-").exists()
    assert main(["clean", str(texts), "-o", "-", "--summary-json", "-"]) == 2
    assert "both write to standard output" in capsys.readouterr().err


@pytest.mark.parametrize("where", ["a folder", "under a file"])
def test_a_summary_json_that_cannot_be_written_is_refused_before_the_run(
    texts: Path, tmp_path: Path, where: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Refused only after the run had cleaned every input: a long run ended in an error."""
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    target = tmp_path if where == "a folder" else tmp_path / "afile" / "summary.json"
    out = tmp_path / "out"
    assert main(["clean", str(texts), "-o", str(out), "--summary-json", str(target)]) == 2
    assert not out.exists() and str(target) in capsys.readouterr().err


def test_the_printed_summary_lists_the_top_sites_only() -> None:
    summary = Summary(total=40, cleaned=40)
    summary.sites = Counter({f"site{i:02}.example": 40 - i for i in range(40)})
    text = summary.render()
    assert "site00.example" in text and "site24.example" in text and "site25.example" not in text
    assert "... 15 more, " in text


def test_one_long_name_does_not_pad_every_row_of_the_summary() -> None:
    summary = Summary(total=2, cleaned=2)
    summary.rules = Counter({"id-news/baca-juga": 1, "contoh/" + "x" * 5000: 1})
    assert max(len(line) for line in summary.render().splitlines() if "baca-juga" in line) < 60


@pytest.mark.parametrize("name", ["articles.jsonl", "articles.jsonl.gz", "articles.jsonl.zst"])
def test_one_jsonl_file_as_output(texts: Path, tmp_path: Path, name: str) -> None:
    target = tmp_path / "hasil" / name
    assert main(["clean", str(texts), "-o", str(target), "--workers", "2", "-q"]) == 1  # kosong.txt
    data = target.read_bytes()
    if name.endswith(".gz"):
        data = gzip.decompress(data)
    elif name.endswith(".zst"):
        data = zstandard.ZstdDecompressor().decompressobj().decompress(data)
    records = [json.loads(line) for line in data.decode("utf-8").splitlines()]
    assert sorted(r["input"] for r in records) == sorted(str(texts / rel) for rel in GOOD)
    assert sorted(p.name for p in target.parent.iterdir()) == [name]  # no temporary file left
    assert main(["clean", str(texts), "-o", str(target), "--format", "txt"]) == 2


def test_one_jsonl_file_holds_its_records_in_input_order_whatever_the_workers(tmp_path: Path) -> None:
    """Workers finish in any order; the file is the same bytes with one worker or two. The
    first text is slow to clean, so two workers finish most of the others before it."""
    folder = tmp_path / "in"
    folder.mkdir()
    seed = sorted((REPO / "seeds").glob("*.txt"))[0].read_text(encoding="utf-8")
    (folder / "a-panjang.txt").write_text(seed * 400, encoding="utf-8")
    for i in range(60):
        (folder / f"b-{i:02}.txt").write_text(f"{seed}\n(dokumen {i})\n", encoding="utf-8")
    files = {}
    for workers in ("1", "2"):
        target = tmp_path / f"w{workers}.jsonl"
        assert main(["clean", str(folder), "-o", str(target), "--workers", workers, "-q"]) == 0
        files[workers] = target.read_bytes()
    inputs = [json.loads(line)["input"] for line in files["2"].splitlines()]
    assert inputs == sorted(str(path) for path in folder.iterdir())
    assert files["2"] == files["1"]


def test_jsonl_on_stdout_and_the_summary_on_stderr(
    texts: Path, capsys: pytest.CaptureFixture[str], cleaner: Cleaner
) -> None:
    assert main(["clean", str(texts), "-o", "-", "--workers", "1"]) == 1
    captured = capsys.readouterr()
    records = [json.loads(line) for line in captured.out.splitlines()]
    inputs = [str(texts / name) for name in ("banjir.txt", "kompas.txt", "daerah/panen.txt")]
    assert [r["input"] for r in records] == inputs  # one process: the walk's order
    assert captured.err.startswith("Documents: 4 total, 3 cleaned")


def test_an_interrupted_stream_leaves_no_partial_file(texts: Path, tmp_path: Path, cleaner: Cleaner) -> None:
    target = tmp_path / "articles.jsonl"
    with pytest.raises(KeyboardInterrupt):
        run_batch(
            [texts], target, BatchOptions(fmt="jsonl"), cleaner=InterruptingCleaner(rules=cleaner.rules)
        )
    assert list(tmp_path.iterdir()) == [texts]


def test_records_are_article_to_dict(cleaner: Cleaner) -> None:
    """serialize builds records without dataclasses.asdict (slow); they must stay the same."""
    pages = sorted((REPO / "fixtures").rglob("*.html"))[:8]
    articles = [cleaner.clean_html(page.read_bytes()) for page in pages]
    articles += [cleaner.clean_text(text) for text in GOOD.values()]
    for article in articles:
        record = {"input": "x", **article.to_dict()}
        indented = json.dumps(record, ensure_ascii=False, indent=2) + "\n"
        compact = json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"
        assert serialize("x", article, "json") == indented.encode("utf-8")
        assert serialize("x", article, "jsonl") == compact.encode("utf-8")


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_reader_that_leaves_ends_the_run_quietly(workers: str) -> None:
    """`cleaner clean ... -o - | head -1`: no traceback, no per-input "failures" for the
    records nobody reads, workers gone."""
    import subprocess
    import sys

    command = [
        sys.executable,
        "-m",
        "cleaner",
        "clean",
        str(REPO / "seeds"),
        str(REPO / "fixtures"),
        "-o",
        "-",
    ]
    with subprocess.Popen(
        [*command, "--workers", workers], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as run:
        assert run.stdout is not None and run.stderr is not None
        first = run.stdout.readline()
        run.stdout.close()  # the reader leaves
        stderr = run.stderr.read()
        code = run.wait(timeout=60)
    assert json.loads(first)["input"]
    assert "Traceback" not in stderr and "Broken pipe" not in stderr, stderr
    assert code in (0, 1)
