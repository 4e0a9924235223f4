"""Cross-cutting request handling: error pages, security headers and the request's principal.

The middlewares of every module run for every request, in the order `server.app.make_app`
installs them. A route marked with `short_chain` (the listener socket, which a crowd of phones
opens at once) runs only the middlewares it needs, SHORT_CHAIN, chosen by one dispatch at the
top of the chain; everything else goes down the whole chain as before.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from typing import Protocol

from aiohttp import web

from server.auth.principals import principal_from_request
from server.auth.roles import Principal
from server.http.errors import Problem, problem_response
from server.http.socket_limits import socket_limits_middleware
from server.http.url_limits import url_limits_middleware
from server.keys import SERVICES

logger = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Middleware(Protocol):
    """A new-style aiohttp middleware: the request, and the rest of the chain as `handler`."""

    def __call__(
        self, request: web.Request, handler: Handler
    ) -> Awaitable[web.StreamResponse]: ...  # pragma: no cover - a type, never called


# Pages run only our own scripts and styles. Audio plays from MediaStreams (WHEP) or blobs, and
# the pages talk to the kiosk over fetch and websockets (ws: for the plain-HTTP listener port).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "media-src 'self' blob: mediastream:",
        "connect-src 'self' ws: wss:",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    # Same-origin requests keep their Referer, which the CSRF check falls back on.
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    # The interpreter console needs the microphone; nothing else does, and nothing embedded may.
    "Permissions-Policy": "microphone=(self), camera=(), geolocation=()",
}

PRINCIPAL: web.RequestKey[Principal | None] = web.RequestKey("principal")


def _message_of(exc: web.HTTPException) -> str | None:
    """The handler's own text, if it gave one (aiohttp's default is "404: Not Found")."""
    text = exc.text or ""
    return None if text == f"{exc.status}: {exc.reason}" else text


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Turn Problems, aiohttp's HTTP errors and crashes into HTML or JSON error responses."""
    try:
        return await handler(request)
    except Problem as problem:
        return problem_response(request, problem)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        passed = {k: v for k, v in exc.headers.items() if k in ("Allow", "Retry-After")}
        return problem_response(request, Problem(exc.status, _message_of(exc), headers=passed))
    except ConnectionError:
        # The client went away (a phone in a crowd gave up waiting): aiohttp drops the request
        # quietly, as it should; a traceback per phone would bury the log.
        raise
    except Exception:
        logger.exception("unhandled error on %s %s", request.method, request.path)
        return problem_response(request, Problem(500))


SHORT_CHAIN: Sequence[Middleware] = (
    error_middleware,
    url_limits_middleware,
    socket_limits_middleware,
)
"""The middlewares a `short_chain` route runs: error responses, URL limits, socket caps.

It skips the rest because they cannot act on it: the HTTPS redirect is for staff pages, the
CSRF cookie follows a form token the handler never makes, and gzip is for static files. The
security headers are not middlewares but a response hook, so the 101 carries them as before.
"""

_SHORT_CHAINS: dict[Handler, Handler] = {}


def compose(handler: Handler, middlewares: Sequence[Middleware]) -> Handler:
    """`handler` wrapped in `middlewares`, the first one outermost (as aiohttp chains them)."""
    for middleware in reversed(middlewares):
        handler = partial(middleware, handler=handler)
    return handler


def short_chain(handler: Handler) -> Handler:
    """Mark a route handler to run through SHORT_CHAIN only; the chain is built once, here."""
    _SHORT_CHAINS[handler] = compose(handler, SHORT_CHAIN)
    return handler


@web.middleware
async def short_chain_dispatch(request: web.Request, handler: Handler) -> web.StreamResponse:
    """First in the chain: a `short_chain` route leaves the whole chain here for its own."""
    chain = _SHORT_CHAINS.get(request.match_info.handler)
    if chain is None:
        return await handler(request)
    return await chain(request)


async def add_security_headers(request: web.Request, response: web.StreamResponse) -> None:
    """on_response_prepare hook: every response, static files and errors included."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)


def setup_middleware(app: web.Application) -> None:
    """Install the short-chain dispatch, the error middleware and the security headers."""
    app.middlewares.append(short_chain_dispatch)  # first: it decides which chain runs
    app.middlewares.append(error_middleware)
    app.middlewares.append(url_limits_middleware)
    app.on_response_prepare.append(add_security_headers)


async def get_principal(request: web.Request) -> Principal | None:
    """Who is asking, from the request's token or cookies; resolved once per request."""
    if PRINCIPAL in request:
        return request[PRINCIPAL]
    key = request.app[SERVICES].secrets.jwt_key
    principal = await principal_from_request(request, key=key)
    request[PRINCIPAL] = principal
    return principal


def client_address(request: web.Request) -> str:
    """The peer address of the connection (the kiosk is not behind a proxy)."""
    return request.remote or "unknown"
