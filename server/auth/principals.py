"""From a request's token to a Principal: who is asking, and in which events and booths.

User tokens are checked against the database on every use, so a deactivated user or a removed
membership takes effect at once. Booth tokens (from invites) stop working when their invite is
revoked.

A person who redeemed an invite is the participant `invite:{invite_id}:{use_number}`: each
redemption of a multi-use invite is its own participant. Sessions from before that rule carry
`invite:{invite_id}`; `invite_id_of_participant` reads both forms.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

import db
from server.auth.credentials import TokenError, decode_token
from server.auth.roles import Principal
from server.identity import BoothId, Role

USER_COOKIE = "user_token"
SESSION_COOKIE = "session_token"
INVITE_PREFIX = "invite:"
DEFAULT_BOOTH_NAMES: dict[str, str] = {
    Role.INTERPRETER: "Interpreter",
    Role.TECHNICIAN: "Technician",
}
"""What an invite without a label calls its holder until they choose a name."""


class NotAuthenticated(Exception):
    """No valid token; the message says why, for logs and error pages."""


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


def invite_participant_id(invite_id: int, use_number: int) -> str:
    """The participant id of the `use_number`-th redemption (1-based) of an invite."""
    return f"{INVITE_PREFIX}{invite_id}:{use_number}"


def invite_id_of_participant(participant_id: str) -> int | None:
    """The invite behind `invite:{id}:{use}` or the older `invite:{id}`; None for anything else.

    Anything else includes users, listeners and malformed ids: a caller that finds the prefix
    but gets None must treat the id as belonging to no valid invite.
    """
    if not participant_id.startswith(INVITE_PREFIX):
        return None
    parts = participant_id[len(INVITE_PREFIX) :].split(":")
    # isdecimal() rather than isdigit(): int() refuses superscripts, which isdigit() accepts.
    if len(parts) > 2 or not all(part.isdecimal() and part.isascii() for part in parts):
        return None
    if len(parts) == 2 and int(parts[1]) < 1:
        return None
    return int(parts[0])


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
                m.event.slug for m in memberships if m.role == Role.TECHNICIAN
            ),
            interpreter_booths=frozenset(
                m.booth.path for m in memberships if m.role == Role.INTERPRETER and m.booth
            ),
        )
    if typ == "booth":
        participant_id = str(claims["sub"])
        if participant_id.startswith(INVITE_PREFIX):
            invite_id = invite_id_of_participant(participant_id)
            if invite_id is None or await db.invite_withdrawn(invite_id):
                raise NotAuthenticated("the invite behind this session was revoked")
        booth_id = str(claims["scope"])
        role = str(claims.get("role"))
        name = str(claims.get("name") or DEFAULT_BOOTH_NAMES.get(role, "Guest"))
        if role == Role.TECHNICIAN:
            return Principal(
                participant_id, name, technician_events=frozenset({BoothId.of(booth_id).event})
            )
        return Principal(
            participant_id,
            name,
            interpreter_booths=frozenset({booth_id}),
            picks_own_name=claims.get("own_name") is True,
        )
    if typ != "listener":
        # Floor and feed tokens are for MediaMTX's auth hook only, never a page's identity.
        raise NotAuthenticated(f"a {typ} token does not open pages")
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
