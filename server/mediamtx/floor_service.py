"""Floor channels inside the running kiosk: their sources, their health, and source changes.

`media_context` (server/mediamtx/service.py) loads every room's floor source into a `FloorBoard`
kept in `app[EXTRAS]["floors"]`. The board feeds the floor paths' settings into `mediamtx.yml`,
learns from the status poller whether each floor is online, and answers `/healthz`, the web
console and the TUI.

`apply_floor_source(app, event, room)` is how a changed source reaches a running MediaMTX: it
reads the room from the database and replaces the floor path's config through the API. The
admin panel and the console call it after they save; a database watcher can call it for
changes made by another process (the CLI).
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Mapping
from dataclasses import dataclass

from aiohttp import web

import db
from server.auth.credentials import create_feed_token
from server.config import Config
from server.identity import RoomKey
from server.keys import CONFIG, EXTRAS, SERVICES
from server.mediamtx import MediaMTXError, MediaMTXSupervisor
from server.mediamtx.floor_paths import Scalar, floor_path_settings
from server.mediamtx.floor_source import NONE, FloorSource, stored_floor_source

logger = logging.getLogger(__name__)

FLOORS = "floors"
ONLINE = "online"
OFFLINE = "offline"
NO_SOURCE = "no source"
NO_MEDIA_SERVER = "no media server"
NO_FFMPEG = "no ffmpeg"


@dataclass(frozen=True)
class FloorHealth:
    """How one floor channel is doing, for people."""

    path: str
    """`event/room/floor`."""
    kind: str
    """The source kind: none, page, device, url, file."""
    source: str
    """The source described for people (any URL password hidden)."""
    state: str
    """online, offline, no source, no media server, or no ffmpeg."""

    def public(self) -> dict[str, str]:
        """What `/healthz` shows (open to anyone): no device, address or file name."""
        return {"path": self.path, "source": self.kind, "state": self.state}


class FloorBoard:
    """Every floor channel's source and whether MediaMTX last saw it online."""

    def __init__(self, sources: Mapping[str, FloorSource] | None = None) -> None:
        self._sources: dict[str, FloorSource] = dict(sources or {})
        self._online: set[str] = set()

    def source(self, path: str) -> FloorSource:
        """The source of a floor path (no source for an unknown one)."""
        return self._sources.get(path, FloorSource(NONE))

    def sources(self) -> dict[str, FloorSource]:
        """A copy of every known floor's source."""
        return dict(self._sources)

    def set_source(self, path: str, source: FloorSource) -> None:
        """Record a floor's (new) source."""
        self._sources[path] = source

    def remove(self, path: str) -> None:
        """Forget a floor whose room is gone."""
        self._sources.pop(path, None)
        self._online.discard(path)

    def set_online(self, path: str, online: bool) -> None:
        """Poller news: the floor path has (or lost) its publisher."""
        if online:
            self._online.add(path)
        else:
            self._online.discard(path)

    def health(
        self, *, media_running: bool, ffmpeg_found: bool, event: str | None = None
    ) -> list[FloorHealth]:
        """Every floor (of one event, when given), sorted by path."""
        rows = []
        for path in sorted(self._sources):
            if event is not None and RoomKey.of_channel(path).event != event:
                continue
            source = self._sources[path]
            rows.append(
                FloorHealth(
                    path,
                    source.kind,
                    source.describe(),
                    self._state(path, source, media_running, ffmpeg_found),
                )
            )
        return rows

    def _state(
        self, path: str, source: FloorSource, media_running: bool, ffmpeg_found: bool
    ) -> str:
        if source.kind == NONE:
            return NO_SOURCE
        if not media_running:
            return NO_MEDIA_SERVER
        if path in self._online:
            return ONLINE
        return NO_FFMPEG if source.runs_ffmpeg and not ffmpeg_found else OFFLINE


