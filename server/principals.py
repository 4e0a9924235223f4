"""From a request's token to a Principal: who is asking, and in which events and booths.

User tokens are checked against the database on every use, so a deactivated user or a removed
membership takes effect at once. Booth tokens (from invites) stop working when their invite is
revoked.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

import db
from db.models import InviteToken
from server.auth import TokenError, decode_token
from server.roles import Principal

USER_COOKIE = "user_token"
SESSION_COOKIE = "session_token"


class NotAuthenticated(Exception):
    """No valid token; the message says why, for logs and error pages."""


def invite_id_of(participant_id: str) -> int | None:
    """The invite behind a participant id, or None when it is not an invite session.

    Accepts `invite:{id}` and the per-redemption form `invite:{id}:{use}`: every place that
    ties a session to its invite (revocation included) goes through here.
    """
    kind, *numbers = participant_id.split(":")
    if kind != "invite" or len(numbers) not in (1, 2) or not all(map(_is_number, numbers)):
        return None
    return int(numbers[0])


def user_id_of(participant_id: str) -> int | None:
    """The user account behind a participant id (`user:{id}`), or None."""
    kind, _, number = participant_id.partition(":")
    return int(number) if kind == "user" and _is_number(number) else None


def _is_number(text: str) -> bool:
    # isdigit() alone accepts "²" and other non-ASCII digits that int() refuses.
    return text.isascii() and text.isdigit()


def request_tokens(request: web.Request) -> list[str]:
    """Candidate tokens in order of precedence: ?token=, Bearer, session cookie, user cookie."""
    found: list[str] = []
    if token := request.query.get("token"):
        found.append(token)
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        found.append(header[7:].strip())
    for cookie in (SESSION_COOKIE, USER_COOKIE):
        if value := request.cookies.get(cookie):
            found.append(value)
    return found


async def principal_from_claims(claims: dict[str, Any]) -> Principal:
    """Turn verified claims into a Principal, consulting the database where it matters."""
    typ = claims["typ"]
    if typ == "user":
        try:
            user = await db.get_user(int(claims["sub"]))
        except (db.NotFound, ValueError) as exc:
            raise NotAuthenticated("the account no longer exists") from exc
        if not user.is_active:
            raise NotAuthenticated("the account is deactivated")
        memberships = await db.list_memberships(user_id=user.id)
        return Principal(
            participant_id=f"user:{user.id}",
            display_name=user.display_name,
            is_admin=user.is_admin,
            technician_events=frozenset(
                m.event.slug for m in memberships if m.role == "technician"
            ),
            interpreter_booths=frozenset(
                m.booth.path for m in memberships if m.role == "interpreter" and m.booth
            ),
        )
    if typ == "booth":
        participant_id = str(claims["sub"])
        if participant_id.startswith("invite:"):
            invite_id = invite_id_of(participant_id)
            invite = None if invite_id is None else await InviteToken.get_or_none(id=invite_id)
            if invite is None or invite.revoked_at is not None:
                raise NotAuthenticated("the invite behind this session was revoked")
        booth_id = str(claims["scope"])
        name = str(claims.get("name") or "Guest")
        if claims.get("role") == "technician":
            return Principal(
                participant_id, name, technician_events=frozenset({booth_id.split("/")[0]})
            )
        return Principal(participant_id, name, interpreter_booths=frozenset({booth_id}))
    return Principal(
        participant_id=str(claims["sub"]),
        display_name="Listener",
        listener_rooms=frozenset({str(claims["scope"])}),
    )


async def principal_from_token(token: str, *, key: str) -> Principal:
    """Verify one token and resolve its Principal, or raise NotAuthenticated."""
    try:
        claims = decode_token(token, key=key)
    except TokenError as exc:
        raise NotAuthenticated(str(exc)) from exc
    return await principal_from_claims(claims)


async def principal_from_request(request: web.Request, *, key: str) -> Principal | None:
    """The Principal of the first valid token the request carries, or None."""
    for token in request_tokens(request):
        try:
            return await principal_from_token(token, key=key)
        except NotAuthenticated:
            continue
    return None
