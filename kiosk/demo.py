"""`--demo`: an event with three booths, so a first look shows something."""

from __future__ import annotations

import db
from db.errors import NotFound

DEMO_EVENT = "demo"
DEMO_NAME = "Demo event"
DEMO_BOOTHS = (("en", "English"), ("de", "Deutsch"), ("fr", "Français"))


async def ensure_demo_event() -> bool:
    """Create the demo event (room `main`, booths en/de/fr) unless it exists; True if created."""
    try:
        await db.get_event(DEMO_EVENT)
        return False
    except NotFound:
        pass
    await db.create_event(DEMO_EVENT, DEMO_NAME)
    for code, name in DEMO_BOOTHS:
        await db.create_booth(DEMO_EVENT, "main", code, name)
    return True
