"""The `cleaner` command: clean, explain, fixtures, rules, fetch, scrape, discover, completion.

Exit codes: 0 success, 1 some input failed (or fixtures differ), 2 the run could not
start (usage error, missing input, broken rules folder, unusable output folder), 130
interrupted. -v/-vv/-q work before or after the subcommand.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from . import __version__, logs
from .argtypes import non_negative_int, positive_int, seconds
from .batch import ARTICLE_FIELDS, FORMATS, LEAN_FIELDS, BatchOptions, is_stream_target, run_batch
from .containers import JsonlFields, container_kind, read_named_document
from .core import Cleaner
from .decode import MAX_BYTES, decode_text, read_text
from .dedup import DEFAULT_THRESHOLD, threshold_arg
from .errors import CleanerError, FetchError, InputError, RuleError
from .fetchsettings import FetchSettings
from .inputs import (
    MISNAMED_NOTES,
    clean_path,
    header_charset_for,
    is_html,
    kind_by_content,
    read_html_bytes,
    url_for,
)
from .limits import DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT
from .rules import bundled_rules_dir
from .storage import write_atomic

if TYPE_CHECKING:
    from .discover import Discovery

logger = logging.getLogger(__name__)

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
DEFAULT_FIXTURE_ROOTS = ("fixtures", "seeds")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits on --help and usage errors; callers get a code instead
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    logs.configure(logs.level_for(args.verbose, args.quiet))
    try:
        return int(args.run(args))
    except RuleError as exc:  # a broken rules folder: one line per problem, naming file, rule and key
        for line in str(exc).splitlines():
            _error(line)
        return EXIT_USAGE
    except CleanerError as exc:
        return _error(str(exc))
    except KeyboardInterrupt:
        print("cleaner: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # `cleaner clean ... | head`: the reader left, which is not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return EXIT_FAILED


def _verbosity_options(*, top: bool) -> argparse.ArgumentParser:
    """-v/-vv/-q for the top level and, as a parent parser, for every subcommand. Below the
    top they default to SUPPRESS, so that `cleaner -v clean ...` is not reset by clean's default."""
    options = argparse.ArgumentParser(add_help=False)
    group = options.add_argument_group("output")
    group.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0 if top else argparse.SUPPRESS,
        help="log cleaner's progress (-v) or debug messages (-vv); other libraries log warnings only",
    )
    group.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        default=False if top else argparse.SUPPRESS,
        help="no progress bar, errors only",
    )
    return options


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cleaner",
        description="Strip boilerplate from news text.",
        parents=[_verbosity_options(top=True)],
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    common = [_verbosity_options(top=False)]
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, *, help: str, description: str | None = None) -> argparse.ArgumentParser:
        return commands.add_parser(name, parents=common, help=help, description=description)

    clean = command("clean", help="clean files and folders into an output folder")
    clean.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="input files or folders; a WARC (.warc, .warc.gz) or JSONL (.jsonl, .jsonl.gz, .jsonl.zst) "
        "file is one input per document in it",
    )
    clean.add_argument(
        "--files-from",
        metavar="FILE",
        help="also the input paths listed in FILE, one a line or NUL-separated ('-': stdin)",
    )
    _add_jsonl_fields(clean)
    clean.add_argument(
        "-o",
        "--out",
        required=True,
        type=Path,
        metavar="OUT",
        help="output folder, or one JSONL file (FILE.jsonl, .jsonl.gz, .jsonl.zst), or - for JSONL on stdout",
    )
    clean.add_argument(
        "--format",
        choices=FORMATS,
        help="output format (default: json; jsonl for -o FILE.jsonl[.gz|.zst] and -o -)",
    )
    _add_rules_option(clean)
    clean.add_argument(
        "--workers",
        type=_workers,
        default="auto",
        metavar="N",
        help="worker processes; 1 cleans in the main process (default: auto, one per available core)",
    )
    clean.add_argument(
        "--fields",
        type=_fields,
        metavar="LIST",
        help="json/jsonl records keep only these Article fields (comma-separated), or 'lean': "
        "all but paragraphs, removed and found_by",
    )
    clean.add_argument(
        "--dedup",
        choices=("exact", "near"),
        help="mark records duplicate_of the first with the same text (exact) or a near one (near: "
        "MinHash over 5-word shingles, needs the dedup extra)",
    )
    clean.add_argument(
        "--dedup-threshold",
        type=threshold_arg,
        default=DEFAULT_THRESHOLD,
        metavar="J",
        help=f"--dedup near: estimated Jaccard similarity of a duplicate (default: {DEFAULT_THRESHOLD})",
    )
    clean.add_argument(
        "--summary-json",
        type=Path,
        metavar="FILE",
        help="also write the summary, uncut, as JSON to FILE ('-': standard output)",
    )
    clean.add_argument(
        "--timeout",
        type=seconds,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"time one document may take before it fails; 0: no limit (default: {DEFAULT_TIMEOUT:g})",
    )
    clean.add_argument(
        "--max-worker-mb",
        type=positive_int,
        default=DEFAULT_MEMORY_MB,
        metavar="MB",
        help=f"a worker using more memory is replaced after its batch (default: {DEFAULT_MEMORY_MB})",
    )
    clean.add_argument("--force", action="store_true", help="clean inputs whose output is up to date too")
    clean.add_argument(
        "--max-bytes", type=positive_int, default=MAX_BYTES, metavar="N", help="skip larger inputs"
    )
    clean.set_defaults(run=run_clean)

    explain = command("explain", help="show which rule removed what from one file")
    explain.add_argument(
        "file",
        type=Path,
        metavar="FILE",
        help="a page or a text; one document of a WARC or JSONL file as FILE#NAME, named as its "
        "record's input names it ('crawl.warc.gz#<urn:uuid:...>', 'dump.jsonl#line 7')",
    )
    _add_rules_option(explain)
    explain.add_argument("--url", help="the page URL (picks the site's rules)")
    explain.add_argument("--site", help="the site, when there is no URL")
    _add_jsonl_fields(explain)
    explain.set_defaults(run=run_explain)

    fixtures = command("fixtures", help="check or update the regression fixtures")
    fixtures.add_argument("action", choices=("check", "update"))
    _add_rules_option(fixtures)
    fixtures.add_argument(
        "roots",
        nargs="*",
        type=Path,
        metavar="ROOT",
        help=(
            "fixture folders, or single fixtures (an input or its expected file; default:"
            f" {' '.join(DEFAULT_FIXTURE_ROOTS)} beside the rules folder)"
        ),
    )
    fixtures.set_defaults(run=run_fixtures)

    rules = command("rules", help="tools for rule authors: list, check, new, schema")
    rule_actions = rules.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = rule_actions.add_parser(
        "list", parents=common, help="sites, their domains, rule and fixture counts"
    )
    _add_rules_option(listing)
    check = rule_actions.add_parser(
        "check", parents=common, help="validate every rule file; every site needs a fixture"
    )
    check.add_argument("dir", nargs="?", type=Path, metavar="DIR", help="rules folder (default: bundled)")
    schema = rule_actions.add_parser(
        "schema", parents=common, help="write the JSON Schema of rule files (for editors), to stdout or FILE"
    )
    schema.add_argument("output", nargs="?", type=Path, metavar="FILE", help="e.g. rules/schema.json")
    new = rule_actions.add_parser(
        "new", parents=common, help="scaffold a site's rule file and a fixture from a saved page"
    )
    new.add_argument("domain", metavar="DOMAIN")
    new.add_argument("--from", dest="page", type=Path, metavar="PAGE", help="a saved page (.html/.txt)")
    new.add_argument("--rules-dir", type=Path, default=Path("rules"), metavar="DIR", help="default: rules")
    new.add_argument(
        "--fixtures", type=Path, default=Path("fixtures"), metavar="DIR", help="default: fixtures"
    )
    for sub in (listing, check):
        sub.add_argument(
            "--fixtures",
            type=Path,
            nargs="*",
            metavar="DIR",
            help=f"fixture folders (default: {' '.join(DEFAULT_FIXTURE_ROOTS)} beside the rules folder)",
        )
    rules.set_defaults(run=run_rules)

    fetch = command("fetch", help="download pages into an archive folder (gzipped HTML + manifest)")
    _add_url_arguments(fetch)
    fetch.add_argument("-o", "--out", required=True, type=Path, metavar="DIR", help="archive folder")
    _add_run_options(fetch)
    _add_fetch_options(fetch)
    fetch.set_defaults(run=run_fetch_command)

    scrape = command("scrape", help="fetch and clean pages into one JSONL file, streaming")
    _add_url_arguments(scrape)
    scrape.add_argument("-o", "--out", required=True, type=Path, metavar="OUT.jsonl", help="output file")
    scrape.add_argument(
        "--archive", type=Path, metavar="DIR", help="also keep the pages in this archive folder"
    )
    _add_rules_option(scrape)
    _add_run_options(scrape)
    _add_fetch_options(scrape)
    scrape.set_defaults(run=run_scrape_command)

    discover = command(
        "discover", help="list article URLs from a site's sitemaps and feeds, one a line on stdout"
    )
    discover.add_argument(
        "site",
        nargs="?",
        metavar="SITE",
        help="e.g. kompas.com: robots.txt's sitemaps and the home page's feeds",
    )
    _add_discovery_options(discover)
    _add_fetch_options(discover)
    discover.set_defaults(run=run_discover_command)

    completion = command("completion", help="print a shell completion script")
    completion.add_argument("shell", choices=("bash", "zsh", "tcsh"))
    completion.set_defaults(run=lambda args: run_completion(parser, args))
    return parser


