"""How long `import cleaner` takes, from `python -X importtime`, interleaved with a baseline
tree (e.g. an older checkout) so that noise on a shared machine hits both alike.

    python bench/import_time.py [--baseline DIR] [--rounds N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PROBE = "import sys, cleaner; print(int('httpx' in sys.modules))"


def import_once(tree: Path) -> tuple[float, bool]:
    """(milliseconds of `import cleaner`, cumulative; whether httpx got loaded)."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    # cwd: `-c` puts the working directory first on sys.path, before PYTHONPATH.
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", PROBE],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        cwd=tempfile.gettempdir(),
    )
    line = next(line for line in done.stderr.splitlines() if line.rstrip().endswith("| cleaner"))
    return int(line.split("|")[1]) / 1000, done.stdout.strip() == "1"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--baseline", type=Path, help="another source tree to time in the same rounds")
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    trees = {"this tree": REPO, **({"baseline": args.baseline} if args.baseline else {})}
    times: dict[str, list[float]] = {name: [] for name in trees}
    httpx: dict[str, bool] = {}
    for _ in range(args.rounds):
        for name, tree in trees.items():
            ms, loaded = import_once(tree)
            times[name].append(ms)
            httpx[name] = loaded
    print(f"{'tree':<10}  {'fastest ms':>10}  {'median ms':>9}  httpx loaded")
    for name in trees:
        print(f"{name:<10}  {min(times[name]):>10.1f}  {statistics.median(times[name]):>9.1f}  {httpx[name]}")


if __name__ == "__main__":
    main()
