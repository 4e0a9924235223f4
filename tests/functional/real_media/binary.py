"""Finding the real MediaMTX binary, and the one skip reason when there is none."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

SUPPORTED = "v1.20."
ENVIRONMENT = "VOXBENTO_MEDIAMTX"


def _find() -> tuple[Path | None, str]:
    configured = os.environ.get(ENVIRONMENT, "").strip()
    found = configured or shutil.which("mediamtx")
    if not found:
        return None, (
            f"real MediaMTX binary not found on PATH nor in ${ENVIRONMENT}: "
            "the tests of tests/functional/real_media were not run"
        )
    try:
        version = subprocess.run(
            [found, "--version"], capture_output=True, text=True, timeout=10, check=False
        ).stdout.strip()
    except OSError as err:
        return (
            None,
            f"real MediaMTX at {found} cannot run ({err}): tests/functional/real_media not run",
        )
    if not version.startswith(SUPPORTED):
        return None, (
            f"MediaMTX at {found} is {version or 'of unknown version'}, not {SUPPORTED}x: "
            "tests/functional/real_media not run"
        )
    return Path(found), ""


REAL_MEDIAMTX, MISSING_REASON = _find()


def require_real_mediamtx() -> Path:
    """The binary, or a module-level skip with the reason (call it at module level)."""
    if REAL_MEDIAMTX is None:
        pytest.skip(MISSING_REASON, allow_module_level=True)
    return REAL_MEDIAMTX
