"""Dashboard: every booth of the selected event, live, grouped by room, with the alerts."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from rich.markup import escape
from rich.text import Text
from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Footer, Header, Static

from kiosk.board import BoothRow, booth_row
from kiosk.screens.base import ConsoleScreen
from kiosk.widgets.live_table import CellValue, LiveTable
from server.hosting.network import public_url
from server.mediamtx.floor_service import FloorHealth

if TYPE_CHECKING:
    from kiosk.app import KioskApp

# Widths in cells; None sizes the column to its longest value, so room ids and language names
# (chosen by the venue, up to 81 and 117 characters) are never cut.
COLUMNS: tuple[tuple[str, str, int | None], ...] = (
    ("room", "Room", None),
    ("language", "Language", None),
    ("on_air", "On air", 22),
    ("time_on_mic", "On mic", 8),
    ("handover", "Handover", 26),
    ("muted", "Mute", 6),
    ("ingest", "Ingest", 7),
    ("listeners", "Listeners", 9),
    ("captions", "Captions", 8),
)
ALERT_LINES = 4
FLOOR_MARKS = {"online": "[green]●[/green]", "no source": "[dim]○[/dim]"}


def floors_line(floors: Iterable[FloorHealth]) -> str:
    """`Floor: main ● online (looped file …) · hall ○ no source` for the header."""
    parts = [
        f"{floor.path.split('/')[1]} {FLOOR_MARKS.get(floor.state, '[yellow]●[/yellow]')} "
        f"[b]{floor.state}[/b]" + (f" ({escape(floor.source)})" if floor.kind != "none" else "")
        for floor in floors
    ]
    return "Floor: " + (" · ".join(parts) if parts else "—")


class DashboardScreen(ConsoleScreen):
    """The live overview the technician watches all day."""

    CSS_PATH = "dashboard.tcss"
    BINDINGS = [
        Binding("b", "open_booth", "Booth"),
        Binding("e", "next_event", "Next event"),
    ]

    def __init__(self) -> None:
        """Create the screen; rows arrive with the first board update."""
        super().__init__()
        self._rows: dict[str, BoothRow] = {}
        self._shown_event: str | None = None
        self._last_second = 0
        self._shown_text: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        """Header lines, alerts, the booth table and the footer."""
        yield Header()
        with Vertical(id="status"):
            with Horizontal(id="status-line"):
                yield Static(id="event-name")
                yield Static(id="server-url")
                yield Static(id="mediamtx")
            yield Static(id="floors")
            yield Static(id="alerts")
        yield LiveTable(id="booths", cursor_type="row", zebra_stripes=True)
        yield Static("Starting…", id="empty-note")
        yield Footer()

    def on_mount(self) -> None:
        """Set up the columns and the parts of the header that do not change."""
        table = self.query_one("#booths", DataTable)
        for key, label, width in COLUMNS:
            table.add_column(label, key=key, width=width)
        self.query_one("#server-url", Static).update(
            f"Phones: [b]{public_url(self.kiosk.config)}[/b]"
        )

    def on_screen_resume(self) -> None:
        """Coming back to the dashboard: repaint everything from the board."""
        self._repaint_all()

    @on(DataTable.RowHighlighted, "#booths")
    def _remember_booth(self, event: DataTable.RowHighlighted) -> None:
        """The highlighted booth is what `b` and the palette's "Booth" open."""
        if event.row_key.value is not None:
            self.kiosk.selected_booth = str(event.row_key.value)

    @on(DataTable.RowSelected, "#booths")
    def _open_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a row opens that booth."""
        if event.row_key.value is not None:
            self.kiosk.open_booth(str(event.row_key.value))

    def action_open_booth(self) -> None:
        """Open the highlighted booth."""
        self.kiosk.action_open_selected_booth()

    def action_next_event(self) -> None:
        """Show the next event's booths."""
        events = self.kiosk.board.events()
        if not events:
            return
        current = self.kiosk.selected_event
        index = events.index(current) + 1 if current in events else 0
        self.kiosk.selected_event = events[index % len(events)]
        self._repaint_all()

    def palette_commands(self) -> Iterable[SystemCommand]:
        """Dashboard actions for the command palette."""
        yield SystemCommand("Next event", "Show the next event's booths", self.action_next_event)

    def on_kiosk_app_board_updated(self, message: KioskApp.BoardUpdated) -> None:
        """Repaint what changed: rows of changed booths, and running times once a second."""
        if self._shown_event != self.kiosk.selected_event or message.removed:
            self._repaint_all()
            return
        board = self.kiosk.board
        shown = set(board.booth_ids(self._shown_event))
        if any(bid not in self._rows for bid in message.changed & shown):
            self._repaint_all()
            return
        captioned = self.kiosk.captions_booths()
        new_second = int(message.now) != self._last_second
        self._last_second = int(message.now)
        updates: list[tuple[str, str, CellValue]] = []
        for booth_id in list(self._rows):
            snapshot = board.snapshot(booth_id)
            if snapshot is None:
                continue
            running = new_second and snapshot.active_id is not None
            if booth_id in message.changed or running:
                row = booth_row(snapshot, message.now, self._shift(), booth_id in captioned)
                updates.extend(self._changed_cells(row))
        with self.app.batch_update():
            self.query_one("#booths", LiveTable).update_cells(updates)
            self._update_header()

    def _shift(self) -> int:
        return self.kiosk.config.kiosk.shift_minutes

    def _repaint_all(self) -> None:
        """Rebuild the table from the board (new event, new or removed booths)."""
        if not self.is_mounted:
            return
        table = self.query_one("#booths", DataTable)
        table.clear()
        self._rows.clear()
        board, now = self.kiosk.board, self.kiosk.clock()
        event = self.kiosk.selected_event
        self._shown_event = event
        previous_room = ""
        captioned = self.kiosk.captions_booths()
        for booth_id in board.booth_ids(event):
            snapshot = board.snapshot(booth_id)
            if snapshot is None:
                continue
            row = booth_row(snapshot, now, self._shift(), booth_id in captioned)
            self._rows[booth_id] = row
            room = row.room if row.room != previous_room else ""
            previous_room = row.room
            table.add_row(*self._cells(row, room), key=booth_id)
        self.query_one("#empty-note", Static).display = not self._rows
        self.query_one("#empty-note", Static).update(
            "No booths yet. Press [b]s[/b] for Setup." if self.kiosk.ready.is_set() else "Starting…"
        )
        self._update_header()

    def _cells(self, row: BoothRow, room: str) -> list[str | Text]:
        """Cell values of one row, in column order."""
        return [
            Text(room, style="bold"),
            row.language,
            Text(row.on_air, style="red" if "(lost)" in row.on_air else ""),
            self._time_cell(row),
            row.handover,
            Text(row.muted, style="bold yellow"),
            Text(row.ingest, style="green" if row.ingest == "online" else "dim"),
            row.listeners,
            row.captions,
        ]

    def _time_cell(self, row: BoothRow) -> Text:
        return Text(row.time_on_mic, style="bold black on dark_orange" if row.over_shift else "")

    def _changed_cells(self, row: BoothRow) -> list[tuple[str, str, CellValue]]:
        """(booth, column, value) of the cells whose content changed (room cells never do)."""
        old = self._rows.get(row.booth_id)
        self._rows[row.booth_id] = row
        if old == row:
            return []
        cells = dict(zip((k for k, _, _ in COLUMNS), self._cells(row, ""), strict=True))
        return [
            (row.booth_id, key, cells[key])
            for key, _, _ in COLUMNS[1:]
            if old is None or getattr(old, key) != getattr(row, key) or key == "time_on_mic"
        ]

    def _set_text(self, widget_id: str, text: str) -> None:
        """Update a Static only when its text changes: an update can cost a layout pass."""
        if self._shown_text.get(widget_id) != text:
            self._shown_text[widget_id] = text
            self.query_one(f"#{widget_id}", Static).update(text)

    def _update_header(self) -> None:
        """MediaMTX state and the alerts that hold now, plus the latest registry alerts."""
        state = self.kiosk.mediamtx_state()
        event = self.kiosk.selected_event
        self._set_text("event-name", f"Event: [b]{event or '—'}[/b]  ")
        self._set_text("mediamtx", f"MediaMTX: [b]{state}[/b]")
        self._set_text("floors", floors_line(self.kiosk.floor_health()))
        alerts = self.kiosk.board.alerts(self.kiosk.selected_event, state)
        lines = [f"⚠ {a.booth_id or 'kiosk'}: {a.message}" for a in alerts[:ALERT_LINES]]
        if len(alerts) > ALERT_LINES:
            lines.append(f"… and {len(alerts) - ALERT_LINES} more")
        for alert in list(self.kiosk.board.recent_alerts)[-2:]:
            lines.append(f"• {alert.booth_id}: {alert.message}")
        self._set_text("alerts", "\n".join(lines) or "No alerts")
        self.query_one("#alerts", Static).set_class(bool(alerts), "-alerting")
