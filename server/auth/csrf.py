"""CSRF protection for state-changing forms: a signed token tied to a cookie, plus an Origin check.

The `csrf` cookie holds a random value (HttpOnly: scripts never need it, because the server puts
the token into each form). The form token is an HMAC of that value under the kiosk's signing key,
so a token cannot be forged without the key and cannot be reused with another browser's cookie.

Every protected request must also come from this origin: `Origin` must equal the request's own
scheme and host. A request without `Origin` passes only when its `Referer` is on this origin.
Anything else is refused with 403.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Awaitable, Callable
from functools import wraps

from aiohttp import web
from yarl import URL

from server.http.errors import Problem
from server.keys import SERVICES

CSRF_COOKIE = "csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
_COOKIE_RE = re.compile(r"^[A-Za-z0-9_-]{32,64}$")
_NEW_COOKIE: web.RequestKey[str] = web.RequestKey("csrf_new_cookie")

FOREIGN_ORIGIN = "This form was sent from another site, so the kiosk refused it."
MISSING_ORIGIN = "The browser did not say where this form came from, so the kiosk refused it."
BAD_TOKEN = "This form has expired or was not made by the kiosk. Reload the page and try again."

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _sign(request: web.Request, cookie_value: str) -> str:
    key = request.app[SERVICES].secrets.jwt_key.encode("utf-8")
    digest = hmac.new(key, b"csrf:" + cookie_value.encode("ascii"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def _cookie_value(request: web.Request) -> str | None:
    value = request.cookies.get(CSRF_COOKIE, "")
    return value if _COOKIE_RE.match(value) else None


def csrf_token(request: web.Request) -> str:
    """The token to embed in a form (field `csrf_token`); sets the `csrf` cookie when needed."""
    value = _cookie_value(request)
    if value is None:
        if _NEW_COOKIE not in request:
            request[_NEW_COOKIE] = secrets.token_urlsafe(32)
        value = request[_NEW_COOKIE]
    return _sign(request, value)


@web.middleware
async def csrf_cookie_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Send the cookie that a freshly made token was tied to, with the handler's response."""
    response = await handler(request)
    if _NEW_COOKIE in request and not response.prepared:
        response.set_cookie(
            CSRF_COOKIE,
            request[_NEW_COOKIE],
            httponly=True,
            samesite="Lax",
            secure=request.secure,
            path="/",
        )
    return response


def _origin_tuple(url: URL) -> tuple[str, str, int | None]:
    return (url.scheme.lower(), (url.host or "").lower(), url.port)


def same_origin(request: web.Request, url_text: str) -> bool:
    """True when `url_text` (an Origin or a Referer) is on the request's scheme, host and port."""
    try:
        url = URL(url_text)
        own = URL(f"{request.scheme}://{request.host}")
    except ValueError:
        return False
    if not url.is_absolute():
        return False
    return _origin_tuple(url) == _origin_tuple(own)


def check_origin(request: web.Request, *, allow_absent: bool = False) -> None:
    """Raise 403 unless Origin (or, without it, Referer) names this very origin.

    `allow_absent` lets requests with neither header through: for JSON endpoints that also
    serve non-browser clients (browsers always send Origin on cross-site POSTs).
    """
    origin = request.headers.get("Origin")
    if origin is not None:
        if origin == "null" or not same_origin(request, origin):
            raise Problem(403, FOREIGN_ORIGIN, code="csrf_origin")
        return
    referer = request.headers.get("Referer")
    if referer is not None:
        if not same_origin(request, referer):
            raise Problem(403, FOREIGN_ORIGIN, code="csrf_origin")
        return
    if not allow_absent:
        raise Problem(403, MISSING_ORIGIN, code="csrf_origin")


async def check_csrf(request: web.Request) -> None:
    """Raise 403 unless the request is same-origin and carries the token for its cookie."""
    check_origin(request)
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        form = await request.post()
        field = form.get(CSRF_FIELD)
        sent = field if isinstance(field, str) else None
    cookie = _cookie_value(request)
    if not sent or cookie is None or not hmac.compare_digest(sent, _sign(request, cookie)):
        raise Problem(403, BAD_TOKEN, code="csrf_token")


def csrf_protected(handler: Handler) -> Handler:
    """Decorate a handler so it runs only after `check_csrf` passes."""

    @wraps(handler)
    async def guarded(request: web.Request) -> web.StreamResponse:
        await check_csrf(request)
        return await handler(request)

    return guarded


def setup_csrf(app: web.Application) -> None:
    """Install the middleware that sets the `csrf` cookie (inside the error middleware)."""
    app.middlewares.append(csrf_cookie_middleware)