def _add_jsonl_fields(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--html-field", metavar="NAME", help="JSONL inputs: the field holding a page's HTML")
    parser.add_argument(
        "--text-field",
        default="text",
        metavar="NAME",
        help="JSONL inputs: the field holding a text (default: text)",
    )
    parser.add_argument(
        "--url-field",
        default="url",
        metavar="NAME",
        help="JSONL inputs: the field holding the URL (default: url)",
    )


def _jsonl_fields(args: argparse.Namespace) -> JsonlFields:
    return JsonlFields(html=args.html_field, text=args.text_field, url=args.url_field)


def _add_rules_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rules", type=Path, metavar="DIR", help="rules folder (default: the bundled rules)")


def _fields(value: str) -> tuple[str, ...]:
    if value == "lean":
        return LEAN_FIELDS
    names = tuple(name.strip() for name in value.split(",") if name.strip())
    unknown = [name for name in names if name not in ARTICLE_FIELDS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown field(s) {', '.join(unknown) or '(none given)'}; "
            f"known: {', '.join(ARTICLE_FIELDS)}, or lean"
        )
    return names


def _workers(value: str) -> int | str:
    return "auto" if value == "auto" else positive_int(value)


def _add_url_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("urls", nargs="*", metavar="URL", help="page URLs")
    parser.add_argument(
        "--urls", dest="urls_file", metavar="FILE", help="file with one URL a line ('-': standard input)"
    )
    _add_discovery_options(parser)


def _add_discovery_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("discovery")
    group.add_argument(
        "--sitemap",
        dest="sitemaps",
        action="append",
        default=[],
        metavar="URL",
        help="also the pages this sitemap (or sitemap index, news sitemap) lists; repeatable",
    )
    group.add_argument(
        "--feed",
        dest="feeds",
        action="append",
        default=[],
        metavar="URL",
        help="also the pages this RSS or Atom feed lists; repeatable",
    )
    group.add_argument(
        "--since",
        type=_since,
        metavar="DATE",
        help="only discovered pages dated on or after DATE (2024-06-01, or ISO 8601 with a time); "
        "undated ones are left out",
    )


def _since(value: str) -> datetime:
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD) or ISO 8601 time: {value!r}") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _add_fetch_options(parser: argparse.ArgumentParser) -> None:
    defaults = FetchSettings()
    group = parser.add_argument_group("fetching")
    group.add_argument(
        "--concurrency",
        type=positive_int,
        default=defaults.concurrency,
        metavar="N",
        help="requests in flight, all hosts together (default: %(default)s)",
    )
    group.add_argument(
        "--per-host",
        type=positive_int,
        default=defaults.per_host,
        metavar="N",
        help="requests in flight to one host (default: %(default)s)",
    )
    group.add_argument(
        "--delay",
        type=seconds,
        default=defaults.min_delay,
        metavar="S",
        help="minimum seconds between requests to one host (default: %(default)s)",
    )
    group.add_argument(
        "--connect-timeout",
        type=seconds,
        default=defaults.connect_timeout,
        metavar="S",
        help="longest wait for a connection (default: %(default)s)",
    )
    group.add_argument(
        "--read-timeout",
        type=seconds,
        default=defaults.read_timeout,
        metavar="S",
        help="longest silence between two bytes (default: %(default)s)",
    )
    group.add_argument(
        "--deadline",
        type=seconds,
        default=defaults.deadline,
        metavar="S",
        help="longest one request may take in all, however the bytes trickle in (default: %(default)s)",
    )
    group.add_argument(
        "--max-bytes",
        type=positive_int,
        default=defaults.max_bytes,
        metavar="N",
        help="give up on larger pages, counted as they are decompressed (default: %(default)s)",
    )
    group.add_argument(
        "--max-redirects",
        type=non_negative_int,
        default=defaults.max_redirects,
        metavar="N",
        help="redirects followed before giving up (default: %(default)s)",
    )
    group.add_argument(
        "--user-agent",
        default=defaults.user_agent,
        metavar="UA",
        help="the User-Agent header (default: %(default)s)",
    )
    group.add_argument(
        "--attempts",
        type=positive_int,
        default=defaults.attempts,
        metavar="N",
        help="tries per request on connection errors, timeouts, 429 and 5xx (default: %(default)s)",
    )
    group.add_argument(
        "--backoff",
        type=seconds,
        default=defaults.backoff_base,
        metavar="S",
        help="first retry wait, doubling with jitter after that (default: %(default)s)",
    )
    group.add_argument(
        "--backoff-max",
        type=seconds,
        default=defaults.backoff_max,
        metavar="S",
        help="longest wait between two tries (default: %(default)s)",
    )
    group.add_argument(
        "--max-wait",
        type=seconds,
        default=defaults.max_wait,
        metavar="S",
        help="cap on the Retry-After and Crawl-delay a server asks for (default: %(default)s)",
    )
    group.add_argument("--ignore-robots", action="store_true", help="do not fetch or obey robots.txt")


