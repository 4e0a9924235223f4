"""The access log of the kiosk's HTTP server, without MediaMTX's auth-hook calls.

MediaMTX calls `POST /mediamtx/auth?secret=…` before every publish and read: the lines would
repeat the shared secret into the log and drown the requests that matter.
"""

from __future__ import annotations

from aiohttp import web
from aiohttp.web_log import AccessLogger

QUIET_PATHS = frozenset({"/mediamtx/auth"})


class KioskAccessLogger(AccessLogger):
    """aiohttp's access log, skipping the machine-to-machine hook."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        """Log one request unless it is a hook call."""
        if request.path in QUIET_PATHS:
            return
        super().log(request, response, time)
