"""Test support for the console: config, services, a frozen clock and booth sockets.

The console is built by `create_app`, on a fresh SQLite database in a temporary folder, with
its real aiohttp server on free loopback ports when a test needs the network.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp

import db
from kiosk.app import KioskApp, create_app
from server.auth.credentials import create_booth_token
from server.config import Config, parse_config
from server.secrets.fernet_keys import generate_key
from server.secrets.store import KioskSecrets
from server.services import Services

SIZE = (140, 45)
WAIT = 10.0  # a safety net against hangs, never a measured duration


def make_config(data_dir: Path, mediamtx: dict[str, Any] | None = None, **kiosk: Any) -> Config:
    """Loopback, free ports, TLS off, fixed public URLs; MediaMTX off unless `mediamtx` says."""
    return parse_config(
        {
            "kiosk": {
                "data_dir": str(data_dir),
                "public_url": "http://kiosk.test:8080",
                "secure_url": "https://kiosk.test:8443",
                **kiosk,
            },
            "server": {"host": "127.0.0.1", "port": 0, "https_port": 0, "tls": "off"},
            "mediamtx": mediamtx or {"enabled": False},
        }
    )


def make_services(clock: Any = None) -> Services:
    """Services whose database the test opens itself."""
    secrets = KioskSecrets(jwt_key="k" * 48, fernet_keys=(generate_key(),), media_secret="media")
    if clock is None:
        return Services(secrets=secrets, open_database=False)
    return Services(secrets=secrets, open_database=False, clock=clock)


@asynccontextmanager
async def console(
    tmp_path: Path,
    *,
    start_server: bool = False,
    clock: Any = None,
    demo: bool = False,
    seed: Callable[[], Awaitable[None]] | None = None,
    mediamtx: dict[str, Any] | None = None,
    size: tuple[int, int] = SIZE,
    **kiosk: Any,
) -> AsyncIterator[tuple[KioskApp, Any]]:
    """A started console in a test terminal (140×45 unless `size` says), with its pilot; the
    database is fresh and filled by `seed` before the console starts."""
    await db.init_db(f"sqlite://{tmp_path / 'kiosk.sqlite3'}", generate_schemas=True)
    try:
        if seed is not None:
            await seed()
        config = make_config(tmp_path, mediamtx, **kiosk)
        services = make_services(clock)
        app = create_app(
            config, services, start_server=start_server, clock=clock or services.clock, demo=demo
        )
        async with app.run_test(size=size) as pilot:
            await asyncio.wait_for(app.ready.wait(), WAIT)
            await pilot.pause()
            yield app, pilot
    finally:
        await db.close_db()


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
