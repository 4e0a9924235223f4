"""Test support for MediaMTX in the running kiosk: the whole app on loopback with the stand-in.

`media_kiosk(tmp_path, binary=...)` builds the real `make_app` (routes, websockets, supervisor,
poller) through the harness (`tests.harness.app.running_kiosk`) over the test's SQLite
database, serves it on a real loopback port that MediaMTX's auth hook can reach, and stops
everything afterwards.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

import db
from server.keys import MEDIA
from server.mediamtx import MediaMTXSupervisor
from tests.fakes import call_api, free_port
from tests.harness.app import ClientSocket, Kiosk, make_config, make_services, running_kiosk
from tests.ws_support import channel

MEDIA_SECRET = "media-hook-secret/with&symbols"
WAIT = 10.0  # a safety net against hangs, never a measured duration


async def seed_rooms() -> None:
    """ev/main with English and German booths, and ev/hall with no booth yet."""
    await db.create_event("ev", "Event")
    await db.create_booth("ev", "main", "en", "English")
    await db.create_booth("ev", "main", "de", "Deutsch")
    await db.create_room("ev", "hall", "Hall")


@dataclass(kw_only=True)
class MediaKiosk(Kiosk):
    """The harness's kiosk with MediaMTX supervision, and the stand-in's ports."""

    api_port: int
    webrtc_port: int

    @property
    def supervisor(self) -> MediaMTXSupervisor:
        """The app's supervisor."""
        supervisor = self.app[MEDIA].supervisor
        assert supervisor is not None, "MediaMTX is disabled"
        return supervisor

    async def until_health(self, state: str) -> dict[str, Any]:
        """Poll `/healthz` until `mediamtx` says `state`; its body."""
        return await self.wait_health(lambda body: body["mediamtx"] == state)

    async def until_restarted(self) -> None:
        """Wait until the supervisor has restarted MediaMTX at least once."""
        async with asyncio.timeout(WAIT):
            while True:
                if self.supervisor.restarts > 0:
                    return
                await asyncio.sleep(0.02)

    async def configured_paths(self) -> set[str]:
        """Path names the stand-in has configured (file and API), through its own API."""
        status, body = await call_api(
            f"http://127.0.0.1:{self.api_port}", "GET", "/v3/config/paths/list?itemsPerPage=1000"
        )
        assert status == 200, body
        return {item["name"] for item in body["items"]}

    async def until_paths(self, expected: set[str]) -> set[str]:
        """Poll the stand-in until every name of `expected` is configured; all its names."""
        async with asyncio.timeout(WAIT):
            while True:
                try:
                    names = await self.configured_paths()
                except aiohttp.ClientError:
                    names = set()
                if expected <= names:
                    return names
                await asyncio.sleep(0.05)

    async def fake(self, route: str, json: Any = None) -> int:
        """Call one of the stand-in's `/_fake/…` test controls; its status."""
        status, _ = await call_api(f"http://127.0.0.1:{self.api_port}", "POST", route, json)
        return status

    async def whip(self, booth_id: str, token: str | None) -> int:
        """Publish through the kiosk's `/media` proxy, as the interpreter page does; the status."""
        headers = {"Content-Type": "application/sdp"}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        url = self.url(f"/media/{booth_id}/whip")
        async with self.session.post(url, data="v=0\r\n", headers=headers) as response:
            await response.read()
            return response.status


@asynccontextmanager
async def media_kiosk(
    tmp_path: Path,
    *,
    binary: Path | str,
    transcription: dict[str, Any] | None = None,
    **mediamtx: Any,
) -> AsyncIterator[MediaKiosk]:
    """The kiosk with `[mediamtx] binary = binary` on free ports, served on loopback.

    `transcription` is the `[transcription]` section (captions off when None).
    """
    http_port, api_port, webrtc_port = free_port(), free_port(), free_port()
    config = make_config(
        tmp_path,
        server={"port": http_port, "tls": "off"},
        mediamtx={
            "enabled": True,
            "binary": str(binary),
            "api_port": api_port,
            "metrics_port": free_port(),
            "webrtc_port": webrtc_port,
            "webrtc_udp_port": free_port(),
            "rtsp_port": free_port(),
            **mediamtx,
        },
        **({"transcription": transcription} if transcription else {}),
    )
    services = make_services(media_secret=MEDIA_SECRET)
    async with running_kiosk(
        config,
        services,
        port=http_port,
        kind=MediaKiosk,
        api_port=api_port,
        webrtc_port=webrtc_port,
    ) as kiosk:
        yield kiosk


async def next_where(
    ws: ClientSocket, predicate: Callable[[dict[str, Any]], bool]
) -> dict[str, Any]:
    """Skip socket frames until one satisfies `predicate`."""
    async with asyncio.timeout(WAIT):
        while True:
            message = await ws.receive()
            assert message.type is aiohttp.WSMsgType.TEXT, f"expected a frame, got {message}"
            data: dict[str, Any] = message.json()
            if predicate(data):
                return data


def on_air(booth_id: str) -> Callable[[dict[str, Any]], bool]:
    """Predicate: a `listen:state` where `booth_id` is on air."""
    return lambda m: m["type"] == "listen:state" and channel(m, booth_id)["on_air"] is True


def off_air(booth_id: str) -> Callable[[dict[str, Any]], bool]:
    """Predicate: a `listen:state` where `booth_id` is off air."""
    return lambda m: m["type"] == "listen:state" and channel(m, booth_id)["on_air"] is False


def hook_request(action: str, path: str, token: str = "", **fields: Any) -> dict[str, Any]:
    """An auth-hook request as MediaMTX posts it for a WHIP/WHEP offer (the exact ten fields
    recorded from the real binary in docs/mediamtx.md); `fields` override any of them."""
    return {
        "ip": "192.168.1.50",
        "user": "",
        "password": "",
        "token": token,
        "action": action,
        "path": path,
        "protocol": "webrtc",
        "id": None,
        "query": "",
        "userAgent": "Mozilla/5.0",
        **fields,
    }
