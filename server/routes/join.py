"""`GET /join/{token}`: redeem an invite and start a booth session.

An interpreter lands on their booth's console, a technician on their event's console. The
`session_token` cookie carries a booth token whose subject is `invite:{id}`, so the participant
id stays the same across reconnects and the session dies when the invite is revoked.
"""

from __future__ import annotations

from aiohttp import web

import db
from db.models import InviteToken
from server.auth import TokenError, create_booth_token, decode_token
from server.cookies import request_now, see_other, set_auth_cookie
from server.errors import Problem
from server.keys import CONFIG, SERVICES
from server.principals import SESSION_COOKIE

DEFAULT_NAMES = {"interpreter": "Interpreter", "technician": "Technician"}

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


def destination(invite: InviteToken) -> str:
    """Where the invite leads: the booth's interpreter page or the event's console."""
    booth = invite.booth
    if invite.role == "technician":
        return f"/console/{booth.room.event.slug}"
    return f"/interpreter/{booth.path}"


def _holds_session_for(request: web.Request, invite: InviteToken) -> bool:
    """True when the browser already has a live session from this very invite."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return False
    try:
        claims = decode_token(
            token, key=request.app[SERVICES].secrets.jwt_key, expected_type="booth"
        )
    except TokenError:
        return False
    return bool(claims.get("sub") == f"invite:{invite.id}")


async def join(request: web.Request) -> web.StreamResponse:
    """Redeem the token: 303 with a session cookie, 404 when unknown, 410 when spent."""
    token = request.match_info["token"]
    try:
        invite = await db.redeem_invite_token(token, now=request_now(request))
    except db.InviteNotFound as exc:
        raise Problem(404, UNKNOWN, title="Unknown invite") from exc
    except db.InviteUsedUp as exc:
        # Scanning the same QR again on the phone that redeemed it simply goes back in.
        invite = await db.get_invite(token)
        if _holds_session_for(request, invite):
            return see_other(destination(invite))
        raise Problem(410, USED, code="invite_used", title="Invite already used") from exc
    except db.InviteRevoked as exc:
        raise Problem(410, REVOKED, code="invite_revoked", title="Invite withdrawn") from exc
    except db.InviteExpired as exc:
        raise Problem(410, EXPIRED, code="invite_expired", title="Invite expired") from exc

    session = create_booth_token(
        f"invite:{invite.id}",
        invite.booth.path,
        invite.role,
        invite.label or DEFAULT_NAMES.get(invite.role, "Guest"),
        key=request.app[SERVICES].secrets.jwt_key,
        hours=request.app[CONFIG].auth.session_hours,
        now=request_now(request),
    )
    response = see_other(destination(invite))
    set_auth_cookie(request, response, SESSION_COOKIE, session)
    return response


def add_routes(app: web.Application) -> None:
    """Register the invite redemption route."""
    app.router.add_get("/join/{token}", join, name="join")
