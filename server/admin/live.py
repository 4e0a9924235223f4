"""Keep the live parts in step with what the admin creates, edits or deletes.

The booth registry follows booths; the listener room directory follows events, rooms and
listener codes.

The websocket layer owns the registry; the admin only tells it what changed, so a booth made at
the venue is usable at once and a deleted one stops being offered to listeners.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from server.ws import refresh_booth, register_booth, rooms_changed, unregister_booth

if TYPE_CHECKING:
    from db.models import Booth


def booth_added(app: web.Application, booth: Booth) -> None:
    """Make a new booth known to the live registry."""
    register_booth(app, booth)


def booth_edited(app: web.Application, booth: Booth) -> None:
    """Show a booth's new language name and caption switch live (captions start or stop)."""
    refresh_booth(app, booth)


def booths_removed(app: web.Application, booth_ids: list[str]) -> None:
    """Forget deleted booths in the live registry (their sockets close, open spans end)."""
    for booth_id in booth_ids:
        unregister_booth(app, booth_id)


async def rooms_edited(app: web.Application) -> None:
    """An event or room was created, deleted or given another listener code: the listener
    sockets' room directory reads them again before the admin's reply goes out."""
    await rooms_changed(app)
