"""The `cleaner` command, called in-process through main() and once as `python -m cleaner`."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cleaner.batch import STATE_FILE
from cleaner.cli import main

from .conftest import REPO

ARTICLE = """\
JAKARTA, KOMPAS.TV - Pemerintah menaikkan anggaran subsidi pupuk untuk musim tanam tahun ini.
Baca juga: Judul lain tentang harga pangan
Menteri Pertanian mengatakan tambahan anggaran akan disalurkan melalui kelompok tani.
Penulis: Budi Santoso
"""
BAD_RULE = """\
extends: [id-news]
match:
  domains: [rusak.example.id]
lines:
  - id: kurung-tidak-tertutup
    pattern: "("
"""


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    (folder / "nasional").mkdir(parents=True)
    (folder / "nasional" / "pupuk.txt").write_text(ARTICLE, encoding="utf-8")
    (folder / "ekonomi.txt").write_text(ARTICLE.replace("pupuk", "benih"), encoding="utf-8")
    return folder


def test_clean_prints_the_summary_and_exits_0(
    inputs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert main(["clean", str(inputs), "-o", str(out), "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert "2 cleaned" in printed
    assert any(line.split() == ["id-news/baca-juga", "2"] for line in printed.splitlines())
    assert (out / "nasional" / "pupuk.json").exists()


def test_clean_exits_1_and_names_the_failure(
    inputs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (inputs / "rusak.txt").write_bytes(b"\x00\x01\x02binary\x00")
    out = tmp_path / "out"
    assert main(["clean", str(inputs), "-o", str(out), "--format", "jsonl", "--quiet"]) == 1
    printed = capsys.readouterr().out
    assert f"{inputs / 'rusak.txt'}: binary data, not text" in printed
    assert len((out / "articles.jsonl").read_text(encoding="utf-8").splitlines()) == 2


def test_clean_to_stdout_writes_the_jsonl_records_and_nothing_else(
    inputs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (inputs / "rusak.txt").write_bytes(b"\x00\x01\x02binary\x00")
    assert main(["clean", str(inputs), "-o", str(tmp_path / "out"), "--format", "jsonl", "-q"]) == 1
    in_folder = (tmp_path / "out" / "articles.jsonl").read_text(encoding="utf-8").splitlines()
    capsys.readouterr()
    monkeypatch.chdir(tmp_path)
    before = sorted(tmp_path.rglob("*"))
    assert main(["clean", str(inputs), "-o", "-"]) == 1
    printed = capsys.readouterr()
    assert sorted(printed.out.splitlines()) == sorted(in_folder)  # the same records, on stdout only
    assert [json.loads(line)["input"] for line in printed.out.splitlines()] == [
        str(inputs / "ekonomi.txt"),
        str(inputs / "nasional" / "pupuk.txt"),
    ]
    assert "2 cleaned" in printed.err and f"{inputs / 'rusak.txt'}: binary data, not text" in printed.err
    assert sorted(tmp_path.rglob("*")) == before  # no folder called '-', no state file
    # -q: no summary unless something failed
    (inputs / "rusak.txt").unlink()
    assert main(["clean", str(inputs), "-o", "-", "-q"]) == 0
    assert capsys.readouterr().err == ""
    assert main(["clean", str(inputs), "-o", "-", "--format", "txt"]) == 2
    assert "-o - writes JSONL" in capsys.readouterr().err


def test_rerun_skips_and_force_redoes(
    inputs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["clean", str(inputs), "-o", str(tmp_path / "out"), "--format", "txt", "--quiet"]
    assert main(args) == 0
    assert main(args) == 0
    assert "0 cleaned, 2 skipped" in capsys.readouterr().out
    assert main([*args, "--force", "--workers", "2"]) == 0
    assert "2 cleaned, 0 skipped" in capsys.readouterr().out


def test_broken_rules_folder_exits_2_with_file_and_rule(
    inputs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(REPO / "rules", rules)
    (rules / "rusak.example.id.yaml").write_text(BAD_RULE, encoding="utf-8")
    out = tmp_path / "out"
    assert main(["clean", str(inputs), "-o", str(out), "--rules", str(rules)]) == 2
    err = capsys.readouterr().err
    assert "rusak.example.id.yaml" in err and "kurung-tidak-tertutup" in err and "bad regex" in err
    assert "Traceback" not in err
    assert not out.exists()  # nothing is written with broken rules


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["clean", "x"],  # no -o
        ["clean", "x", "-o", "out", "--workers", "0"],
        ["clean", "x", "-o", "out", "--format", "xml"],
        ["clean", "x", "-o", "out", "--dedup", "near", "--dedup-threshold", "2"],  # was a traceback
        ["clean", "x", "-o", "out", "--dedup", "near", "--dedup-threshold", "nan"],
        ["fixtures", "verify"],
    ],
)
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    assert "usage:" in capsys.readouterr().err


def test_output_that_is_a_file_exits_2(
    inputs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.json"
    out.write_text("{}", encoding="utf-8")
    assert main(["clean", str(inputs), "-o", str(out)]) == 2
    assert "not a folder" in capsys.readouterr().err
    for inside in (out / "records.jsonl", out / "sub" / "out"):  # said "File exists", or "Not a directory"
        assert main(["clean", str(inputs), "-o", str(inside)]) == 2
        assert capsys.readouterr().err == f"cleaner: error: -o {inside}: {out} is not a folder\n"


def test_explain_names_the_rule(inputs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", str(inputs / "ekonomi.txt")]) == 0
    assert "id-news/baca-juga" in capsys.readouterr().out


def test_explain_of_an_empty_file_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "kosong.txt"
    empty.write_text("", encoding="utf-8")
    assert main(["explain", str(empty)]) == 1
    assert "empty" in capsys.readouterr().err


def test_an_unwritable_run_state_names_its_file(
    inputs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Said "cannot write to OUT", of a folder that could be written."""
    out = tmp_path / "out"
    (out / STATE_FILE).mkdir(parents=True)
    assert main(["clean", str(inputs), "-o", str(out), "-q"]) == 2
    assert f"cannot write to {out / STATE_FILE}: Is a directory" in capsys.readouterr().err


