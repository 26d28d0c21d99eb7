"""The code's shape, held by tests: migrations stand alone, and no module or function grows
past what a reader can hold (the layers' import contracts run in `make test` through
import-linter, configured in pyproject.toml)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import REPO

PACKAGES = ("core", "ingest", "classify", "workflow", "models", "pipeline", "flows", "review",
            "cli")
MIGRATIONS = sorted((REPO / "models" / "migrations" / "versions").glob("*.py"))


def _imported_roots(tree: ast.AST) -> set[str]:
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("migration", MIGRATIONS, ids=lambda path: path.name)
def test_a_migration_imports_no_application_code(migration: Path) -> None:
    """An old migration must not change when the application does."""
    imported = _imported_roots(ast.parse(migration.read_text(encoding="utf-8")))
    assert not imported & set(PACKAGES), f"{migration.name} imports {imported & set(PACKAGES)}"


def _application_modules() -> list[Path]:
    return [path for package in PACKAGES for path in (REPO / package).rglob("*.py")
            if "migrations" not in path.parts]


def test_no_module_over_500_lines_and_no_function_over_80() -> None:
    too_long = []
    for path in _application_modules() + sorted((REPO / "bench").glob("*.py")):
        source = path.read_text(encoding="utf-8")
        if source.count("\n") + 1 > 500:
            too_long.append(f"{path.relative_to(REPO)}: {source.count(chr(10)) + 1} lines")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > 80:
                    too_long.append(f"{path.relative_to(REPO)}:{node.name}: {length} lines")
    assert not too_long, too_long
