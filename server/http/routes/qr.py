"""QR codes as SVG: the listener poster of a room, and an invite's join link (staff only)."""

from __future__ import annotations

from aiohttp import web

import db
from server.auth.roles import Action, can
from server.hosting.network import public_url, secure_url
from server.http.errors import Problem
from server.http.middleware import get_principal
from server.keys import CONFIG
from server.qr import qr_svg

SVG = "image/svg+xml"
STAFF_ONLY = "Only an admin or a technician of this event may see this invite's QR code."


def _svg_response(text: str, *, private: bool) -> web.Response:
    cache = "no-store" if private else "public, max-age=300"
    return web.Response(
        text=qr_svg(text), content_type=SVG, charset="utf-8", headers={"Cache-Control": cache}
    )


async def listen_qr(request: web.Request) -> web.Response:
    """The QR code of `{public_url}/listen/{event}/{room}`, for the room's poster."""
    event, room = request.match_info["event"], request.match_info["room"]
    try:
        await db.get_room(event, room)
    except db.NotFound as exc:
        raise Problem(404, f"There is no room '{event}/{room}'.") from exc
    base = public_url(request.app[CONFIG])
    return _svg_response(f"{base}/listen/{event}/{room}", private=False)


async def invite_qr(request: web.Request) -> web.Response:
    """The QR code of `{secure_url}/join/{token}`; admins and the event's technicians only."""
    principal = await get_principal(request)
    if principal is None:
        raise Problem(403, STAFF_ONLY)
    token = request.match_info["token"]
    try:
        invite = await db.get_invite(token)
    except db.InviteNotFound as exc:
        raise Problem(404, "This invite is not known to the kiosk.") from exc
    if not can(principal, Action.MANAGE_INVITES, invite.booth.room.event.slug):
        raise Problem(403, STAFF_ONLY)
    base = secure_url(request.app[CONFIG])
    # The image carries a live credential: never let a cache keep it.
    return _svg_response(f"{base}/join/{token}", private=True)


def add_routes(app: web.Application) -> None:
    """Register the QR code routes."""
    app.router.add_get("/qr/listen/{event}/{room}.svg", listen_qr, name="listen_qr")
    app.router.add_get("/qr/invite/{token}.svg", invite_qr, name="invite_qr")