def test_fixtures_update_then_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "fixtures"
    root.mkdir()
    (root / "berita.txt").write_text(ARTICLE, encoding="utf-8")
    expected = root / "berita.expected.json"
    assert main(["fixtures", "check", str(root)]) == 1  # no expected file yet
    assert main(["fixtures", "update", str(root)]) == 0
    assert str(expected) in capsys.readouterr().out
    assert main(["-v", "fixtures", "check", str(root)]) == 0
    record = json.loads(expected.read_text(encoding="utf-8"))
    record["paragraphs"].append("Paragraf yang tidak ada.")
    expected.write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["fixtures", "check", str(root)]) == 1
    assert "Paragraf yang tidak ada." in capsys.readouterr().out


def test_a_broken_fixture_is_one_line_and_the_check_goes_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A binary fixture input or an expected file that is not UTF-8 stopped the whole check
    with a traceback."""
    root = tmp_path / "fixtures"
    root.mkdir()
    for name in ("a", "b", "c"):
        (root / f"{name}.txt").write_text(ARTICLE, encoding="utf-8")
    assert main(["fixtures", "update", str(root)]) == 0
    (root / "a.expected.json").write_bytes(b"\xff\xfe\x00 not utf-8")
    (root / "b.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    capsys.readouterr()
    assert main(["fixtures", "check", str(root)]) == 1
    out = capsys.readouterr().out
    assert f"{root / 'a.expected.json'}: unreadable (" in out
    assert f"{root / 'b.txt'}: cannot be cleaned: binary data, not text" in out
    assert "c.txt" not in out  # checked, and it matches
    assert main(["fixtures", "update", str(root)]) == 1  # a rewritten, b left with its reason
    captured = capsys.readouterr()
    assert str(root / "a.expected.json") in captured.out and "b.txt: cannot be cleaned" in captured.err


def test_fixtures_that_check_nothing_are_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A dangling link or a folder named as an input was skipped, and an expected file whose
    input was renamed was never read: all passed in silence."""
    root = tmp_path / "fixtures"
    root.mkdir()
    (root / "a.txt").write_text(ARTICLE, encoding="utf-8")
    assert main(["fixtures", "update", str(root)]) == 0
    (root / "hilang.txt").symlink_to(root / "nowhere.txt")
    (root / "folder.html").mkdir()
    (root / "lama.expected.json").write_text("{}", encoding="utf-8")
    capsys.readouterr()
    assert main(["fixtures", "check", str(root)]) == 1
    out = capsys.readouterr().out
    assert f"{root / 'hilang.txt'}: cannot be cleaned: unreadable" in out
    assert f"{root / 'folder.html'}: cannot be cleaned: unreadable" in out
    assert f"{root / 'lama.expected.json'}: no input beside it" in out
    assert "a.txt" not in out  # checked, and it matches


