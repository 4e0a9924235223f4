"""Who may open a socket: tokens to principals, and booths looked up in registry or database."""

from __future__ import annotations

from aiohttp import web

import db
from server.auth.principals import NotAuthenticated, principal_from_token, request_tokens
from server.auth.roles import Principal
from server.booth.state import BoothRegistry


async def valid_principals(request: web.Request, *, key: str) -> list[Principal]:
    """The principals of every valid token the request carries, in order of precedence.

    All are returned, not just the first: a user cookie for another event must not hide the
    booth session token next to it.
    """
    found: list[Principal] = []
    for token in request_tokens(request):
        try:
            found.append(await principal_from_token(token, key=key))
        except NotAuthenticated:
            continue
    return found


def add_booth_record(registry: BoothRegistry, booth: db.models.Booth) -> None:
    """Register a database booth in the registry unless it is there already."""
    if not registry.has_booth(booth.path):
        registry.add_booth(
            booth.path, booth.language_code, booth.language_name, booth.transcription
        )


async def booth_exists(registry: BoothRegistry, booth_id: str) -> bool:
    """True when the booth is registered, registering it from the database if it was missed."""
    if registry.has_booth(booth_id):
        return True
    try:
        booth = await db.get_booth(booth_id)
    except db.NotFound:
        return False
    add_booth_record(registry, booth)
    return True
