"""Inputs and events that used to stop, hang or corrupt a whole run: each now costs at most
its own document, with a clear failure record, and the exit code says so."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from trafilatura.utils import repair_faulty_html

from cleaner import Article, Cleaner
from cleaner.batch import JSONL_FILE, STATE_FILE, BatchOptions, exclusive_use, run_batch
from cleaner.cli import main
from cleaner.decode import decode_text
from cleaner.errors import InputError
from cleaner.limits import DocumentTimeout, rss_mb, time_budget
from cleaner.parse import DEPTH_NOTE, _repair
from cleaner.pool import Lost, WorkerPool

from .conftest import REPO
from .test_batch import BANJIR, GOOD, KOMPAS, PANEN, InterruptingCleaner, files_under, jsonl_records

EVIL_LINE = "a" * 60 + "b"  # for "(a|aa)+$": exponential backtracking, even in the regex module


@pytest.fixture
def texts(tmp_path: Path) -> Path:
    root = tmp_path / "in"
    root.mkdir()
    for name, text in (("kompas.txt", KOMPAS), ("banjir.txt", BANJIR), ("panen.txt", PANEN)):
        (root / name).write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def evil_rules(tmp_path: Path) -> Path:
    """The bundled rules plus two user rules with catastrophic patterns."""
    rules = tmp_path / "rules"
    shutil.copytree(REPO / "rules", rules)
    with (rules / "_default.yaml").open("a", encoding="utf-8") as fh:
        fh.write(
            'lines:\n  - id: nested\n    pattern: "(a+)+$"\n  - id: alternation\n    pattern: "(a|aa)+$"\n'
        )
    return rules


# --- patterns that backtrack for ever ------------------------------------------------------


def test_the_bundled_pagination_rule_is_linear_on_a_long_digit_run(cleaner: Cleaner) -> None:
    text = "Halaman " + "1" * 40 + "x\n" + BANJIR
    started = time.monotonic()
    article = cleaner.clean_text(text)
    assert time.monotonic() - started < 2  # with `re` and (?:\d+\s*)+ this did not end
    assert article.paragraphs[-1] == "Warga berharap pemerintah segera memperbaiki tanggul yang jebol."
    # still what the rule removes
    removed = cleaner.clean_text(
        "Halaman 1 2 3\nHalaman: 12\n« Sebelumnya 1 2 Selanjutnya »\n" + BANJIR
    ).removed
    assert [r.rule for r in removed[:3]] == ["id-news/pagination"] * 3


def test_a_long_run_of_menu_words_is_cleaned_in_linear_time(cleaner: Cleaner) -> None:
    text = "Beranda\nBerita\n" * 100_000 + BANJIR  # 200,000 link words: the link-list run
    started = time.monotonic()
    article = cleaner.clean_text(text)
    assert time.monotonic() - started < 20  # about 4 s; the run grew by copying, 45 s and quadratic
    assert article.paragraphs[-1] == "Warga berharap pemerintah segera memperbaiki tanggul yang jebol."


def test_a_nested_quantifier_in_a_user_rule_does_not_hang(evil_rules: Path) -> None:
    cleaner = Cleaner(evil_rules)
    with time_budget(20):  # the regex module defuses (a+)+$ itself; the budget only guards the test
        article = cleaner.clean_text("a" * 40 + "\n" + BANJIR)
    assert [r.rule for r in article.removed][:1] == ["default/nested"]


def test_the_time_budget_stops_a_catastrophic_user_rule_with_the_stage(evil_rules: Path) -> None:
    cleaner = Cleaner(evil_rules)
    started = time.monotonic()
    with (
        pytest.raises(DocumentTimeout, match=r"timed out: over 1 s \(stage: textrules\.\w+\)"),
        time_budget(1),
    ):
        cleaner.clean_text(EVIL_LINE + "\n" + BANJIR)
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("seconds", [float("inf"), 1e12, float("nan")])
def test_a_budget_too_long_for_the_timer_is_no_budget(cleaner: Cleaner, seconds: float) -> None:
    """setitimer refuses 1e12 s; under `--timeout inf` every document failed with OverflowError."""
    with time_budget(seconds):
        assert cleaner.clean_text(BANJIR).paragraphs


@pytest.mark.parametrize("seconds", [2e-6, 2e-5, 1e-4])
def test_an_alarm_at_the_edge_of_the_block_never_escapes(seconds: float) -> None:
    """A budget that runs out as the block starts, or just as it ends with its own error, is a
    timeout or that error. The alarm escaped bare from __enter__ and __exit__: in the Spark
    job, one such row failed the whole task."""

    def bad_input() -> None:
        raise InputError("bukan HTML")

    before = signal.getsignal(signal.SIGALRM)
    for _ in range(3000):
        with contextlib.suppress(InputError), time_budget(seconds):  # DocumentTimeout is one
            bad_input()
    assert signal.getsignal(signal.SIGALRM) == before  # and the handler is put back


class HostAlarm(Exception):
    pass


def _host_alarm(signum: int, frame: object) -> None:
    raise HostAlarm


def test_the_host_process_keeps_its_own_alarm() -> None:
    """A job that runs the cleaner under its own alarm (a job timeout, pytest-timeout) had it
    cancelled by the first document's budget: the job could then run for ever."""
    before = signal.signal(signal.SIGALRM, _host_alarm)
    try:
        # Due after the block: it goes off at its time all the same.
        signal.setitimer(signal.ITIMER_REAL, 0.3)
        started = time.monotonic()
        with time_budget(5):
            pass
        with pytest.raises(HostAlarm):
            time.sleep(3)
        assert 0.25 < time.monotonic() - started < 2
        # Due within the block: the document times out there, and the host's alarm follows
        # as the block is left (where exactly, a signal does not say).
        signal.setitimer(signal.ITIMER_REAL, 0.2)
        started = time.monotonic()
        with pytest.raises(HostAlarm):
            with contextlib.suppress(DocumentTimeout), time_budget(5):
                time.sleep(3)
            time.sleep(3)
        assert time.monotonic() - started < 2
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, before)


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_document_over_its_time_budget_fails_alone(
    texts: Path, evil_rules: Path, tmp_path: Path, workers: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (texts / "jahat.txt").write_text(EVIL_LINE + "\n" + BANJIR, encoding="utf-8")
    out = tmp_path / "out"
    argv = ["clean", str(texts), "-o", str(out), "--format", "jsonl", "--rules", str(evil_rules)]
    code = main([*argv, "--workers", workers, "--timeout", "1"])
    assert code == 1
    printed = capsys.readouterr().out
    assert f"{texts / 'jahat.txt'}: timed out: over 1 s (stage: textrules." in printed
    assert sorted(r["input"] for r in jsonl_records(out)) == sorted(
        str(texts / name) for name in ("banjir.txt", "kompas.txt", "panen.txt")
    )


# --- the worker pool ------------------------------------------------------------------------


def _work(kind: str) -> str:
    """A stand-in document for the pool tests (run in a spawned worker)."""
    if kind == "hang":
        signal.signal(signal.SIGALRM, signal.SIG_IGN)
        while True:  # nothing the worker itself can stop
            time.sleep(0.05)
    if kind == "crash":
        os._exit(3)
    if kind == "big":
        globals().setdefault("ballast", []).append(bytearray(20 * 2**20))
    if kind == "rss":
        return str(rss_mb())
    return kind.upper()


def _no_init() -> None:
    pass


def test_the_pool_stops_a_hung_worker_and_survives_a_dead_one() -> None:
    kinds = ["a", "hang", "b", "crash", "c", "d", "e", "f"]
    with WorkerPool(2, _work, _no_init, hard_timeout=2, batch_size=2) as pool:
        results = dict(pool.map((i, (kind,)) for i, kind in enumerate(kinds)))
        restarts = pool.restarts
    assert results[1] == Lost("timed out: worker stopped after 2 s")
    assert results[3] == Lost("worker died (exit code 3)")
    assert {i: r for i, r in results.items() if i not in (1, 3)} == {
        i: k.upper() for i, k in enumerate(kinds) if i not in (1, 3)
    }
    assert restarts == 2


def test_a_worker_over_its_memory_ceiling_is_replaced_without_losing_work() -> None:
    kinds = ["big"] * 12  # 20 MB each, kept
    with WorkerPool(1, _work, _no_init, batch_size=1) as pool:
        fresh = dict(pool.map([(0, ("rss",))]))[0]  # what a fresh (spawned) worker holds
    ceiling = float(fresh) + 60
    with WorkerPool(1, _work, _no_init, memory_mb=ceiling, batch_size=1) as pool:
        results = dict(pool.map((i, (kind,)) for i, kind in enumerate(kinds)))
        restarts = pool.restarts
    assert results == {i: "BIG" for i in range(12)}
    assert restarts >= 1


# --- the output folder ----------------------------------------------------------------------


def test_a_second_run_into_a_busy_output_folder_is_refused(
    texts: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert main(["clean", str(texts), "-o", str(out), "--format", "jsonl", "--workers", "1"]) == 0
    before = (out / JSONL_FILE).read_bytes()
    with exclusive_use(out):  # a run in progress
        code = main(["clean", str(texts), "-o", str(out), "--format", "jsonl", "--force", "--workers", "1"])
    assert code == 2
    assert "is in use by another cleaner run" in capsys.readouterr().err
    assert (out / JSONL_FILE).read_bytes() == before


@pytest.mark.parametrize("fmt", ["json", "txt"])
def test_json_and_txt_runs_resume_after_an_interruption(
    texts: Path, tmp_path: Path, cleaner: Cleaner, fmt: str
) -> None:
    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt):  # panen.txt stops it; banjir and kompas come first
        run_batch([texts], out, BatchOptions(fmt=fmt), cleaner=InterruptingCleaner(rules=cleaner.rules))
    summary = run_batch([texts], out, BatchOptions(fmt=fmt), cleaner=cleaner)
    assert (summary.cleaned, summary.skipped) == (1, 2)
    # New rules, interrupted at once: none of the outputs made with the old rules counts.
    rules = tmp_path / "rules"
    shutil.copytree(REPO / "rules", rules)
    (rules / "_default.yaml").write_text((rules / "_default.yaml").read_text() + "\n# changed\n")
    stopping = InterruptingCleaner(rules)
    stopping.stop_at = "Banjir"  # banjir.txt comes first
    with pytest.raises(KeyboardInterrupt):
        run_batch([texts], out, BatchOptions(fmt=fmt), cleaner=stopping)
    assert run_batch([texts], out, BatchOptions(fmt=fmt), cleaner=Cleaner(rules)).cleaned == 3


def test_records_are_keyed_by_the_resolved_path(
    texts: Path, tmp_path: Path, cleaner: Cleaner, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    monkeypatch.chdir(texts.parent)
    run_batch(["in"], out, BatchOptions(fmt="jsonl"), cleaner=cleaner)
    summary = run_batch([str(texts)], out, BatchOptions(fmt="jsonl"), cleaner=cleaner)
    assert (summary.cleaned, summary.skipped) == (0, 3)
    assert [r["input"] for r in jsonl_records(out)] == sorted(str(p) for p in texts.iterdir())


# --- bad directory entries -------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_a_symlink_loop_and_a_non_utf8_name_fail_alone(texts: Path, tmp_path: Path, fmt: str) -> None:
    (texts / "putaran.txt").symlink_to(texts / "putaran.txt")
    raw = os.fsencode(texts) + b"/caf\xe9.txt"
    with open(raw, "wb") as fh:  # noqa: PTH123  # a bytes path: the name is not UTF-8
        fh.write(BANJIR.encode())
    out = tmp_path / "out"
    code = main(["clean", str(texts), "-o", str(out), "--format", fmt, "--workers", "1"])
    assert code == 1
    summary = run_batch([texts], out, BatchOptions(fmt=fmt))  # a rerun: the same two failures, nothing lost
    assert dict(summary.failed) == {
        f"{texts}/putaran.txt": "cannot open: symlink loop",
        f"{texts}/caf\\xe9.txt": "file name is not valid UTF-8 (shown escaped)",
    }
    assert summary.skipped == 3
    assert STATE_FILE in files_under(out)


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_a_folder_tree_deeper_than_pythons_recursion_limit_is_walked_and_mirrored(
    tmp_path: Path, fmt: str, cleaner: Cleaner
) -> None:
    """os.walk and mkdir(parents=True) recurse once per level in Python 3.11: a tree 1,100
    folders deep stopped the run with RecursionError, in the walk and in the json output."""
    deep = tmp_path / "in"
    deep.mkdir()
    (deep / "atas.txt").write_text(KOMPAS, encoding="utf-8")
    folder = deep
    for _ in range(sys.getrecursionlimit() + 100):
        folder /= "a"
        folder.mkdir()
    (folder / "dalam.txt").write_text(BANJIR, encoding="utf-8")
    out = tmp_path / "out"
    try:
        started = time.monotonic()
        summary = run_batch([deep], out, BatchOptions(fmt=fmt), cleaner=cleaner)
        assert (summary.cleaned, summary.failed) == (2, [])
        assert time.monotonic() - started < 30  # a real path per folder, not one resolve() each: linear
        if fmt == "json":
            assert (out / folder.relative_to(deep) / "dalam.json").is_file()
        assert run_batch([deep], out, BatchOptions(fmt=fmt), cleaner=cleaner).skipped == 2
    finally:  # shutil.rmtree recurses too: pytest could not remove this tmp_path later
        for top in (deep, out / folder.relative_to(deep).parts[0]):
            _take_down(top)


def _take_down(top: Path) -> None:
    """Remove a tree of single folders, deepest first."""
    chain = [top]
    while chain[-1].is_dir() and (inner := [p for p in chain[-1].iterdir() if p.is_dir()]):
        chain.append(inner[0])
    for folder in reversed(chain):
        if folder.is_dir():
            for item in folder.iterdir():
                item.unlink()
            folder.rmdir()


@pytest.mark.skipif(
    not Path("/dev/zero").exists() or not hasattr(os, "mkfifo"), reason="needs /dev/zero and FIFOs"
)
def test_links_to_devices_and_pipes_fail_alone_and_are_never_read(texts: Path, tmp_path: Path) -> None:
    (texts / "nol.txt").symlink_to("/dev/zero")  # read to its end, it has none: the run used to be OOM-killed
    (texts / "nol.warc.gz").symlink_to("/dev/zero")
    os.mkfifo(texts / "pipa.html")  # opened for reading, it waits for a writer for ever
    started = time.monotonic()
    summary = run_batch([texts], tmp_path / "out", BatchOptions(fmt="jsonl", workers=1))
    assert time.monotonic() - started < 30
    assert summary.cleaned == 3
    assert dict(summary.failed) == {  # the two links are one input: records are keyed by the resolved path
        "/dev/zero": "not a regular file (a device, a pipe or a socket)",
        f"{texts}/pipa.html": "not a regular file (a device, a pipe or a socket)",
    }


def test_unreadable_url_sidecars_and_urls_tsv_lines_are_left_out_with_a_warning(
    texts: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (texts / "kompas.url").write_bytes(b"\xff\xfe not a URL")  # binary: the run used to crash
    (texts / "banjir.url").write_text("https://x.id/" + "a" * 70_000, encoding="utf-8")  # too long for a URL
    (texts / "urls.tsv").write_bytes(b"panen.txt\thttps://x.id/panen\n\xffrusak.txt\thttps://x.id/r\n")
    out = tmp_path / "out"
    summary = run_batch([texts], out, BatchOptions(fmt="jsonl"))
    assert (summary.total, summary.cleaned, summary.failed) == (3, 3, [])
    urls = {Path(r["input"]).name: r["url"] for r in jsonl_records(out)}
    assert urls == {"kompas.txt": None, "banjir.txt": None, "panen.txt": "https://x.id/panen"}
    assert "kompas.url not read (not UTF-8)" in caplog.text
    assert "banjir.url not read (over 65536 bytes)" in caplog.text
    assert "urls.tsv: 1 line(s) not UTF-8, left out" in caplog.text


# --- pages and texts -------------------------------------------------------------------------

PARAGRAPHS = "".join(
    f"<p>Kalimat nomor {i} dalam artikel ini cukup panjang untuk dibaca sebagai kalimat berita.</p>"
    for i in range(8)
)


def _nested(depth: int) -> bytes:
    head = "<html><head><title>Judul berita</title></head><body>"
    return (
        head + "<div>" * depth + f"<article>{PARAGRAPHS}</article>" + "</div>" * depth + "</body></html>"
    ).encode()


@pytest.mark.parametrize("depth", [255, 300, 1500])
def test_a_deeply_nested_article_is_kept(cleaner: Cleaner, depth: int) -> None:
    article = cleaner.clean_html(_nested(depth))
    assert article.status == "ok"
    assert len(article.paragraphs) == 8
    assert DEPTH_NOTE not in article.notes


def test_a_page_deeper_than_the_parser_allows_says_so(cleaner: Cleaner) -> None:
    assert DEPTH_NOTE in cleaner.clean_html(_nested(3000)).notes


@pytest.mark.parametrize(
    "page",
    [
        "<html><body><p>Harga naik.</p></body></html>",
        "<html><body><p>Harga\x00 naik\x0b.\x1f\ufffe</p></body></html>",  # characters XML forbids
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0//EN" "http://www.w3.org/TR/x.dtd"/>\n<html><p>A</p>',
        "<!doctype html/>",  # no line end at all
        '<html lang="id"/>\n<body><p>A</p></body>',  # a self-closing <html/>
        "\n\n\n\n<html/>\n<p>A</p>",  # in the fifth line: left as it is
        "<html>\x07<br/>\n<p>A</p>",
    ],
)
def test_the_repair_before_parsing_is_trafilaturas(page: str) -> None:
    """_repair skips trafilatura's scan for forbidden characters when there is none; what it
    returns must stay what repair_faulty_html returns."""
    beginning = page[:50].lower()
    assert _repair(page, beginning) == repair_faulty_html(page, beginning)


def test_utf8_text_with_a_few_bad_bytes_stays_utf8() -> None:
    text = "Harga “beras” naik — kata Menteri di Jakarta, Senin. Café dan kedai kopi ramai.\n" * 5
    data = text.encode("utf-8")
    broken = data[:30] + b"\xff" + data[30:200] + b"\xc3" + data[200:]
    decoded = decode_text(broken)
    assert decoded.count("\ufffd") == 2
    assert decoded.replace("\ufffd", "") == text


def test_a_legacy_code_page_text_is_not_taken_for_broken_utf8() -> None:
    text = "Harga beras naik, kata Menteri. " * 20 + "Caf\xe9 r\xe9sum\xe9 na\xefve \xe0 la carte. " * 5
    assert "\ufffd" not in decode_text(text.encode("cp1252"))  # no valid UTF-8 sequence: detection decides


# JSON's escape of half an emoji, alone: what a JSONL dump or a page's JSON-LD may hold when a
# scraper cut a string between the two halves of a surrogate pair.
LONE = "\ud83d"


def _writable(article: Article) -> bool:
    json.dumps(article.to_dict(), ensure_ascii=False).encode("utf-8")  # raises on a lone surrogate
    return True


def test_a_lone_surrogate_in_a_text_becomes_the_replacement_character(cleaner: Cleaner) -> None:
    article = cleaner.clean_text(BANJIR.replace("Bekasi", f"Bekasi {LONE}", 1), url=f"https://x.id/{LONE}")
    assert _writable(article)
    assert "\ufffd" in article.text and LONE not in article.text
    assert article.text.replace(" \ufffd", "") == cleaner.clean_text(BANJIR).text


def test_lone_surrogates_in_json_ld_are_replaced_and_pairs_kept(cleaner: Cleaner) -> None:
    json_ld = '{"@type": "NewsArticle", "headline": "Banjir \\ud83d di Jakarta \\ud83c\\udf0a",'
    json_ld += ' "author": {"@type": "Person", "name": "Budi \\udc00Santoso"}}'
    page = f'<html><head><script type="application/ld+json">{json_ld}</script></head><body>'
    page += f"<article>{PARAGRAPHS}</article></body></html>"
    article = cleaner.clean_html(page)
    assert _writable(article)
    assert article.title == "Banjir \ufffd di Jakarta \U0001f30a"  # the whole pair is the emoji it was
    assert article.authors == ["Budi \ufffdSantoso"]


@pytest.mark.parametrize("url", ["http://[::1", "https://[oops/read/1"])
def test_an_unreadable_url_names_no_site_and_costs_nothing_else(cleaner: Cleaner, url: str) -> None:
    """A broken IPv6 host made urlsplit raise in the text path, and the document failed."""
    article = cleaner.clean_text(BANJIR, url=url)
    assert article.site is None and article.text == cleaner.clean_text(BANJIR).text
    assert cleaner.clean_html(
        f"<html><body><article>{PARAGRAPHS}</article></body></html>", url=url
    ).paragraphs


@pytest.mark.parametrize(
    "url", ["-", "N/A", "null", "tidak ada", "x" * 10_000, "http://" + "x" * 300 + ".com/"]
)
def test_a_url_field_that_names_no_host_names_no_site(cleaner: Cleaner, url: str) -> None:
    """A dump's url field holding "-" or "N/A" named the site "-" or "n"; a 10 MB one named a
    10 MB site, and the run's summary padded every site to its width."""
    article = cleaner.clean_text(BANJIR, url=url)
    assert article.site is None and article.text == cleaner.clean_text(BANJIR).text


@pytest.mark.parametrize(
    ("url", "site"),
    [
        ("kompas.com/read/1", "kompas.com"),
        ("http://localhost:8000/a", "localhost"),
        ("https://bücher.de/", "bücher.de"),
    ],
)
def test_a_url_with_a_host_names_its_site(cleaner: Cleaner, url: str, site: str) -> None:
    assert cleaner.clean_text(BANJIR, url=url).site == site


@pytest.mark.parametrize("name", ["https://www.kompas.com./read/1", "KOMPAS.com."])
def test_a_fully_qualified_host_names_its_site(cleaner: Cleaner, name: str) -> None:
    """ "kompas.com." (the final dot of a fully qualified name) found the rule set but not the
    domain to report: max() of nothing, and every page of the run from such URLs failed."""
    by = {"url": name} if "//" in name else {"site": name}
    assert cleaner.clean_text(BANJIR, **by).site == "kompas.com"
    assert cleaner.clean_html(f"<html><body><article>{PARAGRAPHS}</article></body></html>", **by).site == (
        "kompas.com"
    )


def test_json_ld_nested_past_the_parser_is_ignored_like_broken_json_ld(cleaner: Cleaner) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    page = f'<html><head><title>Judul berita</title><script type="application/ld+json">{deep}</script>'
    page += f"</head><body><article>{PARAGRAPHS}</article></body></html>"
    article = cleaner.clean_html(page)
    assert article.status == "ok" and len(article.paragraphs) == 8


def test_a_jsonl_line_nested_past_the_parser_fails_alone(tmp_path: Path) -> None:
    source = tmp_path / "dump.jsonl"
    lines = [
        json.dumps({"url": "https://x.id/a", "text": BANJIR}),
        '{"text": ' + "[" * 100_000 + "]" * 100_000 + "}",
        json.dumps(
            {"url": "https://x.id/c", "text": KOMPAS.replace("logistik", f"logistik {LONE}", 1)},
            ensure_ascii=True,
        ),
    ]
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    summary = run_batch([source], out, BatchOptions(fmt="jsonl"))
    assert summary.failed == [(f"{source}#line 2", "not a JSON object")]
    records = {r["input"]: r for r in jsonl_records(out)}
    assert set(records) == {f"{source}#line 1", f"{source}#line 3"}
    assert "\ufffd" in records[f"{source}#line 3"]["text"]


# --- signals ----------------------------------------------------------------------------------


def _workers_of(pid: int) -> list[int]:
    """The worker processes of `pid` (not multiprocessing's resource tracker)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            stat, command = (entry / "stat").read_text(), (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid and b"resource_tracker" not in command:
            found.append(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_sigterm_stops_the_workers_and_keeps_what_finished(tmp_path: Path) -> None:
    corpus = tmp_path / "in"
    corpus.mkdir()
    for i in range(6000):
        (corpus / f"doc{i:04}.txt").write_text(GOOD["kompas.txt"], encoding="utf-8")
    out = tmp_path / "out"
    argv = [sys.executable, "-m", "cleaner", "clean", str(corpus), "-o", str(out), "--format", "jsonl"]
    process = subprocess.Popen([*argv, "--workers", "2"], stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    part = out / "articles.jsonl.part"
    while not part.exists() or part.stat().st_size < 10_000:
        assert time.monotonic() < deadline and process.poll() is None
        time.sleep(0.1)
    workers = _workers_of(process.pid)
    assert len(workers) == 2
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 130
    assert process.stderr is not None
    with process.stderr:
        assert "interrupted" in process.stderr.read()
    assert [pid for pid in workers if Path(f"/proc/{pid}").exists()] == []  # stopped before the exit
    rerun = subprocess.run([*argv, "--workers", "1"], capture_output=True, text=True, check=False)
    assert rerun.returncode == 0
    skipped = int(rerun.stdout.split(" cleaned, ")[1].split(" skipped")[0])
    assert skipped > 0
    assert len(jsonl_records(out)) == 6000


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
def test_a_full_output_stops_the_run_at_the_first_record(texts: Path) -> None:
    """Each record's ENOSPC was one document's failure, and the run cleaned on to fail every
    write; now the run stops at once with the output's error (exit 2)."""
    with Path("/dev/full").open("w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "cleaner", "clean", str(texts), "-o", "-", "--workers", "1"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == ["cleaner: error: cannot write to -: No space left on device"]


def test_control_characters_are_no_text(cleaner: Cleaner) -> None:
    """A text field of NUL bytes came out as an "ok" article of 1,000 NULs (which PostgreSQL,
    among others, refuses to store); ESC and DEL stayed in the body too. Tabs are spaces."""
    assert cleaner.clean_text("\x00" * 1000).status == "empty"
    dirty = BANJIR.replace("Jakarta", "Jak\x00arta\x1b").replace(" ", " \x7f", 3).replace(". ", ".\t", 2)
    assert cleaner.clean_text(dirty).text == cleaner.clean_text(BANJIR).text
    page = f"<html><head><title>Judul\x01 berita</title></head><body><article>{PARAGRAPHS}</article></body></html>"
    assert (
        cleaner.clean_html(page.replace("<p>", "<p>\x02")).paragraphs == cleaner.clean_html(page).paragraphs
    )


@pytest.mark.parametrize(
    ("method", "document", "options", "says"),
    [
        ("clean_text", b"Banjir", {}, "not bytes; decode it"),
        ("clean_text", None, {}, "not NoneType"),
        ("clean_html", 12, {}, "as str or bytes, not int"),
        ("clean_text", "Banjir", {"url": 5}, "url must be a str or None"),
    ],
)
def test_a_wrong_type_is_a_type_error_that_says_what_to_give(
    cleaner: Cleaner, method: str, document: object, options: dict[str, object], says: str
) -> None:
    """These were AttributeErrors and TypeErrors from deep inside ("'NoneType' object has no
    attribute 'isascii'")."""
    with pytest.raises(TypeError, match=says):
        getattr(cleaner, method)(document, **options)
