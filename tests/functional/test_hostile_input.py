"""Hostile input at every door: deep nesting, over-long URL parts and lone surrogates.

Each case is sent the way an attacker on the venue Wi-Fi (or a careless file) would send it:
a websocket frame, an HTTP request or a CLI run. None may produce a 500, a traceback, or a
booth whose updates stop for everyone.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from tests.cli_support import Cli, Site, one_error_line, run_process
from tests.harness.app import Kiosk, make_config, make_services, running_kiosk
from tests.harness.clock import FakeClock
from tests.server_support import seed_booth, serve
from tests.ws_support import EN, next_message, next_of_type, seed_venue

DEEP_JSON = '{"type": "booth:chat", "text": ' + "[" * 20_000 + "]" * 20_000 + "}"
LONE_SURROGATE_JSON = '"Ana \\ud800"'  # a JSON escape that decodes to a lone surrogate


@pytest.fixture
async def kiosk(memory_db: None) -> AsyncIterator[Kiosk]:
    """The websocket layer over a seeded in-memory database."""
    await seed_venue()
    async with running_kiosk(clock=FakeClock()) as running:
        yield running


@pytest.fixture
async def site_server(memory_db: None, tmp_path: Path) -> AsyncIterator[TestServer]:
    """The whole app (middleware, routes, static files) over a seeded database."""
    await seed_booth("pycon")
    async with serve(make_config(tmp_path), make_services()) as server:
        yield server


# ---------------------------------------------------------------- nesting


@pytest.mark.anyio
@pytest.mark.parametrize("socket", ["booth", "listen"])
async def test_deeply_nested_json_frame_gets_booth_error_and_the_socket_lives(
    kiosk: Kiosk, socket: str
) -> None:
    if socket == "booth":
        ws = await kiosk.connect(f"/ws/booth/{EN}", await kiosk.interpreter_token(EN, "Ana"))
    else:
        ws = await kiosk.listener("conf", "main")
    await ws.send_str(DEEP_JSON)
    error = await next_of_type(ws, "booth:error")
    assert error["code"] == "invalid_json"
    await ws.send_json({"type": "ping"})
    assert (await next_of_type(ws, "pong"))["type"] == "pong"


def nested_toml(depth: int) -> str:
    return "x = " + "[" * depth + "]" * depth + "\n"


@pytest.mark.slow  # a real subprocess
def test_deeply_nested_config_file_is_one_line_exit_2(tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text(nested_toml(5000))
    result = run_process(tmp_path, "init", "--config", str(config))
    assert result.code == 2
    line = one_error_line(result)
    assert str(config) in line and "nested too deeply" in line


def test_deeply_nested_event_file_is_one_line_exit_2(site: Site, cli: Cli) -> None:
    event_file = site.folder / "nested.toml"
    event_file.write_text(nested_toml(5000))
    before = site.snapshot()
    result = cli("event", "import", str(event_file))
    assert result.code == 2
    assert "nested too deeply" in one_error_line(result)
    assert site.snapshot() == before


# ---------------------------------------------------------------- over-long URL parts

LONG = "a" * 5000
OVERSIZED_PATHS = [
    f"/listen/{LONG}/main",
    f"/listen/pycon/{LONG}",
    "/listen/pycon/" + "b" * 41,
    f"/join/{LONG}",
    "/join/" + "t" * 65,
    f"/qr/invite/{LONG}.svg",
    "/qr/invite/" + "t" * 65 + ".svg",
    f"/qr/listen/pycon/{LONG}.svg",
    f"/static/{LONG}",
    "/static/" + "f" * 300,
    f"/ws/listen/{LONG}/main",
    f"/ws/listen/pycon/{LONG}",
    "/ws/listen/pycon/" + "r" * 41,
    f"/ws/booth/pycon/main/{LONG}",
]


@pytest.mark.anyio
@pytest.mark.parametrize("path", OVERSIZED_PATHS, ids=lambda p: p[:24])
async def test_over_long_url_parts_are_404_not_500(site_server: TestServer, path: str) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.get(site_server.make_url(path)) as response,
    ):
        assert response.status == 404, await response.text()


@pytest.mark.anyio
async def test_over_long_room_on_the_listener_socket_is_refused_as_unknown(
    site_server: TestServer,
) -> None:
    url = str(site_server.make_url(f"/ws/listen/pycon/{LONG}")).replace("http", "ws", 1)
    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await session.ws_connect(url)
    assert refused.value.status == 404


# ---------------------------------------------------------------- lone surrogates


@pytest.mark.anyio
async def test_lone_surrogate_in_a_display_name_is_refused_and_the_booth_keeps_talking(
    kiosk: Kiosk,
) -> None:
    ana = await kiosk.booth(EN, await kiosk.interpreter_token(EN, "Ana"))
    tech = await kiosk.connect(f"/ws/booth/{EN}", await kiosk.technician_token(EN, "Tech"))
    await tech.send_str('{"type": "booth:join", "display_name": ' + LONE_SURROGATE_JSON + "}")
    error = await next_message(tech)
    assert error["type"] == "booth:error" and error["code"] == "invalid_json"
    # The booth still works for everybody: a chat line reaches Ana, a good join reaches Tech.
    await ana.ws.send_json({"type": "booth:chat", "text": "still here"})
    assert (await next_of_type(ana.ws, "booth:chat"))["message"]["body"] == "still here"
    await tech.send_json({"type": "booth:join", "display_name": "Sound desk"})
    joined = await next_of_type(tech, "booth:joined")
    assert [m["body"] for m in joined["chat"]] == ["still here"]


@pytest.mark.anyio
async def test_lone_surrogate_in_chat_is_refused_and_chat_keeps_flowing(kiosk: Kiosk) -> None:
    ana = await kiosk.booth(EN, await kiosk.interpreter_token(EN, "Ana"))
    ben = await kiosk.booth(EN, await kiosk.interpreter_token(EN, "Ben"))
    await ana.ws.send_str('{"type": "booth:chat", "id": 9, "text": ' + LONE_SURROGATE_JSON + "}")
    error = await next_of_type(ana.ws, "booth:error")
    assert error["code"] == "invalid_json"
    await ana.ws.send_json({"type": "booth:chat", "text": "hello 😀"})
    assert (await next_of_type(ben.ws, "booth:chat"))["message"]["body"] == "hello 😀"
    assert (await next_of_type(ana.ws, "booth:chat"))["message"]["body"] == "hello 😀"


@pytest.mark.anyio
async def test_lone_surrogate_as_listener_code_is_a_wrong_code(
    memory_db: None, tmp_path: Path
) -> None:
    await seed_booth("pin", code="4321")
    async with (
        serve(make_config(tmp_path), make_services()) as server,
        aiohttp.ClientSession() as session,
    ):
        response = await session.post(
            server.make_url("/listen/pin/main/token"),
            data='{"code": "\\ud800"}',
            headers={"Content-Type": "application/json", "Accept": "application/json"},
        )
        assert response.status == 403, await response.text()


@pytest.mark.slow  # a real subprocess
def test_invite_label_that_is_not_unicode_is_refused_at_the_cli(site: Site) -> None:
    # Bytes that are not UTF-8 reach Python as lone surrogates (surrogateescape).
    before = site.snapshot()
    result = run_process(
        site.folder,
        "invite",
        "create",
        "pycon2026/main/en",
        "--role",
        "interpreter",
        "--label",
        "Ana \udcff",
        "--config",
        str(site.config),
    )
    assert result.code == 2
    assert "not valid Unicode" in one_error_line(result)
    assert site.snapshot() == before
