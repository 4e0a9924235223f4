"""Every HTTP route of the kiosk, declared in one place (DESIGN.md §6).

Each module registers its own small handlers; this list is the table of contents.
"""

from __future__ import annotations

import importlib
import importlib.util

from aiohttp import web

from server.routes import health, home, join, listener_token, login, media_proxy, qr
from server.templating import STATIC_DIR

ROUTE_MODULES = (health, home, login, join, listener_token, qr, media_proxy)

# Merge seam: the pages module lands from a parallel branch; this becomes a plain import
# (`from server.routes import pages`) added to ROUTE_MODULES-style registration on merge.
PAGES_MODULE = "server.routes.pages"


def add_routes(app: web.Application) -> None:
    """Register every route module, the pages (when present) and the static files."""
    for module in ROUTE_MODULES:
        module.add_routes(app)
    if importlib.util.find_spec(PAGES_MODULE) is not None:
        importlib.import_module(PAGES_MODULE).add_page_routes(app)
    app.router.add_static("/static", STATIC_DIR, name="static")
