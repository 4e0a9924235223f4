"""Tests against the real MediaMTX binary (marker `real_media`).

They run whenever a real MediaMTX is found: `$VOXBENTO_MEDIAMTX`, else `mediamtx` on PATH. With
none, every module but one is left out of the collection and that one is skipped at module
level, so the summary shows a single reason instead of one line per test.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.functional.real_media.binary import REAL_MEDIAMTX

HERE = Path(__file__).parent
# The module that carries the one visible skip when the binary is missing.
SKIP_CARRIER = "test_config_accepted.py"

if REAL_MEDIAMTX is None:
    collect_ignore = [p.name for p in HERE.glob("test_*.py") if p.name != SKIP_CARRIER]


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by mark
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test of this folder `real_media` and `slow`, so `-m 'not slow'` leaves them out."""
    for item in items:
        if HERE in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.real_media)
            item.add_marker(pytest.mark.slow)