def _add_run_options(parser: argparse.ArgumentParser) -> None:
    """What fetch and scrape runs have beyond the fetch settings."""
    parser.add_argument(
        "--warc", type=Path, metavar="FILE", help="also append request/response records to a WARC file"
    )
    parser.add_argument(
        "--retry-failed",
        action="store_true",
        help="fetch again what failed for good (404, 410) in an earlier run; a rerun skips them otherwise",
    )


def _fetch_settings(args: argparse.Namespace) -> FetchSettings:
    try:
        return FetchSettings(
            concurrency=args.concurrency,
            per_host=args.per_host,
            min_delay=args.delay,
            connect_timeout=args.connect_timeout,
            read_timeout=args.read_timeout,
            deadline=args.deadline,
            max_bytes=args.max_bytes,
            max_redirects=args.max_redirects,
            user_agent=args.user_agent,
            attempts=args.attempts,
            backoff_base=args.backoff,
            backoff_max=args.backoff_max,
            max_wait=args.max_wait,
            respect_robots=not args.ignore_robots,
        )
    except ValueError as exc:
        raise FetchError(str(exc)) from exc


def _urls_from(args: argparse.Namespace) -> list[str]:
    urls = list(args.urls)
    if args.urls_file:
        urls += _read_url_file(args.urls_file)
    if args.sitemaps or args.feeds:
        found = _discover(args, None)
        urls += found.urls
    if not urls:
        raise FetchError(
            "no URLs: give them as arguments, in a file with --urls FILE, or by --sitemap/--feed"
        )
    return urls


