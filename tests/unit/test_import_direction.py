"""Imports flow one way, kiosk -> server -> db (docs/design.md §1), checked on the source's AST."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = {
    "db": {"server", "kiosk", "aiohttp", "textual"},
    "server": {"kiosk", "textual"},
}


def _imported_roots(path: Path, package: str) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            # A relative import stays inside its own package.
            roots.add(package if node.level else (node.module or "").split(".")[0])
    return roots


def _modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_has_modules_to_check(package: str) -> None:
    assert len(_modules(package)) >= 5


@pytest.mark.parametrize(
    "path",
    [
        pytest.param(path, id=str(path.relative_to(ROOT)))
        for package in FORBIDDEN
        for path in _modules(package)
    ],
)
def test_module_imports_only_downstream(path: Path) -> None:
    package = path.relative_to(ROOT).parts[0]
    wrong = _imported_roots(path, package) & FORBIDDEN[package]
    assert not wrong, f"{path.relative_to(ROOT)} imports {sorted(wrong)}"


def test_the_check_sees_a_forbidden_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("import os\nfrom kiosk.cli import main\nfrom . import sibling\n")
    assert _imported_roots(module, "server") == {"os", "kiosk", "server"}
