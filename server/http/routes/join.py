"""`/join/{token}`: redeem an invite and start a booth session.

An interpreter lands on their booth's console, a technician on their event's console. Each
redemption is its own participant, `invite:{id}:{use}`, held in the `session_token` cookie: so
the people sharing a multi-use invite are distinct in the booth, one person's reconnects keep
their slot, and the session dies when the invite is revoked.

Only a GET (or the confirming POST) spends an invite. HEAD never does, and a GET from a
link-preview robot gets a page with a "Join" button instead, so pasting an invite into a chat
does not use it up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

import db
from server.auth.cookies import request_now, see_other, set_auth_cookie
from server.auth.credentials import TokenError, create_booth_token, decode_token
from server.auth.csrf import csrf_protected, csrf_token
from server.auth.principals import (
    DEFAULT_BOOTH_NAMES,
    SESSION_COOKIE,
    invite_id_of_participant,
    invite_participant_id,
)
from server.http.errors import Problem
from server.http.link_preview import is_link_preview
from server.http.templating import render_html
from server.identity import Role
from server.keys import CONFIG, SERVICES

if TYPE_CHECKING:
    from db.models import InviteToken

UNKNOWN = (
    "This invite link is not known to the kiosk. Check that the whole link was copied, "
    "or scan the QR code again."
)
USED = (
    "This invite has already been used, and each invite works only as often as the technician "
    "allowed. Ask the technician for a new invite."
)
REVOKED = "This invite was withdrawn by the technician. Ask them for a new invite."
EXPIRED = "This invite has expired. Ask the technician for a new invite."

# Per invite status: the message, the machine code and the page title of its 410.
_REFUSALS: dict[str, tuple[str, str, str]] = {
    "used": (USED, "invite_used", "Invite already used"),
    "revoked": (REVOKED, "invite_revoked", "Invite withdrawn"),
    "expired": (EXPIRED, "invite_expired", "Invite expired"),
}


def destination(invite: InviteToken) -> str:
    """Where the invite leads: the booth's interpreter page or the event's console."""
    booth = invite.booth
    if invite.role == Role.TECHNICIAN:
        return f"/console/{booth.room.event.slug}"
    return f"/interpreter/{booth.path}"


def _holds_session_for(request: web.Request, invite: InviteToken) -> bool:
    """True when the browser already has a live session from this very invite (any use of it)."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return False
    try:
        claims = decode_token(
            token, key=request.app[SERVICES].secrets.jwt_key, expected_type="booth"
        )
    except TokenError:
        return False
    return invite_id_of_participant(str(claims.get("sub", ""))) == invite.id


def _refuse(status: str) -> Problem:
    """The 410 for an invite that is used up, revoked or expired."""
    message, code, title = _REFUSALS[status]
    return Problem(410, message, code=code, title=title)


async def _look_up(request: web.Request) -> tuple[InviteToken, str]:
    """The invite of the URL and its status, without spending it; 404 when unknown."""
    try:
        invite = await db.get_invite(request.match_info["token"])
    except db.InviteNotFound as exc:
        raise Problem(404, UNKNOWN, title="Unknown invite") from exc
    return invite, db.invite_status(invite, request_now(request))


async def _redeem(request: web.Request) -> web.StreamResponse:
    """Spend one use of the invite and set the session cookie, or go back into a held session."""
    invite, status = await _look_up(request)
    if status in ("revoked", "expired"):
        raise _refuse(status)
    # Scanning the QR again on the browser that redeemed it goes back in, spending nothing:
    # that person is already a participant, and a second use would make them someone else.
    if _holds_session_for(request, invite):
        return see_other(destination(invite))
    try:
        invite = await db.redeem_invite_token(invite.token, now=request_now(request))
    except db.InviteNotFound as exc:
        raise Problem(404, UNKNOWN, title="Unknown invite") from exc
    except db.InviteUsedUp as exc:
        raise _refuse("used") from exc
    except db.InviteRevoked as exc:
        raise _refuse("revoked") from exc
    except db.InviteExpired as exc:
        raise _refuse("expired") from exc

    # Without a label the holder names themselves on the interpreter page (booth:join).
    session = create_booth_token(
        invite_participant_id(invite.id, invite.uses),
        invite.booth.path,
        invite.role,
        invite.label or DEFAULT_BOOTH_NAMES.get(invite.role, "Guest"),
        key=request.app[SERVICES].secrets.jwt_key,
        hours=request.app[CONFIG].auth.session_hours,
        now=request_now(request),
        own_name=not invite.label and invite.role == Role.INTERPRETER,
    )
    response = see_other(destination(invite))
    set_auth_cookie(request, response, SESSION_COOKIE, session)
    return response


async def _confirm_page(request: web.Request) -> web.Response:
    """The "Join" page shown instead of redeeming: for previews and HEAD; spends nothing."""
    invite, status = await _look_up(request)
    if status != "active" and not (status == "used" and _holds_session_for(request, invite)):
        raise _refuse(status)
    context = {
        "token": invite.token,
        "role": invite.role,
        "csrf_token": csrf_token(request),
    }
    response = render_html("join_confirm.html", context)
    # Previews cache what they fetch; this page must never stand in for the redemption.
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


async def join(request: web.Request) -> web.StreamResponse:
    """GET: redeem (303 with a session cookie, 404 unknown, 410 spent); previews get a page."""
    if is_link_preview(request.headers.get("User-Agent", "")):
        return await _confirm_page(request)
    return await _redeem(request)


async def join_head(request: web.Request) -> web.StreamResponse:
    """HEAD: the status a GET would give, and never a redemption."""
    return await _confirm_page(request)


@csrf_protected
async def join_confirmed(request: web.Request) -> web.StreamResponse:
    """POST from the "Join" button of the confirmation page: redeem like a GET."""
    return await _redeem(request)


def add_routes(app: web.Application) -> None:
    """Register the invite redemption routes."""
    resource = app.router.add_resource("/join/{token}", name="join")
    resource.add_route("GET", join)
    # Its own HEAD handler: `add_get` would answer HEAD with the GET one, which spends.
    resource.add_route("HEAD", join_head)
    resource.add_route("POST", join_confirmed)
