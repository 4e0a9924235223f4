"""The greeting on first start, when the database holds no event yet."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

GREETING = """[b]Welcome to VoxBento Kiosk![/b]

This console runs simultaneous interpretation for your venue.
There is no event yet. Setup creates one: an event gets a room [b]main[/b],
and each language you interpret into gets a booth in a room.

Then the Invites screen (i) makes QR codes for interpreters,
and the Poster screen (p) shows the QR code listeners scan."""


class WelcomeScreen(ModalScreen[bool]):
    """Greets the technician; dismisses with True to go to Setup."""

    CSS_PATH = "welcome.tcss"
    BINDINGS = [
        Binding("enter", "setup", "Go to Setup"),
        Binding("escape", "later", "Later"),
    ]

    def compose(self) -> ComposeResult:
        """The greeting and two buttons."""
        with Vertical(id="welcome-box"):
            yield Static(GREETING, id="welcome-text")
            with Horizontal(id="welcome-buttons"):
                yield Button("Set up an event", variant="primary", id="welcome-setup")
                yield Button("Later", id="welcome-later")

    def on_mount(self) -> None:
        """The primary button has the focus, so Enter goes to Setup."""
        self.query_one("#welcome-setup", Button).focus()

    @on(Button.Pressed, "#welcome-setup")
    def action_setup(self) -> None:
        """Go to Setup."""
        self.dismiss(True)

    @on(Button.Pressed, "#welcome-later")
    def action_later(self) -> None:
        """Stay on the dashboard."""
        self.dismiss(False)
