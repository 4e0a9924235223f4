"""The booth socket over a real loopback server: close codes, the edge, handovers and chat."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest

import db
from server.auth.credentials import create_booth_token
from server.booth.chat import PostedChat
from server.keys import BOOTH_RUNTIME
from tests.harness.app import Kiosk, running_kiosk
from tests.harness.clock import FakeClock
from tests.ws_support import (
    EN,
    FR,
    channel,
    close_code,
    connected,
    is_state,
    next_message,
    next_of_type,
    seed_venue,
    wait_for,
)

pytestmark = pytest.mark.anyio


@pytest.fixture
async def kiosk(memory_db: None) -> AsyncIterator[Kiosk]:
    """The websocket app over a seeded in-memory database."""
    await seed_venue()
    async with running_kiosk(clock=FakeClock()) as running:
        yield running


# ---------------------------------------------------------------- close codes


async def test_socket_without_token_is_closed_with_4001(kiosk: Kiosk) -> None:
    ws = await kiosk.connect(f"/ws/booth/{EN}")
    assert await close_code(ws) == 4001


async def test_socket_with_forged_token_is_closed_with_4001(kiosk: Kiosk) -> None:
    forged = create_booth_token("invite:1", EN, "interpreter", "Eve", key="another-key" * 5)
    ws = await kiosk.connect(f"/ws/booth/{EN}", forged)
    assert await close_code(ws) == 4001


async def test_socket_for_unknown_booth_is_closed_with_4004(kiosk: Kiosk) -> None:
    token = await kiosk.admin_token()
    ws = await kiosk.connect("/ws/booth/conf/main/xx", token)
    assert await close_code(ws) == 4004


async def test_token_for_another_booth_is_closed_with_4003(kiosk: Kiosk) -> None:
    token = await kiosk.interpreter_token(FR, "Ana")
    ws = await kiosk.connect(f"/ws/booth/{EN}", token)
    assert await close_code(ws) == 4003


async def test_listener_token_on_booth_socket_is_closed_with_4003(kiosk: Kiosk) -> None:
    ws = await kiosk.connect(f"/ws/booth/{EN}", kiosk.listener_token("conf", "main"))
    assert await close_code(ws) == 4003


async def test_session_cookie_authenticates_the_socket(kiosk: Kiosk) -> None:
    token = await kiosk.interpreter_token(EN, "Ana")
    ws = await kiosk.session.ws_connect(
        kiosk.ws_url(f"/ws/booth/{EN}"), headers={"Cookie": f"session_token={token}"}
    )
    await ws.send_json({"type": "booth:join"})
    joined = await next_of_type(ws, "booth:joined")
    assert joined["participant"]["display_name"] == "Ana"


async def test_flooding_the_socket_closes_it_with_4008(kiosk: Kiosk) -> None:
    ws = await kiosk.connect(f"/ws/booth/{EN}", await kiosk.interpreter_token(EN, "Ana"))
    for _ in range(100):
        await ws.send_json({"type": "ping"})
    assert await close_code(ws) == 4008


async def test_frame_over_64_kib_closes_with_1009(kiosk: Kiosk) -> None:
    ws = await kiosk.connect(f"/ws/booth/{EN}", await kiosk.interpreter_token(EN, "Ana"))
    await ws.send_str(json.dumps({"type": "booth:chat", "text": "a" * (65 * 1024)}))
    assert await close_code(ws) == 1009


async def test_shutdown_closes_open_sockets_with_1001(memory_db: None) -> None:
    await seed_venue()
    async with running_kiosk(clock=FakeClock()) as kiosk:
        ana = await kiosk.booth(EN, await kiosk.interpreter_token(EN, "Ana"))
        listen_ws = await kiosk.listener("conf", "main")
        await kiosk.server.close()
        assert await close_code(ana.ws) == 1001
        assert await close_code(listen_ws) == 1001


# ---------------------------------------------------------------- the edge


async def test_malformed_json_gets_an_error_and_the_socket_stays_open(kiosk: Kiosk) -> None:
    ws = await kiosk.connect(f"/ws/booth/{EN}", await kiosk.interpreter_token(EN, "Ana"))
    await ws.send_str("{not json")
    error = await next_message(ws)
    await ws.send_json({"type": "ping"})
    assert error["type"] == "booth:error" and error["code"] == "invalid_json"
    assert (await next_message(ws))["type"] == "pong"


async def test_unknown_type_gets_an_error_and_the_socket_stays_open(kiosk: Kiosk) -> None:
    ws = await kiosk.connect(f"/ws/booth/{EN}", await kiosk.interpreter_token(EN, "Ana"))
    await ws.send_json({"type": "booth:dance"})
    error = await next_message(ws)
    await ws.send_json({"type": "ping"})
    assert error["type"] == "booth:error" and error["code"] == "unknown_type"
    assert (await next_message(ws))["type"] == "pong"


async def test_error_echoes_the_message_id(kiosk: Kiosk) -> None:
    ws = await kiosk.connect(f"/ws/booth/{EN}", await kiosk.interpreter_token(EN, "Ana"))
    await ws.send_json({"type": "booth:dance", "id": 42})
    assert (await next_message(ws))["id"] == 42


async def test_unknown_field_is_refused(kiosk: Kiosk) -> None:
    ana = await kiosk.booth(EN, await kiosk.interpreter_token(EN, "Ana"))
    await ana.ws.send_json({"type": "booth:mute", "muted": True, "loud": 1, "id": "m1"})
    error = await next_of_type(ana.ws, "booth:error")
    assert (error["code"], error["id"]) == ("invalid_message", "m1")


async def test_wrong_field_type_is_refused(kiosk: Kiosk) -> None:
    ana = await kiosk.booth(EN, await kiosk.interpreter_token(EN, "Ana"))
    await ana.ws.send_json({"type": "booth:mute", "muted": "yes"})
    assert (await next_of_type(ana.ws, "booth:error"))["code"] == "invalid_message"


async def test_actions_before_join_get_not_joined(kiosk: Kiosk) -> None:
    ws = await kiosk.connect(f"/ws/booth/{EN}", await kiosk.interpreter_token(EN, "Ana"))
    await ws.send_json({"type": "booth:chat", "text": "hello", "id": 7})
    error = await next_message(ws)
    assert (error["code"], error["id"]) == ("not_joined", 7)


# ---------------------------------------------------------------- joining and the mic


async def test_first_interpreter_to_join_is_active(kiosk: Kiosk) -> None:
    ws = await kiosk.connect(f"/ws/booth/{EN}", await kiosk.interpreter_token(EN, "Ana"))
    await ws.send_json({"type": "booth:join"})
    joined = await next_of_type(ws, "booth:joined")
    assert joined["state"]["active_id"] == joined["participant"]["participant_id"]


async def test_technician_joins_under_the_name_they_give(kiosk: Kiosk) -> None:
    ws = await kiosk.connect(f"/ws/booth/{EN}", await kiosk.technician_token(EN, "Tech"))
    await ws.send_json({"type": "booth:join", "display_name": "Sound desk"})
    joined = await next_of_type(ws, "booth:joined")
    assert joined["participant"] == {
        "participant_id": joined["participant"]["participant_id"],
        "display_name": "Sound desk",
        "role": "technician",
    }


async def test_handover_request_and_accept_is_seen_by_listeners(kiosk: Kiosk) -> None:
    listener = await kiosk.listener("conf", "main")
    ana = await kiosk.booth(EN, await kiosk.interpreter_token(EN, "Ana"))
    ben = await kiosk.booth(EN, await kiosk.interpreter_token(EN, "Ben"))
    before = await wait_for(listener, lambda m: channel(m, EN)["on_air"])

    await ben.ws.send_json({"type": "booth:handover:request"})
    requested = await wait_for(
        ana.ws, lambda m: is_state(m) and m["state"]["handover"]["state"] == "requested"
    )
    switching = await wait_for(listener, lambda m: channel(m, EN)["switching"])
    await ana.ws.send_json({"type": "booth:handover:accept"})
    handed = await wait_for(ben.ws, lambda m: is_state(m) and m["state"]["active_id"] == ben.id)
    after = await wait_for(listener, lambda m: not channel(m, EN)["switching"])

    assert requested["state"]["handover"] == {"state": "requested", "from": ben.id, "to": ana.id}
    assert handed["state"]["handover"]["state"] == "idle"
    assert [
        (channel(m, EN)["on_air"], channel(m, EN)["switching"]) for m in (before, switching, after)
    ] == [
        (True, False),
        (True, True),
        (True, False),
    ]


async def test_listener_sees_the_booth_go_on_air_and_off_air(kiosk: Kiosk) -> None:
    listener = await kiosk.listener("conf", "main")
    ana = await kiosk.booth(EN, await kiosk.interpreter_token(EN, "Ana"))
    on = await wait_for(listener, lambda m: channel(m, EN)["on_air"])
    await ana.ws.send_json({"type": "booth:leave"})
    off = await wait_for(listener, lambda m: not channel(m, EN)["on_air"])
    assert (channel(on, EN)["on_air"], channel(off, EN)["on_air"]) == (True, False)


async def test_passive_interpreter_may_not_set_active(kiosk: Kiosk) -> None:
    ana = await kiosk.booth(EN, await kiosk.interpreter_token(EN, "Ana"))
    ben = await kiosk.booth(EN, await kiosk.interpreter_token(EN, "Ben"))

    await ben.ws.send_json({"type": "booth:set-active", "participant_id": ben.id, "id": "s"})
    error = await next_of_type(ben.ws, "booth:error")
    await ben.ws.send_json({"type": "ping"})
    await next_of_type(ben.ws, "pong")

    assert (error["code"], error["id"]) == ("forbidden", "s")
    assert kiosk.services.registry.snapshot(EN).active_id == ana.id


async def test_technician_may_set_active(kiosk: Kiosk) -> None:
    await kiosk.booth(EN, await kiosk.interpreter_token(EN, "Ana"))
    ben = await kiosk.booth(EN, await kiosk.interpreter_token(EN, "Ben"))
    tech = await kiosk.booth(EN, await kiosk.technician_token(EN, "Tess"))

    await tech.ws.send_json({"type": "booth:set-active", "participant_id": ben.id})
    changed = await wait_for(ben.ws, lambda m: is_state(m) and m["state"]["active_id"] == ben.id)
    assert changed["state"]["active_id"] == ben.id


async def test_technician_may_not_request_the_mic(kiosk: Kiosk) -> None:
    await kiosk.booth(EN, await kiosk.interpreter_token(EN, "Ana"))
    tech = await kiosk.booth(EN, await kiosk.technician_token(EN, "Tess"))
    await tech.ws.send_json({"type": "booth:handover:request"})
    assert (await next_of_type(tech.ws, "booth:error"))["code"] == "forbidden"


async def test_ingest_report_from_passive_interpreter_is_forbidden(kiosk: Kiosk) -> None:
    await kiosk.booth(EN, await kiosk.interpreter_token(EN, "Ana"))
    ben = await kiosk.booth(EN, await kiosk.interpreter_token(EN, "Ben"))
    await ben.ws.send_json({"type": "booth:ingest", "connected": True})
    assert (await next_of_type(ben.ws, "booth:error"))["code"] == "forbidden"
    assert kiosk.services.registry.snapshot(EN).ingest is False


async def test_reconnect_within_grace_keeps_the_mic(kiosk: Kiosk) -> None:
    token = await kiosk.interpreter_token(EN, "Ana")
    ana = await kiosk.booth(EN, token)
    ben = await kiosk.booth(EN, await kiosk.interpreter_token(EN, "Ben"))
    await ana.ws.close()
    await wait_for(ben.ws, lambda m: is_state(m) and not connected(m, ana.id))
    kiosk.clock.advance(15)
    again = await kiosk.booth(EN, token)
    assert again.joined["state"]["active_id"] == ana.id


# ---------------------------------------------------------------- chat


async def test_chat_is_broadcast_to_the_booth(kiosk: Kiosk) -> None:
    ana = await kiosk.booth(EN, await kiosk.interpreter_token(EN, "Ana"))
    ben = await kiosk.booth(EN, await kiosk.interpreter_token(EN, "Ben"))
    await ana.ws.send_json({"type": "booth:chat", "text": "water, please"})
    chat = await next_of_type(ben.ws, "booth:chat")
    assert (chat["message"]["sender_name"], chat["message"]["body"]) == ("Ana", "water, please")


async def test_chat_is_persisted_and_in_the_join_history(kiosk: Kiosk) -> None:
    ana = await kiosk.booth(EN, await kiosk.interpreter_token(EN, "Ana"))
    for text in ("one", "two"):
        await ana.ws.send_json({"type": "booth:chat", "text": text})
        await next_of_type(ana.ws, "booth:chat")
    ben = await kiosk.booth(EN, await kiosk.interpreter_token(EN, "Ben"))
    stored = await db.recent_chat(EN)
    assert [m["body"] for m in ben.joined["chat"]] == ["one", "two"]
    assert [m.body for m in stored] == ["one", "two"]


async def test_chat_from_a_socket_reaches_chat_subscribers(kiosk: Kiosk) -> None:
    heard: list[PostedChat] = []
    kiosk.app[BOOTH_RUNTIME].chat.subscribe(heard.append)
    ana = await kiosk.booth(EN, await kiosk.interpreter_token(EN, "Ana"))

    await ana.ws.send_json({"type": "booth:chat", "text": "water, please"})
    await next_of_type(ana.ws, "booth:chat")

    assert [(m.booth_id, m.sender_id, m.sender_name, m.body) for m in heard] == [
        (EN, ana.id, "Ana", "water, please")
    ]


async def test_chat_posted_in_process_is_stored_and_reaches_the_booth(kiosk: Kiosk) -> None:
    ana = await kiosk.booth(EN, await kiosk.interpreter_token(EN, "Ana"))

    posted = await kiosk.app[BOOTH_RUNTIME].chat.post(EN, "console", "Technician", "mic check")

    chat = await next_of_type(ana.ws, "booth:chat")
    assert chat["message"] == posted.as_json()
    assert [(m.id, m.body) for m in await db.recent_chat(EN)] == [(posted.message_id, "mic check")]


async def test_unsubscribed_chat_listener_hears_nothing_more(kiosk: Kiosk) -> None:
    heard: list[PostedChat] = []
    unsubscribe = kiosk.app[BOOTH_RUNTIME].chat.subscribe(heard.append)

    unsubscribe()
    await kiosk.app[BOOTH_RUNTIME].chat.post(EN, "console", "Technician", "anyone?")

    assert heard == []


async def test_a_failing_chat_listener_does_not_stop_the_message(kiosk: Kiosk) -> None:
    def explode(posted: PostedChat) -> None:
        raise RuntimeError("listener bug")

    heard: list[PostedChat] = []
    kiosk.app[BOOTH_RUNTIME].chat.subscribe(explode)
    kiosk.app[BOOTH_RUNTIME].chat.subscribe(heard.append)
    ana = await kiosk.booth(EN, await kiosk.interpreter_token(EN, "Ana"))

    await kiosk.app[BOOTH_RUNTIME].chat.post(EN, "console", "Technician", "still here")

    assert (await next_of_type(ana.ws, "booth:chat"))["message"]["body"] == "still here"
    assert [m.body for m in heard] == ["still here"]


async def test_empty_chat_text_is_refused(kiosk: Kiosk) -> None:
    ana = await kiosk.booth(EN, await kiosk.interpreter_token(EN, "Ana"))
    await ana.ws.send_json({"type": "booth:chat", "text": ""})
    assert (await next_of_type(ana.ws, "booth:error"))["code"] == "invalid_message"


async def test_compressed_booth_socket_gets_its_frames(kiosk: Kiosk) -> None:
    token = await kiosk.interpreter_token(EN, "Ana")
    ws = await kiosk.connect(f"/ws/booth/{EN}", token, compress=15)
    await ws.send_json({"type": "booth:join"})
    await next_of_type(ws, "booth:joined")
    await ws.send_json({"type": "booth:chat", "text": "deflated"})
    assert (await next_of_type(ws, "booth:chat"))["message"]["body"] == "deflated"


async def test_unregistered_booth_closes_its_sockets_with_4004(kiosk: Kiosk) -> None:
    ana = await kiosk.booth(EN, await kiosk.interpreter_token(EN, "Ana"))
    kiosk.app[BOOTH_RUNTIME].unregister(EN)
    assert await close_code(ana.ws) == 4004