def _discover(args: argparse.Namespace, site: str | None) -> Discovery:
    from .discover import discover  # imported on use: only discovery needs it

    with _sigterm_as_interrupt():
        found = discover(
            site, sitemaps=args.sitemaps, feeds=args.feeds, since=args.since, settings=_fetch_settings(args)
        )
    if not args.quiet or found.failures:
        print(found.render(), file=sys.stderr)
    return found


def _read_path_list(name: str) -> list[Path]:
    """One path a line (blank lines skipped), or NUL-separated as `find -print0` writes them
    (a name may hold a newline). Names are taken as they are, spaces included, and as bytes,
    as the file system holds them: a name that is not UTF-8 is a name too."""
    data = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
    names = data.split(b"\0") if b"\0" in data else data.splitlines()
    return [Path(os.fsdecode(line)) for line in names if line.strip()]


def _read_url_file(name: str) -> list[str]:
    """One URL a line; blank lines and lines starting with # are skipped."""
    try:
        text = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FetchError(f"cannot read {name}: {getattr(exc, 'strerror', None) or exc}") from exc
    lines = (line.strip() for line in text.splitlines())
    return [line for line in lines if line and not line.startswith("#")]


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM stops a run the way Ctrl-C does: requests in flight are cancelled, temporary
    files removed, and what finished stays recorded for the next run."""
    if threading.current_thread() is not threading.main_thread():  # signal handlers live in the main thread
        yield
        return

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _show_progress(args: argparse.Namespace) -> bool:
    return sys.stderr.isatty() and not args.quiet


def _fixture_roots(given: list[Path] | None, rules_dir: Path | None) -> list[Path]:
    """The folders given, else fixtures/ and seeds/ beside the rules folder: run from anywhere,
    the bundled rules find the repo's fixtures."""
    if given:
        return given
    base = (rules_dir or bundled_rules_dir()).resolve().parent
    return [base / root for root in DEFAULT_FIXTURE_ROOTS]


