"""What goes with a deletion: the rows that cascade with an event, a room or a booth.

The confirm pages show these counts so nobody deletes a day of transcripts by accident.
"""

from __future__ import annotations

import db
from db.cascade import CascadeCounts


def consequence_lines(counts: CascadeCounts) -> list[str]:
    """Human lines like '3 booths', skipping kinds that do not apply."""
    labelled = [
        (counts.rooms, "room", "rooms"),
        (counts.booths, "booth", "booths"),
        (counts.invites, "invite", "invites"),
        (counts.memberships, "membership", "memberships"),
        (counts.spans, "on-air log entry", "on-air log entries"),
        (counts.segments, "transcript segment", "transcript segments"),
        (counts.chat, "chat message", "chat messages"),
    ]
    return [
        f"{count} {one if count == 1 else many}"
        for count, one, many in labelled
        if count is not None
    ]


async def event_consequences(event_id: int) -> list[str]:
    """What deleting the event removes, as lines."""
    return consequence_lines(await db.event_cascade(event_id))


async def room_consequences(room_id: int) -> list[str]:
    """What deleting the room removes, as lines."""
    return consequence_lines(await db.room_cascade(room_id))


async def booth_consequences(booth_id: int) -> list[str]:
    """What deleting the booth removes, as lines."""
    return consequence_lines(await db.booth_cascade(booth_id))
