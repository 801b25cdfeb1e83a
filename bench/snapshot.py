"""Every record the cleaner makes from the repo's and the shared sets' inputs, to prove a
refactor changed no output.

Inputs: the fixtures and seeds (as `cleaner fixtures check` reads them), and for each
benchmark set next to the repo (realid-dev, aeb-dev, wcxb-dev-article) each page through
clean_html and its two text dumps (whole page, paragraphs) through clean_text. Each record is
`{"key": ..., "record": Article.to_dict()}`, one a line, in a fixed order.

    .venv/bin/python bench/snapshot.py --write /tmp/before.jsonl      # before the change
    .venv/bin/python bench/snapshot.py --compare /tmp/before.jsonl    # after: exit 1 on any difference

`--compare` prints, per field, how many records differ and the first few keys.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from text_bench import BENCHMARKS, SETS, load_benchmark, load_realid

from cleaner import Cleaner
from cleaner.inputs import url_for

REPO = Path(__file__).resolve().parent.parent


def records(cleaner: Cleaner, limit: int | None) -> Iterator[tuple[str, dict[str, Any]]]:
    for folder in ("fixtures", "seeds"):
        for path in sorted((REPO / folder).rglob("*")):
            key = f"{folder}/{path.relative_to(REPO / folder)}"
            if path.suffix == ".html":
                yield key, cleaner.clean_html(path.read_bytes(), url=url_for(path)).to_dict()
            elif path.suffix == ".txt":
                text = path.read_text(encoding="utf-8")
                yield key, cleaner.clean_text(text, url=url_for(path)).to_dict()
    for name, folder_name in SETS.items():
        folder = BENCHMARKS / folder_name
        if not folder.exists():
            continue
        docs = load_realid(folder) if name == "realid" else load_benchmark(folder, limit)
        for doc in docs:
            url = doc.url or None
            yield f"{name}/{doc.key}.html", cleaner.clean_html(doc.html, url=url).to_dict()
            yield f"{name}/{doc.key}.naive_a", cleaner.clean_text(doc.naive_a, url=url).to_dict()
            yield f"{name}/{doc.key}.naive_b", cleaner.clean_text(doc.naive_b, url=url).to_dict()


def write(path: Path, limit: int | None) -> None:
    cleaner = Cleaner()
    with path.open("w", encoding="utf-8") as out:
        for key, record in records(cleaner, limit):
            out.write(json.dumps({"key": key, "record": record}, ensure_ascii=False) + "\n")


def read(path: Path) -> dict[str, dict[str, Any]]:
    rows = (json.loads(line) for line in path.read_text(encoding="utf-8").splitlines())
    return {row["key"]: row["record"] for row in rows}


def compare(before_path: Path, limit: int | None) -> int:
    before = read(before_path)
    cleaner = Cleaner()
    differing: dict[str, list[str]] = defaultdict(list)
    seen = set()
    for key, record in records(cleaner, limit):
        seen.add(key)
        old = before.get(key)
        if old is None:
            differing["(new input)"].append(key)
            continue
        for field in sorted(set(old) | set(record)):
            if old.get(field) != record.get(field):
                differing[field].append(key)
    for key in sorted(set(before) - seen):
        differing["(missing input)"].append(key)
    print(f"{len(seen)} records compared with {before_path}")
    for field, keys in sorted(differing.items()):
        print(f"  {field}: {len(keys)} differ, e.g. {', '.join(keys[:5])}")
    if not differing:
        print("  identical")
    return 1 if differing else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--write", type=Path, metavar="FILE", help="write today's records")
    action.add_argument("--compare", type=Path, metavar="FILE", help="compare today's records with FILE")
    parser.add_argument("--limit", type=int, help="pages per aeb/wcxb set (default: all)")
    args = parser.parse_args(argv)
    if args.write:
        write(args.write, args.limit)
        return 0
    return compare(args.compare, args.limit)


if __name__ == "__main__":
    sys.exit(main())
