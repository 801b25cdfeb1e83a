"""Rule files load safely and fail loudly: file, rule id and key named."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
import regex

from cleaner import Cleaner, RuleError
from cleaner.rules import INDEXED_SECTIONS, MAX_FIRST_CHARACTERS, load_rules, text_lines

from .conftest import REPO, rules_dir_with


def load_error(tmp_path: Path, content: str, name: str = "example.com.yaml") -> RuleError:
    with pytest.raises(RuleError) as info:
        load_rules(rules_dir_with(tmp_path, name, content))
    return info.value


def test_bundled_rules_load() -> None:
    rules = load_rules(REPO / "rules")
    assert {"default", "id-news", "kompas.tv"} <= set(rules.sets)
    assert rules.for_domain("www.kompas.tv") is rules.sets["kompas.tv"]


def test_bad_regex_names_file_rule_and_key(tmp_path: Path) -> None:
    err = load_error(tmp_path, "extends: [id-news]\nlines:\n  - id: broken\n    pattern: 'Baca ('\n")
    assert err.file.endswith("example.com.yaml")
    assert err.rule == "broken"
    assert err.key == "lines[0].pattern"
    assert "bad regex" in str(err)


def test_unknown_key_is_refused(tmp_path: Path) -> None:
    err = load_error(tmp_path, "lines:\n  - id: typo\n    patern: 'x'\n")
    assert err.rule == "typo"
    assert err.key is not None and "patern" in err.key


def test_unknown_top_level_key(tmp_path: Path) -> None:
    err = load_error(tmp_path, "remove_lines: []\n")
    assert err.key == "remove_lines"


def test_wrong_type(tmp_path: Path) -> None:
    err = load_error(tmp_path, "match:\n  domains: example.com\n")
    assert err.key == "match.domains"


def test_unknown_group_name(tmp_path: Path) -> None:
    err = load_error(tmp_path, "lines:\n  - id: who\n    pattern: 'By (?P<writer>.+)'\n")
    assert err.rule == "who" and "writer" in str(err)


def test_unknown_variable(tmp_path: Path) -> None:
    err = load_error(tmp_path, "spans:\n  - id: v\n    pattern: '{{nope}}'\n")
    assert err.rule == "v" and "nope" in str(err)


def test_unknown_parent_and_cycle(tmp_path: Path) -> None:
    assert load_error(tmp_path, "extends: [nowhere]\n").key == "extends"
    err = load_error(tmp_path, "name: a\nextends: [a]\n", name="_a.yaml")
    assert "extends itself" in str(err)


def test_invalid_yaml_and_unsafe_tags(tmp_path: Path) -> None:
    assert "invalid YAML" in str(load_error(tmp_path, "lines: [\n"))
    assert "invalid YAML" in str(load_error(tmp_path, "x: !!python/object/apply:os.system ['true']\n"))


def test_a_name_in_the_folder_that_is_no_readable_file_is_that_files_error(tmp_path: Path) -> None:
    """A folder, a broken link or a device named *.yaml: a traceback, or a read of
    /dev/zero that never ended. Each is reported with the others; an empty file is a set
    without rules."""
    rules = rules_dir_with(tmp_path, "kosong.com.yaml", "")
    (rules / "folder.yaml").mkdir()
    (rules / "broken.yaml").symlink_to(rules / "nowhere.yaml")
    (rules / "zero.yaml").symlink_to("/dev/zero")
    with pytest.raises(RuleError) as info:
        load_rules(rules)
    assert str(info.value).splitlines() == [
        f"{rules / 'broken.yaml'}: unreadable: No such file or directory",
        f"{rules / 'folder.yaml'}: unreadable: Is a directory",
        f"{rules / 'zero.yaml'}: not a regular file (a device, a pipe or a socket)",
    ]
    (rules / "folder.yaml").rmdir()
    for name in ("broken.yaml", "zero.yaml"):
        (rules / name).unlink()
    assert "kosong.com" in load_rules(rules).sets


def test_site_rule_overrides_and_disables(tmp_path: Path) -> None:
    rules = rules_dir_with(
        tmp_path,
        "example.com.yaml",
        "extends: [id-news]\nmatch: {domains: [example.com]}\ndisable: [baca-juga]\n",
    )
    cleaner = Cleaner(rules)
    text = "Paragraf pertama berita ini cukup panjang.\nBaca juga: Judul lain\nParagraf kedua."
    assert "Baca juga: Judul lain" in cleaner.clean_text(text, url="https://example.com/a").paragraphs
    assert "Baca juga: Judul lain" not in cleaner.clean_text(text).paragraphs


def test_user_rule_folder_adds_a_site_without_python(tmp_path: Path) -> None:
    rules = rules_dir_with(
        tmp_path,
        "contoh.id.yaml",
        "extends: [id-news]\nmatch: {domains: [contoh.id]}\n"
        "lines:\n  - id: promo\n    pattern: 'Langganan newsletter contoh\\.id sekarang!'\n",
    )
    article = Cleaner(rules).clean_text(
        "Isi berita yang sebenarnya ada di sini.\nLangganan newsletter contoh.id sekarang!",
        url="https://news.contoh.id/x",
    )
    assert article.site == "contoh.id"
    assert article.paragraphs == ["Isi berita yang sebenarnya ada di sini."]
    assert article.removed[0].rule == "contoh.id/promo"


def test_bad_html_selector_fails_at_load(tmp_path: Path) -> None:
    err = load_error(tmp_path, "html:\n  remove:\n    - id: box\n      selector: 'div[[class'\n")
    assert (err.rule, err.key) == ("box", "html.remove[0].selector")
    err = load_error(tmp_path, "html:\n  body: ['//div[@class=']\n")
    assert err.key == "html.body[0]"


def test_remove_rule_needs_selector_or_classes(tmp_path: Path) -> None:
    err = load_error(tmp_path, "html:\n  remove:\n    - id: box\n")
    assert err.rule == "box" and "either" in str(err)


def _reads(section: str, pattern: regex.Pattern[str], line: str) -> bool:
    """Whether a rule of `section` finds something in `line`, as the text stages read it."""
    if section in ("spans", "captions"):
        return any(m.end() > m.start() for m in pattern.finditer(line))
    if section == "prefixes":
        return (m := pattern.match(line)) is not None and m.end() > 0
    return pattern.fullmatch(line) is not None


def test_rule_index_never_skips_a_matching_rule() -> None:
    """rules_for tries only the rules whose literals the case-folded line holds and, for those
    matched from a line's start, that can start with its first character (cleaner.literals,
    RuleIndex): on every line of the seeds and fixtures, cased both ways, behind a quote or a
    bracket, and with the letters that fold apart from the ASCII ones the regex module
    matches them to, in every bundled rule set and indexed section, it must keep every rule
    that finds something, in order."""
    texts = [*(REPO / "seeds").glob("*.txt"), *(REPO / "fixtures").rglob("*.txt")]
    lines = {line.strip() for path in texts for line in path.read_text(encoding="utf-8").splitlines()}
    variants = (str.swapcase, lambda t: f"“{t}", lambda t: f"({t})", lambda t: t.replace("I", "ı"))
    lines |= {variant(line) for line in lines if line for variant in variants}
    lines |= {line.upper().replace("I", "İ") for line in lines if len(line) < 60}  # "İ" folds to "i", a dot
    lines |= {"", "A", "ⓑaca juga: x", "ſhare", "\u212aompas.com"}  # letters that case-fold to ASCII
    rules = load_rules(REPO / "rules")
    reads = functools.cache(_reads)  # sets share their patterns
    matched = 0
    for ruleset in rules.sets.values():
        for line in lines:
            every_rule = any(reads("lines", rule.regex, line) for rule in ruleset.whole_line_rules)
            assert ruleset.may_match_a_line_rule(line) == every_rule, (ruleset.name, line)
            for section in INDEXED_SECTIONS:
                finding = [rule for rule in getattr(ruleset, section) if reads(section, rule.regex, line)]
                kept = [rule for rule in ruleset.rules_for(section, line) if reads(section, rule.regex, line)]
                assert kept == finding, (ruleset.name, section, line)
            matched += every_rule
    assert matched > 1000  # the lines hold plenty of clutter for the rules to match


def test_signature_index_never_passes_over_a_shown_signature() -> None:
    """The signatures a text is searched for are those whose literals it holds: on every seed
    and fixture text, cased both ways, with a long-s and a Kelvin sign in it, and with tabs
    for spaces (line signatures read lines with spaces normalised), the sites and families
    found are those every signature's own search finds, in order."""
    texts = [
        p.read_text(encoding="utf-8")
        for p in [*(REPO / "seeds").glob("*.txt"), *(REPO / "fixtures").rglob("*.txt")]
    ]
    texts += [t.swapcase() for t in texts] + [t.replace("s", "ſ").replace("k", "\u212a") for t in texts]
    texts += [t.replace(" ", " \t") for t in texts]
    rules = load_rules(REPO / "rules")
    found = 0
    for of in ("sites", "families"):
        index = rules.signatures(of)
        for text in texts:
            lines = text_lines(text)
            every = [(rs.name, sig.id) for rs, sig in index.entries if sig.found_in(text, lines)]
            shown = [(rs.name, sig.id) for rs, sig in index.shown(text, lines) if sig.found_in(text, lines)]
            assert shown == every, (of, text[:80])
            found += len(every)
    assert found >= 100  # the texts hold the sites' stamps


def test_rule_index_remembers_a_bounded_number_of_first_characters() -> None:
    """Lines starting with thousands of code points (a hostile input) do not grow the index
    without bound, and a line past the bound is still given its rules."""
    ruleset = load_rules(REPO / "rules").default
    for code in range(0x4E00, 0x4E00 + MAX_FIRST_CHARACTERS + 100):
        ruleset.rules_for("lines", chr(code) + " x")
    assert len(ruleset.index._by_first) == MAX_FIRST_CHARACTERS
    assert "id-news/baca-juga" in [rule.id for rule in ruleset.rules_for("lines", "Baca juga: Harga naik")]
