"""MediaMTX inside the running kiosk: `MediaService`, kept in `app[MEDIA]`.

`make_app` adds `media_context` to `cleanup_ctx`, which enters one `MediaService` for the app's
lifetime. The service finds the binary, renders `mediamtx.yml` from the booths in the database,
runs the supervisor and a poller that feeds each booth's `ingest` into the registry, and keeps
the floor board (server/mediamtx/floor_service.py). `/healthz` and the console read its typed
attributes: `state`, `reason`, `supervisor` (None when MediaMTX is disabled), `paths` and
`floors`.

Booths created while the kiosk runs get their MediaMTX path through `MediaService.add_booth_path`,
which follows the booth runtime's `subscribe_added` (MediaMTX follows the runtime; the runtime
knows nothing of MediaMTX). Whatever changes elsewhere (the CLI, a second
process) reaches MediaMTX through `follow_media_paths`, a change watcher subscriber. These
app-level functions do nothing on an app without the media wiring (websocket-only tests).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from types import TracebackType

from aiohttp import web

import db
from server.booth.models import MediaServer
from server.config import Config
from server.hosting.network import ListeningPorts, lan_addresses
from server.identity import RoomKey, is_floor_channel
from server.keys import BOOTH_RUNTIME, CONFIG, MEDIA, PORTS, SERVICES
from server.mediamtx import (
    MediaMTXError,
    MediaMTXSupervisor,
    MediaStatusPoller,
    PathStatus,
    find_binary,
    render_mediamtx_config,
)
from server.mediamtx.floor_service import (
    FloorBoard,
    FloorHealth,
    all_floor_settings,
    ffmpeg_binary,
    floor_settings_for,
    load_floor_sources,
)
from server.mediamtx.floor_source import NONE, FloorSource, stored_floor_source
from server.mediamtx.paths import MediaPaths, load_media_paths
from server.services import Services

logger = logging.getLogger(__name__)

CONFIG_NAME = "mediamtx.yml"
POLL_INTERVAL = 1.0
PATH_READY_TIMEOUT = 2.0
# Addresses meaning "every interface": MediaMTX reaches the hook on loopback then.
WILDCARD_HOSTS = frozenset({"", "0.0.0.0", "::", "localhost"})

# The supervisor's state as the booth registry needs it; every other state is "down".
MEDIA_SERVER_OF: dict[str, MediaServer] = {"running": "running", "disabled": "off"}

HOW_TO_INSTALL = (
    "run `voxbento-kiosk mediamtx install`, put `mediamtx` on PATH, "
    "or set `binary` under [mediamtx] in kiosk.toml"
)


def auth_hook_host(config: Config) -> str:
    """Where MediaMTX reaches the kiosk: loopback, unless the kiosk listens on one address only."""
    host = config.server.host.strip()
    return "127.0.0.1" if host in WILDCARD_HOSTS or host.startswith("127.") else host


class MediaService:
    """MediaMTX for the app's lifetime; `async with MediaService(...) as media:`.

    Entering loads the floor sources and, when MediaMTX is enabled, the path names, then starts
    the supervisor and (when the binary exists) the status poller; leaving stops them.
    """

    def __init__(self, config: Config, services: Services, ports: ListeningPorts) -> None:
        self.config = config
        self.services = services
        self.ports = ports
        self.floors = FloorBoard()
        """Every room's floor source and health; listed even without MediaMTX."""
        self.supervisor: MediaMTXSupervisor | None = None
        """The supervisor; None while MediaMTX is disabled (or before the service starts)."""
        self.paths: MediaPaths | None = None
        """The path names MediaMTX serves; None while MediaMTX is disabled."""
        self._stack = contextlib.AsyncExitStack()
        # Background path additions; referenced until done, or they may be collected mid-flight.
        self._pending: set[asyncio.Task[None]] = set()

    @property
    def state(self) -> str:
        """running, starting, stopped, failed, missing or disabled (as /healthz says it).

        Before the supervisor exists the answer follows the configuration.
        """
        if self.supervisor is not None:
            return self.supervisor.state
        return "missing" if self.config.mediamtx.enabled else "disabled"

    @property
    def reason(self) -> str:
        """The sentence behind the state (empty while all is well, or when disabled)."""
        return "" if self.supervisor is None else self.supervisor.reason

    @property
    def running(self) -> bool:
        """Whether MediaMTX runs and answers its API."""
        return self.supervisor is not None and self.supervisor.state == "running"

    async def __aenter__(self) -> MediaService:
        self.floors = FloorBoard(await _load_floors_or_none())
        settings = self.config.mediamtx
        if not settings.enabled:
            return self
        binary = find_binary(settings.binary, self.config.data_dir)
        if binary is None:
            _log_missing(self.config)
        paths = await _load_paths_or_none()
        for floor in self.floors.sources():
            paths.add_floor(floor)
        self.paths = paths
        self.supervisor = self._make_supervisor(binary, paths)
        try:
            await self._stack.enter_async_context(self.supervisor)
            if binary is not None:
                poller = MediaStatusPoller(
                    self.supervisor.client, POLL_INTERVAL, on_status=self._feed_registry
                )
                await self._stack.enter_async_context(poller)
        except BaseException:
            await self._stack.aclose()
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self._stack.aclose()

    def _make_supervisor(self, binary: Path | None, paths: MediaPaths) -> MediaMTXSupervisor:
        """The supervisor: config rendered from `paths` and the floor board on every (re)start."""
        config, services = self.config, self.services
        settings = config.mediamtx
        additional_hosts = lan_addresses()

        def render() -> str:
            return render_mediamtx_config(
                api_port=settings.api_port,
                rtsp_port=settings.rtsp_port,
                webrtc_port=settings.webrtc_port,
                webrtc_udp_port=settings.webrtc_udp_port,
                webrtc_additional_hosts=additional_hosts,
                # The port really bound differs from `[server] port` only when that is 0 (tests).
                auth_hook_port=self.ports.http or config.server.port,
                auth_hook_host=auth_hook_host(config),
                auth_secret=services.secrets.media_secret,
                path_names=paths.names(),
                floor_settings=all_floor_settings(config, services.secrets, self.floors),
                metrics_port=settings.metrics_port,
            )

        def on_state(state: str) -> None:
            # While MediaMTX runs, "on air" also needs the booth's stream to be online; while it
            # is missing, failed or not up yet nobody is on air ("no media server").
            services.registry.set_media_server(MEDIA_SERVER_OF.get(state, "down"))

        return MediaMTXSupervisor(
            binary,
            config.data_dir / CONFIG_NAME,
            render,
            settings.api_port,
            paths.names,
            on_state,
            enabled=settings.enabled,
        )

    def _feed_registry(self, changed: dict[str, PathStatus]) -> None:
        """Poller callback: each booth path's publisher state becomes the booth's `ingest`."""
        registry = self.services.registry
        for name, status in changed.items():
            if is_floor_channel(name):
                self.floors.set_online(name, status.online)
            # Floor channels and paths of booths deleted meanwhile have no booth state.
            if registry.has_booth(name):
                registry.set_ingest(name, status.online)

    def add_booth_path(self, booth_id: str) -> None:
        """A booth created at run time: serve its path (and its floor channel) from now on.

        The names join the config file of the next start at once; while MediaMTX runs they are
        added through the API in the background. Does nothing when MediaMTX is disabled.
        """
        if self.paths is None or self.supervisor is None:
            return
        new = self.paths.add_booth(booth_id)
        if new and self.running:
            task = asyncio.get_running_loop().create_task(_ensure_paths(self.supervisor, new))
            self._pending.add(task)
            task.add_done_callback(self._pending.discard)

    async def cut_publishers(self, booth_ids: Iterable[str]) -> None:
        """Cut the streams being published on these booths' paths (their publisher lost access).

        The auth hook only judges a stream when it starts; an honest page stops publishing when
        its socket closes, and this makes sure a dishonest one stops too.
        """
        if self.supervisor is None or not self.running:
            return
        for booth_id in booth_ids:
            try:
                cut = await self.supervisor.kick_publishers(booth_id)
            except MediaMTXError as err:
                logger.warning("cannot cut the publisher of %s: %s", booth_id, err)
                continue
            if cut:
                logger.info("cut %d publisher(s) of %s whose access was revoked", cut, booth_id)

    async def follow_paths(self) -> None:
        """Serve exactly the booths and rooms of the database (see `follow_media_paths`)."""
        if self.paths is None or self.supervisor is None:
            return
        added, removed = self.paths.replace((await load_media_paths()).names())
        if not self.running or not (added or removed):
            return
        await _ensure_paths(self.supervisor, added)
        for name in removed:
            try:
                await self.supervisor.remove_path(name)
            except MediaMTXError as err:
                logger.warning("MediaMTX path %s not removed: %s", name, err)

    async def ensure_path(self, path: str) -> None:
        """Before a WHIP/WHEP offer: make sure MediaMTX serves `path` if the database knows it.

        Covers booths that another process (the CLI) created while the kiosk runs: nobody told
        this process, so the first offer adds the path. A known path costs nothing (the client's
        cache); an unknown one costs one database lookup. Failures are only logged: MediaMTX
        then answers the offer itself (400 `path … is not configured`).
        """
        if self.paths is None or self.supervisor is None or not self.running:
            return
        if path not in self.paths and not await _exists_in_database(path):
            return
        paths, supervisor = self.paths, self.supervisor
        new = paths.add_floor(path) if is_floor_channel(path) else paths.add_booth(path)
        try:
            for name in dict.fromkeys([path, *new]):
                await supervisor.ensure_path(name)  # a cache hit for a known path: no request
            if new:
                # MediaMTX answers `add` before it applies it (docs/mediamtx-reference.md): wait.
                async with asyncio.timeout(PATH_READY_TIMEOUT):
                    await supervisor.client.wait_until_active(path)
        except (MediaMTXError, TimeoutError) as err:
            logger.warning("MediaMTX path %s not ready for an offer: %s", path, err)

    def floor_health(self, event: str | None = None) -> list[FloorHealth]:
        """Every floor's health (of one event, when given), sorted by path."""
        found = ffmpeg_binary(self.config) is not None
        return self.floors.health(media_running=self.running, ffmpeg_found=found, event=event)

    async def apply_floor_source(self, event: str, room: str) -> FloorSource:
        """Make MediaMTX serve the room's floor as the database now says; returns the source.

        The source joins the config file of the next start at once. While MediaMTX runs, the
        floor path's config is replaced through the API (an upsert), which restarts its source:
        a new ffmpeg, a new pull, or a path waiting for its publisher. A room deleted meanwhile
        leaves the health list. API failures are logged; the next start writes the file anyway.
        """
        path = RoomKey(event, room).floor
        try:
            record = await db.get_room(event, room)
        except db.NotFound:
            self.floors.remove(path)
            return FloorSource(NONE)
        source = stored_floor_source(record.floor_kind, record.floor_value)
        self.floors.set_source(path, source)
        if self.paths is not None:
            self.paths.add_floor(path)
        if self.supervisor is None or not self.running:
            return source
        settings = floor_settings_for(self.config, self.services.secrets, path, source)
        try:
            await self.supervisor.client.replace_path(path, settings)
        except MediaMTXError as err:
            logger.warning("floor %s: MediaMTX kept its old source: %s", path, err)
        else:
            logger.info("floor %s now fed by %s", path, source.describe())
        return source

    async def follow_floor_sources(self) -> None:
        """Floors set elsewhere (the CLI, another process) reach MediaMTX and the health list.

        Only rooms whose source differs from what this process last applied are touched, so
        an unrelated change costs one read and no API call.
        """
        stored = await load_floor_sources()
        known = self.floors.sources()
        for path in known.keys() - stored.keys():
            self.floors.remove(path)
        for path, source in stored.items():
            if known.get(path) != source:
                room = RoomKey.of_channel(path)
                await self.apply_floor_source(room.event, room.slug)


