"""What goes with a deletion: the rows that cascade with an event, a room or a booth.

The confirm pages show these counts so nobody deletes a day of transcripts by accident.
"""

from __future__ import annotations

from dataclasses import dataclass

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
class Consequences:
    """How many rows of each kind a deletion removes; None where the kind does not apply."""

    rooms: int | None = None
    booths: int | None = None
    invites: int = 0
    memberships: int = 0
    spans: int = 0
    segments: int = 0
    chat: int = 0

    def lines(self) -> list[str]:
        """Human lines like '3 booths', skipping kinds that do not apply."""
        labelled = [
            (self.rooms, "room", "rooms"),
            (self.booths, "booth", "booths"),
            (self.invites, "invite", "invites"),
            (self.memberships, "membership", "memberships"),
            (self.spans, "on-air log entry", "on-air log entries"),
            (self.segments, "transcript segment", "transcript segments"),
            (self.chat, "chat message", "chat messages"),
        ]
        return [
            f"{count} {one if count == 1 else many}"
            for count, one, many in labelled
            if count is not None
        ]


async def event_consequences(event_id: int) -> Consequences:
    """What deleting the event removes."""
    by_booth = {"booth__room__event_id": event_id}
    return Consequences(
        rooms=await Room.filter(event_id=event_id).count(),
        booths=await Booth.filter(room__event_id=event_id).count(),
        invites=await InviteToken.filter(**by_booth).count(),
        memberships=await Membership.filter(event_id=event_id).count(),
        spans=await OnAirSpan.filter(**by_booth).count(),
        segments=await TranscriptSegment.filter(**by_booth).count(),
        chat=await ChatMessage.filter(**by_booth).count(),
    )


async def room_consequences(room_id: int) -> Consequences:
    """What deleting the room removes."""
    by_booth = {"booth__room_id": room_id}
    return Consequences(
        booths=await Booth.filter(room_id=room_id).count(),
        invites=await InviteToken.filter(**by_booth).count(),
        memberships=await Membership.filter(**by_booth).count(),
        spans=await OnAirSpan.filter(**by_booth).count(),
        segments=await TranscriptSegment.filter(**by_booth).count(),
        chat=await ChatMessage.filter(**by_booth).count(),
    )


async def booth_consequences(booth_id: int) -> Consequences:
    """What deleting the booth removes."""
    return Consequences(
        invites=await InviteToken.filter(booth_id=booth_id).count(),
        memberships=await Membership.filter(booth_id=booth_id).count(),
        spans=await OnAirSpan.filter(booth_id=booth_id).count(),
        segments=await TranscriptSegment.filter(booth_id=booth_id).count(),
        chat=await ChatMessage.filter(booth_id=booth_id).count(),
    )
