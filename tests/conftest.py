"""Shared fixtures: the anyio backend and a fresh in-memory database per test."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

import db

pytest_plugins = ("anyio",)


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
