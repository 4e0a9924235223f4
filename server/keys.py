"""Every app-level object of the aiohttp application, as one typed `web.AppKey` each."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import aiohttp
from aiohttp import web

from server.auth.rate_limit import FailureLimiter
from server.config import Config

if TYPE_CHECKING:
    from server.booth.runtime import BoothRuntime
    from server.changes.access import AccessView
    from server.changes.watcher import ChangeWatcher
    from server.services import Services
    from server.ws.hub import WebSocketHub

CONFIG = web.AppKey("config", Config)
SERVICES: web.AppKey[Services] = web.AppKey("services")
# The live booths: registry, booth database writes, grace ticker, chat (server/booth/runtime.py).
BOOTH_RUNTIME: web.AppKey[BoothRuntime] = web.AppKey("booth_runtime")
# The websocket layer's registry subscription and open sockets (server/ws/setup.py).
WS_HUB: web.AppKey[WebSocketHub] = web.AppKey("ws_hub")
# The one change watcher: "the database changed" for whoever follows it (server/changes/).
CHANGES: web.AppKey[ChangeWatcher] = web.AppKey("changes")
# Revoked invites and deactivated accounts in memory, for the media hook and booth sockets.
ACCESS: web.AppKey[AccessView] = web.AppKey("access")
# Filled in by the modules that own them (websockets, supervisor, captions); typed there.
# Known entries: "mediamtx_state" (a state word, or a callable returning one; see /healthz).
EXTRAS: web.AppKey[dict[str, Any]] = web.AppKey("extras")
# The one outgoing HTTP client (the /media proxy to MediaMTX); opened in cleanup_ctx.
HTTP_CLIENT = web.AppKey("http_client", aiohttp.ClientSession)
# Failed logins, counted per client address and per account.
LOGIN_LIMITER = web.AppKey("login_limiter", FailureLimiter)
# Wrong listener codes, counted per client address.
LISTENER_CODE_LIMITER = web.AppKey("listener_code_limiter", FailureLimiter)
