"""Rule files load safely and fail loudly: file, rule id and key named."""

from __future__ import annotations

from pathlib import Path

import pytest

from cleaner import Cleaner, RuleError
from cleaner.rules import load_rules, required_text

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


def test_first_character_dispatch_never_skips_a_matching_rule() -> None:
    """may_match_a_line_rule and lines_for try only the rules that can start with a line's first
    character (the regex module's partial match decides): on every line of the seeds and
    fixtures, cased both ways and behind a quote or a bracket, and in every bundled rule set,
    it must answer as trying every rule would."""
    texts = [*(REPO / "seeds").glob("*.txt"), *(REPO / "fixtures").rglob("*.txt")]
    lines = {line.strip() for path in texts for line in path.read_text(encoding="utf-8").splitlines()}
    lines |= {variant for line in lines if line for variant in (line.swapcase(), f"“{line}", f"({line})")}
    lines |= {"", "A", "ⓑaca juga: x", "ſhare", "\u212aompas.com"}  # letters that case-fold to ASCII
    rules = load_rules(REPO / "rules")
    matched = 0
    for ruleset in rules.sets.values():
        for line in lines:
            every_rule = any(rule.regex.fullmatch(line) for rule in ruleset.whole_line_rules)
            assert ruleset.may_match_a_line_rule(line) == every_rule, (ruleset.name, line)
            matching = [rule for rule in ruleset.lines if rule.regex.fullmatch(line)]
            assert [rule for rule in ruleset.lines_for(line) if rule.regex.fullmatch(line)] == matching
            matched += every_rule
    assert matched > 1000  # the lines hold plenty of clutter for the rules to match


@pytest.mark.parametrize(
    ("pattern", "required"),
    [
        (r"[A-Z][A-Za-z]+,\s*Beritasatu\.com\s*[-–—]", ("Beritasatu.com", False)),
        (r"(?m)^Bisnis\.com\s*,", ("Bisnis.com", False)),  # an anchor keeps literals adjacent
        (r"(?i)copyright\s*©\s*ANTARA", ("copyright", True)),
        (r"(?i)KOMPAS\.TV", ("kompas.tv", True)),  # compared case-folded
        (r"Baca|Simak juga", None),  # an alternative: no text is required
        (r"(?i:baca juga)\s*:", None),  # inside a group: not looked into
        (r"a\s*b", None),  # too short to be worth a test
        (r"\p{Lu}[a-z]+ News", None),  # the regex module's own syntax: not read
        (r"[[:alpha:]]News Today", None),  # ... which Python's parser may read otherwise
    ],
)
def test_required_text_of_a_signature(pattern: str, required: tuple[str, bool] | None) -> None:
    assert required_text(pattern) == required


def test_required_text_never_passes_over_a_matching_text() -> None:
    """Every bundled text signature answers as its plain search does, on every seed and
    fixture text, and on each cased both ways and with a long-s and a Kelvin sign in it."""
    texts = [
        p.read_text(encoding="utf-8")
        for p in [*(REPO / "seeds").glob("*.txt"), *(REPO / "fixtures").rglob("*.txt")]
    ]
    texts += [t.swapcase() for t in texts] + [t.replace("s", "ſ").replace("k", "\u212a") for t in texts]
    rules = load_rules(REPO / "rules")
    signatures = [s for ruleset in rules.sets.values() for s in ruleset.signatures if s.reads == "text"]
    assert sum(s.required is not None for s in signatures) >= 20
    found = 0
    for text in texts:
        for signature in signatures:
            searched = signature.rule.regex.search(text) is not None
            assert signature.found_in(text) == searched, (signature.id, text[:80])
            found += searched
    assert found >= 20  # the texts hold the sites' stamps
