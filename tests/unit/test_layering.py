"""The layering rules of docs/design.md §1, checked on the source's syntax tree.

Each rule names the modules it governs and what they may not import (or call). A failure
lists every offence as `file:line: what it does`, under the rule in words. The checker is
tested on planted violations in a temporary tree, so a rule that silently stops seeing its
offence fails too.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("db", "server", "kiosk")

# The pure core: booth state machine and caption aggregator. No I/O, no clock of their own.
CORE = frozenset(
    {
        "server.booth.state",
        "server.booth.records",
        "server.booth.transitions",
        "server.booth.permissions",
        "server.booth.models",
        "server.booth.names",
        "server.booth.store",
        # The shared vocabulary (BoothId, RoomKey, Role) the core speaks; stdlib-only itself.
        "server.identity",
        "server.transcription.aggregator",
    }
)
STDLIB = frozenset(sys.stdlib_module_names)

# Methods only a Tortoise model or queryset has: a call to one outside db/ is an ORM query.
# (`save`, `delete`, `filter`, `all`, `get` are left out: other objects have them too; the
# ban on importing db.models at run time keeps `Model.filter(...)` out instead.)
ORM_ONLY_METHODS = frozenset(
    {
        "bulk_create",
        "bulk_update",
        "fetch_related",
        "get_or_create",
        "get_or_none",
        "in_bulk",
        "prefetch_related",
        "refresh_from_db",
        "select_for_update",
        "select_related",
        "update_or_create",
        "using_db",
        "values_list",
    }
)


@dataclass(frozen=True)
class Use:
    """One import (or ORM call) found in a module."""

    module: str  # the importing module, dotted
    path: str  # its file, relative to the root
    line: int
    target: str  # the imported module (dotted), or `.method()` for a call
    type_only: bool  # under `if TYPE_CHECKING:`, or inside an annotation

    def where(self) -> str:
        """`file:line`, as editors and terminals open it."""
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class Rule:
    """A layering rule: which modules it governs, and which uses break it."""

    name: str
    words: str
    governs: Callable[[str], bool]
    breaks: Callable[[Use], bool]


def _within(target: str, *packages: str) -> bool:
    return any(target == p or target.startswith(p + ".") for p in packages)


def _is_stdlib_or_core(target: str) -> bool:
    parts = target.split(".")
    prefixes = {".".join(parts[:end]) for end in range(1, len(parts) + 1)}
    return parts[0] in STDLIB or bool(prefixes & CORE)


def _is_orm(use: Use) -> bool:
    if use.target.startswith("."):  # a call of a Tortoise-only method
        return True
    if _within(use.target, "tortoise"):
        return True
    # Model classes may be named in annotations, never used at run time.
    return _within(use.target, "db.models") and not use.type_only


RULES = (
    Rule(
        "core-is-pure",
        "the booth core and the caption aggregator import only the standard library and each other",
        lambda module: module in CORE,
        lambda use: not use.target.startswith(".") and not _is_stdlib_or_core(use.target),
    ),
    Rule(
        "ws-not-mediamtx",
        "server.ws speaks for connections only: it does not import server.mediamtx",
        lambda module: _within(module, "server.ws"),
        lambda use: _within(use.target, "server.mediamtx"),
    ),
    Rule(
        "admin-not-ws",
        "server.admin calls the booth runtime, never the websocket layer: it does not "
        "import server.ws",
        lambda module: _within(module, "server.admin"),
        lambda use: _within(use.target, "server.ws"),
    ),
    Rule(
        "kiosk-not-db",
        "kiosk reaches the database only through server services: it does not import db",
        lambda module: _within(module, "kiosk"),
        lambda use: _within(use.target, "db"),
    ),
    Rule(
        "orm-in-db",
        "ORM queries stay in db/: outside it, no tortoise import, db.models only for type "
        "annotations (under TYPE_CHECKING), and no Tortoise-only method call such as "
        ".get_or_none() or .fetch_related()",
        lambda module: not _within(module, "db"),
        _is_orm,
    ),
    Rule(
        "db-is-the-bottom",
        "db imports nothing of server, kiosk, aiohttp or textual",
        lambda module: _within(module, "db"),
        lambda use: _within(use.target, "server", "kiosk", "aiohttp", "textual"),
    ),
    Rule(
        "server-not-kiosk",
        "server imports nothing of kiosk or textual",
        lambda module: _within(module, "server"),
        lambda use: _within(use.target, "kiosk", "textual"),
    ),
)
RULE = {rule.name: rule for rule in RULES}


def module_name(path: Path, root: Path) -> str:
    """The dotted name of a source file below `root` (`server/ws/__init__.py` -> `server.ws`)."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _absolute(module: str, is_package: bool, level: int, name: str | None) -> str:
    """Resolve `from ..x import y`'s module against the importing module."""
    if not level:
        return name or ""
    base = module.split(".")
    base = base[: len(base) - level + (1 if is_package else 0)]
    return ".".join([*base, name] if name else base)


def _type_checking_block(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _annotation_nodes(tree: ast.AST) -> set[int]:
    """ids of every node inside an annotation."""
    roots: list[ast.AST] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.arg | ast.AnnAssign) and node.annotation is not None:
            roots.append(node.annotation)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.returns:
            roots.append(node.returns)
    return {id(inner) for root in roots for inner in ast.walk(root)}


