"""What the console and the command line read from the database, in a fixed number of queries.

The console's screens reread after every change, so nothing here costs a query per event,
room or booth: the venue outline is three queries whatever its size, and a booth's history
reads only the rows it shows. `kiosk/` imports no `db`; it reads through these functions and
gets plain values (or model rows it only reads).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import db
from server.identity import BoothId
from server.manage.errors import user_errors
from server.mediamtx.floor_source import FloorSource, stored_floor_source

if TYPE_CHECKING:
    from db.models import Booth, ChatMessage, OnAirSpan, TranscriptSegment


@dataclass(frozen=True)
class BoothOutline:
    """One booth as lists show it."""

    booth_id: str
    language_code: str
    language_name: str
    transcription: bool


@dataclass(frozen=True)
class RoomOutline:
    """One room with its floor source and its booths, in creation order."""

    event_slug: str
    slug: str
    display_name: str
    floor: FloorSource
    booths: tuple[BoothOutline, ...]

    @property
    def key(self) -> str:
        """`event/room`, as URLs and pickers name the room."""
        return f"{self.event_slug}/{self.slug}"


@dataclass(frozen=True)
class EventOutline:
    """One event with its rooms, in creation order."""

    slug: str
    display_name: str
    rooms: tuple[RoomOutline, ...]

    @property
    def booths(self) -> tuple[BoothOutline, ...]:
        """Every booth of the event, room by room."""
        return tuple(booth for room in self.rooms for booth in room.booths)


async def venue_outline() -> list[EventOutline]:
    """Every event, oldest first, with its rooms and booths: three queries in all."""
    events = await db.list_events()
    rooms = await db.list_all_rooms()
    booths_of: dict[int, list[BoothOutline]] = {}
    for booth in await db.list_booths():
        booths_of.setdefault(booth.room_id, []).append(
            BoothOutline(booth.path, booth.language_code, booth.language_name, booth.transcription)
        )
    rooms_of: dict[int, list[RoomOutline]] = {}
    for room in rooms:
        rooms_of.setdefault(room.event_id, []).append(
            RoomOutline(
                room.event.slug,
                room.slug,
                room.display_name,
                stored_floor_source(room.floor_kind, room.floor_value),
                tuple(booths_of.get(room.id, ())),
            )
        )
    return [
        EventOutline(event.slug, event.display_name, tuple(rooms_of.get(event.id, ())))
        for event in events
    ]


async def event_exists(slug: str) -> bool:
    """Whether an event with this slug exists: one query."""
    try:
        await db.get_event(slug)
    except db.NotFound:
        return False
    return True


async def live_booths() -> list[Booth]:
    """Every booth with its room and event, for the live registry: one query."""
    return await db.list_booths()


async def booth_chat(booth_id: str) -> list[ChatMessage]:
    """The booth's recent chat, oldest first: one query (empty for an unknown booth)."""
    return await db.recent_chat(booth_id)


async def store_chat(booth_id: str, sender_id: str, sender_name: str, body: str) -> ChatMessage:
    """Store a chat message without a running server (nobody is connected to hear it)."""
    return await db.append_chat(booth_id, sender_id, sender_name, body)


@dataclass(frozen=True)
class BoothHistory:
    """The tail of a booth's on-air log and of its transcript, oldest first."""

    spans: list[OnAirSpan]
    captions: list[TranscriptSegment]


async def booth_history(booth_id: str, *, spans: int, captions: int) -> BoothHistory:
    """The last `spans` on-air spans and last `captions` transcript segments: two queries."""
    return BoothHistory(
        await db.recent_spans(booth_id, spans), await db.recent_transcript(booth_id, captions)
    )


async def booth_transcript(booth_id: str) -> list[TranscriptSegment]:
    """A booth's whole transcript in spoken order, or SetupError for an unknown booth."""
    with user_errors():
        booth = str(BoothId.parse(booth_id))
        await db.get_booth(booth)  # an unknown booth is an error, not an empty transcript
        return await db.list_transcript(booth)
