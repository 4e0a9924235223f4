"""Booth chat: store a message, send it to the booth's sockets, and tell in-process listeners.

Every chat message goes through `post_chat`, whether an interpreter typed it on their page
(the booth socket handler) or the technician typed it in the console. The console's Booth
screen hears chat through `WebSocketHub.subscribe_chat` rather than re-reading the database.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from aiohttp import web

import db
from server.keys import SERVICES, WS_HUB
from server.ws.persistence import utc_datetime

if TYPE_CHECKING:
    from db.models import ChatMessage

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PostedChat:
    """One stored chat message of a booth, as listeners receive it."""

    booth_id: str
    message_id: int
    sender_id: str
    sender_name: str
    body: str
    sent_at: datetime

    @classmethod
    def from_stored(cls, booth_id: str, message: ChatMessage) -> PostedChat:
        """The posted form of a message read from (or just written to) the database."""
        return cls(
            booth_id,
            message.id,
            message.sender_id,
            message.sender_name,
            message.body,
            message.sent_at,
        )

    def as_json(self) -> dict[str, Any]:
        """The message as it goes on the wire (`booth:chat`, `booth:joined`)."""
        return _wire_form(self.sender_id, self.sender_name, self.body, self.sent_at)


ChatListener = Callable[[PostedChat], None]


def chat_json(message: ChatMessage) -> dict[str, Any]:
    """A stored chat message as it goes on the wire."""
    return _wire_form(message.sender_id, message.sender_name, message.body, message.sent_at)


def _wire_form(sender_id: str, sender_name: str, body: str, sent_at: datetime) -> dict[str, Any]:
    return {
        "sender_id": sender_id,
        "sender_name": sender_name,
        "body": body,
        "sent_at": sent_at.isoformat(),
    }


class ChatListeners:
    """In-process subscribers to every posted chat message; called synchronously, in order."""

    def __init__(self) -> None:
        self._listeners: list[ChatListener] = []

    def subscribe(self, listener: ChatListener) -> Callable[[], None]:
        """Call `listener` with every posted message; returns a function that unsubscribes."""
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    def publish(self, posted: PostedChat) -> None:
        """Tell every listener; one that fails is logged and does not stop the others."""
        for listener in list(self._listeners):
            try:
                listener(posted)
            except Exception:
                logger.exception("chat subscriber failed on %s", posted.booth_id)


async def post_chat(
    app: web.Application, booth_id: str, sender_id: str, sender_name: str, body: str
) -> PostedChat:
    """Store a chat message of a booth, send it to the booth's sockets and chat listeners.

    Returns the stored message (`as_json()` is what went on the wire). The time is the app's
    clock (`Services.clock`).
    """
    sent_at = utc_datetime(app[SERVICES].clock())
    stored = await db.append_chat(booth_id, sender_id, sender_name, body, sent_at=sent_at)
    posted = PostedChat.from_stored(booth_id, stored)
    app[WS_HUB].publish_chat(posted)
    return posted
