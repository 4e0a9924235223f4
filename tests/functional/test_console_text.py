"""Console text at 160 columns: long room ids, language names and invite statuses are whole.

The console runs in Textual's test terminal at 160×50; each check reads the lines the table
widget draws, as the technician sees them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable

import db
from kiosk.screens.invites import InvitesScreen
from tests.console_support import wait_until
from tests.harness.console import running_console

pytestmark = pytest.mark.anyio
WIDE = (160, 50)
EVENT = "pycon2026"
ROOM = "ballroom-east"
LANGUAGE_NAME = "Português (Brasil)"


def drawn_lines(table: DataTable[object]) -> list[str]:
    """The text of every line the table draws on screen."""
    return [
        "".join(segment.text for segment in table.render_line(y)) for y in range(table.size.height)
    ]


async def seed_long_names() -> None:
    await db.create_event(EVENT, "PyCon Europe 2026")
    await db.create_room(EVENT, ROOM, "Ballroom East, upper level")
    await db.create_booth(EVENT, ROOM, "pt-br", LANGUAGE_NAME)
    await db.create_booth(EVENT, ROOM, "en", "English")


async def test_dashboard_shows_long_room_ids_and_language_names_whole(tmp_path: Path) -> None:
    async with running_console(tmp_path, seed=seed_long_names, size=WIDE) as (app, pilot):
        table = app.screen.query_one("#booths", DataTable)
        await wait_until(pilot, lambda: table.row_count == 2, "two booths")
        await pilot.pause()
        text = "\n".join(drawn_lines(table))
        assert f"{EVENT}/{ROOM}" in text
        assert f"pt-br {LANGUAGE_NAME}" in text
        assert "Captions" in text  # the last column still fits


async def test_invites_list_shows_the_status_column_whole(tmp_path: Path) -> None:
    async def seed() -> None:
        await seed_long_names()
        live = await db.create_invite_token(f"{EVENT}/{ROOM}/pt-br", "interpreter", hours=2)
        gone = await db.create_invite_token(f"{EVENT}/{ROOM}/en", "technician", hours=2)
        await db.revoke_invite_token(gone.token)
        assert live.token != gone.token

    async with running_console(tmp_path, seed=seed, size=WIDE) as (app, pilot):
        await pilot.press("i")
        await wait_until(pilot, lambda: isinstance(app.screen, InvitesScreen), "invites")
        table = app.screen.query_one("#invite-list", DataTable)
        await wait_until(pilot, lambda: table.row_count == 2, "two invites")
        await pilot.pause()
        lines = drawn_lines(table)
        assert "Status" in lines[0]
        body = "\n".join(lines[1:])
        assert "active" in body and "revoked" in body
        assert f"{EVENT}/{ROOM}/pt-br" in body
