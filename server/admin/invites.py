"""Admin pages for invites: create, list, revoke, the QR, and the printable sheet per event."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from aiohttp import web

import db
from server import manage
from server.admin.access import event_principal
from server.admin.forms import Form, parse_number, submitted_form
from server.admin.paths import event_path
from server.admin.views import inline_svg, invalid, render_admin, see_other
from server.auth.roles import Action, Principal
from server.changes import changed_here
from server.http.errors import Problem
from server.identity import INVITE_ROLES, Role
from server.keys import CONFIG
from server.qr import qr_svg

if TYPE_CHECKING:
    from db.models import Booth, Event, InviteToken

routes = web.RouteTableDef()


def _creator_id(principal: Principal) -> int | None:
    kind, _, number = principal.participant_id.partition(":")
    return int(number) if kind == "user" and number.isdigit() else None


def _defaults(request: web.Request) -> Form:
    hours = request.app[CONFIG].auth.invite_hours
    return Form({"role": Role.INTERPRETER, "hours": f"{hours:g}", "uses": "1"})


async def _invites_page(
    request: web.Request, principal: Principal, event: Event, form: Form, *, status: int = 200
) -> web.Response:
    invites = await db.list_invites(event_slug=event.slug)
    context = {
        "event": event,
        "invites": [(invite, db.invite_status(invite)) for invite in invites],
        "booths": await db.list_booths(event.slug),
        "roles": INVITE_ROLES,
        "form": form,
    }
    if status == 400:
        return invalid(request, principal, "invites.html", context)
    return render_admin(request, principal, "invites.html", context)


@routes.get("/admin/events/{event}/invites")
async def list_invites(request: web.Request) -> web.Response:
    """The event's invites with their state, and the form to create one."""
    principal, event = await event_principal(request, Action.MANAGE_INVITES)
    return await _invites_page(request, principal, event, _defaults(request))


def _check_options(form: Form) -> tuple[float, int] | None:
    """Validate role, hours, uses and label one field at a time, with the CLI's messages."""
    role, label = form.get("role"), form.get("label")
    hours = form.check("hours", lambda v: parse_number(v, "hours"))
    uses = form.check("uses", lambda v: int(parse_number(v, "uses", whole=True)))
    form.check("role", lambda _: manage.check_invite_options(role, 1, 1, ""))
    if hours is not None:
        form.check("hours", lambda _: manage.check_invite_options(Role.INTERPRETER, hours, 1, ""))
    if uses is not None:
        form.check("uses", lambda _: manage.check_invite_options(Role.INTERPRETER, 1, uses, ""))
    form.check("label", lambda _: manage.check_invite_options(Role.INTERPRETER, 1, 1, label))
    if hours is None or uses is None or not form.ok:
        return None
    return hours, uses


@routes.post("/admin/events/{event}/invites")
async def create_invite(request: web.Request) -> web.Response:
    """Create one invite and show it with its QR."""
    principal, event = await event_principal(request, Action.MANAGE_INVITES)
    form = await submitted_form(request)
    booth_ids = {b.path for b in await db.list_booths(event.slug)}
    if form.get("booth") not in booth_ids:
        form.fail("booth", "choose one of this event's booths")
    options = _check_options(form)
    if options is None or not form.ok:
        return await _invites_page(request, principal, event, form, status=400)
    hours, uses = options
    invite = await manage.create_invite(
        form.get("booth"),
        form.get("role"),
        hours,
        uses,
        form.get("label"),
        created_by=_creator_id(principal),
    )
    raise see_other(f"{event_path(event.slug)}/invites/{invite.id}")


async def _invite(event: Event, request: web.Request) -> InviteToken:
    try:
        return await db.get_event_invite(event.id, int(request.match_info["invite"]))
    except db.InviteNotFound as exc:
        raise Problem(404, "this invite does not exist") from exc


@routes.get("/admin/events/{event}/invites/{invite:\\d+}")
async def show_invite(request: web.Request) -> web.Response:
    """One invite: its link, its QR and its state."""
    principal, event = await event_principal(request, Action.MANAGE_INVITES)
    invite = await _invite(event, request)
    context = {
        "event": event,
        "invite": invite,
        "status": db.invite_status(invite),
        "link": manage.invite_url(request.app[CONFIG], invite.token),
    }
    return render_admin(request, principal, "invite.html", context)


