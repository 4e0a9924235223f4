"""The whole chain: supervisor → MediaMTX stand-in → auth hook (`decide`) → WHIP answer.

The hook here is a minimal stand-in for the kiosk's `POST /mediamtx/auth` route: it checks the
shared secret and asks `decide`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import anyio
import jwt
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from server.mediamtx.auth_hook import decide
from server.mediamtx.config_file import render_mediamtx_config
from server.mediamtx.supervisor import MediaMTXSupervisor
from tests.fakes import free_port, write_fake_binary

# Slow: each test starts the stand-in MediaMTX as a child process.
pytestmark = [pytest.mark.anyio, pytest.mark.slow]

KEY = "chain-test-signing-key-32-bytes-long!"
SECRET = "s3cret/with&symbols"
BOOTHS = ["ev/main/en", "ev/main/de", "ev/main/floor"]


def token(**claims: Any) -> str:
    return jwt.encode({**claims, "exp": int(time.time()) + 600}, KEY, algorithm="HS256")


def decode(value: str) -> dict[str, Any]:
    claims: dict[str, Any] = jwt.decode(value, KEY, algorithms=["HS256"])
    return claims


async def auth_route(request: web.Request) -> web.Response:
    if request.query.get("secret") != SECRET:
        return web.Response(status=403)
    allowed = decide(await request.json(), decode=decode, now=time.time())
    return web.Response(status=200 if allowed else 401)


@pytest.fixture
async def whip_base(tmp_path: Path) -> AsyncIterator[str]:
    app = web.Application()
    app.router.add_post("/mediamtx/auth", auth_route)
    hook = TestServer(app, host="127.0.0.1")
    await hook.start_server()
    api_port, webrtc_port = free_port(), free_port()

    def render() -> str:
        return render_mediamtx_config(
            api_port=api_port,
            rtsp_port=free_port(),
            webrtc_port=webrtc_port,
            webrtc_udp_port=free_port(),
            webrtc_additional_hosts=[],
            auth_hook_port=hook.port or 0,
            auth_secret=SECRET,
            path_names=BOOTHS,
            metrics_port=free_port(),
        )

    supervisor = MediaMTXSupervisor(
        write_fake_binary(tmp_path / "bin"),
        tmp_path / "mediamtx.yml",
        render,
        api_port,
        lambda: BOOTHS,
    )
    async with supervisor:
        with anyio.fail_after(5):
            while True:
                if supervisor.state == "running":
                    break
                await asyncio.sleep(0.02)
        yield f"http://127.0.0.1:{webrtc_port}"
    await hook.close()


async def whip(base: str, path: str, bearer: str) -> int:
    headers = {"Content-Type": "application/sdp", "Authorization": f"Bearer {bearer}"}
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{base}/{path}/whip", data="v=0\r\n", headers=headers) as response,
    ):
        return response.status


async def test_an_interpreter_publishes_on_their_booth(whip_base: str) -> None:
    interpreter = token(typ="booth", scope="ev/main/en", role="interpreter")
    assert await whip(whip_base, "ev/main/en", interpreter) == 201


async def test_an_interpreter_is_refused_on_another_booth(whip_base: str) -> None:
    interpreter = token(typ="booth", scope="ev/main/en", role="interpreter")
    assert await whip(whip_base, "ev/main/de", interpreter) == 401


async def test_a_listener_is_refused_when_publishing(whip_base: str) -> None:
    assert await whip(whip_base, "ev/main/en", token(typ="listener", scope="ev/main")) == 401


async def test_an_unconfigured_path_is_refused_before_the_hook(whip_base: str) -> None:
    interpreter = token(typ="booth", scope="ev/main/it", role="interpreter")
    assert await whip(whip_base, "ev/main/it", interpreter) == 400
