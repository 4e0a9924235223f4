"""The console follows changes made elsewhere: a booth added with the CLI shows on the
dashboard, and an invite revoked with the CLI shows as revoked on the Invites screen, within
2 s, while the console runs its server on the same SQLite file.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable

import db
from kiosk.app import KioskApp
from tests.changes_support import FOLLOW_SECONDS, Outside
from tests.harness.console import WAIT, running_console

# Slow: the console follows changes made by CLI subprocesses.
pytestmark = [pytest.mark.anyio, pytest.mark.slow]


@asynccontextmanager
async def console_on_file(tmp_path: Path) -> AsyncIterator[tuple[KioskApp, Any, Outside]]:
    """The console with its server, on a migrated SQLite file seeded with conf/main/en."""
    database = tmp_path / "kiosk.sqlite3"

    async def seed() -> None:
        await db.create_event("conf", "Conference")
        await db.create_booth("conf", "main", "en", "English")

    async with running_console(tmp_path, start_server=True, migrate=True, seed=seed) as (
        app,
        pilot,
    ):
        yield app, pilot, Outside(tmp_path, database)


def row_keys(app: KioskApp, table_id: str) -> list[str]:
    """The row keys of a table on the active screen."""
    table = app.screen.query_one(table_id, DataTable)
    return [str(key.value) for key in table.rows]


async def shown_within(pilot: Any, seconds: float, condition: Any) -> None:
    """Let the console run until `condition()` holds, failing after `seconds`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"not shown within {seconds} s")
        await pilot.pause(0.05)


async def test_a_booth_added_with_the_cli_shows_on_the_running_dashboard(tmp_path: Path) -> None:
    async with console_on_file(tmp_path) as (app, pilot, outside):
        before = row_keys(app, "#booths")
        await outside.cli("booth", "add", "conf/main", "de", "Deutsch")
        await shown_within(
            pilot, FOLLOW_SECONDS, lambda: "conf/main/de" in row_keys(app, "#booths")
        )
        table = app.screen.query_one("#booths", DataTable)
        language = str(table.get_cell("conf/main/de", "language"))
    assert before == ["conf/main/en"]
    assert language == "de Deutsch"


async def test_an_invite_revoked_with_the_cli_shows_as_revoked_on_the_invites_screen(
    tmp_path: Path,
) -> None:
    async with console_on_file(tmp_path) as (app, pilot, outside):
        invite = await db.create_invite_token("conf/main/en", "interpreter", label="Anna")
        await pilot.press("i")
        await shown_within(pilot, WAIT, lambda: invite.token in row_keys(app, "#invite-list"))
        table = app.screen.query_one("#invite-list", DataTable)
        before = str(table.get_cell(invite.token, "status"))
        await outside.cli("invite", "revoke", invite.token)

        def revoked() -> bool:
            table = app.screen.query_one("#invite-list", DataTable)
            return str(table.get_cell(invite.token, "status")) == "revoked"

        await shown_within(pilot, FOLLOW_SECONDS, revoked)
    assert before == "active"
