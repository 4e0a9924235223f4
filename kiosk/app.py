"""The technician's console: a Textual app that runs the kiosk's web server in its own loop.

`create_app` builds it (tests and the bench use it too); `run_console` is what
`voxbento-kiosk run` calls. The console hears booth changes by subscribing to the booth
runtime (the server's, which follows the database); the subscriber only records the snapshot,
and a 10 Hz timer repaints what changed.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import rich
from aiohttp import web
from rich.segment import Segments
from rich.traceback import Traceback
from textual import on, work
from textual.app import App, ScreenStackError, SystemCommand
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen

from kiosk.board import BoothBoard
from kiosk.control import ConsoleControl
from kiosk.demo import DEMO_EVENT, DEMO_ROOM, ensure_demo_event, ensure_demo_floor
from kiosk.logbuffer import RingBufferHandler
from kiosk.screens.base import ConsoleScreen
from kiosk.screens.booth import BoothScreen
from kiosk.screens.dashboard import DashboardScreen
from kiosk.screens.invites import InvitesScreen
from kiosk.screens.logs import LogsScreen
from kiosk.screens.poster import PosterScreen
from kiosk.screens.setup import SetupScreen
from kiosk.screens.welcome import WelcomeScreen
from kiosk.server_bridge import (
    apply_floor,
    console_captions_booths,
    console_floor_health,
    console_mediamtx_state,
    console_runtime,
    follow_changes,
)
from server.booth.models import BoothChange
from server.booth.runtime import BoothRuntime
from server.booth.state import BoothRegistry
from server.config import Config
from server.hosting.runner import KioskRunner
from server.hosting.startup import StartupError, check_ports, describe_failure
from server.manage import connect_database, disconnect_database, venue_outline
from server.mediamtx.floor_service import FloorHealth
from server.services import Services

STARTUP_FAILED = 2  # the CLI's exit status for bad input or a kiosk that cannot start
REFRESH_SECONDS = 0.1  # at most ten booth repaints a second, however fast booths change
logger = logging.getLogger("kiosk.app")


class KioskApp(App[None]):
    """Live booths, handover controls, invites, setup, posters and logs."""

    CSS_PATH = "app.tcss"
    TITLE = "VoxBento Kiosk"
    MODES = {
        "dashboard": DashboardScreen,
        "invites": InvitesScreen,
        "setup": SetupScreen,
        "poster": PosterScreen,
        "logs": LogsScreen,
    }
    BINDINGS = [
        Binding("d", "switch_mode('dashboard')", "Dashboard"),
        Binding("i", "switch_mode('invites')", "Invites"),
        Binding("s", "switch_mode('setup')", "Setup"),
        Binding("p", "switch_mode('poster')", "Poster"),
        Binding("l", "switch_mode('logs')", "Logs"),
        Binding("q", "quit", "Quit"),
    ]

    @dataclass
    class BoardUpdated(Message):
        """Booths changed (or a second passed); sent to the active screen at most 10×/s."""

        changed: set[str]
        removed: set[str]
        now: float

        def can_replace(self, message: Message) -> bool:
            """A newer board update supersedes one not yet handled only if it covers it."""
            return (
                isinstance(message, KioskApp.BoardUpdated)
                and not message.changed - self.changed
                and not message.removed - self.removed
            )

    @dataclass
    class Started(Message):
        """The server (if any) is up and the board holds every booth."""

        has_events: bool

    class DatabaseChanged(Message):
        """The database changed, here or elsewhere: screens that show it reread it."""

    @dataclass
    class LogLine(Message):
        """One new line for the Logs screen."""

        line: str

    def __init__(
        self,
        config: Config,
        services: Services,
        *,
        start_server: bool = True,
        clock: Callable[[], float] = time.time,
        demo: bool = False,
    ) -> None:
        """Wire the console to `services`; nothing starts until the app is mounted."""
        super().__init__()
        self.config = config
        self.services = services
        self.clock = clock
        self.demo = demo
        self.registry: BoothRegistry = services.registry
        # Until the server runs: an unstarted runtime over the same registry (see `_start`).
        self.runtime: BoothRuntime = console_runtime(None, services)
        self.board = BoothBoard()
        self.control = ConsoleControl(self.registry)
        self.host = KioskRunner(config, services) if start_server else None
        self.log_handler = RingBufferHandler()
        self.ready = asyncio.Event()
        self.selected_event: str | None = None
        self.selected_booth: str | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._unfollow: Callable[[], None] = lambda: None
        self._opened_db = False
        self._last_second = 0
        self.startup_failure: str | None = None
        """One line saying why the server could not start (the console then exits 2)."""

    # ----------------------------------------------------------------- lifecycle

    def on_mount(self) -> None:
        """Capture logs, show the dashboard and start the server in a worker."""
        logging.getLogger().addHandler(self.log_handler)
        if logging.getLogger().level > logging.INFO:
            logging.getLogger().setLevel(logging.INFO)
        self.log_handler.listener = self._forward_log_line
        self.switch_mode("dashboard")
        self.set_interval(REFRESH_SECONDS, self._flush_board)
        self._start()

    @work(exclusive=True, group="startup")
    async def _start(self) -> None:
        """Open the database (or let the server do it), start serving, fill the board."""
        if self.host is not None:
            try:
                await self.host.start()
            except Exception as exc:
                # One line after the console closes, never a traceback full of secrets.
                self.startup_failure = describe_failure(exc, self.config)
                # After the first paint: exiting while the screens still mount upsets Textual.
                self.call_after_refresh(self.exit, None, STARTUP_FAILED)
                return
        elif self.services.open_database:
            await connect_database(self.config)
            self._opened_db = True
        if self.demo:
            if await ensure_demo_event():
                logger.info("created the demo event 'demo' with booths en, de, fr")
            if await ensure_demo_floor(self.config):
                await apply_floor(self.web_app, f"{DEMO_EVENT}/{DEMO_ROOM}")
        self.runtime = console_runtime(self.web_app, self.services)
        # The server's runtime loaded the booths at its start; this adds the demo's, or fills
        # the registry without a server.
        await self.runtime.follow_database()
        self._unsubscribe = self.runtime.subscribe(self._on_booth_change)
        # The dashboard follows the registry, which the server's change watcher keeps in step
        # with the database; the screens that read the database themselves follow it here.
        self._unfollow = follow_changes(self.web_app, self._on_database_change)
        self.board.load(self.registry.snapshot(bid) for bid in self.registry.booth_ids())
        events = await venue_outline()
        if self.selected_event is None and events:
            self.selected_event = events[0].slug
        self.post_message(self.Started(has_events=bool(events)))

    @on(Started)
    def _started(self, message: Started) -> None:
        """Greet on an empty database; otherwise just repaint."""
        self.ready.set()
        self._flush_board(force=True)
        if not message.has_events:
            self.push_screen(WelcomeScreen(), self._after_welcome)

    def _after_welcome(self, go_to_setup: bool | None) -> None:
        """The greeting was answered."""
        if go_to_setup:
            self.switch_mode("setup")

    def _fatal_error(self) -> None:
        """An unexpected crash: Textual's traceback, but without local variables.

        Textual shows locals by default, and the console's locals hold the kiosk's secrets.
        """
        self.bell()
        traceback = Traceback(show_locals=False, width=None, suppress=[rich])
        self._exit_renderables.append(
            Segments(self.console.render(traceback, self.console.options))
        )
        self._close_messages_no_wait()

    async def on_unmount(self) -> None:
        """Leave booths, stop the server and close what we opened."""
        if self._unsubscribe is not None:
            self._unsubscribe()
        self._unfollow()
        self.control.leave_all()
        self.log_handler.listener = None
        logging.getLogger().removeHandler(self.log_handler)
        if self.host is not None:
            await self.host.stop()
        if self._opened_db:
            await disconnect_database()

    # ----------------------------------------------------------------- live state

    def _on_booth_change(self, change: BoothChange) -> None:
        """Booth runtime subscriber: record only; the timer repaints."""
        self.board.record(change, self.registry.has_booth(change.booth_id))

    async def _on_database_change(self) -> None:
        """Change watcher subscriber: tell the active screen; it rereads what it shows."""
        if self.selected_event is None:
            # The console started on an empty database and an event arrived from elsewhere
            # (`event import` on the command line): show it, as a start on it would.
            self.selected_event = next(iter(self.board.events()), None)
        try:
            screen = self.screen
        except ScreenStackError:  # between screens while the console shuts down
            return
        screen.post_message(self.DatabaseChanged())

    def _flush_board(self, force: bool = False) -> None:
        """Tell the active screen what changed since the last tick (and once per second)."""
        second = int(self.clock())
        if not (force or self.board.dirty or second != self._last_second):
            return
        self._last_second = second
        changed, removed = self.board.drain()
        if force:
            changed |= set(self.board.booth_ids())
        self.screen.post_message(self.BoardUpdated(changed, removed, self.clock()))

    def _forward_log_line(self, line: str) -> None:
        """Log handler listener: hand the line to the Logs screen if it is showing."""
        if isinstance(self.screen, LogsScreen):
            self.screen.post_message(self.LogLine(line))

    @property
    def web_app(self) -> web.Application | None:
        """The embedded aiohttp application once started (None without a server)."""
        return self.host.app if self.host is not None else None

    def mediamtx_state(self) -> str:
        """`running`, `starting`, `stopped`, `missing` or `disabled`, as /healthz says."""
        return console_mediamtx_state(self.config, self.web_app)

    def captions_booths(self) -> frozenset[str]:
        """Booths whose live captions are running now (none without a server)."""
        return console_captions_booths(self.web_app)

    def floor_health(self) -> list[FloorHealth]:
        """The selected event's floors: source and state (none without a server)."""
        return console_floor_health(self.web_app, self.selected_event)

    # ----------------------------------------------------------------- navigation

    def open_booth(self, booth_id: str) -> None:
        """Show one booth's screen on top of the current one."""
        self.selected_booth = booth_id
        self.push_screen(BoothScreen(booth_id))

    def action_open_selected_booth(self) -> None:
        """Open the booth last selected on the dashboard (or the first one)."""
        booth_id = self.selected_booth or next(iter(self.board.booth_ids()), None)
        if booth_id is not None:
            self.open_booth(booth_id)
        else:
            self.notify("No booths yet: create one in Setup (s).", severity="warning")

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Every console action in the command palette (Ctrl+P)."""
        yield from super().get_system_commands(screen)
        yield SystemCommand("Dashboard", "All booths, live", lambda: self.switch_mode("dashboard"))
        yield SystemCommand("Booth", "Open the selected booth", self.action_open_selected_booth)
        yield SystemCommand(
            "Invites",
            "Create, show and revoke invite QR codes",
            lambda: self.switch_mode("invites"),
        )
        yield SystemCommand(
            "Setup", "Create events, rooms and booths", lambda: self.switch_mode("setup")
        )
        yield SystemCommand(
            "Poster", "The listener poster QR of a room", lambda: self.switch_mode("poster")
        )
        yield SystemCommand("Logs", "Server and MediaMTX output", lambda: self.switch_mode("logs"))
        yield from screen_commands(screen)


def screen_commands(screen: Screen[Any]) -> Iterable[SystemCommand]:
    """Commands a screen offers for its own bindings (e.g. set-active on the Booth screen)."""
    if isinstance(screen, ConsoleScreen):
        yield from screen.palette_commands()


def create_app(
    config: Config,
    services: Services,
    *,
    start_server: bool = True,
    clock: Callable[[], float] = time.time,
    demo: bool = False,
) -> KioskApp:
    """Build the console. `start_server=False` leaves the web server out (snapshot tests)."""
    return KioskApp(config, services, start_server=start_server, clock=clock, demo=demo)


def run_console(config: Config, demo: bool = False) -> None:
    """`voxbento-kiosk run`: the console with its server, until the technician quits."""
    config.data_dir.mkdir(parents=True, exist_ok=True)
    check_ports(config)
    app = create_app(config, Services.for_config(config), demo=demo)
    app.run()
    if app.startup_failure is not None:
        raise StartupError(app.startup_failure)
    if app.return_code:
        raise SystemExit(app.return_code)
