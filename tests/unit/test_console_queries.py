"""The reads the console and the CLI make through server.manage, and the db functions that took
over the ORM queries the server used to write itself: right answers, and a fixed number of
queries however large the venue."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest

import db
from server import manage
from server.mediamtx.floor_source import FloorSource

pytestmark = pytest.mark.anyio
T0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


@contextmanager
def counted_selects(caplog: pytest.LogCaptureFixture) -> Iterator[list[str]]:
    """The SELECTs Tortoise sends inside the block (it logs each at DEBUG)."""
    selects: list[str] = []
    caplog.clear()
    with caplog.at_level(logging.DEBUG, logger="tortoise.db_client"):
        yield selects
    selects.extend(
        r.getMessage()
        for r in caplog.records
        if r.name == "tortoise.db_client" and r.getMessage().lstrip().upper().startswith("SELECT")
    )


async def _venue(events: int, first: int = 0) -> None:
    """`events` events (ev0, ev1, … from `first`), each with rooms main and hall and two booths
    per room."""
    for n in range(first, first + events):
        slug = f"ev{n}"
        await db.create_event(slug, f"Event {n}")
        await db.create_room(slug, "hall", "Hall")
        for room in ("main", "hall"):
            await db.create_booth(slug, room, "en", "English")
            await db.create_booth(slug, room, "de", "Deutsch", transcription=True)


async def test_the_venue_outline_holds_every_event_room_floor_and_booth(memory_db: None) -> None:
    await db.create_event("conf", "Conference")
    await db.create_room("conf", "hall", "Hall B")
    await db.create_booth("conf", "main", "en", "English")
    await db.create_booth("conf", "main", "de", "Deutsch", transcription=True)
    await db.set_room_floor("conf", "hall", "device", "alsa:hw:1,0")
    await db.create_event("empty", "No rooms", main_room=False)

    outline = await manage.venue_outline()

    assert [(e.slug, e.display_name) for e in outline] == [
        ("conf", "Conference"),
        ("empty", "No rooms"),
    ]
    conf, empty = outline
    assert empty.rooms == ()
    assert [(r.key, r.display_name, r.floor) for r in conf.rooms] == [
        ("conf/main", "Main room", FloorSource("none")),
        ("conf/hall", "Hall B", FloorSource("device", "alsa:hw:1,0")),
    ]
    assert conf.rooms[1].booths == ()
    assert [(b.booth_id, b.language_name, b.transcription) for b in conf.booths] == [
        ("conf/main/en", "English", False),
        ("conf/main/de", "Deutsch", True),
    ]


async def test_the_venue_outline_costs_three_queries_whatever_the_size(
    memory_db: None, caplog: pytest.LogCaptureFixture
) -> None:
    await _venue(1)
    with counted_selects(caplog) as small:
        assert len(await manage.venue_outline()) == 1
    await _venue(6, first=1)
    with counted_selects(caplog) as large:
        outline = await manage.venue_outline()
    assert [len(e.booths) for e in outline] == [4] * 7
    assert len(small) == len(large) == 3


async def test_live_booths_load_room_and_event_in_one_query(
    memory_db: None, caplog: pytest.LogCaptureFixture
) -> None:
    await _venue(3)
    with counted_selects(caplog) as selects:
        booths = await manage.live_booths()
        paths = [(b.path, b.room.slug, b.room.event.slug) for b in booths]
    assert len(selects) == 1
    assert paths[:2] == [("ev0/main/en", "main", "ev0"), ("ev0/main/de", "main", "ev0")]
    assert len(paths) == 12


async def test_booth_history_reads_only_the_tail(memory_db: None) -> None:
    await _venue(1)
    booth = "ev0/main/en"
    for n in range(5):
        started = T0 + timedelta(minutes=10 * n)
        await db.open_span(booth, f"invite:{n}", f"Person {n}", started)
        await db.close_span(booth, f"invite:{n}", started + timedelta(minutes=5))
        await db.add_transcript_segment(booth, n + 1, f"line {n}", started, started)
    await db.add_transcript_segment("ev0/main/de", 99, "elsewhere", T0, T0)

    history = await manage.booth_history(booth, spans=2, captions=3)

    assert [s.display_name for s in history.spans] == ["Person 3", "Person 4"]
    assert [c.text for c in history.captions] == ["line 2", "line 3", "line 4"]
    empty = await manage.booth_history("ev0/hall/en", spans=2, captions=3)
    assert (empty.spans, empty.captions) == ([], [])


async def test_booth_transcript_refuses_an_unknown_or_malformed_booth(memory_db: None) -> None:
    await _venue(1)
    await db.add_transcript_segment("ev0/main/en", 1, "hello", T0, T0)
    assert [s.text for s in await manage.booth_transcript("ev0/main/en")] == ["hello"]
    with pytest.raises(manage.SetupError, match="no booth 'ev0/main/it'"):
        await manage.booth_transcript("ev0/main/it")
    with pytest.raises(manage.SetupError, match="EVENT/ROOM/LANG"):
        await manage.booth_transcript("ev0")


async def test_floor_of_reads_what_store_floor_wrote(memory_db: None) -> None:
    await _venue(1)
    assert await manage.floor_of("ev0/hall") == FloorSource("none")
    await manage.store_floor("ev0/hall", FloorSource("url", "rtsp://encoder/floor"))
    assert await manage.floor_of("ev0/hall") == FloorSource("url", "rtsp://encoder/floor")
    with pytest.raises(manage.SetupError, match="no room 'ev0/gone'"):
        await manage.floor_of("ev0/gone")
    assert await manage.event_exists("ev0")
    assert not await manage.event_exists("ev1")


async def test_a_transaction_keeps_all_or_nothing(memory_db: None) -> None:
    await db.create_event("conf", "Conference")
    with pytest.raises(db.AlreadyExists):
        async with db.transaction():
            await db.create_room("conf", "hall", "Hall")
            await db.create_room("conf", "hall", "Hall again")
    assert [r.slug for r in await db.list_rooms("conf")] == ["main"]


async def test_invite_lookups_stay_within_their_event(memory_db: None) -> None:
    await _venue(2)
    ours = await db.create_invite_token("ev0/main/en", "interpreter")
    theirs = await db.create_invite_token("ev1/main/en", "interpreter")
    event = await db.get_event("ev0")

    found = await db.get_event_invite(event.id, ours.id)
    assert (found.token, found.booth.path, found.booth.room.event.slug) == (
        ours.token,
        "ev0/main/en",
        "ev0",
    )
    with pytest.raises(db.InviteNotFound):
        await db.get_event_invite(event.id, theirs.id)
    assert [i.token for i in await db.find_invites(ours.token[:8])] == [ours.token]


async def test_an_invite_is_withdrawn_when_revoked_or_gone(memory_db: None) -> None:
    await _venue(1)
    invite = await db.create_invite_token("ev0/main/en", "interpreter")
    assert not await db.invite_withdrawn(invite.id)
    await db.revoke_invite_token(invite.token)
    assert await db.invite_withdrawn(invite.id)
    assert await db.invite_withdrawn(invite.id + 1000)


async def test_an_event_membership_loads_user_and_booth_even_without_a_booth(
    memory_db: None,
) -> None:
    await _venue(2)
    user = await db.create_user("tech@example.org", "hash", "Tech")
    tech = await db.add_membership(user.id, "ev0", "technician")
    interp = await db.add_membership(user.id, "ev0", "interpreter", "ev0/main/de")
    event = await db.get_event("ev0")

    found = await db.get_event_membership(event.id, tech.id)
    assert (found.user.email, found.booth) == ("tech@example.org", None)
    found = await db.get_event_membership(event.id, interp.id)
    assert found.booth is not None and found.booth.path == "ev0/main/de"
    other = await db.get_event("ev1")
    with pytest.raises(db.NotFound):
        await db.get_event_membership(other.id, tech.id)


async def test_cascade_counts_name_what_a_deletion_removes(memory_db: None) -> None:
    await _venue(1)
    await db.create_invite_token("ev0/main/en", "interpreter")
    await db.append_chat("ev0/main/en", "invite:1", "Ana", "hello")
    await db.open_span("ev0/hall/de", "invite:2", "Ben", T0)
    event = await db.get_event("ev0")
    hall = await db.get_room("ev0", "hall")
    booth = await db.get_booth("ev0/main/en")

    assert await db.event_cascade(event.id) == db.CascadeCounts(
        rooms=2, booths=4, invites=1, spans=1, chat=1
    )
    assert await db.room_cascade(hall.id) == db.CascadeCounts(booths=2, spans=1)
    assert await db.booth_cascade(booth.id) == db.CascadeCounts(invites=1, chat=1)
