"""`__all__` of each public package lists its public names, sorted as ruff's RUF022 sorts them
(constants, then classes, then functions and the rest, each alphabetically)."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

from .conftest import REPO

PACKAGES = ["cleaner", "cleaner.spark"]


def public_names(path: Path) -> set[str]:
    """What the module's own source makes public: names it imports from the package, and
    functions, classes and constants it defines, none starting with an underscore."""
    names: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ImportFrom) and node.level >= 1:
            names.update(alias.asname or alias.name for alias in node.names)
        elif isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return {n for n in names if not n.startswith("_")}


def ruf022_key(name: str) -> tuple[int, str]:
    kind = 0 if name.isupper() else 1 if name[:1].isupper() else 2
    return kind, name


@pytest.mark.parametrize("package", PACKAGES)
def test_all_is_sorted_and_complete(package: str) -> None:
    if package == "cleaner.spark":
        pytest.importorskip("pyspark")
    module = importlib.import_module(package)
    path = REPO / package.replace(".", "/") / "__init__.py"
    exported = list(module.__all__)
    assert exported == sorted(exported, key=ruf022_key)
    lazy = set(getattr(module, "_LAZY", ()))  # loaded on first use, typed under TYPE_CHECKING
    assert set(exported) == public_names(path) | lazy
    for name in exported:
        assert getattr(module, name) is not None, name
