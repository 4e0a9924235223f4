"""Where browser tests save their screenshots.

By default a folder in the system's temp dir, so a test run never rewrites the tracked
pictures. `VOXBENTO_SCREENSHOTS=docs/screenshots ./scripts/test` refreshes the ones in the docs.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def screenshot_dir() -> Path:
    """The folder for screenshots, created if needed."""
    configured = os.environ.get("VOXBENTO_SCREENSHOTS")
    folder = (
        Path(configured) if configured else Path(tempfile.gettempdir()) / "voxbento-screenshots"
    )
    folder.mkdir(parents=True, exist_ok=True)
    return folder
