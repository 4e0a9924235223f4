"""Every HTTP route of the kiosk, declared in one place (docs/design.md §6).

Each module registers its own small handlers; this list is the table of contents.
"""

from __future__ import annotations

from aiohttp import web

from server.admin import add_admin_routes
from server.routes import (
    certificate,
    health,
    home,
    join,
    listener_token,
    login,
    media_auth,
    media_proxy,
    pages,
    qr,
)
from server.templating import STATIC_DIR

ROUTE_MODULES = (
    health,
    home,
    login,
    join,
    listener_token,
    qr,
    certificate,
    media_proxy,
    media_auth,
)


def add_routes(app: web.Application) -> None:
    """Register every route module, the pages, the admin panel and the static files."""
    for module in ROUTE_MODULES:
        module.add_routes(app)
    pages.add_page_routes(app)
    add_admin_routes(app)
    app.router.add_static("/static", STATIC_DIR, name="static")
