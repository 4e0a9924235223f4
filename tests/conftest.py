"""Shared fixtures: the anyio backend, and fresh databases in memory or in a file."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

import db
from db.migrate import migrate_db

# cli_support holds fixtures shared by the CLI test modules.
pytest_plugins = ("anyio", "tests.cli_support")


@pytest.fixture
def anyio_backend() -> str:
    """Every async test runs on asyncio, the loop aiohttp and Textual use."""
    return "asyncio"


@pytest.fixture
async def memory_db() -> AsyncIterator[None]:
    """A fresh SQLite database in memory, schemas generated, closed afterwards."""
    await db.init_db("sqlite://:memory:", generate_schemas=True)
    yield
    await db.close_db()


@pytest.fixture
async def file_db(tmp_path: Path) -> AsyncIterator[Path]:
    """A real SQLite file in WAL mode, brought up by the migrations as in production."""
    path = tmp_path / "kiosk.sqlite3"
    url = db.sqlite_url(path)
    await migrate_db(url)
    await db.init_db(url)
    yield path
    await db.close_db()


# Each of these needs a heavy real component, so each makes its test `slow` too:
# `-m "not slow"` is then the quick loop, with no list to keep in step by hand.
HEAVY_MARKS = ("browser", "whisper", "tmux", "real_media")


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by mark
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark `slow` every test that carries one of the heavy component marks."""
    for item in items:
        if any(item.get_closest_marker(mark) for mark in HEAVY_MARKS):
            item.add_marker(pytest.mark.slow)
