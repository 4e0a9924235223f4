"""Setup: create events, rooms and booths, and set each room's floor source, with the CLI's
validation messages in place."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Checkbox, Footer, Header, Input, Label, Select, Static, Tree

from kiosk.screens.base import ConsoleScreen
from kiosk.server_bridge import apply_floor
from server.manage.errors import SetupError
from server.manage.queries import EventOutline, venue_outline
from server.manage.venues import add_event, add_room, set_floor
from server.mediamtx.floor_source import (
    DEVICE,
    FILE,
    KIND_LABELS,
    KINDS,
    NO_SOURCE,
    URL,
    FloorSource,
)

FORMS = ("event", "room", "booth", "floor")
FLOOR_PLACEHOLDERS = {
    DEVICE: "alsa:hw:1,0 or pulse:default",
    URL: "rtsp://encoder:554/floor or srt://host:9000",
    FILE: "/path/to/rehearsal.wav",
}
NO_VALUE = "(nothing to fill in for this kind)"


class SetupScreen(ConsoleScreen):
    """Three small forms and the venue as it stands."""

    CSS_PATH = "setup.tcss"
    BINDINGS = [
        Binding("ctrl+n", "submit('event')", "Create event"),
        Binding("ctrl+o", "submit('room')", "Create room"),
        Binding("ctrl+b", "submit('booth')", "Create booth"),
        Binding("ctrl+f", "submit('floor')", "Set floor"),
        Binding("escape", "leave_form", "Leave form"),
    ]

    @dataclass
    class Venue(Message):
        """Events with their rooms and booths, read from the database."""

        events: list[EventOutline]

    @dataclass
    class Outcome(Message):
        """The result of one form: an error to show in place, or what was created."""

        form: str
        error: str
        created: str

    def __init__(self) -> None:
        """No choice to prefer until something is created."""
        super().__init__()
        self._prefer_event: str | None = None
        self._prefer_room: str | None = None
        self._floors: dict[str, FloorSource] = {}
        self._shown_venue: list[EventOutline] | None = None

    def compose(self) -> ComposeResult:
        """The event, room and booth forms side by side, the venue tree below."""
        yield Header()
        with Horizontal(id="setup-forms"):
            with Vertical(id="event-form", classes="form"):
                yield Static("New event", classes="form-title")
                yield Input(placeholder="slug, e.g. pycon2026", id="event-slug")
                yield Input(placeholder="name, e.g. PyCon 2026", id="event-name")
                yield Input(placeholder="listener code (optional)", id="event-code")
                yield Button("Create event (ctrl+n)", id="event-create", variant="primary")
                yield Static("", id="event-error", classes="error")
            with Vertical(id="room-form", classes="form"):
                yield Static("New room", classes="form-title")
                yield Select[str]([], id="room-event", prompt="Event")
                yield Input(placeholder="slug, e.g. hall-b", id="room-slug")
                yield Input(placeholder="name, e.g. Hall B", id="room-name")
                yield Button("Create room (ctrl+o)", id="room-create", variant="primary")
                yield Static("", id="room-error", classes="error")
            with Vertical(id="booth-form", classes="form"):
                yield Static("New booth", classes="form-title")
                yield Select[str]([], id="booth-room", prompt="Event/room")
                yield Input(placeholder="language code, e.g. en or pt-br", id="booth-lang")
                yield Input(placeholder="language name, e.g. English", id="booth-name")
                yield Checkbox("Live captions", id="booth-captions")
                yield Button("Create booth (ctrl+b)", id="booth-create", variant="primary")
                yield Static("", id="booth-error", classes="error")
            with Vertical(id="floor-form", classes="form"):
                yield Static("Floor source", classes="form-title")
                yield Select[str]([], id="floor-room", prompt="Event/room")
                yield Select[str](
                    [(KIND_LABELS[kind], kind) for kind in KINDS],
                    id="floor-kind",
                    value="none",
                    allow_blank=False,
                )
                yield Input(placeholder=NO_VALUE, id="floor-value", disabled=True)
                yield Button("Set floor (ctrl+f)", id="floor-create", variant="primary")
                yield Static("", id="floor-error", classes="error")
        yield Label("The venue", classes="form-title")
        yield Tree("Events", id="venue")
        yield Footer()

    def on_mount(self) -> None:
        """Read the venue; start typing an event."""
        self._load()
        self.query_one("#event-slug", Input).focus()

    def on_screen_resume(self) -> None:
        """Something may have changed elsewhere."""
        self._load()

    def follow_database(self) -> None:
        """Changed elsewhere (the CLI, another process): reread the venue."""
        self._load()

    @work(exclusive=True, group="setup-load")
    async def _load(self) -> None:
        """Read events, rooms and booths (a fixed three queries)."""
        self.post_message(self.Venue(await venue_outline()))

    @on(Venue)
    def _show_venue(self, message: Venue) -> None:
        """Fill the tree and the event and room pickers."""
        if message.events == self._shown_venue:
            return  # a reread that found nothing new: keep the tree as it is
        self._shown_venue = message.events
        tree = self.query_one("#venue", Tree)
        tree.clear()
        room_keys: list[str] = []
        for event in message.events:
            event_node = tree.root.add(f"[b]{event.slug}[/b] {event.display_name}", expand=True)
            for room in event.rooms:
                room_keys.append(room.key)
                self._floors[room.key] = room.floor
                shown = escape(room.floor.describe())
                label = f"{room.slug} {escape(room.display_name)} [dim]· floor: {shown}[/dim]"
                room_node = event_node.add(label, expand=True)
                for booth in room.booths:
                    room_node.add_leaf(f"{booth.language_code} {booth.language_name}")
        tree.root.expand()
        events = [event.slug for event in message.events]
        self._refill(self.query_one("#room-event", Select), events, self._prefer_event)
        self._refill(self.query_one("#booth-room", Select), room_keys, self._prefer_room)
        self._refill(self.query_one("#floor-room", Select), room_keys, self._prefer_room)
        self._show_current_floor()

    @on(Select.Changed, "#floor-room")
    def _floor_room_changed(self) -> None:
        """Picking a room shows its current floor source in the form."""
        self._show_current_floor()

    def _show_current_floor(self) -> None:
        """Fill the floor form with the picked room's source, as last read."""
        source = self._floors.get(self._picked("floor-room"))
        if source is None:
            return
        self.query_one("#floor-kind", Select).value = source.kind
        field = self.query_one("#floor-value", Input)
        field.value = source.value
        field.disabled = source.kind not in FLOOR_PLACEHOLDERS

    @on(Select.Changed, "#floor-kind")
    def _floor_kind_changed(self, event: Select.Changed) -> None:
        """Only a device, an address or a file needs the value field; say what it expects."""
        field = self.query_one("#floor-value", Input)
        placeholder = FLOOR_PLACEHOLDERS.get(str(event.value))
        field.disabled = placeholder is None
        field.placeholder = placeholder or NO_VALUE
        if placeholder is None:
            field.clear()
        elif self._floors.get(self._picked("floor-room"), NO_SOURCE).kind != event.value:
            field.clear()  # another kind's value (a device, say) is no address

    def _refill(self, picker: Select[str], values: list[str], preferred: str | None) -> None:
        """Replace a picker's options: the just-created choice, else the one kept, else the last."""
        current = picker.value
        picker.set_options((value, value) for value in values)
        if preferred in values:
            picker.value = preferred
        elif current in values:
            picker.value = current
        elif values:
            picker.value = values[-1]

    # ----------------------------------------------------------------- submitting

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        """Enter in a field submits its form."""
        form = (event.input.id or "").split("-")[0]
        if form in FORMS:
            self.action_submit(form)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        """A form's button submits it."""
        form = (event.button.id or "").split("-")[0]
        if form in FORMS:
            self.action_submit(form)

    def _value(self, widget_id: str) -> str:
        return self.query_one(f"#{widget_id}", Input).value

    def _picked(self, widget_id: str) -> str:
        value = self.query_one(f"#{widget_id}", Select).value
        return "" if value is Select.BLANK else str(value)

    def action_submit(self, form: str) -> None:
        """Validate and create what one form describes."""
        create: Callable[[], Awaitable[str]]
        if form == "event":
            slug, name, code = (
                self._value("event-slug"),
                self._value("event-name"),
                self._value("event-code"),
            )

            async def create() -> str:
                return (await add_event(slug, name, code or None)).slug

        elif form == "room":
            event, slug, name = (
                self._picked("room-event"),
                self._value("room-slug"),
                self._value("room-name"),
            )

            async def create() -> str:
                room = await add_room(event, slug, name)
                await apply_floor(self.kiosk.web_app, f"{event}/{room.slug}")
                return f"{event}/{room.slug}"

        elif form == "floor":
            room_key, kind = self._picked("floor-room"), self._picked("floor-kind")
            value = self._value("floor-value")

            async def create() -> str:
                source = await set_floor(room_key, kind, value)
                await apply_floor(self.kiosk.web_app, room_key)
                return f"{room_key}: {source.describe()}"

        else:
            room_key, lang = self._picked("booth-room"), self._value("booth-lang")
            name = self._value("booth-name")
            captions = self.query_one("#booth-captions", Checkbox).value

            async def create() -> str:
                booth = await self.kiosk.runtime.create_booth(room_key, lang, name, captions)
                return booth.path

        self._run(form, create)

    @work(group="setup-submit")
    async def _run(self, form: str, create: Callable[[], Awaitable[str]]) -> None:
        """Create in the database; report the outcome to the form."""
        try:
            created = await create()
        except SetupError as exc:
            self.post_message(self.Outcome(form, str(exc), ""))
            return
        self.post_message(self.Outcome(form, "", created))

    @on(Outcome)
    def _show_outcome(self, message: Outcome) -> None:
        """Error in place, or clear the form and re-read the venue."""
        error = self.query_one(f"#{message.form}-error", Static)
        error.update(message.error)
        if message.error:
            return
        verb = "Set" if message.form == "floor" else "Created"
        self.notify(f"{verb} {message.form} {message.created}")
        if message.form == "event":
            self._prefer_event, self._prefer_room = message.created, f"{message.created}/main"
            if self.kiosk.selected_event is None:
                self.kiosk.selected_event = message.created
        elif message.form == "room":
            self._prefer_room = message.created
        for field in ("slug", "name", "code", "lang"):
            for widget in self.query(f"#{message.form}-{field}").results(Input):
                widget.clear()
        self._load()

    def action_leave_form(self) -> None:
        """Move the focus out of the fields, so the screen keys (d, i, p, …) work again."""
        self.query_one("#venue", Tree).focus()

    def palette_commands(self) -> Iterable[SystemCommand]:
        """Setup actions for the command palette."""
        for form in FORMS:
            yield SystemCommand(
                f"Create {form}",
                f"Submit the new-{form} form",
                lambda f=form: self.action_submit(f),
            )
