"""Every HTTP route of the kiosk, declared in one place (docs/design.md §6).

Each module registers its own small handlers; this list is the table of contents.
"""

from __future__ import annotations

from aiohttp import web

from server.admin import add_admin_routes
from server.http.routes import (
    certificate,
    floor,
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
from server.http.static_assets import add_static_routes

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
    floor,
)


def add_routes(app: web.Application) -> None:
    """Register every route module, the pages, the admin panel and the static files."""
    for module in ROUTE_MODULES:
        module.add_routes(app)
    pages.add_page_routes(app)
    add_admin_routes(app)
    add_static_routes(app)