def _missing(paths: Sequence[Path]) -> list[Path]:
    return [path for path in paths if not path.exists()]


def _unusable_output(outputs: Sequence[tuple[str, Path | None, str]]) -> str | None:
    """Why one of the (option, path, "file" or "folder") outputs cannot be written, found out
    before any input is read or URL fetched, not after a long run; None when all can be."""
    for option, path, kind in outputs:
        if path is None or str(path) == "-":
            continue
        parent = next((p for p in path.parents if p.exists()), None)
        if parent is not None and not parent.is_dir():
            return f"{option} {path}: {parent} is not a folder"
        if kind == "file" and path.is_dir():
            return f"{option} {path} is a folder; name a file"
        if kind == "folder" and path.exists() and not path.is_dir():
            return f"{option} {path} exists and is not a folder"
    return None


def _use_color() -> bool:
    """Colour on a terminal, unless NO_COLOR is set to anything (no-color.org)."""
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def _error(message: str, code: int = EXIT_USAGE) -> int:
    print(f"cleaner: error: {message}", file=sys.stderr)
    return code


# --- commands -----------------------------------------------------------------------------


def run_clean(args: argparse.Namespace) -> int:
    missing = _missing(args.paths)
    if missing:  # a usage error: checked before anything is created
        return _error(f"no such file or folder: {', '.join(map(str, missing))}")
    if args.files_from:  # a listed path that is missing is one failed input, not a usage error
        try:
            listed = _read_path_list(args.files_from)
        except OSError as exc:
            return _error(f"cannot read {args.files_from}: {exc.strerror or exc}")
        args.paths = [*args.paths, *listed]
    if not args.paths:
        return _error("no input: give paths or --files-from")
    stream = is_stream_target(args.out)
    if stream and args.format not in (None, "jsonl"):
        return _error(f"-o {args.out} writes JSONL; --format {args.format} needs an output folder")
    outputs = [
        ("-o", args.out, "file" if stream else "folder"),
        ("--summary-json", args.summary_json, "file"),
    ]
    if problem := _unusable_output(outputs):
        return _error(problem)
    json_on_stdout = str(args.summary_json) == "-"
    if json_on_stdout and str(args.out) == "-":
        return _error("-o - and --summary-json - would both write to standard output")
    args.format = args.format or ("jsonl" if stream else "json")
    cleaner = Cleaner(args.rules)  # before any output is touched, so broken rules change nothing
    logger.info("rules from %s: %d rule sets", args.rules or bundled_rules_dir(), len(cleaner.rules.sets))
    show_progress = sys.stderr.isatty() and not args.quiet
    try:
        with _sigterm_as_interrupt():  # workers are stopped and the run's finished part kept, as on Ctrl-C
            summary = run_batch(args.paths, args.out, _batch_options(args, show_progress), cleaner)
    except BrokenPipeError:
        raise  # the reader of -o - left (main ends quietly)
    except OSError as exc:  # the output folder itself is unusable (per-input errors are in the summary)
        return _error(f"cannot write to {exc.filename or args.out}: {exc.strerror or exc}")
    if str(args.out) != "-" and not json_on_stdout:
        print(summary.render())
    elif not args.quiet or not summary.ok:  # stdout holds records or JSON: the summary goes to stderr
        print(summary.render(), file=sys.stderr)
    if json_on_stdout:
        print(json.dumps(summary.to_json(), ensure_ascii=False, indent=2))
    elif args.summary_json:
        try:
            write_atomic(
                args.summary_json, json.dumps(summary.to_json(), ensure_ascii=False, indent=2) + "\n"
            )
        except OSError as exc:
            return _error(f"cannot write {args.summary_json}: {exc.strerror or exc}", EXIT_FAILED)
    return EXIT_OK if summary.ok else EXIT_FAILED


