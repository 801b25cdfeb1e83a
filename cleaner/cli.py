"""The `cleaner` command: clean, explain, fixtures, fetch, scrape.

Exit codes: 0 success, 1 some input failed (or fixtures differ), 2 the run could not
start (usage error, broken rules folder, unusable output folder), 130 interrupted.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import FrameType

from .batch import FORMATS, run_batch
from .core import Cleaner
from .decode import MAX_BYTES, read_text
from .errors import CleanerError, FetchError
from .fetch import FetchSettings
from .inputs import header_charset_for, is_html, read_html_bytes, url_for

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
DEFAULT_FIXTURE_ROOTS = ("fixtures", "seeds")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits on --help and usage errors; callers get a code instead
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        return int(args.run(args))
    except CleanerError as exc:  # a broken rules folder: the message names file, rule and key
        return _error(str(exc))
    except KeyboardInterrupt:
        print("cleaner: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # `cleaner clean ... | head`: the reader left, which is not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return EXIT_FAILED


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cleaner", description="Strip boilerplate from news text.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    clean = commands.add_parser("clean", help="clean files and folders into an output folder")
    clean.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="input files or folders")
    clean.add_argument("-o", "--out", required=True, type=Path, metavar="OUT", help="output folder")
    clean.add_argument("--format", choices=FORMATS, default="json", help="output format (default: json)")
    _add_rules_option(clean)
    clean.add_argument("--workers", type=_positive_int, default=1, metavar="N", help="worker processes")
    clean.add_argument("--force", action="store_true", help="clean inputs whose output is up to date too")
    clean.add_argument("--quiet", action="store_true", help="no progress bar")
    clean.add_argument(
        "--max-bytes", type=_positive_int, default=MAX_BYTES, metavar="N", help="skip larger inputs"
    )
    clean.set_defaults(run=run_clean)

    explain = commands.add_parser("explain", help="show which rule removed what from one file")
    explain.add_argument("file", type=Path, metavar="FILE")
    _add_rules_option(explain)
    explain.add_argument("--url", help="the page URL (picks the site's rules)")
    explain.add_argument("--site", help="the site, when there is no URL")
    explain.set_defaults(run=run_explain)

    fixtures = commands.add_parser("fixtures", help="check or update the regression fixtures")
    fixtures.add_argument("action", choices=("check", "update"))
    _add_rules_option(fixtures)
    fixtures.add_argument(
        "roots",
        nargs="*",
        type=Path,
        metavar="ROOT",
        help=f"fixture folders (default: {' '.join(DEFAULT_FIXTURE_ROOTS)})",
    )
    fixtures.set_defaults(run=run_fixtures)

    rules = commands.add_parser("rules", help="tools for rule authors: list, check, new")
    rule_actions = rules.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = rule_actions.add_parser("list", help="sites, their domains, rule and fixture counts")
    _add_rules_option(listing)
    check = rule_actions.add_parser("check", help="validate every rule file; every site needs a fixture")
    check.add_argument("dir", nargs="?", type=Path, metavar="DIR", help="rules folder (default: bundled)")
    new = rule_actions.add_parser("new", help="scaffold a site's rule file and a fixture from a saved page")
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
            default=[Path(root) for root in DEFAULT_FIXTURE_ROOTS],
            metavar="DIR",
            help=f"fixture folders (default: {' '.join(DEFAULT_FIXTURE_ROOTS)})",
        )
    rules.set_defaults(run=run_rules)

    fetch = commands.add_parser(
        "fetch", help="download pages into an archive folder (gzipped HTML + manifest)"
    )
    _add_url_arguments(fetch)
    fetch.add_argument("-o", "--out", required=True, type=Path, metavar="DIR", help="archive folder")
    _add_fetch_options(fetch)
    fetch.set_defaults(run=run_fetch_command)

    scrape = commands.add_parser("scrape", help="fetch and clean pages into one JSONL file, streaming")
    _add_url_arguments(scrape)
    scrape.add_argument("-o", "--out", required=True, type=Path, metavar="OUT.jsonl", help="output file")
    scrape.add_argument(
        "--archive", type=Path, metavar="DIR", help="also keep the pages in this archive folder"
    )
    _add_rules_option(scrape)
    _add_fetch_options(scrape)
    scrape.set_defaults(run=run_scrape_command)
    return parser


def _add_rules_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rules", type=Path, metavar="DIR", help="rules folder (default: the bundled rules)")


def _int_at_least(minimum: int) -> Callable[[str], int]:
    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
        if number < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, not {number}")
        return number

    return parse


_positive_int = _int_at_least(1)
_non_negative_int = _int_at_least(0)


def _seconds(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {value!r}") from None
    if not number >= 0:  # also refuses nan
        raise argparse.ArgumentTypeError(f"must not be negative, not {value}")
    return number


def _add_url_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("urls", nargs="*", metavar="URL", help="page URLs")
    parser.add_argument(
        "--urls", dest="urls_file", metavar="FILE", help="file with one URL a line ('-': standard input)"
    )


def _add_fetch_options(parser: argparse.ArgumentParser) -> None:
    defaults = FetchSettings()
    parser.add_argument(
        "--warc", type=Path, metavar="FILE", help="also append request/response records to a WARC file"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    group = parser.add_argument_group("fetching")
    group.add_argument(
        "--concurrency",
        type=_positive_int,
        default=defaults.concurrency,
        metavar="N",
        help="requests in flight, all hosts together (default: %(default)s)",
    )
    group.add_argument(
        "--per-host",
        type=_positive_int,
        default=defaults.per_host,
        metavar="N",
        help="requests in flight to one host (default: %(default)s)",
    )
    group.add_argument(
        "--delay",
        type=_seconds,
        default=defaults.min_delay,
        metavar="S",
        help="minimum seconds between requests to one host (default: %(default)s)",
    )
    group.add_argument("--connect-timeout", type=_seconds, default=defaults.connect_timeout, metavar="S")
    group.add_argument("--read-timeout", type=_seconds, default=defaults.read_timeout, metavar="S")
    group.add_argument(
        "--max-bytes",
        type=_positive_int,
        default=defaults.max_bytes,
        metavar="N",
        help="give up on larger pages (default: %(default)s)",
    )
    group.add_argument("--max-redirects", type=_non_negative_int, default=defaults.max_redirects, metavar="N")
    group.add_argument("--user-agent", default=defaults.user_agent, metavar="UA")
    group.add_argument(
        "--attempts",
        type=_positive_int,
        default=defaults.attempts,
        metavar="N",
        help="tries per request on connection errors, timeouts, 429 and 5xx (default: %(default)s)",
    )
    group.add_argument(
        "--backoff",
        type=_seconds,
        default=defaults.backoff_base,
        metavar="S",
        help="first retry wait, doubling with jitter after that (default: %(default)s)",
    )
    group.add_argument("--backoff-max", type=_seconds, default=defaults.backoff_max, metavar="S")
    group.add_argument(
        "--max-wait",
        type=_seconds,
        default=defaults.max_wait,
        metavar="S",
        help="cap on the Retry-After and Crawl-delay a server asks for (default: %(default)s)",
    )
    group.add_argument("--ignore-robots", action="store_true", help="do not fetch or obey robots.txt")


def _fetch_settings(args: argparse.Namespace) -> FetchSettings:
    try:
        return FetchSettings(
            concurrency=args.concurrency,
            per_host=args.per_host,
            min_delay=args.delay,
            connect_timeout=args.connect_timeout,
            read_timeout=args.read_timeout,
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
    if not urls:
        raise FetchError("no URLs: give them as arguments or in a file with --urls FILE")
    return list(dict.fromkeys(urls))


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


def _error(message: str, code: int = EXIT_USAGE) -> int:
    print(f"cleaner: error: {message}", file=sys.stderr)
    return code


# --- commands -----------------------------------------------------------------------------


def run_clean(args: argparse.Namespace) -> int:
    if args.out.exists() and not args.out.is_dir():
        return _error(f"output {args.out} exists and is not a folder")
    cleaner = Cleaner(args.rules)  # before any output is touched, so broken rules change nothing
    show_progress = sys.stderr.isatty() and not args.quiet
    try:
        summary = run_batch(
            args.paths,
            args.out,
            fmt=args.format,
            cleaner=cleaner,
            workers=args.workers,
            force=args.force,
            progress=show_progress,
            max_bytes=args.max_bytes,
        )
    except OSError as exc:  # the output folder itself is unusable (per-input errors are in the summary)
        return _error(f"cannot write to {args.out}: {exc.strerror or exc}")
    print(summary.render())
    return EXIT_OK if summary.ok else EXIT_FAILED


def run_explain(args: argparse.Namespace) -> int:
    from .explain import render_explain, render_explain_html  # imported on use: only this command needs them

    cleaner = Cleaner(args.rules)
    color = sys.stdout.isatty()
    url = args.url or url_for(args.file)
    try:
        if is_html(args.file):
            page = read_html_bytes(args.file)
            # the same decoding `clean` gives the file: the HTTP charset saved next to it, if any
            article, lines = cleaner.clean_html_traced(page, url=url, encoding=header_charset_for(args.file))
            print(render_explain_html(lines, article, color=color))
        else:
            text = read_text(args.file)
            print(render_explain(text, cleaner.clean_text(text, url=url, site=args.site), color=color))
    except CleanerError as exc:
        return _error(str(exc), EXIT_FAILED)
    return EXIT_OK


def run_fixtures(args: argparse.Namespace) -> int:
    from .fixtures import check_fixtures, update_fixtures

    cleaner = Cleaner(args.rules)
    roots = args.roots or [Path(root) for root in DEFAULT_FIXTURE_ROOTS]
    if args.action == "update":
        changed = update_fixtures(cleaner, roots)
        print("\n".join(changed) if changed else "No fixture changed.")
        return EXIT_OK
    diffs = check_fixtures(cleaner, roots)
    print("\n".join(diffs) if diffs else "All fixtures match.")
    return EXIT_FAILED if diffs else EXIT_OK


def run_rules(args: argparse.Namespace) -> int:
    from . import authoring  # imported on use: only rule authors need it

    if args.action == "list":
        print(authoring.render_site_table(authoring.site_rows(Cleaner(args.rules).rules, args.fixtures)))
        return EXIT_OK
    if args.action == "check":
        rules, problems = authoring.check_rule_folder(args.dir, args.fixtures)
        for problem in problems:
            print(problem, file=sys.stderr)
        if rules is not None and not problems:
            print(f"{len(rules.sets)} rule sets, {len(rules.sites)} sites: all valid, all with fixtures.")
        return EXIT_FAILED if problems else EXIT_OK
    try:
        written = authoring.scaffold_site(args.domain, args.rules_dir, args.fixtures, args.page)
    except (FileExistsError, OSError) as exc:
        return _error(str(exc), EXIT_FAILED)
    print("\n".join(f"wrote {path}" for path in written))
    if args.page is not None:
        print()
        print(authoring.new_site_report(Cleaner(args.rules_dir), written[1], args.domain))
    return EXIT_OK


def run_fetch_command(args: argparse.Namespace) -> int:
    from .archive import run_fetch  # imported on use: only the fetching commands need it

    urls, settings = _urls_from(args), _fetch_settings(args)
    try:
        with _sigterm_as_interrupt():
            summary = run_fetch(
                urls, args.out, settings=settings, warc=args.warc, progress=_show_progress(args)
            )
    except OSError as exc:  # the archive folder itself is unusable (per-page errors are in the summary)
        return _error(f"cannot write to {args.out}: {exc.strerror or exc}")
    print(summary.render())
    return EXIT_OK if summary.ok else EXIT_FAILED


def run_scrape_command(args: argparse.Namespace) -> int:
    from .archive import run_scrape

    if args.out.is_dir():
        return _error(f"output {args.out} is a folder; scrape writes one JSONL file")
    urls, settings = _urls_from(args), _fetch_settings(args)
    cleaner = Cleaner(args.rules)  # before any request, so broken rules cost no traffic
    try:
        with _sigterm_as_interrupt():
            summary = run_scrape(
                urls,
                args.out,
                cleaner=cleaner,
                settings=settings,
                archive_dir=args.archive,
                warc=args.warc,
                progress=_show_progress(args),
            )
    except OSError as exc:
        return _error(f"cannot write {exc.filename or args.out}: {exc.strerror or exc}")
    print(summary.render())
    return EXIT_OK if summary.ok else EXIT_FAILED
