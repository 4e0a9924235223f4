"""Shared pytest setup: anyio on asyncio."""

from __future__ import annotations

import pytest

pytest_plugins = ("anyio",)


@pytest.fixture
def anyio_backend() -> str:
    """Run anyio tests on asyncio only."""
    return "asyncio"
