"""The admin URLs of things, built in one place so pages and redirects agree."""

from __future__ import annotations

from typing import TYPE_CHECKING

from server.identity import BoothId

if TYPE_CHECKING:
    from db.models import Booth


def event_path(event_slug: str) -> str:
    """The event's overview page."""
    return f"/admin/events/{event_slug}"


def booth_base(booth: Booth) -> str:
    """The prefix of a booth's pages: `/admin/events/{event}/rooms/{room}/booths/{lang}`."""
    booth_id = BoothId.of(booth.path)
    return f"/admin/events/{booth_id.event}/rooms/{booth_id.room.slug}/booths/{booth_id.language}"