async def cut_publishers(app: web.Application, booth_ids: Iterable[str]) -> None:
    """`MediaService.cut_publishers` of the app's media service, if it has one."""
    if media := app.get(MEDIA):
        await media.cut_publishers(booth_ids)


async def follow_media_paths(app: web.Application) -> None:
    """Change watcher subscriber: MediaMTX serves exactly the booths and rooms of the database.

    New booths and rooms get their paths, deleted ones lose them (their readers are dropped).
    The names also make the config file of the next start. Nothing new: no API call at all.
    """
    if media := app.get(MEDIA):
        await media.follow_paths()


async def ensure_media_path(app: web.Application, path: str) -> None:
    """`MediaService.ensure_path` of the app's media service, if it has one."""
    if media := app.get(MEDIA):
        await media.ensure_path(path)


async def _exists_in_database(path: str) -> bool:
    room = RoomKey.of_channel(path)
    try:
        if is_floor_channel(path):
            await db.get_room(room.event, room.slug)
        else:
            await db.get_booth(path)
    except db.NotFound:
        return False
    return True


async def _ensure_paths(supervisor: MediaMTXSupervisor, names: list[str]) -> None:
    for name in names:
        try:
            await supervisor.ensure_path(name)
        except MediaMTXError as err:
            # The next MediaMTX start adds it from the file; say why it is not there now.
            logger.warning("MediaMTX path %s not added: %s", name, err)


