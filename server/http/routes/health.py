"""`GET /healthz`: is the kiosk up, does the database answer, what MediaMTX, captions and the
floor channels do."""

from __future__ import annotations

from typing import Any

from aiohttp import web

import db
from server import __version__
from server.keys import CAPTIONS, CONFIG, MEDIA
from server.mediamtx.floor_service import floor_health


def mediamtx_state(app: web.Application) -> str:
    """MediaMTX's state word as the supervisor reports it.

    One of running, starting, stopped, failed, missing, disabled: the media service's `state`
    (server/mediamtx/service.py); before the service runs, the answer follows the
    configuration: "disabled" or "missing".
    """
    media = app.get(MEDIA)
    if media is not None:
        return media.state
    return "missing" if app[CONFIG].mediamtx.enabled else "disabled"


def mediamtx_reason(app: web.Application) -> str:
    """Why MediaMTX is missing, failed or disabled (empty while all is well)."""
    media = app.get(MEDIA)
    return "" if media is None else media.reason


def captions_state(app: web.Application) -> dict[str, Any]:
    """`{"enabled": bool, "booths": [transcribing booth ids], "state": word}`.

    The captions service's `state()` (server/transcription/context.py); before the service
    runs, the answer follows the configuration.
    """
    captions = app.get(CAPTIONS)
    if captions is not None:
        return captions.state()
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
    if reason := mediamtx_reason(request.app):
        body["mediamtx_reason"] = reason
    return web.json_response(body, status=200 if body["ok"] else 503)


def add_routes(app: web.Application) -> None:
    """Register the health route."""
    app.router.add_get("/healthz", healthz, name="healthz")
