"""Floor channels inside the running kiosk: their sources, their health, and source changes.

The media service (server/mediamtx/service.py) loads every room's floor source into a
`FloorBoard`, its `floors` attribute. The board feeds the floor paths' settings into
`mediamtx.yml`, learns from the status poller whether each floor is online, and answers
`/healthz`, the web console and the TUI.

`MediaService.apply_floor_source(event, room)` is how a changed source reaches a running
MediaMTX: it reads the room from the database and replaces the floor path's config through the
API. The admin panel and the console call it after they save (through `apply_floor_source(app,
…)` here); the change watcher calls `follow_floor_sources` for changes made by another process
(the CLI).
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
from server.keys import MEDIA
from server.mediamtx.floor_paths import Scalar, floor_path_settings
from server.mediamtx.floor_source import NONE, FloorSource, stored_floor_source
from server.secrets.store import KioskSecrets

logger = logging.getLogger(__name__)

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


def floor_settings_for(
    config: Config, kiosk_secrets: KioskSecrets, path: str, source: FloorSource
) -> dict[str, Scalar]:
    """The floor path's MediaMTX settings, with a fresh feed token for ffmpeg."""
    token = create_feed_token(path, key=kiosk_secrets.jwt_key) if source.runs_ffmpeg else ""
    return floor_path_settings(
        source,
        ffmpeg=ffmpeg_binary(config) or config.floor.ffmpeg or "ffmpeg",
        path=path,
        rtsp_port=config.mediamtx.rtsp_port,
        feed_token=token,
    )


def all_floor_settings(
    config: Config, kiosk_secrets: KioskSecrets, board: FloorBoard
) -> dict[str, dict[str, Scalar]]:
    """Settings of every floor whose source is more than a waiting publisher (for the file)."""
    return {
        path: floor_settings_for(config, kiosk_secrets, path, source)
        for path, source in board.sources().items()
        if source.kind != NONE
    }


def floor_health(app: web.Application, event: str | None = None) -> list[FloorHealth]:
    """Every floor's health (of one event, when given); empty before the media wiring runs."""
    media = app.get(MEDIA)
    return [] if media is None else media.floor_health(event)


async def apply_floor_source(app: web.Application, event: str, room: str) -> FloorSource:
    """`MediaService.apply_floor_source` of the app's media service; without one, the room's
    stored source (or none for a room that is gone)."""
    if media := app.get(MEDIA):
        return await media.apply_floor_source(event, room)
    try:
        record = await db.get_room(event, room)
    except db.NotFound:
        return FloorSource(NONE)
    return stored_floor_source(record.floor_kind, record.floor_value)


async def follow_floor_sources(app: web.Application) -> None:
    """Change watcher subscriber: `MediaService.follow_floor_sources`, if the app has one."""
    if media := app.get(MEDIA):
        await media.follow_floor_sources()
