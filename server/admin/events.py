"""Admin pages for events: the dashboard, and creating, editing and deleting an event."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

import db
from server import manage
from server.admin.access import event_principal, global_principal, panel_principal
from server.admin.counts import event_consequences
from server.admin.forms import Form, submitted_form
from server.admin.views import invalid, render_admin, see_other
from server.auth.roles import Action, can
from server.identity import validate_display_name, validate_event_slug, validate_listener_code
from server.keys import BOOTH_RUNTIME
from server.mediamtx.floor_source import stored_floor_source

if TYPE_CHECKING:
    from db.models import Event

routes = web.RouteTableDef()


@routes.get("/admin")
async def dashboard(request: web.Request) -> web.Response:
    """The events this person may manage, with their rooms and booths counted."""
    principal = await panel_principal(request)
    events = [e for e in await db.list_events() if can(principal, Action.ADMIN_PANEL, e.slug)]
    rows = []
    for event in events:
        rooms = await db.list_rooms(event.slug)
        booths = await db.list_booths(event.slug)
        rows.append({"event": event, "rooms": len(rooms), "booths": len(booths)})
    return render_admin(request, principal, "dashboard.html", {"rows": rows})


@routes.get("/admin/new-event")
async def new_event_form(request: web.Request) -> web.Response:
    """The form to create an event (admins only)."""
    principal = await global_principal(request, Action.CREATE_EVENT)
    return render_admin(request, principal, "event_form.html", {"event": None})


@routes.post("/admin/new-event")
async def create_event(request: web.Request) -> web.Response:
    """Create the event with its room `main`, then show it."""
    principal = await global_principal(request, Action.CREATE_EVENT)
    form = await submitted_form(request)
    slug = form.check("slug", validate_event_slug)
    name = form.check("name", lambda v: validate_display_name(v, "event name"))
    code = form.check("listener_code", validate_listener_code)
    if form.ok and slug is not None and name is not None:
        try:
            await manage.add_event(slug, name, code)
        except manage.SetupError as exc:
            form.fail("slug", str(exc))
    if not form.ok:
        return invalid(request, principal, "event_form.html", {"event": None, "form": form})
    await request.app[BOOTH_RUNTIME].rooms_changed()
    raise see_other(f"/admin/events/{slug}")


@routes.get("/admin/events/{event}")
async def event_overview(request: web.Request) -> web.Response:
    """An event's rooms and booths, with links to everything that belongs to them."""
    principal, event = await event_principal(request, Action.ADMIN_PANEL)
    rooms = await db.list_rooms(event.slug)
    booths = await db.list_booths(event.slug)
    by_room = {room.id: [b for b in booths if b.room_id == room.id] for room in rooms}
    floor_sources = {
        room.id: stored_floor_source(room.floor_kind, room.floor_value).describe() for room in rooms
    }
    return render_admin(
        request,
        principal,
        "event.html",
        {"event": event, "rooms": rooms, "booths": by_room, "floor_sources": floor_sources},
    )


def _edit_form(event: Event) -> Form:
    return Form({"name": event.display_name, "listener_code": event.listener_code or ""})


@routes.get("/admin/events/{event}/edit")
async def edit_event_form(request: web.Request) -> web.Response:
    """The form to rename an event or change its listener code (the slug never changes)."""
    principal, event = await event_principal(request)
    return render_admin(
        request, principal, "event_form.html", {"event": event, "form": _edit_form(event)}
    )


@routes.post("/admin/events/{event}/edit")
async def update_event(request: web.Request) -> web.Response:
    """Save the event's name and listener code."""
    principal, event = await event_principal(request)
    form = await submitted_form(request)
    name = form.check("name", lambda v: validate_display_name(v, "event name"))
    code = form.check("listener_code", validate_listener_code)
    if not form.ok or name is None:
        return invalid(request, principal, "event_form.html", {"event": event, "form": form})
    await db.update_event(event.slug, display_name=name, listener_code=code or "")
    await request.app[BOOTH_RUNTIME].rooms_changed()
    raise see_other(f"/admin/events/{event.slug}")


@routes.get("/admin/events/{event}/delete")
async def delete_event_confirm(request: web.Request) -> web.Response:
    """Ask before deleting, and say what goes with the event (admins only)."""
    principal, event = await event_principal(request, Action.CREATE_EVENT)
    return render_admin(
        request,
        principal,
        "confirm_delete.html",
        {
            "what": f"the event {event.display_name} ({event.slug})",
            "consequences": (await event_consequences(event.id)),
            "action": f"/admin/events/{event.slug}/delete",
            "back": f"/admin/events/{event.slug}",
        },
    )


@routes.post("/admin/events/{event}/delete")
async def delete_event(request: web.Request) -> web.Response:
    """Delete the event and everything in it (admins only)."""
    await event_principal(request, Action.CREATE_EVENT)
    await submitted_form(request)
    slug = request.match_info["event"]
    await request.app[BOOTH_RUNTIME].delete_event(slug)
    raise see_other("/admin")
