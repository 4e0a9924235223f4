"""The one factory for a running kiosk in tests: the real app on a loopback port.

`running_kiosk(...)` builds `make_app` with test config and services, serves it on a free
loopback port (or the one given), opens a client session, and stops everything afterwards.
The database is the test's own (the `memory_db` / `file_db` fixtures, or the caller's
`db.init_db`): the kiosk never opens or closes it.

Suites that need more than the common helpers subclass `Kiosk` (`kind=`) and pass their extra
fields through `running_kiosk(..., **fields)`.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer

import db
from server.app import make_app
from server.auth.credentials import (
    create_booth_token,
    create_listener_token,
    create_user_token,
    new_signing_key,
)
from server.config import Config, parse_config
from server.secrets.fernet_keys import generate_key
from server.secrets.store import KioskSecrets
from server.services import Services
from tests.harness.clock import FakeClock

WAIT = 10.0  # a safety net against hangs, never a measured duration
MEDIA_SECRET = "media-secret"

ClientSocket = aiohttp.ClientWebSocketResponse


def make_config(tmp_path: Path, **sections: dict[str, Any]) -> Config:
    """A config rooted in `tmp_path` (data in `tmp_path/data`), MediaMTX off; each keyword is a
    section whose keys override the defaults."""
    data: dict[str, dict[str, Any]] = {
        "kiosk": {"data_dir": str(tmp_path / "data")},
        "mediamtx": {"enabled": False},
    }
    for name, values in sections.items():
        data.setdefault(name, {}).update(values)
    return parse_config(data, source=tmp_path / "kiosk.toml")


def make_secrets(media_secret: str = MEDIA_SECRET) -> KioskSecrets:
    """Fresh secrets for one test kiosk (a restart test keeps them, as the data folder would)."""
    return KioskSecrets(new_signing_key(), (generate_key(),), media_secret)


def make_services(
    clock: Callable[[], float] | None = None,
    *,
    secrets: KioskSecrets | None = None,
    media_secret: str = MEDIA_SECRET,
    open_database: bool = False,
) -> Services:
    """`secrets` (fresh ones with `media_secret` when None) and `clock` (real time when None);
    the test owns the database unless `open_database` says the app opens it from its config."""
    secrets = secrets or make_secrets(media_secret)
    return Services(secrets=secrets, clock=clock or time.time, open_database=open_database)


@dataclass
class Member:
    """A joined booth socket: the socket, the participant id and the `booth:joined` frame."""

    ws: ClientSocket
    id: str
    joined: dict[str, Any]


@dataclass(kw_only=True, repr=False)
class Kiosk:
    """A running kiosk: the app, its loopback server, a client session and its services."""

    app: web.Application
    server: TestServer
    session: aiohttp.ClientSession
    services: Services
    patience: float = WAIT
    """How long `wait_health` waits before it fails (a safety net, never a measurement)."""

    @property
    def clock(self) -> FakeClock:
        """The kiosk's fake clock, to move time (the test passed `clock=FakeClock(...)`)."""
        clock = self.services.clock
        assert isinstance(clock, FakeClock), "this kiosk runs on real time: pass a FakeClock"
        return clock

    @property
    def key(self) -> str:
        """The JWT signing key, to mint tokens as the kiosk would."""
        return self.services.secrets.jwt_key

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:PORT`, without a trailing slash."""
        return f"http://{self.server.host}:{self.server.port}"

    @property
    def origin(self) -> str:
        """The server's own origin, as a browser would send it."""
        return self.base_url

    def url(self, path: str, scheme: str = "http") -> str:
        """A URL on the kiosk (`scheme` "ws" for a websocket)."""
        return str(self.server.make_url(path)).replace("http://", f"{scheme}://", 1)

    def ws_url(self, path: str) -> str:
        """A ws:// URL on the kiosk."""
        return self.url(path, "ws")

    async def healthz(self) -> dict[str, Any]:
        """The body of `GET /healthz`."""
        async with self.session.get(self.url("/healthz")) as response:
            body: dict[str, Any] = await response.json()
        return body

    async def wait_health(self, predicate: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        """Poll /healthz until `predicate(body)` holds; the body."""
        async with asyncio.timeout(self.patience):
            while True:
                body = await self.healthz()
                if predicate(body):
                    return body
                await asyncio.sleep(0.05)

    async def invite_token(
        self, booth_id: str, role: str = "interpreter", name: str = "Ana", **extra: Any
    ) -> str:
        """A booth session token from a real invite of the booth (interpreter or technician)."""
        invite = await db.create_invite_token(booth_id, role)
        return create_booth_token(
            f"invite:{invite.id}", booth_id, role, name, key=self.key, **extra
        )

    async def interpreter_token(self, booth_id: str, name: str) -> str:
        """A session token from a real interpreter invite of the booth."""
        return await self.invite_token(booth_id, "interpreter", name)

    async def technician_token(self, booth_id: str, name: str) -> str:
        """A session token from a real technician invite of the booth's event."""
        return await self.invite_token(booth_id, "technician", name)

    def booth_token(
        self, participant_id: str, booth_id: str, name: str, role: str = "interpreter"
    ) -> str:
        """A booth token for `participant_id`, like the one `/join` puts in the cookie."""
        return create_booth_token(participant_id, booth_id, role, name, key=self.key)

    async def admin_token(self, email: str = "admin@example.org") -> str:
        """A login token of a new admin account."""
        user = await db.create_user(email, "x", "Admin", is_admin=True)
        return create_user_token(user.id, user.email, user.display_name, True, key=self.key)

    def listener_token(self, event: str, room: str, **extra: Any) -> str:
        """A listener token of one room."""
        return create_listener_token(event, room, key=self.key, **extra)

    async def connect(self, path: str, token: str | None = None, **kwargs: Any) -> ClientSocket:
        """Open a websocket, with `?token=` when given."""
        params = {"token": token} if token else None
        ws: ClientSocket = await self.session.ws_connect(self.ws_url(path), params=params, **kwargs)
        return ws

    async def booth(self, booth_id: str, token: str, **join: Any) -> Member:
        """Open the booth socket, join, and wait for `booth:joined`."""
        ws = await self.connect(f"/ws/booth/{booth_id}", token)
        await ws.send_json({"type": "booth:join", **join})
        joined = await _next_of_type(ws, "booth:joined")
        return Member(ws, joined["participant"]["participant_id"], joined)

    async def listener(self, event: str, room: str, token: str | None = None) -> ClientSocket:
        """Open a listener socket and wait for its first `listen:state`."""
        ws = await self.connect(f"/ws/listen/{event}/{room}", token)
        await _next_of_type(ws, "listen:state")
        return ws


async def _next_of_type(ws: ClientSocket, kind: str) -> dict[str, Any]:
    async with asyncio.timeout(WAIT):
        while True:
            message = await ws.receive()
            assert message.type is aiohttp.WSMsgType.TEXT, f"expected a frame, got {message}"
            data: dict[str, Any] = message.json()
            if data["type"] == kind:
                return data


K = TypeVar("K", bound=Kiosk)


@asynccontextmanager
async def running_kiosk(
    config: Config | None = None,
    services: Services | None = None,
    *,
    clock: Callable[[], float] | None = None,
    port: int | None = None,
    prepare: Callable[[web.Application], None] | None = None,
    kind: type[K] = Kiosk,  # type: ignore[assignment]
    **fields: Any,
) -> AsyncIterator[K]:
    """The real app on loopback over the test's open database; stopped afterwards.

    `config`: from `make_config` (None: a temporary data folder, defaults otherwise).
    `services`: from `make_services` (None: fresh ones on `clock`). `port`: a fixed port from
    `tests.fakes.free_port` when something outside must know it first. `prepare(app)` runs
    before the server starts (to fill a seam). `kind` and `fields`: a `Kiosk` subclass and
    its extra fields.
    """
    async with AsyncExitStack() as stack:
        if config is None:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
            config = make_config(folder)
        services = services or make_services(clock)
        app = make_app(config, services)
        if prepare is not None:
            prepare(app)
        server = (
            TestServer(app, host="127.0.0.1")
            if port is None
            else TestServer(app, host="127.0.0.1", port=port)
        )
        await server.start_server()
        stack.push_async_callback(server.close)
        session = await stack.enter_async_context(aiohttp.ClientSession())
        yield kind(app=app, server=server, session=session, services=services, **fields)
