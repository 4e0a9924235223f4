"""`GET /healthz`: is the kiosk up, does the database answer, what is MediaMTX doing."""

from __future__ import annotations

from aiohttp import web

import db
from server import __version__
from server.keys import CONFIG, EXTRAS

MEDIAMTX_STATE = "mediamtx_state"


def mediamtx_state(app: web.Application) -> str:
    """MediaMTX's state word as the supervisor reports it.

    Seam: the supervisor stores `EXTRAS["mediamtx_state"]`, either the word itself or a callable
    returning it. Until it does, the answer follows the configuration: "disabled" or "missing".
    """
    reported = app[EXTRAS].get(MEDIAMTX_STATE)
    if callable(reported):
        reported = reported()
    if isinstance(reported, str):
        return reported
    return "missing" if app[CONFIG].mediamtx.enabled else "disabled"


async def healthz(request: web.Request) -> web.Response:
    """200 with `ok: true` while the database answers; 503 with `ok: false` when it does not."""
    database = "ok" if await db.ping_db() else "error"
    body = {
        "ok": database == "ok",
        "version": __version__,
        "db": database,
        "mediamtx": mediamtx_state(request.app),
    }
    return web.json_response(body, status=200 if body["ok"] else 503)


def add_routes(app: web.Application) -> None:
    """Register the health route."""
    app.router.add_get("/healthz", healthz, name="healthz")
