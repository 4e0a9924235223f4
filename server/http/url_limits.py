"""Refusing over-long URL parts with 404 before any handler, file system or database sees them.

A 5,000-character slug used to reach the ORM (which raised a validation error: 500), a long
static file name reached `open()` (ENAMETOOLONG: 500), and a long room on `/ws/listen` turned
into a 500 written where a websocket was expected. No real slug, language code, invite token or
file name comes near these limits, so anything longer is simply not there: 404.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from aiohttp import web

from server.identity import LANGUAGE_MAX, SLUG_MAX

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

TOKEN_MAX = 64
"""The invite token column's width (tokens are 32 characters); a longer one reached the ORM."""
ID_MAX = 18
"""Database ids: 18 digits always fit SQLite's 64-bit integers."""
SEGMENT_MAX = 255
"""The longest file name (or any other single URL part) we accept."""
PATH_MAX = 1024
"""The longest static file path."""

LIMITS: Mapping[str, int] = {
    "event": SLUG_MAX,
    "room": SLUG_MAX,
    "lang": LANGUAGE_MAX,
    "token": TOKEN_MAX,
    "invite": ID_MAX,
    "membership": ID_MAX,
    "user": ID_MAX,
    "format": 8,
    "filename": PATH_MAX,
}


def url_parts_fit(match_info: Mapping[str, str]) -> bool:
    """True when every matched part of the URL is within its limit."""
    for key, value in match_info.items():
        if len(value) > LIMITS.get(key, SEGMENT_MAX):
            return False
        if key == "filename" and any(len(part) > SEGMENT_MAX for part in value.split("/")):
            return False
    return True


@web.middleware
async def url_limits_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """404 for a request whose route matched with an over-long part."""
    if not url_parts_fit(request.match_info):
        raise web.HTTPNotFound()
    return await handler(request)
