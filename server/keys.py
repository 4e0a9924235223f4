"""Every app-level object of the aiohttp application, as one `web.AppKey` each (STYLE.md §5)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from server.config import Config

if TYPE_CHECKING:
    from server.services import Services
    from server.ws.hub import WebSocketHub

CONFIG = web.AppKey("config", Config)
SERVICES: web.AppKey[Services] = web.AppKey("services")
# The websocket layer's registry subscription and open sockets (server/ws/setup.py).
WS_HUB: web.AppKey[WebSocketHub] = web.AppKey("ws_hub")
# Filled in by the modules that own them (websockets, supervisor, captions); typed there.
EXTRAS: web.AppKey[dict[str, Any]] = web.AppKey("extras")
