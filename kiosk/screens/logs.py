"""Logs: the server's log records and MediaMTX's output, following as they come."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Footer, Header, Log, Static

from kiosk.screens.base import ConsoleScreen
from kiosk.server_bridge import mediamtx_output

if TYPE_CHECKING:
    from kiosk.app import KioskApp

MEDIAMTX_POLL_SECONDS = 1.0


class LogsScreen(ConsoleScreen):
    """Two following logs: the kiosk's and MediaMTX's."""

    CSS_PATH = "logs.tcss"

    def __init__(self) -> None:
        """Nothing shown until mounted."""
        super().__init__()
        self._mediamtx_seen = 0

    def compose(self) -> ComposeResult:
        """Server log above, MediaMTX output below."""
        yield Header()
        with Vertical(id="logs-body"):
            yield Static("Kiosk server", classes="section-title")
            yield Log(id="server-log", max_lines=2000, auto_scroll=True)
            yield Static("MediaMTX", classes="section-title", id="mediamtx-title")
            yield Log(id="mediamtx-log", max_lines=2000, auto_scroll=True)
        yield Footer()

    def on_mount(self) -> None:
        """Show what was logged so far and follow MediaMTX's output."""
        self.query_one("#server-log", Log).write_lines(self.kiosk.log_handler.lines)
        self._poll_mediamtx()
        self.set_interval(MEDIAMTX_POLL_SECONDS, self._poll_mediamtx)

    def on_screen_resume(self) -> None:
        """Catch up with lines logged while another screen showed."""
        log = self.query_one("#server-log", Log)
        log.clear()
        log.write_lines(self.kiosk.log_handler.lines)

    def on_kiosk_app_log_line(self, message: KioskApp.LogLine) -> None:
        """One more server line."""
        self.query_one("#server-log", Log).write_line(message.line)

    def _poll_mediamtx(self) -> None:
        """Append MediaMTX lines the supervisor buffered since the last look."""
        state = self.kiosk.mediamtx_state()
        self.query_one("#mediamtx-title", Static).update(f"MediaMTX ({state})")
        output = mediamtx_output(self.kiosk.web_app)
        if output.total < self._mediamtx_seen:  # a new supervisor: start over
            self.query_one("#mediamtx-log", Log).clear()
            self._mediamtx_seen = 0
        self.query_one("#mediamtx-log", Log).write_lines(output.new_since(self._mediamtx_seen))
        self._mediamtx_seen = output.total