def _log_missing(config: Config) -> None:
    settings = config.mediamtx
    if settings.binary:
        where = f"`binary = {settings.binary!r}` under [mediamtx] is not an executable file"
    else:
        where = f"no `mediamtx` on PATH nor in {config.data_dir / 'bin'}"
    logger.warning("MediaMTX missing: %s. Audio is off until you %s.", where, HOW_TO_INSTALL)


async def _load_paths_or_none() -> MediaPaths:
    try:
        return await load_media_paths()
    except Exception:
        # A database without the schema still lets /healthz say so; MediaMTX starts pathless.
        logger.exception("cannot read the booths for MediaMTX; starting it without paths")
        return MediaPaths()


async def _load_floors_or_none() -> dict[str, FloorSource]:
    try:
        return await load_floor_sources()
    except Exception:
        logger.exception("cannot read the floor sources; every floor starts without one")
        return {}


async def media_context(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx: one `MediaService` in `app[MEDIA]` for the app's lifetime."""
    async with MediaService(app[CONFIG], app[SERVICES], app[PORTS]) as media:
        app[MEDIA] = media
        runtime = app.get(BOOTH_RUNTIME)
        unfollow = runtime.subscribe_added(media.add_booth_path) if runtime else None
        try:
            yield
        finally:
            if unfollow is not None:
                unfollow()
