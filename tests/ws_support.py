"""Test support for the websocket layer: seed data and socket helpers.

The kiosk is the whole app from `tests.harness.app.running_kiosk`, with real SQLite, real
tokens and a clock the test can move; `Kiosk` and `Member` are the harness's.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
from typing import Any

import aiohttp

import db
from tests.harness.app import ClientSocket

EN = "conf/main/en"
FR = "conf/main/fr"
PIN_EN = "pin/main/en"
LISTENER_CODE = "4321"
WAIT = 5.0  # a safety net against hangs, never a measured duration


async def seed_venue() -> None:
    """conf/main with English and French booths, and pin/main (listener code) with English."""
    await db.create_event("conf", "Conference")
    await db.create_booth("conf", "main", "en", "English")
    await db.create_booth("conf", "main", "fr", "Français")
    await db.create_room("conf", "hall", "Hall")
    await db.create_event("pin", "Private", listener_code=LISTENER_CODE)
    await db.create_booth("pin", "main", "en", "English")


def small_receive_buffer(addr_info: Any) -> socket.socket:
    """A client socket with a tiny receive buffer, so a client that stops reading backs up fast."""
    family, kind, proto, _, _ = addr_info
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    return sock


async def next_message(ws: ClientSocket) -> dict[str, Any]:
    """The next JSON frame; fails if the socket closes first."""
    async with asyncio.timeout(WAIT):
        message = await ws.receive()
    assert message.type is aiohttp.WSMsgType.TEXT, f"expected a frame, got {message}"
    data: dict[str, Any] = message.json()
    return data


async def next_of_type(ws: ClientSocket, kind: str) -> dict[str, Any]:
    """Skip frames until one of type `kind` arrives."""
    while True:
        data = await next_message(ws)
        if data["type"] == kind:
            return data


async def wait_for(ws: ClientSocket, predicate: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    """Skip frames until one satisfies `predicate`."""
    while True:
        data = await next_message(ws)
        if predicate(data):
            return data


async def close_code(ws: ClientSocket) -> int | None:
    """Read until the server closes the socket; the close code it sent."""
    async with asyncio.timeout(WAIT):
        while True:
            message = await ws.receive()
            # The frame's own code: answering it may fail once the server is gone (then the
            # client's `close_code` turns into 1006).
            if message.type is aiohttp.WSMsgType.CLOSE:
                code: int = message.data
                return code
            if message.type in (aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
                return ws.close_code


def channel(state: dict[str, Any], booth_id: str) -> dict[str, Any]:
    """One channel of a `listen:state`."""
    return next(c for c in state["channels"] if c["booth_id"] == booth_id)


def is_state(message: dict[str, Any]) -> bool:
    """True for a `booth:state` frame."""
    return bool(message["type"] == "booth:state")


def connected(message: dict[str, Any], participant_id: str) -> bool:
    """Whether a participant shows as connected in a `booth:state` frame."""
    return any(
        p["connected"]
        for p in message["state"]["participants"]
        if p["participant_id"] == participant_id
    )
