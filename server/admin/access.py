"""Who may open which admin page: every handler starts with one of these guards.

No valid token is a 403, not a redirect to /login: the admin pages are not where people land by
accident, and a 403 never tells a stranger which events exist. Permission is checked on the slug
in the URL before the event is looked up, so a technician of another event gets the same 403
whether or not the event exists; only people allowed in an event can learn it is missing (404).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

import db
from server.auth.roles import GLOBAL_ACTIONS, Action, Principal, can, roles_of
from server.http.errors import Problem
from server.http.middleware import get_principal
from server.identity import Role

if TYPE_CHECKING:
    from db.models import Booth, Event, Room

NOT_ALLOWED = "The admin pages are for admins and for technicians of an event. Sign in first."
NOT_YOUR_EVENT = "You are not a technician of this event."
ADMINS_ONLY = "Only an admin may do this."


async def panel_principal(request: web.Request) -> Principal:
    """The principal of an admin or technician, or 403."""
    principal = await get_principal(request)
    if principal is None:
        raise Problem(403, NOT_ALLOWED)
    roles = roles_of(principal)
    if Role.ADMIN not in roles and Role.TECHNICIAN not in roles:
        raise Problem(403, NOT_ALLOWED)
    return principal


async def global_principal(request: web.Request, action: Action) -> Principal:
    """The principal when it may perform an installation-wide action (admins), or 403."""
    principal = await panel_principal(request)
    if not can(principal, action):
        raise Problem(403, ADMINS_ONLY)
    return principal


async def event_principal(
    request: web.Request, action: Action = Action.MANAGE_EVENT
) -> tuple[Principal, Event]:
    """The principal and the event named in the URL, when it may act there; else 403 or 404."""
    principal = await panel_principal(request)
    slug = request.match_info["event"]
    if not can(principal, action, slug):
        raise Problem(403, ADMINS_ONLY if action in GLOBAL_ACTIONS else NOT_YOUR_EVENT)
    try:
        event = await db.get_event(slug)
    except db.NotFound as exc:
        raise Problem(404, str(exc)) from exc
    return principal, event


async def room_of(event: Event, request: web.Request) -> Room:
    """The room named in the URL, within `event`, or 404."""
    try:
        return await db.get_room(event.slug, request.match_info["room"])
    except db.NotFound as exc:
        raise Problem(404, str(exc)) from exc


async def booth_of(event: Event, request: web.Request) -> Booth:
    """The booth named in the URL (`room`, `lang`), within `event`, or 404."""
    booth_id = db.booth_path(event.slug, request.match_info["room"], request.match_info["lang"])
    try:
        return await db.get_booth(booth_id)
    except db.NotFound as exc:
        raise Problem(404, str(exc)) from exc
