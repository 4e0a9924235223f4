"""What every console screen shares: typed access to the app and palette commands."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from textual.app import SystemCommand
from textual.screen import Screen

if TYPE_CHECKING:
    from kiosk.app import KioskApp


class ConsoleScreen(Screen[Any]):
    """A console screen; subclasses list their actions for the command palette."""

    @property
    def kiosk(self) -> KioskApp:
        """The running console app, typed."""
        return self.app  # type: ignore[return-value]

    def palette_commands(self) -> Iterable[SystemCommand]:
        """Commands for this screen's own actions; none by default."""
        return ()

    def on_kiosk_app_database_changed(self, message: KioskApp.DatabaseChanged) -> None:
        """The database changed (here, in the CLI or in another process): reread what this
        screen shows. Screens that read the database override `follow_database`."""
        self.follow_database()

    def follow_database(self) -> None:
        """Reread what the screen shows from the database; it repaints only what differs."""