@routes.get("/admin/events/{event}/invites/{invite:\\d+}/qr.svg")
async def invite_qr(request: web.Request) -> web.Response:
    """The invite's join link as an SVG QR code."""
    _, event = await event_principal(request, Action.MANAGE_INVITES)
    invite = await _invite(event, request)
    svg = qr_svg(manage.invite_url(request.app[CONFIG], invite.token))
    return web.Response(
        text=svg, content_type="image/svg+xml", headers={"Cache-Control": "no-store"}
    )


@routes.get("/admin/events/{event}/invites/{invite:\\d+}/revoke")
async def revoke_confirm(request: web.Request) -> web.Response:
    """Ask before revoking: whoever joined with it loses access."""
    principal, event = await event_principal(request, Action.MANAGE_INVITES)
    invite = await _invite(event, request)
    base = f"{event_path(event.slug)}/invites"
    context = {
        "what": f"the {invite.role} invite to {invite.booth.path}"
        + (f" ({invite.label})" if invite.label else ""),
        "consequences": [f"{invite.uses} session(s) opened with it stop working"],
        "action": f"{base}/{invite.id}/revoke",
        "back": f"{base}/{invite.id}",
        "verb": "Revoke",
    }
    return render_admin(request, principal, "confirm_delete.html", context)


@routes.post("/admin/events/{event}/invites/{invite:\\d+}/revoke")
async def revoke(request: web.Request) -> web.Response:
    """Revoke the invite; revoking twice changes nothing."""
    _, event = await event_principal(request, Action.MANAGE_INVITES)
    invite = await _invite(event, request)
    await submitted_form(request)
    await db.revoke_invite_token(invite.token)
    await changed_here(request.app)  # its open sessions end now
    raise see_other(f"{event_path(event.slug)}/invites")


@dataclass(frozen=True)
class SheetEntry:
    """One booth on the invite sheet, with its newest usable interpreter invite if any."""

    booth: Booth
    invite: InviteToken | None
    link: str
    qr: str


async def _sheet_entries(request: web.Request, event: Event) -> list[SheetEntry]:
    config = request.app[CONFIG]
    invites = await db.list_invites(event_slug=event.slug)
    newest: dict[int, InviteToken] = {}
    for invite in invites:  # newest first, so the first usable one per booth wins
        if invite.role == Role.INTERPRETER and db.invite_status(invite) == "active":
            newest.setdefault(invite.booth_id, invite)
    entries = []
    for booth in await db.list_booths(event.slug):
        chosen = newest.get(booth.id)
        link = manage.invite_url(config, chosen.token) if chosen else ""
        qr = inline_svg(qr_svg(link)) if chosen else ""
        entries.append(SheetEntry(booth, chosen, link, qr))
    return entries


@routes.get("/admin/events/{event}/invites/sheet")
async def invite_sheet(request: web.Request) -> web.Response:
    """A printable page: one interpreter QR per booth of the event."""
    principal, event = await event_principal(request, Action.MANAGE_INVITES)
    context = {
        "event": event,
        "entries": await _sheet_entries(request, event),
        "form": _defaults(request),
    }
    return render_admin(request, principal, "invite_sheet.html", context)


@routes.post("/admin/events/{event}/invites/sheet")
async def fill_invite_sheet(request: web.Request) -> web.Response:
    """Create an interpreter invite for every booth that has no usable one, all or none."""
    principal, event = await event_principal(request, Action.MANAGE_INVITES)
    form = await submitted_form(request)
    form.values["role"] = Role.INTERPRETER
    options = _check_options(form)
    if options is None:
        context = {"event": event, "entries": await _sheet_entries(request, event), "form": form}
        return invalid(request, principal, "invite_sheet.html", context)
    hours, uses = options
    missing = [e.booth.path for e in await _sheet_entries(request, event) if e.invite is None]
    async with db.transaction():
        for booth_id in missing:
            await manage.create_invite(
                booth_id, Role.INTERPRETER, hours, uses, "sheet", created_by=_creator_id(principal)
            )
    raise see_other(f"{event_path(event.slug)}/invites/sheet")
