"""Shared pytest configuration: async tests run on asyncio through anyio."""

from __future__ import annotations

import pytest

pytest_plugins = ("anyio",)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
