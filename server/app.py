"""`make_app`: the kiosk's aiohttp application, built from the config and the services."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web

import db
from db.migrate import migrate_db
from server.auth.csrf import setup_csrf
from server.booth.runtime import setup_booth_runtime
from server.changes import setup_changes
from server.config import Config
from server.hosting.collector import setup_collector
from server.hosting.network import ListeningPorts
from server.http.https_only import setup_https_only
from server.http.middleware import setup_middleware
from server.http.routes import add_routes
from server.http.routes.listener_token import make_listener_code_limiter
from server.http.routes.login import make_login_limiter
from server.http.socket_limits import setup_socket_limits
from server.keys import (
    CONFIG,
    HTTP_CLIENT,
    LISTENER_CODE_LIMITER,
    LOGIN_LIMITER,
    PORTS,
    SERVICES,
)
from server.mediamtx.service import media_context
from server.services import Services
from server.transcription.context import captions_context
from server.ws import setup_websockets

logger = logging.getLogger(__name__)


async def open_database(url: str) -> None:
    """Bring the schema up to date with the shipped migrations, then connect."""
    await migrate_db(url)
    await db.init_db(url, generate_schemas=False)


async def database_context(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx: the database, unless the caller (a test, the console) owns it."""
    config, services = app[CONFIG], app[SERVICES]
    if not services.open_database:
        yield
        return
    if not config.database.url:
        config.data_dir.mkdir(parents=True, exist_ok=True)
    await open_database(config.database_url)
    try:
        yield
    finally:
        await db.close_db()


async def http_client_context(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx: the one outgoing HTTP client (to MediaMTX on loopback)."""
    # No cookie jar: the proxy must never carry one browser's cookies into another's request.
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as client:
        app[HTTP_CLIENT] = client
        yield


def make_app(config: Config, services: Services) -> web.Application:
    """Build the application: keys, middleware, routes, resources and the websocket layer."""
    app = web.Application()
    app[CONFIG] = config
    app[SERVICES] = services
    app[PORTS] = ListeningPorts()  # filled in by the runner as it binds
    app[LOGIN_LIMITER] = make_login_limiter(services.clock)
    app[LISTENER_CODE_LIMITER] = make_listener_code_limiter(services.clock)

    setup_collector(app)
    setup_middleware(app)
    setup_https_only(app)
    setup_socket_limits(app)
    setup_csrf(app)
    add_routes(app)
    app.cleanup_ctx.append(database_context)
    app.cleanup_ctx.append(http_client_context)

    # The live booths: loaded once the database is open; the contexts below subscribe to it.
    setup_booth_runtime(app)
    setup_websockets(app)
    # Last, so it starts after the booths are loaded and stops before the sockets close.
    app.cleanup_ctx.append(media_context)
    # After the media context: booths are loaded and on_air follows ingest before captions
    # subscribe; on the way down captions stop (and store their last finals) first.
    app.cleanup_ctx.append(captions_context)
    # Last: it follows the booths, paths and captions set up above, and stops first.
    setup_changes(app)
    return app
