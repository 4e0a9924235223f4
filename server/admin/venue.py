"""Admin pages for rooms and booths: create, edit, delete, and the printable listener poster."""

from __future__ import annotations

from aiohttp import web

import db
from server import manage
from server.admin.access import booth_of, event_principal, room_of
from server.admin.counts import booth_consequences, room_consequences
from server.admin.forms import Form, submitted_form
from server.admin.paths import booth_base
from server.admin.views import inline_svg, invalid, render_admin, see_other
from server.hosting.network import public_url
from server.identity import validate_display_name, validate_language_code, validate_room_slug
from server.keys import BOOTH_RUNTIME, CONFIG
from server.mediamtx.floor_service import apply_floor_source
from server.qr import qr_svg

routes = web.RouteTableDef()


@routes.get("/admin/events/{event}/new-room")
async def new_room_form(request: web.Request) -> web.Response:
    """The form to add a room."""
    principal, event = await event_principal(request)
    return render_admin(request, principal, "room_form.html", {"event": event, "room": None})


@routes.post("/admin/events/{event}/new-room")
async def create_room(request: web.Request) -> web.Response:
    """Add the room, then go back to the event."""
    principal, event = await event_principal(request)
    form = await submitted_form(request)
    slug = form.check("slug", validate_room_slug)
    name = form.check("name", lambda v: validate_display_name(v, "room name"))
    if form.ok and slug is not None and name is not None:
        try:
            await manage.add_room(event.slug, slug, name)
        except manage.SetupError as exc:
            form.fail("slug", str(exc))
        else:
            await apply_floor_source(request.app, event.slug, slug)  # its floor joins the list
    if not form.ok:
        context = {"event": event, "room": None, "form": form}
        return invalid(request, principal, "room_form.html", context)
    await request.app[BOOTH_RUNTIME].rooms_changed()
    raise see_other(f"/admin/events/{event.slug}")


@routes.get("/admin/events/{event}/rooms/{room}/edit")
async def edit_room_form(request: web.Request) -> web.Response:
    """The form to rename a room (its slug never changes: posters carry it)."""
    principal, event = await event_principal(request)
    room = await room_of(event, request)
    form = Form({"name": room.display_name})
    context = {"event": event, "room": room, "form": form}
    return render_admin(request, principal, "room_form.html", context)


@routes.post("/admin/events/{event}/rooms/{room}/edit")
async def update_room(request: web.Request) -> web.Response:
    """Save the room's name."""
    principal, event = await event_principal(request)
    room = await room_of(event, request)
    form = await submitted_form(request)
    name = form.check("name", lambda v: validate_display_name(v, "room name"))
    if name is None:
        context = {"event": event, "room": room, "form": form}
        return invalid(request, principal, "room_form.html", context)
    await db.update_room(event.slug, room.slug, name)
    raise see_other(f"/admin/events/{event.slug}")


@routes.get("/admin/events/{event}/rooms/{room}/delete")
async def delete_room_confirm(request: web.Request) -> web.Response:
    """Ask before deleting a room, and say what goes with it."""
    principal, event = await event_principal(request)
    room = await room_of(event, request)
    base = f"/admin/events/{event.slug}"
    context = {
        "what": f"the room {room.display_name} ({event.slug}/{room.slug})",
        "consequences": (await room_consequences(room.id)),
        "action": f"{base}/rooms/{room.slug}/delete",
        "back": base,
    }
    return render_admin(request, principal, "confirm_delete.html", context)


@routes.post("/admin/events/{event}/rooms/{room}/delete")
async def delete_room(request: web.Request) -> web.Response:
    """Delete the room with its booths."""
    _, event = await event_principal(request)
    room = await room_of(event, request)
    await submitted_form(request)
    await request.app[BOOTH_RUNTIME].delete_room(event.slug, room.slug)
    await apply_floor_source(request.app, event.slug, room.slug)  # the floor leaves the health list
    raise see_other(f"/admin/events/{event.slug}")


