"""Where the console reaches into the server's run-time parts: booths, chat, MediaMTX, captions.

When the web server runs, booths created on screen go through the websocket layer's
`register_booth` and chat lines reach the booth's sockets through its hub; without a server
(snapshot tests) the registry is filled directly and chat is only stored.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from aiohttp import web

import db
from kiosk.control import CONSOLE_IDENTITY
from server.booth_state import BoothRegistry
from server.config import Config
from server.keys import EXTRAS, WS_HUB
from server.routes.health import captions_state, mediamtx_state
from server.ws import register_booth
from server.ws.access import add_booth_record
from server.ws.booth_socket import chat_json
from server.ws.protocol import chat_message

# Seam: the MediaMTX supervisor is expected to publish its output ring buffer here (lines).
MEDIAMTX_OUTPUT = "mediamtx_output"


async def register_missing_booths(registry: BoothRegistry, web_app: web.Application | None) -> int:
    """Put every database booth the registry does not know yet into it; returns how many."""
    added = 0
    for booth in await db.list_booths():
        if registry.has_booth(booth.path):
            continue
        if web_app is not None:
            register_booth(web_app, booth)
        else:
            add_booth_record(registry, booth)
        added += 1
    return added


async def send_console_chat(web_app: web.Application | None, booth_id: str, text: str) -> None:
    """Store a chat line from the console and send it to the booth's sockets."""
    stored = await db.append_chat(
        booth_id, CONSOLE_IDENTITY.participant_id, CONSOLE_IDENTITY.display_name, text
    )
    if web_app is not None and WS_HUB in web_app:
        web_app[WS_HUB].send_to_booth(booth_id, chat_message(chat_json(stored)))


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


def mediamtx_output(web_app: web.Application | None) -> Iterable[str]:
    """MediaMTX's recent output lines, if a supervisor published them."""
    if web_app is None:
        return ()
    lines: Any = web_app[EXTRAS].get(MEDIAMTX_OUTPUT, ())
    return list(lines)
