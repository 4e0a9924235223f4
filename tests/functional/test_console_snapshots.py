"""Snapshots of the Dashboard, Booth, Invites and Poster screens with fixed data and time.

The console opens the database itself here (snapshots run the app in their own event loop), so
each test first writes a seeded SQLite file. The clock is frozen, times are shown in UTC, and the
invite has a fixed token, so every run draws the same screen.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import db
from db.models import InviteToken
from kiosk.app import KioskApp
from server.booth.models import Identity
from tests.harness.clock import FROZEN_NOW, FakeClock
from tests.harness.console import SIZE, console_app, console_config

# Slow: each test renders the whole Textual console to an SVG snapshot.
pytestmark = pytest.mark.slow

EN = "conf/main/en"
FIXED_TOKEN = "snapshot-token-0123456789abcdefghijklmn"
START = datetime(2026, 9, 21, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def utc_local_time() -> Iterator[None]:
    """Show local times as UTC, whatever the machine's zone."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if before is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = before
    time.tzset()


async def _seed(url: str) -> None:
    await db.init_db(url, generate_schemas=True)
    await db.create_event("conf", "Conference")
    await db.create_booth("conf", "main", "en", "English")
    await db.create_booth("conf", "main", "de", "Deutsch", transcription=True)
    await db.create_room("conf", "hall", "Hall B")
    await db.create_booth("conf", "hall", "fr", "Français")
    await db.open_span(EN, "invite:7", "Carla", START)
    await db.close_span(EN, "invite:7", datetime(2026, 9, 21, 9, 30, tzinfo=UTC))
    await db.append_chat(EN, "invite:7", "Carla", "Over to you, Anna.", sent_at=START)
    await db.add_transcript_segment(EN, 1, "Welcome to the conference.", START, START)
    invite = await db.create_invite_token(EN, "interpreter", max_uses=2)
    await InviteToken.filter(id=invite.id).update(
        token=FIXED_TOKEN, expires_at=datetime(2027, 1, 1, 12, 0, tzinfo=UTC)
    )
    await db.close_db()


def seeded_app(tmp_path: Path) -> tuple[KioskApp, FakeClock]:
    """A console without server on a seeded database, with a frozen clock."""
    config = console_config(tmp_path)
    asyncio.run(_seed(config.database_url))
    clock = FakeClock(FROZEN_NOW)
    return console_app(config, clock=clock, open_database=True), clock


async def _live_booths(app: KioskApp, clock: FakeClock) -> None:
    """Interpreters in booths, one on mic past the shift, one handover pending, one muted."""
    await app.ready.wait()
    registry = app.registry
    registry.join(EN, Identity("invite:1", "Anna", "interpreter"))
    registry.join(EN, Identity("invite:2", "Ben", "interpreter"))
    registry.join("conf/main/de", Identity("invite:3", "Dora", "interpreter"))
    clock.advance(35 * 60)
    registry.join("conf/main/de", Identity("invite:4", "Emil", "interpreter"))
    registry.request("conf/main/de", "invite:4")
    registry.set_muted("conf/main/de", "invite:3", True)
    registry.set_listeners(EN, 12)
    clock.advance(5)


async def _settle(pilot: Any) -> None:
    """Let workers finish and the 10 Hz refresh run."""
    for _ in range(5):
        await pilot.pause(0.15)


def test_dashboard_snapshot(snap_compare: Any, tmp_path: Path) -> None:
    app, clock = seeded_app(tmp_path)

    async def run_before(pilot: Any) -> None:
        await _live_booths(app, clock)
        await _settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_booth_snapshot(snap_compare: Any, tmp_path: Path) -> None:
    app, clock = seeded_app(tmp_path)

    async def run_before(pilot: Any) -> None:
        await _live_booths(app, clock)
        app.open_booth(EN)
        await _settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_invites_snapshot(snap_compare: Any, tmp_path: Path) -> None:
    app, _ = seeded_app(tmp_path)

    async def run_before(pilot: Any) -> None:
        await app.ready.wait()
        app.switch_mode("invites")
        await _settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_poster_snapshot(snap_compare: Any, tmp_path: Path) -> None:
    app, _ = seeded_app(tmp_path)

    async def run_before(pilot: Any) -> None:
        await app.ready.wait()
        app.switch_mode("poster")
        await _settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
