"""Listener poster: a room's listener QR code and link, big enough to scan from the screen."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Footer, Header, Select, Static

from kiosk.exports import export_name, save_qr
from kiosk.screens.base import ConsoleScreen
from kiosk.widgets.qr import QRCode
from server.hosting.network import public_url
from server.identity import RoomKey
from server.manage.queries import venue_outline


def listener_url(base: str, room_key: str) -> str:
    """The listener page of a room: `{public_url}/listen/{event}/{room}`."""
    return f"{base}/listen/{room_key}"


class PosterScreen(ConsoleScreen):
    """Shows one room's listener QR full size."""

    CSS_PATH = "poster.tcss"
    BINDINGS = [
        Binding("ctrl+s", "save('png')", "Save PNG"),
        Binding("ctrl+g", "save('svg')", "Save SVG"),
    ]

    @dataclass
    class Rooms(Message):
        """Every room as `event/room` with its display names."""

        rooms: list[tuple[str, str]]

    def __init__(self) -> None:
        """Nothing shown until the first load."""
        super().__init__()
        self._shown_rooms: list[tuple[str, str]] | None = None

    def compose(self) -> ComposeResult:
        """Room picker and link on top, then the code."""
        yield Header()
        with Horizontal(id="poster-top"):
            yield Select[str]([], id="poster-room", prompt="Room")
            yield Static("", id="poster-url")
        yield QRCode(id="poster-qr")
        yield Static("", id="poster-saved")
        yield Footer()

    def on_mount(self) -> None:
        """Read the rooms."""
        self._load()

    def on_screen_resume(self) -> None:
        """Rooms may have been added meanwhile."""
        self._load()

    def follow_database(self) -> None:
        """Changed elsewhere (the CLI, another process): reread the rooms."""
        self._load()

    @work(exclusive=True, group="poster-load")
    async def _load(self) -> None:
        """Read every room of every event (a fixed three queries)."""
        rooms = [
            (room.key, f"{event.display_name} · {room.display_name}")
            for event in await venue_outline()
            for room in event.rooms
        ]
        self.post_message(self.Rooms(rooms))

    @on(Rooms)
    def _show_rooms(self, message: Rooms) -> None:
        """Fill the picker, preferring a room of the dashboard's event."""
        if message.rooms == self._shown_rooms:
            return  # a reread that found nothing new
        self._shown_rooms = message.rooms
        picker = self.query_one("#poster-room", Select)
        current = picker.value
        keys = [key for key, _ in message.rooms]
        picker.set_options((f"{key} — {name}", key) for key, name in message.rooms)
        if current in keys:
            picker.value = current
        elif keys:
            event = self.kiosk.selected_event
            picker.value = next((k for k in keys if RoomKey.parse(k).event == event), keys[0])
        else:
            self.query_one("#poster-url", Static).update(
                "No rooms yet: create an event in Setup (s)."
            )

    @on(Select.Changed, "#poster-room")
    def _room_changed(self, event: Select.Changed) -> None:
        """Draw the chosen room's code."""
        if event.value is Select.BLANK:
            return
        url = listener_url(public_url(self.kiosk.config), str(event.value))
        self.query_one("#poster-qr", QRCode).data = url
        self.query_one("#poster-url", Static).update(f"Listen on your phone: [b]{url}[/b]")

    def action_save(self, fmt: str) -> None:
        """Save the room's code as PNG or SVG."""
        room = self.query_one("#poster-room", Select).value
        if room is Select.BLANK:
            return
        url = listener_url(public_url(self.kiosk.config), str(room))
        self._save(export_name("poster", str(room)), url, fmt)

    @work(group="poster-save")
    async def _save(self, stem: str, url: str, fmt: str) -> None:
        """Write the file off the event loop."""
        path = await asyncio.to_thread(save_qr, self.kiosk.config, stem, url, fmt)
        self.query_one("#poster-saved", Static).update(f"Saved {path}")

    def palette_commands(self) -> Iterable[SystemCommand]:
        """Poster actions for the command palette."""
        yield SystemCommand(
            "Save poster QR as PNG", "Into data_dir/exports", lambda: self.action_save("png")
        )
        yield SystemCommand(
            "Save poster QR as SVG", "Into data_dir/exports", lambda: self.action_save("svg")
        )
