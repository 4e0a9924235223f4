"""MediaMTX inside the running kiosk: the supervisor, the status poller and their app wiring.

`make_app` adds `media_context` to `cleanup_ctx`. It finds the binary, renders `mediamtx.yml`
from the booths in the database, runs the supervisor and a poller that feeds each booth's
`ingest` into the registry, and publishes what `/healthz` and the console read in `app[EXTRAS]`:

- `"mediamtx"`: the `MediaMTXSupervisor` (absent when MediaMTX is disabled);
- `"mediamtx_state"` / `"mediamtx_reason"`: zero-argument callables returning the state word
  and the sentence behind it;
- `"media_paths"`: the `MediaPaths` the config file and the restarts are built from;
- `"floors"`: the `FloorBoard` of every room's floor source and health (server/mediamtx/floor_service.py).

Booths created while the kiosk runs get their MediaMTX path through `add_booth_path(app, id)`,
which follows the booth runtime's `subscribe_added` (MediaMTX follows the runtime; the runtime
knows nothing of MediaMTX). Whatever changes elsewhere (the CLI, a second
process) reaches MediaMTX through `follow_media_paths`, a change watcher subscriber.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterable
from pathlib import Path

from aiohttp import web

import db
from server.booth.models import MediaServer
from server.config import Config
from server.hosting.network import lan_addresses
from server.keys import BOOTH_RUNTIME, CONFIG, EXTRAS, SERVICES
from server.mediamtx import (
    MediaMTXError,
    MediaMTXSupervisor,
    MediaStatusPoller,
    PathStatus,
    find_binary,
    render_mediamtx_config,
)
from server.mediamtx.floor_service import FLOORS, FloorBoard, all_floor_settings, load_floor_sources
from server.mediamtx.floor_source import FloorSource

logger = logging.getLogger(__name__)

SUPERVISOR = "mediamtx"
STATE = "mediamtx_state"
REASON = "mediamtx_reason"
PATHS = "media_paths"
# Set by `run_server` once its HTTP socket is bound: the port MediaMTX calls the auth hook on
# (it differs from `[server] port` only when that is 0, in tests).
HTTP_PORT = "http_port"
CONFIG_NAME = "mediamtx.yml"
POLL_INTERVAL = 1.0
PATH_READY_TIMEOUT = 2.0
FLOOR = "floor"
# Addresses meaning "every interface": MediaMTX reaches the hook on loopback then.
WILDCARD_HOSTS = frozenset({"", "0.0.0.0", "::", "localhost"})

# The supervisor's state as the booth registry needs it; every other state is "down".
MEDIA_SERVER_OF: dict[str, MediaServer] = {"running": "running", "disabled": "off"}

HOW_TO_INSTALL = (
    "run `voxbento-kiosk mediamtx install`, put `mediamtx` on PATH, "
    "or set `binary` under [mediamtx] in kiosk.toml"
)


def floor_channel(booth_id: str) -> str:
    """`event/room/floor` for the booth `event/room/lang`."""
    event, room, _ = booth_id.split("/")
    return f"{event}/{room}/{FLOOR}"


class MediaPaths:
    """The MediaMTX path names the kiosk serves: every booth id and every room's floor channel."""

    def __init__(self, names: Iterable[str] = ()) -> None:
        self._names: set[str] = set(names)

    def __contains__(self, name: object) -> bool:
        return name in self._names

    def names(self) -> list[str]:
        """Every path name, sorted."""
        return sorted(self._names)

    def add_booth(self, booth_id: str) -> list[str]:
        """Add a booth and its room's floor channel; returns the names that were new."""
        return self._add(booth_id, floor_channel(booth_id))

    def add_floor(self, floor: str) -> list[str]:
        """Add a room's floor channel (a room with no booth yet); returns it if it was new."""
        return self._add(floor)

    def replace(self, names: Iterable[str]) -> tuple[list[str], list[str]]:
        """Serve exactly `names` from now on; returns (names added, names removed), sorted."""
        wanted = set(names)
        added, removed = sorted(wanted - self._names), sorted(self._names - wanted)
        self._names = wanted
        return added, removed

    def _add(self, *names: str) -> list[str]:
        new = [name for name in names if name not in self._names]
        self._names.update(new)
        return new


