"""Where the console reaches into the server's run-time parts: booth registration and chat.

Both go through the websocket layer's public functions when the server runs, so booths
created on screen get their MediaMTX path and chat reaches the interpreters' sockets.
"""

from __future__ import annotations

import logging

from aiohttp import web

import db
from kiosk.control import CONSOLE_IDENTITY
from server.booth_state import BoothRegistry

logger = logging.getLogger("kiosk.bridge")


async def register_missing_booths(registry: BoothRegistry, web_app: web.Application | None) -> int:
    """Put every database booth the registry does not know yet into it; returns how many."""
    added = 0
    for booth in await db.list_booths():
        if registry.has_booth(booth.path):
            continue
        registry.add_booth(booth.path, booth.language_code, booth.language_name, booth.transcription)
        added += 1
    return added


async def send_console_chat(web_app: web.Application | None, booth_id: str, text: str) -> None:
    """Store a chat line from the console and send it to the booth's sockets."""
    message = await db.append_chat(
        booth_id, CONSOLE_IDENTITY.participant_id, CONSOLE_IDENTITY.display_name, text
    )
    logger.info("console chat to %s (message %s)", booth_id, message.id)
