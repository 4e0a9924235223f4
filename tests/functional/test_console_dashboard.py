"""The dashboard: live booths grouped by room, time on mic, alerts, and the greeting."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Static

from kiosk.board import booth_row, state_alerts
from kiosk.screens.dashboard import DashboardScreen
from kiosk.screens.setup import SetupScreen
from kiosk.screens.welcome import WelcomeScreen
from server.booth.models import Identity
from server.booth.state import BoothRegistry
from tests.console_support import seed_booths, text_of, wait_until
from tests.harness.clock import FROZEN_NOW, FakeClock
from tests.harness.console import running_console

# Slow: each test drives the whole Textual console through its pilot.
pytestmark = [pytest.mark.anyio, pytest.mark.slow]

ANNA = Identity("invite:1", "Anna", "interpreter")


async def test_empty_database_greets_the_technician_and_enter_leads_to_setup(
    tmp_path: Path,
) -> None:
    async with running_console(tmp_path) as (app, pilot):
        assert isinstance(app.screen, WelcomeScreen)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, SetupScreen), "setup screen")


async def test_demo_flag_creates_the_demo_event_with_three_booths(tmp_path: Path) -> None:
    async with running_console(tmp_path, demo=True) as (app, pilot):
        table = app.screen.query_one("#booths", DataTable)
        assert [str(key.value) for key in table.rows] == [
            "demo/main/en",
            "demo/main/de",
            "demo/main/fr",
        ]


async def test_dashboard_groups_booths_by_room(tmp_path: Path) -> None:
    async with running_console(tmp_path, seed=seed_booths) as (app, pilot):
        table = app.screen.query_one("#booths", DataTable)
        assert [str(key.value) for key in table.rows] == [
            "conf/main/en",
            "conf/main/de",
            "conf/hall/fr",
        ]
        rooms = [str(table.get_cell(key, "room")) for key in table.rows]
        assert rooms == ["conf/main", "", "conf/hall"]


async def test_registry_change_shows_the_interpreter_on_air(tmp_path: Path) -> None:
    async with running_console(tmp_path, demo=True) as (app, pilot):
        app.registry.join("demo/main/de", ANNA)
        table = app.screen.query_one("#booths", DataTable)
        await wait_until(
            pilot, lambda: str(table.get_cell("demo/main/de", "on_air")) == "Anna", "Anna on air"
        )


async def test_time_on_mic_warns_past_shift_minutes(tmp_path: Path) -> None:
    clock = FakeClock(FROZEN_NOW)
    async with running_console(tmp_path, demo=True, clock=clock, shift_minutes=30) as (app, pilot):
        app.registry.join("demo/main/en", ANNA)
        table = app.screen.query_one("#booths", DataTable)
        clock.advance(31 * 60)
        await wait_until(
            pilot, lambda: str(table.get_cell("demo/main/en", "time_on_mic")) == "31:00", "31:00"
        )
        cell = table.get_cell("demo/main/en", "time_on_mic")
        assert "dark_orange" in str(cell.style)


async def test_alerts_name_the_on_air_interpreter_who_disconnected(tmp_path: Path) -> None:
    async with running_console(tmp_path, demo=True) as (app, pilot):
        app.registry.join("demo/main/en", ANNA)
        app.registry.disconnect("demo/main/en", ANNA.participant_id)
        alerts = app.screen.query_one("#alerts", Static)
        await wait_until(
            pilot, lambda: "Anna (on air) disconnected" in text_of(alerts), "disconnect alert"
        )


async def test_alerts_list_booths_with_nobody_and_mediamtx_state(tmp_path: Path) -> None:
    async with running_console(tmp_path, demo=True) as (app, pilot):
        assert "demo/main/fr: nobody in the booth" in text_of(app.screen.query_one("#alerts"))
        assert "disabled" in text_of(app.screen.query_one("#mediamtx"))


async def test_b_opens_the_highlighted_booth(tmp_path: Path) -> None:
    async with running_console(tmp_path, demo=True) as (app, pilot):
        assert isinstance(app.screen, DashboardScreen)
        await pilot.press("down", "b")
        await wait_until(
            pilot, lambda: getattr(app.screen, "booth_id", "") == "demo/main/de", "booth"
        )


def test_captions_column_says_live_only_while_the_booths_captions_run() -> None:
    registry = BoothRegistry(lambda: 1000.0)
    registry.add_booth("conf/main/en", "en", "English", transcription=True)
    registry.add_booth("conf/main/de", "de", "Deutsch")
    registry.join("conf/main/en", ANNA)
    captioned, plain = registry.snapshot("conf/main/en"), registry.snapshot("conf/main/de")
    cells = {
        "running": booth_row(captioned, 1000.0, 60, transcribing=True).captions,
        "waiting": booth_row(captioned, 1000.0, 60).captions,
        "not marked": booth_row(plain, 1000.0, 60, transcribing=True).captions,
    }
    assert cells == {"running": "live", "waiting": "on", "not marked": "off"}


def test_the_dashboard_says_what_is_wrong_instead_of_on_air() -> None:
    registry = BoothRegistry(lambda: 1000.0)
    registry.add_booth("conf/main/en", "en", "English")
    registry.join("conf/main/en", ANNA)

    def row_and_alerts() -> tuple[str, str, list[str]]:
        snapshot = registry.snapshot("conf/main/en")
        row = booth_row(snapshot, 1000.0, 60)
        return row.on_air, row.ingest, [a.message for a in state_alerts(snapshot)]

    registry.set_media_server("down")
    assert row_and_alerts() == (
        "Anna (no media server)",
        "no server",
        ["no media server: nobody hears it"],
    )
    registry.set_media_server("running")
    assert row_and_alerts() == ("Anna (not sending)", "off", ["not sending: no stream arrives"])
    registry.set_ingest("conf/main/en", True)
    assert row_and_alerts() == ("Anna", "online", [])