def test_one_fixture_is_checked_by_its_input_or_its_expected_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`fixtures check FILE` said "no fixtures found in FILE": only folders were read."""
    root = tmp_path / "fixtures"
    root.mkdir()
    for name in ("a", "b"):
        (root / f"{name}.txt").write_text(ARTICLE, encoding="utf-8")
    assert main(["fixtures", "update", str(root)]) == 0
    (root / "b.expected.json").write_text("{}", encoding="utf-8")  # b no longer matches
    (root / "lama.expected.json").write_text("{}", encoding="utf-8")  # its input is gone
    capsys.readouterr()
    for given in ("a.txt", "a.expected.json"):
        assert main(["fixtures", "check", str(root / given)]) == 0
        assert capsys.readouterr().out.strip() == "The fixture matches."
    assert main(["fixtures", "check", str(root / "b.expected.json")]) == 1
    assert f"{root / 'b.expected.json'} (expected)" in capsys.readouterr().out
    assert main(["fixtures", "check", str(root / "lama.expected.json")]) == 1
    assert f"{root / 'lama.expected.json'}: no input beside it" in capsys.readouterr().out
    (root / "catatan.md").write_text("bukan fixture", encoding="utf-8")
    assert main(["fixtures", "check", str(root / "catatan.md")]) == 2
    assert "no fixtures found in" in capsys.readouterr().err
    assert main(["fixtures", "check", str(root / "tidak-ada.txt")]) == 2
    assert "no such file or folder" in capsys.readouterr().err


@pytest.mark.parametrize("expected", [b"{broken", b"\xff\xfe", b"[1]", b'{"site": 5}'])
def test_rules_list_counts_past_an_unreadable_expected_file(
    tmp_path: Path, expected: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each of these was a traceback from `rules list`; `fixtures check` names them."""
    root = tmp_path / "fixtures"
    root.mkdir()
    (root / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (root / "a.expected.json").write_bytes(expected)
    assert main(["rules", "list", "--fixtures", str(root)]) == 0
    assert capsys.readouterr().out.rstrip().endswith(" sites")


def test_explain_reads_a_misnamed_file_as_clean_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = tmp_path / "teks.html"
    text.write_text(ARTICLE, encoding="utf-8")
    assert main(["explain", str(text)]) == 0
    out = capsys.readouterr().out
    assert "status: ok" in out and "note: named as a page, but it holds no markup" in out
    page = tmp_path / "halaman.txt"
    paragraphs = "".join(f"<p>{line}</p>" for line in ARTICLE.splitlines())
    page.write_text(
        f"<!DOCTYPE html><html><head><title>Judul Berita</title></head><body>{paragraphs}</body></html>"
    )
    assert main(["explain", str(page)]) == 0
    out = capsys.readouterr().out
    assert (
        "<p>" not in out
        and "title: Judul Berita" in out
        and "note: named as a text, but it opens with HTML" in out
    )


def test_python_dash_m_cleaner(inputs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    command = [sys.executable, "-m", "cleaner", "clean", str(inputs), "-o", str(out), "--workers", "2"]
    done = subprocess.run(command, capture_output=True, text=True, encoding="utf-8", check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Documents: 2 total, 2 cleaned")
    assert (out / "ekonomi.json").exists()
