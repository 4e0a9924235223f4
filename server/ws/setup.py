"""Wiring the websocket layer into an aiohttp application.

`setup_websockets(app)` adds the two socket routes, a cleanup context that starts the hub's
subscription to the booth runtime and loads the rooms into the listener room directory (which
then follows the runtime's room notices), and a shutdown hook that closes every socket with
1001 (GOING_AWAY). The booths themselves are the runtime's (server/booth/runtime.py), which
must be set up first.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from aiohttp import web

from server.keys import BOOTH_RUNTIME, WS_HUB
from server.ws.booth_socket import booth_socket
from server.ws.hub import WebSocketHub
from server.ws.listen_socket import listen_socket
from server.ws.protocol import CloseCode
from server.ws.room_directory import (
    FIRST_FRAMES,
    ROOM_DIRECTORY,
    FirstFrames,
    RoomDirectory,
    rooms_changed,
)

logger = logging.getLogger(__name__)


def setup_websockets(app: web.Application) -> None:
    """Add `/ws/booth/…` and `/ws/listen/…` with their lifecycle; `app[BOOTH_RUNTIME]` must be
    set."""
    app[WS_HUB] = WebSocketHub(app[BOOTH_RUNTIME])
    app[ROOM_DIRECTORY] = RoomDirectory()
    app[FIRST_FRAMES] = FirstFrames()
    app.router.add_get("/ws/booth/{event}/{room}/{lang}", booth_socket, name="ws-booth")
    app.router.add_get("/ws/listen/{event}/{room}", listen_socket, name="ws-listen")
    app.cleanup_ctx.append(_websocket_context)
    app.on_shutdown.append(_close_sockets)


async def _websocket_context(app: web.Application) -> AsyncIterator[None]:
    hub = app[WS_HUB]
    hub.start()
    unfollow_rooms = app[BOOTH_RUNTIME].subscribe_rooms(lambda: rooms_changed(app))
    try:
        await rooms_changed(app)
    except Exception:
        # A database without the schema: the server still starts so /healthz can say so.
        logger.exception("cannot load the rooms; listener sockets find them later")
    yield
    unfollow_rooms()
    await hub.stop()


async def _close_sockets(app: web.Application) -> None:
    await app[WS_HUB].close_all(CloseCode.GOING_AWAY, "the server is shutting down")
