"""The floor page `/floor/{event}/{room}` and the floors' health for the web console.

The floor page is for a laptop plugged into the mixing desk: a technician of the event (or an
admin) opens it over HTTPS, picks the line-in and publishes it by WHIP through `/media` to the
room's floor channel. It mints a short-lived floor token only while the room's floor source is
`page`; for any other source the page says what feeds the floor instead.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web
from yarl import URL

import db
from server.auth.credentials import create_floor_token
from server.auth.principals import principal_from_request
from server.auth.roles import Action, Principal, can
from server.http.templating import render_html
from server.identity import RoomKey
from server.keys import SERVICES
from server.mediamtx.floor_service import floor_health
from server.mediamtx.floor_source import PAGE, stored_floor_source

# Like the interpreter's media token: the page fetches a fresh one before every WHIP attempt.
FLOOR_TOKEN_MINUTES = 15


async def _floor_principal(request: web.Request) -> tuple[str, str, Principal]:
    """(event, room, principal) for a technician of the event or an admin; else a redirect."""
    event, room = request.match_info["event"], request.match_info["room"]
    services = request.app[SERVICES]
    principal = await principal_from_request(request, key=services.secrets.jwt_key)
    if principal is None:
        raise web.HTTPSeeOther(URL("/login").with_query(next=request.path_qs))
    if not can(principal, Action.FEED_FLOOR, RoomKey(event, room).floor):
        raise web.HTTPForbidden(
            text="Only technicians of this event and admins may feed its floor."
        )
    return event, room, principal


async def _room_or_404(event: str, room: str) -> db.models.Room:
    try:
        return await db.get_room(event, room)
    except db.NotFound as exc:
        raise web.HTTPNotFound(text=f"There is no room {event}/{room}.") from exc


def _mint(request: web.Request, principal: Principal, path: str) -> str:
    return create_floor_token(
        principal.participant_id,
        path,
        principal.display_name,
        key=request.app[SERVICES].secrets.jwt_key,
        hours=FLOOR_TOKEN_MINUTES / 60,
    )


async def floor_page(request: web.Request) -> web.Response:
    """The floor page of one room."""
    event, room_slug, principal = await _floor_principal(request)
    room = await _room_or_404(event, room_slug)
    source = stored_floor_source(room.floor_kind, room.floor_value)
    path = RoomKey(event, room_slug).floor
    context: dict[str, Any] = {
        "event": room.event,
        "room": room,
        "floor_path": path,
        "source": source,
        "accepts_page": source.kind == PAGE,
        "principal": principal,
        "media_token": _mint(request, principal, path) if source.kind == PAGE else "",
    }
    return render_html("floor.html", context)


async def floor_token(request: web.Request) -> web.Response:
    """A fresh floor token for the page's next WHIP attempt; 409 once the source is not `page`."""
    event, room_slug, principal = await _floor_principal(request)
    room = await _room_or_404(event, room_slug)
    if room.floor_kind != PAGE:
        return web.json_response(
            {"error": "this room's floor is no longer fed by the floor page"}, status=409
        )
    expires = datetime.now(UTC) + timedelta(minutes=FLOOR_TOKEN_MINUTES)
    token = _mint(request, principal, RoomKey(event, room_slug).floor)
    return web.json_response(
        {"token": token, "expires_at": expires.isoformat()},
        headers={"Cache-Control": "no-store"},
    )


async def console_floors(request: web.Request) -> web.Response:
    """`GET /console/{event}/floors`: each floor's source and state, for the web console."""
    event = request.match_info["event"]
    services = request.app[SERVICES]
    principal = await principal_from_request(request, key=services.secrets.jwt_key)
    if principal is None or not can(principal, Action.VIEW_CONSOLE, event):
        raise web.HTTPForbidden(text="Only technicians of this event and admins see its floors.")
    floors = [
        {"path": f.path, "kind": f.kind, "source": f.source, "state": f.state}
        for f in floor_health(request.app, event)
    ]
    return web.json_response({"floors": floors}, headers={"Cache-Control": "no-store"})


def add_routes(app: web.Application) -> None:
    """Register the floor page, its token and the console's floor list."""
    app.router.add_get("/floor/{event}/{room}", floor_page, name="floor_page")
    app.router.add_get("/floor/{event}/{room}/media-token", floor_token)
    app.router.add_get("/console/{event}/floors", console_floors)
