"""The auth hook with the requests the real MediaMTX sends.

First a recording hook shows exactly what MediaMTX POSTs for a WHIP publish, a WHEP read and an
RTSP read (docs/mediamtx.md lists these fields); then the kiosk's own hook decides real
requests from the real binary.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from tests.fakes import FakeMediaMTX, free_port, kiosk_config
from tests.functional.real_media.binary import require_real_mediamtx
from tests.media_support import MediaKiosk, media_kiosk, seed_rooms

BINARY = require_real_mediamtx()
pytestmark = pytest.mark.anyio

EN = "ev/main/en"
SECRET = "s3cret/&"
FIELDS = {
    "user", "password", "token", "ip", "action", "path", "protocol", "id", "query", "userAgent",
}  # fmt: skip


@dataclass
class Recorder:
    """A hook that records every body and allows only the token or password `good`."""

    bodies: list[dict[str, Any]] = field(default_factory=list)
    secrets: list[str] = field(default_factory=list)

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.bodies.append(body)
        self.secrets.append(request.query.get("secret", ""))
        good = "good" in (body.get("token"), body.get("password"))
        return web.Response(status=200 if good else 401)


@dataclass
class Rig:
    """The real MediaMTX whose hook is the recorder."""

    mediamtx: FakeMediaMTX
    recorder: Recorder
    webrtc_port: int
    rtsp_port: int

    async def offer(self, kind: str, token: str, query: str = "") -> int:
        """A WHIP/WHEP POST with a bearer token (an SDP without tracks: MediaMTX says 406)."""
        url = f"http://127.0.0.1:{self.webrtc_port}/{EN}/{kind}{query}"
        headers = {
            "Content-Type": "application/sdp",
            "Authorization": f"Bearer {token}",
            "User-Agent": "voxbento-test",
        }
        async with (
            aiohttp.ClientSession() as http,
            http.post(url, data="v=0\r\n", headers=headers) as r,
        ):
            return r.status


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[Rig]:
    """A recording hook on a free port and the real MediaMTX calling it."""
    recorder = Recorder()
    app = web.Application()
    app.router.add_post("/mediamtx/auth", recorder.handle)
    hook = TestServer(app, host="127.0.0.1", port=free_port())
    await hook.start_server()
    api_port, webrtc_port, rtsp_port = free_port(), free_port(), free_port()
    text = kiosk_config(
        api_port=api_port, paths=[EN], webrtc_port=webrtc_port, hook_port=hook.port, secret=SECRET
    )
    text = _set_rtsp_port(text, rtsp_port)
    config = tmp_path / "mediamtx.yml"
    config.write_text(text)
    try:
        async with FakeMediaMTX(config, api_port, binary=BINARY) as mediamtx:
            yield Rig(mediamtx, recorder, webrtc_port, rtsp_port)
    finally:
        await hook.close()


def _set_rtsp_port(text: str, port: int) -> str:
    lines = [
        f'rtspAddress: "127.0.0.1:{port}"' if line.startswith("rtspAddress:") else line
        for line in text.splitlines()
    ]
    return "\n".join(lines) + "\n"


async def test_a_whip_publish_sends_these_fields(rig: Rig) -> None:
    assert await rig.offer("whip", "good", "?lang=en") == 406  # allowed, then no track
    [body] = rig.recorder.bodies
    assert set(body) == FIELDS
    assert isinstance(body["id"], str) and len(body["id"]) == 36  # the session's UUID
    # WebRTC gets the raw query string; the bearer token arrives as `token`.
    assert {**body, "id": "…"} == {
        "ip": "127.0.0.1",
        "user": "",
        "password": "",
        "token": "good",
        "action": "publish",
        "path": EN,
        "protocol": "webrtc",
        "id": "…",
        "query": "lang=en",
        "userAgent": "voxbento-test",
    }
    assert rig.recorder.secrets == [SECRET]


async def test_a_whep_read_sends_action_read_and_a_refusal_is_a_401(rig: Rig) -> None:
    assert await rig.offer("whep", "bad") == 401
    [body] = rig.recorder.bodies
    assert (body["action"], body["protocol"], body["token"], body["query"]) == (
        "read",
        "webrtc",
        "bad",
        "",
    )


async def test_an_rtsp_read_sends_user_and_password(rig: Rig) -> None:
    url = f"rtsp://reader:good@127.0.0.1:{rig.rtsp_port}/{EN}"
    probe = await asyncio.create_subprocess_exec(
        "ffprobe", "-v", "error", "-rtsp_transport", "tcp", "-show_entries", "stream=codec_name",
        "-of", "csv=p=0", url,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    async with asyncio.timeout(20):
        out, err = await probe.communicate()
    # The always-available booth path serves its Opus track even before anyone publishes.
    assert out.decode().split() == ["opus"], err.decode()
    asked = [(b["user"], b["password"], b["action"], b["protocol"]) for b in rig.recorder.bodies]
    # RTSP asks without credentials first; MediaMTX answers 401 and the client retries.
    assert asked[-1] == ("reader", "good", "read", "rtsp")
    # MediaMTX copies an RTSP password into `token` as well.
    assert rig.recorder.bodies[-1]["token"] == "good"


@pytest.fixture
async def kiosk(memory_db: None, tmp_path: Path) -> AsyncIterator[MediaKiosk]:
    """The whole kiosk (its own hook) with the real MediaMTX."""
    await seed_rooms()
    async with media_kiosk(tmp_path, binary=BINARY) as running:
        await running.until_health("running")
        yield running


async def test_the_kiosk_hook_decides_what_the_real_mediamtx_asks(kiosk: MediaKiosk) -> None:
    ana = await kiosk.invite_token(EN)
    listener = kiosk.listener_token("ev", "main")
    # Allowed requests get past the hook (406: the test's offer carries no audio track).
    assert await kiosk.whip(EN, ana) == 406
    assert await kiosk.whip(EN, None) == 401
    assert await kiosk.whip(EN, listener) == 401
    assert await kiosk.whip("ev/main/de", ana) == 401
    assert await kiosk.whip("ev/main/floor", ana) == 401
