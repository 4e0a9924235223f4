"""MediaMTX supervision (docs/design.md §9): binary lookup, config file, API client, supervisor,
status poller, auth-hook decision and release installer. Facts about MediaMTX:
docs/mediamtx-reference.md."""

from __future__ import annotations

from server.mediamtx.api import (
    MediaMTXAPIError,
    MediaMTXClient,
    MediaMTXError,
    MediaMTXInfo,
    MediaMTXUnavailable,
    PathAlreadyExists,
    PathNotFound,
)
from server.mediamtx.auth_hook import decide
from server.mediamtx.binary import find_binary
from server.mediamtx.config_file import (
    path_settings,
    render_mediamtx_config,
    write_mediamtx_config,
)
from server.mediamtx.install import InstallError, detect_platform, install_mediamtx
from server.mediamtx.poller import MediaStatusPoller, PathStatus
from server.mediamtx.supervisor import MediaMTXSupervisor, SupervisorState

__all__ = [
    "InstallError",
    "MediaMTXAPIError",
    "MediaMTXClient",
    "MediaMTXError",
    "MediaMTXInfo",
    "MediaMTXSupervisor",
    "MediaMTXUnavailable",
    "MediaStatusPoller",
    "PathAlreadyExists",
    "PathNotFound",
    "PathStatus",
    "SupervisorState",
    "decide",
    "detect_platform",
    "find_binary",
    "install_mediamtx",
    "path_settings",
    "render_mediamtx_config",
    "write_mediamtx_config",
]
