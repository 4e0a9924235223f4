"""Admin pages for memberships: technicians of an event and interpreters of its booths."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

import db
from server.admin.access import event_principal
from server.admin.forms import Form, submitted_form
from server.admin.paths import event_path
from server.admin.views import invalid, render_admin, see_other
from server.auth.roles import Principal
from server.http.errors import Problem
from server.identity import INVITE_ROLES, Role

if TYPE_CHECKING:
    from db.models import Event, Membership

routes = web.RouteTableDef()

NO_SUCH_ACCOUNT = "there is no account with this email; an admin creates accounts under Users"


async def _people_page(
    request: web.Request, principal: Principal, event: Event, form: Form, *, status: int = 200
) -> web.Response:
    context = {
        "event": event,
        "memberships": await db.list_memberships(event_slug=event.slug),
        "booths": await db.list_booths(event.slug),
        "roles": INVITE_ROLES,
        "form": form,
    }
    if status == 400:
        return invalid(request, principal, "people.html", context)
    return render_admin(request, principal, "people.html", context)


@routes.get("/admin/events/{event}/people")
async def list_people(request: web.Request) -> web.Response:
    """Who is technician or interpreter in this event, and the form to add someone."""
    principal, event = await event_principal(request)
    return await _people_page(request, principal, event, Form({"role": Role.INTERPRETER}))


@routes.post("/admin/events/{event}/people")
async def add_person(request: web.Request) -> web.Response:
    """Give an existing account a role in this event."""
    principal, event = await event_principal(request)
    form = await submitted_form(request)
    user = await db.find_user_by_email(form.get("email")) if form.get("email") else None
    if user is None:
        form.fail("email", NO_SUCH_ACCOUNT if form.get("email") else "email is empty")
    role = form.get("role")
    if role not in INVITE_ROLES:
        form.fail("role", f"role must be one of {', '.join(INVITE_ROLES)}")
    booth_id = form.get("booth") if role == Role.INTERPRETER else ""
    if role == Role.INTERPRETER:
        paths = {b.path for b in await db.list_booths(event.slug)}
        if not booth_id:
            form.fail("booth", "an interpreter needs a booth")
        elif booth_id not in paths:
            form.fail("booth", f"no booth '{booth_id}' in this event")
    if form.ok and user is not None:
        try:
            await db.add_membership(user.id, event.slug, role, booth_id or None)
        except (ValueError, db.DataError) as exc:
            form.fail("email", str(exc))
    if not form.ok:
        return await _people_page(request, principal, event, form, status=400)
    raise see_other(f"{event_path(event.slug)}/people")


async def _membership(event: Event, request: web.Request) -> Membership:
    try:
        return await db.get_event_membership(event.id, int(request.match_info["membership"]))
    except db.NotFound as exc:
        raise Problem(404, "this membership does not exist") from exc


@routes.get("/admin/events/{event}/people/{membership:\\d+}/delete")
async def remove_person_confirm(request: web.Request) -> web.Response:
    """Ask before removing someone's role."""
    principal, event = await event_principal(request)
    membership = await _membership(event, request)
    where = membership.booth.path if membership.booth else event.slug
    base = f"{event_path(event.slug)}/people"
    context = {
        "what": f"{membership.user.email} as {membership.role} of {where}",
        "consequences": [],
        "action": f"{base}/{membership.id}/delete",
        "back": base,
    }
    return render_admin(request, principal, "confirm_delete.html", context)


@routes.post("/admin/events/{event}/people/{membership:\\d+}/delete")
async def remove_person(request: web.Request) -> web.Response:
    """Remove the role; the account itself stays."""
    _, event = await event_principal(request)
    membership = await _membership(event, request)
    await submitted_form(request)
    await db.delete_membership(membership.id)
    raise see_other(f"{event_path(event.slug)}/people")
