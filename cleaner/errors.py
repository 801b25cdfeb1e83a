"""Exception tree.

CleanerError
 ├── RuleError      a rule file is invalid (names the file, the rule id and the key)
 │    └── RuleErrors several of them: every problem of every file, one line each
 ├── InputError     an input cannot be cleaned (empty, binary, too large, undecodable, unreadable)
 └── FetchError     a fetch run cannot go on (unusable archive folder, manifest or output file)

A page that cannot be fetched is not an exception: it is a FetchResult with status "failed"
and a reason.
"""

from __future__ import annotations


class CleanerError(Exception):
    """Base class of every error the cleaner raises on purpose."""


class RuleError(CleanerError):
    def __init__(self, file: str, message: str, *, rule: str | None = None, key: str | None = None):
        self.file, self.rule, self.key = file, rule, key
        where = file
        if rule:
            where += f": rule {rule!r}"
        if key:
            where += f": key {key!r}"
        super().__init__(f"{where}: {message}")


class RuleErrors(RuleError):
    """Every problem found in a rules folder; str() gives one line per problem."""

    def __init__(self, errors: list[RuleError]):
        self.errors = errors
        first = errors[0]
        self.file, self.rule, self.key = first.file, first.rule, first.key
        Exception.__init__(self, "\n".join(str(error) for error in errors))


class InputError(CleanerError):
    def __init__(self, reason: str, *, path: str | None = None):
        self.reason, self.path = reason, path
        super().__init__(f"{path}: {reason}" if path else reason)


class FetchError(CleanerError):
    """A fetch or scrape run cannot start or go on; the message names the file."""


MAX_REASON_CHARS = 300


def describe(exc: BaseException) -> str:
    """An unexpected exception as one line of a failure's reason: its type and message, the
    message cut to MAX_REASON_CHARS. A parser's message may quote its input (warcio's quotes
    the "first line" it could not read, which may be megabytes of a broken file)."""
    message = str(exc)
    if len(message) > MAX_REASON_CHARS:
        message = f"{message[:MAX_REASON_CHARS]}... ({len(message)} characters)"
    return f"{type(exc).__name__}: {message}"
