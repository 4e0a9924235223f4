"""What goes with a deletion: how many rows cascade with an event, a room or a booth."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from db.models import (
    Booth,
    ChatMessage,
    InviteToken,
    Membership,
    OnAirSpan,
    Room,
    TranscriptSegment,
)


@dataclass(frozen=True)
class CascadeCounts:
    """How many rows of each kind a deletion removes; None where the kind does not apply."""

    rooms: int | None = None
    booths: int | None = None
    invites: int = 0
    memberships: int = 0
    spans: int = 0
    segments: int = 0
    chat: int = 0


async def _booth_rows(by_booth: dict[str, Any]) -> dict[str, int]:
    return {
        "invites": await InviteToken.filter(**by_booth).count(),
        "spans": await OnAirSpan.filter(**by_booth).count(),
        "segments": await TranscriptSegment.filter(**by_booth).count(),
        "chat": await ChatMessage.filter(**by_booth).count(),
    }


async def event_cascade(event_id: int) -> CascadeCounts:
    """What deleting the event removes: one count per kind of row."""
    return CascadeCounts(
        rooms=await Room.filter(event_id=event_id).count(),
        booths=await Booth.filter(room__event_id=event_id).count(),
        memberships=await Membership.filter(event_id=event_id).count(),
        **await _booth_rows({"booth__room__event_id": event_id}),
    )


async def room_cascade(room_id: int) -> CascadeCounts:
    """What deleting the room removes: one count per kind of row."""
    by_booth = {"booth__room_id": room_id}
    return CascadeCounts(
        booths=await Booth.filter(room_id=room_id).count(),
        memberships=await Membership.filter(**by_booth).count(),
        **await _booth_rows(by_booth),
    )


async def booth_cascade(booth_id: int) -> CascadeCounts:
    """What deleting the booth removes: one count per kind of row."""
    return CascadeCounts(
        memberships=await Membership.filter(booth_id=booth_id).count(),
        **await _booth_rows({"booth_id": booth_id}),
    )
