"""`pip install .` in a fresh venv, with the pip Python bundles and nothing but pyproject.toml
to go by, gives a working tool: an import the dependencies do not declare fails here.

It resolves the dependencies from the package index like any user's install (pip's cache
makes it ~15 s on a machine that has installed them before); set CLEANER_SKIP_INSTALL_TEST=1
to leave it out of a local run. CI runs it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import venv
from pathlib import Path

import pytest

import cleaner

from .conftest import REPO

pytestmark = pytest.mark.skipif(
    os.environ.get("CLEANER_SKIP_INSTALL_TEST") == "1", reason="CLEANER_SKIP_INSTALL_TEST=1"
)


def run(*argv: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in argv], cwd=cwd, capture_output=True, text=True, timeout=600, check=False
    )


def test_pip_install_gives_a_working_cli(tmp_path: Path) -> None:
    source = tmp_path / "src"  # a copy: the build must not depend on (or litter) the working tree
    shutil.copytree(
        REPO,
        source,
        ignore=shutil.ignore_patterns(
            ".venv", ".git", "out", "__pycache__", "*.egg-info", ".*_cache", "build"
        ),
    )
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)  # the pip ensurepip bundles, not an upgraded one
    bin_dir = env_dir / "bin"
    installed = run(
        bin_dir / "python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check", ".", cwd=source
    )
    assert installed.returncode == 0, installed.stderr[-3000:]

    work = tmp_path / "work"  # outside the repo: nothing is found by accident
    work.mkdir()
    version = run(bin_dir / "cleaner", "--version", cwd=work)
    assert (version.returncode, version.stdout.strip()) == (0, f"cleaner {cleaner.__version__}")

    listing = run(bin_dir / "cleaner", "rules", "list", cwd=work)  # the bundled rules inside the wheel
    assert listing.returncode == 0, listing.stderr
    assert "kompas.tv" in listing.stdout

    shutil.copytree(REPO / "seeds", work / "seeds")
    cleaned = run(bin_dir / "cleaner", "clean", "seeds", "-o", "-", cwd=work)  # JSONL on stdout
    assert cleaned.returncode == 0, cleaned.stderr
    records = [json.loads(line) for line in cleaned.stdout.splitlines()]
    assert len(records) == len(list((REPO / "seeds").glob("*.txt")))
    assert all(record["paragraphs"] for record in records)
    assert "5 cleaned" in cleaned.stderr  # the summary, out of the data's way
    assert sorted(p.name for p in work.iterdir()) == ["seeds"]  # nothing else written

    # A page goes through trafilatura, justext and lxml.html.clean: the imports the pip Python
    # 3.11 bundles once failed to install.
    page = sorted((REPO / "fixtures").glob("*/*.html"))[0]
    html = run(bin_dir / "cleaner", "clean", page, "-o", "-", cwd=work)
    assert html.returncode == 0 and json.loads(html.stdout)["paragraphs"], html.stderr

    lazy = run(bin_dir / "python", "-c", "import sys, cleaner; print('httpx' in sys.modules)", cwd=work)
    assert lazy.stdout.strip() == "False", lazy.stderr
    typed = run(
        bin_dir / "python",
        "-c",
        "import cleaner, pathlib; print((pathlib.Path(cleaner.__file__).parent / 'py.typed').exists())",
        cwd=work,
    )
    assert typed.stdout.strip() == "True"
    # Installed without the repo, there are no fixtures beside the bundled rules: that is an error.
    assert run(bin_dir / "cleaner", "fixtures", "check", cwd=work).returncode == 2
    checked = run(bin_dir / "cleaner", "rules", "check", cwd=work)
    assert checked.returncode == 2 and len(checked.stderr.splitlines()) == 1, checked.stderr
