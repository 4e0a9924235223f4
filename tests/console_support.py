"""Test support for the console: seed data, waiting on the screen, and booth sockets.

The console itself comes from `tests.harness.console` (`running_console`), on a fresh SQLite
database in a temporary folder, with its real aiohttp server on free loopback ports when a test
needs the network.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp

import db
from kiosk.app import KioskApp
from server.auth.credentials import create_booth_token
from tests.harness.console import WAIT


async def seed_booths() -> None:
    """conf/main with English and German booths, and conf/hall with French."""
    await db.create_event("conf", "Conference")
    await db.create_booth("conf", "main", "en", "English")
    await db.create_booth("conf", "main", "de", "Deutsch")
    await db.create_room("conf", "hall", "Hall B")
    await db.create_booth("conf", "hall", "fr", "Français")


async def wait_until(pilot: Any, condition: Any, what: str) -> None:
    """Let the app run until `condition()` holds (or fail after WAIT seconds)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.05)


def text_of(widget: Any) -> str:
    """The plain text a Static (or Label) shows."""
    return str(widget.render())


async def interpreter_socket(
    session: aiohttp.ClientSession, app: KioskApp, booth_id: str, name: str
) -> tuple[aiohttp.ClientWebSocketResponse, str]:
    """Open a booth socket as an interpreter with a real invite; returns it and the participant
    id once `booth:joined` arrived."""
    assert app.host is not None and app.host.running is not None
    invite = await db.create_invite_token(booth_id, "interpreter")
    pid = f"invite:{invite.id}"
    token = create_booth_token(pid, booth_id, "interpreter", name, key=app.services.secrets.jwt_key)
    url = f"http://127.0.0.1:{app.host.running.http_port}/ws/booth/{booth_id}"
    ws = await session.ws_connect(url, params={"token": token})
    await ws.send_json({"type": "booth:join", "display_name": name})
    await next_frame(ws, "booth:joined")
    return ws, pid


async def next_frame(
    ws: aiohttp.ClientWebSocketResponse, kind: str, **match: Any
) -> dict[str, Any]:
    """The next frame of type `kind` whose top-level fields match, skipping others."""
    async with asyncio.timeout(WAIT):
        while True:
            received = await ws.receive()
            if received.type != aiohttp.WSMsgType.TEXT:
                raise AssertionError(
                    f"socket ended: {received.type} {received.data} {received.extra}"
                )
            frame = json.loads(received.data)
            if frame["type"] == kind and all(frame.get(k) == v for k, v in match.items()):
                return frame  # type: ignore[no-any-return]
