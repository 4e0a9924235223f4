"""Keep the live booth registry in step with booths created or deleted from the admin pages.

The websocket layer owns the registry; the admin only tells it what changed, so a booth made at
the venue is usable at once and a deleted one stops being offered to listeners.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from db.models import Booth
from server.keys import SERVICES


def _registry(app: web.Application) -> Any:
    # The registry joins Services with the websocket layer; before that there is nothing to tell.
    return getattr(app[SERVICES], "registry", None)


def booth_added(app: web.Application, booth: Booth) -> None:
    """Make a new booth known to the live registry."""
    registry = _registry(app)
    if registry is not None and not registry.has_booth(booth.path):
        registry.add_booth(
            booth.path, booth.language_code, booth.language_name, booth.transcription
        )


def booths_removed(app: web.Application, booth_ids: list[str]) -> None:
    """Forget deleted booths in the live registry."""
    registry = _registry(app)
    if registry is None:
        return
    for booth_id in booth_ids:
        if registry.has_booth(booth_id):
            registry.remove_booth(booth_id)
