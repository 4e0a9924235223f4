"""Keep the live booth registry in step with booths created, edited or deleted in the admin.

The websocket layer owns the registry; the admin only tells it what changed, so a booth made at
the venue is usable at once and a deleted one stops being offered to listeners.
"""

from __future__ import annotations

from aiohttp import web

from db.models import Booth
from server.ws import refresh_booth, register_booth, unregister_booth


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
