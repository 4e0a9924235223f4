"""Invites: pick a booth, a role, hours and uses; show the QR beside the link; save, list, revoke."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, DataTable, Footer, Header, Input, Label, Select, Static

from kiosk.exports import export_name, save_qr
from kiosk.screens.base import ConsoleScreen
from kiosk.screens.confirm import ConfirmScreen
from kiosk.screens.invite_qr import InviteQRScreen
from kiosk.widgets.qr import QRCode
from server.changes import changed_here
from server.identity import INVITE_ROLES, Role
from server.manage.errors import SetupError
from server.manage.invites import (
    InviteRow,
    create_invite,
    invite_url,
    list_invite_rows,
    revoke_invite,
)
from server.manage.queries import venue_outline

ROLES = tuple((role.title(), role) for role in INVITE_ROLES)


def format_expiry(moment: datetime | None) -> str:
    """Local date and time of an expiry, or "never"."""
    return moment.astimezone().strftime("%Y-%m-%d %H:%M") if moment is not None else "never"


class InvitesScreen(ConsoleScreen):
    """Create invites and show them as QR codes to scan."""

    CSS_PATH = "invites.tcss"
    BINDINGS = [
        Binding("ctrl+n", "create_invite", "Create"),
        Binding("ctrl+r", "revoke_invite", "Revoke"),
        Binding("ctrl+s", "save('png')", "Save PNG"),
        Binding("ctrl+g", "save('svg')", "Save SVG"),
        Binding("f", "full_qr", "Full-screen QR"),
        Binding("escape", "leave_form", "Leave form"),
    ]

    @dataclass
    class Loaded(Message):
        """Booths for the picker and the invite list, read from the database."""

        booth_ids: list[str]
        invites: list[InviteRow]
        show_token: str | None

    @dataclass
    class Failed(Message):
        """An invite action was refused; the text says why."""

        text: str

    def __init__(self) -> None:
        """Nothing shown until the first load."""
        super().__init__()
        self._invites: dict[str, InviteRow] = {}
        self.shown_token: str | None = None
        self._shown_lists: tuple[list[str], list[InviteRow]] | None = None

    def compose(self) -> ComposeResult:
        """The form and list on the left, the QR code and link on the right."""
        yield Header()
        with Horizontal(id="invites-body"):
            with Vertical(id="invite-form"):
                yield Label("Booth")
                yield Select[str]([], id="invite-booth", prompt="Pick a booth")
                yield Label("Role")
                yield Select[str](
                    ROLES, id="invite-role", value=Role.INTERPRETER, allow_blank=False
                )
                with Horizontal(id="invite-numbers"):
                    with Vertical():
                        yield Label("Hours valid")
                        yield Input(id="invite-hours", type="number")
                    with Vertical():
                        yield Label("Uses")
                        yield Input("1", id="invite-uses", type="integer")
                yield Input(placeholder="Label (optional), e.g. Anna", id="invite-label")
                yield Button("Create invite (ctrl+n)", variant="primary", id="invite-create")
                yield Static("", id="invite-error", classes="error")
                yield DataTable(id="invite-list", cursor_type="row")
            with Vertical(id="invite-show"):
                yield QRCode(
                    id="invite-qr",
                    too_small="Too small to scan here: press f (or Enter on the list) "
                    "for a full-screen code.",
                )
                yield Static("Create an invite, or pick one from the list.", id="invite-url")
                yield Static("", id="invite-saved")
        yield Footer()

    def on_mount(self) -> None:
        """Defaults from the configuration, the list's columns, and the first load."""
        self.query_one("#invite-hours", Input).value = f"{self.kiosk.config.auth.invite_hours:g}"
        table = self.query_one("#invite-list", DataTable)
        for key, label in (
            ("token", "Token"),
            ("booth", "Booth"),
            ("role", "Role"),
            ("uses", "Uses"),
            ("expires", "Expires"),
            ("status", "Status"),
        ):
            table.add_column(label, key=key)
        self._load()

    def on_screen_resume(self) -> None:
        """Booths may have been added in Setup meanwhile."""
        self._load(self.shown_token)

    # ----------------------------------------------------------------- loading

    @work(exclusive=True, group="invites-load")
    async def _load(self, show_token: str | None = None) -> None:
        """Read booths and invites, then post them back."""
        self.post_message(await self._read(show_token))

    def follow_database(self) -> None:
        """Changed elsewhere (an invite revoked with the CLI, a booth added): reread."""
        self._follow()

    @work(exclusive=True, group="invites-follow")
    async def _follow(self) -> None:
        """Like `_load`, in a group of its own: it must not cancel the load after a create."""
        self.post_message(await self._read(None))

    async def _read(self, show_token: str | None) -> InvitesScreen.Loaded:
        booths = [b.booth_id for event in await venue_outline() for b in event.booths]
        now = datetime.fromtimestamp(self.kiosk.clock(), UTC)
        rows = await list_invite_rows(now=now)
        return self.Loaded(booths, rows, show_token)

    @on(Loaded)
    def _show_loaded(self, message: Loaded) -> None:
        """Fill the booth picker and the list; show the requested (or first) invite."""
        lists = (message.booth_ids, message.invites)
        if message.show_token is None and lists == self._shown_lists:
            return  # a reread that found nothing new: keep the cursor where it is
        self._shown_lists = lists
        picker = self.query_one("#invite-booth", Select)
        current = picker.value
        picker.set_options((booth_id, booth_id) for booth_id in message.booth_ids)
        if current in message.booth_ids:
            picker.value = current
        elif self.kiosk.selected_booth in message.booth_ids:
            picker.value = self.kiosk.selected_booth
        elif message.booth_ids:
            picker.value = message.booth_ids[0]
        table = self.query_one("#invite-list", DataTable)
        table.clear()
        self._invites = {row.token: row for row in message.invites}
        for row in message.invites:
            table.add_row(
                row.token_prefix + "…",
                row.booth_id,
                row.role,
                f"{row.uses}/{row.max_uses}",
                format_expiry(row.expires_at),
                row.status,
                key=row.token,
            )
        kept = self.shown_token if self.shown_token in self._invites else None
        first = message.invites[0].token if message.invites else None
        target = message.show_token or kept or first
        if target in self._invites:
            table.move_cursor(row=table.get_row_index(target))
            self._show(target)

    @on(DataTable.RowHighlighted, "#invite-list")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        """Moving through the list shows each invite's code."""
        if event.row_key.value in self._invites:
            self._show(str(event.row_key.value))

    @on(DataTable.RowSelected, "#invite-list")
    def _selected(self, event: DataTable.RowSelected) -> None:
        """Enter on an invite opens its code full screen."""
        if event.row_key.value in self._invites:
            self._show(str(event.row_key.value))
            self.action_full_qr()

    def action_full_qr(self) -> None:
        """Show the shown invite's code on the whole terminal."""
        if self.shown_token is None:
            self.notify("No invite shown.", severity="warning")
            return
        row = self._invites[self.shown_token]
        caption = f"{row.role} · {row.booth_id} · expires {format_expiry(row.expires_at)}"
        self.app.push_screen(InviteQRScreen(invite_url(self.kiosk.config, row.token), caption))

    def _show(self, token: str) -> None:
        """Draw the QR code and the link of one invite."""
        row = self._invites[token]
        self.shown_token = token
        url = invite_url(self.kiosk.config, token)
        self.query_one("#invite-qr", QRCode).data = url
        self.query_one("#invite-url", Static).update(
            f"[b]{url}[/b]\n{row.role} · {row.booth_id} · {row.uses}/{row.max_uses} used · "
            f"expires {format_expiry(row.expires_at)} · {row.status}"
        )

    # ----------------------------------------------------------------- actions

    @on(Button.Pressed, "#invite-create")
    @on(Input.Submitted, "#invite-form Input")
    def action_create_invite(self) -> None:
        """Create an invite from the form."""
        booth = self.query_one("#invite-booth", Select).value
        role = str(self.query_one("#invite-role", Select).value)
        hours_text = self.query_one("#invite-hours", Input).value
        uses_text = self.query_one("#invite-uses", Input).value
        label = self.query_one("#invite-label", Input).value
        if booth is Select.BLANK:
            self._fail("pick a booth first (create one in Setup)")
            return
        try:
            hours, uses = float(hours_text), int(uses_text)
        except ValueError:
            self._fail("hours must be a number and uses a whole number")
            return
        self._create(str(booth), role, hours, uses, label)

    @work(exclusive=True, group="invites-create")
    async def _create(self, booth_id: str, role: str, hours: float, uses: int, label: str) -> None:
        """Create the invite in the database, then reload and show it."""
        try:
            invite = await create_invite(booth_id, role, hours, uses, label)
        except SetupError as exc:
            self.post_message(self.Failed(str(exc)))
            return
        self.post_message(self.Failed(""))
        self._load(invite.token)

    def _fail(self, text: str) -> None:
        self.query_one("#invite-error", Static).update(text)

    @on(Failed)
    def _show_failure(self, message: Failed) -> None:
        """Show (or clear) the form's error line."""
        self._fail(message.text)

    def action_revoke_invite(self) -> None:
        """Revoke the invite shown, after asking."""
        token = self.shown_token
        if token is None:
            return
        row = self._invites[token]

        def answered(yes: bool | None) -> None:
            if yes:
                self._revoke(token)

        self.app.push_screen(
            ConfirmScreen(f"Revoke the {row.role} invite {row.token_prefix}… to {row.booth_id}?"),
            answered,
        )

    @work(group="invites-revoke")
    async def _revoke(self, token: str) -> None:
        """Revoke in the database, then reload."""
        await revoke_invite(token)
        # Its open sessions end now, not at the change watcher's next poll.
        await changed_here(self.kiosk.web_app)
        self._load(token)

    def action_save(self, fmt: str) -> None:
        """Save the shown invite's QR code as PNG or SVG."""
        if self.shown_token is None:
            self.notify("No invite shown.", severity="warning")
            return
        row = self._invites[self.shown_token]
        self._save(
            export_name("invite", row.booth_id, row.token_prefix),
            invite_url(self.kiosk.config, row.token),
            fmt,
        )

    @work(group="invites-save")
    async def _save(self, stem: str, url: str, fmt: str) -> None:
        """Write the file off the event loop."""
        path = await asyncio.to_thread(save_qr, self.kiosk.config, stem, url, fmt)
        self.query_one("#invite-saved", Static).update(f"Saved {path}")

    def action_leave_form(self) -> None:
        """Move the focus to the invite list, so the screen keys (d, s, p, …) work again."""
        self.query_one("#invite-list", DataTable).focus()

    def palette_commands(self) -> Iterable[SystemCommand]:
        """Invite actions for the command palette."""
        yield SystemCommand(
            "Create invite", "Create an invite from the form", self.action_create_invite
        )
        yield SystemCommand("Revoke invite", "Revoke the invite shown", self.action_revoke_invite)
        yield SystemCommand(
            "Show invite QR full screen",
            "The invite's code on the whole terminal, to scan from a phone",
            self.action_full_qr,
        )
        yield SystemCommand(
            "Save invite QR as PNG", "Into data_dir/exports", lambda: self.action_save("png")
        )
        yield SystemCommand(
            "Save invite QR as SVG", "Into data_dir/exports", lambda: self.action_save("svg")
        )
