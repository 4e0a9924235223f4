"""The Booth screen: set-active, cancel handover, mute and chat, against the real server."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import pytest
from textual.widgets import DataTable, Log

import db
from kiosk.screens.booth import BoothScreen
from server.booth.models import Identity
from tests.console_support import interpreter_socket, next_frame, wait_until
from tests.harness.console import running_console

# Slow: each test drives the whole Textual console (and its server) through its pilot.
pytestmark = [pytest.mark.anyio, pytest.mark.slow]

EN = "demo/main/en"
ANNA = Identity("invite:1", "Anna", "interpreter")
BEN = Identity("invite:2", "Ben", "interpreter")


async def open_booth(app: object, pilot: object, booth_id: str = EN) -> BoothScreen:
    """Open the booth screen from the dashboard and wait until it shows."""
    app.open_booth(booth_id)  # type: ignore[attr-defined]
    await wait_until(
        pilot,
        lambda: isinstance(app.screen, BoothScreen) and bool(app.screen.query("#participants")),  # type: ignore[attr-defined]
        "booth screen",
    )
    return app.screen  # type: ignore[attr-defined,no-any-return]


async def select_participant(pilot: object, screen: BoothScreen, participant_id: str) -> None:
    """Move the participants cursor to one participant."""
    table = screen.query_one("#participants", DataTable)
    await wait_until(pilot, lambda: participant_id in [k.value for k in table.rows], participant_id)
    table.move_cursor(row=table.get_row_index(participant_id))


async def test_set_active_changes_the_registry_and_reaches_the_booth_socket(
    tmp_path: Path,
) -> None:
    async with (
        running_console(tmp_path, demo=True, start_server=True) as (app, pilot),
        aiohttp.ClientSession() as session,
    ):
        anna, _ = await interpreter_socket(session, app, EN, "Anna")
        _, ben_id = await interpreter_socket(session, app, EN, "Ben")
        screen = await open_booth(app, pilot)
        await select_participant(pilot, screen, ben_id)
        await pilot.press("a")
        assert app.registry.snapshot(EN).active_id == ben_id
        frame = await next_frame(anna, "booth:state")
        while frame["state"]["active_id"] != ben_id:
            frame = await next_frame(anna, "booth:state")
        assert frame["state"]["active_id"] == ben_id


async def test_set_active_on_a_technician_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    async with running_console(tmp_path, demo=True) as (app, pilot):
        app.registry.join(EN, ANNA)
        screen = await open_booth(app, pilot)
        await pilot.press("m")  # the console joins the booth as Technician
        await select_participant(pilot, screen, "console")
        await pilot.press("a")
        await pilot.pause()
        assert app.registry.snapshot(EN).active_id == "invite:1"


async def test_cancel_handover_ends_a_pending_offer(tmp_path: Path) -> None:
    async with running_console(tmp_path, demo=True) as (app, pilot):
        app.registry.join(EN, ANNA)
        app.registry.join(EN, BEN)
        app.registry.offer(EN, "invite:1", "invite:2")
        await open_booth(app, pilot)
        await pilot.press("c")
        assert app.registry.snapshot(EN).handover.state == "idle"


async def test_m_mutes_and_unmutes_the_booth(tmp_path: Path) -> None:
    async with running_console(tmp_path, demo=True) as (app, pilot):
        app.registry.join(EN, ANNA)
        await open_booth(app, pilot)
        await pilot.press("m")
        assert app.registry.snapshot(EN).muted is True
        await wait_until(pilot, lambda: app.board.snapshot(EN).muted is True, "board muted")  # type: ignore[union-attr]
        await pilot.press("m")
        assert app.registry.snapshot(EN).muted is False


async def test_chat_from_the_console_is_stored_and_reaches_the_booth_socket(
    tmp_path: Path,
) -> None:
    async with (
        running_console(tmp_path, demo=True, start_server=True) as (app, pilot),
        aiohttp.ClientSession() as session,
    ):
        anna, _ = await interpreter_socket(session, app, EN, "Anna")
        screen = await open_booth(app, pilot)
        await pilot.press("t", *"mic check", "enter")
        frame = await next_frame(anna, "booth:chat")
        assert frame["message"]["body"] == "mic check"
        assert frame["message"]["sender_name"] == "Technician"
        stored = await db.recent_chat(EN)
        assert [m.body for m in stored] == ["mic check"]
        chat = screen.query_one("#chat", Log)
        await wait_until(pilot, lambda: "Technician: mic check" in "\n".join(chat.lines), "chat")


async def test_chat_from_an_interpreter_appears_on_the_open_booth_screen(tmp_path: Path) -> None:
    async with (
        running_console(tmp_path, demo=True, start_server=True) as (app, pilot),
        aiohttp.ClientSession() as session,
    ):
        anna, _ = await interpreter_socket(session, app, EN, "Anna")
        screen = await open_booth(app, pilot)
        chat = screen.query_one("#chat", Log)

        await anna.send_json({"type": "booth:chat", "text": "water, please"})

        await wait_until(pilot, lambda: "Anna: water, please" in "\n".join(chat.lines), "chat")


async def test_booth_screen_shows_earlier_and_new_chat_each_once(tmp_path: Path) -> None:
    async with running_console(tmp_path, demo=True, start_server=True) as (app, pilot):
        await db.append_chat(EN, "invite:1", "Anna", "earlier")
        screen = await open_booth(app, pilot)
        chat = screen.query_one("#chat", Log)
        await pilot.press("t", *"later", "enter")

        await wait_until(pilot, lambda: "Technician: later" in "\n".join(chat.lines), "chat")
        assert [line.split(" ", 1)[1] for line in chat.lines] == [
            "Anna: earlier",
            "Technician: later",
        ]


async def test_on_air_log_lists_spans_of_the_booth(tmp_path: Path) -> None:
    async with (
        running_console(tmp_path, demo=True, start_server=True) as (app, pilot),
        aiohttp.ClientSession() as session,
    ):
        _, anna_id = await interpreter_socket(session, app, EN, "Anna")
        await wait_until(pilot, lambda: app.registry.snapshot(EN).active_id == anna_id, "on air")
        screen = await open_booth(app, pilot)
        spans = screen.query_one("#spans", DataTable)
        await wait_until(pilot, lambda: spans.row_count == 1, "one span")
        assert str(spans.get_row_at(0)[0]) == "Anna"
        assert str(spans.get_row_at(0)[2]) == "on air"


async def test_recent_captions_show_the_booth_transcript(tmp_path: Path) -> None:
    async with running_console(tmp_path, demo=True) as (app, pilot):
        now = db.utcnow()
        await db.add_transcript_segment(EN, 1, "Good morning everyone.", now, now)
        screen = await open_booth(app, pilot)
        captions = screen.query_one("#captions")
        await wait_until(
            pilot, lambda: "Good morning everyone." in str(captions.render()), "caption"
        )
