"""Admin page for a room's floor source: what feeds `{event}/{room}/floor`.

The form has a kind and one field per kind that names something (device, address, file). Only
the field of the chosen kind is validated and stored. After saving, the running MediaMTX is told
at once (`apply_floor_source`), so the new source feeds the floor without a restart.
"""

from __future__ import annotations

from aiohttp import web

from server import manage
from server.admin.access import event_principal, room_of
from server.admin.forms import Form, submitted_form
from server.admin.views import invalid, render_admin, see_other
from server.mediamtx.floor_service import apply_floor_source
from server.mediamtx.floor_source import DEVICE, FILE, KIND_LABELS, KINDS, URL, stored_floor_source

routes = web.RouteTableDef()
TEMPLATE = "floor_form.html"
# The form field that carries the value of each kind that has one.
VALUE_FIELDS = {DEVICE: "device", URL: "url", FILE: "file"}
KIND_OPTIONS = [(kind, KIND_LABELS[kind]) for kind in KINDS]


@routes.get("/admin/events/{event}/rooms/{room}/floor")
async def floor_form(request: web.Request) -> web.Response:
    """The form to choose a room's floor source, filled with the current one."""
    principal, event = await event_principal(request)
    room = await room_of(event, request)
    source = stored_floor_source(room.floor_kind, room.floor_value)
    values = {"kind": source.kind}
    if source.kind in VALUE_FIELDS:
        values[VALUE_FIELDS[source.kind]] = source.value
    context = {"event": event, "room": room, "form": Form(values), "kinds": KIND_OPTIONS}
    return render_admin(request, principal, TEMPLATE, context)


@routes.post("/admin/events/{event}/rooms/{room}/floor")
async def save_floor(request: web.Request) -> web.Response:
    """Validate and save the floor source, tell MediaMTX, and go back to the event."""
    principal, event = await event_principal(request)
    room = await room_of(event, request)
    form = await submitted_form(request)
    kind = form.get("kind")
    field = VALUE_FIELDS.get(kind, "kind")
    if kind not in KINDS:
        form.fail("kind", f"choose one of: {', '.join(KINDS)}")
    else:
        try:
            await manage.set_floor(f"{event.slug}/{room.slug}", kind, form.get(field))
        except manage.SetupError as exc:
            form.fail(field, str(exc))
    if not form.ok:
        context = {"event": event, "room": room, "form": form, "kinds": KIND_OPTIONS}
        return invalid(request, principal, TEMPLATE, context)
    await apply_floor_source(request.app, event.slug, room.slug)
    raise see_other(f"/admin/events/{event.slug}")
