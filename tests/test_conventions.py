"""What a data engineer expects of a command-line tool and a package: --version, -v/-q on
every subcommand, quiet libraries, warnings that name their input, usage errors that write
nothing, rule checks that list everything, completion, NO_COLOR, a lazy import."""

from __future__ import annotations

import argparse
import gzip
import hashlib
import logging
import re
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

import cleaner
from cleaner import logs
from cleaner.cli import _fixture_roots, build_parser, main

from .conftest import REPO

ARTICLE = """\
JAKARTA, KOMPAS.TV - Pemerintah menaikkan anggaran subsidi pupuk untuk musim tanam tahun ini.
Baca juga: Judul lain tentang harga pangan
Menteri Pertanian mengatakan tambahan anggaran akan disalurkan melalui kelompok tani.
"""


@pytest.fixture
def text_file(tmp_path: Path) -> Path:
    path = tmp_path / "in" / "pupuk.txt"
    path.parent.mkdir()
    path.write_text(ARTICLE, encoding="utf-8")
    return path


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"cleaner {cleaner.__version__}"
    assert re.fullmatch(r"\d+\.\d+\.\d+.*", cleaner.__version__)
    assert (REPO / "cleaner" / "py.typed").is_file()


@pytest.mark.parametrize(
    ("flags", "level"),
    [([], logging.WARNING), (["-v"], logging.INFO), (["-vv"], logging.DEBUG), (["-q"], logging.ERROR)],
)
def test_verbosity_after_the_subcommand_sets_cleaners_logger_only(
    text_file: Path, tmp_path: Path, flags: list[str], level: int
) -> None:
    assert main(["clean", str(text_file), "-o", str(tmp_path / "out"), *flags]) == 0
    assert logging.getLogger("cleaner").level == level
    assert logging.getLogger("trafilatura").getEffectiveLevel() >= logging.WARNING  # never their debug lines
    assert logging.getLogger("htmldate").getEffectiveLevel() >= logging.WARNING


