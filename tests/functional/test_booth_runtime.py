"""The booth runtime on a real SQLite database: live booths follow the database and the edits
made through it, spans and captions go through its one ordered writer, the grace ticker runs,
and revocation takes people out of every booth."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

import db
from server import manage
from server.booth import runtime as runtime_module
from server.booth.models import Identity
from server.booth.runtime import BoothRuntime
from server.booth.state import BoothRegistry
from server.booth.writer import StoredCaption
from tests.harness.clock import FakeClock

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("memory_db")]

EN, FR, HALL_EN = "conf/main/en", "conf/main/fr", "conf/hall/en"
ANA = Identity("invite:1", "Ana", "interpreter")
BEN = Identity("invite:2", "Ben", "interpreter")
WAIT = 5.0  # a safety net against hangs, never a measured duration


async def seed() -> None:
    await db.create_event("conf", "Conference")
    await db.create_booth("conf", "main", "en", "English")
    await db.create_booth("conf", "main", "fr", "Français")


def new_runtime(clock: FakeClock | None = None) -> BoothRuntime:
    clock = clock or FakeClock()
    return BoothRuntime(BoothRegistry(clock), clock)


async def test_spans_and_captions_are_stored_through_one_writer_in_order() -> None:
    await seed()
    clock = FakeClock()
    async with new_runtime(clock) as runtime:
        runtime.registry.join(EN, ANA)  # on air: SpanOpened
        runtime.store_caption(StoredCaption(EN, 1, "good morning", clock.now, clock.now + 1))
        runtime.store_caption(StoredCaption(EN, 2, "and welcome", clock.now + 1, clock.now + 2))
        clock.now += 60
        runtime.registry.leave(EN, ANA.participant_id)  # SpanClosed
        await asyncio.wait_for(runtime.writer.flushed(), WAIT)

        (span,) = await db.list_spans(EN)
        assert (span.participant_id, span.display_name) == (ANA.participant_id, "Ana")
        assert span.ended_at is not None
        assert (span.ended_at - span.started_at).total_seconds() == pytest.approx(60)
        assert [(s.seq, s.text) for s in await db.list_transcript(EN)] == [
            (1, "good morning"),
            (2, "and welcome"),
        ]


async def test_a_failed_write_loses_none_of_the_jobs_after_it() -> None:
    await seed()
    clock = FakeClock()
    async with new_runtime(clock) as runtime:
        runtime.store_caption(StoredCaption("gone/main/en", 1, "lost", clock.now, clock.now))
        runtime.store_caption(StoredCaption(EN, 2, "kept", clock.now, clock.now))
        await asyncio.wait_for(runtime.writer.flushed(), WAIT)
    assert [s.text for s in await db.list_transcript(EN)] == ["kept"]


async def test_leaving_the_runtime_writes_what_is_queued() -> None:
    await seed()
    clock = FakeClock()
    async with new_runtime(clock) as runtime:
        runtime.registry.join(EN, ANA)
        runtime.store_caption(StoredCaption(EN, 1, "last words", clock.now, clock.now))
    assert [s.text for s in await db.list_transcript(EN)] == ["last words"]
    assert [s.participant_id for s in await db.open_spans()] == [ANA.participant_id]


async def test_entering_loads_the_booths_and_puts_the_last_speaker_back_on_mic() -> None:
    await seed()
    started = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
    await db.open_span(EN, ANA.participant_id, "Ana", started)
    async with new_runtime() as runtime:
        assert runtime.registry.booth_ids() == [EN, FR]
        state = runtime.registry.snapshot(EN)
        assert state.active_id == ANA.participant_id
        assert state.on_air_since == started.timestamp()
        assert state.participants[0].connected is False


async def test_the_grace_ticker_expires_a_dropped_interpreter(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(runtime_module, "TICK_SECONDS", 0.01)
    await seed()
    clock = FakeClock()
    async with new_runtime(clock) as runtime:
        runtime.registry.join(EN, ANA)
        runtime.registry.join(EN, BEN)
        runtime.registry.disconnect(EN, ANA.participant_id)
        failed_over = asyncio.Event()
        runtime.subscribe(
            lambda change: change.snapshot.active_id == BEN.participant_id and failed_over.set()
        )
        clock.now += 21  # past the 20 s grace: the next tick fails the mic over
        await asyncio.wait_for(failed_over.wait(), WAIT)
        assert runtime.registry.participant(EN, ANA.participant_id) is None


async def test_follow_database_registers_refreshes_and_removes() -> None:
    await seed()
    async with new_runtime() as runtime:
        added: list[str] = []
        runtime.subscribe_added(added.append)
        changed: list[str] = []
        runtime.subscribe(lambda change: changed.append(change.booth_id))

        await db.create_room("conf", "hall", "Hall")
        await db.create_booth("conf", "hall", "en", "English")
        await db.update_booth(EN, language_name="English (UK)", transcription=True)
        await db.delete_booth(FR)
        await runtime.follow_database()

        assert runtime.registry.booth_ids() == [EN, HALL_EN]
        assert runtime.registry.snapshot(EN).language_name == "English (UK)"
        assert runtime.registry.snapshot(EN).transcription is True
        assert added == [HALL_EN]
        assert set(changed) == {EN, FR, HALL_EN}

        changed.clear()
        await runtime.follow_database()  # nothing changed: nobody hears of it
        assert changed == []


async def test_booths_loaded_at_the_start_are_not_announced_as_added() -> None:
    await seed()
    runtime = new_runtime()
    added: list[str] = []
    runtime.subscribe_added(added.append)
    async with runtime:
        assert added == []
        assert await runtime.ensure(EN)
        assert not await runtime.ensure("conf/main/xx")
        assert added == []


async def test_edits_are_one_call_each_database_and_live_booths_together() -> None:
    await seed()
    async with new_runtime() as runtime:
        rooms_read: list[str] = []

        async def follower() -> None:
            rooms_read.append("read")

        runtime.subscribe_rooms(follower)
        added: list[str] = []
        runtime.subscribe_added(added.append)

        booth = await runtime.create_booth("conf/main", "de", "Deutsch", transcription=True)
        assert booth.path == "conf/main/de"
        assert (await db.get_booth("conf/main/de")).transcription is True
        assert runtime.registry.has_booth("conf/main/de")
        assert added == ["conf/main/de"]

        with pytest.raises(manage.SetupError):
            await runtime.create_booth("conf/main", "de", "Deutsch")
        assert added == ["conf/main/de"]

        await runtime.edit_booth(EN, language_name="Anglais", transcription=False)
        assert (await db.get_booth(EN)).language_name == "Anglais"
        assert runtime.registry.snapshot(EN).language_name == "Anglais"

        await runtime.delete_booth(FR)
        assert not runtime.registry.has_booth(FR)
        assert [b.path for b in await db.list_booths()] == [EN, "conf/main/de"]
        assert rooms_read == []

        await runtime.delete_room("conf", "main")
        assert runtime.registry.booth_ids() == []
        assert await db.list_booths() == []
        assert rooms_read == ["read"]

        await db.create_room("conf", "hall", "Hall")
        await runtime.create_booth("conf/hall", "en", "English")
        await runtime.delete_event("conf")
        assert runtime.registry.booth_ids() == []
        assert await db.list_events() == []
        assert rooms_read == ["read", "read"]


async def test_deleting_a_booth_on_air_closes_its_span() -> None:
    await seed()
    async with new_runtime() as runtime:
        runtime.registry.join(FR, ANA)
        await runtime.writer.flushed()
        assert len(await db.open_spans()) == 1
        runtime.unregister(FR)
        await runtime.writer.flushed()
        assert await db.open_spans() == []


async def test_expel_takes_the_refused_out_of_every_booth_and_names_the_mics_they_held() -> None:
    await seed()
    async with new_runtime() as runtime:
        runtime.registry.join(EN, ANA)  # Ana on air in English
        runtime.registry.join(EN, BEN)
        runtime.registry.join(FR, BEN)  # Ben on air in French
        refused = {BEN.participant_id}

        held = runtime.expel(lambda participant_id: participant_id not in refused)

        assert held == [FR]
        assert runtime.registry.participant(EN, BEN.participant_id) is None
        assert runtime.registry.snapshot(FR).active_id is None
        assert runtime.registry.snapshot(EN).active_id == ANA.participant_id


async def test_chat_is_stored_then_heard_in_subscription_order() -> None:
    await seed()
    clock = FakeClock()
    async with new_runtime(clock) as runtime:
        heard: list[tuple[str, str]] = []
        runtime.chat.subscribe(lambda posted: heard.append(("first", posted.body)))
        runtime.chat.subscribe(lambda posted: heard.append(("second", posted.body)))

        posted = await runtime.chat.post(EN, "console", "Technician", "mic check")

        assert heard == [("first", "mic check"), ("second", "mic check")]
        assert posted.sent_at.timestamp() == pytest.approx(clock.now)
        assert [m.body for m in await runtime.chat.recent(EN)] == ["mic check"]
