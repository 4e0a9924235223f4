"""Where the MediaMTX binary is: the configured path, then `mediamtx` on PATH, then `{data_dir}/bin`."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

BINARY_NAME = "mediamtx"


def find_binary(configured: str, data_dir: Path) -> Path | None:
    """Return the executable to run, or None when there is none.

    A configured value wins and is used only if it names an executable file: a wrong
    `binary` setting reports `missing` rather than silently running some other MediaMTX.
    """
    if configured:
        candidate = Path(configured).expanduser()
        return candidate if _is_executable(candidate) else None
    on_path = shutil.which(BINARY_NAME)
    if on_path is not None:
        return Path(on_path)
    bundled = data_dir / "bin" / BINARY_NAME
    return bundled if _is_executable(bundled) else None


def _is_executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)
