"""The login and session cookies: HttpOnly, SameSite=Lax, Secure over HTTPS, one lifetime."""

from __future__ import annotations

from datetime import UTC, datetime

from aiohttp import web

from server.auth.principals import SESSION_COOKIE, USER_COOKIE
from server.keys import CONFIG, SERVICES


def request_now(request: web.Request) -> datetime:
    """The current time from the app's injected clock, as an aware UTC datetime."""
    return datetime.fromtimestamp(request.app[SERVICES].clock(), UTC)


def session_seconds(request: web.Request) -> int:
    """How long a login or invite session lasts, in whole seconds."""
    return int(request.app[CONFIG].auth.session_hours * 3600)


def set_auth_cookie(
    request: web.Request, response: web.StreamResponse, name: str, token: str
) -> None:
    """Set `user_token` or `session_token` for the configured session lifetime."""
    response.set_cookie(
        name,
        token,
        max_age=session_seconds(request),
        httponly=True,
        samesite="Lax",
        # Over plain HTTP a Secure cookie would be dropped; over HTTPS it must not leak to HTTP.
        secure=request.secure,
        path="/",
    )


def clear_auth_cookies(response: web.StreamResponse) -> None:
    """Remove both the login and the invite session cookie."""
    for name in (USER_COOKIE, SESSION_COOKIE):
        response.del_cookie(name, path="/", samesite="Lax")


def see_other(location: str) -> web.Response:
    """A 303 redirect: the answer to a form post or a redeemed link."""
    return web.Response(status=303, headers={"Location": location})
