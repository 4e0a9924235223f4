"""Browser pages: interpreter console, technician web console, listener page (docs/design.md §8).

The handlers only decide who may see a page and gather what the template needs; everything
live (participants, handover, captions) arrives over the websockets once the page runs.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web
from yarl import URL

import db
from server.auth.credentials import create_booth_token
from server.auth.principals import principal_from_request
from server.auth.roles import Action, Principal, booth_role, can
from server.http.static_assets import conditional
from server.http.templating import render_html
from server.identity import BoothId, Role, RoomKey
from server.keys import CONFIG, SERVICES
from server.mediamtx.floor_service import floor_health
from server.transcription.aggregator import ABBREVIATIONS

# The listener page joins a sentence cut over two finals; it tells a full stop that ends no
# sentence by the caption aggregator's own list, written into the page once.
LISTENER_ABBREVIATIONS = " ".join(sorted(ABBREVIATIONS))

# Short on purpose: the token sits in the page's DOM; the page fetches a fresh one before
# every WHIP attempt, so a long shift never outlives it.
MEDIA_TOKEN_MINUTES = 15


def _login_redirect(request: web.Request) -> web.HTTPSeeOther:
    return web.HTTPSeeOther(URL("/login").with_query(next=request.path_qs))


async def _principal(request: web.Request) -> Principal | None:
    services = request.app[SERVICES]
    return await principal_from_request(request, key=services.secrets.jwt_key)


async def _booth_or_404(booth_id: str) -> db.models.Booth:
    try:
        return await db.get_booth(booth_id)
    except db.NotFound as exc:
        raise web.HTTPNotFound(text=f"There is no booth {booth_id}.") from exc


async def _room_or_404(event: str, room: str) -> db.models.Room:
    try:
        return await db.get_room(event, room)
    except db.NotFound as exc:
        raise web.HTTPNotFound(text=f"There is no room {event}/{room}.") from exc


def _media_role(role: Role) -> Role:
    # Admins publish and read with a technician's rights; the token only knows the two.
    return Role.INTERPRETER if role is Role.INTERPRETER else Role.TECHNICIAN


def _mint_media_token(request: web.Request, principal: Principal, booth_id: str, role: Role) -> str:
    services = request.app[SERVICES]
    return create_booth_token(
        principal.participant_id,
        booth_id,
        _media_role(role),
        principal.display_name,
        key=services.secrets.jwt_key,
        hours=MEDIA_TOKEN_MINUTES / 60,
    )


async def _booth_principal(request: web.Request) -> tuple[str, Principal, Role]:
    info = request.match_info
    booth_id = f"{info['event']}/{info['room']}/{info['lang']}"
    principal = await _principal(request)
    role = booth_role(principal, booth_id) if principal else None
    if principal is None or role is None:
        raise _login_redirect(request)
    return booth_id, principal, role


async def interpreter_page(request: web.Request) -> web.Response:
    """The interpreter console of one booth, for its interpreters, technicians and admins."""
    booth_id, principal, role = await _booth_principal(request)
    booth = await _booth_or_404(booth_id)
    room_key = BoothId.of(booth_id).room
    siblings = await db.list_booths(room_key.event, room_key.slug)
    config = request.app[CONFIG]
    context: dict[str, Any] = {
        "booth": booth,
        "booth_id": booth_id,
        "event": booth.room.event,
        "room": booth.room,
        "relay_booths": [b for b in siblings if b.path != booth_id],
        "principal": principal,
        "role": role.value,
        "media_token": _mint_media_token(request, principal, booth_id, role),
        "shift_minutes": config.kiosk.shift_minutes,
    }
    return render_html("interpreter.html", context)


async def media_token(request: web.Request) -> web.Response:
    """A fresh short-lived booth token for WHIP/WHEP, for the page's own session."""
    booth_id, principal, role = await _booth_principal(request)
    await _booth_or_404(booth_id)
    expires = datetime.now(UTC) + timedelta(minutes=MEDIA_TOKEN_MINUTES)
    token = _mint_media_token(request, principal, booth_id, role)
    return web.json_response(
        {"token": token, "expires_at": expires.isoformat()},
        headers={"Cache-Control": "no-store"},
    )


async def console_page(request: web.Request) -> web.Response:
    """The technicians' web console: every booth of an event with its controls."""
    event_slug = request.match_info["event"]
    principal = await _principal(request)
    if principal is None or not can(principal, Action.VIEW_CONSOLE, event_slug):
        raise _login_redirect(request)
    try:
        event = await db.get_event(event_slug)
    except db.NotFound as exc:
        raise web.HTTPNotFound(text=f"There is no event {event_slug}.") from exc
    booths = await db.list_booths(event_slug)
    rooms = {RoomKey(event_slug, r.slug).floor: r for r in await db.list_rooms(event_slug)}
    floors = [(rooms[f.path], f) for f in floor_health(request.app, event_slug) if f.path in rooms]
    context: dict[str, Any] = {
        "event": event,
        "booths": booths,
        "floors": floors,
        "principal": principal,
        "shift_minutes": request.app[CONFIG].kiosk.shift_minutes,
    }
    return render_html("console.html", context)


async def listen_page(request: web.Request) -> web.Response:
    """The listener page of a room: open to anyone, with a code form when the event has one."""
    event_slug, room_slug = request.match_info["event"], request.match_info["room"]
    room = await _room_or_404(event_slug, room_slug)  # with its event loaded
    booths = await db.list_booths(event_slug, room_slug)
    context: dict[str, Any] = {
        "event": room.event,
        "room": room,
        "room_id": f"{event_slug}/{room_slug}",
        "booths": booths,
        "code_required": bool(room.event.listener_code),
        "abbreviations": LISTENER_ABBREVIATIONS,
    }
    # Phones reload the page on poor Wi-Fi: an unchanged page is one short 304.
    return conditional(request, render_html("listen.html", context))


def add_page_routes(app: web.Application) -> None:
    """Register the page routes on the app."""
    app.router.add_get("/interpreter/{event}/{room}/{lang}", interpreter_page)
    app.router.add_get("/interpreter/{event}/{room}/{lang}/media-token", media_token)
    app.router.add_get("/console/{event}", console_page)
    app.router.add_get("/listen/{event}/{room}", listen_page)
