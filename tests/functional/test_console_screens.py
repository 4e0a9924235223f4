"""Invites, Setup, Poster, Logs and the command palette, driven through the pilot."""

from __future__ import annotations

import logging
from pathlib import Path

import aiohttp
import pytest
from textual.widgets import DataTable, Input, Log, Select

import db
from kiosk.exports import export_name
from kiosk.screens.confirm import ConfirmScreen
from kiosk.screens.invites import InvitesScreen
from kiosk.screens.logs import LogsScreen
from kiosk.screens.poster import PosterScreen
from kiosk.screens.setup import SetupScreen
from kiosk.widgets.qr import QRCode
from tests.console_support import text_of, wait_until
from tests.harness.console import running_console

# Slow: each test drives the whole Textual console through its pilot.
pytestmark = [pytest.mark.anyio, pytest.mark.slow]


async def show(app: object, pilot: object, key: str, kind: type, widget_id: str) -> object:
    """Press a navigation key and wait until the screen and one of its widgets are there."""
    await pilot.press(key)  # type: ignore[attr-defined]
    await wait_until(
        pilot,
        lambda: isinstance(app.screen, kind) and bool(app.screen.query(widget_id)),  # type: ignore[attr-defined]
        kind.__name__,
    )
    return app.screen  # type: ignore[attr-defined]


async def test_invite_created_on_screen_redeems_over_http(tmp_path: Path) -> None:
    async with running_console(tmp_path, demo=True, start_server=True) as (app, pilot):
        screen = await show(app, pilot, "i", InvitesScreen, "#invite-list")
        picker = screen.query_one("#invite-booth", Select)
        await wait_until(pilot, lambda: picker.value == "demo/main/en", "booth picked")
        await pilot.press("ctrl+n")
        await wait_until(pilot, lambda: screen.shown_token is not None, "invite shown")
        token = screen.shown_token
        url = text_of(screen.query_one("#invite-url"))
        assert f"https://kiosk.test:8443/join/{token}" in url
        assert screen.query_one("#invite-qr", QRCode).data.endswith(f"/join/{token}")
        port = app.host.running.http_port
        async with aiohttp.ClientSession() as session:
            response = await session.get(
                f"http://127.0.0.1:{port}/join/{token}", allow_redirects=False
            )
            assert response.status == 303
            assert response.headers["Location"] == "/interpreter/demo/main/en"


async def test_invite_form_shows_a_bad_uses_value_in_place(tmp_path: Path) -> None:
    async with running_console(tmp_path, demo=True) as (app, pilot):
        screen = await show(app, pilot, "i", InvitesScreen, "#invite-list")
        await wait_until(
            pilot, lambda: screen.query_one("#invite-booth", Select).value != Select.BLANK, "booth"
        )
        screen.query_one("#invite-uses", Input).value = "0"
        await pilot.press("ctrl+n")
        error = screen.query_one("#invite-error")
        await wait_until(pilot, lambda: "uses must be" in text_of(error), "error")
        assert await db.list_invites() == []


async def test_revoking_an_invite_asks_then_marks_it_revoked(tmp_path: Path) -> None:
    async with running_console(tmp_path, demo=True) as (app, pilot):
        invite = await db.create_invite_token("demo/main/de", "interpreter", hours=2)
        screen = await show(app, pilot, "i", InvitesScreen, "#invite-list")
        await wait_until(pilot, lambda: screen.shown_token == invite.token, "invite shown")
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "question")
        await pilot.press("y")
        table = screen.query_one("#invite-list", DataTable)
        await wait_until(
            pilot, lambda: str(table.get_cell(invite.token, "status")) == "revoked", "revoked"
        )
        assert (await db.get_invite(invite.token)).revoked_at is not None


async def test_invite_qr_saves_as_png_and_svg_in_exports(tmp_path: Path) -> None:
    async with running_console(tmp_path, demo=True) as (app, pilot):
        invite = await db.create_invite_token("demo/main/en", "interpreter", hours=2)
        screen = await show(app, pilot, "i", InvitesScreen, "#invite-list")
        await wait_until(pilot, lambda: screen.shown_token == invite.token, "invite shown")
        await pilot.press("ctrl+s", "ctrl+g")
        # The token's tenth character may be "-", which the file name drops at the end of
        # a part: the name is built by the exporter's rule, or this fails for one token in 64.
        stem = export_name("invite", "demo/main/en", invite.token[:10])
        png, svg = tmp_path / "exports" / f"{stem}.png", tmp_path / "exports" / f"{stem}.svg"
        await wait_until(pilot, lambda: png.exists() and svg.exists(), "exports")
        assert png.read_bytes().startswith(b"\x89PNG")
        assert "<svg" in svg.read_text()


async def test_setup_shows_the_slug_rule_in_place(tmp_path: Path) -> None:
    async with running_console(tmp_path, demo=True) as (app, pilot):
        screen = await show(app, pilot, "s", SetupScreen, "#event-form")
        await pilot.press(*"Bad Slug!", "tab", *"Bad", "enter")
        error = screen.query_one("#event-error")
        await wait_until(pilot, lambda: "is not valid" in text_of(error), "slug error")
        assert "event slug 'bad slug!'" in text_of(error)
        assert [e.slug for e in await db.list_events()] == ["demo"]


