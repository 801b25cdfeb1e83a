"""Rule mistakes that used to pass silently now fail `cleaner rules check`, naming the file,
the rule and the key; and what the rule files now say instead of Python."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cleaner import Cleaner
from cleaner.cli import main
from cleaner.rules import load_rules, rule_file_schema

from .conftest import REPO


def broken_folder(tmp_path: Path, content: str, name: str = "example.com.yaml") -> Path:
    """The shipped rules plus one site file written by the test."""
    target = tmp_path / "rules"
    shutil.copytree(REPO / "rules", target, dirs_exist_ok=True)
    (target / name).write_text(content, encoding="utf-8")
    return target


def check_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, name: str = "example.com.yaml"
) -> str:
    """`cleaner rules check` on the folder: refused with a usage error; its message."""
    folder = broken_folder(tmp_path, content, name)
    assert main(["rules", "check", str(folder), "--fixtures", str(REPO / "fixtures")]) == 2
    return capsys.readouterr().err


SITE = "extends: [id-news]\nmatch: {domains: [example.com]}\n"


@pytest.mark.parametrize(
    ("section", "where"),
    [
        ("prefixes", "head"),
        ("prefixes", "last"),
        ("cut", "lead"),
        ("blocks", "head"),
        ("title_suffixes", "last"),
    ],
)
def test_where_a_section_never_reads_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], section: str, where: str
) -> None:
    err = check_fails(
        tmp_path, capsys, SITE + f"{section}:\n  - id: stamp\n    where: {where}\n    pattern: 'X'\n"
    )
    assert "example.com.yaml: rule 'stamp'" in err
    assert f"key '{section}[0].where'" in err
    assert f"`where: {where}` never runs in {section}" in err


def test_every_where_a_section_reads_is_accepted(tmp_path: Path) -> None:
    content = SITE + "".join(
        f"{section}:\n"
        + "".join(f"  - id: {section}-{w}\n    where: {w}\n    pattern: 'X{w}'\n" for w in wheres)
        for section, wheres in {
            "lines": ("any", "head", "lead", "last"),
            "prefixes": ("any", "lead"),
            "spans": ("any", "head", "lead", "last"),
            "cut": ("any",),
        }.items()
    )
    ruleset = load_rules(broken_folder(tmp_path, content)).sets["example.com"]
    assert [r.where for r in ruleset.prefixes[:2]] == ["any", "lead"]


def test_a_yaml_that_expands_past_all_reason_or_nests_too_deep_is_one_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Nine lists of nine aliases, eight deep: 43 million values that validation expanded into
    a 200 MB error line (4 s, 750 MB; one level more, ten times that). A list nested 50,000
    deep raised RecursionError from PyYAML: a traceback."""
    levels = ['x0: &x0 ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    levels += [f"x{i}: &x{i} [{', '.join([f'*x{i - 1}'] * 9)}]" for i in range(1, 8)]
    bomb = SITE + "\n".join(levels) + "\nlines:\n  - {id: a, pattern: x, where: *x7}\n"
    err = check_fails(tmp_path, capsys, bomb)
    assert (
        "example.com.yaml: over 100000 values once its YAML aliases are expanded" in err and len(err) < 2000
    )
    deep = SITE + "x: " + "[" * 50_000 + "]" * 50_000 + "\n"
    assert "example.com.yaml: invalid YAML: nested too deep" in check_fails(tmp_path, capsys, deep)


def test_unknown_disable_id_is_refused_with_a_suggestion(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    err = check_fails(tmp_path, capsys, SITE + "disable: [baca-juga-bare, baca-jgua]\n")
    assert "example.com.yaml: rule 'baca-jgua': key 'disable[1]'" in err
    assert "did you mean 'baca-juga'?" in err


def test_inherited_selectors_can_be_disabled(tmp_path: Path) -> None:
    content = SITE + "disable: [web/figcaption, share-bar, web/ad-slot]\n"
    ruleset = load_rules(broken_folder(tmp_path, content)).sets["example.com"]
    assert [s.text for s in ruleset.html_caption] == ["p.wp-caption-text"]
    removes = {r.id for r in ruleset.html_remove}
    assert "web/ad-slot" not in removes and "web/share-bar" not in removes
    assert "web/breadcrumb" in removes  # hard negative: only what was named
    assert "id-news/share-bar" not in {r.id for r in ruleset.lines}  # short ids disable every match
    shipped = load_rules(REPO / "rules").sets["kompas.tv"]
    assert [s.text for s in shipped.html_caption][-2:] == ["figcaption", "p.wp-caption-text"]


def test_lookup_keys_differing_only_in_case_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    err = check_fails(tmp_path, capsys, SITE + "sources:\n  Ant: Antara\n  ANT: Antara\n")
    assert "example.com.yaml: key 'sources.ANT'" in err and "same key as 'Ant'" in err
    err = check_fails(tmp_path, capsys, SITE + "timezones:\n  WIB: '+07:00'\n  wib: '+07:00'\n")
    assert "key 'timezones.wib'" in err


@pytest.mark.parametrize(
    ("content", "key", "said"),
    [
        ("timezones:\n  WIB: Asia/Jakarta\n", "timezones.WIB", "'Asia/Jakarta' is not a UTC offset"),
        ("timezones:\n  WIB: '+25:00'\n", "timezones.WIB", "'+25:00' is not a UTC offset"),
        ("timezones:\n  WIB: '+07:60'\n", "timezones.WIB", "'+07:60' is not a UTC offset"),
        ("timezone: Asia/Jakarta\n", "timezone", "'Asia/Jakarta' is neither a UTC offset"),
        ("timezone: WIBB\n", "timezone", "'WIBB' is neither a UTC offset"),
    ],
)
def test_a_zone_that_is_no_utc_offset_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, key: str, said: str
) -> None:
    """Before, "Asia/Jakarta" left every time unzoned without a word, and "+25:00" failed
    every document of the site."""
    err = check_fails(tmp_path, capsys, SITE + content)
    assert f"example.com.yaml: key '{key}'" in err and said in err


@pytest.mark.parametrize("zone", ["WIB", "wita", "'+07:00'", "UTC+7", "'-0530'", "GMT+8"])
def test_a_zone_name_or_an_offset_is_accepted(tmp_path: Path, zone: str) -> None:
    folder = broken_folder(tmp_path, SITE + f"timezone: {zone}\n")
    assert load_rules(folder).sets["example.com"].timezone


def test_lookups_ignore_case(cleaner: Cleaner) -> None:
    ruleset = cleaner.rules.default
    assert ruleset.source_name("ANTARA") == ruleset.source_name("ant") == "Antara"
    assert ruleset.source_name("BBC") == "BBC"  # hard negative: unknown codes stay
    assert ruleset.zone_offset("wib") == "+07:00" and ruleset.zone_offset("+02:00") == "+02:00"
    assert ruleset.month_number("AGT.") == ruleset.month_number("Agustus") == 8
    assert ruleset.month_number("Agusti") is None


def test_month_names_are_made_from_the_months_map(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = check_fails(tmp_path, capsys, SITE + "vars:\n  month_name: '(?:Jan|Feb)'\n")
    assert "example.com.yaml: key 'vars.month_name'" in err and "`months:`" in err
    # A month a site adds is read by the shared date rules too.
    folder = broken_folder(tmp_path, SITE + "months:\n  jnr: 1\n")
    article = Cleaner(folder).clean_text(
        "Kamis, 11 Jnr 2024 | 14:06 WIB\nIsi berita yang sebenarnya ada di sini dan cukup panjang.",
        url="https://example.com/a",
    )
    assert article.published == "2024-01-11T14:06:00+07:00"


def test_domain_endings_are_one_list(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = check_fails(tmp_path, capsys, SITE + "vars:\n  domain: 'x\\.com'\n")
    assert "key 'vars.domain'" in err and "`domain_endings:`" in err
    ruleset = load_rules(REPO / "rules").default
    assert ruleset.url_like.search("Kompas.co.id") and ruleset.domain_like.search("lihat detik.com sekarang")
    assert not ruleset.url_like.search("Budi S. Santoso")  # hard negative


def test_signature_flag_only_where_it_is_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = check_fails(tmp_path, capsys, SITE + "spans:\n  - id: s\n    signature: true\n    pattern: 'X'\n")
    assert "example.com.yaml: rule 's': key 'spans[0].signature'" in err and "unknown key" in err


def test_a_flagged_line_rule_names_the_site(tmp_path: Path) -> None:
    content = SITE + "lines:\n  - id: stamp\n    signature: true\n    pattern: 'Contoh Example Daily'\n"
    cleaner = Cleaner(broken_folder(tmp_path, content))
    text = "Contoh Example Daily\nIsi berita yang sebenarnya ada di sini dan cukup panjang."
    article = cleaner.clean_text(text)
    assert (article.site, article.found_by["site"]) == ("example.com", "example.com/stamp")
    # Hard negative: the rule reads whole lines, so a sentence that merely holds the words does not.
    assert cleaner.clean_text("Kata Contoh Example Daily hari ini.\nIsi berita lain.").site is None


def test_shipped_signature_flags(cleaner: Cleaner) -> None:
    text = "KONTAN.CO.ID - JAKARTA. Harga emas naik lagi hari ini menurut data yang dihimpun."
    assert cleaner.clean_text(text).site == "kontan.co.id"
    flagged = [s.id for s in cleaner.rules.sets["kompas.com"].signatures if s.reads != "text"]
    assert flagged == ["kompas.com/plus-promo", "kompas.com/read-time", "kompas.com/read-time-updated"]


def test_text_hints_name_rules_that_capture_a_site(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    err = check_fails(
        tmp_path, capsys, SITE + "match:\n  domains: [example.com]\n  text_hints: [domain-stmp]\n"
    )
    assert "example.com.yaml: rule 'domain-stmp': key 'match.text_hints[0]'" in err
    err = check_fails(
        tmp_path, capsys, SITE + "match:\n  domains: [example.com]\n  text_hints: [baca-juga]\n"
    )
    assert "key 'match.text_hints[0]'" in err and "`site` group" in err


def test_text_hints_find_the_site_of_a_text(cleaner: Cleaner) -> None:
    assert [h.id for h in cleaner.rules.default.text_hints] == [
        "id-news/domain-stamp",
        "id-news/domain-prefix",
    ]
    article = cleaner.clean_text("contohberita.id\nIsi berita yang sebenarnya ada di sini dan cukup panjang.")
    assert (article.site, article.found_by["site"]) == ("contohberita.id", "id-news/domain-stamp")


def test_labels_and_class_guard_are_rule_data(tmp_path: Path) -> None:
    ruleset = load_rules(REPO / "rules").default
    assert ruleset.byline_label.sub("", "Penulis: Budi") == "Budi"
    assert ruleset.byline_label.sub("", "By Jane Doe") == "Jane Doe"
    assert ruleset.byline_label.sub("", "Budi Santoso") == "Budi Santoso"  # hard negative
    assert ruleset.credit_label.sub("", "(Foto: Humas)") == "Humas"
    assert (
        ruleset.guarded_tags == {"html", "body", "main", "article"} and ruleset.guard_paragraph_chars == 250
    )
    content = SITE + "html:\n  class_guard: {tags: [section], max_paragraph_chars: 900}\n"
    site = load_rules(broken_folder(tmp_path, content)).sets["example.com"]
    assert site.guarded_tags == {"section"} and site.guard_paragraph_chars == 900


def test_schema_file_is_up_to_date() -> None:
    """rules/schema.json is what `cleaner rules schema` writes; regenerate it after a change
    to the rule file models: `cleaner rules schema rules/schema.json`."""
    assert (REPO / "rules" / "schema.json").read_text(encoding="utf-8") == rule_file_schema()


def test_schema_command_writes_the_schema(tmp_path: Path) -> None:
    assert main(["rules", "schema", str(tmp_path / "schema.json")]) == 0
    assert '"where"' in (tmp_path / "schema.json").read_text(encoding="utf-8")


def test_settings_default_to_todays_thresholds_and_are_honoured(cleaner: Cleaner) -> None:
    import pickle

    from cleaner import Settings
    from cleaner.settings import SiteSettings, TextSettings

    assert cleaner.settings == Settings()
    assert Settings().text.head_lines == 3 and Settings().extract.min_body_chars == 200
    text = "Berita hari ini.\n" * 3 + "KONTAN.CO.ID - JAKARTA. Harga emas naik lagi hari ini menurut data."
    assert cleaner.clean_text(text).site == "kontan.co.id"
    near = Cleaner(rules=cleaner.rules, settings=Settings(sites=SiteSettings(head_chars=20)))
    assert near.clean_text(text).site is None  # the stamp is beyond the head it looks at
    assert pickle.loads(pickle.dumps(near)).settings.sites.head_chars == 20
    # A head rule reads only the first head_lines lines.
    stamp = "Isi berita yang sebenarnya ada di sini dan cukup panjang.\ncontoh.id"
    assert "contoh.id" not in cleaner.clean_text(stamp).paragraphs
    wide = Cleaner(rules=cleaner.rules, settings=Settings(text=TextSettings(head_lines=1)))
    assert "contoh.id" in wide.clean_text(stamp).paragraphs
