"""Staff pages over HTTPS only: redirects from the plain-HTTP port, and HSTS on the HTTPS port.

The HTTP port exists for listeners' phones. A password typed into `/login` there, or an admin
cookie sent to `/admin` there, would cross the venue Wi-Fi in clear text, so when HTTPS is
running those paths answer with a permanent redirect (308, which keeps a POST a POST) to the
same path on the HTTPS port. HTTPS responses carry Strict-Transport-Security so a browser that
trusts the certificate keeps using HTTPS for this host.

HSTS covers every port of the host name, the listeners' plain-HTTP port included, and browsers
honour it only over a certificate they trust (never the default self-signed one). Its lifetime
is `[server] hsts_seconds`; see docs/server.md for when to lower it or turn it off.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web
from yarl import URL

from server.keys import CONFIG, PORTS

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

STAFF_PATHS = ("/login", "/logout", "/admin")


def is_staff_path(path: str) -> bool:
    """Sign-in, sign-out and the admin panel."""
    return path in STAFF_PATHS or path.startswith("/admin/")


def https_location(request: web.Request, https_port: int) -> str:
    """The same path and query on the kiosk's HTTPS address."""
    secure = request.app[CONFIG].kiosk.secure_url
    if secure:
        return secure.rstrip("/") + request.path_qs
    base = URL.build(scheme="https", host=request.url.host or "localhost", port=https_port)
    return str(base) + request.path_qs


@web.middleware
async def https_redirect_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """308 to HTTPS for staff pages asked for over plain HTTP while HTTPS runs."""
    if not request.secure and is_staff_path(request.path):
        ports = request.app.get(PORTS)
        https_port = None if ports is None else ports.https  # None until HTTPS runs, or without TLS
        if https_port:
            raise web.HTTPPermanentRedirect(https_location(request, https_port))
    return await handler(request)


async def add_hsts(request: web.Request, response: web.StreamResponse) -> None:
    """on_response_prepare hook: Strict-Transport-Security on every HTTPS response."""
    seconds = request.app[CONFIG].server.hsts_seconds
    if request.secure and seconds > 0:
        response.headers["Strict-Transport-Security"] = f"max-age={seconds}"


def setup_https_only(app: web.Application) -> None:
    """Install the staff-page redirect and the HSTS header."""
    app.middlewares.append(https_redirect_middleware)
    app.on_response_prepare.append(add_hsts)