def test_v_shows_one_line_per_input_from_cleaner_and_vv_its_removals(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pages = sorted((REPO / "fixtures").glob("*/*.html"))[:3]  # HTML: trafilatura and htmldate run
    assert len(pages) == 3
    for flag in ("-v", "-vv"):
        assert main(["clean", *map(str, pages), "-o", str(tmp_path / flag), flag]) == 0
        err = capsys.readouterr().err.splitlines()
        assert all(re.match(r"(INFO|DEBUG) (\[[^]]+\] )?cleaner\.", line) for line in err), err[:5]
        per_input = [line for line in err if line.startswith("INFO [")]
        assert [line.split("]")[0] for line in per_input] == [f"INFO [{page}" for page in pages]
        assert all(" cleaner.core: ok: site " in line for line in per_input)
        debug = [line for line in err if line.startswith("DEBUG")]
        assert bool(debug) == (flag == "-vv")
        assert all(re.match(r"DEBUG \[[^]]+\] cleaner\.core: removed \(\w+\) by [\w.-]+/", d) for d in debug)


def test_verbosity_before_the_subcommand_still_works(text_file: Path, tmp_path: Path) -> None:
    assert main(["-v", "clean", str(text_file), "-o", str(tmp_path / "out")]) == 0
    assert logging.getLogger("cleaner").level == logging.INFO


def test_every_subcommand_takes_v_and_q() -> None:
    parser = build_parser()
    for name, sub in _subparsers(parser):
        options = {opt for action in sub._actions for opt in action.option_strings}
        assert {"-v", "-q", "--verbose", "--quiet"} <= options, name


def test_library_warnings_name_the_input(capsys: pytest.CaptureFixture[str]) -> None:
    logs.configure(logging.WARNING)
    logging.getLogger("cleaner").info("hidden")
    logging.getLogger("trafilatura.core").debug("hidden too")
    with logs.for_input("fixtures/x/page.html"):
        logging.getLogger("trafilatura.core").warning("discarding data")
        with warnings.catch_warnings():
            warnings.simplefilter("always")
            warnings.warn("odd markup", UserWarning, stacklevel=1)
    logging.getLogger("htmldate").warning("no input here")
    err = capsys.readouterr().err
    assert "hidden" not in err
    assert "WARNING [fixtures/x/page.html] trafilatura.core: discarding data" in err
    assert re.search(r"WARNING \[fixtures/x/page.html\] py\.warnings: .*odd markup", err)
    assert "WARNING htmldate: no input here" in err


def test_clean_path_tags_what_it_logs(text_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from cleaner.inputs import clean_path

    logs.configure(logging.WARNING)
    seen: list[str | None] = []

    class Spy(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(logs.current_input())

    spy = Spy()
    logging.getLogger().addHandler(spy)
    try:
        real = cleaner.Cleaner.clean_text

        def clean_text(self: cleaner.Cleaner, text: str, **kwargs: object) -> cleaner.Article:
            logging.getLogger("trafilatura").warning("from inside")
            return real(self, text, **kwargs)  # type: ignore[arg-type]

        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(cleaner.Cleaner, "clean_text", clean_text)
            clean_path(cleaner.Cleaner(), text_file)
    finally:
        logging.getLogger().removeHandler(spy)
    assert seen == [str(text_file)]
    assert f"[{text_file}] trafilatura: from inside" in capsys.readouterr().err


def test_explain_tags_library_warnings_with_its_file(
    text_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    real = cleaner.Cleaner.clean_text

    def clean_text(self: cleaner.Cleaner, text: str, **kwargs: object) -> cleaner.Article:
        logging.getLogger("htmldate.core").warning("from inside")
        return real(self, text, **kwargs)  # type: ignore[arg-type]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cleaner.Cleaner, "clean_text", clean_text)
        assert main(["explain", str(text_file)]) == 0
    assert f"WARNING [{text_file}] htmldate.core: from inside" in capsys.readouterr().err


def test_a_missing_input_is_a_usage_error_and_writes_nothing(
    text_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert main(["clean", str(text_file), str(tmp_path / "nope.txt"), "-o", str(out)]) == 2
    assert "no such file or folder" in capsys.readouterr().err
    assert not out.exists()
    assert main(["explain", str(tmp_path / "nope.txt")]) == 2
    assert main(["fixtures", "check", str(tmp_path / "nope")]) == 2
    assert main(["clean", str(tmp_path / "nope.txt"), "-o", "-"]) == 2
    rules, fixtures = tmp_path / "rules", tmp_path / "fixtures"
    new_site = ["rules", "new", "contoh.id", "--rules-dir", str(rules), "--fixtures", str(fixtures)]
    assert main([*new_site, "--from", str(tmp_path / "nope.html")]) == 2  # no rules folder either
    rules.mkdir()
    assert main([*new_site, "--from", str(tmp_path / "nope.html")]) == 2
    assert "no such file" in capsys.readouterr().err
    assert list(rules.iterdir()) == [] and not fixtures.exists()


BROKEN = {
    "zz-typo.yaml": "extends: [id-news]\nlines:\n  - id: ok\n    pattern: x\n  - id: typo\n    patern: y\n"
    "  - id: other\n    pattern: z\n    wher: lead\n",
    "zz-regex.yaml": 'lines:\n  - id: kurung\n    pattern: "("\n  - id: kelas\n    pattern: "[z"\n'
    'html:\n  body: ["div[["]\n',
    "zz-yaml.yaml": "name: zz\nlines: [\n",
}


@pytest.fixture
def broken_rules(tmp_path: Path) -> Path:
    folder = tmp_path / "rules"
    shutil.copytree(REPO / "rules", folder)
    for name, text in BROKEN.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_rules_check_lists_every_error_once_with_did_you_mean(
    broken_rules: Path, text_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["rules", "check", str(broken_rules)]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert lines == [
        f"{broken_rules}/zz-typo.yaml: rule 'typo': key 'lines[1].patern': unknown key; did you mean 'pattern'?",
        f"{broken_rules}/zz-typo.yaml: rule 'other': key 'lines[2].wher': unknown key; did you mean 'where'?",
        f"{broken_rules}/zz-yaml.yaml: invalid YAML: line 3, column 1: expected the node content, but found '<stream end>'",
        f"{broken_rules}/zz-regex.yaml: rule 'kurung': key 'lines[0].pattern': bad regex: missing ) at position 1",
        f"{broken_rules}/zz-regex.yaml: rule 'kelas': key 'lines[1].pattern': bad regex: "
        "unterminated character set at position 2",
        f"{broken_rules}/zz-regex.yaml: key 'html.body[0]': bad selector 'div[[': Expected ident or '*', got <DELIM '[' at 4>",
    ]
    # The same folder under `clean --rules`: the same lines, the same exit code, nothing written.
    out = tmp_path / "out"
    assert main(["clean", str(text_file), "-o", str(out), "--rules", str(broken_rules)]) == 2
    assert capsys.readouterr().err.splitlines() == [f"cleaner: error: {line}" for line in lines]
    assert not out.exists()


def test_a_broken_shared_file_is_reported_once_not_by_every_site(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "rules"
    shutil.copytree(REPO / "rules", folder)
    shared = folder / "_id-news.yaml"
    shared.write_text(shared.read_text(encoding="utf-8") + 'cut:\n  - id: zz-broken\n    pattern: "(x"\n')
    assert main(["rules", "check", str(folder)]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert lines == [f"{shared}: rule 'zz-broken': key 'cut[0].pattern': bad regex: missing ) at position 2"]


def test_fixtures_are_found_beside_the_rules_folder_from_anywhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _fixture_roots(None, None) == [REPO / "fixtures", REPO / "seeds"]  # the bundled rules' repo
    project = tmp_path / "project"
    shutil.copytree(REPO / "rules", project / "rules")
    shutil.copytree(REPO / "seeds", project / "seeds")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    seeds = sum(1 for p in (project / "seeds").iterdir() if p.suffix == ".txt")
    assert main(["fixtures", "check", "--rules", str(project / "rules")]) == 0
    assert f"All {seeds} fixtures match." in capsys.readouterr().out
    # A rules folder with no fixtures beside it: checking nothing fails.
    shutil.rmtree(project / "seeds")
    assert main(["fixtures", "check", "--rules", str(project / "rules")]) == 2
    assert "no fixtures found" in capsys.readouterr().err
    # rules check says so once, not once per site
    assert main(["rules", "check", str(project / "rules")]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and "rule sets valid, but no fixtures found in" in err[0], err[:3]


def test_rules_new_from_an_archived_page_names_the_fixture_after_the_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copytree(REPO / "rules", tmp_path / "rules")
    url = "https://www.contoh.id/read/2024/06/20/Harga-Beras_Naik.html?page=all"
    digest = hashlib.sha1(url.encode()).hexdigest()
    archived = tmp_path / "archive" / "pages" / digest[:2] / f"{digest}.html.gz"
    archived.parent.mkdir(parents=True)
    page = "<html><body><article><p>" + ARTICLE.replace("\n", "</p><p>") + "</p></article></body></html>"
    archived.write_bytes(gzip.compress(page.encode()))
    archived.with_name(f"{digest}.url").write_text(url + "\n")
    archived.with_name(f"{digest}.charset").write_text("utf-8\n")
    assert main(["rules", "new", "contoh.id", "--from", str(archived)]) == 0
    folder = tmp_path / "fixtures" / "contoh.id"
    assert sorted(p.name for p in folder.iterdir()) == [
        "harga-beras-naik.charset",
        "harga-beras-naik.html.gz",
        "harga-beras-naik.url",
    ]


def test_a_saved_page_keeps_its_own_name(tmp_path: Path) -> None:
    from cleaner.authoring import fixture_name

    assert fixture_name(tmp_path / "kompas-pupuk.html") == "kompas-pupuk.html"
    assert fixture_name(tmp_path / f"{'a' * 40}.html") == f"{'a' * 40}.html"  # a hash name, but no URL


def test_completion_scripts(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    for shell in ("bash", "zsh"):
        assert main(["completion", shell]) == 0
        script = capsys.readouterr().out
        assert "discover" in script and "--retry-failed" in script
    if not shutil.which("bash"):
        return
    assert main(["completion", "bash"]) == 0
    (tmp_path / "cleaner.bash").write_text(capsys.readouterr().out)
    complete = (  # what bash does on TAB: the completion function fills COMPREPLY
        f"source {tmp_path / 'cleaner.bash'}\n"
        'complete_words() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=();\n'
        '  _shtab_cleaner cleaner "${COMP_WORDS[-1]}" "${COMP_WORDS[-2]}"; echo "${COMPREPLY[*]}"; }\n'
        "complete_words cleaner scr\ncomplete_words cleaner scrape --retry\n"
    )
    done = subprocess.run(["bash", "-c", complete], capture_output=True, text=True, check=True)
    assert done.stdout.split("\n")[:2] == ["scrape", "--retry-failed"], done.stderr


def test_explain_respects_no_color(
    text_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert main(["explain", str(text_file)]) == 0
    assert "\033[" in capsys.readouterr().out
    monkeypatch.setenv("NO_COLOR", "1")
    assert main(["explain", str(text_file)]) == 0
    assert "\033[" not in capsys.readouterr().out


def test_import_cleaner_does_not_load_the_fetcher() -> None:
    code = (
        "import sys, cleaner\n"
        "assert 'httpx' not in sys.modules and 'tenacity' not in sys.modules, 'fetcher loaded eagerly'\n"
        "assert cleaner.Fetcher.__module__ == 'cleaner.fetch' and 'httpx' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)


def test_the_readme_command_reference_names_every_option() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    reference = readme[readme.index("## Command line") :]
    for name, sub in _subparsers(build_parser()):
        assert f"cleaner {name}" in reference, name
        for action in sub._actions:
            names = [o for o in action.option_strings if o not in ("-h", "--help")]
            shown = [o for o in names if re.search(rf"(?<![\w-]){re.escape(o)}(?![\w-])", reference)]
            assert shown or not names, f"{name}: none of {names} is in the README"


def _readme_block(start: str) -> list[str]:
    readme = (REPO / "README.md").read_text(encoding="utf-8").splitlines()
    first = next(i for i, line in enumerate(readme) if line.startswith(start))
    return readme[first : readme.index("```", first)]


def _options_of(sub: argparse.ArgumentParser) -> dict[str, argparse.Action]:
    return {o: a for a in sub._actions for o in a.option_strings if o not in ("-h", "--help")}


def test_the_readme_synopsis_of_each_subcommand_is_its_help() -> None:
    """Each `cleaner X ...` line of the README shows exactly the options `cleaner X --help`
    has (besides -v/-q/-h, shown once for all), and nothing it does not have."""
    subs = dict(_subparsers(build_parser()))
    fetch_options = {o for line in _readme_block("fetch options:") for o in re.findall(r"--[a-z-]+", line)}
    common = {"-v", "--verbose", "-q", "--quiet"}
    block = _readme_block("cleaner clean ")
    joined: list[str] = []
    for line in block:  # a synopsis may go on over indented lines
        if line.startswith(" ") and joined:
            joined[-1] += " " + line.strip()
        else:
            joined.append(line)
    for line in joined:
        if not line.startswith("cleaner ") or line.startswith("cleaner --"):
            continue
        name = max((n for n in subs if line.startswith(f"cleaner {n} ")), key=len)
        shown = set(re.findall(r"(?<![\w-])--?[a-z][a-z-]*", line.removeprefix(f"cleaner {name}")))
        if "[fetch options]" in line:
            shown |= fetch_options
        options = _options_of(subs[name])
        assert shown <= set(options), f"{name}: the README shows {sorted(shown - set(options))}"
        missing = {a.option_strings[-1] for o, a in options.items() if o not in common} - {
            options[o].option_strings[-1] for o in shown
        }
        assert not missing, f"{name}: --help has {sorted(missing)}, the README synopsis does not"


def test_the_readme_fetch_defaults_are_the_parsers() -> None:
    fetch = _options_of(dict(_subparsers(build_parser()))["fetch"])
    block = " ".join(_readme_block("fetch options:")).split("discovery:")[0]
    documented = dict(re.findall(r"(--[a-z-]+) [A-Z]+ \(([^,)]+)", block))
    assert len(documented) == 13
    for option, text in documented.items():
        default = fetch[option].default
        if option == "--user-agent":
            assert default.startswith(text.removesuffix(" ...").replace("<version>", cleaner.__version__))
        elif text.endswith(" MiB"):
            assert default == int(text.removesuffix(" MiB")) * 1024 * 1024, option
        else:
            assert default == float(text), option


def _subparsers(
    parser: argparse.ArgumentParser, prefix: str = ""
) -> list[tuple[str, argparse.ArgumentParser]]:
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found.append((f"{prefix}{name}", sub))
                found += _subparsers(sub, f"{prefix}{name} ")
    return found


# Declared but not imported by cleaner itself, and why.
INDIRECT_DEPENDENCIES = {
    # trafilatura and justext import lxml.html.clean, its own package since lxml 5.2; named
    # directly because the pip Python 3.11 bundles misses lxml's html_clean extra.
    "lxml-html-clean",
}


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_runtime_dependency_is_imported_and_every_import_declared() -> None:
    import ast
    import importlib.metadata
    import tomllib

    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]

    def names(specs: list[str]) -> set[str]:
        return {_canonical(re.split(r"[<>=!~;\[ ]", spec, maxsplit=1)[0]) for spec in specs}

    declared = names(project["dependencies"])
    extras = {
        name
        for extra, specs in project["optional-dependencies"].items()
        if extra != "dev"
        for name in names(specs)
    }
    imported: set[str] = set()
    for path in (REPO / "cleaner").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.split(".")[0])
    distributions = importlib.metadata.packages_distributions()
    third_party = {_canonical(distributions[m][0]) for m in imported if m in distributions}
    undeclared = third_party - declared - extras  # an extra's import is guarded where it is used
    assert not undeclared, f"imported but not declared: {sorted(undeclared)}"
    unused = declared - third_party - {_canonical(name) for name in INDIRECT_DEPENDENCIES}
    assert not unused, f"declared but never imported: {sorted(unused)}"  # e.g. beautifulsoup4


PAGE_BODY = "<p>" + "Pemerintah menaikkan anggaran subsidi pupuk untuk musim tanam tahun ini. " * 6 + "</p>"
PAGE = f"<!DOCTYPE html><html><head><title>Pupuk</title></head><body><article>{PAGE_BODY}</article></body></html>"


@pytest.mark.parametrize(
    "page",
    [
        PAGE.replace("</p>", "").replace("</article>", "").replace("</body></html>", ""),  # unclosed
        PAGE[: len(PAGE) - 40],  # cut off mid-tag
        PAGE.replace("<article>", '<article class="a" "b"=c <<>'),  # broken attributes
        PAGE.replace("anggaran", "ang\x00gar\x0ban"),  # NUL and control characters
        "<!-- " + "x" * 300 + " -->\n" + PAGE.replace("<!DOCTYPE html>", ""),  # no html in the first bytes
        f"<body><article>{PAGE_BODY}</article>",  # no <html>, no <head>
        '<?xml version="1.0" encoding="iso-8859-1"?>' + PAGE,
    ],
    ids=[
        "unclosed",
        "truncated",
        "bad-attributes",
        "control-chars",
        "leading-comment",
        "no-html",
        "xml-decl",
    ],
)
def test_lxml_reads_broken_pages_so_no_fallback_parser_is_declared(page: str) -> None:
    """README: beautifulsoup4 is not a dependency because lxml (through trafilatura's loader)
    reads every broken page we know of; this is the evidence."""
    article = cleaner.clean_html(page)
    assert article.status == "ok", article.notes
    assert "Pemerintah menaikkan anggaran subsidi pupuk" in article.text.replace("\x00", "").replace(
        "\x0b", ""
    )


def test_make_help_lists_every_target_with_a_description() -> None:
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    phony = set(re.search(r"^\.PHONY: (.+)$", makefile, re.MULTILINE).group(1).split())  # type: ignore[union-attr]
    described = dict(re.findall(r"^([a-z-]+):[^\n]*## (.+)$", makefile, re.MULTILINE))
    assert {"help", "run", "test", "activate"} <= phony
    assert set(described) == phony, f"without '## description': {sorted(phony - set(described))}"
    if shutil.which("make"):
        listed = subprocess.run(["make", "-s", "help"], cwd=REPO, capture_output=True, text=True, check=True)
        assert [line.split()[1] for line in listed.stdout.splitlines()] == list(described)
