"""`GET /`: the events and their rooms, each linking to its listener page.

A signed-in person also gets the way on from here: staff the admin panel and the web console of
each event they run, interpreters their booths. Signing in lands on this page by default.
"""

from __future__ import annotations

from aiohttp import web

import db
from server.auth.csrf import csrf_token
from server.auth.roles import Action, Principal, can, roles_of
from server.http.middleware import get_principal
from server.http.templating import render_html
from server.identity import Role
from server.keys import CONFIG


def staff_links(principal: Principal, event_slugs: list[str]) -> list[dict[str, str]]:
    """Where a signed-in person can go next: admin panel, web consoles, their booths."""
    links = []
    roles = roles_of(principal)
    if Role.ADMIN in roles or Role.TECHNICIAN in roles:
        links.append({"label": "Admin panel", "url": "/admin"})
    for slug in event_slugs:
        if can(principal, Action.VIEW_CONSOLE, slug):
            links.append({"label": f"Web console · {slug}", "url": f"/console/{slug}"})
    for booth_id in sorted(principal.interpreter_booths):
        links.append({"label": f"Interpreter · {booth_id}", "url": f"/interpreter/{booth_id}"})
    return links


async def home(request: web.Request) -> web.Response:
    """List every event with its rooms; a signed-in person also sees who they are."""
    events = []
    slugs = []
    for event in await db.list_events():
        slugs.append(event.slug)
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
            "staff_links": staff_links(principal, slugs) if principal else [],
            "csrf_token": csrf_token(request) if principal else "",
            "certificate_help": request.app[CONFIG].server.tls != "off",
        },
    )


def add_routes(app: web.Application) -> None:
    """Register the home page."""
    app.router.add_get("/", home, name="home")