async def test_setup_shows_a_duplicate_booth_in_place(tmp_path: Path) -> None:
    async with running_console(tmp_path, demo=True) as (app, pilot):
        screen = await show(app, pilot, "s", SetupScreen, "#booth-form")
        picker = screen.query_one("#booth-room", Select)
        await wait_until(pilot, lambda: picker.value == "demo/main", "room picked")
        screen.query_one("#booth-lang", Input).value = "en"
        screen.query_one("#booth-name", Input).value = "English"
        await pilot.press("ctrl+b")
        error = screen.query_one("#booth-error")
        await wait_until(pilot, lambda: "already exists" in text_of(error), "duplicate error")


async def test_setup_creates_an_event_room_and_booth_that_go_live(tmp_path: Path) -> None:
    async with running_console(tmp_path) as (app, pilot):
        await pilot.press("enter")  # the greeting leads to Setup
        await wait_until(pilot, lambda: isinstance(app.screen, SetupScreen), "setup")
        screen = app.screen
        await wait_until(pilot, lambda: bool(screen.query("#event-slug")), "form")
        await pilot.press(*"pycon", "tab", *"PyCon", "enter")
        await wait_until(
            pilot, lambda: screen.query_one("#room-event", Select).value == "pycon", "event"
        )
        screen.query_one("#room-slug", Input).value = "hall-b"
        screen.query_one("#room-name", Input).value = "Hall B"
        await pilot.press("ctrl+o")
        picker = screen.query_one("#booth-room", Select)
        await wait_until(pilot, lambda: picker.value == "pycon/hall-b", "room")
        screen.query_one("#booth-lang", Input).value = "pt-BR"
        screen.query_one("#booth-name", Input).value = "Português"
        await pilot.press("ctrl+b")
        await wait_until(pilot, lambda: app.registry.has_booth("pycon/hall-b/pt-br"), "booth live")
        await pilot.press("escape")  # leave the input so `d` is a key, not a letter
        app.switch_mode("dashboard")
        table = app.screen.query_one("#booths", DataTable)
        await wait_until(
            pilot, lambda: "pycon/hall-b/pt-br" in [k.value for k in table.rows], "row"
        )


async def test_poster_shows_the_room_listener_url_and_code(tmp_path: Path) -> None:
    async with running_console(tmp_path, demo=True) as (app, pilot):
        screen = await show(app, pilot, "p", PosterScreen, "#poster-qr")
        qr = screen.query_one("#poster-qr", QRCode)
        await wait_until(pilot, lambda: qr.data != "", "code")
        assert qr.data == "http://kiosk.test:8080/listen/demo/main"
        assert "http://kiosk.test:8080/listen/demo/main" in text_of(screen.query_one("#poster-url"))
        assert qr.module_count * 2 <= qr.size.width  # drawn at twice the smallest size or more


async def test_poster_saves_png(tmp_path: Path) -> None:
    async with running_console(tmp_path, demo=True) as (app, pilot):
        screen = await show(app, pilot, "p", PosterScreen, "#poster-qr")
        await wait_until(pilot, lambda: screen.query_one("#poster-qr", QRCode).data != "", "code")
        await pilot.press("ctrl+s")
        png = tmp_path / "exports" / "poster-demo-main.png"
        await wait_until(pilot, png.exists, "poster png")


async def test_logs_screen_follows_new_log_records(tmp_path: Path) -> None:
    async with running_console(tmp_path, demo=True) as (app, pilot):
        screen = await show(app, pilot, "l", LogsScreen, "#server-log")
        logging.getLogger("server.test").warning("a fresh line for the console")
        log = screen.query_one("#server-log", Log)
        await wait_until(
            pilot, lambda: "a fresh line for the console" in "\n".join(log.lines), "line"
        )
        assert "MediaMTX (disabled)" in text_of(screen.query_one("#mediamtx-title"))


@pytest.mark.parametrize(
    ("query", "kind"),
    [
        ("invite", InvitesScreen),
        ("setup", SetupScreen),
        ("poster", PosterScreen),
        ("logs", LogsScreen),
    ],
)
async def test_command_palette_finds_each_screen(tmp_path: Path, query: str, kind: type) -> None:
    async with running_console(tmp_path, demo=True) as (app, pilot):
        await pilot.press("ctrl+p", *query)
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, kind), kind.__name__)


async def test_command_palette_finds_booth(tmp_path: Path) -> None:
    async with running_console(tmp_path, demo=True) as (app, pilot):
        await pilot.press("ctrl+p", *"booth")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_until(
            pilot, lambda: getattr(app.screen, "booth_id", "") == "demo/main/en", "booth"
        )


async def test_escape_leaves_the_setup_form_so_screen_keys_work(tmp_path: Path) -> None:
    async with running_console(tmp_path, demo=True) as (app, pilot):
        await show(app, pilot, "s", SetupScreen, "#event-form")
        await pilot.press("escape", "i")
        await wait_until(pilot, lambda: isinstance(app.screen, InvitesScreen), "invites")