async def load_floor_sources() -> dict[str, FloorSource]:
    """Every room's floor source from the database, by floor path."""
    return {
        RoomKey(room.event.slug, room.slug).floor: stored_floor_source(
            room.floor_kind, room.floor_value
        )
        for room in await db.list_all_rooms()
    }


def ffmpeg_binary(config: Config) -> str | None:
    """`[floor] ffmpeg`, or `ffmpeg` on PATH; None when neither is an executable."""
    return shutil.which(config.floor.ffmpeg or "ffmpeg")


def floor_settings_for(app: web.Application, path: str, source: FloorSource) -> dict[str, Scalar]:
    """The floor path's MediaMTX settings, with a fresh feed token for ffmpeg."""
    config, services = app[CONFIG], app[SERVICES]
    token = create_feed_token(path, key=services.secrets.jwt_key) if source.runs_ffmpeg else ""
    return floor_path_settings(
        source,
        ffmpeg=ffmpeg_binary(config) or config.floor.ffmpeg or "ffmpeg",
        path=path,
        rtsp_port=config.mediamtx.rtsp_port,
        feed_token=token,
    )


def all_floor_settings(app: web.Application, board: FloorBoard) -> dict[str, dict[str, Scalar]]:
    """Settings of every floor whose source is more than a waiting publisher (for the file)."""
    return {
        path: floor_settings_for(app, path, source)
        for path, source in board.sources().items()
        if source.kind != NONE
    }


def floor_health(app: web.Application, event: str | None = None) -> list[FloorHealth]:
    """Every floor's health (of one event, when given); empty before the media wiring runs."""
    extras = app.get(EXTRAS, {})
    board: FloorBoard | None = extras.get(FLOORS)
    if board is None:
        return []
    supervisor: MediaMTXSupervisor | None = extras.get("mediamtx")
    running = supervisor is not None and supervisor.state == "running"
    found = ffmpeg_binary(app[CONFIG]) is not None
    return board.health(media_running=running, ffmpeg_found=found, event=event)


async def apply_floor_source(app: web.Application, event: str, room: str) -> FloorSource:
    """Make MediaMTX serve the room's floor as the database now says; returns the source.

    The source joins the config file of the next start at once. While MediaMTX runs, the
    floor path's config is replaced through the API (an upsert), which restarts its source: a
    new ffmpeg, a new pull, or a path waiting for its publisher. A room deleted meanwhile
    leaves the health list. API failures are logged; the next start writes the file anyway.
    """
    path = RoomKey(event, room).floor
    extras = app.get(EXTRAS, {})
    board: FloorBoard | None = extras.get(FLOORS)
    try:
        record = await db.get_room(event, room)
    except db.NotFound:
        if board is not None:
            board.remove(path)
        return FloorSource(NONE)
    source = stored_floor_source(record.floor_kind, record.floor_value)
    if board is None:
        return source
    board.set_source(path, source)
    paths = extras.get("media_paths")
    if paths is not None:
        paths.add_floor(path)
    supervisor: MediaMTXSupervisor | None = extras.get("mediamtx")
    if supervisor is None or supervisor.state != "running":
        return source
    try:
        await supervisor.client.replace_path(path, floor_settings_for(app, path, source))
    except MediaMTXError as err:
        logger.warning("floor %s: MediaMTX kept its old source: %s", path, err)
    else:
        logger.info("floor %s now fed by %s", path, source.describe())
    return source


async def follow_floor_sources(app: web.Application) -> None:
    """Change watcher subscriber: floors set elsewhere (the CLI, another process) reach
    MediaMTX and the health list. Only rooms whose source differs from what this process last
    applied are touched, so an unrelated change costs one read and no API call."""
    board: FloorBoard | None = app.get(EXTRAS, {}).get(FLOORS)
    if board is None:
        return
    stored = await load_floor_sources()
    known = board.sources()
    for path in known.keys() - stored.keys():
        board.remove(path)
    for path, source in stored.items():
        if known.get(path) != source:
            room = RoomKey.of_channel(path)
            await apply_floor_source(app, room.event, room.slug)