def _batch_options(args: argparse.Namespace, progress: bool) -> BatchOptions:
    return BatchOptions(
        fmt=args.format,
        workers=args.workers,
        force=args.force,
        progress=progress,
        max_bytes=args.max_bytes,
        timeout=args.timeout or None,
        memory_mb=args.max_worker_mb,
        fields=args.fields,
        jsonl=_jsonl_fields(args),
        dedup=args.dedup,
        dedup_threshold=args.dedup_threshold,
    )


def run_explain(args: argparse.Namespace) -> int:
    path, name = _explained(args.file)
    if not path.exists():
        return _error(f"no such file: {path}")
    if name is None and (kind := container_kind(path)):
        example = f"{path}#<WARC-Record-ID>" if kind == "warc" else f"{path}#line N"
        return _error(f"{path} holds many documents: name one as {example}, as its record's input does")
    cleaner = Cleaner(args.rules)
    color = _use_color()
    try:
        with logs.for_input(str(args.file)):  # library warnings name the file, as under `clean`
            return _explain_document(args, cleaner, path, name, color)
    except CleanerError as exc:
        return _error(str(exc), EXIT_FAILED)


def _explained(file: Path) -> tuple[Path, str | None]:
    """FILE, or FILE#NAME: one document of a WARC or JSONL file (a file named with a "#"
    that exists is itself)."""
    if file.exists() or "#" not in str(file):
        return file, None
    path, _, name = str(file).rpartition("#")
    return Path(path), name


