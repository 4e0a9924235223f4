"""Who may open a socket: the principals of the tokens a request carries."""

from __future__ import annotations

from aiohttp import web

from server.auth.principals import NotAuthenticated, principal_from_token, request_tokens
from server.auth.roles import Principal


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
