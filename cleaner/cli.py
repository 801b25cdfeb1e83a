"""The `cleaner` command: clean, explain, fixtures.

Exit codes: 0 success, 1 some input failed (or fixtures differ), 2 the run could not
start (usage error, broken rules folder, unusable output folder), 130 interrupted.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from .batch import FORMATS, run_batch
from .core import Cleaner
from .decode import MAX_BYTES, read_text
from .errors import CleanerError
from .inputs import is_html, read_html_bytes, url_for

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
    return parser


def _add_rules_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rules", type=Path, metavar="DIR", help="rules folder (default: the bundled rules)")


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {number}")
    return number


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
            article, lines = cleaner.clean_html_traced(read_html_bytes(args.file), url=url)
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
