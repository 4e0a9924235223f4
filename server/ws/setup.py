"""Wiring the websocket layer into an aiohttp application.

`setup_websockets(app)` adds the two socket routes, a cleanup context that loads the booths
into the registry and the rooms into the listener room directory, restores whoever was on air before a restart and runs the background tasks,
and a shutdown hook that closes every socket with 1001 (GOING_AWAY).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable

from aiohttp import web

import db
from server.booth.state import BoothError
from server.keys import SERVICES, WS_HUB
from server.mediamtx.service import add_booth_path
from server.ws.access import add_booth_record
from server.ws.booth_socket import booth_socket
from server.ws.hub import WebSocketHub
from server.ws.listen_socket import listen_socket
from server.ws.persistence import utc_datetime
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
    """Add `/ws/booth/…` and `/ws/listen/…` with their lifecycle; `app[SERVICES]` must be set."""
    app[WS_HUB] = WebSocketHub(app[SERVICES].registry)
    app[ROOM_DIRECTORY] = RoomDirectory()
    app[FIRST_FRAMES] = FirstFrames()
    app.router.add_get("/ws/booth/{event}/{room}/{lang}", booth_socket, name="ws-booth")
    app.router.add_get("/ws/listen/{event}/{room}", listen_socket, name="ws-listen")
    app.cleanup_ctx.append(_websocket_context)
    app.on_shutdown.append(_close_sockets)


def register_booth(app: web.Application, booth: db.models.Booth) -> None:
    """Make a booth created at run time (admin, console) reachable over the sockets and media."""
    add_booth_record(app[WS_HUB].registry, booth)
    add_booth_path(app, booth.path)


def refresh_booth(app: web.Application, booth: db.models.Booth) -> None:
    """Carry an edited booth's language name and caption switch into the live registry.

    Its sockets, listener pages, the console and live captions follow through the registry's
    change notice. A booth the registry has not loaded is read fresh when it is first used.
    """
    registry = app[WS_HUB].registry
    if registry.has_booth(booth.path):
        registry.update_booth(
            booth.path, language_name=booth.language_name, transcription=booth.transcription
        )


def unregister_booth(app: web.Application, booth_id: str) -> None:
    """Forget a deleted booth: its open span closes and its sockets close with 4004."""
    registry = app[WS_HUB].registry
    if registry.has_booth(booth_id):
        registry.remove_booth(booth_id)


async def follow_booths(app: web.Application) -> None:
    """Change watcher subscriber: the registry holds exactly the booths of the database.

    Booths added elsewhere (the CLI, a second process) are registered, renamed or re-switched
    ones updated, deleted ones removed; listener pages, the console and captions follow through
    the registry's change notices. A booth that did not change notifies nobody.
    """
    registry = app[WS_HUB].registry
    booths = await db.list_booths()
    for booth in booths:
        if registry.has_booth(booth.path):
            refresh_booth(app, booth)
        else:
            register_booth(app, booth)
    wanted = {booth.path for booth in booths}
    for booth_id in registry.booth_ids():
        if booth_id not in wanted:
            unregister_booth(app, booth_id)


async def load_booths(hub: WebSocketHub, clock: Callable[[], float]) -> None:
    """Register every booth of the database and give the mic back to whoever held it.

    An OnAirSpan still open means the kiosk stopped while someone was on air: the registry
    puts them back on mic, disconnected, so a reconnect within the grace period keeps it.
    """
    registry = hub.registry
    for booth in await db.list_booths():
        add_booth_record(registry, booth)
    for span in await db.open_spans():
        booth_id = span.booth.path
        try:
            registry.restore_on_air(
                booth_id, span.participant_id, span.display_name, span.started_at.timestamp()
            )
        except BoothError as exc:
            # Two open spans in one booth cannot both be true; keep the first, close the rest.
            logger.warning("closing a stale on-air span in %s: %s", booth_id, exc)
            await db.close_span(booth_id, span.participant_id, utc_datetime(clock()))


async def _websocket_context(app: web.Application) -> AsyncIterator[None]:
    hub = app[WS_HUB]
    hub.start()
    try:
        await load_booths(hub, app[SERVICES].clock)
        await rooms_changed(app)
    except Exception:
        # A database without the schema: the server still starts so /healthz can say so.
        logger.exception("cannot load the booths; sockets find them in the database later")
    yield
    await hub.stop()


async def _close_sockets(app: web.Application) -> None:
    await app[WS_HUB].close_all(CloseCode.GOING_AWAY, "the server is shutting down")
