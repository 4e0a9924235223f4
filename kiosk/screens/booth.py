"""Booth: who is in it, who is on mic, the controls, chat, captions and the on-air log."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, Footer, Header, Input, Log, Static

from kiosk.board import (
    MEDIA_WORDS,
    format_duration,
    handover_text,
    ingest_text,
    participant_name,
)
from kiosk.screens.base import ConsoleScreen
from kiosk.server_bridge import send_console_chat, subscribe_chat
from server.booth.chat import PostedChat
from server.booth.models import BoothError, BoothSnapshot
from server.manage import booth_chat, booth_history

if TYPE_CHECKING:
    from kiosk.app import KioskApp

HISTORY_SECONDS = 2.0  # spans are written and captions made elsewhere; re-read them this often
RECENT_CAPTIONS = 8
RECENT_SPANS = 50


def clock_time(moment: datetime | None) -> str:
    """`HH:MM:SS` in local time, or an empty string."""
    return moment.astimezone().strftime("%H:%M:%S") if moment is not None else ""


class BoothScreen(ConsoleScreen):
    """One booth, live, with the technician's controls."""

    CSS_PATH = "booth.tcss"
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("a", "set_active", "Set active"),
        Binding("c", "cancel_handover", "Cancel handover"),
        Binding("m", "toggle_mute", "Mute/unmute"),
        Binding("t", "focus_chat", "Chat"),
    ]

    @dataclass
    class ChatArrived(Message):
        """Chat messages of this booth: the stored history, or new ones as they are posted."""

        messages: list[PostedChat]

    @dataclass
    class HistoryLoaded(Message):
        """On-air log and captions read from the database."""

        spans: list[tuple[str, str, str, str]]
        captions: list[str]

        def can_replace(self, message: Message) -> bool:
            """Only the newest history matters."""
            return isinstance(message, BoothScreen.HistoryLoaded)

    def __init__(self, booth_id: str) -> None:
        """Show `booth_id`."""
        super().__init__()
        self.booth_id = booth_id
        self._chat: dict[int, str] = {}  # message id -> line; ids grow with time
        self._unsubscribe_chat: Callable[[], None] = lambda: None

    def compose(self) -> ComposeResult:
        """Title, participants and log on the left; chat and captions on the right."""
        yield Header()
        yield Static(id="booth-title")
        with Horizontal(id="booth-body"):
            with Vertical(id="booth-left"):
                yield Static("Participants", classes="section-title")
                yield DataTable(id="participants", cursor_type="row")
                yield Static("On-air log", classes="section-title")
                yield DataTable(id="spans", cursor_type="row")
            with Vertical(id="booth-right"):
                yield Static("Chat", classes="section-title")
                yield Log(id="chat", auto_scroll=True)
                yield Input(placeholder="Message the booth as Technician (t)", id="chat-input")
                yield Static("Recent captions", classes="section-title")
                yield Static("(none)", id="captions")
        yield Footer()

    def on_mount(self) -> None:
        """Columns, the first paint and the history reader."""
        participants = self.query_one("#participants", DataTable)
        for key, label in (
            ("name", "Name"),
            ("role", "Role"),
            ("link", "Connection"),
            ("mic", "Mic"),
            ("relay", "Relay"),
        ):
            participants.add_column(label, key=key)
        spans = self.query_one("#spans", DataTable)
        for key, label in (
            ("who", "Interpreter"),
            ("start", "From"),
            ("end", "To"),
            ("length", "Length"),
        ):
            spans.add_column(label, key=key)
        self._paint_state()
        # Subscribe before reading the stored chat, so no message falls between the two.
        self._unsubscribe_chat = subscribe_chat(self.kiosk.web_app, self._on_posted_chat)
        self._load_chat()
        self._load_history()
        self.set_interval(HISTORY_SECONDS, self._load_history)
        participants.focus()

    def on_unmount(self) -> None:
        """Stop hearing chat."""
        self._unsubscribe_chat()

    # ----------------------------------------------------------------- live state

    def on_kiosk_app_board_updated(self, message: KioskApp.BoardUpdated) -> None:
        """Repaint when this booth changed, and once a second for the time on mic."""
        if self.booth_id in message.changed or self.booth_id in message.removed:
            self._paint_state()
        else:
            self._paint_title()

    def on_screen_resume(self) -> None:
        """Back from a modal: repaint."""
        self._paint_state()

    def _snapshot(self) -> BoothSnapshot | None:
        return self.kiosk.board.snapshot(self.booth_id)

    def _paint_title(self) -> None:
        """The line under the header: booth, who is on air and for how long, mute, handover."""
        snapshot = self._snapshot()
        title = self.query_one("#booth-title", Static)
        if snapshot is None:
            title.update(f"[b]{self.booth_id}[/b]: this booth no longer exists")
            return
        parts = [f"[b]{self.booth_id}[/b] {snapshot.language_name}"]
        active = snapshot.active_id
        if active is not None:
            since = snapshot.on_air_since or self.kiosk.clock()
            on_mic = format_duration(self.kiosk.clock() - since)
            name = participant_name(snapshot, active)
            problem = MEDIA_WORDS.get(snapshot.media) if not snapshot.on_air else None
            if problem:
                # Someone has the mic, but nobody hears them: say why instead of "on air".
                parts.append(f"[b red]{problem.upper()}[/]: [b]{name}[/b] has the mic")
            else:
                parts.append(f"on air: [b]{name}[/b] for {on_mic}")
        else:
            parts.append("nobody on air")
        if snapshot.muted:
            parts.append("[b yellow]MUTED[/]")
        if handover_text(snapshot):
            parts.append(f"handover {handover_text(snapshot)}")
        parts.append(f"listeners {snapshot.listeners}")
        parts.append(f"ingest {ingest_text(snapshot)}")
        title.update(" · ".join(parts))

    def _paint_state(self) -> None:
        """Title and participants from the newest snapshot."""
        self._paint_title()
        snapshot = self._snapshot()
        table = self.query_one("#participants", DataTable)
        cursor = table.cursor_row
        table.clear()
        if snapshot is None:
            return
        for p in snapshot.participants:
            on_mic = p.participant_id == snapshot.active_id
            table.add_row(
                p.display_name,
                str(p.role),
                Text("connected", style="green") if p.connected else Text("lost", style="red"),
                Text("ON AIR", style="bold red") if on_mic else "",
                p.relay,
                key=p.participant_id,
            )
        if table.row_count:
            table.move_cursor(row=min(cursor, table.row_count - 1))

    # ----------------------------------------------------------------- history

    def _on_posted_chat(self, posted: PostedChat) -> None:
        """Chat subscriber (called on the server's loop, which is the console's)."""
        if posted.booth_id == self.booth_id:
            self.post_message(self.ChatArrived([posted]))

    @work(group="booth-chat")
    async def _load_chat(self) -> None:
        """Read the stored chat once; new messages arrive through the subscription."""
        stored = await booth_chat(self.booth_id)
        self.post_message(
            self.ChatArrived([PostedChat.from_stored(self.booth_id, m) for m in stored])
        )

    @on(ChatArrived)
    def _show_chat(self, message: ChatArrived) -> None:
        """Add messages not shown yet, in the order they were stored."""
        fresh = {
            m.message_id: f"{clock_time(m.sent_at)} {m.sender_name}: {m.body}"
            for m in message.messages
            if m.message_id not in self._chat
        }
        if not fresh:
            return
        log = self.query_one("#chat", Log)
        if self._chat and min(fresh) < max(self._chat):
            # The history arrived after a newer live message: rewrite in order.
            self._chat.update(fresh)
            log.clear()
            log.write_lines(line for _, line in sorted(self._chat.items()))
            return
        self._chat.update(fresh)
        log.write_lines(line for _, line in sorted(fresh.items()))

    @work(exclusive=True, group="booth-history")
    async def _load_history(self) -> None:
        """Read spans and captions, and post them back."""
        history = await booth_history(self.booth_id, spans=RECENT_SPANS, captions=RECENT_CAPTIONS)
        now = self.kiosk.clock()
        self.post_message(
            self.HistoryLoaded(
                spans=[
                    (
                        s.display_name,
                        clock_time(s.started_at),
                        clock_time(s.ended_at) or "on air",
                        format_duration(
                            (s.ended_at.timestamp() if s.ended_at else now)
                            - s.started_at.timestamp()
                        ),
                    )
                    for s in history.spans
                ],
                captions=[segment.text for segment in history.captions],
            )
        )

    @on(HistoryLoaded)
    def _show_history(self, message: HistoryLoaded) -> None:
        """Paint the on-air log and captions."""
        spans = self.query_one("#spans", DataTable)
        spans.clear()
        for row in reversed(message.spans):
            spans.add_row(*row)
        self.query_one("#captions", Static).update(
            "\n".join(message.captions) if message.captions else "(none)"
        )

    # ----------------------------------------------------------------- actions

    def _attempt(self, action: str, do: Any) -> None:
        """Run a registry action; a refusal is shown, never raised."""
        try:
            do()
        except BoothError as exc:
            self.notify(f"{action}: {exc.message}", severity="error")

    def action_set_active(self) -> None:
        """Put the highlighted interpreter on mic."""
        table = self.query_one("#participants", DataTable)
        if not table.row_count:
            self.notify("Nobody is in this booth.", severity="warning")
            return
        participant_id = str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        self._attempt(
            "Set active", lambda: self.kiosk.control.set_active(self.booth_id, participant_id)
        )

    def action_cancel_handover(self) -> None:
        """End the pending handover."""
        self._attempt("Cancel", lambda: self.kiosk.control.cancel_handover(self.booth_id))

    def action_toggle_mute(self) -> None:
        """Mute the booth, or unmute it."""
        snapshot = self._snapshot()
        if snapshot is None:
            return
        muted = not snapshot.muted
        self._attempt("Mute", lambda: self.kiosk.control.set_muted(self.booth_id, muted))

    def action_focus_chat(self) -> None:
        """Put the cursor in the chat box."""
        self.query_one("#chat-input", Input).focus()

    def action_back(self) -> None:
        """Back to where the booth was opened from."""
        self.dismiss()

    @on(Input.Submitted, "#chat-input")
    def _send_chat(self, event: Input.Submitted) -> None:
        """Send the typed line to the booth."""
        text = event.value.strip()
        if not text:
            return
        event.input.clear()
        self._deliver_chat(text)

    @work(group="booth-chat")
    async def _deliver_chat(self, text: str) -> None:
        """Store and broadcast a chat line and show it (once, if the subscription did too)."""
        self.kiosk.control.join_for_chat(self.booth_id)
        posted = await send_console_chat(self.kiosk.web_app, self.booth_id, text)
        self.post_message(self.ChatArrived([posted]))

    def palette_commands(self) -> Iterable[SystemCommand]:
        """Booth actions for the command palette."""
        yield SystemCommand(
            "Set active", "Put the highlighted interpreter on mic", self.action_set_active
        )
        yield SystemCommand(
            "Cancel handover", "End the pending offer or request", self.action_cancel_handover
        )
        yield SystemCommand(
            "Mute / unmute booth", "Toggle the booth's mute", self.action_toggle_mute
        )
        yield SystemCommand("Chat", "Write to the booth as Technician", self.action_focus_chat)
