"""The access log of the kiosk's HTTP server: no credentials, and no MediaMTX auth-hook calls.

MediaMTX calls `POST /mediamtx/auth?secret=…` before every publish and read: the lines would
repeat the shared secret into the log and drown the requests that matter. Every other line is
masked by `server.secrets.redaction.redact`: invite tokens in `/join/{token}` and
`/qr/invite/{token}.svg`, listener and booth tokens in `?token=`, and any JWT, whether in the
request line or in the Referer header.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from aiohttp import web
from aiohttp.web_log import AccessLogger

from server.secrets.redaction import redact

QUIET_PATHS = frozenset({"/mediamtx/auth"})


class KioskAccessLogger(AccessLogger):
    """aiohttp's access log, skipping the machine-to-machine hook and masking credentials."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        """Log one request unless it is a hook call."""
        if request.path in QUIET_PATHS:
            return
        super().log(request, response, time)

    def _format_line(
        self, request: web.BaseRequest, response: web.StreamResponse, time: float
    ) -> Iterable[tuple[Any, Any]]:
        # Each field (request line, Referer, …) is masked before it is put into the line.
        return [
            (key, redact(value) if isinstance(value, str) else value)
            for key, value in super()._format_line(request, response, time)
        ]
