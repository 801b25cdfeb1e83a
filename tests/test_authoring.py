"""cleaner rules list / check / new: the rule author's tools."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from cleaner.cli import main

from .conftest import REPO


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(REPO / "rules", tmp_path / "rules")
    shutil.copytree(REPO / "fixtures", tmp_path / "fixtures")
    shutil.copytree(REPO / "seeds", tmp_path / "seeds")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_list_counts_rules_and_fixtures(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "list", "--rules", "rules"]) == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.startswith("kompas.tv "))
    assert row.split()[2:4] == ["1", "2"]  # the kompas.tv seed is its text fixture; two HTML pages


def test_check_passes_on_the_bundled_rules(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "check", "rules"]) == 0
    assert "all valid, all with fixtures" in capsys.readouterr().out


def test_check_reports_a_site_without_fixtures(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (workspace / "rules" / "contoh.id.yaml").write_text("extends: [id-news]\nmatch: {domains: [contoh.id]}\n")
    assert main(["rules", "check", "rules"]) == 1
    assert "contoh.id: no fixture" in capsys.readouterr().err


def test_check_reports_duplicate_ids(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (workspace / "rules" / "contoh.id.yaml").write_text(
        "lines:\n  - id: promo\n    pattern: a\nspans:\n  - id: promo\n    pattern: b\n"
    )
    assert main(["rules", "check", "rules"]) == 2  # invalid rule files: the code `clean --rules` gives them
    err = capsys.readouterr().err
    assert "contoh.id.yaml: rule 'promo': key 'spans[0].id': duplicate rule id, also at lines[0].id" in err


def test_new_scaffolds_a_loadable_rule_file_and_a_fixture(
    workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "saved.txt"
    page.write_text(
        "Judul Berita Contoh Hari Ini\n"
        "Isi paragraf pertama berita ini cukup panjang untuk dibaca sebagai kalimat.\n"
        "Langganan buletin Contoh setiap pagi, gratis!\n"
        "Tim Redaksi: Budi\n",
        encoding="utf-8",
    )
    assert main(["rules", "new", "contoh.id", "--from", str(page)]) == 0
    out = capsys.readouterr().out
    rule_file = workspace / "rules" / "contoh.id.yaml"
    assert yaml.safe_load(rule_file.read_text())["match"]["domains"] == ["contoh.id"]
    assert (workspace / "fixtures" / "contoh.id" / "saved.txt").exists()
    assert "[promo-like] Langganan buletin Contoh" in out
    assert "[credit-like] Tim Redaksi: Budi" in out
    assert main(["rules", "new", "contoh.id"]) == 1  # never overwrites


def test_new_refuses_a_name_that_is_no_domain_and_a_page_it_cannot_clean(
    workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The name becomes a file name and the page a fixture: both were written as given, and
    a binary page made a fixture that `fixtures check` then failed on."""
    binary = tmp_path / "halaman.html"
    binary.write_bytes(bytes(range(256)) * 20)
    before = sorted(p.relative_to(workspace) for p in workspace.rglob("*"))
    for name in ("../../contoh", "contoh berita!", "contoh"):
        assert main(["rules", "new", name]) == 2
        assert f"{name!r} is not a domain name" in capsys.readouterr().err
    assert main(["rules", "new", "contoh.id", "--from", str(binary)]) == 1
    assert capsys.readouterr().err == f"cleaner: error: {binary}: binary data, not HTML\n"
    assert sorted(p.relative_to(workspace) for p in workspace.rglob("*")) == before  # nothing written
    assert main(["rules", "new", "WWW.Contoh-Berita.co.id"]) == 0
    assert (workspace / "rules" / "contoh-berita.co.id.yaml").is_file()


def test_scaffold_comments_are_valid_yaml_when_uncommented(workspace: Path) -> None:
    assert main(["rules", "new", "contoh.co.id"]) == 0
    text = (workspace / "rules" / "contoh.co.id.yaml").read_text()
    uncommented = "\n".join(
        line.replace("# ", "", 1)
        if line.startswith("#   ") or (line.startswith("# ") and ":" in line)
        else line
        for line in text.splitlines()
    )
    yaml.safe_load(uncommented.split("# html:")[0])  # the regex examples parse as YAML strings
