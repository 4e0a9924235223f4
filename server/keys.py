"""Every app-level object of the aiohttp application, as one typed `web.AppKey` each."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import aiohttp
from aiohttp import web

from server.auth.rate_limit import FailureLimiter
from server.config import Config
from server.hosting.network import ListeningPorts

if TYPE_CHECKING:
    from server.booth.runtime import BoothRuntime
    from server.changes.access import AccessView
    from server.changes.watcher import ChangeWatcher
    from server.http.socket_limits import SocketBudget
    from server.mediamtx.service import MediaService
    from server.services import Services
    from server.transcription.context import CaptionsService
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
# The ports the sites really listen on, filled in by the runner as it binds them.
PORTS = web.AppKey("ports", ListeningPorts)
# MediaMTX: its supervisor, the paths it serves and the floor board (server/mediamtx/service.py).
MEDIA: web.AppKey[MediaService] = web.AppKey("media")
# Live captions and their state for /healthz (server/transcription/context.py).
CAPTIONS: web.AppKey[CaptionsService] = web.AppKey("captions")
# Test seam, set before start-up: booth id -> the source captions open instead of MediaMTX's.
CAPTION_SOURCE: web.AppKey[Callable[[str], str]] = web.AppKey("caption_source")
# Open websockets counted per kind and client address (server/http/socket_limits.py).
SOCKET_BUDGET: web.AppKey[SocketBudget] = web.AppKey("socket_budget")
# The one outgoing HTTP client (the /media proxy to MediaMTX); opened in cleanup_ctx.
HTTP_CLIENT = web.AppKey("http_client", aiohttp.ClientSession)
# Failed logins, counted per client address and per account.
LOGIN_LIMITER = web.AppKey("login_limiter", FailureLimiter)
# Wrong listener codes, counted per client address.
LISTENER_CODE_LIMITER = web.AppKey("listener_code_limiter", FailureLimiter)