@routes.get("/admin/events/{event}/rooms/{room}/poster")
async def listener_poster(request: web.Request) -> web.Response:
    """A printable poster: the room's listener QR, its link and the listener code."""
    principal, event = await event_principal(request)
    room = await room_of(event, request)
    link = f"{public_url(request.app[CONFIG])}/listen/{event.slug}/{room.slug}"
    context = {
        "event": event,
        "room": room,
        "booths": await db.list_booths(event.slug, room.slug),
        "link": link,
        "qr": inline_svg(qr_svg(link)),
    }
    return render_admin(request, principal, "poster.html", context)


@routes.get("/admin/events/{event}/rooms/{room}/new-booth")
async def new_booth_form(request: web.Request) -> web.Response:
    """The form to add a language booth to a room."""
    principal, event = await event_principal(request)
    room = await room_of(event, request)
    context = {"event": event, "room": room, "booth": None}
    return render_admin(request, principal, "booth_form.html", context)


@routes.post("/admin/events/{event}/rooms/{room}/new-booth")
async def create_booth(request: web.Request) -> web.Response:
    """Add the booth (live at once), and go back to the event."""
    principal, event = await event_principal(request)
    room = await room_of(event, request)
    form = await submitted_form(request)
    lang = form.check("lang", validate_language_code)
    name = form.check("name", lambda v: validate_display_name(v, "language name"))
    booth = None
    if form.ok and lang is not None and name is not None:
        try:
            booth = await request.app[BOOTH_RUNTIME].create_booth(
                f"{event.slug}/{room.slug}", lang, name, form.flag("transcription")
            )
        except manage.SetupError as exc:
            form.fail("lang", str(exc))
    if booth is None:
        context = {"event": event, "room": room, "booth": None, "form": form}
        return invalid(request, principal, "booth_form.html", context)
    raise see_other(f"/admin/events/{event.slug}")


@routes.get("/admin/events/{event}/rooms/{room}/booths/{lang}/edit")
async def edit_booth_form(request: web.Request) -> web.Response:
    """The form to rename a booth's language or switch its captions (the code never changes)."""
    principal, event = await event_principal(request)
    booth = await booth_of(event, request)
    values = {"name": booth.language_name}
    if booth.transcription:
        values["transcription"] = "on"
    context = {"event": event, "room": booth.room, "booth": booth, "form": Form(values)}
    return render_admin(request, principal, "booth_form.html", context)


@routes.post("/admin/events/{event}/rooms/{room}/booths/{lang}/edit")
async def update_booth(request: web.Request) -> web.Response:
    """Save the booth's language name and caption switch, and show them live at once."""
    principal, event = await event_principal(request)
    booth = await booth_of(event, request)
    form = await submitted_form(request)
    name = form.check("name", lambda v: validate_display_name(v, "language name"))
    if name is None:
        context = {"event": event, "room": booth.room, "booth": booth, "form": form}
        return invalid(request, principal, "booth_form.html", context)
    await request.app[BOOTH_RUNTIME].edit_booth(
        booth.path, language_name=name, transcription=form.flag("transcription")
    )
    raise see_other(f"/admin/events/{event.slug}")


@routes.get("/admin/events/{event}/rooms/{room}/booths/{lang}/delete")
async def delete_booth_confirm(request: web.Request) -> web.Response:
    """Ask before deleting a booth, and say what goes with it."""
    principal, event = await event_principal(request)
    booth = await booth_of(event, request)
    context = {
        "what": f"the {booth.language_name} booth ({booth.path})",
        "consequences": (await booth_consequences(booth.id)),
        "action": f"{booth_base(booth)}/delete",
        "back": f"/admin/events/{event.slug}",
    }
    return render_admin(request, principal, "confirm_delete.html", context)


@routes.post("/admin/events/{event}/rooms/{room}/booths/{lang}/delete")
async def delete_booth(request: web.Request) -> web.Response:
    """Delete the booth with its invites, log and transcript."""
    _, event = await event_principal(request)
    booth = await booth_of(event, request)
    await submitted_form(request)
    await request.app[BOOTH_RUNTIME].delete_booth(booth.path)
    raise see_other(f"/admin/events/{event.slug}")
