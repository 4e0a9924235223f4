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
