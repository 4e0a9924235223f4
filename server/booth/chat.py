"""Booth chat: store a message, then tell every in-process subscriber, in order.

Chat is booth activity, not connection work: a message belongs to a booth whoever typed it (an
interpreter on their page, the technician in the console), is stored with the kiosk's clock,
and is heard by whoever subscribed. The websocket layer subscribes first and fans each message
out to the booth's sockets; the console's Booth screen subscribes to show it without re-reading
the database. `BoothRuntime.chat` is the one instance of a running kiosk.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import db
from server.booth.models import Clock
from server.booth.writer import utc_datetime

if TYPE_CHECKING:
    from db.models import ChatMessage

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PostedChat:
    """One stored chat message of a booth, as subscribers receive it."""

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
        return {
            "sender_id": self.sender_id,
            "sender_name": self.sender_name,
            "body": self.body,
            "sent_at": self.sent_at.isoformat(),
        }


ChatListener = Callable[[PostedChat], None]


class BoothChat:
    """Posts chat messages and publishes them to subscribers (synchronously, in order)."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._listeners: list[ChatListener] = []

    def subscribe(self, listener: ChatListener) -> Callable[[], None]:
        """Call `listener` with every posted message; returns a function that unsubscribes."""
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    async def post(self, booth_id: str, sender_id: str, sender_name: str, body: str) -> PostedChat:
        """Store a chat message of a booth (sent now, by the kiosk's clock), then publish it.

        Returns the stored message (`as_json()` is what goes on the wire).
        """
        sent_at = utc_datetime(self._clock())
        stored = await db.append_chat(booth_id, sender_id, sender_name, body, sent_at=sent_at)
        posted = PostedChat.from_stored(booth_id, stored)
        self.publish(posted)
        return posted

    async def recent(self, booth_id: str) -> list[PostedChat]:
        """The booth's latest messages, oldest first (what a joining socket is shown)."""
        return [PostedChat.from_stored(booth_id, m) for m in await db.recent_chat(booth_id)]

    def publish(self, posted: PostedChat) -> None:
        """Tell every subscriber; one that fails is logged and does not stop the others."""
        for listener in list(self._listeners):
            try:
                listener(posted)
            except Exception:
                logger.exception("chat subscriber failed on %s", posted.booth_id)
