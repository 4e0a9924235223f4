"""Test support for the websocket layer: a real app on a loopback TestServer, and socket helpers.

The app is the websocket layer alone (`web.Application()` + `setup_websockets`), with real
SQLite, real tokens and a clock the test can move.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer

import db
from server.auth.credentials import create_booth_token, create_listener_token, create_user_token
from server.config import Config
from server.keys import CONFIG, SERVICES
from server.secrets.fernet_keys import generate_key
from server.secrets.store import KioskSecrets
from server.services import Services
from server.ws import setup_websockets
from tests.harness.clock import FakeClock

EN = "conf/main/en"
FR = "conf/main/fr"
PIN_EN = "pin/main/en"
LISTENER_CODE = "4321"
WAIT = 5.0  # a safety net against hangs, never a measured duration

ClientSocket = aiohttp.ClientWebSocketResponse


async def seed_venue() -> None:
    """conf/main with English and French booths, and pin/main (listener code) with English."""
    await db.create_event("conf", "Conference")
    await db.create_booth("conf", "main", "en", "English")
    await db.create_booth("conf", "main", "fr", "Français")
    await db.create_room("conf", "hall", "Hall")
    await db.create_event("pin", "Private", listener_code=LISTENER_CODE)
    await db.create_booth("pin", "main", "en", "English")


def make_secrets() -> KioskSecrets:
    """Fresh secrets for one test kiosk."""
    return KioskSecrets(jwt_key="k" * 48, fernet_keys=(generate_key(),), media_secret="media")


def small_receive_buffer(addr_info: Any) -> socket.socket:
    """A client socket with a tiny receive buffer, so a client that stops reading backs up fast."""
    family, kind, proto, _, _ = addr_info
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    return sock


@dataclass
class Member:
    """A joined booth socket: the socket, the participant id and the `booth:joined` frame."""

    ws: ClientSocket
    id: str
    joined: dict[str, Any]


@dataclass
class Kiosk:
    """A running websocket app and a client session talking to it."""

    app: web.Application
    server: TestServer
    session: aiohttp.ClientSession
    services: Services
    clock: FakeClock

    @property
    def key(self) -> str:
        """The JWT signing key."""
        return self.services.secrets.jwt_key

    def url(self, path: str) -> str:
        """A ws:// URL on the test server."""
        return str(self.server.make_url(path)).replace("http://", "ws://", 1)

    async def interpreter_token(self, booth_id: str, name: str) -> str:
        """A session token from a real interpreter invite of the booth."""
        invite = await db.create_invite_token(booth_id, "interpreter")
        return create_booth_token(
            f"invite:{invite.id}", booth_id, "interpreter", name, key=self.key
        )

    async def technician_token(self, booth_id: str, name: str) -> str:
        """A session token from a real technician invite of the booth's event."""
        invite = await db.create_invite_token(booth_id, "technician")
        return create_booth_token(f"invite:{invite.id}", booth_id, "technician", name, key=self.key)

    async def admin_token(self) -> str:
        """A login token of an admin account."""
        user = await db.create_user("admin@example.org", "x", "Admin", is_admin=True)
        return create_user_token(user.id, user.email, user.display_name, True, key=self.key)

    def listener_token(self, event: str, room: str) -> str:
        """A listener token for one room."""
        return create_listener_token(event, room, key=self.key)

    async def connect(self, path: str, token: str | None = None, **kwargs: Any) -> ClientSocket:
        """Open a websocket, with `?token=` when given."""
        params = {"token": token} if token else None
        return await self.session.ws_connect(self.url(path), params=params, **kwargs)

    async def booth(self, booth_id: str, token: str, **join: Any) -> Member:
        """Open the booth socket, join, and wait for `booth:joined`."""
        ws = await self.connect(f"/ws/booth/{booth_id}", token)
        await ws.send_json({"type": "booth:join", **join})
        joined = await next_of_type(ws, "booth:joined")
        return Member(ws, joined["participant"]["participant_id"], joined)

    async def listener(self, event: str, room: str, token: str | None = None) -> ClientSocket:
        """Open a listener socket and wait for its first `listen:state`."""
        ws = await self.connect(f"/ws/listen/{event}/{room}", token)
        await next_of_type(ws, "listen:state")
        return ws


@asynccontextmanager
async def running_kiosk(clock: FakeClock | None = None) -> AsyncIterator[Kiosk]:
    """Start the websocket app on loopback over the already opened database; stop it after."""
    clock = clock or FakeClock()
    services = Services(secrets=make_secrets(), clock=clock, open_database=False)
    app = web.Application()
    app[CONFIG] = Config()
    app[SERVICES] = services
    setup_websockets(app)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    session = aiohttp.ClientSession()
    try:
        yield Kiosk(app, server, session, services, clock)
    finally:
        await session.close()
        await server.close()


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
    return message["type"] == "booth:state"


def connected(message: dict[str, Any], participant_id: str) -> bool:
    """Whether a participant shows as connected in a `booth:state` frame."""
    return any(
        p["connected"]
        for p in message["state"]["participants"]
        if p["participant_id"] == participant_id
    )
