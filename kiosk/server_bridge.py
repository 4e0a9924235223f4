"""Where the console reaches into the server's run-time parts: booths, chat, MediaMTX, captions.

The console's booths are a `BoothRuntime` (server/booth/runtime.py): the server's own when the
web server runs, so booths created on screen are live at once and chat goes through the
runtime's `BoothChat` (stored, sent to the booth's sockets, heard by chat subscribers); without
a server (snapshot tests) an unstarted runtime over the same registry fills it from the
database, and chat is only stored.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web

from kiosk.control import CONSOLE_IDENTITY
from server.booth.chat import ChatListener, PostedChat
from server.booth.runtime import BoothRuntime
from server.config import Config
from server.http.routes.health import captions_state, mediamtx_state
from server.identity import RoomKey
from server.keys import BOOTH_RUNTIME, CHANGES, MEDIA
from server.manage import store_chat
from server.mediamtx.floor_service import FloorHealth, apply_floor_source, floor_health
from server.services import Services


def console_runtime(web_app: web.Application | None, services: Services) -> BoothRuntime:
    """The server's booth runtime; without a server, an unstarted one over the services'
    registry (it fills the registry from the database and runs nothing in the background)."""
    if web_app is not None and BOOTH_RUNTIME in web_app:
        return web_app[BOOTH_RUNTIME]
    return BoothRuntime(services.registry, services.clock)


async def send_console_chat(
    web_app: web.Application | None, booth_id: str, text: str
) -> PostedChat:
    """Post a chat line from the console as "Technician"; returns the stored message."""
    sender_id, sender_name = CONSOLE_IDENTITY.participant_id, CONSOLE_IDENTITY.display_name
    if web_app is not None and BOOTH_RUNTIME in web_app:
        return await web_app[BOOTH_RUNTIME].chat.post(booth_id, sender_id, sender_name, text)
    stored = await store_chat(booth_id, sender_id, sender_name, text)
    return PostedChat.from_stored(booth_id, stored)


def subscribe_chat(web_app: web.Application | None, listener: ChatListener) -> Callable[[], None]:
    """Hear every chat message posted in any booth; returns the unsubscribe function.

    Without a server nothing but the console posts, so there is nothing to hear.
    """
    if web_app is None or BOOTH_RUNTIME not in web_app:
        return lambda: None
    return web_app[BOOTH_RUNTIME].chat.subscribe(listener)


def follow_changes(
    web_app: web.Application | None, subscriber: Callable[[], Awaitable[None]]
) -> Callable[[], None]:
    """Await `subscriber()` after every change of the database, made anywhere (the server's
    change watcher); returns the function that unsubscribes. Without a server: nothing."""
    if web_app is None or CHANGES not in web_app:
        return lambda: None
    return web_app[CHANGES].subscribe("console", subscriber)


def console_mediamtx_state(config: Config, web_app: web.Application | None) -> str:
    """MediaMTX's state word as /healthz reports it (from config alone without a server)."""
    if web_app is not None:
        return mediamtx_state(web_app)
    return "missing" if config.mediamtx.enabled else "disabled"


def console_captions_booths(web_app: web.Application | None) -> frozenset[str]:
    """The booths whose live captions are running, as /healthz lists them."""
    if web_app is None:
        return frozenset()
    return frozenset(captions_state(web_app)["booths"])


def console_floor_health(web_app: web.Application | None, event: str | None) -> list[FloorHealth]:
    """The floors of `event` with their source and state (none without a server)."""
    if web_app is None or event is None:
        return []
    return floor_health(web_app, event)


async def apply_floor(web_app: web.Application | None, room_key: str) -> None:
    """After the console saved a room's floor source: make the running MediaMTX follow it."""
    if web_app is not None:
        room = RoomKey.parse(room_key)
        await apply_floor_source(web_app, room.event, room.slug)


@dataclass(frozen=True)
class MediaMTXOutput:
    """MediaMTX's recent output lines and how many it has written in all."""

    lines: tuple[str, ...] = ()
    total: int = 0

    def new_since(self, seen: int) -> tuple[str, ...]:
        """The lines written after the first `seen` (as many as the ring buffer still holds)."""
        new = self.total - seen
        if new <= 0:
            return ()
        return self.lines[-new:]


def mediamtx_output(web_app: web.Application | None) -> MediaMTXOutput:
    """The supervisor's output ring buffer; empty without a server or with MediaMTX disabled."""
    media = None if web_app is None else web_app.get(MEDIA)
    supervisor = None if media is None else media.supervisor
    if supervisor is None:
        return MediaMTXOutput()
    return MediaMTXOutput(tuple(supervisor.log_lines), supervisor.log_total)
