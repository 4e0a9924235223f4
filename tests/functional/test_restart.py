"""A kiosk restart on the same SQLite file loses no chat and no span, and keeps the mic."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

import db
from server.keys import BOOTH_RUNTIME
from tests.harness.app import Kiosk, make_secrets, make_services, running_kiosk
from tests.harness.clock import FakeClock
from tests.ws_support import EN, is_state, next_of_type, seed_venue, wait_for

pytestmark = pytest.mark.anyio

SECRETS = make_secrets()


@asynccontextmanager
async def kiosk_on(path: Path, clock: FakeClock) -> AsyncIterator[Kiosk]:
    """One run of the kiosk on the database file: open it, serve, stop, close it. Every run
    keeps the same secrets, as a kiosk's data folder does."""
    await db.init_db(db.sqlite_url(path), generate_schemas=True)
    try:
        async with running_kiosk(services=make_services(clock, secrets=SECRETS)) as kiosk:
            yield kiosk
    finally:
        await db.close_db()


@pytest.fixture
async def database(tmp_path: Path) -> Path:
    """A seeded SQLite file, closed again before the test's first run."""
    path = tmp_path / "kiosk.sqlite3"
    await db.init_db(db.sqlite_url(path), generate_schemas=True)
    await seed_venue()
    await db.close_db()
    return path


async def go_on_air(path: Path, clock: FakeClock) -> tuple[str, str]:
    """First run: Ana joins (and goes on air) and chats; returns her token and participant id."""
    async with kiosk_on(path, clock) as kiosk:
        token = await kiosk.interpreter_token(EN, "Ana")
        ana = await kiosk.booth(EN, token)
        await ana.ws.send_json({"type": "booth:chat", "text": "mic check"})
        await next_of_type(ana.ws, "booth:chat")
    return token, ana.id


async def test_chat_history_survives_a_restart(database: Path) -> None:
    clock = FakeClock()
    await go_on_air(database, clock)
    async with kiosk_on(database, clock) as kiosk:
        ben = await kiosk.booth(EN, await kiosk.interpreter_token(EN, "Ben"))
    assert [(m["sender_name"], m["body"]) for m in ben.joined["chat"]] == [("Ana", "mic check")]


async def test_span_stays_open_across_a_restart(database: Path) -> None:
    clock = FakeClock()
    _, ana_id = await go_on_air(database, clock)
    async with kiosk_on(database, clock):
        spans = await db.open_spans()
    assert [(s.booth.path, s.participant_id) for s in spans] == [(EN, ana_id)]


async def test_on_air_interpreter_gets_the_mic_back_within_grace(database: Path) -> None:
    clock = FakeClock()
    token, ana_id = await go_on_air(database, clock)
    async with kiosk_on(database, clock) as kiosk:
        await kiosk.booth(EN, await kiosk.interpreter_token(EN, "Ben"))
        clock.advance(15)
        ana = await kiosk.booth(EN, token)
        spans = await db.list_spans(EN)
    assert ana.joined["state"]["active_id"] == ana_id
    assert [(s.participant_id, s.ended_at) for s in spans] == [(ana_id, None)]


async def test_on_air_span_closes_when_grace_runs_out_after_a_restart(database: Path) -> None:
    clock = FakeClock()
    _, ana_id = await go_on_air(database, clock)
    async with kiosk_on(database, clock) as kiosk:
        ben = await kiosk.booth(EN, await kiosk.interpreter_token(EN, "Ben"))
        clock.advance(25)
        await wait_for(ben.ws, lambda m: is_state(m) and m["state"]["active_id"] == ben.id)
        await kiosk.app[BOOTH_RUNTIME].writer.flushed()
        spans = await db.list_spans(EN)
    assert [(s.participant_id, s.ended_at is None) for s in spans] == [
        (ana_id, False),
        (ben.id, True),
    ]
