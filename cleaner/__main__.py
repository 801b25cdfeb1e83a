"""`python -m cleaner`: the same as the `cleaner` command."""

from __future__ import annotations

from .cli import main

# The guard matters: worker processes (spawn) import this module without running it.
if __name__ == "__main__":
    raise SystemExit(main())
