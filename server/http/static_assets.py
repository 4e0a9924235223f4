"""Static files with the HTTP caching they deserve, and validators for the pages.

Every page links its styles and scripts under `/static/<version>/…`, where the version is a
digest of the whole static folder. Such a URL names one content forever, so it is served with
`Cache-Control: public, max-age=31536000, immutable`: a phone that opened the listener page once
loads it again without asking for a single asset, even on a poor venue Wi-Fi. Scripts import
each other by relative URL, so one folder-wide version keeps the imported modules versioned too.
A new kiosk version changes the digest, hence every URL.

The unversioned `/static/…` URLs keep working (old bookmarks, tools) with `no-cache`: the
browser revalidates with the ETag/Last-Modified aiohttp sends and gets a 304 when unchanged.

Pages are rendered per request and may change at any time (a booth is added), so they are
`no-cache` too, with an ETag of their body: a warm reload costs one short 304.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable

from aiohttp import web

from server.http.templating import STATIC_DIR, STATIC_PREFIX, versioned_prefix

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"


async def add_cache_headers(request: web.Request, response: web.StreamResponse) -> None:
    """on_response_prepare hook: immutable assets, revalidated pages and unversioned assets.

    Responses that set their own Cache-Control (QR codes, media tokens) keep it; errors are never
    cached.
    """
    # Only answers that carry (or confirm) content: not errors, redirects or socket upgrades.
    if not 200 <= response.status < 400 or "Cache-Control" in response.headers:
        return
    path = request.path
    if path.startswith(versioned_prefix() + "/"):
        response.headers["Cache-Control"] = IMMUTABLE
    elif path.startswith(STATIC_PREFIX + "/") or response.content_type == "text/html":
        response.headers["Cache-Control"] = REVALIDATE


COMPRESSIBLE_SUFFIXES = (".css", ".js", ".svg")
CONDITIONAL_HEADERS = ("If-None-Match", "If-Modified-Since", "If-Range", "Range")


@web.middleware
def compress_static_text(request: web.Request, handler: Handler) -> Awaitable[web.StreamResponse]:
    """Gzip styles and scripts for browsers that accept it.

    They are most of the listener page's weight, and text shrinks to about a third: on a slow
    venue Wi-Fi that is most of a first visit's wait. Only static files are compressed, never
    pages (which may carry tokens next to text a visitor chose, the BREACH pattern).

    A plain function, not a coroutine: every other request (a listener socket above all, which
    lives for hours) passes straight to its handler without one more frame kept alive.
    """
    path = request.path
    if (
        path.startswith(STATIC_PREFIX + "/")
        and path.endswith(COMPRESSIBLE_SUFFIXES)
        and request.method == "GET"
        # A conditional or partial request may be answered with a bodiless 304 or a byte
        # range, which aiohttp must send as they are; those requests get the file uncompressed.
        and not any(name in request.headers for name in CONDITIONAL_HEADERS)
    ):
        return _compressed(request, handler)
    return handler(request)


async def _compressed(request: web.Request, handler: Handler) -> web.StreamResponse:
    response = await handler(request)
    # aiohttp negotiates the coding from Accept-Encoding and sets Vary when it compresses.
    response.enable_compression()
    return response


def etag_of(body: bytes) -> str:
    """A strong ETag for a rendered body."""
    return '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'


def conditional(request: web.Request, response: web.Response) -> web.Response:
    """Give a rendered page its ETag, and answer 304 when the browser already has this body."""
    body = response.body
    if not isinstance(body, bytes):
        return response
    tag = etag_of(body)
    if tag in (t.strip() for t in request.headers.get("If-None-Match", "").split(",")):
        return web.Response(status=304, headers={"ETag": tag, "Cache-Control": REVALIDATE})
    response.headers["ETag"] = tag
    return response


def add_static_routes(app: web.Application) -> None:
    """Serve the static folder under its versioned prefix (first, so it wins) and unversioned."""
    app.router.add_static(versioned_prefix(), STATIC_DIR, name="static-versioned")
    app.router.add_static(STATIC_PREFIX, STATIC_DIR, name="static")
    app.on_response_prepare.append(add_cache_headers)
    app.middlewares.append(compress_static_text)
