"""`GET /healthz`: is the kiosk up, does the database answer, what MediaMTX, captions and the
floor channels do."""

from __future__ import annotations

from typing import Any

from aiohttp import web

import db
from server import __version__
from server.keys import CONFIG, EXTRAS
from server.mediamtx.floor_service import floor_health

MEDIAMTX_STATE = "mediamtx_state"
MEDIAMTX_REASON = "mediamtx_reason"
CAPTIONS_STATE = "captions_state"


def _reported(app: web.Application, key: str) -> object:
    value = app[EXTRAS].get(key)
    return value() if callable(value) else value


def mediamtx_state(app: web.Application) -> str:
    """MediaMTX's state word as the supervisor reports it.

    One of running, starting, stopped, failed, missing, disabled. `server.mediamtx.service` stores
    `EXTRAS["mediamtx_state"]` (a word or a callable returning one); before it has, the answer
    follows the configuration: "disabled" or "missing".
    """
    reported = _reported(app, MEDIAMTX_STATE)
    if isinstance(reported, str):
        return reported
    return "missing" if app[CONFIG].mediamtx.enabled else "disabled"


def captions_state(app: web.Application) -> dict[str, Any]:
    """`{"enabled": bool, "booths": [transcribing booth ids], "state": word}`.

    `server.transcription.context` stores `EXTRAS["captions_state"]` (a callable returning this);
    before it has, the answer follows the configuration.
    """
    reported = _reported(app, CAPTIONS_STATE)
    if isinstance(reported, dict):
        return reported
    enabled = app[CONFIG].transcription.enabled
    return {"enabled": enabled, "booths": [], "state": "idle" if enabled else "disabled"}


async def healthz(request: web.Request) -> web.Response:
    """200 with `ok: true` while the database answers; 503 with `ok: false` when it does not."""
    database = "ok" if await db.ping_db() else "error"
    body = {
        "ok": database == "ok",
        "version": __version__,
        "db": database,
        "mediamtx": mediamtx_state(request.app),
        "captions": captions_state(request.app),
        # Kind and state only: a device name, an encoder's address or a file path is not public.
        "floors": [floor.public() for floor in floor_health(request.app)],
    }
    # Why MediaMTX is missing, failed or disabled: what a technician needs to fix it.
    reason = _reported(request.app, MEDIAMTX_REASON)
    if isinstance(reason, str) and reason:
        body["mediamtx_reason"] = reason
    return web.json_response(body, status=200 if body["ok"] else 503)


def add_routes(app: web.Application) -> None:
    """Register the health route."""
    app.router.add_get("/healthz", healthz, name="healthz")