async def load_media_paths() -> MediaPaths:
    """The path names of the database: each booth, and the floor channel of each room."""
    names = {f"{room.event.slug}/{room.slug}/{FLOOR}" for room in await db.list_all_rooms()}
    names.update(booth.path for booth in await db.list_booths())
    return MediaPaths(names)


def auth_hook_host(config: Config) -> str:
    """Where MediaMTX reaches the kiosk: loopback, unless the kiosk listens on one address only."""
    host = config.server.host.strip()
    return "127.0.0.1" if host in WILDCARD_HOSTS or host.startswith("127.") else host


def make_supervisor(
    app: web.Application, binary: Path | None, paths: MediaPaths, floors: FloorBoard | None = None
) -> MediaMTXSupervisor:
    """The supervisor for this app: config rendered from `paths` (and floor sources) on every
    (re)start."""
    config, services = app[CONFIG], app[SERVICES]
    settings = config.mediamtx
    additional_hosts = lan_addresses()

    def render() -> str:
        return render_mediamtx_config(
            api_port=settings.api_port,
            rtsp_port=settings.rtsp_port,
            webrtc_port=settings.webrtc_port,
            webrtc_udp_port=settings.webrtc_udp_port,
            webrtc_additional_hosts=additional_hosts,
            auth_hook_port=app[EXTRAS].get(HTTP_PORT) or config.server.port,
            auth_hook_host=auth_hook_host(config),
            auth_secret=services.secrets.media_secret,
            path_names=paths.names(),
            floor_settings=all_floor_settings(app, floors) if floors else None,
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


def feed_registry(app: web.Application, changed: dict[str, PathStatus]) -> None:
    """Poller callback: each booth path's publisher state becomes the booth's `ingest`."""
    registry = app[SERVICES].registry
    floors: FloorBoard | None = app[EXTRAS].get(FLOORS)
    for name, status in changed.items():
        if floors is not None and name.endswith(f"/{FLOOR}"):
            floors.set_online(name, status.online)
        # Floor channels and paths of booths deleted meanwhile have no booth state.
        if registry.has_booth(name):
            registry.set_ingest(name, status.online)


def add_booth_path(app: web.Application, booth_id: str) -> None:
    """A booth created at run time: serve its path (and its floor channel) from now on.

    The names join the config file of the next start at once; while MediaMTX runs they are
    added through the API in the background. Does nothing when MediaMTX is disabled.
    """
    extras = app.get(EXTRAS, {})  # an app without the media wiring (websocket-only tests)
    paths: MediaPaths | None = extras.get(PATHS)
    supervisor: MediaMTXSupervisor | None = extras.get(SUPERVISOR)
    if paths is None or supervisor is None:
        return
    new = paths.add_booth(booth_id)
    if new and supervisor.state == "running":
        task = asyncio.get_running_loop().create_task(_ensure_paths(supervisor, new))
        # Keep a reference until done, or the task may be collected mid-flight.
        _pending.add(task)
        task.add_done_callback(_pending.discard)


_pending: set[asyncio.Task[None]] = set()


async def cut_publishers(app: web.Application, booth_ids: Iterable[str]) -> None:
    """Cut the streams being published on these booths' paths (their publisher lost access).

    The auth hook only judges a stream when it starts; an honest page stops publishing when
    its socket closes, and this makes sure a dishonest one stops too.
    """
    supervisor: MediaMTXSupervisor | None = app.get(EXTRAS, {}).get(SUPERVISOR)
    if supervisor is None or supervisor.state != "running":
        return
    for booth_id in booth_ids:
        try:
            cut = await supervisor.kick_publishers(booth_id)
        except MediaMTXError as err:
            logger.warning("cannot cut the publisher of %s: %s", booth_id, err)
            continue
        if cut:
            logger.info("cut %d publisher(s) of %s whose access was revoked", cut, booth_id)


async def follow_media_paths(app: web.Application) -> None:
    """Change watcher subscriber: MediaMTX serves exactly the booths and rooms of the database.

    New booths and rooms get their paths, deleted ones lose them (their readers are dropped).
    The names also make the config file of the next start. Nothing new: no API call at all.
    """
    extras = app.get(EXTRAS, {})
    paths: MediaPaths | None = extras.get(PATHS)
    supervisor: MediaMTXSupervisor | None = extras.get(SUPERVISOR)
    if paths is None or supervisor is None:
        return
    added, removed = paths.replace((await load_media_paths()).names())
    if supervisor.state != "running" or not (added or removed):
        return
    await _ensure_paths(supervisor, added)
    for name in removed:
        try:
            await supervisor.remove_path(name)
        except MediaMTXError as err:
            logger.warning("MediaMTX path %s not removed: %s", name, err)


async def ensure_media_path(app: web.Application, path: str) -> None:
    """Before a WHIP/WHEP offer: make sure MediaMTX serves `path` if the database knows it.

    Covers booths that another process (the CLI) created while the kiosk runs: nobody told
    this process, so the first offer adds the path. A known path costs nothing (the client's
    cache); an unknown one costs one database lookup. Failures are only logged: MediaMTX then
    answers the offer itself (400 `path … is not configured`).
    """
    extras = app.get(EXTRAS, {})
    paths: MediaPaths | None = extras.get(PATHS)
    supervisor: MediaMTXSupervisor | None = extras.get(SUPERVISOR)
    if paths is None or supervisor is None or supervisor.state != "running":
        return
    if path not in paths and not await _exists_in_database(path):
        return
    new = paths.add_floor(path) if path.endswith(f"/{FLOOR}") else paths.add_booth(path)
    try:
        for name in dict.fromkeys([path, *new]):
            await supervisor.ensure_path(name)  # a cache hit for a known path: no request
        if new:
            # MediaMTX answers `add` before it applies it (docs/mediamtx-reference.md): wait.
            async with asyncio.timeout(PATH_READY_TIMEOUT):
                await supervisor.client.wait_until_active(path)
    except (MediaMTXError, TimeoutError) as err:
        logger.warning("MediaMTX path %s not ready for an offer: %s", path, err)


async def _exists_in_database(path: str) -> bool:
    event, room, channel = path.split("/")
    try:
        if channel == FLOOR:
            await db.get_room(event, room)
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
    """cleanup_ctx: run MediaMTX and the status poller for the app's lifetime."""
    config = app[CONFIG]
    extras = app[EXTRAS]
    # Floors are listed even without MediaMTX: their health then says "no media server".
    floors = FloorBoard(await _load_floors_or_none())
    extras[FLOORS] = floors
    if not config.mediamtx.enabled:
        extras[STATE] = "disabled"
        yield
        return
    binary = find_binary(config.mediamtx.binary, config.data_dir)
    if binary is None:
        _log_missing(config)
    paths = await _load_paths_or_none()
    for floor in floors.sources():
        paths.add_floor(floor)
    supervisor = make_supervisor(app, binary, paths, floors)
    extras[SUPERVISOR], extras[PATHS] = supervisor, paths
    extras[STATE] = lambda: supervisor.state
    extras[REASON] = lambda: supervisor.reason
    poller = MediaStatusPoller(
        supervisor.client, POLL_INTERVAL, on_status=lambda changed: feed_registry(app, changed)
    )
    unfollow = app[BOOTH_RUNTIME].subscribe_added(lambda booth_id: add_booth_path(app, booth_id))
    try:
        async with supervisor:
            if binary is None:
                yield
                return
            async with poller:
                yield
    finally:
        unfollow()
