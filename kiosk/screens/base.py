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
