"""Tests against the real MediaMTX binary: skipped, with one visible reason, when it is absent."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REAL_MEDIAMTX = shutil.which("mediamtx")
SKIP_REASON = (
    "no real MediaMTX on PATH: install one (`voxbento-kiosk mediamtx install`) "
    "to run tests/real_media"
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test here `real_media`, and skip them all when the binary is missing."""
    here = Path(__file__).parent
    skip = pytest.mark.skip(reason=SKIP_REASON)
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.real_media)
            if REAL_MEDIAMTX is None:
                item.add_marker(skip)