def _walk(node: ast.AST, type_only: bool = False) -> Iterator[tuple[ast.AST, bool]]:
    """Every node, with whether it sits in the body of an `if TYPE_CHECKING:`."""
    yield node, type_only
    if isinstance(node, ast.If) and _type_checking_block(node):
        for statement in node.body:
            yield from _walk(statement, True)
        for statement in node.orelse:
            yield from _walk(statement, type_only)
        yield from _walk(node.test, type_only)
        return
    for child in ast.iter_child_nodes(node):
        yield from _walk(child, type_only)


def uses(path: Path, root: Path) -> list[Use]:
    """Every import in a source file (lazy ones too), and every Tortoise-only method call."""
    module = module_name(path, root)
    rel = path.relative_to(root).as_posix()
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=rel)
    in_annotation = _annotation_nodes(tree)
    found: list[Use] = []

    def add(node: ast.AST, target: str, type_only: bool) -> None:
        found.append(Use(module, rel, getattr(node, "lineno", 0), target, type_only))

    for node, type_only in _walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(node, alias.name, type_only)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(module, path.name == "__init__.py", node.level, node.module)
            # Each name is a module or an attribute of one: `from server import ws` imports
            # server.ws, `from db.models import Booth` uses db.models.
            for alias in node.names:
                add(node, base if alias.name == "*" else f"{base}.{alias.name}", type_only)
        elif isinstance(node, ast.Attribute) and _dotted(node) == "db.models":
            add(node, "db.models", type_only or id(node) in in_annotation)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ORM_ONLY_METHODS
        ):
            add(node, f".{node.func.attr}()", type_only)
    return found


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


def violations(rule: Rule, root: Path) -> list[Use]:
    """Every use in the packages below `root` that breaks `rule`, in file and line order."""
    broken: list[Use] = []
    seen: set[tuple[str, int, str]] = set()
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            if not rule.governs(module_name(path, root)):
                continue
            for use in uses(path, root):
                key = (use.path, use.line, use.target)
                if key not in seen and rule.breaks(use):
                    seen.add(key)
                    broken.append(use)
    return broken


def report(rule: Rule, broken: list[Use]) -> str:
    lines = [f"layering rule {rule.name!r} broken: {rule.words}"]
    for use in broken:
        what = f"calls {use.target}" if use.target.startswith(".") else f"imports {use.target}"
        lines.append(f"  {use.where()}: {use.module} {what}")
    return "\n".join(lines)


# ---- the rules, on the project itself ----


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.name)
def test_layering_rule_holds(rule: Rule) -> None:
    broken = violations(rule, ROOT)
    if broken:
        pytest.fail(report(rule, broken), pytrace=False)


def test_every_package_has_modules_to_check() -> None:
    for package in PACKAGES:
        assert len(list((ROOT / package).rglob("*.py"))) >= 5, package
    for module in CORE:
        assert (ROOT / (module.replace(".", "/") + ".py")).is_file(), module


# ---- the checker, on planted violations ----

PLANTED = {
    "core-is-pure": ("server/booth/state.py", "import os\nfrom aiohttp import web\n", 2),
    "ws-not-mediamtx": ("server/ws/hub.py", "import json\nfrom server import mediamtx\n", 2),
    "admin-not-ws": ("server/admin/views.py", "from ..ws.hub import WebSocketHub\n", 1),
    "kiosk-not-db": ("kiosk/screens/setup.py", "def f():\n    import db\n", 2),
    "orm-in-db": ("server/admin/counts.py", "\n\nfrom db.models import Booth\n", 3),
    "db-is-the-bottom": ("db/venues.py", "from server.identity import parse\n", 1),
    "server-not-kiosk": ("server/app.py", "from textual.app import App\n", 1),
}


def _plant(root: Path, rel: str, source: str) -> None:
    for package in PACKAGES:
        (root / package).mkdir(exist_ok=True)
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(source, encoding="utf-8")


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.name)
def test_the_checker_catches_a_planted_violation(rule: Rule, tmp_path: Path) -> None:
    rel, source, line = PLANTED[rule.name]
    _plant(tmp_path, rel, source)
    broken = violations(rule, tmp_path)
    assert [use.where() for use in broken] == [f"{rel}:{line}"]
    message = report(rule, broken)
    assert rule.words in message and f"{rel}:{line}" in message


def test_every_rule_has_a_planted_violation() -> None:
    assert set(PLANTED) == set(RULE)


@pytest.mark.parametrize(
    ("source", "offences"),
    [
        # Annotations and TYPE_CHECKING imports name a model without querying it.
        (
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from db.models import Booth\n"
            "import db\ndef f(b: db.models.Booth) -> 'Booth':\n    return b\n",
            [],
        ),
        ("import db\nasync def f():\n    return await db.models.Booth.all()\n", ["db.models"]),
        (
            "from tortoise.transactions import in_transaction\n",
            ["tortoise.transactions.in_transaction"],
        ),
        ("async def f(room):\n    await room.fetch_related('event')\n", [".fetch_related()"]),
        (
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    pass\nelse:\n"
            "    from db import models\n",
            ["db.models"],
        ),
    ],
)
def test_the_orm_rule_tells_annotations_from_queries(
    source: str, offences: list[str], tmp_path: Path
) -> None:
    _plant(tmp_path, "server/manage/x.py", source)
    assert [use.target for use in violations(RULE["orm-in-db"], tmp_path)] == offences


def test_relative_imports_are_resolved(tmp_path: Path) -> None:
    _plant(tmp_path, "server/ws/__init__.py", "from ..mediamtx import service\nfrom . import hub\n")
    targets = {use.target for use in uses(tmp_path / "server/ws/__init__.py", tmp_path)}
    assert targets == {"server.mediamtx.service", "server.ws.hub"}