def _explain_document(
    args: argparse.Namespace, cleaner: Cleaner, path: Path, name: str | None, color: bool
) -> int:
    from .explain import render_explain, render_explain_html  # imported on use: only explain needs them

    document: str | bytes
    if name is not None:
        container = container_kind(path)
        if container is None:
            return _error(f"{path} is not a WARC or JSONL file: #{name} names a document inside one")
        entry, document = read_named_document(path, name, _jsonl_fields(args), max_bytes=MAX_BYTES)
        named, url, charset = entry.kind, args.url or entry.url, entry.charset
        # read as `clean` reads it: a WARC page as served, a JSONL field by what it holds
        kind = named if container == "warc" else kind_by_content(document, named)
    else:
        named = "html" if is_html(path) else "text"
        document = read_html_bytes(path) if named == "html" else read_text(path)
        # the same decoding `clean` gives the file: the HTTP charset saved next to it, if any
        url, charset = args.url or url_for(path), header_charset_for(path) if named == "html" else None
        kind = kind_by_content(document, named)  # read as `clean` reads it: by what it holds
    note = [MISNAMED_NOTES[named]] if kind != named else []
    if kind == "html":
        trace = cleaner.clean_html_traced(document, url=url, encoding=charset, site=args.site)
        trace.article.notes += note
        print(render_explain_html(trace.lines, trace.article, color=color))
    else:
        text = document if isinstance(document, str) else decode_text(document, declared=charset)
        article = cleaner.clean_text(text, url=url, site=args.site)
        article.notes += note
        print(render_explain(text, article, color=color))
    return EXIT_OK


def run_fixtures(args: argparse.Namespace) -> int:
    from .fixtures import check_fixtures, discover, orphans, update_fixtures

    missing = _missing(args.roots)
    if missing:
        return _error(f"no such file or folder: {', '.join(map(str, missing))}")
    cleaner = Cleaner(args.rules)
    roots = _fixture_roots(args.roots, args.rules)
    found = sum(1 for _ in discover(roots))
    if not found and not orphans(roots, ()):  # checking nothing must not pass
        return _error(f"no fixtures found in {', '.join(map(str, roots))}")
    logger.info("%d fixtures in %s", found, ", ".join(map(str, roots)))
    if args.action == "update":
        changed, failed = update_fixtures(cleaner, roots)
        print("\n".join(changed) if changed else f"No fixture changed ({found} fixtures).")
        for line in failed:
            print(line, file=sys.stderr)
        return EXIT_FAILED if failed else EXIT_OK
    diffs = check_fixtures(cleaner, roots)
    if diffs:
        print("\n".join(diffs))
        return EXIT_FAILED
    print("The fixture matches." if found == 1 else f"All {found} fixtures match.")
    return EXIT_OK


