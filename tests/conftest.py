"""Shared pytest configuration: anyio runs the async tests on asyncio."""

from __future__ import annotations

import pytest

pytest_plugins = ("anyio",)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
