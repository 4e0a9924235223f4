"""Where the console reaches into the server's run-time parts: booths, chat, MediaMTX, captions.

When the web server runs, booths created on screen go through the websocket layer's
`register_booth`, and chat goes through its `post_chat` (stored, sent to the booth's sockets,
heard by chat subscribers); without a server (snapshot tests) the registry is filled directly
and chat is only stored.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web

from kiosk.control import CONSOLE_IDENTITY
from server.booth.state import BoothRegistry
from server.config import Config
from server.http.routes.health import captions_state, mediamtx_state
from server.keys import CHANGES, EXTRAS, WS_HUB
from server.manage import live_booths, store_chat
from server.mediamtx import MediaMTXSupervisor
from server.mediamtx.floor_service import FloorHealth, apply_floor_source, floor_health
from server.mediamtx.service import SUPERVISOR
from server.ws import PostedChat, post_chat, register_booth
from server.ws.access import add_booth_record
from server.ws.chat import ChatListener


async def register_missing_booths(registry: BoothRegistry, web_app: web.Application | None) -> int:
    """Put every database booth the registry does not know yet into it; returns how many."""
    added = 0
    for booth in await live_booths():
        if registry.has_booth(booth.path):
            continue
        if web_app is not None:
            register_booth(web_app, booth)
        else:
            add_booth_record(registry, booth)
        added += 1
    return added


async def send_console_chat(
    web_app: web.Application | None, booth_id: str, text: str
) -> PostedChat:
    """Post a chat line from the console as "Technician"; returns the stored message."""
    sender_id, sender_name = CONSOLE_IDENTITY.participant_id, CONSOLE_IDENTITY.display_name
    if web_app is not None and WS_HUB in web_app:
        return await post_chat(web_app, booth_id, sender_id, sender_name, text)
    stored = await store_chat(booth_id, sender_id, sender_name, text)
    return PostedChat.from_stored(booth_id, stored)


def subscribe_chat(web_app: web.Application | None, listener: ChatListener) -> Callable[[], None]:
    """Hear every chat message posted in any booth; returns the unsubscribe function.

    Without a server nothing but the console posts, so there is nothing to hear.
    """
    if web_app is None or WS_HUB not in web_app:
        return lambda: None
    return web_app[WS_HUB].subscribe_chat(listener)


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
        event, room = room_key.split("/")
        await apply_floor_source(web_app, event, room)


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
    supervisor = None if web_app is None else web_app[EXTRAS].get(SUPERVISOR)
    if not isinstance(supervisor, MediaMTXSupervisor):
        return MediaMTXOutput()
    return MediaMTXOutput(tuple(supervisor.log_lines), supervisor.log_total)