def run_rules(args: argparse.Namespace) -> int:
    from . import authoring  # imported on use: only rule authors need it

    if args.action == "list":
        roots = _fixture_roots(args.fixtures, args.rules)
        print(authoring.render_site_table(authoring.site_rows(Cleaner(args.rules).rules, roots)))
        return EXIT_OK
    if args.action == "check":
        from .fixtures import discover

        roots = _fixture_roots(args.fixtures, args.dir)
        rules, problems = authoring.check_rule_folder(args.dir, roots)
        if rules is not None and not any(True for _ in discover(roots)):  # one line, not one per site
            where = ", ".join(map(str, roots))
            return _error(f"{len(rules.sets)} rule sets valid, but no fixtures found in {where}")
        for problem in problems:
            print(problem, file=sys.stderr)
        if rules is None:  # invalid rule files: the exit code `clean --rules` gives them
            return EXIT_USAGE
        if not problems:
            print(f"{len(rules.sets)} rule sets, {len(rules.sites)} sites: all valid, all with fixtures.")
        return EXIT_FAILED if problems else EXIT_OK
    if args.action == "schema":
        from .rules import rule_file_schema

        if args.output is None:
            sys.stdout.write(rule_file_schema())
        else:
            args.output.write_text(rule_file_schema(), encoding="utf-8")
        return EXIT_OK
    # checked before anything is written
    if args.page is not None and not args.page.is_file():
        return _error(f"no such file: {args.page}")
    if not args.rules_dir.is_dir():
        return _error(f"no rules folder {args.rules_dir} (give it with --rules-dir DIR)")
    try:
        authoring.site_domain(args.domain)
        if args.page is not None:  # a page that cannot be cleaned (binary, empty) makes no fixture
            clean_path(Cleaner(args.rules_dir), args.page)
    except InputError as exc:
        return _error(f"{args.page}: {exc.reason}", EXIT_FAILED)
    except (ValueError, RuleError) as exc:  # not a domain; broken rules, as `clean --rules` exits
        return _error(str(exc))
    try:
        written = authoring.scaffold_site(args.domain, args.rules_dir, args.fixtures, args.page)
    except (FileExistsError, OSError) as exc:
        return _error(str(exc), EXIT_FAILED)
    print("\n".join(f"wrote {path}" for path in written))
    if args.page is not None:
        print()
        print(authoring.new_site_report(Cleaner(args.rules_dir), written[1], args.domain))
    return EXIT_OK


def run_discover_command(args: argparse.Namespace) -> int:
    if args.site is None and not (args.sitemaps or args.feeds):
        return _error("give a SITE, or sitemaps and feeds with --sitemap URL and --feed URL")
    found = _discover(args, args.site)
    for url in found.urls:
        print(url)
    return EXIT_OK if found.found and not found.failures else EXIT_FAILED


def run_completion(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    import shtab  # imported on use: only this command needs it

    print(shtab.complete(parser, shell=args.shell))
    return EXIT_OK


def run_fetch_command(args: argparse.Namespace) -> int:
    from .scrape import FetchOptions, run_fetch  # imported on use: only the fetching commands need it

    if problem := _unusable_output([("-o", args.out, "folder"), ("--warc", args.warc, "file")]):
        return _error(problem)
    urls = _urls_from(args)
    options = FetchOptions(
        _fetch_settings(args), warc=args.warc, progress=_show_progress(args), retry_failed=args.retry_failed
    )
    try:
        with _sigterm_as_interrupt():
            summary = run_fetch(urls, args.out, options)
    except OSError as exc:  # the archive folder itself is unusable (per-page errors are in the summary)
        return _error(f"cannot write to {exc.filename or args.out}: {exc.strerror or exc}")
    print(summary.render())
    return EXIT_OK if summary.ok else EXIT_FAILED


def run_scrape_command(args: argparse.Namespace) -> int:
    from .scrape import ScrapeOptions, run_scrape

    outputs = [("-o", args.out, "file"), ("--warc", args.warc, "file"), ("--archive", args.archive, "folder")]
    if problem := _unusable_output(outputs):
        return _error(problem)
    urls = _urls_from(args)
    options = ScrapeOptions(
        _fetch_settings(args),
        warc=args.warc,
        progress=_show_progress(args),
        retry_failed=args.retry_failed,
        archive=args.archive,
    )
    cleaner = Cleaner(args.rules)  # before any request, so broken rules cost no traffic
    try:
        with _sigterm_as_interrupt():
            summary = run_scrape(urls, args.out, cleaner, options)
    except OSError as exc:
        return _error(f"cannot write {exc.filename or args.out}: {exc.strerror or exc}")
    print(summary.render())
    return EXIT_OK if summary.ok else EXIT_FAILED
