"""One invite's QR code on the whole terminal, for a phone to scan from an 80×24 window up.

The Invites screen shares the terminal with its form and list, so at 80 or 100 columns its side
panel is narrower than the code. This screen gives the code every row but the two caption lines
(the link, then what the invite is for and how to go back) and a light background all round.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from kiosk.screens.base import ConsoleScreen
from kiosk.widgets.qr import QRCode


class InviteQRScreen(ConsoleScreen):
    """The code of one invite, as large as the terminal allows; Esc goes back."""

    CSS_PATH = "invite_qr.tcss"
    BINDINGS = [
        Binding("escape", "dismiss", "Back"),
        Binding("f", "dismiss", "Back", show=False),
    ]

    def __init__(self, url: str, caption: str) -> None:
        """Show `url` as a code, with the link and `caption` below it."""
        super().__init__()
        self.url = url
        self.caption = caption

    def compose(self) -> ComposeResult:
        """The code, then the link and the caption, all dark on light."""
        yield QRCode(
            self.url,
            id="full-qr",
            too_small="The terminal is too small for this code: make it at least 80×24.",
        )
        yield Static(self.url, id="full-qr-url", markup=False)
        yield Static(f"{self.caption} · Esc: back", id="full-qr-caption", markup=False)
