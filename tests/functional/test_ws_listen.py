"""The listener socket over a real loopback server: access, channels, counts and captions."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

import db
from server.keys import BOOTH_RUNTIME
from server.ws import broadcast_caption
from tests.harness.app import Kiosk, running_kiosk
from tests.harness.clock import FakeClock
from tests.ws_support import (
    EN,
    FR,
    PIN_EN,
    close_code,
    next_message,
    next_of_type,
    seed_venue,
    small_receive_buffer,
    wait_for,
)

pytestmark = pytest.mark.anyio


@pytest.fixture
async def kiosk(memory_db: None) -> AsyncIterator[Kiosk]:
    """The websocket app over a seeded in-memory database."""
    await seed_venue()
    async with running_kiosk(clock=FakeClock()) as running:
        yield running


def counts(state: dict[str, object]) -> dict[str, object]:
    """Listener count per booth channel of a `listen:state`."""
    return {c["booth_id"]: c["listeners"] for c in state["channels"] if c["kind"] == "booth"}  # type: ignore[attr-defined, index]


async def test_listener_gets_the_room_channels_on_connect(kiosk: Kiosk) -> None:
    ws = await kiosk.connect("/ws/listen/conf/main")
    state = await next_message(ws)
    assert state == {
        "type": "listen:state",
        "event": "conf",
        "room": "main",
        "channels": [
            {"booth_id": "conf/main/floor", "language_name": "Floor", "kind": "floor"},
            {
                "booth_id": EN,
                "kind": "booth",
                "language_name": "English",
                "language_code": "en",
                "on_air": False,
                "active": False,
                "media": "untracked",
                "muted": False,
                "switching": False,
                "listeners": 0,
                "transcription": False,
            },
            {
                "booth_id": FR,
                "kind": "booth",
                "language_name": "Français",
                "language_code": "fr",
                "on_air": False,
                "active": False,
                "media": "untracked",
                "muted": False,
                "switching": False,
                "listeners": 0,
                "transcription": False,
            },
        ],
    }


async def test_room_without_booths_lists_only_the_floor(kiosk: Kiosk) -> None:
    state = await next_message(await kiosk.connect("/ws/listen/conf/hall"))
    assert [c["booth_id"] for c in state["channels"]] == ["conf/hall/floor"]


async def test_unknown_room_is_closed_with_4004(kiosk: Kiosk) -> None:
    assert await close_code(await kiosk.connect("/ws/listen/conf/nowhere")) == 4004


async def test_listener_code_event_needs_a_token(kiosk: Kiosk) -> None:
    assert await close_code(await kiosk.connect("/ws/listen/pin/main")) == 4001


async def test_listener_code_event_refuses_a_token_for_another_room(kiosk: Kiosk) -> None:
    ws = await kiosk.connect("/ws/listen/pin/main", kiosk.listener_token("conf", "main"))
    assert await close_code(ws) == 4003


async def test_listener_code_event_admits_a_listener_token_for_the_room(kiosk: Kiosk) -> None:
    ws = await kiosk.connect("/ws/listen/pin/main", kiosk.listener_token("pin", "main"))
    state = await next_message(ws)
    assert [c["booth_id"] for c in state["channels"]] == ["pin/main/floor", PIN_EN]


async def test_select_counts_each_socket_for_one_booth(kiosk: Kiosk) -> None:
    first = await kiosk.listener("conf", "main")
    second = await kiosk.listener("conf", "main")
    await first.send_json({"type": "listen:select", "booth_id": EN})
    await second.send_json({"type": "listen:select", "booth_id": EN})
    both = await wait_for(first, lambda m: counts(m) == {EN: 2, FR: 0})
    await second.send_json({"type": "listen:select", "booth_id": FR})
    moved = await wait_for(first, lambda m: counts(m) == {EN: 1, FR: 1})
    assert (counts(both), counts(moved)) == ({EN: 2, FR: 0}, {EN: 1, FR: 1})


async def test_closing_a_listener_socket_decrements_its_booth(kiosk: Kiosk) -> None:
    watcher = await kiosk.listener("conf", "main")
    leaver = await kiosk.listener("conf", "main")
    await leaver.send_json({"type": "listen:select", "booth_id": FR})
    await wait_for(watcher, lambda m: counts(m)[FR] == 1)
    await leaver.close()
    after = await wait_for(watcher, lambda m: counts(m)[FR] == 0)
    assert counts(after)[FR] == 0


async def test_booth_sees_its_audience_count(kiosk: Kiosk) -> None:
    ana = await kiosk.booth(EN, await kiosk.interpreter_token(EN, "Ana"))
    listener = await kiosk.listener("conf", "main")
    await listener.send_json({"type": "listen:select", "booth_id": EN})
    state = await wait_for(ana.ws, lambda m: m["type"] == "booth:state")
    assert state["state"]["listeners"] == 1


async def test_selecting_a_channel_of_another_room_is_refused(kiosk: Kiosk) -> None:
    ws = await kiosk.listener("conf", "main")
    await ws.send_json({"type": "listen:select", "booth_id": PIN_EN, "id": 3})
    error = await next_of_type(ws, "booth:error")
    assert (error["code"], error["id"]) == ("not_found", 3)


async def test_caption_reaches_the_listeners_of_that_booth(kiosk: Kiosk) -> None:
    english = await kiosk.listener("conf", "main")
    await english.send_json({"type": "listen:select", "booth_id": EN})
    await english.send_json({"type": "ping"})
    await next_of_type(english, "pong")  # the selection has been handled
    broadcast_caption(kiosk.app, EN, "partial", "Good morning", 1)
    caption = await next_of_type(english, "caption")
    assert caption == {
        "type": "caption",
        "booth_id": EN,
        "status": "partial",
        "text": "Good morning",
        "seq": 1,
    }


async def test_caption_skips_listeners_of_other_booths(kiosk: Kiosk) -> None:
    french = await kiosk.listener("conf", "main")
    await french.send_json({"type": "listen:select", "booth_id": FR})
    await french.send_json({"type": "ping"})
    await next_of_type(french, "pong")
    broadcast_caption(kiosk.app, EN, "final", "Good morning", 1)
    broadcast_caption(kiosk.app, FR, "final", "Bonjour", 1)
    caption = await next_of_type(french, "caption")
    assert caption["text"] == "Bonjour"


async def test_caption_status_must_be_known(kiosk: Kiosk) -> None:
    with pytest.raises(ValueError, match="caption status"):
        broadcast_caption(kiosk.app, EN, "shouting", "HELLO", 1)


async def test_slow_listener_is_dropped_without_stalling_others(kiosk: Kiosk) -> None:
    # A socket that never reads, with a tiny receive buffer, next to one that keeps reading.
    stalled_session = aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(socket_factory=small_receive_buffer)
    )
    try:
        slow = await stalled_session.ws_connect(kiosk.ws_url("/ws/listen/conf/main"))
        fast = await kiosk.listener("conf", "main")
        for ws in (slow, fast):
            await ws.send_json({"type": "listen:select", "booth_id": EN})
        await wait_for(fast, lambda m: m["type"] == "listen:state" and counts(m)[EN] == 2)

        text = "x" * 16_000
        total = 600  # about 10 MB: far more than socket buffers and the queue hold
        seen = []
        for seq in range(total):
            broadcast_caption(kiosk.app, EN, "partial", text, seq)
            seen.append((await next_of_type(fast, "caption"))["seq"])
        slow_frames = 0
        while (await slow.receive()).type is aiohttp.WSMsgType.TEXT:
            slow_frames += 1
        audience = await wait_for(fast, lambda m: m["type"] == "listen:state")
    finally:
        await stalled_session.close()
    assert seen == list(range(total))
    assert slow_frames < total
    assert counts(audience)[EN] == 1


async def test_caption_larger_than_64_kib_arrives_whole(kiosk: Kiosk) -> None:
    listener = await kiosk.listener("conf", "main")
    await listener.send_json({"type": "listen:select", "booth_id": EN})
    await listener.send_json({"type": "ping"})
    await next_of_type(listener, "pong")
    text = "é" * 40_000  # 80,000 bytes of UTF-8
    broadcast_caption(kiosk.app, EN, "final", text, 2)
    assert (await next_of_type(listener, "caption"))["text"] == text


async def test_booth_registered_at_run_time_appears_to_listeners(kiosk: Kiosk) -> None:
    listener = await kiosk.listener("conf", "main")
    booth = await db.create_booth("conf", "main", "de", "Deutsch")
    kiosk.app[BOOTH_RUNTIME].register(booth)
    state = await next_of_type(listener, "listen:state")
    assert [c["booth_id"] for c in state["channels"]][-1] == "conf/main/de"
