from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest

from cleaner import Cleaner

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def cleaner() -> Cleaner:
    return Cleaner(REPO / "rules")


def rules_dir_with(base: Path, name: str, content: str) -> Path:
    """A copy of the bundled rules under `base`, with one more rule file `name`."""
    target = base / "rules"
    shutil.copytree(REPO / "rules", target, dirs_exist_ok=True)
    (target / name).write_text(content, encoding="utf-8")
    return target


def body_of(cleaner: Cleaner, text: str, **kwargs: str) -> list[str]:
    return cleaner.clean_text(text, **kwargs).paragraphs


def load_bench(name: str) -> ModuleType:
    """A script of bench/ (they are scripts, not a package) as the module `name`, loaded once."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, REPO / "bench" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module
