"""Wiring the change watcher into the application: who follows it, and in what order.

`setup_changes(app)` creates the watcher and the access view (`app[CHANGES]`, `app[ACCESS]`)
and adds `changes_context` to `cleanup_ctx`. The context starts last, once the booths are
loaded and MediaMTX runs, and stops first. Subscribers, in order:

1. access: revoked invites and deactivated accounts; their booth sockets close with 4001 and
   they leave every booth (the mic passes on). Security first, so a slow reload elsewhere
   never delays it.
2. booths: the booth runtime follows the database (sockets, listener pages, the console's
   dashboard and captions follow the runtime).
3. rooms: the listeners' room directory (which rooms exist, which need a listener code).
4. media paths: MediaMTX serves exactly the booths and rooms of the database.
5. floors: each room's floor source reaches MediaMTX and the floor health list.

The console and other long-lived parts subscribe through `app[CHANGES].subscribe`.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from aiohttp import web

from db.changes import ChangeSource, change_source
from server.changes.access import AccessView
from server.changes.watcher import ChangeWatcher
from server.keys import ACCESS, BOOTH_RUNTIME, CHANGES, WS_HUB
from server.mediamtx.floor_service import follow_floor_sources
from server.mediamtx.service import cut_publishers, follow_media_paths
from server.ws import rooms_changed
from server.ws.booth_socket import REVOKED
from server.ws.protocol import CloseCode

logger = logging.getLogger(__name__)


def setup_changes(app: web.Application) -> None:
    """Give the app its change watcher and access view, and run them with the app."""
    app[CHANGES] = ChangeWatcher()
    app[ACCESS] = AccessView()
    app.cleanup_ctx.append(changes_context)


def end_revoked_sessions(app: web.Application) -> list[str]:
    """Close the booth sockets of everyone the access view now refuses, and take them out of
    every booth; returns the booths where one of them held the mic."""
    if WS_HUB not in app:
        return []
    access = app[ACCESS]
    # Out of the booths first (the mic passes on now), then their sockets close.
    held_mic = app[BOOTH_RUNTIME].expel(access.allows)
    closed = app[WS_HUB].close_sessions(access.allows, CloseCode.NOT_AUTHENTICATED, REVOKED)
    if closed:
        logger.info("closed %d booth socket(s) whose access was revoked", closed)
    return held_mic


async def follow_access(app: web.Application) -> None:
    """Subscriber: reload the access view; when it changed, end the sessions it now refuses
    and cut the streams they were publishing."""
    if await app[ACCESS].reload():
        await cut_publishers(app, end_revoked_sessions(app))


async def changed_here(app: web.Application | None) -> None:
    """This process just changed the database (an admin form, the console): follow it now.

    The watcher would notice within one poll anyway; this makes a revocation made here take
    effect before the handler answers, and works where nothing is watched (an in-memory
    database, a database kind without a change source yet).
    """
    if app is not None and CHANGES in app:
        await app[CHANGES].publish()


def _source_or_none() -> ChangeSource | None:
    try:
        return change_source()
    except Exception:
        # No database connection (a server started on a broken database): /healthz says so.
        logger.exception("cannot watch the database for changes made elsewhere")
        return None


async def changes_context(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx: the watcher with its subscribers, for the app's lifetime."""
    watcher = app[CHANGES]
    unsubscribe = [
        watcher.subscribe("access", lambda: follow_access(app)),
        watcher.subscribe("booths", app[BOOTH_RUNTIME].follow_database),
        watcher.subscribe("rooms", lambda: rooms_changed(app)),
        watcher.subscribe("media paths", lambda: follow_media_paths(app)),
        watcher.subscribe("floors", lambda: follow_floor_sources(app)),
    ]
    try:
        await follow_access(app)
    except Exception:
        logger.exception("cannot read revoked invites and accounts; the watcher retries")
    async with watcher.running(_source_or_none()):
        try:
            yield
        finally:
            for stop in unsubscribe:
                stop()
