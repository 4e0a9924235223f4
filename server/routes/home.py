"""`GET /`: the events and their rooms, each linking to its listener page."""

from __future__ import annotations

from aiohttp import web

import db
from server.csrf import csrf_token
from server.middleware import get_principal
from server.templating import render_html


async def home(request: web.Request) -> web.Response:
    """List every event with its rooms; a signed-in person also sees who they are."""
    events = []
    for event in await db.list_events():
        rooms = [
            {"name": room.display_name, "url": f"/listen/{event.slug}/{room.slug}"}
            for room in await db.list_rooms(event.slug)
        ]
        events.append({"name": event.display_name, "slug": event.slug, "rooms": rooms})
    principal = await get_principal(request)
    return render_html(
        "home.html",
        {
            "events": events,
            "signed_in_as": principal.display_name if principal else None,
            "csrf_token": csrf_token(request) if principal else "",
        },
    )


def add_routes(app: web.Application) -> None:
    """Register the home page."""
    app.router.add_get("/", home, name="home")
